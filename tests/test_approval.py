"""Approval in the register: a verified signature confirms and locks a version, a resubmission after it is a
new version "changed after confirmation", a failed verification records nothing; return and accept.

Real workbooks (tests/fill.py) signed by a test PKI (tests/sigkit.py, RSA: the GOST path is the same code
after verification, and test_signatures.py covers GOST itself)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import fill
import krm.register as register
import sigkit as K
from krm.cli import app
from krm.register import StateError
from krm.register import schema as S
from krm.signatures import verify
from krm.validate import validate_paths

NOW = K.t("2025-06-15T12:00:00")


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


class PKI:
    """A root and an intermediate CA in a trust folder (as the NCA's are) and a first head under them."""

    def __init__(self, folder: Path):
        self.root = K.issue(K.ca_name("TEST ROOT"), K.RsaKey(), None, ca=True, nb="2020-01-01", na="2040-01-01")
        self.ca = K.issue(K.ca_name("TEST NCA"), K.RsaKey(), self.root, ca=True, nb="2020-01-01", na="2035-01-01")
        p = K.Person()
        self.head = K.issue(K.person_name(p), K.RsaKey(), self.ca, ca=False, roles=p.roles, nb="2024-01-01",
                            na="2034-01-01")
        self.trust = folder / "trust"
        self.trust.mkdir()
        (self.trust / "root.pem").write_bytes(self.root.pem())
        (self.trust / "nca.cer").write_bytes(self.ca.cert.dump())

    def sign(self, wb: Path, out: Path, **kw) -> Path:
        out.write_bytes(K.cms_sign(wb.read_bytes(), self.head, chain=[self.ca], **kw))
        return out


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> PKI:
    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def reg_path(tmp_path, monkeypatch) -> Path:
    p = tmp_path / "data" / "register.sqlite"
    monkeypatch.setenv("KRM_REGISTER", str(p))
    return p


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _count(table) -> int:
    with register.open() as reg, reg.reader() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


def test_confirm_locks_the_version_and_a_resubmission_is_changed_after_confirmation(reg_path, pki, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    wb = fill.filled("KRM-2", inbox, name="a.xlsx")
    v1_sha = _sha(wb)
    sig = pki.sign(wb, tmp_path / "a.xlsx.cms")
    before = (_sha(wb), wb.stat().st_mtime_ns, _sha(sig))
    r = cli("confirm", wb, "--signature", sig, "--trust", pki.trust, "--by", "oblast analyst", "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["verified"] and out["register"]["recorded"] and out["register"]["version"]["state"] == "confirmed"
    assert (_sha(wb), wb.stat().st_mtime_ns, _sha(sig)) == before  # never writes into the signed file
    with register.open() as reg:
        (v1,) = reg.versions(form="KRM-2")
        assert (v1.number, v1.state, v1.sha256, v1.changed_after_confirmation) == (1, "confirmed", v1_sha, False)
        (k,) = reg.confirmations(v1.id)
        assert k["workbook_sha256"] == v1_sha and k["signature_sha256"] == _sha(sig)
        assert k["signer"] == {"iin": "800101300123", "bin": "190540012345", "name": "СЕЙІТОВ НҰРЛАН ҚАЙРАТҰЛЫ",
                               "role": "first head"}
        assert k["certificate"]["serial"] == format(pki.head.cert.serial_number, "X")
        assert "TEST NCA" in k["certificate"]["issuer"]
        assert k["signing_time"] == "2025-03-03T10:00:00" and k["by"] == "oblast analyst"
        assert reg.audit(v1.id)[-1].to_state == "confirmed" and "СЕЙІТОВ" in reg.audit(v1.id)[-1].reason

    # the district sends the same submission again with other figures: a new version, flagged
    fill.filled("KRM-2", inbox, name="a.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": 3}])
    validate_paths([inbox], jobs=1, today=fill.TODAY, by="district clerk")
    with register.open() as reg:
        v1, v2 = reg.versions(form="KRM-2")
        assert (v1.number, v1.state, v1.changed_after_confirmation) == (1, "confirmed", False)  # locked, visible
        assert (v2.number, v2.state, v2.changed_after_confirmation) == (2, "accepted", True)
        assert [v.number for v in reg.versions(form="KRM-2", current=True)] == [2]
        assert reg.verify().ok, reg.verify().problems
        hist = reg.history(form="KRM-2")[0]["versions"]
        assert [(h["state"], h["changed_after_confirmation"], len(h["confirmations"])) for h in hist] == [
            ("confirmed", False, 1), ("accepted", True, 0)]
        assert reg.frames()["submissions"]["version"].tolist() == [2]
    r = cli("register", "history", "--form", "KRM-2")
    assert r.exit_code == 0 and "CHANGED AFTER CONFIRMATION" in r.output and "confirmed: signed by СЕЙІТОВ" in r.output
    r = cli("register", "show", wb, "--format", "json")
    assert json.loads(r.output)["versions"][0]["changed_after_confirmation"] is True

    # a third version is still changed after confirmation; confirming it lets the old confirmed one go
    fill.filled("KRM-2", inbox, name="a.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": 4}])
    validate_paths([inbox], jobs=1, today=fill.TODAY)
    with register.open() as reg:
        assert [(v.state, v.changed_after_confirmation) for v in reg.versions(form="KRM-2")] == [
            ("confirmed", False), ("superseded", True), ("accepted", True)]
        conf = verify.confirm(wb, pki.sign(wb, tmp_path / "a3.cms"), pki.trust, now=NOW)
        v3 = reg.confirm_version(conf, by="oblast analyst")
        assert (v3.number, v3.state, v3.changed_after_confirmation) == (3, "confirmed", False)
        assert [v.state for v in reg.versions(form="KRM-2")] == ["superseded", "superseded", "confirmed"]
        assert reg.audit(reg.versions(form="KRM-2")[0].id)[-1].reason == "version 3 confirmed"
        assert reg.verify().ok


