"""krm.distversion gives every installed distribution's version exactly as importlib.metadata does, without
importing it (and the email package) on the ordinary path; the engine version of a register stays the same."""

from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from krm import distversion


@pytest.fixture(autouse=True)
def _fresh_caches():
    distversion.version.cache_clear()
    distversion._listing.cache_clear()
    yield
    distversion.version.cache_clear()
    distversion._listing.cache_clear()


def _spellings(name: str) -> set[str]:
    return {name, name.upper().replace("-", "_")}


def test_every_installed_distribution_has_importlib_metadatas_version():
    names = sorted({d.metadata["Name"] for d in md.distributions() if d.metadata["Name"]})
    assert len(names) > 20  # the project's own environment: typer, rich, openpyxl, xlsxwriter, ...
    for name in names:
        for spelled in _spellings(name):
            try:
                expected = md.version(spelled)
            except md.PackageNotFoundError:
                expected = None
            assert distversion.version(spelled) == expected, spelled


def test_a_name_not_installed_is_none():
    assert distversion.version("krm-no-such-distribution") is None


def test_release_in_says_whether_a_gate_is_open(monkeypatch):
    assert distversion.release_in("python-calamine", {md.version("python-calamine")})
    assert not distversion.release_in("python-calamine", {"0.0.0"})
    assert distversion.release_in("krm-no-such-distribution", {"1.0"}) is False

    def broken(dist):
        raise OSError("unreadable metadata")

    monkeypatch.setattr(distversion, "version", broken)
    try:
        assert distversion.release_in("python-calamine", {md.version("python-calamine")}) is False  # the ordinary path
    finally:
        monkeypatch.undo()


def _dist(site: Path, folder: str, meta: str = "METADATA", text: str | None = None, version: str = "1.0") -> None:
    d = site / folder
    d.mkdir(parents=True)
    (d / meta).write_text(text if text is not None else f"Metadata-Version: 2.1\nName: x\nVersion: {version}\n\nbody\n",
                          encoding="utf-8")


@pytest.mark.parametrize("case", ["plain", "folded", "pkg-info", "egg-info-file", "no-version", "two-entries",
                                  "zip-first", "crlf", "header-case", "blank-line-first",
                                  "odd-line", "trailing-blank"])
def test_unusual_layouts_agree_with_importlib_metadata(tmp_path, monkeypatch, case):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    path = [str(a), str(b)]
    if case == "plain":
        _dist(a, "Demo_Pkg-2.3.dist-info", version="2.3")
    elif case == "folded":
        _dist(a, "demo_pkg-2.3.dist-info", text="Name: demo-pkg\nVersion: 2.3\n  .post1\n\n")
    elif case == "pkg-info":
        _dist(a, "demo_pkg-0.1.egg-info", meta="PKG-INFO", version="0.1")
    elif case == "egg-info-file":
        (a / "demo_pkg-0.4.egg-info").write_text("Metadata-Version: 1.0\nName: demo-pkg\nVersion: 0.4\n\n")
    elif case == "no-version":
        _dist(a, "demo_pkg-9.dist-info", text="Name: demo-pkg\n\nVersion: 9\n")
    elif case == "two-entries":
        _dist(a, "demo.pkg-1.0.dist-info", version="1.0")
        _dist(b, "demo_pkg-2.0.dist-info", version="2.0")
    elif case == "zip-first":
        z = tmp_path / "lib.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("demo_pkg-5.0.dist-info/METADATA", "Name: demo-pkg\nVersion: 5.0\n\n")
        path.insert(0, str(z))
        _dist(a, "demo_pkg-1.0.dist-info", version="1.0")
    elif case == "crlf":
        _dist(a, "demo_pkg-3.dist-info", text="Name: demo-pkg\r\nVersion: 3.0 \r\n\r\n")
    elif case == "header-case":
        _dist(a, "demo_pkg-3.dist-info", text="Name: demo-pkg\nversion: 3.1\n\n")
    elif case == "blank-line-first":
        _dist(a, "demo_pkg-3.dist-info", text="\nVersion: 3.2\n")
    elif case == "odd-line":
        _dist(a, "demo_pkg-3.dist-info", text="Name: demo-pkg\nnot a header\nVersion: 3.3\n\n")
    elif case == "trailing-blank":
        _dist(a, "demo_pkg-3.dist-info", text="Name: demo-pkg\nVersion:\t3.4\t \n\n")
    monkeypatch.setattr(sys, "path", path)
    try:
        expected = md.version("demo-pkg")
    except md.PackageNotFoundError:
        expected = None
    assert distversion.version("demo-pkg") == expected
    assert distversion.version("Demo_Pkg") == expected


def test_the_engine_version_is_the_one_registers_already_hold(monkeypatch):
    """The engine version hashes the readers' versions: the same strings as importlib.metadata's, so a register
    filled before keeps its readings."""
    from krm.register.engine import _fingerprint

    _fingerprint.cache_clear()
    new = _fingerprint(None)
    monkeypatch.setattr(distversion, "version", md.version)  # how krm asked before
    _fingerprint.cache_clear()
    try:
        assert _fingerprint(None) == new
    finally:
        monkeypatch.undo()
        _fingerprint.cache_clear()


def test_versions_and_recipes_do_not_import_importlib_metadata():
    code = (
        "import sys\n"
        "from krm.register.engine import fingerprint\n"
        "from krm.workbook.reader.lean import tested_calamine\n"
        "from krm.aggregate.memo import _writers\n"
        "from krm.report.memo import writers\n"
        "fingerprint(); tested_calamine(); _writers(); writers()\n"
        "bad = sorted(m for m in ('importlib.metadata', 'email', 'email.parser') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
