"""The workbook package: defined names, sheets and their parts, relationships, document properties, tables."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from krm.workbook.reader.zipparts import _read, _xml, fold, member


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
      "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
      "dcterms": "http://purl.org/dc/terms/"}

_REF = re.compile(r"^=?'?(?P<sheet>.+?)'?!\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+))?$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


@lru_cache(maxsize=4096)  # the same few names ('КРМ-2'!$D$8 …) in every workbook of a template
def parse_ref(ref: str) -> tuple[str | None, int, int, int, int] | None:
    m = _REF.match(ref.strip())
    if not m:
        m2 = re.match(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", ref.strip())
        if not m2:
            return None
        c1, r1, c2, r2 = m2.groups()
        sheet = None
    else:
        sheet, c1, r1, c2, r2 = m.group("sheet"), m.group("c1"), m.group("r1"), m.group("c2"), m.group("r2")
    c2, r2 = c2 or c1, r2 or r1
    return sheet, int(r1) - 1, col_index(c1), int(r2) - 1, col_index(c2)


@dataclass
class Package:
    sheets: list[tuple[str, str, str]]  # (name, part path, state)
    names: dict[str, str]
    props: dict[str, str]
    modified: dt.datetime | None
    has_macros: bool
    tables: dict[str, tuple[str, str]]  # table name -> (sheet part, ref)
    #: what makes the sheet list ambiguous (Excel and another reader could show different sheets): E072
    ambiguous: tuple[str, ...] = ()


def read_package(zf: zipfile.ZipFile, workbook_xml: bytes | None = None, raw: bytes | None = None) -> Package:
    wb = _part(zf, "xl/workbook.xml", _workbook_info, workbook_xml, raw)
    rels = _part(zf, member(zf, "xl/_rels/workbook.xml.rels"), _rels_targets, raw=raw) or ({}, ())
    targets = rels[0]
    sheets = [(name, targets.get(rid, ("", ""))[0], state) for name, rid, state in wb[0]]
    names = dict(wb[1])
    namelist = zf.namelist()
    ambiguous = list(wb[2]) + list(rels[1]) + _sheet_targets_ambiguous(wb[0], targets) + _case_twins(namelist)
    main = _part(zf, member(zf, "_rels/.rels"), _main_part, raw=raw)
    if main is not None and main != ("xl/workbook.xml",):
        ambiguous.append(f"the package's main part is {', '.join(main) or 'not named'}, not xl/workbook.xml")
    props = dict(_part(zf, "docProps/custom.xml", _custom_props, raw=raw) or ())
    modified = _part(zf, "docProps/core.xml", _core_modified, raw=raw)
    modified = modified[0] if modified else None
    tables = {}
    for part in namelist:
        if part.startswith("xl/tables/") and part.endswith(".xml"):
            t = _part(zf, part, _table_info, raw=raw)
            if t is not None:
                tables[t[0]] = (part, t[1])
    has_macros = "xl/vbaProject.bin" in namelist
    return Package(sheets, names, props, modified, has_macros, tables, tuple(ambiguous))


# What read_package takes from each part, a pure function of the part's bytes.  Workbooks made from one
# template repeat most of these parts byte for byte, so the answers are kept per content (bounded).
_PARTS: dict[tuple, object] = {}
_PART_CACHE_MAX = 256
_PART_CACHED_BYTES = 16 * 1024  # at most 4 MB held


def _part(zf: zipfile.ZipFile, name: str, extract, data: bytes | None = None, raw: bytes | None = None):
    """``extract(root)`` of a package part (None if the part is absent); the XML is parsed by :func:`_xml`
    (which refuses DTD entities) unless the same bytes were parsed before."""
    if data is None:
        try:
            data = _read(zf, name, raw)
        except KeyError:
            return None
    key = (extract, data)
    got = _PARTS.get(key)
    if got is None:
        got = extract(_xml(zf, name, data))
        if len(data) <= _PART_CACHED_BYTES:
            if len(_PARTS) >= _PART_CACHE_MAX:
                _PARTS.clear()
            _PARTS[key] = got
    return got


_M = "{%s}" % NS["m"]
_R_ID = "{%s}id" % NS["r"]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _workbook_info(wb) -> tuple:
    """((sheet name, relationship id, state), ...), ((defined name, text), ...) of the workbook-level names,
    and what makes the sheet list ambiguous.

    Excel and LibreOffice list the ``sheet`` elements of the main namespace and find each one's part
    through its ``r:id``; a reader that matches elements or attributes by their local name alone
    (calamine does) would also take a ``sheet`` or an ``id`` in another namespace.  Anything that
    two such readers could resolve differently is reported, never guessed.
    """
    sheets = tuple((s.get("name"), s.get(_R_ID), s.get("state", "visible"))
                   for s in wb.findall(f"{_M}sheets/{_M}sheet"))
    odd = []
    for holder in wb.iter():
        for el in holder:
            if _local(el.tag) in ("sheet", "sheets") and not (el.tag == f"{_M}sheet" and holder.tag == f"{_M}sheets") \
                    and not (el.tag == f"{_M}sheets" and holder is wb):
                ns = el.tag.partition("}")[0].lstrip("{") if el.tag.startswith("{") else ""
                odd.append(f"a second <{_local(el.tag)}> in namespace {ns}" if ns != NS["m"]
                           else f"a <{_local(el.tag)}> outside <sheets>")
    for s in wb.findall(f"{_M}sheets/{_M}sheet"):
        extra = [k for k in s.attrib if _local(k) in ("name", "id") and k not in ("name", _R_ID)]
        if extra:
            odd.append(f"sheet {s.get('name')!r}: a second name/id ({', '.join(extra)})")
        if s.get(_R_ID) is None:
            odd.append(f"sheet {s.get('name')!r} has no r:id")
    seen = set()
    for name, _, _ in sheets:
        key = (name or "").casefold()
        if key in seen:
            odd.append(f"two sheets named {name!r}")
        seen.add(key)
    names = {}
    for d in wb.findall(f"{_M}definedNames/{_M}definedName"):
        if d.get("localSheetId") is None and d.text:
            names[d.get("name")] = d.text
    return sheets, tuple(names.items()), tuple(odd)


def _target(t: str, base: str = "xl/") -> str:
    """The part a relationship's target names, as calamine finds it: an absolute target without its leading "/",
    any other joined to ``base``, both as written (calamine looks for a member of that very name, so a "." or ".."
    segment or a "//" is not resolved here either: the part krm checks is the part calamine reads)."""
    return t[1:] if t.startswith("/") else base + t


def _rels_targets(rels) -> tuple:
    """({relationship id: (part, type)}, what is ambiguous: a repeated id, a relationship in another namespace)."""
    targets = {}
    odd = []
    for r in rels:
        if r.tag != "{%s}Relationship" % NS["rel"]:
            if _local(r.tag) == "Relationship":
                odd.append(f"a Relationship in another namespace ({r.tag})")
            continue
        rid = r.get("Id")
        if rid in targets:
            odd.append(f"relationship id {rid!r} twice in workbook.xml.rels")
        t = _target(r.get("Target", ""))
        if r.get("TargetMode") == "External":
            t = ""
        targets[rid] = (t, r.get("Type", "").rpartition("/")[2])
    return targets, tuple(odd)


def _sheet_targets_ambiguous(sheets, targets) -> list[str]:
    odd = []
    parts = {}
    for name, rid, _ in sheets:
        if rid is None:
            continue
        part, kind = targets.get(rid, ("", ""))
        if not part:
            odd.append(f"sheet {name!r}: relationship {rid!r} names no part in the package")
        elif kind not in ("worksheet", "chartsheet", "dialogsheet", "xlMacrosheet", "xlIntlMacrosheet"):
            odd.append(f"sheet {name!r}: relationship {rid!r} is of type {kind!r}, not a worksheet")
        elif part in parts:
            odd.append(f"sheets {parts[part]!r} and {name!r} are the same part {part}")
        parts.setdefault(part, name)
    return odd


def _case_twins(names: list[str]) -> list[str]:
    """Members whose names differ only in case: calamine takes the last of them for any of those names, krm the
    one named exactly, and Excel (part names are compared regardless of case) refuses the package."""
    seen: dict[str, str] = {}
    odd = []
    for n in names:
        other = seen.setdefault(fold(n), n)
        if other != n:
            odd.append(f"the package's members {other} and {n} differ only in case")
    return odd


def _main_part(rels) -> tuple:
    """The package's main document part(s) named by _rels/.rels (Excel opens that, whatever its name)."""
    return tuple(_target(r.get("Target", ""), "") for r in rels.findall("{%s}Relationship" % NS["rel"])
                 if r.get("Type", "").endswith("/officeDocument"))


def _custom_props(custom) -> tuple:
    props = {}
    for p in custom.findall("{%s}property" % NS["cp"]):
        child = next(iter(p), None)
        if child is not None and child.text is not None:
            props[p.get("name")] = child.text
    return tuple(props.items())


def _core_modified(core) -> tuple:
    """(modified,): a tuple, so that a cached None is told from no answer."""
    m = core.find("{%s}modified" % NS["dcterms"])
    if m is not None and m.text:
        try:
            return (dt.datetime.fromisoformat(m.text.replace("Z", "+00:00")).replace(tzinfo=None),)
        except ValueError:
            pass
    return (None,)


def _table_info(t) -> tuple:
    return t.get("name") or t.get("displayName"), t.get("ref", "")
