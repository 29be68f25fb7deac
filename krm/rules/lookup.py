"""Cached reference look-ups for the rules (one run validates thousands of similar files)."""

from __future__ import annotations

from functools import lru_cache

from krm import reference


@lru_cache(maxsize=8192)
def region(text, on):
    return reference.region(text, on)


@lru_cache(maxsize=8192)
def region_any(text):
    return reference.region_any(text)


@lru_cache(maxsize=16384)
def district(text, region_kato, on):
    return reference.district(text, region_kato, on)


@lru_cache(maxsize=8192)
def district_any(text, region_kato=None):
    return reference.district_any(text, region_kato)


@lru_cache(maxsize=4096)
def programme(text, on=None):
    return reference.programme(text, on)


@lru_cache(maxsize=4096)
def activity(text):
    return reference.activity(text)


def cache_clear() -> None:
    """Forget cached answers (after the reference data changed, e.g. a programme list was added)."""
    for f in (region, region_any, district, district_any, programme, activity):
        f.cache_clear()
