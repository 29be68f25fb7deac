"""The administrator's page: the accounts, a new one, deactivating / reactivating one, a new password for one;
and every account's own page (change its password with the current one)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse

from krm.serve import accounts
from krm.serve.app import route


@route("/admin", roles=("admin",))
async def admin_home(portal, request, account, csrf):
    rows = await run_in_threadpool(accounts.all_accounts, portal.reg)
    return portal.page(request, "admin.html", account, csrf, rows=rows, roles=accounts.ROLES, problem="")


@route("/admin/accounts", roles=("admin",), methods=("POST",))
async def admin_create(portal, request, account, csrf):
    f = request.state.form
    try:
        await run_in_threadpool(accounts.create, portal.reg, str(f.get("login") or ""), str(f.get("password") or ""),
                                str(f.get("role") or ""), str(f.get("unit") or ""), name=str(f.get("name") or ""),
                                lang=str(f.get("lang") or "kk"))
    except accounts.AccountError as e:
        rows = await run_in_threadpool(accounts.all_accounts, portal.reg)
        return portal.page(request, "admin.html", account, csrf, status=400, rows=rows, roles=accounts.ROLES,
                           problem=str(e))
    return RedirectResponse("/admin", status_code=303)


async def _admin_change(portal, request, account, csrf, change):
    try:
        await run_in_threadpool(change)
    except accounts.AccountError as e:
        rows = await run_in_threadpool(accounts.all_accounts, portal.reg)
        return portal.page(request, "admin.html", account, csrf, status=400, rows=rows, roles=accounts.ROLES,
                           problem=str(e))
    return RedirectResponse("/admin", status_code=303)


@route("/admin/accounts/{id:int}/active", roles=("admin",), methods=("POST",))
async def admin_active(portal, request, account, csrf):
    on = str(request.state.form.get("active") or "") == "1"
    aid = request.path_params["id"]
    return await _admin_change(portal, request, account, csrf,
                               lambda: accounts.set_active(portal.reg, account, aid, on))


@route("/admin/accounts/{id:int}/password", roles=("admin",), methods=("POST",))
async def admin_password(portal, request, account, csrf):
    new = str(request.state.form.get("password") or "")
    aid = request.path_params["id"]
    return await _admin_change(portal, request, account, csrf,
                               lambda: accounts.reset_password(portal.reg, account, aid, new))


EVERYONE = ("district", "oblast", "central", "centre", "admin")


@route("/account", roles=EVERYONE)
async def account_home(portal, request, account, csrf):
    done = request.query_params.get("done") == "1"
    return portal.page(request, "account.html", account, csrf, problem="", done=done)


@route("/account/password", roles=EVERYONE, methods=("POST",))
async def account_password(portal, request, account, csrf):
    from krm.serve.sessions import COOKIE, token_hash
    from krm.serve.words import translator

    f = request.state.form
    keep = token_hash(portal.sessions, request.cookies.get(COOKIE))
    if portal.throttle.blocked(account.login):  # a wrong current password counts as a failed sign-in
        return portal.page(request, "account.html", account, csrf, status=429, problem=translator(
            portal.lang_of(request, account))("blocked"), done=False)
    try:
        await run_in_threadpool(accounts.change_password, portal.reg, account, str(f.get("current") or ""),
                                str(f.get("new") or ""), keep_session=keep)
    except accounts.AccountError as e:
        if "current password" in str(e):
            portal.throttle.failed(account.login)
        return portal.page(request, "account.html", account, csrf, status=400, problem=str(e), done=False)
    return RedirectResponse("/account?done=1", status_code=303)

