"""What happens to workbooks a district uploads: stored, checked, placed, recorded (see :mod:`krm.serve.checker`).

Each file gives one ``upload`` row whatever becomes of it (``outcome``):

* ``version`` — the workbook names the account's own district and a district form: it is a version of its
  submission in the register (received → checked → accepted or returned, by the account's login);
* ``refused`` — it names another district (or a form a district does not file): checked and shown, never
  recorded as anybody's submission;
* ``unplaced`` — readable but without the header that places it (form, district, period);
* ``unreadable`` — not a workbook krm can read (the read-error finding says why).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from krm.register import Seen
from krm.register import schema as S
from krm.register.connect import _now
from krm.register.store import submission_key
from krm.serve.checker import store, suffix_of

DISTRICT_FORMS = ("KRM-1", "KRM-2")


@dataclass
class Received:
    upload_id: int
    filename: str
    outcome: str
    detail: str = ""
    version_id: int | None = None
    findings: list = field(default_factory=list)
    form: str | None = None
    why: tuple = ()  # (phrase key of krm.serve.words, parameters): the detail in the page's language


#: the detail of each outcome as a phrase of krm.serve.words (the register's upload row keeps the English)
WHY = {"for_other_district": "the workbook is for district {district}, not {mine}",
       "not_district_form": "{form} is not a form a district files",
       "no_header": "no form, district or period in the header",
       "not_workbook_name": "not a workbook name (.xlsx, .xlsm, .xls, .ods, .xlsb)"}


def _placement(account, report) -> tuple[str, tuple, tuple | None]:
    """(outcome, why, submission key) of a checked workbook sent by ``account``."""
    if report.unreadable:
        return "unreadable", (), None
    key = submission_key(report.submission)
    if key is None:
        return "unplaced", ("no_header", {}), None
    form, _region, district, _prog, _period = key
    if account.role != "district" or form not in DISTRICT_FORMS:
        return "refused", ("not_district_form", {"form": form}), None
    if district != account.unit:
        return "refused", ("for_other_district", {"district": district, "mine": account.unit}), None
    return "version", (), key


def receive(reg, checker, data_dir: Path, account, files: list[tuple[str, bytes]],
            as_of: dt.date | None = None) -> list[Received]:
    """Store, check and record ``files`` ((name as sent, bytes)) from ``account`` (module doc)."""
    stored = []
    for name, data in files:
        sfx = suffix_of(name)
        stored.append((name, data, *(store(data_dir, data, sfx) if sfx else (None, None))))
    paths = [p for *_, p in stored if p is not None]
    reports = iter(checker.check(paths)) if paths else iter(())
    as_of = as_of or checker.today or dt.date.today()
    out = []
    for name, data, sha, path in stored:
        if path is None:
            out.append(_record(reg, account, name, data, None, "unreadable", ("not_workbook_name", {}), None, None))
            continue
        rep = next(reports)
        outcome, why, key = _placement(account, rep)
        vid = None
        if outcome == "version":
            rid = reg.record_reading(sha, len(data), as_of, rep, rep.edition)
            sub = rep.submission
            [vid] = reg.record_seen([Seen(str(path), sha, len(data), None, rid, key, rep.errors,
                                          sub.modified if sub is not None else None)], by=account.login)
            _across_months(reg, rep, account.login)
        r = _record(reg, account, name, data, sha, outcome, why, rep, vid)
        r.findings = rep.findings
        out.append(r)
    return out


def _across_months(reg, rep, by: str) -> None:
    """The checks across months (docs/history.md) against the portal's register, as ``krm validate`` and
    ``krm register ingest`` run them (:func:`krm.history.record.check_and_record`): added to the findings the
    district sees and to the upload row's counts; an error across months returns the version (audit row
    naming the code, cell and the earlier version), a warning changes no state."""
    from sqlalchemy.exc import SQLAlchemyError

    from krm.history.record import check_and_record

    try:
        check_and_record([rep], reg, by)
    except SQLAlchemyError:  # the register could not be read: the file's own findings stand
        pass


def _record(reg, account, name, data, sha, outcome, why, rep, vid) -> Received:
    sub = getattr(rep, "submission", None)
    detail = WHY[why[0]].format(**why[1]) if why else (
        next((f.code for f in rep.findings), "") if rep is not None else "")
    U = S.upload
    values = {"account_id": account.id, "kind": "workbook", "sha256": sha or "", "filename": name[:500],
              "size": len(data), "at": _now(), "form": getattr(rep, "form", None),
              "period": getattr(sub, "period", None), "unit": getattr(sub, "district", None) or None,
              "errors": getattr(rep, "errors", None), "warnings": getattr(rep, "warnings", None),
              "outcome": outcome, "detail": detail, "version_id": vid}
    with reg.writer() as c, c.begin():
        uid = c.execute(U.insert().values(**values).returning(U.c.id)).scalar_one()
    return Received(uid, name, outcome, detail, vid, [], values["form"], why)


def upload_row(reg, upload_id: int):
    with reg.reader() as c, c.begin():
        return c.execute(select(S.upload).where(S.upload.c.id == upload_id)).first()


def uploads_of(reg, account_id: int, limit: int = 200) -> list:
    with reg.reader() as c, c.begin():
        return list(c.execute(select(S.upload).where(S.upload.c.account_id == account_id)
                              .order_by(S.upload.c.id.desc()).limit(limit)))
