"""Reference data: activity groups, programmes, regions and districts, with dates of validity.

The data are CSV files in ``krm/data`` (sources and licences in ``krm/data/SOURCES.md``).
Every lookup that can change over time takes the date it is asked for.

Programme lists for other years: put a CSV with the columns of
``krm/data/programmes-2019.csv`` (code, order, short, name_kk, name_ru, name_en,
valid_from, valid_to) in a folder named by the ``KRM_REFERENCE_DIR`` environment
variable, or pass it with ``--programmes FILE`` to the commands that take it
(:func:`add_programme_file`).  A list whose validity covers the date wins over
the built-in one.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

DATA = resources.files("krm") / "data"


def data_path(name: str) -> Path:
    return Path(str(DATA / name))


def _rows(name: str) -> list[dict[str, str]]:
    with open(data_path(name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def as_date(when: dt.date | str | None) -> dt.date:
    """A date from a date, 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (first day of the period); None = today."""
    if when is None:
        return dt.date.today()
    if isinstance(when, dt.datetime):
        return when.date()
    if isinstance(when, dt.date):
        return when
    s = str(when).strip()
    if re.fullmatch(r"\d{4}", s):
        return dt.date(int(s), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", s):
        return dt.date(int(s[:4]), int(s[5:]), 1)
    return dt.date.fromisoformat(s)


def _valid(frm: dt.date | None, to: dt.date | None, on: dt.date) -> bool:
    return (frm is None or frm <= on) and (to is None or on <= to)


# ---------------------------------------------------------------- normalisation
_LOOKALIKE = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
                            "k": "к", "h": "һ", "i": "і", "m": "м", "t": "т", "b": "в"})


def norm(text: object) -> str:
    """Normalise a name for matching: NFC, case-folded, spaces and punctuation folded.

    Kazakh and Russian names are matched after NFC normalisation (decomposed letters
    such as "й" typed as "и" + combining breve compare equal) and with the Latin
    letters that look like Cyrillic ones folded, a common slip in typed names.
    """
    return _norm(str(text or ""))


@lru_cache(maxsize=16384)  # the same few hundred names are matched for every row of every file
def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).casefold()
    s = s.replace("ё", "е").replace("\u00a0", " ")
    s = re.sub(r"^\s*\d+(\.\d+)*\.?\s*", "", s)  # leading numbering "1." / "1.1"
    s = re.sub(r"[\"'«»“”„.,;:()\-–—_/]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if re.fullmatch(r"(\S )+\S", s):  # letters spaced out ("ө н е р к ә с і п")
        s = s.replace(" ", "")
    if re.search(r"[а-яәіңғүұқөһ]", s):
        s = s.translate(_LOOKALIKE)
    return s


# ---------------------------------------------------------------- activities
@dataclass(frozen=True)
class Activity:
    code: str  # "1" … "9"
    order: int
    name_kk: str
    name_ru: str
    name_en: str
    oked: str

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", self.name_en)

    def label(self, lang: str) -> str:
        """The dropdown / row label: "1. ауыл шаруашылығы, …"."""
        return f"{self.code}. {self.name(lang)}"


@lru_cache(maxsize=1)
def activities() -> tuple[Activity, ...]:
    rows = _rows("activities.csv")
    return tuple(Activity(r["code"], int(r["order"]), r["name_kk"], r["name_ru"], r["name_en"], r["oked"])
                 for r in sorted(rows, key=lambda r: int(r["order"])))


@lru_cache(maxsize=1)
def _activity_index() -> dict[str, Activity]:
    idx: dict[str, Activity] = {}
    for a in activities():
        for key in (a.name_kk, a.name_ru, a.name_en):
            idx[norm(key)] = a
    return idx


def activity(text: object) -> Activity | None:
    """The activity group named by ``text`` (code, or kk/ru/en name, with or without "N.")."""
    if text is None:
        return None
    return _activity_of(str(text).strip())


@lru_cache(maxsize=4096)  # every row of every KRM-1/2/3 names one of a few dozen labels
def _activity_of(s: str) -> Activity | None:
    m = re.match(r"^\s*(\d)\s*\.?\s*(.*)$", s, re.S)
    by_code = {a.code: a for a in activities()}
    if m and not m.group(2).strip(" .;"):
        return by_code.get(m.group(1))
    hit = _activity_index().get(norm(m.group(2) if m else s))
    if hit is not None and m and hit.code != m.group(1):
        return None  # number and name disagree
    return hit


# ---------------------------------------------------------------- programmes
@dataclass(frozen=True)
class Programme:
    code: str
    order: int
    short: str
    name_kk: str
    name_ru: str
    name_en: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", self.name_en)


_extra_programme_files: list[Path] = []


def add_programme_file(path: str | Path) -> None:
    """Use a user-supplied programme list (CSV, same columns as programmes-2019.csv)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"programme list not found: {p}")
    _read_programme_file(p)  # fail early on a bad file
    _extra_programme_files.append(p)
    _programme_lists.cache_clear()


