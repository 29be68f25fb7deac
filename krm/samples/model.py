"""The sample model's records (a project, a slot, a fault, a run's result), its seeded random
streams and the small helpers every part of the generator shares."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

GENERATOR_VERSION = "1"
DEFAULT_SEED = 2019
MILLI = Decimal("0.001")


# ------------------------------------------------------------------ data
@dataclass
class Project:
    activity: str
    name_kk: str
    name_ru: str
    bin: str
    enterprise: str
    start: dt.date
    end: dt.date
    plan: int
    fact: int
    allocated: Decimal
    disbursed: Decimal
    rb: Decimal
    lb: Decimal

    def name(self, lang: str) -> str:
        return self.name_kk if lang == "kk" else self.name_ru


@dataclass
class Slot:
    """One district's reporting under one programme for the year (KRM-1) and the month (KRM-2)."""

    region: str  # 2-digit KATO
    district: str  # 9-digit KATO
    programme: str
    lang: str
    projects: list[Project]
    signature: dict
    krm1_time: dt.datetime
    krm2_time: dt.datetime | None  # None: the KRM-2 did not arrive
    overfulfilled: bool = False  # some row has fact > plan (a realistic warning, not a fault)

    def month_projects(self, month_end: dt.date) -> list[Project]:
        return [p for p in self.projects if p.start <= month_end]


@dataclass
class Fault:
    kind: str
    file: str  # path relative to the month folder
    code: str | None  # the finding code validation should give (None: not a per-file finding)
    scope: str  # "file" | "aggregate"
    cell: str | None = None
    note: str = ""
    duplicate_of: str | None = None
    aggregate: str | None = None  # what `krm aggregate` should mark the file as ("conflict")


@dataclass
class SampleResult:
    out: Path
    month: str
    seed: int
    krm1: list[Path] = field(default_factory=list)
    krm2: list[Path] = field(default_factory=list)
    faulty: list[Fault] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "district/programme" slots with no KRM-2

    @property
    def files(self) -> list[Path]:
        return self.krm1 + self.krm2


def _stream(seed: int, *parts: str) -> random.Random:
    return random.Random(":".join([str(seed), *parts]))


def _choice_w(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _q(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(MILLI, rounding=ROUND_HALF_UP)


def slug(text: str) -> str:
    """ASCII-safe file-name part."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return s or "x"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        raise ValueError(f"month must be YYYY-MM, not {month!r}")
    y, m = int(month[:4]), int(month[5:])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)
