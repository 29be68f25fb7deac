"""Test-wide settings: the register of submissions (krm.register) is off unless a test turns it on.

Tests compare runs, monkeypatch the validator and plant crashing files; a register shared
between them would hide exactly what they check (and the user's own register must never be
touched by the tests).  tests/test_register*.py turn it on with a private database.
"""

import pytest


@pytest.fixture(autouse=True)
def _no_register(monkeypatch):
    monkeypatch.setenv("KRM_REGISTER", "off")