def _read_programme_file(path: Path) -> list[Programme]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    need = {"code", "order", "name_kk", "name_ru", "name_en", "valid_from", "valid_to"}
    if not rows or not need <= set(rows[0]):
        raise ValueError(f"{path}: a programme list needs the columns {', '.join(sorted(need))}")
    return [Programme(r["code"].strip(), int(r["order"]), (r.get("short") or r["code"]).strip(),
                      r["name_kk"].strip(), r["name_ru"].strip(), r["name_en"].strip(),
                      _date(r["valid_from"]), _date(r["valid_to"]), str(path))
            for r in rows]


@lru_cache(maxsize=None)
def _programme_lists() -> tuple[tuple[Programme, ...], ...]:
    """Every known list, user lists first (they win), then the built-in editions."""
    files: list[Path] = list(_extra_programme_files)
    env = os.environ.get("KRM_REFERENCE_DIR")
    if env and Path(env).is_dir():
        files += sorted(Path(env).glob("programmes*.csv"))
    files += sorted(data_path(".").glob("programmes-*.csv"))
    return tuple(tuple(sorted(_read_programme_file(f), key=lambda p: p.order)) for f in files)


def programmes(on: dt.date | str | None = "2019-01") -> list[Programme]:
    """The programme list valid on a date (default: the 2019 edition of the forms).

    When no list covers the date, the most recent list is returned (the forms keep
    their last programme columns until a new list is supplied).
    """
    day = as_date(on)
    lists = _programme_lists()
    for lst in lists:
        if any(_valid(p.valid_from, p.valid_to, day) for p in lst):
            return [p for p in lst if _valid(p.valid_from, p.valid_to, day)]
    latest = max(lists, key=lambda lst: max((p.valid_to or dt.date.max) for p in lst))
    return list(latest)


def programmes_cover(on: dt.date | str | None) -> bool:
    day = as_date(on)
    return any(_valid(p.valid_from, p.valid_to, day) for lst in _programme_lists() for p in lst)


def programme(text: object, on: dt.date | str | None = None) -> Programme | None:
    """The programme named by code, short name or full name in any language."""
    if text is None or str(text).strip() == "":
        return None
    key = norm(text)
    pool = programmes(on) if on is not None else [p for lst in _programme_lists() for p in lst]
    for p in pool:
        if key in (norm(p.code), norm(p.short), norm(p.name_kk), norm(p.name_ru), norm(p.name_en)):
            return p
    return None


# ---------------------------------------------------------------- regions
@dataclass(frozen=True)
class Region:
    kato: str  # 2-digit code
    kato9: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", self.name_en)

    def valid_on(self, on: dt.date) -> bool:
        return _valid(self.valid_from, self.valid_to, on)


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    return tuple(Region(r["kato_code"], r["kato9"], r["name_kk"], r["name_ru"], r["name_en"], r["kind"],
                        _date(r["valid_from"]), _date(r["valid_to"]))
                 for r in _rows("regions.csv"))


def regions(on: dt.date | str | None = None) -> list[Region]:
    """Regions (oblasts, cities of republican significance, the capital) valid on a date, in KATO order."""
    day = as_date(on)
    return sorted((r for r in all_regions() if r.valid_on(day)), key=lambda r: r.kato)


_REGION_WORDS = re.compile(r"\b(облысы|область|обл|қаласы|қ|г|город|region|city|oblast)\b")


@lru_cache(maxsize=None)
def _region_keys(r: Region) -> frozenset[str]:
    keys = {r.kato, r.kato9, f"kz {r.kato}"}
    for n in (r.name_kk, r.name_ru, r.name_en):
        k = norm(n)
        keys.add(k)
        keys.add(_REGION_WORDS.sub(" ", k).split()[0] if _REGION_WORDS.sub(" ", k).split() else k)
    return frozenset(k for k in keys if k)


