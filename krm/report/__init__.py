"""KRM-6, KRM-7 and the analytical note for one month (or quarter), from whatever level of data is at hand.

The pipeline, in the order :func:`make_report` runs it:

0. **Read** (:func:`load_inputs`): every workbook validated in a worker, and only a :class:`FileSummary`
   of it kept (header, control totals, sums by activity, KRM-4/5 region rows) — never the rows; a KRM-3
   that the programme's KRM-4/5 cover is read for its header and totals only (see ``docs/report.md``).
1. **Select** (:func:`select`): for every (programme, region) of the month pick exactly one level —
   the programme's KRM-4 (with its KRM-5 for the activity breakdown) or a lone KRM-5 where they
   cover the region, otherwise the region's KRM-3, otherwise its districts' KRM-2 — and mark
   every other file for that cell as *superseded*.  Nothing is counted twice; every file of the
   month is listed in the control sheet with what happened to it.
2. **Roll up** the chosen KRM-2/KRM-3 with :func:`krm.rollup.programme_level` (each file's rows where
   it was read, the files grouped here), and prove the roll-up against our own sums of the same rows.
3. **Build** KRM-6 (region x programme) and KRM-7 (activity x programme) rows.  A cell nobody
   reported stays blank — never zero.  KRM-5 has facts by activity but no plan by activity, so a
   programme's KRM-7 plan column is filled only when every region of that programme came with
   project rows (KRM-2/KRM-3); otherwise it stays blank and the note says why.
4. **Check** (:func:`checks`): for each programme, the sum of the inputs' control totals ==
   KRM-6's total row == KRM-7's total row; the republic's total in KRM-6 == KRM-7 columns 3-4.
   After writing, the workbooks are read back and the same checks run on what is in the files.
   Any difference raises :class:`ReportError` (exit 1) and nothing is published.
5. **Write** atomically (temp file + rename), never over an existing file without ``force``.

Modules: :mod:`.periods` (months, quarters, ReportError), :mod:`.monthdata` (FileSummary, MonthData),
:mod:`.inputs` (step 0), :mod:`.selection` (steps 1-2), :mod:`.sheets` (KRM-6/7 rows, checks, texts, control
sheet), :mod:`.assemble` (build, make_report), :mod:`.outputs` (step 5), :mod:`.note` (the HTML note).
"""

from __future__ import annotations

from krm.lazy import lazy_names

#: name -> the module it comes from: imported when first used, so that a run answered by the memo
#: (:mod:`krm.report.memo`) loads none of the writers, the note's templates or the readers
_FROM = {
    "Report": "assemble", "build": "assemble", "make_report": "assemble",
    "_Bad": "inputs", "_form_hint": "inputs", "_Keep": "inputs", "_Light": "inputs", "_light_totals": "inputs",
    "load_inputs": "inputs",
    "FileSummary": "monthdata", "MonthData": "monthdata", "Source": "monthdata", "Unit": "monthdata",
    "_displayer": "monthdata", "summarise": "monthdata",
    "_change": "note", "note_context": "note", "render_note": "note",
    "output_names": "outputs", "write_outputs": "outputs",
    "INPUT_FORMS": "periods", "LANGS": "periods", "ReportError": "periods", "parse_month": "periods",
    "parse_quarter": "periods", "previous_month": "periods", "report_periods": "periods",
    "select": "selection",
    "Check": "sheets", "Texts": "sheets", "checks": "sheets", "control_sheet": "sheets", "krm6_rows": "sheets",
    "krm7_rows": "sheets", "readback": "sheets", "texts": "sheets",
}

__all__ = [
    "INPUT_FORMS", "LANGS", "Check", "FileSummary", "MonthData", "Report", "ReportError", "Source", "Texts", "Unit",
    "build", "checks", "control_sheet", "krm6_rows", "krm7_rows", "load_inputs", "make_report", "note_context",
    "output_names", "parse_month", "parse_quarter", "previous_month", "readback", "render_note", "report_periods",
    "select", "summarise", "texts", "write_outputs",
]


__getattr__ = lazy_names("krm.report", _FROM, globals())
