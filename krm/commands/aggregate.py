"""krm aggregate — roll KRM-2 up to KRM-3, KRM-3 (or KRM-2) up to KRM-4/KRM-5, KRM-1 up to the annual plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import (NO_REGISTER_HELP, REGISTER_HELP, console, fail, output_langs, say,
                                  use_register)


@app.command()
def aggregate(
    directory: Optional[Path] = typer.Argument(None, help="Folder of KRM workbooks (read recursively; never "
                                               "modified). Not with --from-register."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Output folder (default: DIR-aggregated beside DIR; never inside DIR)."),
    period: Optional[str] = typer.Option(None, help="Only this period: YYYY-MM (KRM-1 plans of that year too)."),
    programme: Optional[str] = typer.Option(None, help="Only this programme (code such as ENBEK, or its name)."),
    prefer: Optional[str] = typer.Option(None, help="Duplicate submissions: 'newest' keeps the newest "
                                                    "(document modified time, then file time); "
                                                    "default: neither is counted."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any file is excluded or in conflict."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing output files."),
    lang: str = typer.Option("kk", "--lang", help="Language of the output forms: kk or ru (one per run)."),
    body: Optional[str] = typer.Option(None, help="Central state body named in KRM-4/KRM-5 headers."),
    executor: Optional[str] = typer.Option(None, help="Signature block: executor (name)."),
    phone: Optional[str] = typer.Option(None, help="Signature block: executor's telephone."),
    head: Optional[str] = typer.Option(None, help="Signature block: head or acting head."),
    email: Optional[str] = typer.Option(None, help="Signature block: e-mail address."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes for reading (default: cores)."),
    fmt: str = typer.Option("table", "--format", help="Summary as 'table' (terminal) or 'json'."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute and report, write nothing."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    no_register: bool = typer.Option(False, "--no-register", "--no-cache", help=NO_REGISTER_HELP),
    from_register: bool = typer.Option(False, "--from-register", help="Roll up everything accepted in the "
                                       "register for --period YYYY-MM (instead of a folder); needs --out."),
) -> None:
    """Roll up a folder of forms to the next level, with control totals that must balance.

    Exit codes: 0 done; 1 control totals failed, an input excluded under --strict, or
    nothing could be rolled up; 2 wrong usage or an unwritable/existing output.
    """
    use_register(register, no_register)
    if fmt not in ("table", "json"):
        fail(f"--format {fmt!r}: use table or json")
    reg = None
    if from_register:
        if directory is not None:
            fail("give a folder or --from-register, not both")
        import krm.register

        try:
            reg = krm.register.open()
        except krm.register.RegisterError as e:
            fail(str(e))
        if reg is None:
            fail("--from-register: the register is off (KRM_REGISTER=off / --no-register)")
        directory = Path(reg.location)
    elif directory is None:
        fail("give the folder to roll up (or --from-register --period YYYY-MM)")
    lang = output_langs(lang, single=True)[0]
    if jobs is not None and jobs < 1:
        fail("--jobs must be at least 1")
    recorder = None
    keep: dict = {}  # the workbooks found by the look-up, for the run (answers.Found)
    if reg is None and not no_register and force and not dry_run:  # an unchanged month (docs/register.md)
        from krm.register import answers

        target = out if out is not None else _default_out(directory)
        invoked = answers.invocation("aggregate", [str(directory), str(target), period, programme, prefer, strict,
                                                   lang, body, executor, phone, head, email, fmt])
        got = answers.lookup("aggregate", invoked, [directory], answers.NOT_WRITTEN, target, keep=keep)
        if got is not None:
            sys.stderr.write(got[2])
            sys.stdout.write(got[1])
            raise typer.Exit(got[0])
        recorder = answers.Recorder("aggregate", invoked, [directory], answers.NOT_WRITTEN, target)
        recorder.read()
    try:
        code, n, found = _run_and_show(directory, out, period, programme, prefer, lang, body, force, strict, jobs,
                                       dry_run, no_register, reg, fmt, {"executor": executor, "phone": phone,
                                                                        "head": head, "email": email},
                                       keep.get("entries"))
    finally:
        text = recorder.stop(allowed=(UNCHANGED,)) if recorder is not None else None
    if recorder is not None:  # (found: the workbooks a run after edits read, whose recipe is stored)
        recorder.finish(code, text, _unchanged_line(n, 0) + "\n" if n else "", found=found)  # what a run now would print
    raise typer.Exit(code)


UNCHANGED = "krm: outputs unchanged: "


def _unchanged_line(unchanged: int, written: int) -> str:
    return f"{UNCHANGED}{unchanged}, written: {written} (the register remembers each output's inputs; docs/aggregate.md)"


def _default_out(directory: Path) -> Path:
    """krm.aggregate.collect.default_out (without importing the roll-ups)."""
    d = Path(directory).resolve()
    return d.parent / f"{d.name}-aggregated"


def _run_and_show(directory, out, period, programme, prefer, lang, body, force, strict, jobs, dry_run, no_register, reg,
                  fmt, signature, found=None) -> tuple[int, int, object]:
    """The run and what it prints; (exit code, outputs written or left as they are, the workbooks a run after
    edits read: ``result.found``).  ``found``: the workbooks the stored answer's look-up found."""
    from krm.aggregate import AggregateUsageError
    from krm.aggregate import aggregate as run
    from krm.rollup import RollupError

    with _progress() as progress:
        try:
            result = run(directory, out, period=period, programme=programme, prefer=prefer, lang=lang, body=body,
                         force=force, strict=strict, jobs=jobs, progress=progress, write=not dry_run,
                         cache=False if no_register else None, register=reg, signature=signature, found=found)
        except AggregateUsageError as e:
            progress_close(progress)
            fail(str(e))
        except RollupError as e:  # inputs that would be mixed or doubled: refuse rather than guess
            progress_close(progress)
            fail(f"roll-up refused: {e}", 1)
        except OSError as e:
            progress_close(progress)
            fail(f"{getattr(e, 'filename', None) or directory}: {e.strerror or e}")
    code = result.exit_code()
    if result.unchanged:  # on stderr: what is printed on stdout is what a run without the memo prints
        say(_unchanged_line(result.unchanged, sum(1 for o in result.outputs if o.written) - result.unchanged),
            err=True)
    if fmt == "json":
        from krm.aggregate.records import write_json

        data = result.summary(lazy=True)  # streamed: a year's input entries are never all held at once
        data["out"] = str(result.out)
        data["written"] = [o.rel for o in result.outputs if o.written]
        write_json(data, _Echo())
    else:
        print_summary(result, dry_run=dry_run)
    return code, sum(1 for o in result.outputs if o.written), result.found


