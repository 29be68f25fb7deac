"""An oblast's pages: the month's inbox, one version (its findings and audit), return, accept, confirm with
the head's signature (verified as ``krm confirm`` verifies it), the region's KRM-3."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse

from krm.register import StateError
from krm.serve import access
from krm.serve.app import XLSX, download, route
from krm.serve.inbox import month_of, oblast_inbox

READERS = ("district", "oblast", "central", "centre")


@route("/oblast", roles=("oblast",))
async def oblast_home(portal, request, account, csrf):
    month = month_of(portal, request)
    lang = portal.lang_of(request, account)
    box = await run_in_threadpool(oblast_inbox, portal, account.unit, month, lang)
    return portal.page(request, "oblast.html", account, csrf, month=month, box=box)


def _version(portal, account, vid: int, change: bool = False):
    v = portal.reg.version(vid)
    if v is None:
        raise access.Denied()
    access.need(access.may_change_version(account, v) if change else access.may_read_version(account, v))
    return v


def _uploads_of_version(portal, vid: int) -> list:
    from sqlalchemy import select

    from krm.register import schema as S

    with portal.reg.reader() as c, c.begin():
        return list(c.execute(select(S.upload).where(S.upload.c.version_id == vid).order_by(S.upload.c.id)))


def _findings(portal, v) -> list:
    from krm.register.codec import finding_from
    from krm.register import schema as S
    from sqlalchemy import select

    C, F = S.check, S.finding
    with portal.reg.reader() as c, c.begin():
        cid = c.execute(select(C.c.id).where(C.c.reading_id == v.reading_id).order_by(C.c.as_of.desc())).scalar()
        recs = c.execute(select(F).where(F.c.check_id == cid).order_by(F.c.seq)).all() if cid else []
    return portal.reg.with_written([finding_from(r, (v.paths or ("",))[0]) for r in recs],
                                   portal.reg.workbook_id_of(v.sha256))


@route("/version/{id:int}", roles=READERS)
async def version_page(portal, request, account, csrf):
    from krm.serve.views_district import by_sheet

    v = await run_in_threadpool(_version, portal, account, request.path_params["id"])
    audit = await run_in_threadpool(portal.reg.audit, v.id)
    uploads = await run_in_threadpool(_uploads_of_version, portal, v.id)
    findings = await run_in_threadpool(_findings, portal, v)
    accepted = {(e["code"], e["cell"]) for e in await run_in_threadpool(portal.reg.explanations, v.id)}
    return portal.page(request, "version.html", account, csrf, v=v, audit=audit, uploads=uploads,
                       groups=by_sheet(findings), can_change=access.may_change_version(account, v),
                       can_explain=access.may_explain_version(account, v), accepted=accepted)


async def _move(portal, request, account, state: str, reason: str | None):
    vid = request.path_params["id"]
    await run_in_threadpool(_version, portal, account, vid, True)
    try:
        if state == "returned":
            await run_in_threadpool(lambda: portal.reg.return_version(vid, reason, by=account.login))
        else:
            await run_in_threadpool(lambda: portal.reg.accept(vid, by=account.login, reason=reason))
    except StateError as e:
        return portal.page(request, "problem.html", account, status=409, problem=("not_allowed", {}), detail=str(e))
    return RedirectResponse(f"/version/{vid}", status_code=303)


@route("/version/{id:int}/return", roles=("oblast",), methods=("POST",))
async def version_return(portal, request, account, csrf):
    reason = str(request.state.form.get("reason") or "").strip()
    if not reason:
        return portal.page(request, "problem.html", account, csrf, status=400, problem=("need_reason", {}))
    return await _move(portal, request, account, "returned", reason[:2000])


@route("/version/{id:int}/accept", roles=("oblast",), methods=("POST",))
async def version_accept(portal, request, account, csrf):
    return await _move(portal, request, account, "accepted", str(request.state.form.get("reason") or "")[:2000] or None)


@route("/version/{id:int}/explanation", roles=("oblast",), methods=("POST",))
async def version_explanation(portal, request, account, csrf):
    """Accept the district's explanation of a warning (written in the workbook's sheet «Түсініктеме»)."""
    vid = request.path_params["id"]
    await run_in_threadpool(_version, portal, account, vid, True)
    f = request.state.form
    code, cell = str(f.get("code") or ""), str(f.get("cell") or "") or None
    try:
        await run_in_threadpool(lambda: portal.reg.accept_explanation(vid, code, cell, by=account.login))
    except StateError as e:
        return portal.page(request, "problem.html", account, csrf, status=409, problem=("not_allowed", {}),
                           detail=str(e))
    return RedirectResponse(f"/version/{vid}", status_code=303)


@route("/version/{id:int}/explain", roles=("district",), methods=("POST",))
async def version_explain(portal, request, account, csrf):
    """The district answers a warning of its version with an explanation (kept in the register against the
    version's workbook; the submitted file is never changed); the oblast then accepts it or returns the file."""
    vid = request.path_params["id"]
    v = await run_in_threadpool(_version, portal, account, vid)
    access.need(access.may_explain_version(account, v))
    f = request.state.form
    code, cell, text = str(f.get("code") or ""), str(f.get("cell") or "") or None, str(f.get("text") or "")
    if not text.strip():
        return portal.page(request, "problem.html", account, csrf, status=400, problem=("need_reason", {}))
    try:
        await run_in_threadpool(lambda: portal.reg.write_explanation(vid, code, cell, text, by=account.login))
    except StateError as e:
        return portal.page(request, "problem.html", account, csrf, status=409, problem=("not_allowed", {}),
                           detail=str(e))
    return RedirectResponse(f"/version/{vid}", status_code=303)


@route("/version/{id:int}/confirm", roles=("oblast",), methods=("POST",))
async def version_confirm(portal, request, account, csrf):
    from krm.serve.signing import confirm_version

    vid = request.path_params["id"]
    v = await run_in_threadpool(_version, portal, account, vid, True)
    f = request.state.form.get("signature")
    data = await f.read(1024 * 1024 + 1) if hasattr(f, "read") else b""
    if not data or len(data) > 1024 * 1024:
        return portal.page(request, "problem.html", account, csrf, status=400, problem=("no_files", {}))
    conf, problem = await run_in_threadpool(confirm_version, portal, account, v, f.filename or "signature.cms", data)
    lang = portal.lang_of(request, account)
    status = 200 if conf is not None and conf.verified and problem is None else 422
    return portal.page(request, "confirmed.html", account, csrf, status=status, v=v, conf=conf, problem=problem,
                       findings=[(x.code, x.severity, x.message(lang), x.hint(lang)) for x in
                                 (conf.findings if conf is not None else [])])


@route("/oblast/krm3", roles=("oblast", "centre", "central"))
async def oblast_krm3(portal, request, account, csrf):
    from krm.serve.outputs import NotAvailable, krm3_file

    month = month_of(portal, request)
    region = request.query_params.get("region") or account.unit
    programme = request.query_params.get("programme") or ""
    access.need(access.may_read_rollup(account, region, programme))
    try:
        folder = await run_in_threadpool(portal.builder.month, portal.reg, month)
    except NotAvailable as e:
        return portal.page(request, "problem.html", account, csrf, status=404, problem=("not_available", {}),
                           detail=str(e))
    p = krm3_file(folder, month, region, programme) if programme.replace("_", "").isalnum() else None
    if p is None:
        return portal.page(request, "problem.html", account, csrf, status=404, problem=("not_available", {}))
    return download(p.read_bytes(), Path(p).name, XLSX)
