"""The declarative model of a KRM form.

Every other module (template writer, reader, rules, renderers) reads a form only
through these objects; nothing about a form's columns is written down anywhere
else.  The seven concrete specs live in :mod:`krm.forms`.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

SPEC_VERSION = "1"  # the edition of every form's first spec (Order No. 189 of 2019); see krm.editions
LANGS = ("kk", "ru", "en")


class Model:
    """A frozen record declared by its annotations: what the specs were as pydantic models, without pydantic (whose
    import and model building cost every command that reads a form about 0.1 CPU-s).  Built by keyword, each field
    given or its default; a value is taken as pydantic's lax mode took it for the declared types used here (an int
    for a float, a list for a tuple, an Enum's value for the Enum); equal and hashed by type and fields; frozen
    (:meth:`model_copy` makes a changed copy, as pydantic's: without checking the values)."""

    _fields: tuple[str, ...] = ()
    _defaults: dict = {}
    _coerce: dict | None = None

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        names = [n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("_")]
        cls._fields = tuple(dict.fromkeys([*cls._fields, *names]))
        cls._defaults = {**cls._defaults, **{n: cls.__dict__[n] for n in names if n in cls.__dict__}}
        for n in names:  # a default is the instance's value, never read from the class
            if n in cls.__dict__:
                delattr(cls, n)
        cls._coerce = None

    @classmethod
    def _coercions(cls) -> dict:
        """{field: how a value given is taken} from the annotations (read once: they name classes defined later)."""
        if cls._coerce is None:
            ann: dict = {}
            for k in reversed(cls.__mro__):
                ann.update(getattr(k, "__annotations__", {}))
            out = {}
            for n in cls._fields:
                t = ann[n].replace(" ", "")
                one = [x for x in t.split("|") if x != "None"]
                t = one[0] if len(one) == 1 else t  # "X | None": taken as X (None is kept as it is)
                known = globals().get(t)
                if t == "float":
                    out[n] = _to_float
                elif t.startswith("tuple["):
                    out[n] = _to_tuple
                elif isinstance(known, type) and issubclass(known, Enum):
                    out[n] = known
            cls._coerce = out
        return cls._coerce

    def __init__(self, **values):
        unknown = set(values) - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown field(s) {', '.join(sorted(unknown))}")
        d = self.__dict__
        coerce = self._coercions()
        for n in self._fields:
            if n in values:
                v = values[n]
                c = coerce.get(n)
                d[n] = c(v) if c is not None and v is not None else v
            elif n in self._defaults:
                d[n] = self._defaults[n]
            else:
                raise TypeError(f"{type(self).__name__}: field {n!r} is required")
        self._after()

    def _after(self) -> None:
        """Called once a new instance holds its values (its defaults worked out)."""

    def __setattr__(self, name, value):
        raise TypeError(f"{type(self).__name__} is frozen: {name} cannot be set")

    def __delattr__(self, name):
        raise TypeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")

    def model_copy(self, *, update: dict | None = None):
        """A copy with the fields of ``update`` changed (as pydantic's ``model_copy``: the values not checked)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        if update:
            new.__dict__.update(update)
        return new

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self):
        return hash((type(self), tuple(self.__dict__.values())))

    def _fields_text(self, sep: str) -> str:
        return sep.join(f"{n}={getattr(self, n)!r}" for n in self._fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._fields_text(', ')})"

    def __str__(self) -> str:
        return self._fields_text(" ")


def _to_float(v):
    return float(v) if type(v) is int else v


def _to_tuple(v):
    return tuple(v) if isinstance(v, list) else v



class Text(Model):
    """A piece of text in the three languages krm speaks."""

    kk: str
    ru: str
    en: str

    def __call__(self, lang: str) -> str:
        return getattr(self, lang if lang in LANGS else "en")


def T(kk: str, ru: str, en: str) -> Text:  # noqa: N802 - short constructor used in specs
    return Text(kk=kk, ru=ru, en=en)


class ColType(str, Enum):
    SEQ = "seq"  # row number (Р/с №)
    TEXT = "text"
    JOBS = "jobs"  # whole number >= 0
    COUNT = "count"  # whole number >= 0 (projects)
    MONEY = "money"  # million tenge, >= 0, decimals allowed
    DATE = "date"
    ID = "id"  # BIN / IIN, 12 digits kept as text
    ACTIVITY = "activity"
    REGION = "region"
    PROGRAMME = "programme"

    @property
    def numeric(self) -> bool:
        return self in (ColType.JOBS, ColType.COUNT, ColType.MONEY)


class Column(Model):
    key: str  # stable machine name (also the name in JSON output and pandas frames)
    number: str  # what the column-number row shows ("1", "5", "1.1", "к1" …)
    title: Text
    type: ColType
    group: Text | None = None  # heading spanning consecutive columns (e.g. "жоспар / факт")
    unit: Text | None = None
    official: bool = True  # False: a column krm adds to the regulation's form (explained in README)
    required: bool = False  # a data row must have a value here
    width: float = 14
    programme: str | None = None  # KRM-6/7: programme code of a plan/fact column
    measure: str | None = None  # KRM-6/7: "plan" or "fact"; KRM-1: activity code
    #: its role in the chain: "measure" (a figure the next level adds up) or "dimension" (what a row is:
    #: project, activity, region, BIN, district, dates); by default a figure is a measure, the row number
    #: has none and every other column is a dimension (:meth:`_default_role`)
    role: str | None = None
    #: the key the next level's form receives it under (default: the same key); see :meth:`carried_as`
    feeds: str | None = None

    def _after(self) -> None:
        """The default role (see ``role``)."""
        if self.role is None and self.type != ColType.SEQ:
            self.__dict__["role"] = "measure" if self.type.numeric else "dimension"

    @property
    def carried_as(self) -> str | None:
        """The key of this column's value in the next level's model and form (None: not carried)."""
        return (self.feeds or self.key) if self.role else None


class HeaderField(Model):
    key: str  # region, district, period, programme, basis, body, unit
    name: str  # workbook defined name
    label: Text
    type: str  # region | district | period | year | programme | basis | text
    required: bool = True


class SignatureField(Model):
    key: str
    name: str
    label: Text
    hint: Text | None = None
    required: bool = True  # missing -> warning


class Rows(str, Enum):
    FREE = "free"  # any number of rows (projects / enterprises)
    REGIONS = "regions"  # one row per region valid for the period, then the total
    ACTIVITIES = "activities"  # the nine activity groups, then the total


class Deadline(Model):
    """When the form is due, relative to the reporting period."""

    kind: str  # "next-month-day": day N of the month after the period; "yearly": day/month of the current year
    day: int
    month: int | None = None  # for yearly deadlines
    rule: str  # the Rule of the regulation that sets it
    text: Text


class FormSpec(Model):
    id: str  # "KRM-2"
    number: int
    annex: Text
    kind_line: Text  # "Әкімшілік деректерді жинауға арналған нысан"
    title: Text
    unit_caption: Text | None  # caption under the reporting-unit line
    periodicity: Text
    period_kind: str  # "year" or "month"
    submitter: Text
    recipient: Text
    deadline: Deadline
    level: str  # district | region | programme | nation
    header: tuple[HeaderField, ...]
    columns: tuple[Column, ...] = ()  # for KRM-6/7 the programme columns are added per period
    programme_columns: bool = False  # KRM-6/7: plan/fact pairs per programme (see columns_for)
    #: the number of the first programme column (None: after the form's own columns); KRM-6 numbers its
    #: programmes from 2, as its annex's table does (each plan/fact pair under one number)
    programme_numbers_from: int | None = None
    rows: Rows
    total_label: Text | None = None
    footnote: Text | None = None
    explanation: tuple[Text, ...] = ()  # the regulation's filling explanation, paragraph by paragraph
    spare_rows: int = 0  # blank rows in a blank template (FREE forms)
    #: the relations between its columns, as rule objects (:mod:`krm.rules.relations`): sum of parts,
    #: not greater than, date order, the total row, one row per project.  Checks of single cells
    #: (numbers, dates, required, identifiers) follow from the columns' types.
    relations: tuple[Any, ...] = ()
    #: the edition of this spec (written into every workbook as the document property krm_spec_version)
    #: and the first day it applies from; past editions stay in :mod:`krm.editions`
    edition: str = SPEC_VERSION
    valid_from: dt.date = dt.date(2019, 4, 19)  # Order No. 189 registered

    # --- derived ------------------------------------------------------------------
    @property
    def table_name(self) -> str:
        return self.id.replace("-", "") + "_DATA"

    @property
    def sheet_name(self) -> str:
        return self.id.replace("KRM", "КРМ")

    def columns_for(self, programmes: list | None = None) -> tuple[Column, ...]:
        """The form's columns; KRM-6/7 add a plan/fact pair for each programme given."""
        if not self.programme_columns:
            return self.columns
        from krm import annex_text, reference

        progs = programmes if programmes is not None else reference.programmes()
        cols = list(self.columns)
        first = self.programme_numbers_from or len(cols) + 1  # KRM-7: 1-4 → 5; KRM-6: as its annex, from 2
        for i, p in enumerate(progs):
            group = annex_text.programme_heading(self.number, T(p.name_kk, p.name_ru, p.name_en))
            if self.id == "KRM-6":
                nums = (str(first + i), str(first + i))
            else:
                nums = (str(first + 2 * i), str(first + 2 * i + 1))
            cols.append(Column(key=f"{p.code}_plan", number=nums[0], title=PLAN, type=ColType.JOBS,
                               group=group, programme=p.code, measure="plan", width=10))
            cols.append(Column(key=f"{p.code}_fact", number=nums[1], title=FACT, type=ColType.JOBS,
                               group=group, programme=p.code, measure="fact", width=10))
        return tuple(cols)

    def column(self, key: str, programmes: list | None = None) -> Column:
        for c in self.columns_for(programmes):
            if c.key == key:
                return c
        raise KeyError(key)

    def revised(self, edition: str, valid_from: dt.date, *, add: dict[str, "Column"] | None = None,
                relations: tuple = (), **changes) -> "FormSpec":
        """A new edition of this form: ``add`` puts each column after the column keyed as its key
        (``{"disbursed": Column(...)}``), ``relations`` are added to the spec's, ``changes`` set fields."""
        cols = list(self.columns)
        for after, col in (add or {}).items():
            i = next(i for i, c in enumerate(cols) if c.key == after)
            cols.insert(i + 1, col)
        return self.model_copy(update={"edition": edition, "valid_from": valid_from, "columns": tuple(cols),
                                       "relations": self.relations + tuple(relations), **changes})

    def header_field(self, key: str) -> HeaderField | None:
        return next((h for h in self.header if h.key == key), None)


def per_columns(cache: dict, columns: tuple, make):
    """``make(columns)``, worked out once per columns tuple and kept in ``cache`` (id(columns) ->
    (columns, result)): a form's columns are one tuple for every file of the form."""
    got = cache.get(id(columns))
    if got is None or got[0] is not columns:
        if len(cache) >= 64:
            cache.clear()
        got = cache[id(columns)] = (columns, make(columns))
    return got[1]


PLAN = T("жоспар", "план", "plan")
FACT = T("факт", "факт", "fact")
