"""Test-wide settings: the register of submissions (krm.register) is off unless a test turns it on.

Tests compare runs, monkeypatch the validator and plant crashing files; a register shared
between them would hide exactly what they check (and the user's own register must never be
touched by the tests).  tests/test_register*.py turn it on with a private database.
"""

import os

import pytest

# before any fixture: module- and session-scoped fixtures run before the autouse one below, and must not
# open the user's default register either
os.environ["KRM_REGISTER"] = "off"


@pytest.fixture(autouse=True)
def _no_register(monkeypatch):
    monkeypatch.setenv("KRM_REGISTER", "off")
