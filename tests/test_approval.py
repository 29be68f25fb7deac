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


@pytest.fixture(params=["sqlite", "postgresql"])
def reg_any(request, tmp_path, monkeypatch) -> str:
    """A fresh register of each kind as KRM_REGISTER (PostgreSQL: KRM_TEST_POSTGRES_URL, as in test_register)."""
    if request.param == "sqlite":
        url = str(tmp_path / "data" / "register.sqlite")
    else:
        import os

        from test_register import _fresh_pg_database

        base = os.environ.get("KRM_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("no PostgreSQL server given (KRM_TEST_POSTGRES_URL); .ci/run starts one")
        url = _fresh_pg_database(base, request)
    monkeypatch.setenv("KRM_REGISTER", url)
    return url


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _count(table) -> int:
    with register.open() as reg, reg.reader() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


def test_confirm_locks_the_version_and_a_resubmission_is_changed_after_confirmation(reg_any, pki, tmp_path):
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


# ------------------------------------------------------------------ explanations
def _explained_workbook(folder: Path, name: str = "w.xlsx") -> Path:
    """A KRM-2 from krm's template with a warning (no executor, D25) and an error (negative plan, G15), both
    answered on the sheet «Түсініктеме / Пояснения», and a row naming a finding the workbook does not have."""
    from krm import explanations as X

    p = fill.filled("KRM-2", folder, name=name, signature={**fill.SIGNATURE, "executor": None}, explanations=True,
                    rows_over=[{**fill.rows("KRM-2")[0], "plan": -1}] + fill.rows("KRM-2")[1:])
    return fill.edit(p, {"A4": "KRM-W020", "B4": "d25", "C4": "Орындаушы демалыста, есепке басшы қол қойды",
                         "D4": "Сейітов Н.Қ.", "E4": "2019-06-04",
                         "A5": "KRM-E021", "B5": "G15", "C5": "=қайтарылған сома", "D5": "Ахметова А.Б.",
                         "A6": "KRM-W010", "B6": "H99", "C6": "no such finding",
                         "A7": "not a code", "C7": "ignored"}, sheet=X.SHEET, text=True)


def test_an_explained_warning_is_reported_as_explained_never_hidden(tmp_path):
    wb = _explained_workbook(tmp_path)
    r = cli("validate", wb, "--format", "json")
    assert r.exit_code == 1  # the error stays an error: its explanation does not admit the file
    out = json.loads(r.output)
    assert (out["summary"]["errors"], out["summary"]["warnings"], out["summary"]["explained"]) == (1, 1, 2)
    assert out["files"][0]["explained"] == 2
    f = {x["code"]: x for x in out["findings"]}
    assert set(f) == {"KRM-W020", "KRM-E021"}
    w = f["KRM-W020"]
    assert w["severity"] == "warning" and w["cell"] == "D25" and w["explained"] is True
    assert w["explanation"] == {"text": "Орындаушы демалыста, есепке басшы қол қойды", "who": "Сейітов Н.Қ.",
                                "date": "2019-06-04", "sheet": "Түсініктеме | Пояснения", "row": 4, "admits": True}
    e = f["KRM-E021"]
    assert e["severity"] == "error" and e["explanation"]["admits"] is False
    assert e["explanation"]["text"] == "=қайтарылған сома"  # user text, kept as text
    r = cli("validate", wb, "--lang", "en")
    assert "explained: «Орындаушы демалыста" in r.output
    assert "an explanation does not admit an error" in r.output
    out_copy = tmp_path / "annotated.xlsx"
    r = cli("validate", wb, "--annotate", out_copy, "--lang", "en")
    import openpyxl

    a = openpyxl.load_workbook(out_copy)
    fs = a["Findings"]
    rows = {fs.cell(row=n, column=1).value: fs.cell(row=n, column=8).value for n in range(2, fs.max_row + 1)}
    assert fs.cell(row=1, column=8).value == "Explanation"
    assert rows["KRM-W020"].startswith("explained: «Орындаушы") and "does not admit" in rows["KRM-E021"]
    assert "✎ explained" in a["КРМ-2"]["D25"].comment.text
    c = a["Түсініктеме | Пояснения"]["C5"]
    assert c.value == "=қайтарылған сома" and c.data_type == "s"  # never turned into a formula


def test_workbooks_without_the_sheet_read_as_before(tmp_path):
    from krm.validate import validate_file

    plain = fill.filled("KRM-2", tmp_path, name="plain.xlsx", signature={**fill.SIGNATURE, "executor": None})
    blank = fill.filled("KRM-2", tmp_path, name="blank.xlsx", signature={**fill.SIGNATURE, "executor": None},
                        explanations=True)
    a, b = validate_file(plain, fill.TODAY), validate_file(blank, fill.TODAY)
    assert [f.to_dict() for f in a.findings] == [{**f.to_dict(), "file": str(plain)} for f in b.findings]
    assert all("explained" not in f.to_dict() for f in a.findings + b.findings)
    out = json.loads(cli("validate", plain, "--format", "json").output)
    assert "explained" not in out["summary"] and "explained" not in out["files"][0]


def test_the_oblast_accepts_an_explanation_in_the_register(reg_any, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    wb = _explained_workbook(inbox)
    validate_paths([inbox], jobs=1, today=fill.TODAY, by="district clerk")
    with register.open() as reg:
        (v,) = reg.versions(form="KRM-2")
        assert v.state == "returned"  # an explained error still returns the file
        e = reg.accept_explanation(v.id, "KRM-W020", "D25", by="oblast analyst")
        assert (e["code"], e["cell"], e["text"], e["who"], e["date"], e["accepted_by"]) == (
            "KRM-W020", "D25", "Орындаушы демалыста, есепке басшы қол қойды", "Сейітов Н.Қ.", "2019-06-04",
            "oblast analyst")
        assert e["accepted_at"][:4] >= "2025"
        with pytest.raises(StateError, match="is an error: an explanation does not admit it"):
            reg.accept_explanation(v.id, "KRM-E021", "G15")
        with pytest.raises(StateError, match="has no finding KRM-W010"):
            reg.accept_explanation(v.id, "KRM-W010", "H99")
        assert [x["code"] for x in reg.explanations(v.id)] == ["KRM-W020"]
        assert reg.version(v.id).state == "returned"
        assert reg.verify().ok
    r = cli("register", "accept-explanation", v.id, "KRM-E021", "G15")
    assert r.exit_code == 2 and "does not admit" in r.output
    r = cli("register", "accept-explanation", v.id, "krm-w020", "d25", "--by", "again", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["accepted_by"] == "oblast analyst"  # the first acceptance stays
    r = cli("register", "history", "--form", "KRM-2")
    assert "explanation accepted: KRM-W020 D25 «Орындаушы" in r.output and "oblast analyst" in r.output


# ------------------------------------------------------------------ approval levels in krm status
def _district_wb(folder: Path, name: str, i: int, **kw) -> Path:
    from krm import reference

    d = fill._districts(6)[i]
    return fill.filled("KRM-2", folder, name=name, header_over={"district": reference.district_label(d, "kk")}, **kw)


def _approval(folder: Path, as_of) -> dict:
    r = cli("status", folder, "--month", fill.PERIOD, "--as-of", as_of.isoformat(), "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["approval"]


def test_status_shows_approval_levels_and_correction_windows_from_the_register(reg_any, pki, tmp_path):
    import datetime as dt

    from krm.deadlines import working_days_after

    inbox = tmp_path / "in"
    inbox.mkdir()
    bad_row = [{**fill.rows("KRM-2")[0], "plan": -1}] + fill.rows("KRM-2")[1:]
    confirmed = _district_wb(inbox, "a.xlsx", 0)
    changed = _district_wb(inbox, "b.xlsx", 1)
    returned = _district_wb(inbox, "c.xlsx", 2, rows_over=bad_row)
    corrected = _district_wb(inbox, "d.xlsx", 3, rows_over=bad_row)
    explained = _district_wb(inbox, "e.xlsx", 4, signature={**fill.SIGNATURE, "executor": None}, explanations=True)
    from krm import explanations as X

    fill.edit(explained, {"A4": "KRM-W020", "B4": "D25", "C4": "on leave", "D4": "Сейітов Н.Қ."}, sheet=X.SHEET)
    validate_paths([inbox], jobs=1, today=fill.TODAY, by="district clerk")
    with register.open() as reg:
        for wb in (confirmed, changed):
            reg.confirm_version(verify.confirm(wb, pki.sign(wb, tmp_path / f"{wb.name}.cms"), pki.trust, now=NOW))
    _district_wb(inbox, "b.xlsx", 1, rows_over=[{**fill.rows("KRM-2")[0], "fact": 3}] + fill.rows("KRM-2")[1:])
    _district_wb(inbox, "d.xlsx", 3)  # corrected at once
    today = dt.date.today()
    ap = _approval(inbox, today)
    assert ap["source"] == "register" and ap["confirmations_known"] is True
    assert ap["deadlines"]["KRM-2"] == {"submit": "2019-06-05", "reconcile": "2019-06-10",
                                        "return_working_days": 1, "correct_working_days": 2}
    (row,) = [r for r in ap["by_region_programme"] if r["form"] == "KRM-2"]
    assert (row["region"], row["programme"]) == (fill._region().kato, "ENBEK")
    assert {k: row[k] for k in ("received", "accepted", "returned", "explained", "confirmed",
                                "changed_after_confirmation")} == {
        "received": 5, "accepted": 3, "returned": 1, "explained": 1, "confirmed": 1, "changed_after_confirmation": 1}
    items = {Path(i["path"]).name: i for i in ap["submissions"]}
    ret = items["c.xlsx"]
    assert ret["state"] == "returned" and ret["found"] == ret["returned"] == today.isoformat()
    assert ret["return_due"] == working_days_after(today, 1).isoformat()
    assert ret["correct_due"] == working_days_after(today, 2).isoformat() and ret["overdue"] == []
    cor = items["d.xlsx"]
    assert cor["state"] == "accepted" and cor["corrected"] == today.isoformat() and cor["versions"] == 2
    assert items["b.xlsx"]["changed_after_confirmation"] and items["b.xlsx"]["confirmed"]
    assert items["e.xlsx"]["explained"] and not items["a.xlsx"]["explained"]
    # the month's confirmations were due on 10 June 2019: every accepted, unconfirmed one is overdue
    assert {Path(i["path"]).name: i["overdue"] for i in ap["overdue"]} == {
        "b.xlsx": ["confirmation"], "d.xlsx": ["confirmation"], "e.xlsx": ["confirmation"]}
    # three working days on, the returned one has missed its correction window
    later = _approval(inbox, working_days_after(today, 3))
    assert [i["overdue"] for i in later["submissions"] if Path(i["path"]).name == "c.xlsx"] == [["correction"]]
    assert later["totals"]["KRM-2"]["overdue_correction"] == 1
    r = cli("status", inbox, "--month", fill.PERIOD, "--as-of", working_days_after(today, 3).isoformat())
    assert "KRM-2 approval (register)" in r.output and "correction due" in r.output


def test_status_approval_from_the_files_when_the_register_is_off(tmp_path, monkeypatch):
    import datetime as dt
    import os

    monkeypatch.setenv("KRM_REGISTER", "off")
    bad_row = [{**fill.rows("KRM-2")[0], "plan": -1}] + fill.rows("KRM-2")[1:]
    late = _district_wb(tmp_path, "late.xlsx", 0, rows_over=bad_row)
    fixed = _district_wb(tmp_path, "fixed-1.xlsx", 1, rows_over=bad_row)
    _district_wb(tmp_path, "fixed-2.xlsx", 1)
    ok = _district_wb(tmp_path, "ok.xlsx", 2)
    stamp = lambda p, day: os.utime(p, (dt.datetime(*day).timestamp(),) * 2)  # noqa: E731 - the file's time
    stamp(late, (2019, 6, 3, 9))
    stamp(fixed, (2019, 6, 3, 9))
    stamp(tmp_path / "fixed-2.xlsx", (2019, 6, 5, 9))  # Wednesday: within 2 working days of the return (4 June)
    stamp(ok, (2019, 6, 4, 9))
    ap = _approval(tmp_path, dt.date(2019, 6, 7))
    assert ap["source"] == "files" and ap["confirmations_known"] is False
    items = {Path(i["path"]).name: i for i in ap["submissions"]}
    assert set(items) == {"late.xlsx", "fixed-2.xlsx", "ok.xlsx"}
    assert (items["late.xlsx"]["found"], items["late.xlsx"]["return_due"], items["late.xlsx"]["correct_due"]) == (
        "2019-06-03", "2019-06-04", "2019-06-06")
    assert items["late.xlsx"]["overdue"] == ["correction"]
    assert items["fixed-2.xlsx"]["corrected"] == "2019-06-05" and items["fixed-2.xlsx"]["overdue"] == []
    assert items["ok.xlsx"]["overdue"] == []  # confirmation unknown without the register: never flagged
    t = ap["totals"]["KRM-2"]
    assert (t["received"], t["accepted"], t["returned"], t["confirmed"], t["overdue_correction"]) == (3, 2, 1, 0, 1)


def test_a_register_of_schema_1_gets_the_approval_tables(reg_path, tmp_path):
    import sqlite3

    folder = tmp_path / "in"
    folder.mkdir()
    fill.filled("KRM-2", folder, name="a.xlsx")
    validate_paths([folder], jobs=1, today=fill.TODAY)
    con = sqlite3.connect(reg_path)  # back to what a krm of schema 1 left
    con.executescript("DROP TABLE confirmation; DROP TABLE explanation; DELETE FROM krm_migration WHERE number = 2;")
    con.commit()
    con.close()
    with register.open() as reg:
        (v,) = reg.versions()
        assert reg.confirmations(v.id) == [] and reg.explanations(v.id) == [] and reg.verify().ok
        with reg.reader() as c:
            assert [r[0] for r in c.execute(select(S.krm_migration.c.number).order_by(S.krm_migration.c.number))] \
                == [m[0] for m in S.MIGRATIONS]
