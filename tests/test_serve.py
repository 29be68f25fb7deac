"""krm serve: the portal's routes over real sample workbooks and a private register (Starlette's TestClient).

A district uploads the faulty sample (blank activity, KRM-E024 at C16) and sees the finding in Kazakh,
downloads the annotated copy, uploads the fix; a workbook of another district is checked but never
recorded as anybody's submission; the oblast returns (with a reason the district sees), accepts and
confirms with a test-CA signature; the Centre gets KRM-6/7 and the note.  Limits, escaping and the
answer to an upload that is HTML inside are checked here too; every route × role is in test_serve_access.py.
"""

from __future__ import annotations

import hashlib
import io
from contextlib import contextmanager
import re
import zipfile

import openpyxl
import pytest

from serve_kit import _PORTALS, CLEAN, FAULTY, MONTH, Browser, fixed, head_pki, make_portal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    app, cfg = make_portal(tmp_path_factory.mktemp("portal"))
    from starlette.testclient import TestClient

    with TestClient(app):  # lifespan: the checker and builder are closed at the end
        yield app, cfg


@contextmanager
def _reg(cfg):
    """The portal's own open register (a second open of the same SQLite file in this process would drop the
    process's file locks when it closes: the server and the test share a process here)."""
    yield _PORTALS[cfg.register].reg


# ------------------------------------------------------------------ signing in
def test_login_needs_the_password_and_the_form_token(portal):
    app, _ = portal
    b = Browser(app, None)
    r = b.get("/district")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    page = b.get("/login")
    from serve_kit import _PORTALS, csrf_of

    tok = csrf_of(page.text)
    bad = b.client.post("/login", data={"csrf": tok, "login": "d114", "password": "wrong-password"})
    assert bad.status_code == 401 and "krm_session" not in bad.cookies
    assert "Логин немесе құпиясөз қате" in bad.text
    no_token = b.client.post("/login", data={"login": "d114", "password": "test-password-1"})
    assert no_token.status_code == 401 and "krm_session" not in no_token.cookies
    unknown = b.client.post("/login", data={"csrf": tok, "login": "nobody", "password": "test-password-1"})
    assert unknown.status_code == 401


def test_guessing_a_password_is_throttled(portal):
    from serve_kit import csrf_of

    app, _ = portal
    b = Browser(app, None)
    tok = csrf_of(b.get("/login").text)
    for _ in range(5):
        r = b.client.post("/login", data={"csrf": tok, "login": "c-aic", "password": "guess-guess"})
        assert r.status_code == 401
    r = b.client.post("/login", data={"csrf": tok, "login": "c-aic", "password": "test-password-1"})
    assert r.status_code == 429 and "krm_session" not in r.cookies  # even the right password, for now
    assert "15 минуттан кейін" in r.text
    other = b.client.post("/login", data={"csrf": tok, "login": "centre", "password": "test-password-1"})
    assert other.status_code == 303  # another login is not held back


def test_logout_ends_the_session_on_the_server(portal):
    app, _ = portal
    b = Browser(app, "d114")
    cookie = b.client.cookies.get("krm_session")
    assert b.get("/district").status_code == 200
    r = b.post("/logout")
    assert r.status_code == 303
    from starlette.testclient import TestClient

    thief = TestClient(app, follow_redirects=False, cookies={"krm_session": cookie})
    assert thief.get("/district").status_code == 303  # the copied cookie no longer opens anything
    forged = TestClient(app, follow_redirects=False, cookies={"krm_session": cookie[:-2] + "xx"})
    assert forged.get("/district").status_code == 303


