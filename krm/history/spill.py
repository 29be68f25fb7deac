"""Findings kept out of memory until they are written: a run over a year can find millions across months.

``krm validate`` holds every file's report until its output is written (the JSON's summary comes first), and
the checks across months can give dozens of findings a file (a project's dates changed since last month).  So
once a file's checks are done, :func:`pack` moves its findings into an unnamed temporary file of this run
(:class:`Spill`, deleted by the system when the run ends, never read by anything else) and leaves a
:class:`SpilledFindings` in their place: the same findings, in the same order, read back each time they are
iterated, with their counts kept in memory.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter


class Spill:
    """An unnamed temporary file of this process: findings written once, read back as often as needed."""

    def __init__(self):
        self._fh = tempfile.TemporaryFile(prefix="krm-findings-")

    def put(self, findings: list) -> tuple[int, int]:
        # the run's own objects, in a file only this process can reach (unnamed): never a persistent store
        data = pickle.dumps(findings, protocol=pickle.HIGHEST_PROTOCOL)
        self._fh.seek(0, 2)
        at = self._fh.tell()
        self._fh.write(data)
        return at, len(data)

    def get(self, at: int, size: int) -> list:
        self._fh.seek(at)
        return pickle.loads(self._fh.read(size))

    def close(self) -> None:
        self._fh.close()


class SpilledFindings(list):
    """A report's findings in a :class:`Spill` (iterating reads them back), plus any appended after
    (kept here); ``errors``, ``warnings`` and ``codes`` are counted without reading them back.  They are
    iterated, counted, compared and added to (append, extend); indexing them or changing them in place is
    refused (a TypeError, never a silent answer from the added ones alone)."""

    def __init__(self, spill: Spill, findings: list):
        super().__init__()
        self._spill, self._at, self._n = spill, spill.put(findings), len(findings)
        sev = Counter(f.severity for f in findings)
        self._errors, self._warnings = sev["error"], sev["warning"]
        self._codes = frozenset(f.code for f in findings)

    def _extra(self) -> list:
        return list.__getitem__(self, slice(None))

    @property
    def errors(self) -> int:
        return self._errors + sum(1 for f in self._extra() if f.severity == "error")

    @property
    def warnings(self) -> int:
        return self._warnings + sum(1 for f in self._extra() if f.severity == "warning")

    @property
    def codes(self) -> frozenset:
        return self._codes | {f.code for f in self._extra()}

    def __iter__(self):
        return iter(self._spill.get(*self._at) + self._extra())

    def __len__(self):
        return self._n + list.__len__(self)

    def __bool__(self):
        return len(self) > 0

    def __eq__(self, other):
        return list(self) == other

    def __ne__(self, other):
        return list(self) != other

    __hash__ = None

    def __iadd__(self, other):
        list.extend(self, other)
        return self

    def __repr__(self):
        return f"<{self._n} findings spilled, {list.__len__(self)} added>"

    def __reduce__(self):
        return (list, (list(self),))


def _refused(name: str):
    def refuse(self, *a, **kw):
        raise TypeError(f"spilled findings are iterated, not used with {name}: take list() of them")
    refuse.__name__ = name
    return refuse


for _name in ("__getitem__", "__contains__", "__reversed__", "__add__", "__radd__", "copy", "index", "count", "insert",
              "pop", "remove", "clear", "sort", "reverse", "__setitem__", "__delitem__", "__imul__", "__mul__",
              "__rmul__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(SpilledFindings, _name, _refused(_name))


def pack(report, spill: Spill | None) -> None:
    """Move ``report``'s findings into ``spill`` (None: keep them where they are)."""
    if spill is not None and report.findings and type(report.findings) is list:
        report.findings = SpilledFindings(spill, report.findings)
