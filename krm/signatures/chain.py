"""Certificates: the trust folder, the path from the signer to a trusted certificate, validity at the
signing time, and revocation from a CRL file the user gives (never fetched: krm works offline)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from krm.signatures import algorithms

MAX_CERT_FILE = 4 * 1024 * 1024
MAX_DEPTH = 8


class TrustError(Exception):
    """The trust folder or the CRL file cannot be used (one line; exit 2)."""


@dataclass
class Trust:
    certs: list  # asn1crypto x509.Certificate
    ignored: list[str] = field(default_factory=list)  # "file: reason"


def load_certs(raw: bytes) -> list:
    """Every certificate in a DER file or a PEM file (several allowed)."""
    from asn1crypto import pem, x509

    out = []
    if pem.detect(raw):
        for kind, _, der in pem.unarmor(raw, multiple=True):
            if kind in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
                out.append(x509.Certificate.load(der))
    else:
        out.append(x509.Certificate.load(raw))
    for c in out:  # force the parse now, so a broken file is reported as such
        c["tbs_certificate"]["subject"].native
    return out


def load_trust(folder: Path) -> Trust:
    if not folder.is_dir():
        raise TrustError(f"{folder}: not a folder")
    t = Trust([])
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        if p.stat().st_size > MAX_CERT_FILE:
            t.ignored.append(f"{p.name}: too large for a certificate")
            continue
        try:
            t.certs += load_certs(p.read_bytes())
        except Exception as e:  # noqa: BLE001 - any parse failure: the file is not a certificate
            t.ignored.append(f"{p.name}: not a certificate ({type(e).__name__})")
    if not t.certs:
        raise TrustError(f"{folder}: no certificate (PEM or DER) in the trust folder")
    return t


# ------------------------------------------------------------------ certificate helpers
def tbs_der(cert) -> bytes:
    return cert["tbs_certificate"].dump()


def spki_der(cert) -> bytes:
    return cert["tbs_certificate"]["subject_public_key_info"].dump()


def subject(cert) -> str:
    return _dn(cert["tbs_certificate"]["subject"])


def issuer(cert) -> str:
    return _dn(cert["tbs_certificate"]["issuer"])


def _dn(name) -> str:
    """A name as people read it: its common name, else the whole name."""
    try:
        cn = name.native.get("common_name")
        return cn if isinstance(cn, str) and cn else name.human_friendly
    except Exception:  # noqa: BLE001
        return name.dump().hex()[:40]


def same_name(a, b) -> bool:
    try:
        return a.hashable == b.hashable
    except Exception:  # noqa: BLE001
        return a.dump() == b.dump()


def validity(cert) -> tuple[dt.datetime, dt.datetime]:
    v = cert["tbs_certificate"]["validity"]
    return v["not_before"].native, v["not_after"].native


def is_ca(cert) -> bool | None:
    """basicConstraints cA, or None when the certificate has no such extension."""
    for ext in cert["tbs_certificate"]["extensions"] or []:
        if ext["extn_id"].dotted == "2.5.29.19":
            return bool(ext["extn_value"].parsed["ca"].native)
    return None


def key_id(cert) -> bytes | None:
    for ext in cert["tbs_certificate"]["extensions"] or []:
        if ext["extn_id"].dotted == "2.5.29.14":
            return bytes(ext["extn_value"].parsed.native)
    return None


def signed_by(cert, issuer_cert) -> bool:
    """Does ``issuer_cert``'s key verify ``cert``'s signature?  Raises AlgorithmError."""
    return algorithms.verify(cert["signature_algorithm"]["algorithm"].dotted, None, spki_der(issuer_cert),
                             tbs_der(cert), bytes(cert["signature_value"].native))


def fingerprint(cert) -> bytes:
    import hashlib

    return hashlib.sha256(cert.dump()).digest()


# ------------------------------------------------------------------ the path
@dataclass
class Path_:
    certs: list  # signer first, the trusted certificate last (when found)
    trusted: bool
    problem: str | None = None  # "untrusted" | "broken"
    detail: str = ""


def build(signer, pool: list, trust: Trust) -> Path_:
    """The signer's path up to a certificate of the trust folder, each link's signature checked."""
    trusted = {fingerprint(c) for c in trust.certs}
    candidates = list(trust.certs) + [c for c in pool if fingerprint(c) not in trusted]
    path = [signer]
    cur = signer
    for _ in range(MAX_DEPTH):
        issuers = [c for c in candidates if same_name(c["tbs_certificate"]["subject"], cur["tbs_certificate"]["issuer"])
                   and fingerprint(c) != fingerprint(cur)]
        if fingerprint(cur) in trusted:  # a trusted intermediate: go on to its root when that is trusted too
            issuers = [c for c in issuers if fingerprint(c) in trusted]
            if not issuers:
                return Path_(path, True)
        good = next((c for c in issuers if signed_by(cur, c)), None)
        if good is None:
            if issuers:
                return Path_(path, False, "broken", f"the signature on «{subject(cur)}» does not verify with the "
                                                    f"key of «{issuer(cur)}»")
            self_signed = same_name(cur["tbs_certificate"]["subject"], cur["tbs_certificate"]["issuer"])
            what = "a root" if self_signed else "a certificate whose issuer"
            return Path_(path, False, "untrusted", f"the chain ends at {what} «{issuer(cur) if not self_signed else subject(cur)}» "
                                                   "that is not in the trust folder")
        if is_ca(good) is False:
            return Path_(path, False, "broken", f"«{subject(good)}» is not a certification authority (basicConstraints)")
        path.append(good)
        cur = good
    return Path_(path, False, "broken", f"no trusted certificate within {MAX_DEPTH} links")


def not_valid_at(path: list, when: dt.datetime) -> tuple[str, object] | None:
    """("expired" | "not-yet-valid", certificate) for the first certificate of the path not valid at ``when``."""
    for c in path:
        nb, na = validity(c)
        if when < nb:
            return "not-yet-valid", c
        if when > na:
            return "expired", c
    return None


# ------------------------------------------------------------------ revocation
@dataclass
class CRLCheck:
    status: str  # "good" | "revoked" | "revoked-later" | "unusable"
    detail: str = ""
    revoked_at: dt.datetime | None = None
    this_update: dt.datetime | None = None


def load_crl(path: Path):
    from asn1crypto import crl, pem

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TrustError(f"{path}: {e.strerror or e}") from None
    try:
        if pem.detect(raw):
            _, _, raw = pem.unarmor(raw)
        c = crl.CertificateList.load(raw)
        c["tbs_cert_list"]["issuer"].native
        return c
    except Exception as e:  # noqa: BLE001
        raise TrustError(f"{path}: not a CRL ({type(e).__name__})") from None


def check_crl(c, cert, path: list, when: dt.datetime) -> CRLCheck:
    """Is ``cert`` revoked in the CRL ``c``, whose own signature must verify with the key of a
    certificate of ``path`` that issued ``cert``?"""
    tbs = c["tbs_cert_list"]
    this_update = tbs["this_update"].native
    if not same_name(tbs["issuer"], cert["tbs_certificate"]["issuer"]):
        return CRLCheck("unusable", f"the CRL is issued by «{_dn(tbs['issuer'])}», the certificate by «{issuer(cert)}»")
    ca = next((p for p in path if same_name(p["tbs_certificate"]["subject"], tbs["issuer"])), None)
    if ca is None:
        return CRLCheck("unusable", f"the CRL issuer «{_dn(tbs['issuer'])}» is not on the certificate's path")
    ok = algorithms.verify(c["signature_algorithm"]["algorithm"].dotted, None, spki_der(ca), tbs.dump(),
                           bytes(c["signature"].native))
    if not ok:
        return CRLCheck("unusable", f"the CRL's own signature does not verify with the key of «{subject(ca)}»")
    serial = cert["tbs_certificate"]["serial_number"].native
    for rc in tbs["revoked_certificates"] or []:
        if rc["user_certificate"].native == serial:
            at = rc["revocation_date"].native
            return CRLCheck("revoked" if at <= when else "revoked-later", f"revoked on {at:%Y-%m-%d %H:%M} UTC",
                            at, this_update)
    return CRLCheck("good", f"not in the CRL of {this_update:%Y-%m-%d %H:%M} UTC", None, this_update)