def test_an_expired_session_is_refused(portal):
    from sqlalchemy import update

    from krm.register import schema as S
    from krm.register.connect import _now

    app, cfg = portal
    b = Browser(app, "d114")
    assert b.get("/district").status_code == 200
    with _reg(cfg) as reg, reg.writer() as c, c.begin():
        c.execute(update(S.portal_session).where(S.portal_session.c.ended_at.is_(None))
                  .values(expires_at=_now()))
    r = b.get("/district")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # the cookie itself expires too: its signature is timestamped and checked against the lifetime
    portal_ = _PORTALS[cfg.register]
    value, _ = portal_.sessions.start(1)
    from itsdangerous import SignatureExpired

    with pytest.raises(SignatureExpired):
        portal_.sessions.signer.unsign(value, max_age=-1)


def test_post_without_the_csrf_token_is_refused(portal):
    app, cfg = portal
    b = Browser(app, "d114")
    r = b.client.post("/district/upload", files=[("files", (FAULTY.name, FAULTY.read_bytes(), "x"))])
    assert r.status_code == 403
    r = b.client.post("/district/upload", data={"csrf": "forged"},
                      files=[("files", (FAULTY.name, FAULTY.read_bytes(), "x"))])
    assert r.status_code == 403
    with _reg(cfg) as reg:
        assert reg.versions(district="114400000") == [] or all(
            v.received_at for v in reg.versions(district="114400000"))  # nothing recorded by these two


# ------------------------------------------------------------------ the district
def test_district_sees_its_findings_in_kazakh_then_uploads_the_fix(portal, tmp_path):
    app, cfg = portal
    b = Browser(app, "d114")
    r = b.upload(FAULTY)
    assert r.status_code == 200
    page = text(r.text)
    assert "C16" in page and "KRM-E024" in page
    assert "«Экономикалық қызмет түрлері» (3-баған) толтырылмаған" in page  # the Kazakh message
    assert "Жолдың барлық міндетті бағандарын толтырыңыз" in page  # and its fix
    assert "Парақ:" in page  # grouped by sheet
    upload_id = int(re.search(r'href="/upload/(\d+)/annotated"', r.text).group(1))
    ann = b.get(f"/upload/{upload_id}/annotated")
    assert ann.status_code == 200 and ann.headers["content-disposition"].startswith("attachment")
    wb = openpyxl.load_workbook(io.BytesIO(ann.content))
    assert wb.sheetnames[0] == "Қателер"
    assert "KRM-E024" in wb.worksheets[1]["C16"].comment.text
    # in Russian when asked
    ru = b.get(f"/upload/{upload_id}?lang=ru")
    assert "Заполните все обязательные графы строки" in text(ru.text) or "графа" in text(ru.text)
    with _reg(cfg) as reg:
        [v1] = reg.versions(district="114400000", period=MONTH)
        assert v1.state == "returned"
        assert [c.by for c in reg.audit(v1.id)] == ["d114"] * 3
    fix = fixed(FAULTY, tmp_path / FAULTY.name)
    r = b.upload(fix)
    assert r.status_code == 200 and "KRM-E024" not in r.text
    with _reg(cfg) as reg:
        vs = reg.versions(district="114400000", period=MONTH)
        assert [(v.number, v.state) for v in vs] == [(1, "superseded"), (2, "accepted")]
    home = text(b.get("/district?lang=kk").text)  # the choice of ru above stays (a cookie) until changed
    assert "қабылданды" in home and "ауыстырылды" in home  # accepted, superseded: the history in Kazakh
    assert "2019-06-05" in home or "2019-06" in home  # the month's deadlines from the calendar


def test_a_workbook_of_another_district_is_refused_and_not_recorded(portal):
    app, cfg = portal
    b = Browser(app, "d114")
    r = b.upload(CLEAN)
    assert r.status_code == 200
    assert "115200000" in text(r.text) and "Қабылданбады" in text(r.text)
    with _reg(cfg) as reg:
        assert reg.versions(district="115200000") == []


def test_not_a_workbook_name_is_not_stored(portal):
    app, cfg = portal
    b = Browser(app, "d114")
    r = b.upload(("notes.txt", b"hello"))
    assert r.status_code == 200 and "Жұмыс кітабының атауы емес" in r.text
    assert not any(p.name.startswith("2cf24dba") for p in (cfg.data / "store").rglob("*"))


