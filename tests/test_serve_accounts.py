"""krm serve: an account changes its own password (with the current one); an administrator deactivates and
reactivates an account and gives it a new password.  Sessions of a changed account end on the server."""

from __future__ import annotations

import pytest

from serve_kit import _PORTALS, PASSWORD, Browser, make_portal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NEW = "a-new-password-2"


@pytest.fixture
def portal(tmp_path):
    from starlette.testclient import TestClient

    app, cfg = make_portal(tmp_path)
    with TestClient(app):
        yield app, _PORTALS[cfg.register].reg


def _signs_in(app, login, password) -> bool:
    try:
        Browser(app, login, password=password)
    except AssertionError:
        return False
    return True


def _id(reg, login):
    from krm.serve import accounts

    return next(a for a in accounts.all_accounts(reg) if a.login == login)


def test_an_account_changes_its_own_password(portal):
    app, reg = portal
    d, other = Browser(app, "d114"), Browser(app, "d114")  # two sessions of the same account
    assert 'href="/account"' in d.get("/district").text
    r = d.post("/account/password", {"current": "not-the-password", "new": NEW})
    assert r.status_code == 400 and "current password is wrong" in r.text
    assert d.post("/account/password", {"current": PASSWORD, "new": "short"}).status_code == 400
    assert _signs_in(app, "d114", PASSWORD)  # nothing changed so far
    r = d.post("/account/password", {"current": PASSWORD, "new": NEW})
    assert r.status_code == 303 and r.headers["location"] == "/account?done=1"
    assert "Құпиясөз өзгертілді" in d.get("/account?done=1").text  # this session goes on
    assert other.get("/district").status_code == 303  # the other session ended: back to the login page
    assert not _signs_in(app, "d114", PASSWORD) and _signs_in(app, "d114", NEW)
    for _ in range(5):  # guessing the current password is throttled like signing in (the sign-in too)
        d.post("/account/password", {"current": "guess-guess-1", "new": "whatever-pass-1"})
    assert d.post("/account/password", {"current": NEW, "new": "whatever-pass-1"}).status_code == 429
    assert not _signs_in(app, "d114", NEW)


def test_the_administrator_deactivates_reactivates_and_resets(portal):
    app, reg = portal
    admin, d = Browser(app, "admin"), Browser(app, "d115")
    target = _id(reg, "d115")
    assert admin.post(f"/admin/accounts/{target.id}/active", {"active": "0"}).status_code == 303
    assert _id(reg, "d115").active is False and "өшірілген" in admin.get("/admin").text
    assert d.get("/district").status_code == 303  # its session ended
    assert not _signs_in(app, "d115", PASSWORD)
    assert admin.post(f"/admin/accounts/{target.id}/active", {"active": "1"}).status_code == 303
    assert _id(reg, "d115").active is True and _signs_in(app, "d115", PASSWORD)

    d = Browser(app, "d115")
    r = admin.post(f"/admin/accounts/{target.id}/password", {"password": "short"})
    assert r.status_code == 400 and _signs_in(app, "d115", PASSWORD)
    assert admin.post(f"/admin/accounts/{target.id}/password", {"password": NEW}).status_code == 303
    assert d.get("/district").status_code == 303  # sessions end with a new password
    assert not _signs_in(app, "d115", PASSWORD) and _signs_in(app, "d115", NEW)

    me = _id(reg, "admin")
    r = admin.post(f"/admin/accounts/{me.id}/active", {"active": "0"})
    assert r.status_code == 400 and _id(reg, "admin").active is True
    assert admin.post("/admin/accounts/99999/active", {"active": "0"}).status_code == 400
