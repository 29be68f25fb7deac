"""krm aggregate — roll KRM-2 up to KRM-3, KRM-3 (or KRM-2) up to KRM-4/KRM-5, KRM-1 up to the annual plan."""

from __future__ import annotations

import re
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
    """The run's summary on stdout: its tables and lines (:func:`_summary`), as rich prints them; piped to a file
    or another program, the same text is written without rich when every string is plain (:func:`_plain`)."""
    _print_parts(_summary(result, result.summary(lazy=True), dry_run))  # (the summary's inputs are not used)


def _print_parts(parts: list[tuple]) -> None:
    """:func:`_summary`'s tables and lines on stdout."""
    text = _plain(parts)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()  # (as rich flushes after each print)
        return
    from rich.table import Table

    con = console(soft_wrap=True)
    for part in parts:
        if part[0] == "table":
            _, title, show_header, columns, rows = part
            t = Table(title=title, show_header=show_header)
            for name, justify in columns:
                t.add_column(name, justify=justify)
            for row in rows:
                t.add_row(*row)
            con.print(t)
        else:
            con.print("".join(f"[{style}]{text}[/{style}]" if style else text for text, style in part[1]))


def _summary(result, s: dict, dry_run: bool) -> list[tuple]:
    """What :func:`print_summary` prints, in order: ("table", title, show_header, [(column, justify)], rows of
    str) and ("line", [(text, style or None)]) (a line's markup: each styled text in its tags)."""
    f = s["files"]
    left, right = "left", "right"
    rows = [["files read", str(f["read"])],
            ["accepted", str(f["accepted"])],
            ["excluded (errors)", str(f["excluded"])],
            ["conflicts", f"{len(s['conflicts'])} ({f['conflict']} files not counted, "
                          f"{f['superseded']} older duplicates dropped)"]]
    if f["skipped"]:
        rows.append(["skipped (not an input form)", str(f["skipped"])])
    if f["filtered"]:
        rows.append(["outside --period/--programme", str(f["filtered"])])
    rows.append(["missing districts (sent nothing)", str(s["missing_districts"])])
    if s["missing_districts_plans"]:
        rows.append(["missing districts, KRM-1 plans", str(s["missing_districts_plans"])])
    rows.append(["missing regions (sent nothing)", str(s["missing_regions"])])
    n_bal = sum(1 for o in result.outputs if o.control.balanced)
    rows.append(["outputs" + (" (dry run: not written)" if dry_run else ""),
                 f"{len(result.outputs)} ({n_bal} balanced)"])
    parts: list[tuple] = [("table", f"krm aggregate {result.dir}", False, [("what", left), ("n", right)], rows)]
    if s["totals"]:
        cols = [(c, left if c in ("period", "programme", "basis") else right)
                for c in ("period", "programme", "basis", "regions", "projects", "done", "jobs plan", "jobs fact",
                          "allocated", "disbursed")]
        parts.append(("table", "totals (KRM-4)", True, cols,
                      [[x["period"], x["programme"], x["basis"], str(x["regions"]), str(x["projects_planned"]),
                        str(x["projects_done"]), str(x["plan"]), str(x["fact"]), x["allocated"], x["disbursed"]]
                       for x in s["totals"]]))
    if s["plan_totals"]:
        cols = [(c, left if c in ("year", "programme") else right)
                for c in ("year", "programme", "regions", "projects", "jobs plan", "allocated")]
        parts.append(("table", "annual plan (KRM-1, Rule 12.1)", True, cols,
                      [[x["year"], x["programme"], str(x["regions"]), str(x["projects_planned"]), str(x["plan"]),
                        x["allocated"]] for x in s["plan_totals"]]))
    bad = [[i.rel, i.status, i.note] for i in result.inputs if i.status in ("excluded", "conflict", "superseded")]
    if bad:
        parts.append(("table", "files not counted", True, [("file", left), ("status", left), ("why", left)], bad))
    for c in result.completeness:
        if (c.missing or c.not_counted) and c.region:
            what = "KRM-1 plans" if c.form == "KRM-1" else "districts"
            parts.append(("line", [(f"{c.period} region {c.region}: {c.received}/{c.expected} {what} counted "
                                    f"({c.percent}%)" + (f"; sent nothing: {', '.join(c.missing)}" if c.missing else "")
                                    + (f"; not counted: {', '.join(c.not_counted)}" if c.not_counted else ""),
                                    "yellow")]))
        elif c.missing and c.region is None and c.programme == (result.programme or ""):
            parts.append(("line", [(f"{c.period}: {c.received}/{c.expected} regions; sent nothing: "
                                    f"{', '.join(c.missing)}", "yellow")]))
    for n in result.notes:
        parts.append(("line", [("note:", "cyan"), (f" {n}", None)]))
    for o in result.unbalanced:
        parts.append(("line", [("CONTROL TOTALS FAILED", "bold red"),
                               (f" {o.rel}: {'; '.join(o.control.problems)} (not written)", None)]))
    if not dry_run:
        parts.append(("line", [(f"written to {result.out}", None)]))
    return parts


