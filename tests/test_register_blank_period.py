"""A workbook whose reporting period is blank (KRM-E013) is checked through the register like any other:
its findings are those of a run without the register, not a lost worker (KRM-E009)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_bad_corpus import HEADER, good_bytes  # noqa: E402


def test_blank_period_through_the_register(tmp_path):
    import krm.register as register
    from krm.validate import validate_paths

    wb = tmp_path / "blank_period.xlsx"
    wb.write_bytes(good_bytes(header={k: v for k, v in HEADER.items() if k != "period"}))
    reg = register.open(str(tmp_path / "reg.sqlite"))
    try:
        on = validate_paths([wb], jobs=1, register=reg)
    finally:
        reg.close()
    off = validate_paths([wb], jobs=1, register=False)
    codes = [f.code for f in on[0].findings]
    assert "KRM-E013" in codes and "KRM-E009" not in codes
    assert codes == [f.code for f in off[0].findings]
