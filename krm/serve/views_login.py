"""Signing in and out, and the home page (each role's own start page)."""

from __future__ import annotations

from starlette.responses import RedirectResponse

from krm.serve import accounts
from krm.serve.sessions import COOKIE, PRE_COOKIE

HOME = {"district": "/district", "oblast": "/oblast", "central": "/centre", "centre": "/centre", "admin": "/admin"}


def _portal(request):
    return request.app.state.portal


def _next(value: str | None) -> str:
    v = value or "/"
    return v if v.startswith("/") and not v.startswith("//") and "\\" not in v else "/"


async def home(request):
    portal = _portal(request)
    found = portal.sessions.find(request.cookies.get(COOKIE))
    account = accounts.get(portal.reg, found[0]) if found else None
    if account is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME[account.role], status_code=303)


async def login(request):
    from starlette.concurrency import run_in_threadpool

    portal = _portal(request)
    cookie, token = portal.sessions.pre_token(request.cookies.get(PRE_COOKIE))
    failed = blocked = False
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=10)
        name = str(form.get("login") or "")[:64]
        if not portal.sessions.pre_ok(request.cookies.get(PRE_COOKIE), form.get("csrf")):
            failed = True
        elif portal.throttle.blocked(name):
            blocked = True
        else:
            acc = await run_in_threadpool(accounts.authenticate, portal.reg, name, str(form.get("password") or ""))
            if acc is None:
                portal.throttle.failed(name)
            else:
                portal.throttle.succeeded(name)
                value, _csrf = portal.sessions.start(acc.id)
                target = _next(request.query_params.get("next"))
                resp = RedirectResponse(target if target != "/" else "/", status_code=303)
                resp.set_cookie(COOKIE, value, max_age=int(portal.sessions.lifetime.total_seconds()),
                                httponly=True, samesite="lax", secure=portal.config.secure_cookies)
                resp.delete_cookie(PRE_COOKIE)
                return resp
            failed = True
    resp = portal.page(request, "login.html", None, token, status=429 if blocked else 401 if failed else 200,
                       failed=failed, blocked=blocked, next=_next(request.query_params.get("next")))
    resp.set_cookie(PRE_COOKIE, cookie, max_age=3600, httponly=True, samesite="strict",
                    secure=portal.config.secure_cookies)
    return resp


async def logout(request):
    from krm.serve.sessions import same

    portal = _portal(request)
    found = portal.sessions.find(request.cookies.get(COOKIE))
    form = await request.form(max_files=0, max_fields=5)
    if found is not None and same(form.get("csrf"), found[1]):
        portal.sessions.end(request.cookies.get(COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