def _region_match(text: object, pool) -> Region | None:
    code = re.search(r"\b(\d{9}|\d{2})\b", str(text or ""))
    if code:
        c = code.group(1)
        return next((r for r in pool if c in (r.kato, r.kato9)), None)
    key = norm(text)
    if not key:
        return None
    bare = " ".join(_REGION_WORDS.sub(" ", key).split())
    is_city = bool(re.search(r"\b(қ|г|город|city|қаласы)\b", key))
    hits = [r for r in pool if key in _region_keys(r) or bare in _region_keys(r)]
    if len(hits) > 1:  # "Алматы" is both an oblast and a city: the words decide
        hits = [r for r in hits if (r.kind != "oblast") == is_city] or hits
    return hits[0] if hits else None


def region(text: object, on: dt.date | str | None = None) -> Region | None:
    """The region named by ``text`` valid on ``on`` (kk/ru/en name, 2- or 9-digit KATO code)."""
    return _region_match(text, regions(on))


def region_any(text: object) -> Region | None:
    """The region named by ``text`` at any time (to tell 'unknown' from 'not valid then')."""
    return _region_match(text, all_regions())


# ---------------------------------------------------------------- districts
@dataclass(frozen=True)
class District:
    kato: str  # 9-digit code
    set: str  # "2019" or "current"
    region_kato: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", self.name_en) or self.name_ru


@lru_cache(maxsize=1)
def _district_sets() -> list[tuple[str, dt.date | None, dt.date | None]]:
    return [(r["set"], _date(r["valid_from"]), _date(r["valid_to"])) for r in _rows("district-sets.csv")]


def district_set(on: dt.date | str | None = None) -> str:
    day = as_date(on)
    for name, frm, to in _district_sets():
        if _valid(frm, to, day):
            return name
    return "2019" if day < dt.date(2022, 6, 8) else "current"


@lru_cache(maxsize=1)
def _all_districts() -> tuple[District, ...]:
    return tuple(District(r["kato_code"], r["set"], r["region_kato"], r["name_kk"], r["name_ru"],
                          r["name_en"], r["kind"]) for r in _rows("districts.csv"))


def districts(region_kato: str | None = None, on: dt.date | str | None = None) -> list[District]:
    """Districts and cities of oblast significance valid on a date, optionally of one region."""
    s = district_set(on)
    return sorted((d for d in _all_districts() if d.set == s and (region_kato is None or d.region_kato == region_kato)),
                  key=lambda d: d.kato)


_DISTRICT_WORDS = re.compile(r"\b(ауданы|аудан|район|district|қ ә|г а|қала|қаласы|город|city|г|қ)\b")


@lru_cache(maxsize=None)
def _district_keys(d: District) -> frozenset[str]:
    keys = {d.kato}
    for n in (d.name_kk, d.name_ru, d.name_en):
        if n:
            k = norm(n)
            keys.add(k)
            bare = " ".join(_DISTRICT_WORDS.sub(" ", k).split())
            if bare:
                keys.add(bare)
                keys.add(re.sub(r"(ский|ская|ское|кий)$", "", bare))
    return frozenset(keys)


def _district_match(text: object, pool) -> District | None:
    code = re.search(r"\b(\d{9})\b", str(text or ""))
    if code:
        return next((d for d in pool if d.kato == code.group(1)), None)
    key = norm(text)
    if not key:
        return None
    bare = " ".join(_DISTRICT_WORDS.sub(" ", key).split())
    stem = re.sub(r"(ский|ская|ское|кий)$", "", bare)
    for d in pool:
        ks = _district_keys(d)
        if key in ks or bare in ks or stem in ks:
            return d
    return None


def district(text: object, region_kato: str | None = None, on: dt.date | str | None = None) -> District | None:
    """The district named by ``text`` (name in any language or 9-digit KATO) valid on ``on``."""
    return _district_match(text, districts(region_kato, on))


def district_any(text: object, region_kato: str | None = None) -> District | None:
    pool = [d for d in _all_districts() if region_kato is None or d.region_kato == region_kato]
    return _district_match(text, pool)


def district_label(d: District, lang: str) -> str:
    """The label used in dropdowns: the name with its KATO code, unambiguous across regions."""
    return f"{d.name(lang)} ({d.kato})"
