"""krm report — KRM-6, KRM-7 and the analytical note for a month (or quarter)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import NO_REGISTER_HELP, REGISTER_HELP, fail, output_langs, say, use_register


@app.command()
def report(
    folder: Path = typer.Argument(..., help="Folder with the month's workbooks (searched recursively)."),
    month: Optional[str] = typer.Option(None, "--month", "-m", help="Reporting month, YYYY-MM (e.g. 2019-05)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write KRM-6, KRM-7 and the note into."),
    lang: str = typer.Option("kk", "--lang", help="kk, ru, or kk,ru for both (forms and notes)."),
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q",
                                          help="Quarterly note (Rule 14), e.g. 2019Q2: made from the quarter's "
                                               "last month, with its three months side by side."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing output files."),
    prefer: Optional[str] = typer.Option(None, "--prefer", help="newest: of duplicate submissions keep the newest "
                                         "(default: count none of them, as krm aggregate)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 (and write nothing) if any input file of the "
                                "month is excluded (errors, duplicates)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes for reading (default: CPUs)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    no_register: bool = typer.Option(False, "--no-register", "--no-cache", help=NO_REGISTER_HELP),
) -> None:
    """Write KRM-6 and KRM-7 (with a control sheet) and the analytical note (HTML) for a month.

    Uses KRM-4/KRM-5 where they exist, otherwise rolls KRM-3 or KRM-2 up; never both for one region and
    programme.  Exit 1 if the control totals do not balance (nothing is written then).
    """
    use_register(register, no_register)
    if prefer not in (None, "newest"):
        fail(f"unknown --prefer {prefer!r}: use newest")
    langs = output_langs(lang)
    from krm.intake.discover import discover
    from krm.report import memo

    from krm.register.connect import turned_on

    remember = not no_register and turned_on()  # a register to answer from and record into
    entries = discover([folder]) if folder.exists() else None  # the run's one discovery: memo, inputs, record
    known = memo.Identities() if remember else None  # the file identities read from the register, read once
    if remember:  # an unchanged month: the outputs on disk are what this run would write (docs/register.md)
        lines = memo.replay(folder, month, quarter, out, langs, prefer, strict, force, entries, known)
        if lines is not None:
            n = _show(lines, out, month, quarter, langs)
            say(f"krm: outputs unchanged: {n}, written: 0 (the register remembers each output's inputs; "
                "docs/register.md)", err=True)
            return
    from krm.report import ReportError, make_report
    from krm.report.sheets import superseded_by

    recorder = memo.Recorder(folder, month, quarter, out, langs, prefer, strict, entries, known) if remember else None
    paths = [e.path for e in entries] if entries is not None else None
    entries = None  # only the Recorder's key needs the entries (their stats) after reading: a year's 36,000 are not
    # kept in this frame while the report is made

    def loaded() -> None:
        # what was read of the month (a summary of each file) lives till the run ends: the collector no longer walks
        # it at each of its later passes (a full one while the report is built), nor in the helpers forked to write
        # KRM-7 and the note (issue 16: 3,000 files)
        _freeze()
        if recorder is not None:
            recorder.loaded()

    try:
        rep, written = make_report(folder, month, out, langs=langs, quarter=quarter, force=force, jobs=jobs,
                                    prefer=prefer, strict=strict, cache=False if no_register else None,
                                    loaded=loaded, paths=paths, identities=known)
    except ReportError as e:
        fail(str(e), e.code)
    from krm.textsafe import terminal

    lines = [terminal(f"krm: warning: {w}", one_line=True) for w in rep.data.warnings]
    used = [s for s in rep.data.sources if s.status == "used"]
    t = rep.data.total()
    n = {"excluded": sum(1 for s in rep.data.sources if s.status == "excluded")}
    lines.append(f"{rep.month}: {len(used)} files used"
                  + "".join(f", {k} superseded by {lv} (used instead)" for lv, k in superseded_by(rep.data).items())
                  + (f", {n['excluded']} excluded (errors or duplicates)" if n["excluded"] else "")
                  + f"; plan {t['plan'] if t['plan'] is not None else '—'}, "
                  f"fact {t['fact'] if t['fact'] is not None else '—'}; control totals balance")
    _show(lines, out, rep.month, rep.quarter, langs, written)
    if recorder is not None:
        recorder.record(written, lines)
    _freeze()  # the run is done: the interpreter's last collection at exit need not walk what it made (≈ 30 ms)


def _freeze() -> None:
    """What the collector holds now moved out of its reach (``gc.freeze``, as :func:`krm.cli.run` does after start-up)
    — only when krm runs as its own program (``krm report …``), never in a process that goes on after the command
    (tests, a caller of the app): there objects frozen would never be collected."""
    import gc
    import os
    import sys

    if os.path.basename(sys.argv[0]) == "krm":
        gc.freeze()


def _show(lines: list, out: Path, month: str | None, quarter: str | None, langs: list[str],
          written: list[Path] | None = None) -> int:
    """The run's messages (stderr, as shown), then the files it wrote or left as they are (stdout); returns
    how many files those are."""
    for text in lines:
        typer.echo(text, err=True)
    if written is None:
        from krm.report.memo import _month
        from krm.report.outputs import output_names

        written = [Path(out) / n for n in output_names(_month(month, quarter), quarter, langs)]
    for p in written:
        say(p)
    return len(written)
