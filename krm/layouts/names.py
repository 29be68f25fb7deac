"""Region, district and programme written as names in a header line, matched against the reference
data valid for the period: case and spaces, "ауданы"/"район"/"р-н", "облысы"/"область"/"обл.",
the other language, and the names a region had before or after the period (Astana / Nur-Sultan).

Every function returns *all* the candidates it finds; the caller turns "none" and "more than one"
into findings, so nothing is guessed.
"""

from __future__ import annotations

import re

from krm import reference

_ABBREV = ((re.compile(r"(?<![\w])р-н(?![\w])", re.I), " район "),
           (re.compile(r"(?<![\w])ауд\.(?![\w])", re.I), " ауданы "),
           (re.compile(r"(?<![\w])обл\.(?![\w])", re.I), " область "))


def _pieces(text: str) -> list[str]:
    """The text and its parts split at commas, semicolons, slashes and line breaks."""
    s = str(text)
    for rx, repl in _ABBREV:
        s = rx.sub(repl, s)
    s = re.sub(r"\s+", " ", s).strip(" ,;:")
    parts = [p.strip() for p in re.split(r"[,;/\n]| - | – ", s) if p.strip()]
    return [s] + [p for p in parts if p != s]


def regions(text: str, on) -> list:
    """Regions named in a text, valid on ``on``; a name the region had at another time counts
    for the region that holds its KATO code on ``on``."""
    found = []
    valid = reference.regions(on)
    for piece in _pieces(text):
        r = reference.region(piece, on)
        if r is None:
            old = reference.region_any(piece) or _squashed(piece)
            if old is not None:
                r = next((x for x in valid if x.kato == old.kato), None)
        if r is not None and r not in found:
            found.append(r)
    return found


def _squash(text: str) -> str:
    key = reference.norm(text)
    return "".join(reference._REGION_WORDS.sub(" ", key).split())


def _squashed(piece: str):
    """A region whose name (any language, any time) is the text once region words and spaces are dropped:
    "г. Нур-Султан", "Нұр Сұлтан"."""
    key = _squash(piece)
    if not key:
        return None
    hits = {r.kato: r for r in reference.all_regions()
            if key in {_squash(n) for n in (r.name_kk, r.name_ru, r.name_en)}}
    return next(iter(hits.values())) if len(hits) == 1 else None


_DISTRICT_WORD = re.compile(r"аудан|район|р-н|district|қ\.ә|г\.а|қаласы|город", re.I)


def districts(text: str, region_kato: str | None, on) -> list:
    """Every district (of the region, when known) that a text or one of its parts names."""
    pool = reference.districts(region_kato, on)
    found = []
    for piece in _pieces(text):
        key = reference.norm(piece)
        if not key or (regions(piece, on) and not _DISTRICT_WORD.search(piece)):
            continue  # a region's name ("Түркістан облысы") is not the district of the same name
        bare = " ".join(reference._DISTRICT_WORDS.sub(" ", key).split())
        stem = re.sub(r"(ский|ская|ское|кий)$", "", bare)
        if not bare:
            continue
        for d in pool:
            ks = reference._district_keys(d)
            if (key in ks or bare in ks or stem in ks) and d not in found:
                found.append(d)
        if found:
            break  # the whole text (or the first part) that names a district decides
    return found


def programmes(text: str, on) -> list:
    """Programmes named in a text: by code, short or full name (in any language), or a quoted name."""
    found = []
    cands = _pieces(text)
    cands += [q for q in re.findall(r"[«\"“]([^»\"”]+)[»\"”]", str(text))]
    for piece in cands:
        p = reference.programme(piece, on)
        if p is not None and p not in found:
            found.append(p)
    return found