def test_file_names_and_cell_text_are_escaped(portal, tmp_path):
    from fill import edit

    app, _ = portal
    b = Browser(app, "d114")
    evil = edit(FAULTY, {"H19": '<img src=x onerror="alert(1)">'}, tmp_path / "e.xlsx")
    name = "<script>alert('name')</script>.xlsx"
    r = b.upload((name, evil.read_bytes()))
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;.xlsx" in r.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in r.text  # the cell's text, in the KRM-E020 message
    uid = re.search(r'href="/upload/(\d+)"', r.text).group(1)
    page = b.get(f"/upload/{uid}")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_an_upload_is_never_served_back_as_html(portal):
    app, _ = portal
    b = Browser(app, "d114")
    html = b"<html><body><script>alert(1)</script></body></html>"
    r = b.upload(("page.xlsx", html))
    assert r.status_code == 200 and "KRM-E00" in r.text  # not a workbook: a read error, shown as text
    uid = re.search(r'href="/upload/(\d+)"', r.text).group(1)
    f = b.get(f"/upload/{uid}/file")
    assert f.status_code == 200 and f.content == html
    assert f.headers["content-type"] == "application/octet-stream"
    assert f.headers["content-disposition"].startswith("attachment")
    assert f.headers["x-content-type-options"] == "nosniff"


def test_limits_on_count_and_size(tmp_path):
    from starlette.testclient import TestClient

    app, cfg = make_portal(tmp_path)
    cfg.max_files = 2
    cfg.max_bytes = 64 * 1024
    with TestClient(app):
        b = Browser(app, "d114")
        r = b.upload(("a.xlsx", b"x"), ("b.xlsx", b"x"), ("c.xlsx", b"x"))
        assert r.status_code == 400 and "ең көбі 2" in r.text
        r = b.upload(("big.xlsx", b"x" * (64 * 1024 + 1)))
        assert r.status_code == 400 and "МБ" in r.text
        with _reg(cfg) as reg:
            from sqlalchemy import func, select

            from krm.register import schema as S

            with reg.reader() as c:
                assert c.execute(select(func.count()).select_from(S.upload)).scalar() == 0
        # a body far over every limit is cut off before it is read
        r = b.client.post("/district/upload", content=b"x" * (3 * 1024 * 1024),
                          headers={"content-type": "multipart/form-data; boundary=zz"})
        assert r.status_code == 413


# ------------------------------------------------------------------ the oblast
def test_oblast_inbox_return_with_reason_accept(portal, tmp_path):
    app, cfg = portal
    d = Browser(app, "d115")
    r = d.upload(CLEAN)
    vid = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
    o = Browser(app, "o11")
    inbox = text(o.get(f"/oblast?month={MONTH}").text)
    assert "115200000" in inbox and "AIC" in inbox
    assert "Жібермегендер" in inbox  # the missing districts of the region (completeness)
    assert "кешікті" in inbox  # received long after 2019-06-05
    r = o.post(f"/version/{vid}/return", {"reason": "Графа 7: <проверьте> сумму"})
    assert r.status_code == 303
    mine = d.get(f"/version/{vid}")
    assert "Графа 7: &lt;проверьте&gt; сумму" in mine.text and "қайтарылды" in mine.text
    r = o.post(f"/version/{vid}/accept")
    assert r.status_code == 303
    with _reg(cfg) as reg:
        trail = [(c.by, c.to_state, c.reason) for c in reg.audit(vid)]
    assert trail[-2:] == [("o11", "returned", "Графа 7: <проверьте> сумму"), ("o11", "accepted", None)]
    assert o.post(f"/version/{vid}/return", {"reason": ""}).status_code == 400  # a return needs its reason


