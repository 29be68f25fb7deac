"""Step 5: KRM-6, KRM-7 and the note written atomically for each language, the forms read back and re-checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from krm.report.periods import ReportError

if TYPE_CHECKING:
    from krm.report.assemble import Report


#: KRM-6 and KRM-7 are deflated at zlib level 1, as aggregate's outputs (``krm.aggregate.COMPRESS_LEVEL``): the same
#: cells, files ~25 % larger, a third of level 6's deflate time (each carries the month's control sheet: 3,000 rows
#: for 3,000 files)
COMPRESS_LEVEL = 1


def output_names(rep_month: str, quarter: str | None, langs: list[str]) -> list[str]:
    names = []
    for lang in langs:
        names += [f"KRM-6-{rep_month}.{lang}.xlsx", f"KRM-7-{rep_month}.{lang}.xlsx",
                  f"note-{quarter or rep_month}.{lang}.html"]
    return names


def write_outputs(rep: Report, out: Path, langs: list[str], *, force: bool = False) -> list[Path]:
    """Write KRM-6, KRM-7 and the note for each language; read the forms back and re-check them.

    The output folder is claimed for the run (:func:`krm.outfolder.claimed`: another krm run writing
    into it is refused) and everything is written into a staging folder first, placed only when all
    files were written and checked: a failed run (a full disk, a read-back that disagrees) places nothing.
    """
    from krm.outfolder import FolderInUse, claimed

    out = Path(out)
    try:
        lock = claimed(out)
        lock.__enter__()
    except FolderInUse as e:
        raise ReportError(str(e), 2) from None
    except OSError as e:
        raise ReportError(f"cannot create folder {out}: {e.strerror or e}", 2) from None
    try:
        return _write_all(rep, out, langs, force)
    finally:
        lock.__exit__(None, None, None)


def _write_all(rep: Report, out: Path, langs: list[str], force: bool) -> list[Path]:
    import shutil

    from krm import forms
    from krm.outfolder import place, staging
    from krm.report.note import render_note
    from krm.report.sheets import _col_total, control_sheet, readback, texts
    from krm.workbook.writer import atomic_write, write_form

    names = output_names(rep.month, rep.quarter, langs)
    targets = [out / n for n in names]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise ReportError(f"{existing[0]} exists; use --force to overwrite", 2)
    try:
        stage = staging(out)
    except OSError as e:
        raise ReportError(f"cannot write into {out}: {e.strerror or e}", 2) from None
    from krm.report.helper import Helper
    from krm.workbook.writer.sheets import lay_out_extra

    helpers, done = [], False
    try:
        header = {"period": rep.month, "basis": rep.data.basis or "cumulative"}
        progs = rep.data.programmes
        jobs: list = []  # (target, writer) of each output, in the order they are written without a helper
        for lang in langs:
            sheet = control_sheet(rep.data, rep.checks, texts(lang))
            laid: dict = {}  # the control sheet's layout, worked out once for KRM-6 and KRM-7
            lay_out_extra(sheet[1], laid)
            for spec, rows in ((forms.get("KRM-6"), rep.rows6), (forms.get("KRM-7"), rep.rows7)):
                target = stage / f"{spec.id}-{rep.month}.{lang}.xlsx"

                def _write(tmp, spec=spec, rows=rows, target=target, sheet=sheet, laid=laid, lang=lang):
                    lay = write_form(tmp, spec, lang, header=header, rows=rows, period=rep.month, programmes=progs,
                                     spare_rows=0, extra_sheets=[sheet], input_cells=False, extra_layouts=laid,
                                     compress_level=COMPRESS_LEVEL)
                    got = readback(Path(tmp), spec, lay)
                    for key, (colsum, tot) in got.items():
                        want = _col_total(rows, key)
                        if colsum != want or (tot or 0) != (want or 0):
                            raise ReportError(f"{target.name}: column {key} reads back as {colsum} (total row "
                                              f"{tot}), expected {want}; nothing was written")

                jobs.append((target, _write))
            jobs.append((stage / f"note-{rep.quarter or rep.month}.{lang}.html", lang))

        def run(job) -> None:
            target, writer = job
            if isinstance(writer, str):  # the note in that language
                html = render_note(rep, writer)
                writer = lambda tmp, html=html: Path(tmp).write_text(html, encoding="utf-8")  # noqa: E731
            _atomic(atomic_write, target, writer, True)

        # each language's KRM-6, KRM-7 and note. With a second CPU the KRM-7s and the notes are written meanwhile by
        # two helper processes (krm.report.helper), one for each: the three outputs take about as long each, so the
        # three processes share the two CPUs to the end (one helper for both was the run's longest part: the command
        # waited for it after its KRM-6).  If anything fails, or a helper does not write all it was given cleanly,
        # everything is written again here in this order: the same files, or the error the run has without the
        # helpers.  The workbook writer is loaded before the forks, once for all processes
        _load_writer()
        helpers, mine = [], jobs[::3]  # the helpers; what this process writes meanwhile
        for part in (1, 2):  # the KRM-7s, the notes
            given = jobs[part::3]
            h = Helper.start(lambda given=given: [run(job) for job in given], [t for t, _ in given])
            if h is not None:
                helpers.append(h)
            else:  # (a second helper that could not be started: this process writes its part)
                mine += given
        if helpers:
            try:
                for job in mine:
                    run(job)
                done = all([h.finish() for h in helpers])
            except Exception:  # noqa: BLE001 - written again below, where the error is raised as without the helpers
                done = False
            finally:
                for h in helpers:
                    h.stop()  # nothing left to stop once finished
                helpers = []
        if not done:
            for job in jobs:
                run(job)
        if not force and any(p.exists() for p in targets):
            raise ReportError(f"{next(p for p in targets if p.exists())} exists; use --force to overwrite", 2)
        place(stage, out, names)
    except OSError as e:
        raise ReportError(f"cannot write into {out}: {e.strerror or e}; nothing was written", 2) from None
    finally:
        for h in helpers:  # interrupted while a helper wrote: it is stopped before the stage goes
            h.stop()
        shutil.rmtree(stage, ignore_errors=True)
    return targets


def _load_writer() -> None:
    """What writing a workbook loads on first use (xlsxwriter), loaded now."""
    from krm.workbook.writer import fastpath

    fastpath.private_api_ok()


def _atomic(atomic_write, target: Path, writer, force: bool) -> None:
    try:
        atomic_write(target, writer, force=force)
    except FileExistsError:
        raise ReportError(f"{target} exists; use --force to overwrite", 2) from None
    except OSError as e:
        raise ReportError(f"cannot write {target.name} into {target.parent.parent}: {e.strerror or e}; "
                          "nothing was written", 2) from None
    except Exception as e:  # xlsxwriter wraps the OSError of a full disk in its own exception
        if isinstance(e.__context__, OSError) and not isinstance(e, ReportError):
            raise ReportError(f"cannot write {target.name} into {target.parent.parent}: "
                              f"{e.__context__.strerror or e.__context__}; nothing was written", 2) from None
        raise
