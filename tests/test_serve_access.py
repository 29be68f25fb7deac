"""krm serve: every route tried with every role and with no session.

Three versions are in the register, made through the page: district 114400000's faulty KRM-2 (Akmola, ENBEK,
returned), district 115200000's KRM-2 (Akmola, AIC, accepted) and a district of Aktobe's.  Each case names
the accounts that may use the route on that object; every other account must get 403 (a GET without a
session: the login page; a POST without one: 403), and a refused write must leave the register as it was.
A route added to the portal without a case here fails :func:`test_every_route_has_a_case`.
"""

from __future__ import annotations

import re

import pytest

from serve_kit import _PORTALS, ACCOUNTS, CLEAN, FAULTY, MONTH, OTHER_REGION, Browser, make_portal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DISTRICTS = {"d114", "d115", "d15x"}
READ_A = {"d114", "o11", "c-enbek", "centre"}  # district 114400000's ENBEK version (region 11)
ROLLUP_READERS = {"centre", "c-enbek", "c-aic"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from starlette.testclient import TestClient

    app, cfg = make_portal(tmp_path_factory.mktemp("access"))
    with TestClient(app):
        browsers = {login: Browser(app, login) for login in ACCOUNTS}
        ids = {}
        r = browsers["d114"].upload(FAULTY)
        ids["uA"] = int(re.search(r'href="/upload/(\d+)"', r.text).group(1))
        ids["vA"] = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        r = browsers["d114"].upload(CLEAN)  # another district's workbook: refused, an upload of d114's only
        ids["uR"] = int(re.search(r'href="/upload/(\d+)"', r.text).group(1))
        browsers["d115"].upload(CLEAN)
        r = browsers["d15x"].upload(OTHER_REGION)
        ids["vB"] = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        yield app, cfg, browsers, ids


def _cases(ids):
    """(method, route template, url, data, allowed logins) — POSTs that change state come last, allowed last."""
    m = MONTH
    return [
        ("GET", "/district", "/district", None, DISTRICTS),
        ("GET", "/upload/{id:int}", f"/upload/{ids['uA']}", None, READ_A),
        ("GET", "/upload/{id:int}", f"/upload/{ids['uR']}", None, {"d114"}),
        ("GET", "/upload/{id:int}/file", f"/upload/{ids['uA']}/file", None, READ_A),
        ("GET", "/upload/{id:int}/annotated", f"/upload/{ids['uA']}/annotated", None, READ_A),
        ("GET", "/version/{id:int}", f"/version/{ids['vA']}", None, READ_A),
        ("GET", "/version/{id:int}", f"/version/{ids['vB']}", None, {"d15x", "o15", "centre"}
         | ({"c-enbek"} if "ENBEK" in OTHER_REGION.name else set()) | ({"c-aic"} if "AIC" in OTHER_REGION.name else set())),
        ("GET", "/oblast", f"/oblast?month={m}", None, {"o11", "o15"}),
        ("GET", "/oblast/krm3", f"/oblast/krm3?month={m}&programme=AIC&region=11", None, {"o11", "centre", "c-aic"}),
        ("GET", "/centre", f"/centre?month={m}", None, ROLLUP_READERS),
        ("GET", "/centre/file/{month}/{name}", f"/centre/file/{m}/KRM-6-{m}.kk.xlsx", None, ROLLUP_READERS),
        ("GET", "/centre/file/{month}/{name}", f"/centre/file/{m}/KRM-3.AIC.11.xlsx", None, {"centre", "c-aic"}),
        ("GET", "/centre/region/{kato}", f"/centre/region/11?month={m}", None, ROLLUP_READERS),
        ("GET", "/admin", "/admin", None, {"admin"}),
        ("POST", "/district/upload", "/district/upload", "files", DISTRICTS),
        ("POST", "/admin/accounts", "/admin/accounts", {"login": "x", "password": "short", "role": "centre"}, {"admin"}),
        ("POST", "/version/{id:int}/confirm", f"/version/{ids['vA']}/confirm", "signature", {"o11"}),
        ("POST", "/version/{id:int}/explanation", f"/version/{ids['vA']}/explanation",
         {"code": "KRM-E024", "cell": "C16"}, {"o11"}),
        ("POST", "/version/{id:int}/accept", f"/version/{ids['vA']}/accept", {}, {"o11"}),
        ("POST", "/version/{id:int}/return", f"/version/{ids['vA']}/return", {"reason": "check col. 3"}, {"o11"}),
        # B is Aktobe's and accepted: its oblast may ask (accepted -> accepted is no move: 409), Akmola's may not
        ("POST", "/version/{id:int}/accept", f"/version/{ids['vB']}/accept", {}, {"o15"}),
    ]


def test_every_route_has_a_case(world):
    from krm.serve.app import ROUTES

    covered = {(meth, tmpl) for meth, tmpl, *_ in _cases(world[3])}
    declared = {(meth, path) for path, _fn, _roles, methods in ROUTES for meth in methods}
    assert declared <= covered, f"routes without an access case: {sorted(declared - covered)}"


def _call(b, method, url, data):
    if method == "GET":
        return b.get(url)
    if data == "files":
        return b.post(url, files=[("files", ("x.txt", b"x", "text/plain"))])
    if data == "signature":
        return b.post(url, files=[("signature", ("s.cms", b"not a signature", "application/octet-stream"))])
    return b.post(url, data)


def _trail(cfg, vid):
    reg = _PORTALS[cfg.register].reg  # the portal's own connection (see test_serve._reg)
    return [(c.by, c.to_state) for c in reg.audit(vid)]


def test_every_route_with_every_role_and_without_a_session(world):
    app, cfg, browsers, ids = world
    anonymous = Browser(app, None)
    problems = []
    for method, _tmpl, url, data, allowed in _cases(ids):
        vid = ids["vA"] if "/version/" in url and str(ids["vA"]) in url else ids["vB"]
        r = _call(anonymous, method, url, data)
        want = 303 if method == "GET" else 403
        if r.status_code != want or (method == "GET" and not r.headers["location"].startswith("/login")):
            problems.append(f"no session {method} {url}: {r.status_code}")
        before = _trail(cfg, vid)
        for login in sorted(set(ACCOUNTS) - allowed):
            r = _call(browsers[login], method, url, data)
            if r.status_code != 403:
                problems.append(f"{login} {method} {url}: {r.status_code}, not refused")
        if method == "POST" and _trail(cfg, vid) != before:
            problems.append(f"{method} {url}: a refused request changed the register")
        for login in sorted(allowed):
            r = _call(browsers[login], method, url, data)
            if r.status_code in (401, 403) or r.status_code >= 500:
                problems.append(f"{login} {method} {url}: {r.status_code}, refused though allowed")
    assert problems == []
    assert _trail(cfg, ids["vA"])[-2:] == [("o11", "accepted"), ("o11", "returned")]


def test_cross_district_and_cross_region_reads_show_nothing(world):
    app, cfg, browsers, ids = world
    for login, url in (("d115", f"/version/{ids['vA']}"), ("o15", f"/upload/{ids['uA']}"),
                       ("d15x", f"/upload/{ids['uA']}/annotated"), ("o15", f"/oblast/krm3?month={MONTH}&region=11&programme=AIC")):
        r = browsers[login].get(url)
        assert r.status_code == 403 and "114400000" not in r.text and "KRM-E024" not in r.text
    page = browsers["c-aic"].get(f"/centre/region/11?month={MONTH}").text  # a central body: its programme only
    assert "115200000" in page and "114400000" not in page
    page = browsers["centre"].get(f"/centre/region/11?month={MONTH}").text
    assert "115200000" in page and "114400000" in page
    inbox = browsers["o15"].get(f"/oblast?month={MONTH}").text
    assert "114400000" not in inbox and "115200000" not in inbox  # another region's districts are not listed
