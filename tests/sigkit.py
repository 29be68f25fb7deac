"""A test PKI for `krm confirm`: CAs, certificates, CRLs and CMS signatures for both algorithms,
built at test time (no real NCA key, no network).

RSA keys come from ``cryptography``; GOST R 34.10-2015 (512 bit, TC26 set A) keys are derived from
fixed seeds and used through gostcrypto; certificates, CRLs and CMS are assembled with asn1crypto,
in the NCA's layout (see ``krm/signatures/algorithms.py``; the layout itself is pinned by a real NCA
signature in ``tests/data``, not by this kit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from asn1crypto import algos, cms, core, crl, keys, x509

from krm.signatures import algorithms as A

UTC = dt.timezone.utc
FIRST_HEAD = "1.2.398.3.3.4.1.2.1"
SIGNING_AUTHORITY = "1.2.398.3.3.4.1.2.2"
EMPLOYEE = ["1.2.398.3.3.4.1.2", "1.2.398.3.3.4.1.2.5"]
GOST_SIG = A.GOST_SIG_512
RSA_SIG = "1.2.840.113549.1.1.11"
LEGACY_SIG = "1.2.398.3.10.1.1.1.2"
LEGACY_DIGEST = "1.2.398.3.10.1.3.1"


def t(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)


# ------------------------------------------------------------------ keys
class GostKey:
    alg = "gost"
    sig_oid = GOST_SIG
    digest_oid = A.STREEBOG_512

    def __init__(self, seed: str):
        g = A._curve512a()
        self.seed = seed
        # 64-bit private keys and nonces: test keys, and point multiplication stays fast in pure Python
        self.d = int.from_bytes(hashlib.sha512(seed.encode()).digest()[:8], "big") | 1
        pub = bytes(g.public_key_generate(bytearray(self.d.to_bytes(64, "big"))))
        x, y = int.from_bytes(pub[:64], "big"), int.from_bytes(pub[64:], "big")
        self.key_le = x.to_bytes(64, "little") + y.to_bytes(64, "little")

    def spki(self) -> keys.PublicKeyInfo:
        alg = _seq(_oid(A.GOST_KEY_512), _seq(_oid(A.GOST_CURVE_512A), _oid(A.STREEBOG_512)))
        bits = b"\x03" + _len(1 + 3 + 128) + b"\x00" + b"\x04\x81\x80" + self.key_le
        return keys.PublicKeyInfo.load(_seq(alg, bits))

    def sign(self, data: bytes) -> bytes:
        """r || s little-endian over Streebog-512(data), deterministic k from the seed."""
        g = A._curve512a()
        dg = A.digest(A.STREEBOG_512, data)
        k = int.from_bytes(hashlib.sha512(self.seed.encode() + dg).digest()[:8], "big") | 1
        rs = bytes(g.sign(bytearray(self.d.to_bytes(64, "big")), bytearray(int.from_bytes(dg, "little").to_bytes(64, "big")),
                          bytearray(k.to_bytes(64, "big"))))
        r, s = int.from_bytes(rs[:64], "big"), int.from_bytes(rs[64:], "big")
        return r.to_bytes(64, "little") + s.to_bytes(64, "little")


class RsaKey:
    alg = "rsa"
    sig_oid = RSA_SIG
    digest_oid = "2.16.840.1.101.3.4.2.1"

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.k = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def spki(self) -> keys.PublicKeyInfo:
        from cryptography.hazmat.primitives import serialization

        return keys.PublicKeyInfo.load(self.k.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))

    def sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return self.k.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _len(n: int) -> bytes:
    return bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")


def _seq(*parts: bytes) -> bytes:
    body = b"".join(parts)
    return b"\x30" + _len(len(body)) + body


def _oid(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


# ------------------------------------------------------------------ certificates
@dataclass
class Cert:
    cert: x509.Certificate
    key: object

    @property
    def name(self) -> x509.Name:
        return self.cert.subject

    def pem(self) -> bytes:
        from asn1crypto import pem

        return pem.armor("CERTIFICATE", self.cert.dump())


@dataclass
class Person:
    cn: str = "СЕЙІТОВ НҰРЛАН"
    surname: str = "СЕЙІТОВ"
    patronymic: str = "ҚАЙРАТҰЛЫ"
    iin: str = "800101300123"
    bin: str = "190540012345"
    org: str = "ГУ «Аппарат акима района»"
    roles: list = field(default_factory=lambda: [*EMPLOYEE[:1], FIRST_HEAD])


def person_name(p: Person) -> x509.Name:
    return x509.Name.build({"common_name": p.cn, "surname": p.surname, "serial_number": f"IIN{p.iin}",
                            "country_name": "KZ", "organization_name": p.org,
                            "organizational_unit_name": f"BIN{p.bin}", "given_name": p.patronymic})


_SERIAL = [1000]


def issue(subject: x509.Name, key, issuer: Cert | None, *, ca: bool, nb: str = "2024-01-01", na: str = "2027-01-01",
          roles: list | None = None, key_usage: set | None = None, signer_key=None) -> Cert:
    """A certificate of ``key`` for ``subject`` signed by ``issuer`` (None: self-signed); ``signer_key``
    signs instead of the issuer's key (a forged link)."""
    _SERIAL[0] += 1
    iss_name = issuer.name if issuer else subject
    sign_with = signer_key or (issuer.key if issuer else key)
    exts = [{"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": ca}},
            {"extn_id": "key_identifier", "critical": False,
             "extn_value": hashlib.sha1(key.spki().dump()).digest()},
            {"extn_id": "key_usage", "critical": True,
             "extn_value": key_usage or ({"key_cert_sign", "crl_sign"} if ca else {"digital_signature", "non_repudiation"})}]
    if roles:
        exts.append({"extn_id": "extended_key_usage", "critical": False,
                     "extn_value": ["1.3.6.1.5.5.7.3.4", *roles]})
    alg = {"algorithm": sign_with.sig_oid, "parameters": core.Null()}
    tbs = x509.TbsCertificate({
        "version": "v3", "serial_number": _SERIAL[0], "signature": alg, "issuer": iss_name,
        "validity": {"not_before": x509.Time({"utc_time": t(nb)}), "not_after": x509.Time({"utc_time": t(na)})},
        "subject": subject, "subject_public_key_info": key.spki(), "extensions": exts})
    cert = x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": alg,
                             "signature_value": sign_with.sign(tbs.dump())})
    return Cert(x509.Certificate.load(cert.dump()), key)


