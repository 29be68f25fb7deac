"""The catalogue's records and the code symbols rules refer to them by."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from krm import codes
from krm.catalogue import CATALOGUE
from krm.findings import Check, Finding, Words

ROOT = Path(__file__).resolve().parents[1]


def test_every_code_has_its_symbol_and_every_symbol_its_code():
    symbols = {n: v for n, v in vars(codes).items() if re.fullmatch(r"[EW]\d{3}", n)}
    assert sorted(f"KRM-{n}" for n in symbols) == sorted(CATALOGUE)
    for n, v in symbols.items():
        assert v is CATALOGUE[f"KRM-{n}"] and isinstance(v, Check)


def test_records_are_typed_and_grouped():
    for c in CATALOGUE.values():
        assert c.severity in ("error", "warning") and c.code.startswith(("KRM-E", "KRM-W"))
        assert (c.severity == "error") == c.is_error == c.code.startswith("KRM-E")
        assert isinstance(c.message, Words) and isinstance(c.hint, Words)
        assert c.message["ru"] == c.message.ru == c.message.get("ru") and c.message.get("xx") is None
        assert c.group in ("reading", "structure", "values", "consistency", "identifiers", "reference",
                           "signature", "workbook", "layout", "digital-signature", "across-months"), c.code
    assert codes.E034.group == "consistency" and str(codes.E034) == "KRM-E034"


def test_a_finding_made_from_a_symbol_stores_its_code():
    f = Finding(code=codes.E034, severity=codes.E034.severity, file="x.xlsx")
    assert f.code == "KRM-E034" and f.to_dict()["code"] == "KRM-E034"


def test_rules_name_codes_by_symbol_only():
    """No rule module spells a code as a string: a misspelt symbol fails at import, a string would not."""
    for p in sorted((ROOT / "krm" / "rules").rglob("*.py")):
        assert not re.search(r"[\"']KRM-[EW]\d", p.read_text(encoding="utf-8")), p


def test_an_unknown_code_fails_at_import(tmp_path, monkeypatch):
    (tmp_path / "krm_rule_with_a_typo.py").write_text("from krm.codes import E999\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError):
        importlib.import_module("krm_rule_with_a_typo")
    sys.modules.pop("krm_rule_with_a_typo", None)
