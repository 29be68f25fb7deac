"""One voice across commands: the same words for the same mistake, the same exit codes, output that is not
wrapped when it goes to a file, help without value types beside flags."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krm.cli import app

ROOT = Path(__file__).resolve().parents[1]

def _krm(*args, **kw) -> subprocess.CompletedProcess:
    code = "import sys; from krm.cli import app; sys.argv[0] = 'krm'; app()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          cwd=kw.get("cwd"))


@pytest.mark.parametrize("argv", [
    ["report", "--month", "2019-13", "{d}", "--out", "{o}"],
    ["calendar", "--month", "2019-13"],
    ["status", "{d}", "--month", "2019-13"],
    ["template", "KRM-2", "--period", "2019-13", "--out", "{o}"],
    ["samples", "--month", "2019-13", "--out", "{o}"],
    ["aggregate", "{d}", "--period", "2019-13", "--out", "{o}"],
])
def test_not_a_month_is_said_the_same_way_everywhere(argv, tmp_path):
    (tmp_path / "d").mkdir()
    args = [a.format(d=tmp_path / "d", o=tmp_path / "o") for a in argv]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    assert "2019-13 is not a month" in r.output and "YYYY-MM" in r.output and "Traceback" not in r.output


def test_aggregate_on_a_folder_without_workbooks_exits_2_like_validate(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("nothing here")
    for argv in (["validate", str(tmp_path / "empty")], ["aggregate", str(tmp_path / "empty"), "--out",
                                                          str(tmp_path / "o")]):
        r = CliRunner().invoke(app, argv)
        assert r.exit_code == 2 and "no workbooks" in r.output, (argv, r.output)
    assert not (tmp_path / "o").exists()


def test_report_needs_its_folder(tmp_path):
    """Without a folder krm report used to scan the current directory in silence."""
    r = _krm("report", "--month", "2019-05", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert r.returncode == 2 and "folder" in (r.stdout + r.stderr).lower()
    assert not (tmp_path / "o").exists()


def test_help_shows_no_bool_beside_flags():
    for cmd in ("template", "validate", "aggregate", "report", "samples", "calendar", "status", "register", "convert",
                "confirm"):
        r = _krm(cmd, "--help")
        assert r.returncode == 0, r.stderr
        assert "<bool>" not in r.stdout, cmd
        assert "--help" in r.stdout
    assert "<str>" in _krm("report", "--help").stdout  # options with a value still say what they take


def test_output_to_a_file_is_not_wrapped_at_80_columns():
    r = _krm("calendar", "--year", "2019", "--lang", "ru")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(map(len, lines)) > 100  # one table row per line, however long
    rows = [ln for ln in lines if ln.startswith("│")]
    assert len(rows) >= 12 and all(ln.startswith("│ 2019-") for ln in rows[1:])  # no row continues on the next


def test_calendar_holiday_names_in_the_chosen_language():
    import json

    off = {}
    for lang in ("en", "kk", "ru"):
        r = CliRunner().invoke(app, ["calendar", "--year", "2019", "--lang", lang, "--format", "json"])
        assert r.exit_code == 0, r.output
        off[lang] = {d["due"]: d["day_off"] for d in json.loads(r.output)["deadlines"] if d["day_off"]}
    assert off["en"].keys() == off["kk"].keys() == off["ru"].keys()
    assert "Constitution Day" in off["en"].values()
    assert "Қазақстан Республикасының Конституциясы күні" in off["kk"].values()
    # the holidays package has no Russian for KZ: krm's table (krm/data/holidays-kz.ru.csv), and its own word for
    # a weekend
    assert "День Конституции Республики Казахстан" in off["ru"].values()
    assert "weekend" in off["en"].values() and "выходной" in off["ru"].values() and "демалыс күні" in off["kk"].values()
    assert not any(re.search("[әғқңөұүһі]", v) for v in off["ru"].values())  # no Kazakh left in the Russian table


def test_every_kz_holiday_has_a_russian_name():
    """Each name the holidays package gives for KZ (2017-2030, days off moved from another date included) is in
    krm's Russian table; a name it lacks (a newer release's holiday) falls back to Kazakh, never to English."""
    import datetime as dt

    import holidays

    from krm import deadlines

    for year in range(2017, 2031):
        for day, en in holidays.KZ(years=year, language="en_US").items():
            ru = deadlines.russian_holiday_name(en)
            assert ru and not re.search("[A-Za-z]", ru), (day, en, ru)
    assert deadlines.holiday_name(dt.date(2019, 5, 10), "ru") == "Выходной день (перенесен с 04.05.2019)"
    assert deadlines.russian_holiday_name("Some New Day") is None


def test_one_lang_vocabulary(tmp_path):
    """--lang: kk, ru, en for what is shown; kk, ru or a list for what is written; the same words everywhere."""
    (tmp_path / "d").mkdir()
    shown = [["calendar", "--month", "2019-05"], ["validate", str(tmp_path / "d")],
             ["status", str(tmp_path / "d"), "--month", "2019-05"]]
    written = [["template", "KRM-2", "--out", str(tmp_path / "t")],
               ["samples", "--out", str(tmp_path / "s")],
               ["report", "--month", "2019-05", str(tmp_path / "d"), "--out", str(tmp_path / "r")],
               ["aggregate", str(tmp_path / "d"), "--out", str(tmp_path / "a")]]
    for argv in shown + written:
        r = CliRunner().invoke(app, argv + ["--lang", "de"])
        assert r.exit_code == 2 and "--lang 'de'" in r.output, (argv, r.output)
    for argv in written:
        r = CliRunner().invoke(app, argv + ["--lang", "en"])
        assert r.exit_code == 2 and "kk or ru" in r.output and "en is for what krm shows" in r.output, argv
    r = CliRunner().invoke(app, ["calendar", "--month", "2019-05", "--lang", "en", "--format", "json"])
    assert r.exit_code == 0
    r = CliRunner().invoke(app, ["template", "KRM-2", "KRM-5", "--lang", "kk,ru", "--out", str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["KRM-2.kk.xlsx", "KRM-2.ru.xlsx", "KRM-5.kk.xlsx",
                                                                  "KRM-5.ru.xlsx"]
    r = CliRunner().invoke(app, ["aggregate", str(tmp_path / "d"), "--lang", "kk,ru", "--out", str(tmp_path / "a")])
    assert r.exit_code == 2 and "one language at a time" in r.output


def test_status_and_samples_speak_the_chosen_language(tmp_path):
    """krm status --lang kk|ru words its tables in that language; krm samples --lang kk writes every workbook in
    Kazakh (the default kk,ru keeps each district's own language: the committed samples are unchanged)."""
    from krm.workbook.reader import read

    r = CliRunner().invoke(app, ["samples", "--out", str(tmp_path / "s"), "--regions", "79", "--lang", "kk", "-q"])
    assert r.exit_code == 0, r.output
    books = sorted((tmp_path / "s").rglob("*.xlsx"))
    assert books and all(zipfile.ZipFile(b).read("docProps/custom.xml").find(b">kk<") > 0 for b in books)
    r = CliRunner().invoke(app, ["samples", "--out", str(tmp_path / "m"), "--regions", "79", "-q"])
    mixed = sorted((tmp_path / "m").rglob("*.xlsx"))
    assert any(zipfile.ZipFile(b).read("docProps/custom.xml").find(b">ru<") > 0 for b in mixed)
    assert read(books[0]).spec.id in ("KRM-1", "KRM-2")
    for lang, words in (("kk", ("Нысан", "Күтілген", "Барлығы", "Шымкент", "КРМ-1 жоспарлары")),
                        ("ru", ("Форма", "Ожидалось", "Всего", "планы КРМ-1")),
                        ("en", ("Form", "Expected", "Total", "KRM-1 plans"))):
        r = CliRunner().invoke(app, ["status", str(tmp_path / "s" / "2019-05"), "--month", "2019-05", "--lang", lang])
        assert r.exit_code == 0, r.output
        for w in words:
            assert w in r.output, (lang, w)
        if lang != "en":
            assert "Expected" not in r.output and "Total" not in r.output


def test_status_words_the_problems_in_the_chosen_language(tmp_path):
    """The files status cannot count are listed with their problem in the table's language: a file that is no
    workbook and a workbook with an error in kk and ru as in en (the catalogue's message of the code); the JSON keeps
    the English text."""
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(ROOT / "samples" / "2019-05" / "11-Akmola-Region", folder / "11")
    (folder / "junk.xlsx").write_text("junk")
    said = {}
    for lang in ("kk", "ru", "en"):
        r = CliRunner().invoke(app, ["status", str(folder), "--month", "2019-05", "--lang", lang, "--no-register"],
                               env={"COLUMNS": "300"})
        assert r.exit_code == 0, r.output
        said[lang] = r.output
    assert "Файл Excel жұмыс кітабы емес немесе зақымдалған" in said["kk"]
    assert "Файл не является книгой Excel или повреждён" in said["ru"]
    assert "The file is not an Excel workbook or is damaged" in said["en"]
    assert "1 қате (біріншісі: KRM-E024" in said["kk"] and "ошибок: 1 (первая: KRM-E024" in said["ru"]
    assert "1 errors (first: KRM-E024" in said["en"]
    for lang in ("kk", "ru"):
        assert "errors (first" not in said[lang] and "run krm validate" not in said[lang], lang
    r = CliRunner().invoke(app, ["status", str(folder), "--month", "2019-05", "--format", "json", "--no-register"])
    problems = [a["problem"] for a in json.loads(r.output)["excluded"]]
    assert problems and problems[0].startswith("1 errors (first: KRM-E024: ") and "run krm validate" in problems[0]
