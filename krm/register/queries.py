"""What the register answers: versions of submissions, their audit trail, a submission's history over the
months, what it knows of one file (by its bytes), and the accepted submissions of a period."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from krm.register import codec

# (SQLAlchemy and the schema are imported where they are used: Version and Change without them, for
# krm.register.plain)

#: the states whose current version counts in a roll-up from the register
COUNTED = ("accepted", "confirmed")


@dataclass
class Version:
    id: int
    submission_id: int
    form: str
    region: str
    district: str
    programme: str
    period: str
    number: int
    sha256: str
    state: str
    received_at: dt.datetime
    reading_id: int
    paths: tuple[str, ...] = ()
    totals: dict = field(default_factory=dict)
    #: an earlier version of the submission was confirmed and this one (new bytes) was not
    changed_after_confirmation: bool = False

    def to_dict(self) -> dict:
        return {"id": self.id, "submission": self.submission_id, "form": self.form, "region": self.region,
                "district": self.district, "programme": self.programme, "period": self.period,
                "version": self.number, "sha256": self.sha256, "state": self.state,
                "changed_after_confirmation": self.changed_after_confirmation,
                "received_at": self.received_at.isoformat(), "paths": list(self.paths), "totals": self.totals}


@dataclass
class Change:
    at: dt.datetime
    by: str
    from_state: str | None
    to_state: str
    reason: str | None

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "by": self.by, "from": self.from_state, "to": self.to_state,
                "reason": self.reason}


def _version_query():
    from sqlalchemy import select

    from krm.register import schema as S

    V, T, W, R = S.version, S.submission, S.workbook, S.reading
    return (select(V.c.id, V.c.submission_id, T.c.form, T.c.region, T.c.district, T.c.programme, T.c.period,
                   V.c.number, W.c.sha256, V.c.state, V.c.received_at, V.c.reading_id, V.c.workbook_id,
                   R.c.totals)
            .select_from(V.join(T, T.c.id == V.c.submission_id).join(W, W.c.id == V.c.workbook_id)
                         .join(R, R.c.id == V.c.reading_id)))


def _ever_confirmed(c, submissions: set) -> dict[int, dict[int, int]]:
    """{submission: {version id: number}} of the versions that were ever confirmed (their audit trail)."""
    from sqlalchemy import select

    from krm.register import schema as S

    V, A = S.version, S.state_change
    out: dict[int, dict[int, int]] = {}
    ids = sorted(submissions)
    for i in range(0, len(ids), 500):
        q = (select(V.c.submission_id, V.c.id, V.c.number).select_from(V.join(A, A.c.version_id == V.c.id))
             .where(A.c.to_state == "confirmed", V.c.submission_id.in_(ids[i:i + 500])).distinct())
        for sid, vid, number in c.execute(q):
            out.setdefault(sid, {})[vid] = number
    return out


class Queries:
    """Mixed into :class:`krm.register.Register` (needs ``reader()``)."""

    def versions(self, *, form=None, region=None, district=None, programme=None, period=None, state=None,
                 current: bool | None = None) -> list[Version]:
        """Versions matching every filter given, by submission then number; ``current=True``: the latest of each."""
        from sqlalchemy import func, select

        from krm.register import schema as S

        T, V = S.submission, S.version
        q = _version_query()
        for col, v in ((T.c.form, form), (T.c.region, region), (T.c.district, district),
                       (T.c.programme, programme), (T.c.period, period)):
            if v is not None:
                q = q.where(col == v)
        if state is not None:
            q = q.where(V.c.state.in_([state] if isinstance(state, str) else list(state)))
        with self.reader() as c, c.begin():
            rows = c.execute(q).all()
            paths: dict[int, list[str]] = {}
            wids = sorted({r.workbook_id for r in rows})
            for i in range(0, len(wids), 500):
                for w, p in c.execute(select(S.workbook_path.c.workbook_id, S.workbook_path.c.path)
                                      .where(S.workbook_path.c.workbook_id.in_(wids[i:i + 500]))):
                    paths.setdefault(w, []).append(p)
            if current:  # the newest version of each submission (a locked, confirmed one may stay beside it)
                latest = dict(c.execute(select(V.c.submission_id, func.max(V.c.number))
                                        .where(V.c.state != "superseded").group_by(V.c.submission_id)).all())
                rows = [r for r in rows if latest.get(r.submission_id) == r.number]
            ever = _ever_confirmed(c, {r.submission_id for r in rows})
        out = [Version(r.id, r.submission_id, r.form, r.region, r.district, r.programme, r.period, r.number,
                       r.sha256, r.state, r.received_at, r.reading_id, tuple(sorted(paths.get(r.workbook_id, ()))),
                       json.loads(r.totals) if r.totals else {},
                       r.id not in ever.get(r.submission_id, {}) and
                       any(n < r.number for n in ever.get(r.submission_id, {}).values()))
               for r in rows]
        out.sort(key=lambda v: (v.period, v.form, v.region, v.district, v.programme, v.number))
        return out

    def version(self, version_id: int) -> Version | None:
        from krm.register import schema as S

        with self.reader() as c, c.begin():
            r = c.execute(_version_query().where(S.version.c.id == version_id)).first()
        if r is None:
            return None
        return next(v for v in self.versions(form=r.form, region=r.region, district=r.district,
                                             programme=r.programme, period=r.period) if v.id == version_id)

    def _full(self, v: Version) -> dict:
        """A version with its audit trail, confirmations and accepted explanations."""
        return {**v.to_dict(), "audit": [ch.to_dict() for ch in self.audit(v.id)],
                "confirmations": self.confirmations(v.id), "explanations": self.explanations(v.id)}

    def audit(self, version_id: int) -> list[Change]:
        from sqlalchemy import select

        from krm.register import schema as S

        C = S.state_change
        with self.reader() as c, c.begin():
            rows = c.execute(select(C).where(C.c.version_id == version_id).order_by(C.c.id)).all()
        return [Change(r.at, r.by, r.from_state, r.to_state, r.reason) for r in rows]

    def audits(self, version_ids) -> dict[int, list[Change]]:
        """The audit trails of many versions at once: {version id: [Change, …]}."""
        from sqlalchemy import select

        from krm.register import schema as S

        C = S.state_change
        ids = sorted(set(version_ids))
        out: dict[int, list[Change]] = {}
        with self.reader() as c, c.begin():
            for i in range(0, len(ids), 500):
                for r in c.execute(select(C).where(C.c.version_id.in_(ids[i:i + 500])).order_by(C.c.id)):
                    out.setdefault(r.version_id, []).append(Change(r.at, r.by, r.from_state, r.to_state, r.reason))
        return out

    def history(self, *, region=None, district=None, programme=None, form=None) -> list[dict]:
        """Each submission matching the filters, over the months: its versions, states, figures and audit."""
        subs: dict[int, dict] = {}
        for v in self.versions(form=form, region=region, district=district, programme=programme):
            s = subs.setdefault(v.submission_id, {"form": v.form, "region": v.region, "district": v.district,
                                                  "programme": v.programme, "period": v.period, "versions": []})
            s["versions"].append(self._full(v))
        return list(subs.values())

    def show(self, path: str | Path) -> dict | None:
        """What the register knows of a file, found by its bytes (SHA-256); None if never seen."""
        from sqlalchemy import select

        from krm.register import schema as S

        data = Path(path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        W, R, C = S.workbook, S.reading, S.check
        with self.reader() as c, c.begin():
            w = c.execute(select(W).where(W.c.sha256 == sha)).first()
            if w is None:
                return None
            paths = [r.path for r in c.execute(select(S.workbook_path).where(S.workbook_path.c.workbook_id == w.id)
                                               .order_by(S.workbook_path.c.path))]
            readings = []
            for r in c.execute(select(R).where(R.c.workbook_id == w.id).order_by(R.c.id)):
                checks = [{"as_of": k.as_of.isoformat(), "errors": k.errors, "warnings": k.warnings}
                          for k in c.execute(select(C).where(C.c.reading_id == r.id).order_by(C.c.as_of))]
                readings.append({"engine": r.engine, "form": r.form, "edition": r.edition, "rows": r.n_rows,
                                 "header": codec.encode(codec.loads(r.header)),
                                 "totals": json.loads(r.totals) if r.totals else None, "checks": checks})
            vids = [x[0] for x in c.execute(select(S.version.c.id).where(S.version.c.workbook_id == w.id))]
        versions = [self._full(self.version(i)) for i in vids]
        return {"sha256": sha, "size": w.size, "first_seen": w.first_seen.isoformat(),
                "last_seen": w.last_seen.isoformat(), "read_error": w.read_error, "paths": paths,
                "readings": readings, "versions": versions}

    def submissions(self, periods, path_of=None) -> list:
        """``(version, krm.model.Submission)`` of the current, counted version of each submission of the
        ``periods`` (one or a list), rebuilt from the stored rows; ``path_of(version)`` names each (default: the
        first path it was seen at)."""
        out = []
        periods = [periods] if isinstance(periods, str) else list(dict.fromkeys(periods))
        for v in [v for p in periods for v in self.versions(period=p, current=True, state=COUNTED)]:
            sub = self.submission_of(v.reading_id, Path(path_of(v) if path_of else (v.paths or (v.sha256,))[0]))
            if sub is not None:
                out.append((v, sub))
        return out

    def submission_of(self, reading_id: int, path: Path):
        from sqlalchemy import select

        from krm.register import schema as S

        R = S.reading
        with self.reader() as c, c.begin():
            r = c.execute(select(R).where(R.c.id == reading_id)).first()
            cells = codec.stored_cells(c, reading_id)
        if r is None or r.header is None:
            return None
        if codec.reading_digest(r.form, r.edition, r.header, r.n_rows, r.totals, cells) != r.digest:
            from krm.register.connect import RegisterError

            raise RegisterError(f"reading {reading_id} in the register does not match its digest "
                                "(changed in the database): run krm register verify")
        projects, regions = codec.rows_from_cells([x[:5] for x in cells])
        return codec.submission_from(codec.loads(r.header), projects, regions, path)
