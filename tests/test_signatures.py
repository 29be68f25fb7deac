"""krm confirm: CMS signatures (GOST R 34.10-2015 512 bit and RSA) over real KRM workbooks.

The PKI is built here (tests/sigkit.py): a root and an intermediate CA in the trust folder, as the
NCA's are, signers under them; every case asserts its own finding and nothing else.  The GOST byte
layout is pinned by a real NCA-issued SignerInfo (tests/data), independent of the kit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sigkit as K
from fill import cell_of, edit, filled, locate
from krm import reference
from krm.cli import app
from krm.signatures import algorithms as A
from krm.signatures import verify

NOW = K.t("2025-06-15T12:00:00")
DATA = Path(__file__).parent / "data"


# ------------------------------------------------------------------ the real NCA signature
def test_nca_signature_fixes_the_byte_order():
    """A SignerInfo made by an NCA GOST 2015-512 key verifies in exactly one of the 16 layouts: key
    x||y little-endian, digest little-endian, signature r||s little-endian (not RFC 4491's s||r)."""
    v = json.loads((DATA / "nca-gost2015-512-signerinfo.json").read_text(encoding="utf-8"))
    spki, attrs, sig = (bytes.fromhex(v[k]) for k in ("subject_public_key_info_der", "signed_attributes_der", "signature"))
    assert v["signature_algorithm"] == A.GOST_SIG_512 and v["digest_algorithm"] == A.STREEBOG_512
    assert A.verify(v["signature_algorithm"], v["digest_algorithm"], spki, attrs, sig)
    assert not A.verify(v["signature_algorithm"], v["digest_algorithm"], spki, attrs[:-1] + b"\x00", sig)
    key_oid, curve, key = A.gost_public_key(spki)
    assert (key_oid, curve, len(key)) == (A.GOST_KEY_512, A.GOST_CURVE_512A, 128)
    g, dg = A._curve512a(), A.digest(A.STREEBOG_512, attrs)
    le = lambda b: b[:64][::-1] + b[64:][::-1]  # noqa: E731 - each half read the other way
    keys = {"key le": le(key), "key be": key}
    digests = {"digest le": dg[::-1], "digest be": dg}
    sigs = {"r||s le": le(sig), "r||s be": sig, "s||r be (RFC 4491)": sig[64:] + sig[:64], "s||r le": le(sig[64:] + sig[:64])}
    good = [(a, b, c) for a, k in keys.items() for b, d in digests.items() for c, s in sigs.items()
            if g.verify(bytearray(k), bytearray(d), bytearray(s))]
    assert good == [("key le", "digest le", "r||s le")]


# ------------------------------------------------------------------ the test PKI
class PKI:
    def __init__(self, alg: str, folder: Path, org: str):
        self.alg = alg
        new = (lambda seed: K.GostKey(f"{alg}-{seed}")) if alg == "gost" else (lambda seed: K.RsaKey())
        self.key = new
        self.root = K.issue(K.ca_name(f"TEST ROOT {alg}"), new("root"), None, ca=True, nb="2020-01-01", na="2040-01-01")
        self.ca = K.issue(K.ca_name(f"TEST NCA {alg}"), new("ca"), self.root, ca=True, nb="2020-01-01", na="2035-01-01")
        self.person = K.Person(org=org)
        self.head = self.signer(K.Person(org=org))
        self.trust = folder / f"trust-{alg}"
        self.trust.mkdir()
        (self.trust / "root.pem").write_bytes(self.root.pem())
        (self.trust / "nca.cer").write_bytes(self.ca.cert.dump())  # DER, as the NCA publishes it
        (self.trust / "readme.txt").write_text("not a certificate", encoding="utf-8")

    def signer(self, person=None, *, issuer=None, seed="head", **kw) -> K.Cert:
        p = person or self.person
        return K.issue(K.person_name(p), self.key(seed), issuer or self.ca, ca=False, roles=p.roles,
                       nb=kw.pop("nb", "2024-01-01"), na=kw.pop("na", "2034-01-01"), **kw)


@pytest.fixture(scope="module")
def wb(tmp_path_factory) -> Path:
    return filled("KRM-2", tmp_path_factory.mktemp("wb"))


@pytest.fixture(scope="module")
def org(wb) -> str:
    pf = locate(wb)
    d = reference.district(pf.header["district"])
    return f"ГУ «Аппарат акима {d.name_ru}»"


@pytest.fixture(scope="module", params=["gost", "rsa"])
def pki(request, tmp_path_factory, org) -> PKI:
    return PKI(request.param, tmp_path_factory.mktemp("pki"), org)


@pytest.fixture(scope="module")
def gost(tmp_path_factory, org) -> PKI:
    return PKI("gost", tmp_path_factory.mktemp("pki"), org)


@pytest.fixture(scope="module")
def rsa(tmp_path_factory, org) -> PKI:
    return PKI("rsa", tmp_path_factory.mktemp("pki"), org)


def run(wb: Path, cms: bytes, pki: PKI, tmp_path: Path, crl: bytes | None = None, **kw) -> verify.Confirmation:
    sig = tmp_path / "form.xlsx.cms"
    sig.write_bytes(cms)
    crl_path = None
    if crl is not None:
        crl_path = tmp_path / "nca.crl"
        crl_path.write_bytes(crl)
    return verify.confirm(wb, sig, pki.trust, crl_path, now=NOW, **kw)


def codes(conf) -> set[str]:
    return {f.code for f in conf.findings}


def sign(wb: Path, signer: K.Cert, pki: PKI, **kw) -> bytes:
    return K.cms_sign(wb.read_bytes(), signer, chain=[pki.ca], **kw)


# ------------------------------------------------------------------ both algorithms
@pytest.mark.parametrize("attached", [False, True])
def test_good_signature_verifies_with_signer_details(wb, pki, tmp_path, attached):
    conf = run(wb, sign(wb, pki.head, pki, attached=attached), pki, tmp_path)
    assert conf.findings == [] and conf.verified and conf.exit_code == 0
    assert conf.attached is attached
    [rep] = conf.signers
    s = rep.signer
    assert (s.iin, s.bin, s.name, s.role) == ("800101300123", "190540012345", "СЕЙІТОВ НҰРЛАН ҚАЙРАТҰЛЫ", "first head")
    assert rep.chain == ["СЕЙІТОВ НҰРЛАН", f"TEST NCA {pki.alg}", f"TEST ROOT {pki.alg}"]
    assert rep.signing_time == K.t("2025-03-03T10:00:00")
    status = {c.name: c.status for c in rep.checks}
    assert status == {"content": "ok", "signature": "ok", "chain": "ok", "validity": "ok",
                      "revocation": "not-checked", "role": "ok"}
    assert "revocation not checked" in next(c.detail for c in rep.checks if c.name == "revocation")
    assert {m.what: m.status for m in rep.matches} == {"head-name": "matched", "bin": "not-checked",
                                                       "iin": "not-checked", "organisation": "matched"}
    assert conf.unit.form == "KRM-2" and conf.unit.head == "Сейітов Н.Қ."
    assert conf.trust_ignored == ["readme.txt: not a certificate (ValueError)"] or \
        conf.trust_ignored[0].startswith("readme.txt: not a certificate")


def test_tampered_workbook(wb, pki, tmp_path):
    cms = sign(wb, pki.head, pki)
    pf = locate(wb)
    changed = edit(wb, {cell_of(pf, 0, "fact"): 999}, tmp_path / "changed.xlsx")
    conf = run(changed, cms, pki, tmp_path)
    assert codes(conf) == {"KRM-E202"} and conf.exit_code == 1
    assert "differs from the workbook" in conf.findings[0].message("en")


def test_signature_over_other_bytes(wb, pki, tmp_path):
    conf = run(wb, sign(wb, pki.head, pki, sign_over=b"another workbook"), pki, tmp_path)
    assert codes(conf) == {"KRM-E203"} and conf.exit_code == 1


def test_expired_certificate_at_signing_time(wb, pki, tmp_path):
    old = pki.signer(seed="old", nb="2021-01-01", na="2023-01-01")
    conf = run(wb, sign(wb, old, pki), pki, tmp_path)
    assert codes(conf) == {"KRM-E204"}
    assert "2023-01-01" in conf.findings[0].message("en") and "2025-03-03" in conf.findings[0].message("en")


def test_wrong_role(wb, pki, tmp_path):
    clerk = pki.signer(K.Person(org=pki.person.org, roles=list(K.EMPLOYEE)), seed="clerk")
    conf = run(wb, sign(wb, clerk, pki), pki, tmp_path)
    assert codes(conf) == {"KRM-E206"}
    assert conf.signers[0].signer.role == "employee of an organisation"


def test_untrusted_root(wb, pki, tmp_path):
    other_root = K.issue(K.ca_name("SOMEONE ELSE'S ROOT"), pki.key("other-root"), None, ca=True,
                         nb="2020-01-01", na="2040-01-01")
    stranger = pki.signer(issuer=other_root, seed="stranger")
    conf = run(wb, K.cms_sign(wb.read_bytes(), stranger, chain=[other_root]), pki, tmp_path)
    assert codes(conf) == {"KRM-E207"}
    assert "SOMEONE ELSE'S ROOT" in conf.findings[0].message("en")


# ------------------------------------------------------------------ the rest (one algorithm each)
def test_person_with_signing_authority_may_confirm(wb, rsa, tmp_path):
    deputy = rsa.signer(K.Person(org=rsa.person.org, roles=[K.EMPLOYEE[0], K.SIGNING_AUTHORITY]), seed="deputy")
    conf = run(wb, sign(wb, deputy, rsa), rsa, tmp_path)
    assert conf.verified and conf.signers[0].signer.role == "person with signing authority"


def test_not_yet_valid_certificate(wb, rsa, tmp_path):
    later = rsa.signer(seed="later", nb="2025-06-01", na="2030-01-01")
    conf = run(wb, sign(wb, later, rsa), rsa, tmp_path)
    assert codes(conf) == {"KRM-E205"}


def test_broken_chain_link(wb, rsa, tmp_path):
    forged = rsa.signer(seed="forged", signer_key=K.RsaKey())  # names the NCA as issuer, signed by another key
    conf = run(wb, sign(wb, forged, rsa), rsa, tmp_path)
    assert codes(conf) == {"KRM-E208"}


def test_revocation_with_a_crl(wb, gost, tmp_path):
    cms = sign(wb, gost.head, gost)
    crl = K.make_crl(gost.ca, [(gost.head, "2025-02-01")])
    conf = run(wb, cms, gost, tmp_path, crl)
    assert codes(conf) == {"KRM-E209"}
    crl = K.make_crl(gost.ca, [(gost.head, "2025-05-01")])
    conf = run(wb, cms, gost, tmp_path, crl)
    assert codes(conf) == {"KRM-W201"} and conf.verified  # revoked after it signed: a warning
    conf = run(wb, cms, gost, tmp_path, K.make_crl(gost.ca, []))
    assert conf.findings == [] and {c.name: c.status for c in conf.signers[0].checks}["revocation"] == "ok"


def test_crl_own_signature_and_age(wb, rsa, tmp_path):
    cms = sign(wb, rsa.head, rsa)
    forged = K.make_crl(rsa.ca, [], signer_key=K.RsaKey())
    conf = run(wb, cms, rsa, tmp_path, forged)
    assert codes(conf) == {"KRM-E215"} and "own signature" in conf.findings[0].message("en")
    old = K.make_crl(rsa.ca, [], this_update="2025-01-01")
    conf = run(wb, cms, rsa, tmp_path, old)
    assert codes(conf) == {"KRM-W204"} and conf.verified


def test_bin_iin_and_head_name_against_the_unit(wb, rsa, tmp_path):
    cms = sign(wb, rsa.head, rsa)
    conf = run(wb, cms, rsa, tmp_path, want_bin="190540012345", want_iin="800101300123")
    assert conf.findings == [] and {m.what: m.status for m in conf.signers[0].matches}["bin"] == "matched"
    assert codes(run(wb, cms, rsa, tmp_path, want_bin="990540004034")) == {"KRM-E210"}
    assert codes(run(wb, cms, rsa, tmp_path, want_iin="890503401409")) == {"KRM-E211"}
    other = rsa.signer(K.Person(cn="ИВАНОВА АЙГҮЛ", surname="ИВАНОВА", org=rsa.person.org), seed="other")
    conf = run(wb, sign(wb, other, rsa), rsa, tmp_path)
    assert codes(conf) == {"KRM-E212"} and "Сейітов Н.Қ." in conf.findings[0].message("en")


def test_organisation_not_matched_is_a_warning(wb, rsa, tmp_path):
    elsewhere = rsa.signer(K.Person(org="ГУ «Аппарат акима города Караганды»"), seed="elsewhere")
    conf = run(wb, sign(wb, elsewhere, rsa), rsa, tmp_path)
    assert codes(conf) == {"KRM-W203"} and conf.verified and conf.exit_code == 0


def test_legacy_gost_cannot_be_verified_here(wb, rsa, tmp_path):
    conf = run(wb, K.legacy_cms(wb.read_bytes(), rsa.head), rsa, tmp_path)
    assert codes(conf) == {"KRM-E213"}
    assert "cannot be verified here" in conf.findings[0].message("en")
    assert "мұнда тексеру мүмкін емес" in conf.findings[0].message("kk")


def test_unsupported_algorithm(wb, rsa, tmp_path):
    conf = run(wb, sign(wb, rsa.head, rsa, sig_oid="1.2.840.10045.4.3.2"), rsa, tmp_path)  # ECDSA: not an NCA key
    assert codes(conf) == {"KRM-E214"} and "1.2.840.10045.4.3.2" in conf.findings[0].message("en")


def test_key_not_for_signing(wb, rsa, tmp_path):
    auth = rsa.signer(seed="auth", key_usage={"key_encipherment"})
    conf = run(wb, sign(wb, auth, rsa), rsa, tmp_path)
    assert codes(conf) == {"KRM-E216"}


def test_signer_certificate_missing(wb, rsa, tmp_path):
    conf = run(wb, sign(wb, rsa.head, rsa, include_signer=False), rsa, tmp_path)
    assert codes(conf) == {"KRM-E217"}


def test_no_signing_time_checks_as_of_now(wb, rsa, tmp_path):
    conf = run(wb, sign(wb, rsa.head, rsa, signing_time=None), rsa, tmp_path)
    assert codes(conf) == {"KRM-W202"} and conf.signers[0].signing_time == NOW


@pytest.mark.parametrize("raw", [b"", b"PK\x03\x04 not a signature", b"\x30\x82\x01\x00\x06", b"MIIB!!notbase64",
                                 b"-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n"])
def test_unreadable_signature_file(wb, rsa, tmp_path, raw):
    conf = run(wb, raw, rsa, tmp_path)
    assert codes(conf) == {"KRM-E201"} and conf.exit_code == 2


def test_base64_and_pem_as_ncalayer_saves_them(wb, rsa, tmp_path):
    import base64

    der = sign(wb, rsa.head, rsa)
    assert run(wb, base64.b64encode(der), rsa, tmp_path).verified
    pem = b"-----BEGIN CMS-----\n" + base64.encodebytes(der) + b"-----END CMS-----\n"
    assert run(wb, pem, rsa, tmp_path).verified


# ------------------------------------------------------------------ the command
def _state(*paths: Path) -> list:
    return [(hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths]


def test_command_exit_codes_output_and_inputs_untouched(wb, gost, tmp_path):
    runner = CliRunner()
    sig = tmp_path / "good.cms"
    sig.write_bytes(sign(wb, gost.head, gost, attached=True))
    bad = tmp_path / "other.cms"
    bad.write_bytes(sign(wb, gost.head, gost, sign_over=b"x"))
    junk = tmp_path / "junk.cms"
    junk.write_bytes(b"junk")
    before = _state(wb, sig, bad, junk)
    r = runner.invoke(app, ["confirm", str(wb), "--signature", str(sig), "--trust", str(gost.trust),
                            "--format", "json", "--lang", "ru"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["verified"] and out["signers"][0]["signer"]["iin"] == "800101300123"
    assert out["signers"][0]["signer"]["role"] == "first head" and out["findings"] == []
    r = runner.invoke(app, ["confirm", str(wb), "-s", str(bad), "--trust", str(gost.trust), "--lang", "ru"])
    assert r.exit_code == 1 and "KRM-E203" in r.output and "Подпись не подтверждается" in r.output
    r = runner.invoke(app, ["confirm", str(wb), "-s", str(junk), "--trust", str(gost.trust)])
    assert r.exit_code == 2 and "KRM-E201" in r.output
    r = runner.invoke(app, ["confirm", str(wb), "-s", str(sig), "--trust", str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "not a folder" in r.output
    r = runner.invoke(app, ["confirm", str(wb), "-s", str(sig), "--trust", str(gost.trust), "--bin", "12"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["confirm", str(tmp_path / "missing.xlsx"), "-s", str(sig), "--trust", str(gost.trust)])
    assert r.exit_code == 2 and "no such workbook" in r.output
    assert _state(wb, sig, bad, junk) == before  # krm never writes into a signed file (nor the signature)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.cms", "junk.cms", "other.cms"]


def test_trust_folder_without_certificates(wb, rsa, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    sig = tmp_path / "s.cms"
    sig.write_bytes(sign(wb, rsa.head, rsa))
    with pytest.raises(verify.UsageError, match="no certificate"):
        verify.confirm(wb, sig, empty, now=NOW)


def test_reporting_unit_is_read_under_the_guards(tmp_path, rsa):
    """A workbook krm cannot read still has its bytes checked; the unit is reported as not read."""
    notwb = tmp_path / "notes.txt"
    notwb.write_bytes(b"plain text, signed all the same")
    sig = tmp_path / "s.cms"
    sig.write_bytes(K.cms_sign(notwb.read_bytes(), rsa.head, chain=[rsa.ca]))
    conf = verify.confirm(notwb, sig, rsa.trust, now=NOW)
    assert conf.unit.form is None and conf.unit.error.startswith("KRM-E002")
    assert codes(conf) == set() and conf.verified
    assert {m.what: m.status for m in conf.signers[0].matches}["head-name"] == "not-checked"


def test_signing_time_is_taken_from_the_signed_attributes(wb, rsa, tmp_path):
    conf = run(wb, sign(wb, rsa.head, rsa, signing_time="2030-05-05T00:00:00"), rsa, tmp_path)
    assert conf.signers[0].signing_time == dt.datetime(2030, 5, 5, tzinfo=dt.timezone.utc) and conf.verified
