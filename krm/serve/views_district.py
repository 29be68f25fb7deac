"""A district's pages: upload, findings by sheet in its language, the annotated copy, history, deadlines."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse

from krm.serve import access
from krm.serve.app import XLSX, download, route
from krm.serve.checker import suffix_of
from krm.serve.receive import receive, upload_row, uploads_of
from krm.serve.inbox import district_month, month_of, period_deadlines


@route("/district", roles=("district",))
async def district_home(portal, request, account, csrf):
    month = month_of(portal, request)
    versions = await run_in_threadpool(portal.reg.versions, district=account.unit)
    uploads = await run_in_threadpool(uploads_of, portal.reg, account.id)
    return portal.page(request, "district.html", account, csrf, month=month, versions=versions[::-1],
                       uploads=uploads, deadlines=period_deadlines(month, ("KRM-1", "KRM-2")),
                       mine=district_month(portal, account.unit, month),
                       limits={"n": portal.config.max_files, "mb": portal.config.max_bytes // (1024 * 1024)})


@route("/district/upload", roles=("district",), methods=("POST",))
async def district_upload(portal, request, account, csrf):
    form = request.state.form
    files = [f for f in form.getlist("files") if hasattr(f, "read") and f.filename]
    t_limits = {"n": portal.config.max_files, "mb": portal.config.max_bytes // (1024 * 1024)}
    problem = None
    if not files:
        problem = ("no_files", {})
    elif len(files) > portal.config.max_files:
        problem = ("too_many", {"n": portal.config.max_files})
    received = []
    for f in files if problem is None else ():
        data = await f.read(portal.config.max_bytes + 1)
        if len(data) > portal.config.max_bytes:
            problem = ("too_big", {"mb": t_limits["mb"]})
            break
        received.append((f.filename, data))
    if problem is not None:
        return portal.page(request, "problem.html", account, csrf, status=400, problem=problem)
    results = await run_in_threadpool(receive, portal.reg, portal.checker, portal.config.data, account, received)
    return portal.page(request, "results.html", account, csrf, results=[
        (r, by_sheet(r.findings)) for r in results])


def by_sheet(findings: list) -> list[tuple[str, list]]:
    """Findings grouped by sheet, in the order the sheets first appear (a finding of no sheet: "—")."""
    groups: dict[str, list] = {}
    for f in findings:
        groups.setdefault(f.sheet or "—", []).append(f)
    return list(groups.items())


def stored_path(portal, row) -> Path | None:
    sfx = suffix_of(row.filename) or ""
    p = portal.config.data / "store" / row.sha256[:2] / f"{row.sha256}{sfx}"
    return p if row.sha256 and p.is_file() else None


def findings_of(portal, row) -> list:
    """The findings of an upload: stored in the register when it became a version, else checked again."""
    from krm.register.codec import finding_from

    path = stored_path(portal, row)
    if path is None:
        return []
    hit = portal.reg.lookup(row.sha256, portal.config.today or row.at.date(), rows=False)
    if hit is not None:
        return portal.reg.with_written([finding_from(f, row.filename) for f in hit.findings], hit.workbook_id)
    [rep] = portal.checker.check([path])
    return rep.findings


def _readable_upload(portal, account, upload_id: int):
    row = upload_row(portal.reg, upload_id)
    if row is None:
        raise access.Denied()
    version = portal.reg.version(row.version_id) if row.version_id else None
    access.need(access.may_read_upload(account, row, version))
    return row, version


@route("/upload/{id:int}", roles=("district", "oblast", "central", "centre"))
async def upload_page(portal, request, account, csrf):
    row, version = await run_in_threadpool(_readable_upload, portal, account, request.path_params["id"])
    findings = await run_in_threadpool(findings_of, portal, row)
    return portal.page(request, "upload.html", account, csrf, row=row, version=version, groups=by_sheet(findings))


@route("/upload/{id:int}/file", roles=("district", "oblast", "central", "centre"))
async def upload_file(portal, request, account, csrf):
    row, _ = await run_in_threadpool(_readable_upload, portal, account, request.path_params["id"])
    path = stored_path(portal, row)
    if path is None:
        return PlainTextResponse("not stored", status_code=404)
    return download(path.read_bytes(), Path(row.filename.replace("\\", "/")).name, "application/octet-stream")


@route("/upload/{id:int}/annotated", roles=("district", "oblast", "central", "centre"))
async def upload_annotated(portal, request, account, csrf):
    row, _ = await run_in_threadpool(_readable_upload, portal, account, request.path_params["id"])
    path = stored_path(portal, row)
    if path is None or suffix_of(row.filename) not in (".xlsx", ".xlsm"):
        return portal.page(request, "problem.html", account, csrf, status=404, problem=("unreadable", {}))
    lang = portal.lang_of(request, account)
    out = portal.config.data / "annotated" / f"{row.sha256}.{lang}.xlsx"
    if not out.is_file():
        findings = await run_in_threadpool(findings_of, portal, row)
        out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        failed = await run_in_threadpool(portal.checker.annotate, path, findings, out, lang)
        if failed is not None and failed[0] != "exists":
            return portal.page(request, "problem.html", account, csrf, status=422, problem=("unreadable", {}))
    stem = Path(row.filename.replace("\\", "/")).stem
    return download(out.read_bytes(), f"{stem}.annotated.xlsx", XLSX)
