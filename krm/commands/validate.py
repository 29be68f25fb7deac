"""krm validate — check filled KRM workbooks and say what to fix, where."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import (EXIT_DATA, EXIT_OK, EXIT_USAGE, NO_REGISTER_HELP, REGISTER_HELP, as_of_date, console,
                                  fail, say, shown_lang, use_register)

LANGS = ("kk", "ru", "en", "auto")


def report_json(reports, lang: str = "en", lazy: bool = False, pieces: list | None = None) -> dict:
    """The stable JSON shape (version 1, documented in docs/validate.md).  ``lazy``: its "files" and "findings"
    are :class:`_Items`, made one at a time as :func:`write_json` writes them.  ``reports``: a list, or a
    :class:`krm.spooled.Spool` (the summary from its counts, the rest read back as written: always lazy).
    ``pieces`` (a spool only): each file's piece of the output is added to it as it is written
    (:func:`krm.register.spliced.piece`)."""
    from krm.spooled import Spool

    if isinstance(reports, Spool):
        return _spooled_json(reports, lang, pieces)
    by_code = Counter(f.code for r in reports for f in r.findings)
    explained = sum(1 for r in reports for f in r.findings if f.explanation)

    def files():
        for r in reports:
            entry = {"path": str(r.path), "form": r.form, "errors": r.errors, "warnings": r.warnings}
            if explained:  # workbooks with explanations (sheet «Түсініктеме / Пояснения») only
                entry["explained"] = sum(1 for f in r.findings if f.explanation)
            yield entry

    def findings():
        return (f.to_dict(_lang(lang, r)) for r in reports for f in r.findings)
    out = {
        "version": 1,
        "summary": {"files": len(reports), "errors": sum(r.errors for r in reports),
                    "warnings": sum(r.warnings for r in reports), "by_code": dict(sorted(by_code.items()))},
        "files": _Items(files) if lazy else list(files()),
        "findings": _Items(findings) if lazy else list(findings()),
    }
    if explained:  # else the shape is as before
        out["summary"]["explained"] = explained
    return out


def _spooled_json(spool, lang: str, pieces: list | None = None) -> dict:
    """:func:`report_json` of a run's spooled reports: the same document (``pieces``: see there)."""
    c = spool.counts

    def files():
        for _, m in spool.metas():
            entry = {"path": m["path"], "form": m["form"], "errors": m["errors"], "warnings": m["warnings"]}
            if c.explained:
                entry["explained"] = m["explained"]
            yield entry

    def findings():
        if pieces is None:
            return (f.to_dict(_lang(lang, r)) for r in spool.reports() for f in r.findings)
        from krm.register.spliced import piece

        return (piece(r, lang, pieces) for r in spool.reports())
    out = {
        "version": 1,
        "summary": {"files": c.files, "errors": c.errors, "warnings": c.warnings,
                    "by_code": dict(sorted(c.by_code.items()))},
        "files": _Items(files),
        "findings": _Items(findings),
    }
    if c.explained:
        out["summary"]["explained"] = c.explained
    return out


class _Items:
    """A list of a JSON document that :func:`write_json` encodes item by item (made again at each iteration)."""

    def __init__(self, make):
        self.make = make

    def __iter__(self):
        return iter(self.make())


class Encoded(str):
    """Items of an :class:`_Items` list already encoded, each as :func:`encode_item` gives it (none: empty)."""

    __slots__ = ()


_ENC = None


def encode_item(item) -> str:
    """One item of a list of :func:`write_json`'s document, as written after the first: a comma, its line
    break and indent, and the item."""
    global _ENC
    if _ENC is None:
        import json

        _ENC = json.JSONEncoder(ensure_ascii=False, indent=1)
    from krm.textsafe import clean

    return ",\n  " + _ENC.encode(clean(item)).replace("\n", "\n  ")


