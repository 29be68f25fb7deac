"""The Centre's and the central bodies' pages: status across regions, the month's roll-ups to download
(KRM-3 per region, KRM-4/5 per programme, KRM-6/7 and the analytical note)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from krm.serve import access
from krm.serve.app import XLSX, download, route
from krm.serve.inbox import month_of, regions_status

MEDIA = {".xlsx": XLSX, ".html": "application/octet-stream", ".pdf": "application/pdf"}


@route("/centre", roles=("centre", "central"))
async def centre_home(portal, request, account, csrf):
    from krm.serve.outputs import NotAvailable, files

    month = month_of(portal, request)
    status = await run_in_threadpool(regions_status, portal, month)
    try:
        folder = await run_in_threadpool(portal.builder.month, portal.reg, month)
        found, why = files(folder, month), ""
    except NotAvailable as e:
        found, why = {}, str(e)
    if account.role == "central":  # its own programme's KRM-4/5 (and the national KRM-6/7, the note)
        for k in ("KRM-3", "KRM-4", "KRM-5"):
            found[k] = [p for p in found.get(k, []) if p.name.split(".")[1] == account.unit]
    return portal.page(request, "centre.html", account, csrf, month=month, regions=status, files=found, why=why)


@route("/centre/region/{kato}", roles=("centre", "central"))
async def centre_region(portal, request, account, csrf):
    """The submissions behind a region's figures: the current version of each, its state and control totals
    (the roll-ups count the accepted and confirmed ones), each a link to its findings and audit trail."""
    from krm import reference
    from krm.register import COUNTED

    month, kato = month_of(portal, request), request.path_params["kato"]
    region = next((r for r in reference.regions(month) if r.kato == kato), None)
    if region is None:
        raise access.Denied()
    vs = await run_in_threadpool(lambda: portal.reg.versions(region=kato, period=month, current=True))
    vs = [v for v in vs if access.may_read_version(account, v)]
    return portal.page(request, "region.html", account, csrf, month=month, region=region, versions=vs,
                       counted=COUNTED)


@route("/centre/file/{month}/{name}", roles=("centre", "central"))
async def centre_file(portal, request, account, csrf):
    from krm.serve.outputs import NotAvailable, files

    month, name = request.path_params["month"], request.path_params["name"]
    try:
        folder = await run_in_threadpool(portal.builder.month, portal.reg, month)
    except NotAvailable:
        raise access.Denied() from None
    known = {p.name: p for ps in files(folder, month).values() for p in ps}
    p = known.get(name)  # only a file the roll-up made, by its name: never a path from the request
    if p is None:
        raise access.Denied()
    if account.role == "central" and p.name.startswith(("KRM-3.", "KRM-4.", "KRM-5.")):
        access.need(p.name.split(".")[1] == account.unit)
    return download(p.read_bytes(), p.name, MEDIA.get(p.suffix, "application/octet-stream"))
