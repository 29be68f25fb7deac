"""The form specs without pydantic (krm.spec.Model): built, coerced, compared, copied and frozen as the pydantic
models they were, and reading a form loads no pydantic."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from krm import forms
from krm.spec import ColType, Column, FormSpec, Model, Rows, T, Text


def test_specs_are_plain_frozen_records():
    c = Column(key="jobs", number="5", title=T("a", "b", "c"), type="jobs", width=10)
    assert isinstance(c, Model) and not any(k.__module__.startswith("pydantic") for k in type(c).__mro__)
    assert c.type is ColType.JOBS and type(c.width) is float and c.width == 10.0  # as pydantic's lax mode
    assert c.role == "measure" and c.carried_as == "jobs"  # the default role
    assert Column(key="n", number="1", title=T("a", "b", "c"), type=ColType.SEQ).role is None
    with pytest.raises(TypeError):
        c.key = "other"
    with pytest.raises(TypeError):
        Column(key="x", number="1", title=T("a", "b", "c"))  # type is required
    with pytest.raises(TypeError):
        Text(kk="a", ru="b", en="c", de="d")
    d = c.model_copy(update={"number": "6"})
    assert (d.number, d.key, d.role) == ("6", "jobs", "measure") and c.number == "5" and d != c
    assert c == Column(key="jobs", number="5", title=T("a", "b", "c"), type=ColType.JOBS, width=10.0)
    assert hash(c) == hash(Column(key="jobs", number="5", title=T("a", "b", "c"), type=ColType.JOBS, width=10.0))
    assert repr(T("a", "b", "c")) == "Text(kk='a', ru='b', en='c')" and str(T("a", "b", "c")) == "kk='a' ru='b' en='c'"


def test_every_form_survives_copy_pickle_and_revision():
    for spec in forms.FORMS.values():
        assert isinstance(spec, FormSpec) and isinstance(spec.rows, Rows)
        assert type(spec.columns) is tuple and type(spec.header) is tuple
        assert pickle.loads(pickle.dumps(spec)) == spec
        assert spec.model_copy() == spec and spec.model_copy() is not spec
    k2 = forms.KRM2
    new = k2.revised("9", k2.valid_from, add={k2.columns[1].key: k2.columns[-1].model_copy(update={"key": "extra"})})
    assert [c.key for c in new.columns][2] == "extra" and new.edition == "9" and new.relations == k2.relations


def test_reading_a_form_loads_no_pydantic():
    code = ("import sys, krm.forms, krm.convert, krm.rules; krm.rules.all_rules(); "
            "print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_an_optional_field_is_taken_as_its_type():
    """A field declared ``X | None`` takes a value as ``X`` would (an int for a float, a list for a tuple, a value
    for its Enum), and None as None: a new optional field needs no other edit."""
    from krm.spec import ColType, Model, Rows

    class Probe(Model):
        width: float | None = None
        parts: tuple[str, ...] | None = None
        kind: ColType | None = None
        rows: Rows | None = None

    p = Probe(width=3, parts=["a"], kind=ColType.JOBS.value, rows=Rows.ACTIVITIES.value)
    assert type(p.width) is float and p.parts == ("a",) and p.kind is ColType.JOBS and p.rows is Rows.ACTIVITIES
    assert Probe().width is None and Probe(kind=None).kind is None
