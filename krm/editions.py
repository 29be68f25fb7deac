"""The editions of every form: the current spec (:data:`krm.forms.FORMS`) and the past ones kept here.

A form's spec carries its ``edition`` and ``valid_from``.  When the regulation changes a form, the spec
in :mod:`krm.forms` becomes the new edition (:meth:`krm.spec.FormSpec.revised`, or an edit with a new
``edition``) and the spec it replaces is listed in :data:`PAST`, so that a workbook filled from an
older template is read against the edition it was made from:

* a workbook that declares its edition (document property ``krm_spec_version``, written by every
  krm template) is read against that edition (:func:`spec`);
* a workbook without one (a foreign or hand-made layout) is read against the edition whose column
  layout it matches (:func:`matching`), the current one first;
* a workbook drawn as the regulation's annex prints the form (no krm names at all) is read by the printed
  layout it matches, registered here with the edition it prints (:data:`printed`, :func:`locate_printed`);

:func:`read_against` is the one place that decides which edition and layout a workbook is read against.
* templates and outputs use the current edition; the roll-ups map every edition's columns onto the
  current form's by the columns' roles (:attr:`krm.spec.Column.carried_as`).

``docs/templates.md`` ("Editions") says how to add one.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from krm.spec import FormSpec

#: past editions, oldest first: one entry per form and edition no longer current.  Empty while every
#: form is in its first edition (Order No. 189 of 2019).
PAST: list[FormSpec] = []


def current(form_id: str) -> FormSpec:
    from krm import forms

    return forms.FORMS[form_id]


def at_level(level: str) -> list[FormSpec]:
    """The current specs of the forms at ``level`` (district, region, programme, nation), in form order."""
    from krm import forms

    return [s for s in forms.FORMS.values() if s.level == level]


#: the level each level's measures are carried to (KRM-2 -> KRM-3 -> KRM-4/5); KRM-1's plan rows feed the
#: plan summary, which is built by the roll-up, not by a form
NEXT_LEVEL = {"district": "region", "region": "programme"}


def carried_to(form_id: str, edition: str | None, level: str) -> dict[str, str]:
    """Which measures of ``form_id`` (in ``edition``) reach the forms at ``level``, and under which key there:
    {column key in the form: column key at ``level``}.  Each step follows the columns' roles
    (:attr:`krm.spec.Column.carried_as`) into the next level's current forms; a measure the next level has
    no column for stops there."""
    first = spec(form_id, edition)
    cols = {c.key: c for c in first.columns}
    keys = {c.key: c.key for c in first.columns if c.role == "measure"}
    lvl = first.level
    while lvl != level:
        if lvl not in NEXT_LEVEL:
            return {}
        lvl = NEXT_LEVEL[lvl]
        nxt = {c.key: c for s in at_level(lvl) for c in s.columns}
        keys = {k: cols[v].carried_as for k, v in keys.items() if cols[v].carried_as in nxt}
        cols = nxt
    return keys


def all_of(form_id: str) -> list[FormSpec]:
    """Every edition of a form, the current one first, then the past ones newest first."""
    cur = current(form_id)
    return [cur, *(s for s in reversed(PAST) if s.id == form_id and s.edition != cur.edition)]


def spec(form_id: str, edition: str | None) -> FormSpec:
    """The spec of ``form_id`` in ``edition`` (None, or an edition not in the registry: the current one)."""
    if edition is not None:
        for s in all_of(form_id):
            if s.edition == edition:
                return s
    return current(form_id)


def known(form_id: str, edition: str | None) -> bool:
    return edition is not None and any(s.edition == edition for s in all_of(form_id))


@dataclass(frozen=True)
class PrintedLayout:
    """A way a form is drawn other than krm's template (an annex of the regulation), and the edition it prints:
    a workbook in this layout is read against that edition, which the roll-ups map onto the current one."""

    form: str
    edition: str
    name: str  # "annex-2": what ParsedForm.layout records
    locate: Callable  # (pf, spec) -> bool: fill pf from this layout, against spec; False if the sheet is not in it


def printed(form_id: str) -> list[PrintedLayout]:
    """The printed layouts registered for a form (:mod:`krm.layouts`), in the order they are tried."""
    from krm.layouts import annex, blocks

    out = [PrintedLayout(lay.form, lay.edition, f"annex-{lay.annex}",
                         lambda pf, spec, lay=lay: annex.locate(pf, spec, lay))
           for lay in annex.LAYOUTS.values() if lay.form == form_id]
    out += [PrintedLayout(f, e, n, blocks.locate) for f, e, n in blocks.LAYOUTS if f == form_id]
    return out


def locate_printed(pf) -> bool:
    """Fill ``pf`` (a workbook without krm's names, recognised by its index text) from the first printed layout
    of its form that the sheet matches, read against the edition that layout prints; False: none matches."""
    form_id = pf.spec.id
    return any(lay.locate(pf, spec(form_id, lay.edition)) for lay in printed(form_id))


def read_against(first: FormSpec, declared: str | None, parse: Callable[[FormSpec], object]):
    """The workbook parsed (``parse(spec)``) against the edition it is read against: the one it declares
    (``krm_spec_version``) if the registry holds it; else the current one, when its layout fits or it is a
    printed layout (which names its own edition); else the first past edition (newest first) whose layout
    fits; else the current one."""
    from krm.workbook.reader import layout_fits

    if known(first.id, declared):
        return parse(spec(first.id, declared))
    pf = parse(first)
    others = all_of(first.id)[1:]
    if not others or pf.number_row is None or pf.layout or layout_fits(pf):
        return pf
    for other in others:
        alt = parse(other)
        if alt.number_row is not None and layout_fits(alt):
            return alt
    return pf


def matching(form_id: str, fits: Callable[[FormSpec], bool]) -> FormSpec:
    """The first edition (current first, then newest first) whose layout ``fits``; else the current one."""
    eds = all_of(form_id)
    return next((s for s in eds if fits(s)), eds[0])


@contextmanager
def edition_in_force(*new: FormSpec) -> Iterator[None]:
    """Make each spec of ``new`` its form's current edition (the one it replaces becomes past) for the
    duration: how a test tries a new edition without touching :mod:`krm.forms`."""
    from krm import forms

    old = {s.id: forms.FORMS[s.id] for s in new}
    past = list(PAST)
    try:
        for s in new:
            PAST.append(old[s.id])
            forms.FORMS[s.id] = s
        _forget()
        yield
    finally:
        forms.FORMS.update(old)
        PAST[:] = past
        _forget()


def _forget() -> None:
    """Drop what was worked out from the specs in force (caches keyed by form)."""
    from krm.rules import structure

    structure._allowed_texts.cache_clear()
