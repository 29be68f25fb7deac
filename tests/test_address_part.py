"""KRM-2's address part (Annex 2's explanation ¶1: the enterprise's name, its registered address, its actual
address), krm's KRM-2 edition 2: per row, after the annex's columns 1-9 (which keep their numbers), optional
texts that feed no total.  A workbook with the address filled validates clean and rolls up to the same KRM-3 as
one without it; edition 1 workbooks (the committed samples) still read as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

import fill
from krm import editions, forms
from krm.aggregate import aggregate
from krm.templates_api import write_template
from krm.validate import validate_file
from krm.workbook.reader import read

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "2019-05"
ADDRESS = ("enterprise", "reg_address", "actual_address")
#: the address part, a formula-looking text among them (text stays text)
FILLED = [("«Құрылыс» ЖШС", "Ақмола обл., Көкшетау қ., Абай к-сі, 12", "=Көкшетау қ., Ауэзов к-сі, 3"),
          ("ЖШС Жылыжай", "+7 Степногорск қ., 4 шағын аудан, 1", "Ақмола обл., Бурабай ауд., Щучинск қ."),
          ("ЖК Ахметов", "@Ақкөл қ.", "-")]


def _rows(address: bool):
    rows = fill.rows("KRM-2")
    if not address:
        return [{**r, "enterprise": None} for r in rows]
    return [{**r, **dict(zip(ADDRESS, a))} for r, a in zip(rows, FILLED)]


def _cells(path: Path) -> list:
    ws = openpyxl.load_workbook(path)[forms.KRM2.sheet_name]
    return [c for row in ws.iter_rows() for c in row]


def test_the_template_carries_the_address_part_after_column_9(tmp_path):
    spec = forms.KRM2
    assert spec.edition == "2" and editions.known("KRM-2", "1")
    assert [c.key for c in spec.columns[-3:]] == list(ADDRESS)
    for lang, words in (("kk", ("Кәсіпорынның немесе ұйымның атауы", "Тіркелген орны (мекен-жайы)",
                                "Нақты орналасқан жерінің мекен-жайы", "Нысанның мекен-жай бөлігі")),
                        ("ru", ("Наименование предприятия или организации", "Место регистрации (адрес)",
                                "Адрес фактического местонахождения", "Адресная часть формы"))):
        pf = read(write_template(spec, lang, tmp_path))
        assert pf.spec.edition == pf.spec_version == "2"
        numbers = [pf.found_numbers[pf.colmap[c.key]] for c in spec.columns if c.type.name != "SEQ"]
        assert numbers == ["2", "3", "4", "5.1", "5.2", "6", "7", "8", "9", "к1", "к2", "к3"]
        assert max(pf.colmap[k] for k in ("disbursed", "start", "plan")) < min(pf.colmap[k] for k in ADDRESS)
        texts = {str(c.value) for c in _cells(pf.path)}
        assert all(w in texts for w in words), lang
    for c in spec.columns[-3:]:  # optional texts of krm's; the addresses feed nothing (the name as in edition 1)
        assert c.type.name == "TEXT" and not c.required and not c.official
        assert c.carried_as is None or c.key == "enterprise"


def test_address_filled_validates_clean_and_rolls_up_as_without_it(tmp_path):
    with_it = fill.filled("KRM-2", tmp_path, name="with.xlsx", rows_over=_rows(True))
    without = fill.filled("KRM-2", tmp_path, name="without.xlsx", rows_over=_rows(False))
    assert validate_file(with_it, today=fill.TODAY).findings == []
    assert validate_file(without, today=fill.TODAY).findings == []
    # texts are texts: read back as written, never stored as a formula
    pf = read(with_it)
    assert [tuple(r.values.get(k) for k in ADDRESS) for r in pf.rows] == FILLED
    typed = [c for c in _cells(with_it) if isinstance(c.value, str) and c.value in {a for t in FILLED for a in t}]
    assert len(typed) == 9 and all(c.data_type == "s" for c in typed)
    # the roll-up: the same KRM-3 (and everything above it), figure for figure
    got = {}
    for name, src in (("with", with_it), ("without", without)):
        folder = tmp_path / name / "month"
        shutil.copytree(SAMPLES / "11-Akmola-Region", folder / "11-Akmola-Region")
        shutil.copy(src, folder / "11-Akmola-Region" / "KRM-2_new.xlsx")
        res = aggregate(folder, tmp_path / name / "out", today=fill.TODAY, jobs=1)
        assert all(o.control is None or o.control.balanced for o in res.outputs)
        got[name] = {p.name: [r.values for r in read(p).rows] for p in (tmp_path / name / "out").rglob("*.xlsx")}
    assert got["with"] == got["without"]
    k3 = [rows for n, rows in got["with"].items() if n.startswith("KRM-3.")]
    assert any(r.get("project") == "Дүкен" for rows in k3 for r in rows)  # the new workbook was rolled up
    assert not any(k in r for rows in got["with"].values() for r in rows for k in ADDRESS[1:])


def test_an_edition_1_workbook_still_reads(tmp_path):
    sample = next((SAMPLES / "11-Akmola-Region").glob("KRM-2*.xlsx"))
    pf = read(sample)
    assert pf.spec.edition == pf.spec_version == "1" and not {"reg_address", "actual_address"} & set(pf.colmap)
    assert pf.rows and not [f for f in validate_file(sample, today=fill.TODAY).findings if f.severity == "error"]
    # an edition 1 workbook without its edition property is read by the layout it matches
    with editions.edition_in_force(editions.spec("KRM-2", "1")):
        old = fill.filled("KRM-2", tmp_path, name="old.xlsx")
    plain = fill.edit(old, {}, tmp_path / "plain.xlsx", ops=_no_version)
    for path in (old, plain):
        pf = read(path)
        assert pf.spec.edition == "1" and [r.values["enterprise"] for r in pf.rows] == \
            [r["enterprise"] for r in fill.rows("KRM-2")]
        assert validate_file(path, today=fill.TODAY).findings == []


def _no_version(ws, wb):
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != "krm_spec_version"]


def _print_cells(path: Path, data_only: bool) -> list:
    ws = openpyxl.load_workbook(path, data_only=data_only)["КРМ-2 Басып шығару"]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_print_sheet_prints_the_address_part_after_the_table(tmp_path):
    """Edition 2's print sheet prints the address part (its heading, № · БСН (ЖСН) · к1-к3, a row per project in the
    entry sheet's order, every cell a formula on the entry row with its value cached, a formula-looking text as
    text) after the nine groups and before the signature block; an edition 1 workbook has none."""
    p = fill.filled("KRM-2", tmp_path, name="with.xlsx", rows_over=_rows(True))
    shown, raw = _print_cells(p, True), _print_cells(p, False)
    flat = [v for row in shown for v in row if v not in (None, "")]
    at = flat.index("Нысанның мекен-жай бөлігі")
    assert flat.index("9.") < at < flat.index("Электрондық почта мекенжайы")
    assert flat[at + 1:at + 11] == ["Р/с №", "Кәсіпорынның БСН (ЖСН)", "Кәсіпорынның немесе ұйымның атауы",
                                    "Тіркелген орны (мекен-жайы)", "Нақты орналасқан жерінің мекен-жайы",
                                    "1", "2", "к1", "к2", "к3"]
    rows = fill.rows("KRM-2")
    part = flat[at + 11:at + 11 + 5 * len(FILLED)]
    assert [tuple(part[i + 2:i + 5]) for i in range(0, len(part), 5)] == FILLED
    assert [part[i + 1] for i in range(0, len(part), 5)] == [r["bin"] for r in rows[:len(FILLED)]]
    r0 = next(i for i, row in enumerate(shown) if FILLED[0][0] in row)
    formulas = [v for v in raw[r0] if v is not None]
    assert formulas and all(str(v).startswith("=IF('КРМ-2'!$") for v in formulas), formulas
    with editions.edition_in_force(editions.spec("KRM-2", "1")):
        old = fill.filled("KRM-2", tmp_path, name="old.xlsx")
    assert "Нысанның мекен-жай бөлігі" not in [v for row in _print_cells(old, True) for v in row]
