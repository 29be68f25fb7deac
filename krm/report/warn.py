"""A warning about the month's data, in English (the report's stdout and logs) and in the note's language.

A :class:`Warn` is the English sentence as a ``str`` (so lists of warnings print, compare and serialise as
before) that also keeps its message key and fields; :func:`shown` words it in the note's or the control
sheet's language from ``messages.json`` (``warn_<key>``), falling back to the English sentence.
"""

from __future__ import annotations


class Warn(str):
    key: str
    fields: dict

    def __new__(cls, key: str, english: str, **fields) -> "Warn":
        w = super().__new__(cls, english)
        w.key, w.fields = key, fields
        return w

    def __reduce__(self):  # keep key and fields across processes
        return (_rebuild, (self.key, str(self), self.fields))


def _rebuild(key: str, english: str, fields: dict) -> Warn:
    return Warn(key, english, **fields)


def shown(w: str, t) -> str:
    """``w`` in the language of the texts ``t`` (:class:`krm.report.sheets.Texts`)."""
    key = f"warn_{getattr(w, 'key', '')}"
    if isinstance(w, Warn) and key in t.data:
        return t(key, **w.fields)
    return str(w)