def write_json(doc: dict, write) -> None:
    """``write`` the text of ``dumps(doc, indent=1)`` and a newline, in pieces: a list given as :class:`_Items`
    is encoded one item at a time, so a year's files and findings are never one string (or one list of dicts)
    in memory.  JSON strings hold no raw line break, so each piece is indented by its lines.  An
    :class:`Encoded` item of such a list is written as it is (the items it holds)."""
    import json

    from krm.textsafe import clean

    enc = json.JSONEncoder(ensure_ascii=False, indent=1)
    if not doc:
        write("{}\n")
        return
    for i, (key, value) in enumerate(doc.items()):
        write(("," if i else "{") + "\n " + enc.encode(clean(key)) + ": ")
        if not isinstance(value, _Items):
            write(enc.encode(clean(value)).replace("\n", "\n "))
            continue
        first = True
        for item in value:
            if type(item) is Encoded:
                if item:
                    write(("[" + item[1:]) if first else item)
                    first = False
                continue
            write(("[" if first else ",") + "\n  " + enc.encode(clean(item)).replace("\n", "\n  "))
            first = False
        write("[]" if first else "\n ]")
    write("\n}\n")


def _lang(lang: str, report) -> str:
    if lang == "auto":
        return report.lang if report.lang in ("kk", "ru", "en") else "kk"
    return lang


def exit_code(reports) -> int:
    if hasattr(reports, "counts"):  # a krm.spooled.Spool
        c = reports.counts
        return EXIT_USAGE if c.unreadable else (EXIT_DATA if c.errors else EXIT_OK)
    if any(r.unreadable for r in reports):
        return EXIT_USAGE
    return EXIT_DATA if any(r.errors for r in reports) else EXIT_OK


WORDS = {
    "en": ("error", "errors", "warning", "warnings", "files", "clean", "Total", "fix"),
    "ru": ("ошибка", "ошибок", "предупреждение", "предупреждений", "файлов", "без замечаний", "Итого", "исправить"),
    "kk": ("қате", "қате", "ескерту", "ескерту", "файл", "ескертусіз", "Барлығы", "түзету"),
}


