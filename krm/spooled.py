"""A run's reports kept out of memory until they are written: ``krm validate`` over a year holds none of them.

The JSON's summary comes before its files, and the checks across months (with the register) can only start
once every file is recorded, so each file's :class:`krm.validate.FileReport` must wait.  :class:`Spool` writes
each one, as it finishes and in the run's order, to an unnamed temporary file of this process (deleted by the
system when it ends, never read by anything else) as two **JSON lines**: what the file's entry needs (path,
form, language, counts, the submission's header and reading) and its findings in the register's tagged JSON
(:mod:`krm.register.codec`: exact, never code).  In memory stay only the counts of the whole run (the summary,
the exit code) and one offset a file.  Reading back gives the same reports, findings equal to those written;
the typed rows of a submission recorded in the register come back as :class:`krm.register.memo.LazyRows`
(loaded when used), others as written.
"""

from __future__ import annotations

import json
import tempfile
from array import array
from collections import Counter
from pathlib import Path

from krm.catalogue import READ_ERRORS

_PLAIN = (str, int, bool, type(None))


def _enc(v):
    return v if type(v) in _PLAIN else _codec().encode(v)


def _dec(v):
    return v if type(v) in _PLAIN else _codec().decode(v)


def _codec():
    from krm.register import codec

    return codec


def finding_data(f, path: str) -> list:
    """A finding as JSON data: its fields in order, the file left out (null) when it is the report's."""
    return [f.code, f.severity, None if f.file == path else _enc(f.file), _enc(f.sheet), _enc(f.cell), _enc(f.row),
            _enc(f.column), _enc(f.column_title), _enc(f.value), _enc(f.related), _enc(f.params), _enc(f.form),
            _enc(f.explanation)]


def finding_back(d: list, path: str):
    from krm.findings import Finding

    code, sev, file, sheet, cell, row, column, title, value, related, params, form, explanation = d
    return Finding(code, sev, path if file is None else _dec(file), _dec(sheet), _dec(cell), _dec(row), _dec(column),
                   _dec(title), _dec(value), _dec(related), _dec(params), _dec(form), _dec(explanation))


class Counts:
    """What the summary and the exit code need of a run, counted as reports are spooled."""

    def __init__(self):
        self.files = self.errors = self.warnings = self.explained = self.unreadable = 0
        self.by_code: Counter = Counter()

    def add(self, findings) -> tuple[int, int, int]:
        """Count one file's findings; returns its (errors, warnings, explained)."""
        e = w = x = 0
        for f in findings:
            if f.severity == "error":
                e += 1
            elif f.severity == "warning":
                w += 1
            if f.explanation:
                x += 1
            self.by_code[f.code] += 1
        self.errors, self.warnings, self.explained = self.errors + e, self.warnings + w, self.explained + x
        return e, w, x


class Spool:
    """A run's reports in an unnamed temporary JSON-lines file, in the order added (see the module's doc).

    ``add`` a report; iterate (``reports()``) or index to read them back; ``metas()`` gives each file's entry
    without reading its findings; ``append(i, findings)`` adds findings to a report already spooled (kept in
    memory: the few outliers of a run); ``counts`` is the whole run's."""

    def __init__(self):
        self._fh = tempfile.TemporaryFile(prefix="krm-reports-")
        self._at = array("q")
        self._end = 0
        self.counts = Counts()
        self._extra: dict[int, list] = {}

    def __len__(self) -> int:
        return len(self._at)

    def add(self, report) -> None:
        path = str(report.path)
        findings = report.findings
        errors, warnings, explained = self.counts.add(findings)
        unreadable = any(f.code in READ_ERRORS for f in findings)
        self.counts.files += 1
        self.counts.unreadable += unreadable
        meta = {"path": path, "form": report.form, "lang": report.lang, "edition": report.edition,
                "reading": report.reading_id, "sha256": report.sha256, "errors": errors, "warnings": warnings,
                "explained": explained, "unreadable": unreadable}
        sub = report.submission
        if sub is not None:
            meta["header"], meta["cells"] = _submission_data(sub, report)
        line = (json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n"
                + json.dumps([finding_data(f, path) for f in findings], ensure_ascii=False,
                             separators=(",", ":")) + "\n").encode("utf-8", "surrogatepass")  # a path's lone surrogates kept
        self._at.append(self._end)
        self._fh.seek(self._end)
        self._fh.write(line)
        self._end += len(line)

    def append(self, i: int, findings: list) -> None:
        """Findings added to the ``i``-th report after it was spooled (they come after its own)."""
        if findings:
            self.counts.add(findings)
            self._extra.setdefault(i, []).extend(findings)

    def _lines(self, start: int = 0):
        """(index, meta line, findings line) from the ``start``-th report on."""
        fh = self._fh
        fh.flush()
        if start >= len(self._at):
            return
        fh.seek(self._at[start])
        for i in range(start, len(self._at)):
            meta = fh.readline()
            yield i, meta, fh.readline()

    def metas(self):
        """(index, meta) of every report: its entry's counts include the findings appended."""
        for i, meta, _ in self._lines():
            m = _loads(meta)
            extra = self._extra.get(i)
            if extra:
                m["errors"] += sum(1 for f in extra if f.severity == "error")
                m["warnings"] += sum(1 for f in extra if f.severity == "warning")
                m["explained"] += sum(1 for f in extra if f.explanation)
            yield i, m

    def reports(self, reg=None):
        """The reports, in order; ``reg``: the register their rows are loaded from when used (else none)."""
        for i, meta, found in self._lines():
            yield self._report(i, _loads(meta), _loads(found), reg)

    __iter__ = reports

    def __getitem__(self, i: int):
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        _, meta, found = next(self._lines(i))
        return self._report(i, _loads(meta), _loads(found), None)

    def _report(self, i: int, meta: dict, found: list, reg):
        from krm.validate import FileReport

        path = meta["path"]
        findings = [finding_back(d, path) for d in found] + self._extra.get(i, [])
        r = FileReport(Path(path), meta["form"], findings, None, meta["lang"], meta["edition"],
                       reading_id=meta["reading"], sha256=meta["sha256"])
        if "header" in meta:
            r.submission = _submission_back(meta["header"], meta["cells"], r, reg)
        return r

    def close(self) -> None:
        self._fh.close()


def _loads(line: bytes):
    return json.loads(line.decode("utf-8", "surrogatepass"))


def _submission_data(sub, report) -> tuple:
    """(header, cells) of a report's submission: rows recorded in the register are not written (they are loaded
    from it when used), others are, as cells."""
    codec = _codec()
    header = codec.encode(codec.header_of(sub))
    from krm.register.memo import LazyRows

    if isinstance(sub.projects, LazyRows) and report.reading_id is not None and report.sha256 is not None:
        return header, None
    return header, [list(c[:5]) for c in codec.sorted_row_cells(list(sub.projects) + list(sub.regions))]


def _submission_back(header, cells, report, reg):
    codec = _codec()
    if cells is not None:
        rows = codec.rows_from_cells([tuple(c) for c in cells])
    elif reg is not None:
        from krm.validate import lazy_rows

        rows = lazy_rows(reg, report)
    else:
        rows = ([], [])
    return codec.submission_from(codec.decode(header), *rows, report.path)
