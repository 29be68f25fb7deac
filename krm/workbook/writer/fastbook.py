"""The fast path's workbook: xlsxwriter's Workbook with faster shared strings and a settable deflate level.

Used where the installed xlsxwriter is one the fast path was tested against
(:func:`krm.workbook.writer.fastpath.private_api_ok`); elsewhere xlsxwriter's own Workbook writes the same cells.
"""

from __future__ import annotations

import re
from functools import lru_cache

from krm.workbook.writer import fastpath


#: a shared string that xlsxwriter writes other than as <si><t>text</t></si>: one that needs an _xHHHH_
#: escape, XML escaping, xml:space="preserve", or is rich text (the union of xlsxwriter's own tests)
_SST_SPECIAL = re.compile(r'_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff"&<>\n]|^\s|\s$')


@lru_cache(maxsize=1)
def _workbook_class():
    """xlsxwriter's Workbook, storing its shared strings faster, with the zip deflate level settable.

    * ``krm_compress_level``: xlsxwriter always deflates at zlib's default level (6).  For a big
      workbook that is ~15 % of the time it takes to write; level 1 takes a third of that, for
      files ~25 % larger (the cell values are the same, only the compressed bytes differ).
      xlsxwriter makes a ``ZipInfo`` per part (in_memory mode); while this workbook is stored,
      that name makes ones with the level set.
    * With :data:`~krm.workbook.writer.fastpath.BULK_ROWS`, the shared-string table is written with one regular-expression test
      per string: a string none of xlsxwriter's escapes applies to is written as it would be, the
      others by xlsxwriter (same bytes; ``tests/test_writer_bulk.py``).
    """
    import zipfile

    import xlsxwriter
    import xlsxwriter.packager as xp
    import xlsxwriter.workbook as xw
    from xlsxwriter.sharedstrings import SharedStrings

    class _Strings(SharedStrings):
        def _write_sst_strings(self) -> None:
            write, special, slow = self.fh.write, _SST_SPECIAL.search, self._write_si
            for string in self.string_table.string_array:
                if special(string):
                    slow(string)
                else:
                    write(f"<si><t>{string}</t></si>")

    class _Workbook(xlsxwriter.Workbook):
        krm_compress_level: int | None = None

        def _store_workbook(self) -> None:
            level = self.krm_compress_level
            patches = []
            if fastpath.BULK_ROWS and xp.SharedStrings is SharedStrings:
                patches.append((xp, "SharedStrings", _Strings))
            if level is not None and xw.ZipInfo is zipfile.ZipInfo:
                class _Info(zipfile.ZipInfo):
                    __slots__ = ()

                    def __init__(self, *args, **kwargs):
                        super().__init__(*args, **kwargs)
                        self._compresslevel = level
                patches.append((xw, "ZipInfo", _Info))
            saved = [(m, name, getattr(m, name)) for m, name, _ in patches]
            try:
                for m, name, new in patches:
                    setattr(m, name, new)
                return super()._store_workbook()
            finally:
                for m, name, old in saved:
                    setattr(m, name, old)

    return _Workbook


def _new_workbook(target, options: dict, compress_level: int | None):
    """A Workbook: krm's (faster shared strings, settable deflate level) where the xlsxwriter version is tested,
    else xlsxwriter's own (``compress_level`` is then not applied: the same cells, other compressed bytes)."""
    if fastpath.private_api_ok():
        wb = _workbook_class()(target, options)
        wb.krm_compress_level = compress_level
        return wb
    import xlsxwriter

    return xlsxwriter.Workbook(target, options)
