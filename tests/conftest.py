"""Test-wide settings: the per-file result cache (krm.cache) is off unless a test turns it on.

Tests compare runs, monkeypatch the validator and plant crashing files; a cache shared
between them would hide exactly what they check.  tests/test_cache.py turns it on with a
private folder.
"""

import pytest


@pytest.fixture(autouse=True)
def _no_result_cache(monkeypatch):
    monkeypatch.setenv("KRM_CACHE", "off")
