"""Who may see and change what: the one place the portal decides it (every route asks here).

* a **district** sees its own uploads and the versions of its own district's submissions;
* an **oblast** sees every version of its region (and the uploads behind them) and changes their states;
* a **central body** sees the versions of its own programme (read only), its programme's KRM-3/4/5, the
  national KRM-6/7 and the note, and the status across regions;
* the **Centre** sees every version (read only) and every roll-up;
* an **administrator** manages accounts; it sees no submission.
"""

from __future__ import annotations

from krm.serve.accounts import Account



class Denied(Exception):
    """Refused: the route answers 403 (or 404 where existence itself must not be told)."""


def may_read_version(acc: Account, v) -> bool:
    if acc.role == "district":
        return v.district == acc.unit
    if acc.role == "oblast":
        return v.region == acc.unit
    if acc.role == "central":
        return v.programme == acc.unit
    return acc.role == "centre"


def may_change_version(acc: Account, v) -> bool:
    return acc.role == "oblast" and v.region == acc.unit


def may_explain_version(acc: Account, v) -> bool:
    """A district answers the warnings of its own district's version (not one a newer version replaced)."""
    return acc.role == "district" and v.district == acc.unit and v.state != "superseded"


def may_read_upload(acc: Account, row, version=None) -> bool:
    """An upload: its sender; the oblast and the Centre when it became a version they may read."""
    if row.account_id == acc.id:
        return True
    return version is not None and acc.role != "district" and may_read_version(acc, version)


def may_read_rollup(acc: Account, region: str, programme: str) -> bool:
    """A region's KRM-3 of a programme."""
    if acc.role == "oblast":
        return acc.unit == region
    if acc.role == "central":
        return acc.unit == programme
    return acc.role == "centre"


def need(ok: bool) -> None:
    if not ok:
        raise Denied()
