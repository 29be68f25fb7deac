"""Layouts of the forms other than krm's template: the regulation's annexes as offices draw them.

:mod:`.annex` (KRM-2/3/4/5: the column-number row as the anchor, activity groups, subtotals, totals),
:mod:`.blocks` (KRM-1's per-project blocks), :mod:`.header_text` (the header as free text),
:mod:`.period_text` (periods in words or numbers), :mod:`.names` (regions, districts and programmes by name).
The reader tries them in one place (:func:`krm.workbook.reader._locate_any`) for a workbook that carries
none of krm's properties, names or tables; docs/foreign.md describes what is read and what is refused.
"""