class _Echo:
    """A file-like ``write`` onto stdout through typer.echo (what the JSON was always printed with)."""

    @staticmethod
    def write(text: str) -> None:
        typer.echo(text, nl=False)


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


def progress_close(progress) -> None:
    if progress is not None and hasattr(progress, "close"):
        progress.close()


class _Bar:
    """A rich progress bar on stderr (TTY only); called as ``progress(done, total)``."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.p = Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=Console(stderr=True), transient=True)
        self.task = None

    def __enter__(self):
        self.p.start()
        return self

    def __exit__(self, *a):
        self.close()
        return False

    def close(self):
        self.p.stop()

    def __call__(self, done=None, total=None, *args, **kw):
        if self.task is None:
            self.task = self.p.add_task("read", total=total)
        self.p.update(self.task, completed=done, total=total)


def _progress():
    return _Bar() if sys.stderr.isatty() else _NoProgress()


def print_summary(result, dry_run: bool = False) -> None:
    from rich.table import Table

    con = console(soft_wrap=True)
    s = result.summary(lazy=True)  # its inputs are not used here
    f = s["files"]
    t = Table(title=f"krm aggregate {result.dir}", show_header=False)
    t.add_column("what")
    t.add_column("n", justify="right")
    t.add_row("files read", str(f["read"]))
    t.add_row("accepted", str(f["accepted"]))
    t.add_row("excluded (errors)", str(f["excluded"]))
    t.add_row("conflicts", f"{len(s['conflicts'])} ({f['conflict']} files not counted, "
                           f"{f['superseded']} older duplicates dropped)")
    if f["skipped"]:
        t.add_row("skipped (not an input form)", str(f["skipped"]))
    if f["filtered"]:
        t.add_row("outside --period/--programme", str(f["filtered"]))
    t.add_row("missing districts (sent nothing)", str(s["missing_districts"]))
    if s["missing_districts_plans"]:
        t.add_row("missing districts, KRM-1 plans", str(s["missing_districts_plans"]))
    t.add_row("missing regions (sent nothing)", str(s["missing_regions"]))
    n_bal = sum(1 for o in result.outputs if o.control.balanced)
    t.add_row("outputs" + (" (dry run: not written)" if dry_run else ""),
              f"{len(result.outputs)} ({n_bal} balanced)")
    con.print(t)
    if s["totals"]:
        tt = Table(title="totals (KRM-4)")
        for c in ("period", "programme", "basis", "regions", "projects", "done", "jobs plan", "jobs fact",
                  "allocated", "disbursed"):
            tt.add_column(c, justify="left" if c in ("period", "programme", "basis") else "right")
        for x in s["totals"]:
            tt.add_row(x["period"], x["programme"], x["basis"], str(x["regions"]), str(x["projects_planned"]),
                       str(x["projects_done"]), str(x["plan"]), str(x["fact"]), x["allocated"], x["disbursed"])
        con.print(tt)
    if s["plan_totals"]:
        pt = Table(title="annual plan (KRM-1, Rule 12.1)")
        for c in ("year", "programme", "regions", "projects", "jobs plan", "allocated"):
            pt.add_column(c, justify="left" if c in ("year", "programme") else "right")
        for x in s["plan_totals"]:
            pt.add_row(x["year"], x["programme"], str(x["regions"]), str(x["projects_planned"]), str(x["plan"]),
                       x["allocated"])
        con.print(pt)
    bad = [i for i in result.inputs if i.status in ("excluded", "conflict", "superseded")]
    if bad:
        et = Table(title="files not counted")
        et.add_column("file")
        et.add_column("status")
        et.add_column("why")
        for i in bad:
            et.add_row(i.rel, i.status, i.note)
        con.print(et)
    for c in result.completeness:
        if (c.missing or c.not_counted) and c.region:
            what = "KRM-1 plans" if c.form == "KRM-1" else "districts"
            con.print(f"[yellow]{c.period} region {c.region}: {c.received}/{c.expected} {what} counted "
                      f"({c.percent}%)" + (f"; sent nothing: {', '.join(c.missing)}" if c.missing else "")
                      + (f"; not counted: {', '.join(c.not_counted)}" if c.not_counted else "") + "[/yellow]")
        elif c.missing and c.region is None and c.programme == (result.programme or ""):
            con.print(f"[yellow]{c.period}: {c.received}/{c.expected} regions; sent nothing: "
                      f"{', '.join(c.missing)}[/yellow]")
    for n in result.notes:
        con.print(f"[cyan]note:[/cyan] {n}")
    for o in result.unbalanced:
        con.print(f"[bold red]CONTROL TOTALS FAILED[/bold red] {o.rel}: {'; '.join(o.control.problems)} "
                  "(not written)")
    if not dry_run:
        con.print(f"written to {result.out}")
