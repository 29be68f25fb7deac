"""The administrator's page: the accounts, and a new one."""

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
