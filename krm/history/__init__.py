"""Across months: a month's workbooks against what the register holds of earlier months (docs/history.md).

Modules: :mod:`~krm.history.codes` (the catalogue rows KRM-E301…, KRM-W301…), :mod:`~krm.history.past`
(earlier versions from the register), :mod:`~krm.history.rules` (the checks across months, run by
``krm validate``), :mod:`~krm.history.outliers` (DHIS2's modified z-score, ``krm outliers`` and the note).

This package's ``__init__`` imports nothing: :mod:`krm.catalogue` reads :mod:`krm.history.codes`.
"""