def test_a_failed_verification_records_nothing(reg_path, pki, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    wb = fill.filled("KRM-2", inbox, name="a.xlsx")
    bad = pki.sign(wb, tmp_path / "other.cms", sign_over=b"other bytes")
    r = cli("confirm", wb, "--signature", bad, "--trust", pki.trust)
    assert r.exit_code == 1 and "KRM-E203" in r.output
    assert not reg_path.exists() or _count(S.confirmation) == 0 and _count(S.version) == 0
    conf = verify.confirm(wb, bad, pki.trust, now=NOW)
    with register.open() as reg:
        with pytest.raises(StateError, match="not verified; nothing was recorded"):
            reg.confirm_version(conf)
    assert _count(S.confirmation) == 0 and _count(S.version) == 0


def test_a_returned_version_cannot_be_confirmed_and_return_accept_are_recorded(reg_path, pki, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    bad = fill.filled("KRM-2", inbox, name="bad.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "plan": -1}])
    r = cli("confirm", bad, "--signature", pki.sign(bad, tmp_path / "bad.cms"), "--trust", pki.trust, "--lang", "en")
    assert r.exit_code == 1 and "Not recorded in the register" in r.output and "returned" in r.output
    assert _count(S.confirmation) == 0
    good = fill.filled("KRM-4", inbox, name="good.xlsx")
    validate_paths([good], jobs=1, today=fill.TODAY)
    with register.open() as reg:
        (v,) = reg.versions(form="KRM-4")
        with pytest.raises(StateError, match="needs its reason"):
            reg.return_version(v.id, " ")
        assert reg.return_version(v.id, "row 3: the fact is not what the district reported", by="oblast").state \
            == "returned"
        ch = reg.audit(v.id)[-1]
        assert (ch.from_state, ch.to_state, ch.by, ch.reason) == (
            "accepted", "returned", "oblast", "row 3: the fact is not what the district reported")
        assert reg.accept(v.id, by="oblast", reason="explained").state == "accepted"
    r = cli("register", "return", v.id, "--reason", "again", "--by", "oblast")
    assert r.exit_code == 0 and "returned" in r.output
    r = cli("register", "accept", v.id)
    assert r.exit_code == 0 and "accepted" in r.output
    r = cli("register", "accept", v.id)
    assert r.exit_code == 2 and "cannot become accepted" in r.output


def test_confirm_without_the_register_records_nothing(tmp_path, pki, monkeypatch):
    monkeypatch.setenv("KRM_REGISTER", "off")
    wb = fill.filled("KRM-2", tmp_path, name="a.xlsx")
    r = cli("confirm", wb, "--signature", pki.sign(wb, tmp_path / "a.cms"), "--trust", pki.trust, "--format", "json")
    assert r.exit_code == 0 and "register" not in json.loads(r.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cms", "a.xlsx"]
