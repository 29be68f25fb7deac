"""Confirming a version with the head's signature: the CMS file (made with NCALayer) is stored by its hash,
verified over the version's exact bytes as ``krm confirm`` verifies it (:func:`krm.signatures.verify.confirm`:
chain to the portal's trust folder, validity at signing time, revocation with its CRL, the signer's role and
the reporting unit), and only a verified signature is recorded, by the register's own
:meth:`~krm.register.approval.Approval.confirm_version` (the confirmation row, the state *confirmed* with its
audit row by the account's login, the version locked).  Every signature file sent is an ``upload`` row
(outcome verified or rejected)."""

from __future__ import annotations

from pathlib import Path

from krm.register import StateError
from krm.register import schema as S
from krm.register.connect import _now
from krm.serve.checker import store


def _workbook_path(portal, v) -> Path | None:
    """A stored copy of the version's bytes (the store first, then where the register saw them)."""
    import hashlib

    for p in [*sorted((portal.config.data / "store" / v.sha256[:2]).glob(f"{v.sha256}.*")), *map(Path, v.paths)]:
        try:
            if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() == v.sha256:
                return p
        except OSError:
            continue
    return None


def confirm_version(portal, account, v, filename: str, data: bytes):
    """(Confirmation or None, problem text or None); a verified signature confirms the version."""
    from krm.signatures import verify

    if portal.config.trust is None:
        return None, "the portal has no trust folder for signatures (krm serve --trust DIR)"
    wb = _workbook_path(portal, v)
    if wb is None:
        return None, "the version's workbook is not stored here"
    sha, sig_path = store(portal.config.data, data, ".cms")
    try:
        conf = verify.confirm(wb, sig_path, portal.config.trust, portal.config.crl)
    except verify.UsageError as e:
        conf, problem = None, str(e)
    else:
        problem = None
    verified = conf is not None and conf.verified and conf.sha256 == v.sha256
    if verified:
        try:
            done = portal.reg.confirm_version(conf, by=account.login)
        except StateError as e:
            verified, problem = False, str(e)
        else:
            if done.id != v.id:  # the same bytes confirmed under another version: said, not hidden
                problem = f"the signed bytes are version {done.number} of this submission"
    with portal.reg.writer() as c, c.begin():
        c.execute(S.upload.insert().values(
            account_id=account.id, kind="signature", sha256=sha, filename=filename[:500], size=len(data), at=_now(),
            form=v.form, period=v.period, unit=v.district or v.region, errors=len(conf.findings) if conf else None,
            warnings=None, outcome="verified" if verified else "rejected", detail=problem, version_id=v.id))
    return conf, problem
