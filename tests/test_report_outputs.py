"""How krm report writes its outputs (krm/report/outputs.py): the note's template compiled once
(krm/report/compiled.py)."""

from __future__ import annotations

import os
import stat

import jinja2
import pytest

from krm import report
from krm.report import compiled
from test_report import build, inputs  # noqa: F401 - fixture


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
