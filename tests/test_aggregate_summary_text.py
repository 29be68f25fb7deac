"""krm aggregate's terminal summary piped to a file: written without rich when every string is plain, the same text
rich prints (krm.commands.aggregate._plain), and by rich itself otherwise."""

from __future__ import annotations

import contextlib
import io
import os
import random
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from krm.aggregate import aggregate
from krm.commands import aggregate as command

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "samples" / "2019-05"


def _month(d: Path) -> Path:
    for r in sorted(p.name for p in MONTH.iterdir() if p.is_dir())[:4]:
        os.symlink(MONTH / r, d / r)
    os.symlink(ROOT / "samples" / "2019", d / "2019")
    return d


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    res = aggregate(_month(tmp_path_factory.mktemp("in")), tmp_path_factory.mktemp("out") / "a", jobs=1, cache=False)
    res.notes.append("a note: with a colon")
    return res


def _printed(fn, *args, **kw) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kw)
    return buf.getvalue()


def _by_rich(parts) -> str:
    """What is printed for ``parts`` when rich prints it."""
    saved = command._plain
    command._plain = lambda parts: None
    try:
        return _printed(command._print_parts, parts)
    finally:
        command._plain = saved


@pytest.fixture(autouse=True)
def _no_forced_colour(monkeypatch):
    for k in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(k, raising=False)


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_sample_months_summary_is_rich_s_text(result, dry_run):
    parts = command._summary(result, result.summary(lazy=True), dry_run)
    assert [p[1] for p in parts if p[0] == "table"] == ["krm aggregate " + str(result.dir), "totals (KRM-4)",
                                                        "annual plan (KRM-1, Rule 12.1)", "files not counted"]
    assert any(p[0] == "line" and p[1][0][1] == "yellow" for p in parts)  # completeness lines (Cyrillic names)
    plain = command._plain(parts)
    assert (plain is not None) is command._rich_tested()  # (the sample's strings are all plain)
    assert _printed(command.print_summary, result, dry_run=dry_run) == _by_rich(parts)
    text = _by_rich(parts)
    assert plain in (None, text)
    assert ("written to " in text) is not dry_run and "note: a note: with a colon\n" in text


def test_a_piped_run_does_not_import_rich_and_prints_the_same(tmp_path):
    """A whole run piped to a file: without rich, the bytes rich prints (TTY_COMPATIBLE=0: rich prints for a file,
    and krm leaves the text to it)."""
    (tmp_path / "in").mkdir()
    month = _month(tmp_path / "in")
    code = ("import sys\nfrom krm.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    print('exit', e.code, file=sys.stderr)\n"
            "print('rich' if 'rich.table' in sys.modules else 'no rich', file=sys.stderr)\n")
    runs = []
    for n, extra in enumerate(({}, {"TTY_COMPATIBLE": "0"})):
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
        env.update(extra, KRM_REGISTER="off", XDG_DATA_HOME=str(tmp_path / "xdg"))
        runs.append(subprocess.run([sys.executable, "-c", code, "aggregate", str(month), "--out",
                                    str(tmp_path / "out"), "--force", "-j", "1"],
                                   capture_output=True, env=env, timeout=300))
    plain, by_rich = runs
    assert plain.stderr.decode().splitlines()[-1] == ("no rich" if command._rich_tested() else "rich"), plain.stderr
    assert by_rich.stderr.decode().splitlines()[-1] == "rich", by_rich.stderr
    assert plain.stderr.decode().splitlines()[-2] == by_rich.stderr.decode().splitlines()[-2]
    assert b"files not counted" in plain.stdout and "┏━".encode() in plain.stdout
    assert plain.stdout == by_rich.stdout


def _table(title, rows, header=True, right=(1,)):
    cols = [(f"c{i}", "right" if i in right else "left") for i in range(len(rows[0]))]
    return ("table", title, header, cols, rows)


@pytest.mark.parametrize("parts", [
    [_table("t", [["a [bold]b[/bold]", "1"]])],  # markup
    [_table("t", [["a \\[x]", "1"]])],  # markup's escape
    [_table("t", [["a :smile: b", "1"]])],  # an emoji code
    [("line", [("note:", "cyan"), (" x:thumbs_up: y", None)])],
    [_table("t", [[" padded", "1"]])],  # rich strips a cell's spaces
    [_table("t", [["trailing ", "1"]])],
    [_table("t", [["tab\there", "1"]])],
    [_table("t", [["x" * 1200, "1"]])],  # wider than PIPE_WIDTH
    [_table("a title far wider than its table", [["a", "1"]])],
    [_table("t", [["中文", "1"]])],  # two cells a character
    [("line", [("e\u0301", None)])],  # a combining mark
])
def test_what_is_not_plain_is_left_to_rich(parts):
    assert command._plain(parts) is None
    assert _printed(command._print_parts, parts) == _by_rich(parts)


def test_an_untested_rich_prints_it_itself(monkeypatch):
    parts = [_table("t", [["a", "1"]])]
    monkeypatch.setattr(command, "_RICH_OK", None)
    monkeypatch.setattr(command, "TESTED_RICH", frozenset({"0.0.1"}))
    assert command._plain(parts) is None
    monkeypatch.setattr(command, "_RICH_OK", None)
    monkeypatch.setattr(command, "TESTED_RICH", frozenset({version("rich")}))
    assert command._rich_tested()


def test_a_terminal_or_forced_colour_is_left_to_rich(monkeypatch):
    monkeypatch.setattr(command, "_RICH_OK", True)
    parts = [_table("t", [["a", "1"]])]
    assert command._plain(parts) is not None
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert command._plain(parts) is None
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert command._plain(parts) is None
    monkeypatch.delenv("TTY_COMPATIBLE")

    class Tty(io.StringIO):
        def isatty(self):
            return True
    with contextlib.redirect_stdout(Tty()):
        assert command._plain(parts) is None

    class Latin(io.StringIO):
        encoding = "latin-1"
    with contextlib.redirect_stdout(Latin()):
        assert command._plain(parts) is None


def test_random_tables_and_lines_as_rich_prints_them():
    if not command._rich_tested():
        pytest.skip(f"rich {version('rich')}: the summary is printed by rich (not one of TESTED_RICH)")
    r = random.Random(16)
    alphabet = "abc XYZ 019-_/.,;()%!'КРМақңөұүһі:"

    def word(n):
        return "".join(r.choice(alphabet) for _ in range(n))
    plain = 0
    for _ in range(400):
        parts = []
        for _ in range(r.randint(1, 3)):
            if r.random() < 0.6:
                n = r.randint(1, 5)
                cols = [(word(r.randint(1, 9)), r.choice(["left", "right"])) for _ in range(n)]
                rows = [[word(r.choice([0, 1, 3, 12, 30])) for _ in range(n)] for _ in range(r.randint(1, 4))]
                parts.append(("table", word(r.randint(1, 40)), r.random() < 0.5, cols, rows))
            else:
                styles = [None, "yellow", "cyan", "bold red"]
                parts.append(("line", [(word(r.choice([0, 5, 40, 1200])), r.choice(styles))
                                       for _ in range(r.randint(1, 3))]))
        text = command._plain(parts)
        if text is not None:
            plain += 1
            assert text == _by_rich(parts), parts
    assert plain > 20
