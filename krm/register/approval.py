"""Approval in the register: confirmation with the head's digital signature, return and acceptance of a
version, and accepted explanations of warnings (docs/register.md, docs/confirm.md).

* :meth:`Approval.confirm_version` records a *verified* :class:`krm.signatures.verify.Confirmation`: the
  version whose workbook has exactly the signed bytes (SHA-256) becomes ``confirmed`` and is locked — a
  later resubmission of the submission (new bytes) becomes a new version, shown as "changed after
  confirmation", and the confirmed one stays confirmed beside it (:mod:`krm.register.store`).  A
  signature that did not verify records nothing (:class:`~krm.register.store.StateError`).
* :meth:`Approval.return_version` (with its reason) and :meth:`Approval.accept` are the oblast's decisions;
  each is a state change with its audit row (who, when, why).
* :meth:`Approval.accept_explanation` records that the oblast accepts a district's explanation of a warning
  (the text the workbook gave, who wrote it, who accepted it and when).  An explanation of an error
  admits nothing: errors are fixed, not explained.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from krm.register import schema as S
from krm.register.connect import _now
from krm.register.store import StateError, os_user


def _naive_utc(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t.replace(microsecond=0)


def _signer(conf):
    """The signer report that confirms: the first whose role may confirm (else the first with a certificate)."""
    reps = [r for r in conf.signers if r.signer is not None]
    for r in reps:
        if r.signer.may_confirm:
            return r
    return reps[0] if reps else None


class Approval:
    """Mixed into :class:`krm.register.Register` (needs ``writer()``, ``reader()``, ``versions()``)."""

    # ------------------------------------------------------------------ confirmation
    def _versions_of_bytes(self, sha: str) -> list[int]:
        V, W = S.version, S.workbook
        with self.reader() as c, c.begin():
            return [r[0] for r in c.execute(select(V.c.id).select_from(V.join(W, W.c.id == V.c.workbook_id))
                                            .where(W.c.sha256 == sha).order_by(V.c.id))]

    def confirm_version(self, confirmation, *, by: str | None = None, today: dt.date | None = None):
        """Record a verified confirmation; returns the confirmed :class:`~krm.register.Version`.

        The workbook (``confirmation.file``) is read into the register first when its bytes are not there
        yet.  Raises :class:`StateError` (one line; nothing recorded) when the signature was not verified,
        the workbook is not a version of a submission, or its version cannot be confirmed (returned:
        it has errors; superseded: a newer version exists).
        """
        conf = confirmation
        if not conf.verified:
            raise StateError(f"{conf.file}: the signature was not verified; nothing was recorded in the register")
        rep = _signer(conf)
        vids = self._versions_of_bytes(conf.sha256)
        if not vids:
            self.ingest([conf.file], by=by, today=today, jobs=1)
            vids = self._versions_of_bytes(conf.sha256)
        if not vids:
            raise StateError(f"{conf.file}: these bytes are not a version of any submission in the register "
                             "(not read, or form, district or period not recognised); nothing was recorded")
        vid = vids[-1]
        by = by or os_user()
        now = _now()
        s = rep.signer
        V, A = S.version, S.state_change
        with self.writer() as c, c.begin():
            v = c.execute(select(V).where(V.c.id == vid).with_for_update()).first()
            if v.state not in ("accepted", "confirmed"):
                why = {"returned": "it was returned (errors): fix the workbook and submit it again",
                       "superseded": "a newer version of the submission exists: confirm that one"}
                raise StateError(f"version {v.number} of {conf.file} is {v.state} and cannot be confirmed: "
                                 f"{why.get(v.state, 'it is not accepted yet')}; nothing was recorded")
            if v.state == "accepted":
                c.execute(update(V).where(V.c.id == vid).values(state="confirmed"))
                c.execute(A.insert().values(version_id=vid, at=now, by=by, from_state="accepted",
                                            to_state="confirmed",
                                            reason=f"signed by {s.name} (IIN {s.iin or '—'}, {s.role}), "
                                                   f"certificate {s.serial}"))
                # an older confirmed version (locked until now) gives way to the newly confirmed one
                older = c.execute(select(V.c.id).where(V.c.submission_id == v.submission_id, V.c.id != vid,
                                                       V.c.number < v.number, V.c.state == "confirmed")).all()
                for (o,) in older:
                    c.execute(update(V).where(V.c.id == o).values(state="superseded"))
                    c.execute(A.insert().values(version_id=o, at=now, by=by, from_state="confirmed",
                                                to_state="superseded", reason=f"version {v.number} confirmed"))
            c.execute(S.confirmation.insert().values(
                version_id=vid, workbook_sha256=conf.sha256, signature_sha256=conf.signature_sha256,
                signer_iin=s.iin, signer_bin=s.bin, signer_name=s.name, signer_role=s.role,
                certificate_serial=s.serial, certificate_issuer=s.issuer or "", algorithm=rep.algorithm,
                signing_time=_naive_utc(rep.signing_time), by=by, at=now))
        return self.version(vid)

    def confirmations(self, version_id: int) -> list[dict]:
        """The confirmations recorded for a version, oldest first."""
        K = S.confirmation
        with self.reader() as c, c.begin():
            rows = c.execute(select(K).where(K.c.version_id == version_id).order_by(K.c.id)).all()
        return [{"workbook_sha256": r.workbook_sha256, "signature_sha256": r.signature_sha256,
                 "signer": {"iin": r.signer_iin, "bin": r.signer_bin, "name": r.signer_name, "role": r.signer_role},
                 "certificate": {"serial": r.certificate_serial, "issuer": r.certificate_issuer},
                 "algorithm": r.algorithm, "signing_time": r.signing_time.isoformat() if r.signing_time else None,
                 "by": r.by, "at": r.at.isoformat()} for r in rows]

    # ------------------------------------------------------------------ the oblast's decisions
    def return_version(self, version_id: int, reason: str, *, by: str | None = None):
        """Return a version to its district (Rule 10: within one working day of finding); ``reason`` is required."""
        if not reason or not reason.strip():
            raise StateError("a return needs its reason (what is wrong, where)")
        self.set_state(version_id, "returned", by=by, reason=reason.strip())
        return self.version(version_id)

    def accept(self, version_id: int, *, by: str | None = None, reason: str | None = None):
        """Accept a returned version (e.g. after its explanations were accepted)."""
        self.set_state(version_id, "accepted", by=by, reason=reason)
        return self.version(version_id)

    # ------------------------------------------------------------------ explanations
    def _stored_explanation(self, version_id: int, code: str, cell: str | None):
        """(severity, sheet, explanation dict) of the version's finding ``code`` at ``cell`` (latest check)."""
        from krm.register import codec

        V, C, F = S.version, S.check, S.finding
        with self.reader() as c, c.begin():
            rid = c.execute(select(V.c.reading_id).where(V.c.id == version_id)).scalar()
            if rid is None:
                raise StateError(f"no version {version_id} in the register")
            check = c.execute(select(C.c.id).where(C.c.reading_id == rid).order_by(C.c.as_of.desc())).first()
            recs = c.execute(select(F).where(F.c.check_id == check[0], F.c.code == code)
                             .order_by(F.c.seq)).all() if check else []
        for r in recs:
            if (r.cell or "") == (cell or ""):
                return r.severity, r.sheet, (codec.loads(r.data) or {}).get("explanation")
        raise StateError(f"version {version_id} has no finding {code}" + (f" at {cell}" if cell else ""))

    def accept_explanation(self, version_id: int, code: str, cell: str | None = None, *,
                           by: str | None = None) -> dict:
        """Accept the workbook's explanation of warning ``code`` at ``cell``: recorded with who and when.

        Raises :class:`StateError` when the finding is not there, is an error (an explanation does not
        admit an error), or has no explanation in the workbook's sheet «Түсініктеме / Пояснения».
        """
        severity, sheet, exp = self._stored_explanation(version_id, code, cell)
        if severity == "error":
            raise StateError(f"{code} is an error: an explanation does not admit it; the workbook must be corrected")
        if not exp or not exp.get("text"):
            raise StateError(f"version {version_id}: {code}" + (f" at {cell}" if cell else "")
                             + " has no explanation in the workbook's sheet «Түсініктеме / Пояснения»")
        by, now = by or os_user(), _now()
        E = S.explanation
        with self.writer() as c, c.begin():
            have = c.execute(select(E).where(E.c.version_id == version_id, E.c.code == code,
                                             E.c.cell == (cell or ""))).first()
            if have is None:
                c.execute(E.insert().values(version_id=version_id, code=code, sheet=sheet, cell=cell or "",
                                            text=exp["text"], author=exp.get("who"), written=exp.get("date"),
                                            accepted_by=by, accepted_at=now))
        return next(e for e in self.explanations(version_id) if e["code"] == code and e["cell"] == (cell or ""))

    def explained_readings(self, reading_ids) -> set[int]:
        """The readings whose latest check has a finding the workbook explains."""
        from krm.register import codec

        C, F = S.check, S.finding
        ids = sorted(set(reading_ids))
        latest: dict[int, tuple] = {}
        with self.reader() as c, c.begin():
            for i in range(0, len(ids), 500):
                for cid, rid, as_of in c.execute(select(C.c.id, C.c.reading_id, C.c.as_of)
                                                 .where(C.c.reading_id.in_(ids[i:i + 500]))):
                    if rid not in latest or as_of > latest[rid][1]:
                        latest[rid] = (cid, as_of)
            by_check = {cid: rid for rid, (cid, _) in latest.items()}
            checks = sorted(by_check)
            out = set()
            for i in range(0, len(checks), 500):
                for cid, data in c.execute(select(F.c.check_id, F.c.data).where(F.c.check_id.in_(checks[i:i + 500]))):
                    if by_check[cid] not in out and (codec.loads(data) or {}).get("explanation"):
                        out.add(by_check[cid])
        return out

    def explanations(self, version_id: int) -> list[dict]:
        """The accepted explanations of a version."""
        E = S.explanation
        with self.reader() as c, c.begin():
            rows = c.execute(select(E).where(E.c.version_id == version_id).order_by(E.c.id)).all()
        return [{"code": r.code, "sheet": r.sheet, "cell": r.cell, "text": r.text, "who": r.author,
                 "date": r.written, "accepted_by": r.accepted_by, "accepted_at": r.accepted_at.isoformat()}
                for r in rows]
