"""What the reader returns (:class:`ParsedForm`, its rows and cells), its error and its size limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from krm.spec import FormSpec


# zip pre-check limits (``../shared/notes/excel-io.md``: real forms have member ratios < 10 and members < 2 MB)
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 100_000
MAX_COLS = 400
RAW_MAX = 32 * 1024 * 1024  # a workbook file up to this size is read into memory once, its parts read from there


class ReadError(Exception):
    """A workbook that cannot be read at all; ``code`` is a finding code of the catalogue."""

    def __init__(self, code, detail: str = "", **params):
        code = code if type(code) is str else code.code  # a krm.codes symbol
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.params = params


@dataclass(slots=True)
class CellRef:
    row: int  # 0-based sheet row
    col: int  # 0-based sheet column

    @property
    def a1(self) -> str:
        from krm.workbook.writer import a1

        return a1(self.row, self.col)


@dataclass(slots=True)
class DataRow:
    row: int  # 0-based sheet row
    values: dict[str, object]  # column key -> raw value as read (str, float, date, None)
    cols: dict[str, int]  # column key -> 0-based sheet column
    #: column key -> (value, note) parsed by the column's type, filled once (:meth:`krm.rules.Ctx.row_typed`)
    typed: dict[str, tuple] | None = field(default=None, repr=False, compare=False)
    #: column key -> 0-based sheet row, for a record whose cells lie on several rows (KRM-1's per-project
    #: block in the annex's layout); None: every cell is on ``row``
    rows: dict[str, int] | None = field(default=None, repr=False, compare=False)

    def at(self, key: str) -> tuple[int, int]:
        """(row, column) of the cell of ``key``."""
        return (self.rows.get(key, self.row) if self.rows else self.row), self.cols[key]


@dataclass
class ParsedForm:
    path: Path
    spec: FormSpec
    sheet: str
    lang: str | None
    spec_version: str | None
    recognised_by: str  # "properties" | "names" | "index-text"
    grid: list[list]
    header: dict[str, object] = field(default_factory=dict)  # header key -> raw value
    header_cells: dict[str, CellRef] = field(default_factory=dict)
    signature: dict[str, object] = field(default_factory=dict)
    signature_cells: dict[str, CellRef] = field(default_factory=dict)
    columns: tuple = ()
    number_row: int | None = None
    found_numbers: list[str] = field(default_factory=list)  # what the column-number row holds
    rows: list[DataRow] = field(default_factory=list)  # non-blank data rows
    data_range: tuple[int, int] = (0, -1)  # first, last data row (inclusive)
    total: DataRow | None = None
    formulas_without_value: list[str] = field(default_factory=list)  # A1 refs on the form sheet
    formulas: dict[str, str] = field(default_factory=dict)  # A1 -> formula text, every formula cell of the sheet
    error_cells: dict[str, str] = field(default_factory=dict)  # A1 -> "#DIV/0!" …: calamine reads them as blank
    hidden_sheets: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    has_macros: bool = False
    modified: dt.datetime | None = None
    programmes: list | None = None  # KRM-6/7: programmes the columns were matched to
    colmap: dict[str, int] = field(default_factory=dict)  # column key -> 0-based sheet column
    #: (rows, their number, {column key: [(value, note) per row]}): the data cells typed once, by
    #: :func:`krm.rules.typed_columns` (the rows are kept to tell when ``rows`` was replaced)
    typed: tuple | None = field(default=None, repr=False, compare=False)
    #: the sheet «Түсініктеме / Пояснения» (krm.explanations): the district's explanations of findings
    explanations: list = field(default_factory=list)
    # an official (annex) layout read by :mod:`krm.layouts.annex`: its name, what it found to report
    # ((code, row, col, column key, value, params)), the rows that are group/subtotal/total rows, the
    # activity groups, the header keys already reported, and whether its column-number row is usable
    layout: str | None = None
    layout_notes: list = field(default_factory=list)
    layout_rows: set = field(default_factory=set)
    groups: list = field(default_factory=list)
    layout_reported: set = field(default_factory=set)
    layout_columns_ok: bool = True

    def cell(self, row: int, col: int):
        if 0 <= row < len(self.grid) and 0 <= col < len(self.grid[row]):
            v = self.grid[row][col]
            return None if v == "" else v
        return None