def _plural_ru(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


def _counts(e: int, w: int, lang: str) -> str:
    if lang == "ru":
        return (f"{e} {_plural_ru(e, 'ошибка', 'ошибки', 'ошибок')}, "
                f"{w} {_plural_ru(w, 'предупреждение', 'предупреждения', 'предупреждений')}")
    t = WORDS[lang]
    return f"{e} {t[0] if e == 1 else t[1]}, {w} {t[2] if w == 1 else t[3]}"


def print_text(reports, lang: str, summary: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from krm.explanations import describe

    con = console(soft_wrap=False)
    for r in reports:
        lg = _lang(lang, r)
        t = WORDS[lg]
        style = "red" if r.errors else ("yellow" if r.warnings else "green")
        state = _counts(r.errors, r.warnings, lg) if r.findings else t[5]
        con.print(f"[bold]{escape(str(r.path))}[/bold]  {r.form or '—'}  [{style}]{state}[/{style}]")
        if summary or not r.findings:
            continue
        tab = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
        tab.add_column(no_wrap=True)
        tab.add_column(no_wrap=True)
        tab.add_column(overflow="fold")
        for f in r.findings:
            sev = "[red]E[/red]" if f.severity == "error" else "[yellow]W[/yellow]"
            where = f.cell or ""
            told = f"\n[cyan]✎ {escape(describe(f, lg))}[/cyan]" if f.explanation else ""
            tab.add_row(f"  {sev} {f.code}", escape(where),
                        escape(f.message(lg)) + f"\n[dim]{escape(f.hint(lg))}[/dim]" + told)
        con.print(tab)
    if len(reports) > 1:
        lg = lang if lang != "auto" else "en"
        if hasattr(reports, "counts"):  # a krm.spooled.Spool: counted as spooled
            e, w = reports.counts.errors, reports.counts.warnings
        else:
            e, w = sum(r.errors for r in reports), sum(r.warnings for r in reports)
        con.print(f"[bold]{WORDS[lg][6]}[/bold]: {len(reports)} {WORDS[lg][4]}, {_counts(e, w, lg)}")


@app.command()
def validate(
    paths: list[Path] = typer.Argument(..., help="Workbooks or folders (searched recursively)."),
    lang: str = typer.Option("en", "--lang", help="Language of the messages: kk, ru, en, or auto (each "
                             "workbook's own language)."),
    format_: str = typer.Option("text", "--format", help="text (readable report) or json (stable, see docs)."),
    summary: bool = typer.Option(False, "--summary", help="One line per file."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count)."),
    annotate: Optional[Path] = typer.Option(None, "--annotate", help="Write a copy of the (single) workbook "
                                            "with faulty cells marked and a findings sheet."),
    annotate_dir: Optional[Path] = typer.Option(None, "--annotate-dir", help="Write an annotated copy of every "
                                                "workbook with findings into this folder."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing annotated copies."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Judge 'period in the future' as of this date "
                                        "(YYYY-MM-DD; default today)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    no_register: bool = typer.Option(False, "--no-register", "--no-cache", help=NO_REGISTER_HELP),
    plan_overrun: Optional[float] = typer.Option(None, "--plan-overrun", help="With the register: warn "
                                                 "(KRM-W303) when a district's jobs created this year exceed this "
                                                 "multiple of its KRM-1 plan (default 1.5)."),
) -> None:
    """Check filled KRM-1 … KRM-7 workbooks. Exit 0: no errors; 1: errors; 2: unreadable input or usage."""
    use_register(register, no_register)
    overrun = _overrun(plan_overrun)
    answers = None
    if not no_register and annotate is None and annotate_dir is None and (jobs is None or jobs >= 1):
        from krm.register import answers  # an unchanged month's answer (docs/register.md)

        invoked = answers.invocation("validate", [[str(p) for p in paths], lang, format_, summary, as_of,
                                                  None if overrun is None else str(overrun)])
        found: dict = {}
        got = answers.lookup("validate", invoked, paths, keep=found)
        if got is not None:
            sys.stdout.write(got[1])
            sys.stdout.flush()
            raise typer.Exit(got[0])
        if format_ == "json":  # a few workbooks changed: the others' pieces of the output spliced in
            from krm.register import spliced

            code = spliced.run(invoked, paths, lang, as_of, overrun, jobs, found)
            if code is not None:
                raise typer.Exit(code)
    files, today = _checked_inputs(paths, lang, format_, jobs, as_of, annotate, annotate_dir, force)
    recorder = answers.Recorder("validate", invoked, paths) if answers is not None else None
    text = pieces = None
    try:
        reports = _validate_files(files, jobs, today, no_register, overrun, recorder)
        try:
            if format_ == "json":
                if recorder is not None and recorder.capture is not None:
                    from krm.register.spliced import Pieces

                    pieces = Pieces()
                # as typer.echo(dumps(…, indent=1))
                write_json(report_json(reports, lang, lazy=True, pieces=pieces), sys.stdout.write)
                sys.stdout.flush()
            else:
                print_text(reports, lang, summary)
            code = exit_code(reports)
            targets = []
            if annotate is not None:
                targets = [(reports[0], annotate)]
            elif annotate_dir is not None:
                targets = ((r, annotate_dir / (r.path.stem + ".checked.xlsx")) for r in reports if r.findings)
            code = _write_annotated(targets, lang, force, format_, code)
        finally:
            reports.close()
    finally:
        text = recorder.stop() if recorder is not None else None
    if recorder is not None:
        recorder.finish(code, text, pieces=pieces)
    raise typer.Exit(code)


def _overrun(value: Optional[float]):
    """--plan-overrun as a Decimal (None: the default); a usage error unless it is a finite number above 0."""
    import math
    from decimal import Decimal

    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        fail(f"--plan-overrun must be a number above 0 (a multiple of the KRM-1 plan, e.g. 2), not {value}")
    return Decimal(str(value))


def _checked_inputs(paths: list[Path], lang: str, format_: str, jobs: Optional[int], as_of: Optional[str],
                    annotate: Optional[Path], annotate_dir: Optional[Path], force: bool) -> tuple[list[Path], object]:
    """The workbooks to check and the 'as of' date, after the options are checked (a usage error ends
    the command, in the order the options are checked here)."""
    from krm.intake import find_workbooks

    lang = shown_lang(lang, extra=("auto",))
    if format_ not in ("text", "json"):
        fail(f"unknown format {format_!r}: use text or json")
    if jobs is not None and jobs < 1:
        fail("--jobs must be at least 1")
    today = as_of_date(as_of)
    for p in paths:
        if not p.exists():
            fail(f"{p}: no such file or folder")
    files = find_workbooks(paths)
    if not files:
        fail("no workbooks (.xlsx, .xlsm, .xls, .ods) found in " + ", ".join(map(str, paths)))
    if annotate is not None and len(files) != 1:
        fail("--annotate takes one workbook; use --annotate-dir for several")
    if annotate is not None and annotate.exists() and not force:
        fail(f"{annotate} exists; use --force to overwrite")
    if annotate_dir is not None:
        try:
            annotate_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            fail(f"cannot create folder {annotate_dir}: {e.strerror or e}")
    return files, today


def _validate_files(files: list[Path], jobs: Optional[int], today, no_cache: bool, overrun=None, recorder=None):
    """Validate the files (in worker processes for four or more), with a progress bar on a terminal; their
    reports in a :class:`krm.spooled.Spool` (to be closed); ``overrun``: KRM-W303's multiple of the KRM-1 plan
    (None: the default); ``recorder``: the run's stored answer (:class:`krm.register.answers.Recorder`)."""
    from krm.validate import validate_paths

    progress = None
    bar = None
    if len(files) > 1 and sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       transient=True, console=__import__("rich.console").console.Console(stderr=True))
        task = bar.add_task("", total=len(files))
        bar.start()

        def progress(path, report):  # noqa: F811 - the progress callback
            bar.advance(task)
    from krm.spooled import Spool
    from krm.validate import _open_register

    reg, opened = _open_register(False if no_cache else None, None, files)
    if recorder is not None:
        recorder.read()  # what the run reads of the register and never writes, before it reads it
    spool = Spool()  # each report waits in a temporary file, not in memory (a year is 36,000 of them)
    try:
        # with a register, the typed rows come back too: the checks across months compare them with it
        spool = validate_paths(files, jobs=jobs if jobs is not None else (1 if len(files) < 4 else None),
                               progress=progress, today=today, submissions=reg is not None,
                               register=reg if reg is not None else False, into=spool)
        if reg is not None:
            if recorder is not None:
                recorder.recorded()  # the register once the run's versions are in, before the checks across months
            from krm.history.spooled import add_outliers, check_spooled

            # and an accepted version with errors across months is returned
            spool, _ = check_spooled(spool, reg, overrun=overrun)
            add_outliers(spool, reg)  # the month's outliers, when the register holds the history
    except BaseException:
        spool.close()
        raise
    finally:
        if bar is not None:
            bar.stop()
        if opened:
            reg.close()
    return spool


def _write_annotated(targets, lang: str, force: bool, format_: str, code: int) -> int:
    """Write each (report, path) annotated copy; returns the exit code, raised to 2 when one cannot be written."""
    for r, out in targets:
        if r.unreadable:
            say(f"krm: {r.path}: unreadable, no annotated copy written", err=True)
            continue
        from krm.annotate import annotate_isolated

        sheet = next((f.sheet for f in r.findings if f.sheet), None)
        problem = annotate_isolated(r.path, r.findings, out, lang=_lang(lang, r), sheet=sheet, force=force)
        if problem is not None:
            kind, text = problem
            if kind == "exists":
                fail(f"{out} exists; use --force to overwrite")
            if kind == "os":
                fail(f"cannot write {out}: {text}")
            say(f"krm: {r.path}: cannot write an annotated copy ({text})", err=True)
            code = max(code, EXIT_USAGE)
            continue
        if format_ != "json":
            say(f"→ {out}", err=True)
    return code
