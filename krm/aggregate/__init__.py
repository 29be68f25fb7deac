"""`krm aggregate` as a library: read a folder of KRM workbooks, roll them up, write the next level.

The pipeline (``docs/aggregate.md`` has the full story):

1. find every workbook under DIR (:func:`krm.validate.find_workbooks`) and validate
   each (:func:`krm.validate.validate_paths`, isolated worker processes);
2. classify each file: *accepted* (no errors; warnings do not exclude), *excluded*
   (errors, or unreadable), *skipped* (a form that is not an input of a roll-up:
   KRM-4 … KRM-7), *filtered* (outside ``--period`` / ``--programme``);
3. find conflicts: two accepted submissions for the same (district, programme,
   period) — or (region, programme, period) for KRM-3, (district, programme, year)
   for KRM-1 — are both left out, unless ``prefer="newest"`` keeps the one with the
   latest document modified time (then file mtime, then path) and says which;
4. compute, with the exact math of :mod:`krm.rollup`:
   KRM-2 -> one KRM-3 per (region, programme, period, basis);
   KRM-3 (where a region sent one) else the region's KRM-2 -> one KRM-4 and one
   KRM-5 per (programme, period, basis); KRM-1 -> the annual plan summary per
   (programme, year) in the KRM-5 layout;
5. prove every output's control totals against its inputs (an unbalanced output is
   not written and the run fails), then write every output atomically, never over
   an existing file unless ``force``.

Everything is grouped by the workbook headers, never by folder or file names.

Memory stays flat in the number of rows: each file is classified and digested in the
worker that read it (:func:`krm.rollup.digest`: header, control totals, per-file project
counts and activity sums; findings only if it is excluded), and its project rows go to a
temporary spool folder (appended to one file per worker process; removed when the run
ends, also on an error or Ctrl-C).  KRM-4/KRM-5 and the annual plan are summed from the
digests; each KRM-3 is built from its districts' spooled rows in a worker process, checked,
and written there in one go.  Outputs are written in parallel
(:func:`krm.pool.run_isolated`), each on its own, so the bytes do not depend on the number
of workers; the workers get their outputs as pickled blobs made a batch at a time
(``compute.BATCH_INPUTS``), and ``aggregate-summary.json`` is streamed an input at a time
(``records.write_json``), so what grows with the files is one small record per input.

Modules: :mod:`.records` (InputFile, Output, AggregateResult …, the summary's JSON, written by :mod:`.jsontext`),
:mod:`.collect` (steps 1-2), :mod:`.spool`,
:mod:`.conflicts` (step 3 and completeness), :mod:`.compute` (step 4), :mod:`.sheets` (the outputs' contents,
control sheets), :mod:`.outputs` (step 5), :mod:`.run` (:func:`aggregate`, the whole run).
"""

from krm.aggregate.collect import collect, default_out
from krm.aggregate.compute import check_krm3, compute
from krm.aggregate.conflicts import resolve_conflicts
from krm.aggregate.outputs import _remove_temporaries, write_outputs  # the private name: tests
from krm.aggregate.records import (COMPRESS_LEVEL, INPUT_FORMS, PLAN_FORMS, SUMMARY_NAME, AggregateResult,
                                   AggregateUsageError, Completeness, Conflict, InputFile, Output)
from krm.aggregate.run import aggregate

__all__ = [
    "COMPRESS_LEVEL", "INPUT_FORMS", "PLAN_FORMS", "SUMMARY_NAME", "AggregateResult", "AggregateUsageError",
    "Completeness", "Conflict", "InputFile", "Output", "aggregate", "check_krm3", "collect", "compute",
    "default_out", "resolve_conflicts", "write_outputs",
]