#: the rich releases whose text :func:`_plain` was worked out against (tests/test_aggregate_summary_text.py compares
#: the two); another release prints the summary itself (rich 13 and 14 centre a table's title, say)
TESTED_RICH = frozenset({"15.0.0"})

#: None: decided on first use from the installed rich (tests set it to force either way)
_RICH_OK: bool | None = None


def _rich_tested() -> bool:
    """Whether the installed rich is one of :data:`TESTED_RICH`."""
    global _RICH_OK
    if _RICH_OK is None:
        from krm.distversion import release_in

        _RICH_OK = release_in("rich", TESTED_RICH)
    return _RICH_OK


#: text rich prints as it is, one terminal cell a character: printable ASCII but "[" (markup) and "\\" (markup's
#: escape), and Cyrillic letters (no combining marks: U+0483-U+0489)
_PLAIN_TEXT = re.compile("[ -Z\\]-~\u0400-\u0482\u048a-\u04ff]*")
#: what rich might take for an emoji code (":name:")
_EMOJI = re.compile(r":\S*:")
#: rich's boxes for a table without a header (SQUARE) and with one (HEAVY_HEAD): top, header row, below the
#: header, body row, bottom (left, between columns, right; the line's character)
_BOXES = {False: ("┌┬┐─", None, None, "│││", "└┴┘─"), True: ("┏┳┓━", "┃┃┃", "┡╇┩━", "│││", "└┴┘─")}


def _plain(parts: list[tuple]) -> str | None:
    """The text rich prints for ``parts`` on a console that is not a terminal (no styles; lines never wrapped:
    ``PIPE_WIDTH`` wide), made here, or None when rich's own measuring is needed: stdout is a terminal or rich
    would take it for one (FORCE_COLOR, TTY_COMPATIBLE), it is not UTF-8 (rich's ASCII boxes), a string is not
    plain (:data:`_PLAIN_TEXT`; :data:`_EMOJI`), a table or its title is wider than the console, or the installed
    rich is not one of :data:`TESTED_RICH`."""
    import builtins
    import os

    out = sys.stdout
    try:
        if out.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    if (sys.platform == "win32" or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ
            or hasattr(builtins, "get_ipython")
            or not (getattr(out, "encoding", None) or "utf-8").lower().startswith("utf") or not _rich_tested()):
        return None
    from krm.commands._common import PIPE_WIDTH
    from krm.textsafe import terminal

    def plain(s: str) -> str | None:
        s = terminal(s)
        return s if _PLAIN_TEXT.fullmatch(s) and not _EMOJI.search(s) else None

    def cell(s: str) -> str | None:  # (rich strips a cell's text of the spaces around it when it justifies it)
        s = plain(s)
        return s if s is not None and s == s.strip(" ") else None

    lines: list[str] = []
    for part in parts:
        if part[0] == "line":
            texts = [plain(text) for text, _ in part[1]]
            if None in texts:
                return None
            line = "".join(texts)
            if _EMOJI.search(line):
                return None
            lines.append(line)
            continue
        _, title, show_header, columns, rows = part
        title = cell(title)
        head = [cell(name) for name, _ in columns]
        body = [[cell(x) for x in row] for row in rows]
        if title is None or None in head or any(None in row for row in body):
            return None
        widths = [len(x) for x in head] if show_header else [0] * len(columns)
        for row in body:
            widths = [max(w, len(x)) for w, x in zip(widths, row)]
        width = sum(widths) + 3 * len(widths) + 1  # a space either side of each cell, the rules between
        if width > PIPE_WIDTH or not title or len(title) > width:
            return None
        top, header, below, row_box, bottom = _BOXES[show_header]
        rights = [justify == "right" for _, justify in columns]

        def cells(row, box):
            return box[0] + box[1].join(f" {x.rjust(w) if r else x.ljust(w)} "
                                        for x, w, r in zip(row, widths, rights)) + box[2]

        lines.append(title)
        lines.append(top[0] + top[1].join(top[3] * (w + 2) for w in widths) + top[2])
        if show_header:
            lines.append(cells(head, header))
            lines.append(below[0] + below[1].join(below[3] * (w + 2) for w in widths) + below[2])
        lines.extend(cells(row, row_box) for row in body)
        lines.append(bottom[0] + bottom[1].join(bottom[3] * (w + 2) for w in widths) + bottom[2])
    return "".join(line + "\n" for line in lines)
