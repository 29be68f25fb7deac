"""The hostile corpus (tests/make_bad_corpus.py) uploaded through the portal: each file gets the findings
`krm validate` gives it (the same guards and worker isolation), and the portal answers afterwards."""

from __future__ import annotations

import re
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from serve_kit import Browser, make_portal

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

sys.path.insert(0, str(Path(__file__).parent))


def test_the_hostile_corpus_through_the_page(tmp_path):
    from starlette.testclient import TestClient

    from make_bad_corpus import make_corpus
    from krm.validate import validate_paths

    corpus = Path(tempfile.mkdtemp(prefix="krm-serve-corpus-", dir=tmp_path))
    make_corpus(corpus)
    files = sorted(p for p in corpus.iterdir() if stat.S_ISREG(p.lstat().st_mode)
                   and p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"))
    assert len(files) >= 20
    want = {p.name: sorted({f.code for f in r.findings})
            for p, r in zip(files, validate_paths(files, jobs=2, register=False))}
    app, cfg = make_portal(tmp_path / "portal")
    got = {}
    with TestClient(app):
        b = Browser(app, "d114")
        for i in range(0, len(files), cfg.max_files):
            batch = files[i:i + cfg.max_files]
            r = b.upload(*[(p.name, p.read_bytes()) for p in batch])
            assert r.status_code == 200
            for art in r.text.split("<article")[1:]:
                name = re.search(r"<h2>(.*?)</h2>", art, re.S).group(1)
                got[name] = sorted(set(re.findall(r"<td>(KRM-[EW]\d+)</td>", art)))
        assert b.get("/district").status_code == 200  # still answering
    import html

    got = {html.unescape(k): v for k, v in got.items()}
    assert got == want
