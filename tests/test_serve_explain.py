"""krm serve: a district answers a warning with an explanation on the version's page; it is kept in the
register against the version's workbook (the submitted bytes are never changed), validate and the approval
levels report the warning as explained, and the oblast accepts the explanation through its page."""

from __future__ import annotations

import re

import pytest

from serve_kit import _PORTALS, FAULTY, Browser, fixed, make_portal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TEXT = "Екі орын қосымша ашылды <b>бұйрық №5</b>"


def _warned(tmp_path):
    """District 114400000's sample, corrected, with fact 9 against plan 2 at H18: warning KRM-W010 only."""
    from fill import edit

    return edit(fixed(FAULTY, tmp_path / "fix.xlsx"), {"H18": 9}, tmp_path / "KRM-2_114400000_ENBEK.xlsx")


def test_a_district_explains_a_warning_and_the_oblast_accepts_it(tmp_path):
    from starlette.testclient import TestClient

    from krm.validate import validate_paths

    wb = _warned(tmp_path)
    sent = wb.read_bytes()
    app, cfg = make_portal(tmp_path / "portal")
    with TestClient(app):
        reg = _PORTALS[cfg.register].reg
        d, o = Browser(app, "d114"), Browser(app, "o11")
        r = d.upload(wb)
        assert "KRM-W010" in r.text
        vid = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        uid = int(re.search(r'href="/upload/(\d+)"', r.text).group(1))
        page = d.get(f"/version/{vid}").text
        assert f'action="/version/{vid}/explain"' in page and 'value="H18"' in page
        assert not reg.explained_readings([reg.version(vid).reading_id])

        # blank text and an explanation of a finding the version does not have: nothing recorded
        assert d.post(f"/version/{vid}/explain", {"code": "KRM-W010", "cell": "H18", "text": "  "}).status_code == 400
        assert d.post(f"/version/{vid}/explain", {"code": "KRM-W010", "cell": "H19", "text": "x"}).status_code == 409
        assert reg.written_explanations(reg.workbook_id_of(reg.version(vid).sha256)) == {}

        r = d.post(f"/version/{vid}/explain", {"code": "KRM-W010", "cell": "H18", "text": TEXT})
        assert r.status_code == 303
        page = d.get(f"/version/{vid}").text
        assert "<b>бұйрық" not in page and "&lt;b&gt;бұйрық №5&lt;/b&gt;" in page  # escaped, shown
        assert f'action="/version/{vid}/explain"' not in page and "облыс қарайды" in page

        # the submitted file is untouched: the portal serves back exactly the bytes sent
        assert d.get(f"/upload/{uid}/file").content == sent == wb.read_bytes()

        # validate through the register reports the warning as explained (and still a warning)
        [rep] = validate_paths([wb], jobs=1, register=reg)
        [w] = rep.findings
        assert w.code == "KRM-W010" and w.severity == "warning" and rep.warnings == 1
        assert w.explanation["text"] == TEXT and w.explanation["who"] == "d114"
        assert w.to_dict()["explained"] is True
        assert reg.explained_readings([reg.version(vid).reading_id]) == {reg.version(vid).reading_id}
        # without the register the workbook explains nothing: the explanation lives in the register only
        [bare] = validate_paths([wb], jobs=1, register=False)
        assert bare.findings[0].explanation is None

        # the oblast sees it and accepts it through its page
        page = o.get(f"/version/{vid}").text
        assert "&lt;b&gt;бұйрық №5&lt;/b&gt;" in page and f'action="/version/{vid}/explanation"' in page
        assert o.post(f"/version/{vid}/explanation", {"code": "KRM-W010", "cell": "H18"}).status_code == 303
        [e] = reg.explanations(vid)
        assert (e["code"], e["cell"], e["text"], e["who"], e["accepted_by"]) == ("KRM-W010", "H18", TEXT, "d114", "o11")
        assert "түсініктеме қабылданды" in o.get(f"/version/{vid}").text
        assert "түсініктеме қабылданды" in d.get(f"/version/{vid}").text


def test_an_error_is_not_explained(tmp_path):
    from starlette.testclient import TestClient

    app, cfg = make_portal(tmp_path / "portal")
    with TestClient(app):
        reg = _PORTALS[cfg.register].reg
        d = Browser(app, "d114")
        r = d.upload(FAULTY)
        vid = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        assert 'action="/version/' + str(vid) + '/explain"' not in d.get(f"/version/{vid}").text
        r = d.post(f"/version/{vid}/explain", {"code": "KRM-E024", "cell": "C16", "text": "no activity"})
        assert r.status_code == 409 and "corrected" in r.text
        assert reg.written_explanations(reg.workbook_id_of(reg.version(vid).sha256)) == {}
        assert not reg.explained_readings([reg.version(vid).reading_id])