def test_oblast_confirms_with_a_test_ca_signature(portal, tmp_path):
    app, cfg = portal
    with _reg(cfg) as reg:
        [v] = reg.versions(district="115200000", period=MONTH, current=True)
    if v.state != "accepted":  # run alone: the district's upload and the oblast's acceptance first
        pytest.skip("needs test_oblast_inbox_return_with_reason_accept before it")
    trust, sign = head_pki(tmp_path, CLEAN)
    cfg.trust = trust
    o = Browser(app, "o11")
    wrong = sign(FAULTY.read_bytes())  # over other bytes
    r = o.post(f"/version/{v.id}/confirm", files=[("signature", ("form.cms", wrong, "application/pkcs7-signature"))])
    assert r.status_code == 422 and "Қолтаңба расталмады" in r.text and "KRM-E2" in r.text
    with _reg(cfg) as reg:
        assert reg.version(v.id).state == "accepted"
    good = sign(CLEAN.read_bytes())
    other = Browser(app, "o15")  # another region's oblast cannot confirm it, even with a good signature
    assert other.post(f"/version/{v.id}/confirm",
                      files=[("signature", ("form.cms", good, "x"))]).status_code == 403
    r = o.post(f"/version/{v.id}/confirm", files=[("signature", ("form.cms", good, "application/pkcs7-signature"))])
    assert r.status_code == 200 and "Қолтаңба расталды" in r.text, text(r.text)
    with _reg(cfg) as reg:
        last = reg.audit(v.id)[-1]
        assert (last.by, last.from_state, last.to_state) == ("o11", "accepted", "confirmed")
        assert "signed by" in last.reason and "first head" in last.reason
        [conf] = reg.confirmations(v.id)  # recorded by the register's own confirm_version
        assert conf["by"] == "o11" and conf["workbook_sha256"] == v.sha256
        assert conf["signature_sha256"] == hashlib.sha256(good).hexdigest()


# ------------------------------------------------------------------ the Centre
def test_centre_downloads_krm6_krm7_and_the_note(portal, tmp_path):
    app, cfg = portal
    c = Browser(app, "centre")
    page = c.get(f"/centre?month={MONTH}")
    assert page.status_code == 200
    names = re.findall(rf'href="/centre/file/{MONTH}/([^"]+)"', page.text)
    assert f"KRM-6-{MONTH}.kk.xlsx" in names and f"KRM-7-{MONTH}.kk.xlsx" in names
    assert f"note-{MONTH}.kk.html" in names and any(n.startswith("KRM-4.") for n in names)
    k6 = c.get(f"/centre/file/{MONTH}/KRM-6-{MONTH}.kk.xlsx")
    assert k6.status_code == 200 and zipfile.is_zipfile(io.BytesIO(k6.content))
    note = c.get(f"/centre/file/{MONTH}/note-{MONTH}.kk.html")
    assert note.headers["content-disposition"].startswith("attachment")
    assert c.get(f"/centre/file/{MONTH}/..%2Fregister.sqlite").status_code in (403, 404)
    o = Browser(app, "o11")
    k3 = o.get(f"/oblast/krm3?month={MONTH}&programme=AIC")
    assert k3.status_code == 200
    got = tmp_path / "KRM-3.AIC.11.xlsx"
    got.write_bytes(k3.content)
    from krm.register.codec import totals_of
    from krm.validate import validate_file

    k3_totals = totals_of(validate_file(got).submission)
    with _reg(cfg) as reg:  # the region's AIC figures are exactly its one counted AIC submission's
        [v] = [v for v in reg.versions(region="11", period=MONTH, programme="AIC", current=True)
               if v.state in ("accepted", "confirmed")]
    assert {k: float(x) for k, x in k3_totals.items()} == {k: float(x) for k, x in v.totals.items()}
    region = text(c.get(f"/centre/region/11?month={MONTH}").text)
    assert "115200000" in region and v.totals["fact"] in region  # and the Centre's page names it
