"""krm serve: an upload is checked across months against the portal's register (docs/history.md), as
``krm validate`` checks it when the register holds the earlier months."""

from __future__ import annotations

import re

import pytest

from serve_kit import _PORTALS, FAULTY, Browser, fixed, make_portal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_an_upload_is_checked_against_last_month_in_the_register(tmp_path):
    """April then May through the page: May's cumulative jobs of project 2 (H16) below April's → KRM-E301
    on the district's results; the version is returned (audit row naming the code)."""
    from starlette.testclient import TestClient

    from sqlalchemy import select

    from fill import edit
    from krm.register import schema as S
    from serve_kit import SAMPLES

    april = SAMPLES / "2019-04" / "11-Akmola-Region" / "KRM-2_114400000_ENBEK.xlsx"
    may = edit(fixed(FAULTY, tmp_path / "fix.xlsx"), {"H16": 0}, tmp_path / "KRM-2_114400000_ENBEK.xlsx")
    app, cfg = make_portal(tmp_path / "portal")
    with TestClient(app):
        reg = _PORTALS[cfg.register].reg
        d = Browser(app, "d114")
        first = d.upload(may).text  # no April in the register yet: nothing to compare, no noise
        assert "KRM-E" not in first
        r = d.upload(april)
        assert r.status_code == 200 and "KRM-E3" not in r.text
        april_v = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        again = d.upload(may).text  # the same May again, now that April is in the register
        assert "KRM-E301" in again and "H16" in again
        vid = int(re.search(r'href="/version/(\d+)"', again).group(1))
        v = reg.version(vid)  # an error across months returns the version, as krm register ingest does
        assert v.state == "returned" and "KRM-E301" in reg.audit(vid)[-1].reason and reg.audit(vid)[-1].by == "d114"
        assert reg.version(april_v).period == "2019-04"
        with reg.reader() as c, c.begin():
            rows = c.execute(select(S.upload.c.sha256, S.upload.c.errors).order_by(S.upload.c.id)).all()
        assert [e for _, e in rows] == [0, 0, 1] and rows[0].sha256 == rows[2].sha256


def test_the_portals_note_shows_the_change_against_last_month(tmp_path):
    """The note the portal builds reads the previous month from the portal's register (only read: its own
    roll-ups are never recorded as submissions): with April there, the month-on-month line is there."""
    from starlette.testclient import TestClient

    from krm.report.note import _signed
    from krm.validate import validate_file
    from serve_kit import MONTH, SAMPLES

    april = SAMPLES / "2019-04" / "11-Akmola-Region" / "KRM-2_114400000_ENBEK.xlsx"
    may = fixed(FAULTY, tmp_path / "KRM-2_114400000_ENBEK.xlsx")
    change = validate_file(may).submission.totals()["fact"] - validate_file(april).submission.totals()["fact"]
    app, cfg = make_portal(tmp_path / "portal")
    with TestClient(app):
        reg = _PORTALS[cfg.register].reg
        d, c = Browser(app, "d114"), Browser(app, "centre")
        d.upload(may)
        line = "Өткен аймен салыстырғанда"
        note = c.get(f"/centre/file/{MONTH}/note-{MONTH}.kk.html")
        assert note.status_code == 200 and line not in note.text  # no April yet: no change to tell
        d.upload(april)
        note = c.get(f"/centre/file/{MONTH}/note-{MONTH}.kk.html").text
        assert f"{line} {_signed(change)} жұмыс орны" in note
        assert len(reg.versions()) == 2  # the portal's KRM-3/4/5 and KRM-6/7 are not in the register
