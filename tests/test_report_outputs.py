"""How krm report writes its outputs (krm/report/outputs.py): the note's template compiled once
(krm/report/compiled.py), KRM-7 written by a helper process beside KRM-6 and the note (krm/report/helper.py) —
the same bytes as written one by one, and, when anything goes wrong, the same files or the same error."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import jinja2
import pytest

from krm import report
from krm.report import compiled, helper
from test_report import MONTH, build, inputs  # noqa: F401 - fixture


def _tree(d: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


@pytest.fixture
def compiles(monkeypatch):
    """Counts the templates jinja2 compiles (in this process)."""
    calls: list = []
    real = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, *a, **k):
        calls.append(name)
        return real(self, source, name, filename, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return calls


# ------------------------------------------------------------------ the note's template, compiled once
def test_the_notes_template_is_compiled_once(inputs, tmp_path, monkeypatch, compiles):  # noqa: F811
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rep = build(inputs)
    first = report.render_note(rep, "kk")
    assert compiles == ["note.html.j2"]
    folders = list((tmp_path / "cache" / "krm" / "templates").iterdir())
    assert len(folders) == 1 and stat.S_IMODE(folders[0].stat().st_mode) == 0o700
    (code,) = folders[0].iterdir()
    assert report.render_note(rep, "kk") == first and report.render_note(rep, "ru") != first
    assert compiles == ["note.html.j2"]  # not compiled again, in either language
    monkeypatch.setattr(compiled, "template_cache", lambda env: None)
    assert report.render_note(rep, "kk") == first and len(compiles) == 2  # the same as compiled on the spot
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(jinja2.Environment, "compile", _counting(compiles))
    for bad in (code.read_bytes()[:200], b"", b"krm-template-1\0" + b"0" * 40 + b"\0garbage"):
        code.write_bytes(bad)  # truncated, empty, another template's
        assert report.render_note(rep, "kk") == first
    assert compiles == ["note.html.j2"] * 5
    assert report.render_note(rep, "kk") == first and compiles == ["note.html.j2"] * 5  # written again


def _counting(calls):
    real = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, *a, **k):
        calls.append(name)
        return real(self, source, name, filename, *a, **k)

    return counted


def test_a_changed_template_jinja2_or_setting_is_compiled_again(tmp_path, monkeypatch, compiles):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "t").mkdir()
    page = tmp_path / "t" / "page.j2"

    def render(**settings):
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")), autoescape=True, **settings)
        env.bytecode_cache = compiled.template_cache(env)
        return env.get_template("page.j2").render(x="<b>")

    page.write_text("{% if x %}\n  {{ x }}\n{% endif %}\n", encoding="utf-8")
    assert render() == "\n  &lt;b&gt;\n" and render() == "\n  &lt;b&gt;\n" and len(compiles) == 1
    assert render(trim_blocks=True, lstrip_blocks=True) == "  &lt;b&gt;\n" and len(compiles) == 2
    page.write_text("{{ x }}!", encoding="utf-8")
    assert render() == "&lt;b&gt;!" and len(compiles) == 3
    monkeypatch.setattr(jinja2, "__version__", jinja2.__version__ + ".other")
    assert render() == "&lt;b&gt;!" and len(compiles) == 4
    # a cache folder that others may write to is not used (nor is a file where the folder goes)
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(jinja2.Environment, "compile", _counting(compiles))
    for folder in (tmp_path / "cache" / "krm" / "templates").iterdir():
        os.chmod(folder, 0o777)
    n = len(compiles)
    assert render() == "&lt;b&gt;!" and render() == "&lt;b&gt;!" and len(compiles) == n + 2
    monkeypatch.setenv("XDG_CACHE_HOME", str(page))
    assert render() == "&lt;b&gt;!" and compiled.template_cache(jinja2.Environment()) is None
    # a function among the settings (autoescape by name, finalize) cannot be named across runs: no cache, no folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache2"))
    assert compiled.template_cache(jinja2.Environment(autoescape=jinja2.select_autoescape())) is None
    assert compiled.template_cache(jinja2.Environment(finalize=str)) is None
    assert not (tmp_path / "cache2").exists()


# ------------------------------------------------------------------ KRM-7 written by a helper process
def _log_calls(monkeypatch, owner, name: str, log: Path, what) -> None:
    """``owner.name`` replaced by one that first appends "``what(*args)`` pid" to ``log`` (a line a call)."""
    real = getattr(owner, name)

    def logged(*a, **k):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{what(*a)} {os.getpid()}\n")
        return real(*a, **k)

    monkeypatch.setattr(owner, name, logged)


@pytest.fixture
def writers(monkeypatch, tmp_path):
    """Which process wrote each form (krm.workbook.writer.write_form), and a second CPU for the helper."""
    import krm.workbook.writer as writer

    log = tmp_path / "writers.log"
    _log_calls(monkeypatch, writer, "write_form", log, lambda target, spec, *a: spec.id)
    monkeypatch.setattr(helper, "cpus", lambda: 2)

    def who() -> list[tuple[str, bool]]:
        lines = log.read_text(encoding="utf-8").split() if log.exists() else []
        log.unlink(missing_ok=True)
        return [(form, int(pid) == os.getpid()) for form, pid in zip(lines[::2], lines[1::2])]

    return who


def test_krm7_by_a_helper_is_the_same_bytes(inputs, tmp_path, monkeypatch, writers):  # noqa: F811
    rep = build(inputs)
    monkeypatch.setattr(helper, "ENABLED", False)
    report.write_outputs(rep, tmp_path / "one", ["kk", "ru"])
    assert sorted(writers()) == [("KRM-6", True)] * 2 + [("KRM-7", True)] * 2
    monkeypatch.setattr(helper, "ENABLED", True)
    written = report.write_outputs(rep, tmp_path / "two", ["kk", "ru"])
    assert sorted(writers()) == [("KRM-6", True)] * 2 + [("KRM-7", False)] * 2  # KRM-7 in the helper
    assert [p.name for p in written] == report.output_names(MONTH, None, ["kk", "ru"])
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    assert sorted(os.listdir(tmp_path / "two")) == sorted(report.output_names(MONTH, None, ["kk", "ru"]))


@pytest.mark.parametrize("how", ["fails", "says", "dies"])
def test_a_helper_that_fails_or_speaks_is_not_trusted(inputs, tmp_path, monkeypatch, writers, capfd, how):  # noqa: F811
    import krm.workbook.writer as writer

    rep = build(inputs)
    monkeypatch.setattr(helper, "ENABLED", False)
    report.write_outputs(rep, tmp_path / "one", ["kk"])
    writers()
    parent = os.getpid()
    real = writer.write_form

    def odd(target, spec, *a, **k):
        got = real(target, spec, *a, **k)
        if os.getpid() != parent:
            if how == "fails":
                raise ValueError("helper only")
            if how == "dies":
                os._exit(0)  # "success", without its file
            print("something only the helper says")
        return got

    monkeypatch.setattr(writer, "write_form", odd)
    monkeypatch.setattr(helper, "ENABLED", True)
    capfd.readouterr()
    report.write_outputs(rep, tmp_path / "two", ["kk"])
    assert capfd.readouterr() == ("", "")  # what the helper said is not shown: it was written again here
    assert [w for w in writers() if w[0] == "KRM-7"] == [("KRM-7", False), ("KRM-7", True)]
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    assert sorted(os.listdir(tmp_path / "two")) == sorted(report.output_names(MONTH, None, ["kk"]))


def test_an_error_is_the_one_without_a_helper(inputs, tmp_path, monkeypatch, writers):  # noqa: F811
    """A KRM-7 that does not read back as written: the same error with and without the helper, nothing written."""
    import krm.report.sheets as sheets

    rep = build(inputs)
    real = sheets.readback

    def wrong(path, spec, lay):
        got = real(path, spec, lay)
        return {k: (s + 1 if s is not None and spec.id == "KRM-7" else s, t) for k, (s, t) in got.items()}

    monkeypatch.setattr(sheets, "readback", wrong)
    errors = []
    for on in (False, True):
        monkeypatch.setattr(helper, "ENABLED", on)
        out = tmp_path / str(on)
        with pytest.raises(report.ReportError) as e:
            report.write_outputs(rep, out, ["kk", "ru"])
        errors.append((str(e.value), e.value.code))
        assert not out.exists() or os.listdir(out) == []
    assert errors[0] == errors[1] and "KRM-7-2019-05.kk.xlsx" in errors[0][0]


def test_the_notes_are_written_by_the_helper_too(inputs, tmp_path, monkeypatch, writers):  # noqa: F811
    """With a helper the command writes only KRM-6 (the longest to write); the helper KRM-7 and the notes: the same
    files as written one by one; a note that fails in the helper is written again here, with the same bytes."""
    import krm.report.note as note

    rep = build(inputs)
    log = tmp_path / "notes.log"
    real = note.render_note
    parent = os.getpid()

    def logged(r, lang, *a, **k):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{lang} {os.getpid() == parent}\n")
        if os.getpid() != parent and lang == fail:
            raise ValueError("helper only")
        return real(r, lang, *a, **k)

    monkeypatch.setattr(note, "render_note", logged)
    monkeypatch.setattr(helper, "ENABLED", False)
    fail = None
    report.write_outputs(rep, tmp_path / "one", ["kk", "ru"])
    writers()
    log.unlink()
    monkeypatch.setattr(helper, "ENABLED", True)
    report.write_outputs(rep, tmp_path / "two", ["kk", "ru"])
    assert sorted(writers()) == [("KRM-6", True)] * 2 + [("KRM-7", False)] * 2
    assert log.read_text(encoding="utf-8").split("\n")[:-1] == ["kk False", "ru False"]  # the notes in the helper
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    log.unlink()
    fail = "ru"
    report.write_outputs(rep, tmp_path / "three", ["kk", "ru"])
    assert log.read_text(encoding="utf-8").split("\n")[:-1] == ["kk False", "ru False", "kk True", "ru True"]
    assert _tree(tmp_path / "three") == _tree(tmp_path / "one")


def test_krm7_and_the_notes_by_two_helpers(inputs, tmp_path, monkeypatch, writers):  # noqa: F811
    """KRM-6, KRM-7 and the note take about as long each: the command writes the KRM-6s while one helper writes the
    KRM-7s and another the notes (one helper for both was the longest part of the run); the same files as written
    one by one.  Without a second helper (its fork fails) the command writes the notes itself, the same bytes."""
    import krm.report.note as note

    rep = build(inputs)
    log = tmp_path / "notes.log"
    _log_calls(monkeypatch, note, "render_note", log, lambda r, lang, *a: lang)
    monkeypatch.setattr(helper, "ENABLED", False)
    report.write_outputs(rep, tmp_path / "one", ["kk", "ru"])
    writers()
    log.unlink()
    monkeypatch.setattr(helper, "ENABLED", True)
    pids: list = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    report.write_outputs(rep, tmp_path / "two", ["kk", "ru"])
    assert sorted(writers()) == [("KRM-6", True)] * 2 + [("KRM-7", False)] * 2
    notes = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert [lang for lang, _ in notes] == ["kk", "ru"] and len({pid for _, pid in notes}) == 1
    assert len(pids) == 2 and int(notes[0][1]) == pids[1] != os.getpid()  # the notes: the second helper's
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    log.unlink()
    n = []

    def one_fork():  # the second fork fails: the command writes the notes itself
        n.append(1)
        if len(n) > 1:
            raise OSError("no second fork")
        return real_fork()

    monkeypatch.setattr(os, "fork", one_fork)
    report.write_outputs(rep, tmp_path / "three", ["kk", "ru"])
    assert sorted(writers()) == [("KRM-6", True)] * 2 + [("KRM-7", False)] * 2
    assert {pid for _, pid in (line.split() for line in log.read_text(encoding="utf-8").splitlines())} == \
        {str(os.getpid())}
    assert _tree(tmp_path / "three") == _tree(tmp_path / "one")


# ------------------------------------------------------------------ KRM-6 and KRM-7 deflated at level 1
def test_krm6_and_krm7_are_deflated_at_level_1(inputs, tmp_path):  # noqa: F811
    """Each part of KRM-6 and KRM-7 holds what zlib's level 1 makes of its bytes (as aggregate's outputs): the same
    cells, the month's 3,000-row control sheet deflated in a third of level 6's time (issue 16)."""
    import zipfile
    import zlib

    from python_calamine import CalamineWorkbook

    rep = build(inputs)
    report.write_outputs(rep, tmp_path, ["kk"])
    for form in ("KRM-6", "KRM-7"):
        path = tmp_path / f"{form}-{MONTH}.kk.xlsx"
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                data = z.read(info)
                if info.compress_type != zipfile.ZIP_DEFLATED or not data:
                    continue
                with open(path, "rb") as fh:  # the member's deflated bytes as stored
                    fh.seek(info.header_offset + 26)
                    n, m = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
                    fh.seek(info.header_offset + 30 + n + m)
                    stored = fh.read(info.compress_size)
                c = zlib.compressobj(1, zlib.DEFLATED, -15)
                assert stored == c.compress(data) + c.flush(), (form, info.filename)
        wb = CalamineWorkbook.from_path(str(path))
        control = wb.get_sheet_by_name(wb.sheet_names[-1]).to_python()  # the control sheet, read back whole
        assert [r[0] for r in control[1:1 + len(rep.data.sources)]] == [s.path for s in rep.data.sources]
