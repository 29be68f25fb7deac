"""krm register — the register of submissions: ingest, history, show, export, verify, state, info."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import EXIT_DATA, EXIT_OK, REGISTER_HELP, as_of_date, dumps, fail, say

reg_app = typer.Typer(help="The register of submissions: every workbook read, its versions and their states "
                           "(docs/register.md).", no_args_is_help=True)
app.add_typer(reg_app, name="register")

FORMAT_HELP = "text or json."


@contextmanager
def _open(location: Optional[str]):
    import krm.register as register

    try:
        reg = register.open(location)
    except register.RegisterError as e:
        fail(str(e))
    if reg is None:
        fail("the register is off (KRM_REGISTER=off); give --register PATH")
    try:
        yield reg
    finally:
        reg.close()


def _format(fmt: str) -> str:
    if fmt not in ("text", "json"):
        fail(f"--format {fmt!r}: use text or json")
    return fmt


def _json(data) -> None:
    typer.echo(dumps(data, indent=1, default=str))


@reg_app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Workbooks or folders (searched recursively; never modified)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who receives them (default: the OS user)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Validation date YYYY-MM-DD (default today)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count)."),
    fmt: str = typer.Option("text", "--format", help=FORMAT_HELP),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    received_at: str = typer.Option("now", "--received-at", help="A new version's received time: now (this "
                                    "run) or saved (the workbook's own saved time; for files received earlier)."),
) -> None:
    """Read workbooks into the register: each new file becomes a version of its submission (checked, then
    accepted or returned with its findings); files already there are not read again."""
    from krm.register import RegisterError
    from krm.register.connect import outside_inputs

    _format(fmt)
    if received_at not in ("now", "saved"):
        fail(f"--received-at {received_at!r}: use now or saved")
    for p in paths:
        if not p.exists():
            fail(f"{p}: no such file or folder")
    today = as_of_date(as_of)
    with _open(register) as reg:
        try:
            outside_inputs(reg.target, paths)
        except RegisterError as e:
            fail(str(e))
        from krm.history.spooled import ingest as ingested

        spool = ingested(reg, paths, by=by, today=today, jobs=jobs, received=received_at)  # reports not in memory
        try:
            known = {m["path"] for _, m in spool.metas()}
            n, unreadable = len(spool), spool.counts.unreadable
        finally:
            spool.close()
        from krm.intake.located import located

        known = set(located(known))  # where the register records them
        versions = [v for v in reg.versions() if known & set(v.paths)]
    states: dict[str, int] = {}
    for v in versions:
        states[v.state] = states.get(v.state, 0) + 1
    data = {"files": n, "unreadable": unreadable,
            "versions": len(versions), "states": dict(sorted(states.items())), "register": reg.location}
    if fmt == "json":
        _json(data)
    else:
        say(f"{data['files']} files ({data['unreadable']} unreadable) → {data['register']}: "
                   f"{data['versions']} versions (" + ", ".join(f"{n} {s}" for s, n in data["states"].items()) + ")")


@reg_app.command()
def history(
    region: Optional[str] = typer.Option(None, help="Region KATO (2 digits)."),
    district: Optional[str] = typer.Option(None, help="District KATO (9 digits)."),
    programme: Optional[str] = typer.Option(None, help="Programme code."),
    form: Optional[str] = typer.Option(None, help="Form, e.g. KRM-2."),
    fmt: str = typer.Option("text", "--format", help=FORMAT_HELP),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Submissions over the months: their versions, states and figures, and who changed what when."""
    _format(fmt)
    with _open(register) as reg:
        subs = reg.history(region=region, district=district, programme=programme, form=form)
    if fmt == "json":
        _json({"submissions": subs})
        return
    for s in subs:
        say(f"{s['period']} {s['form']} region {s['region'] or '—'} district {s['district'] or '—'} "
                   f"{s['programme'] or '—'}")
        for v in s["versions"]:
            t = v["totals"]
            flag = "  CHANGED AFTER CONFIRMATION" if v["changed_after_confirmation"] else ""
            say(f"  v{v['version']} {v['state']:<10} received {v['received_at']}  plan {t.get('plan', '—')} "
                       f"fact {t.get('fact', '—')}  {v['sha256'][:12]}  {'; '.join(v['paths'])}{flag}")
            _approvals(v, "      ")
            for a in v["audit"]:
                say(f"      {a['at']} {a['by']}: {a['from'] or '—'} → {a['to']}"
                           + (f" ({a['reason']})" if a["reason"] else ""))