def ca_name(cn: str) -> x509.Name:
    return x509.Name.build({"common_name": cn, "country_name": "KZ"})


# ------------------------------------------------------------------ CMS
def cms_sign(data: bytes, signer: Cert, *, chain: list | None = None, attached: bool = False,
             signing_time: str | None = "2025-03-03T10:00:00", message_digest: bytes | None = None,
             sign_over: bytes | None = None, sig_oid: str | None = None, digest_oid: str | None = None,
             include_signer: bool = True) -> bytes:
    """A SignedData as NCALayer makes it.  ``message_digest`` forces the messageDigest attribute;
    ``sign_over`` makes the signature value over other signed attributes (those of ``sign_over``)."""
    key = signer.key
    d_oid = digest_oid or key.digest_oid

    def attrs_for(content: bytes, digest_value: bytes | None) -> cms.CMSAttributes:
        dv = digest_value if digest_value is not None else A.digest(d_oid, content)
        items = [{"type": "content_type", "values": ["data"]}]
        if signing_time:
            items.append({"type": "signing_time", "values": [cms.Time({"utc_time": t(signing_time)})]})
        items.append({"type": "message_digest", "values": [dv]})
        return cms.CMSAttributes(items)

    attrs = attrs_for(data, message_digest)
    over = attrs_for(sign_over, None).dump() if sign_over is not None else attrs.dump()
    signature = key.sign(over)
    si = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": signer.cert.issuer, "serial_number": signer.cert.serial_number}}),
        "digest_algorithm": {"algorithm": d_oid, "parameters": core.Null()},
        "signed_attrs": attrs,
        "signature_algorithm": {"algorithm": sig_oid or key.sig_oid, "parameters": core.Null()},
        "signature": signature})
    certs = ([signer.cert] if include_signer else []) + [c.cert for c in (chain or [])]
    sd = cms.SignedData({
        "version": "v1", "digest_algorithms": [{"algorithm": d_oid, "parameters": core.Null()}],
        "encap_content_info": {"content_type": "data", "content": data if attached else None},
        "certificates": certs, "signer_infos": [si]})
    return cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()


def legacy_cms(data: bytes, signer: Cert) -> bytes:
    """A SignedData that names the legacy GOST 34.310-2004 / GOST 34.311-95 algorithms, as pre-2024 NCA
    keys sign (no open implementation to make a real one: the values are placeholders)."""
    return cms_sign(data, signer, sig_oid=LEGACY_SIG, digest_oid=LEGACY_DIGEST, message_digest=bytes(32))


# ------------------------------------------------------------------ CRL
def make_crl(issuer: Cert, revoked: list[tuple[Cert, str]], *, this_update: str = "2025-06-01",
             signer_key=None) -> bytes:
    key = signer_key or issuer.key
    alg = {"algorithm": key.sig_oid, "parameters": core.Null()}
    tbs = crl.TbsCertList({
        "version": "v2", "signature": alg, "issuer": issuer.name,
        "this_update": x509.Time({"utc_time": t(this_update)}),
        "next_update": x509.Time({"utc_time": t(this_update) + dt.timedelta(days=7)}),
        "revoked_certificates": [{"user_certificate": c.cert.serial_number,
                                  "revocation_date": x509.Time({"utc_time": t(when)})} for c, when in revoked] or None})
    return crl.CertificateList({"tbs_cert_list": tbs, "signature_algorithm": alg,
                                "signature": key.sign(tbs.dump())}).dump()


_ = algos  # keep the import: asn1crypto registers the algorithm names used above
