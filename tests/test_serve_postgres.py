"""krm serve over a PostgreSQL register (KRM_TEST_POSTGRES_URL; .ci/run starts a server): the portal's tables
(migration 3) are made there, a district's upload and its fix become versions, the oblast returns one, and
another district cannot read it — the same as on SQLite."""

from __future__ import annotations

import os
import re

import pytest

from serve_kit import _PORTALS, FAULTY, MONTH, Browser, fixed, make_portal

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def pg_url(request):
    from test_register import _fresh_pg_database

    base = os.environ.get("KRM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("no PostgreSQL server given (KRM_TEST_POSTGRES_URL); .ci/run starts one")
    return _fresh_pg_database(base, request)


def test_the_portal_on_postgresql(pg_url, tmp_path):
    from starlette.testclient import TestClient

    app, cfg = make_portal(tmp_path, target=pg_url)
    with TestClient(app):
        d = Browser(app, "d114")
        r = d.upload(FAULTY)
        assert "KRM-E024" in r.text
        vid = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        r = d.upload(fixed(FAULTY, tmp_path / FAULTY.name))
        v2 = int(re.search(r'href="/version/(\d+)"', r.text).group(1))
        o = Browser(app, "o11")
        assert o.post(f"/version/{v2}/return", {"reason": "check column 7"}).status_code == 303
        assert Browser(app, "d115").get(f"/version/{v2}").status_code == 403
        reg = _PORTALS[pg_url].reg
        assert reg.engine.dialect.name == "postgresql"
        vs = reg.versions(district="114400000", period=MONTH)
        assert [(v.id, v.state) for v in vs] == [(vid, "superseded"), (v2, "returned")]
        assert [c.by for c in reg.audit(v2)][-1] == "o11"
        assert reg.verify().ok