@reg_app.command()
def show(
    file: Path = typer.Argument(..., help="A workbook: found in the register by its bytes."),
    fmt: str = typer.Option("text", "--format", help=FORMAT_HELP),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """What the register knows of a file, by its bytes (wherever and under whatever name it was seen)."""
    _format(fmt)
    if not file.is_file():
        fail(f"{file}: no such file")
    with _open(register) as reg:
        try:
            info = reg.show(file)
        except OSError as e:
            fail(f"{file}: {e.strerror or e}")
    if fmt == "json":
        _json(info if info is not None else {"known": False})
        return
    if info is None:
        say(f"{file}: not in the register")
        return
    say(f"{file}: bytes {info['sha256']} ({info['size']} bytes), seen {info['first_seen']} … "
               f"{info['last_seen']}" + (f", unreadable ({info['read_error']})" if info["read_error"] else ""))
    for p in info["paths"]:
        say(f"  seen at {p}")
    for r in info["readings"]:
        say(f"  read as {r['form']} (edition {r['edition']}, engine {r['engine']}): {r['rows']} rows, "
                   f"totals {r['totals']}; checks: " + ", ".join(f"{c['as_of']}: {c['errors']} errors, "
                                                              f"{c['warnings']} warnings" for c in r["checks"]))
    for v in info["versions"]:
        say(f"  version {v['version']} of {v['period']} {v['form']} {v['region']} {v['district']} "
                   f"{v['programme']}: {v['state']}"
            + (" (changed after confirmation)" if v["changed_after_confirmation"] else ""))
        _approvals(v, "    ")


def _approvals(v: dict, pad: str) -> None:
    """A version's confirmations and accepted explanations, as text."""
    for k in v.get("confirmations", ()):
        s = k["signer"]
        say(f"{pad}confirmed: signed by {s['name']} (IIN {s['iin'] or '—'}, BIN {s['bin'] or '—'}, {s['role']}) "
            f"at {k['signing_time'] or '—'}; certificate {k['certificate']['serial']} of {k['certificate']['issuer']}; "
            f"signature {k['signature_sha256'][:12]}; recorded by {k['by']} at {k['at']}")
    for e in v.get("explanations", ()):
        say(f"{pad}explanation accepted: {e['code']} {e['cell'] or ''} «{e['text']}» ({e['who'] or '—'}, "
            f"{e['date'] or '—'}); accepted by {e['accepted_by']} at {e['accepted_at']}")


@reg_app.command()
def export(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write submissions, versions, rows, findings into."),
    fmt: str = typer.Option("csv", "--format", help="csv (always) or parquet (needs pyarrow)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Write the register as tables for analysts' tools: submissions, versions, rows, findings."""
    from krm.register.export import export as run

    with _open(register) as reg:
        try:
            written = run(reg, out, fmt, force)
        except (ValueError, FileExistsError) as e:
            fail(str(e))
        except OSError as e:
            fail(f"{out}: {e.strerror or e}")
    for p in written:
        say(str(p))


@reg_app.command()
def verify(
    fmt: str = typer.Option("text", "--format", help=FORMAT_HELP),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Check the register: every stored figure re-derived, every count consistent. Exit 1 on any problem."""
    _format(fmt)
    with _open(register) as reg:
        res = reg.verify()
    if fmt == "json":
        _json(res.to_dict())
    else:
        say(", ".join(f"{n} {k}" for k, n in res.counts.items()))
        for p in res.problems:
            say(f"PROBLEM: {p}")
        say("register verified: every figure re-derived, every count consistent" if res.ok
                   else f"{len(res.problems)} problems")
    raise typer.Exit(EXIT_OK if res.ok else EXIT_DATA)


@reg_app.command("set-state")
def set_state(
    version: int = typer.Argument(..., help="Version id (see history / show)."),
    state: str = typer.Argument(..., help="accepted, returned or confirmed (see docs/register.md)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who (default: the OS user)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Change a version's state (the move must be allowed; every change is kept in the audit trail)."""
    from krm.register import StateError

    with _open(register) as reg:
        try:
            old = reg.set_state(version, state, by, reason)
        except StateError as e:
            fail(str(e))
    say(f"version {version}: {old} → {state}")


@reg_app.command()
def info(
    fmt: str = typer.Option("text", "--format", help=FORMAT_HELP),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Where the register is, its schema version and how much it holds."""
    from krm.register.schema import SCHEMA_VERSION
    from krm.register.verify import counts as count

    _format(fmt)
    with _open(register) as reg:
        counts = count(reg)
        data = {"register": reg.location, "schema": SCHEMA_VERSION, "engine": reg.engine_version, "counts": counts}
    if fmt == "json":
        _json(data)
    else:
        say(f"register {data['register']} (schema {SCHEMA_VERSION}, engine {data['engine']}): "
                   + ", ".join(f"{n} {k}" for k, n in counts.items()))


def _decided(version: int, register: Optional[str], act) -> None:
    from krm.register import StateError

    with _open(register) as reg:
        try:
            v = act(reg)
        except StateError as e:
            fail(str(e))
    say(f"version {version} ({v.form} {v.period} {v.district or v.region} {v.programme} v{v.number}): {v.state}")


@reg_app.command("return")
def return_(
    version: int = typer.Argument(..., help="Version id (see history / show)."),
    reason: str = typer.Option(..., "--reason", help="What is wrong and where (kept in the audit trail)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who returns it (default: the OS user)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Return a version to its district for correction (Rules: within 1 working day of finding; the district
    corrects and re-posts within 2 working days of the return)."""
    _decided(version, register, lambda reg: reg.return_version(version, reason, by=by))


@reg_app.command()
def accept(
    version: int = typer.Argument(..., help="Version id (see history / show)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who accepts it (default: the OS user)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the audit trail)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Accept a returned version."""
    _decided(version, register, lambda reg: reg.accept(version, by=by, reason=reason))


@reg_app.command("accept-explanation")
def accept_explanation(
    version: int = typer.Argument(..., help="Version id (see history / show)."),
    code: str = typer.Argument(..., help="The warning's code, e.g. KRM-W010."),
    cell: Optional[str] = typer.Argument(None, help="The warning's cell, e.g. H12 (none for a finding without one)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who accepts it (default: the OS user)."),
    fmt: str = typer.Option("text", "--format", help=FORMAT_HELP),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Accept the district's explanation of a warning (from the workbook's sheet «Түсініктеме / Пояснения»):
    recorded with who and when.  An explanation never admits an error."""
    from krm.register import StateError

    _format(fmt)
    with _open(register) as reg:
        try:
            e = reg.accept_explanation(version, code.strip().upper(), cell.strip().upper() if cell else None, by=by)
        except StateError as err:
            fail(str(err))
    if fmt == "json":
        _json(e)
    else:
        say(f"version {version}: explanation of {e['code']} {e['cell']} accepted by {e['accepted_by']} "
            f"at {e['accepted_at']}: «{e['text']}»")
