"""Read a CMS / PKCS#7 SignedData (RFC 5652) as NCALayer writes it: DER, PEM, or bare base64 text,
the signed file attached or detached.  Parsing only: nothing here decides whether it verifies."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 256 * 1024 * 1024  # an attached CMS carries the workbook (≤ 32 MB read by krm) and a few KB more
SIGNED_DATA = "1.2.840.113549.1.7.2"
DATA = "1.2.840.113549.1.7.1"


class CMSError(Exception):
    """The signature file cannot be read as CMS SignedData (one line, for KRM-E201)."""


@dataclass
class Signer:
    index: int
    sid_issuer: object | None  # asn1crypto Name (issuer-and-serial sid)
    sid_serial: int | None
    sid_key_id: bytes | None  # subject-key-identifier sid
    digest_oid: str
    signature_oid: str
    signature: bytes
    signed_attrs_der: bytes | None  # the DER SET OF the signature covers; None: the content itself is signed
    content_type: str | None = None  # the content-type signed attribute
    message_digest: bytes | None = None
    signing_time: dt.datetime | None = None
    timestamp_time: dt.datetime | None = None  # genTime of an (unverified) signature-time-stamp token
    attr_problems: list[str] = field(default_factory=list)  # RFC 5652 §5.3 / §11 violations


@dataclass
class SignedData:
    content_type: str
    content: bytes | None  # the attached content; None when detached
    certificates: list  # asn1crypto x509.Certificate
    crls: list
    signers: list[Signer]
    sha256: str = ""  # of the signature file's bytes (set by :func:`read`)


def decode(raw: bytes) -> bytes:
    """DER from DER, PEM (any label) or bare base64 text."""
    if raw[:1] == b"\x30":
        return raw
    text = raw.strip()
    m = re.search(rb"-----BEGIN [A-Z0-9 ]+-----(.*?)-----END [A-Z0-9 ]+-----", text, re.S)
    if m:
        text = m.group(1)
    text = re.sub(rb"\s+", b"", text)
    if not text or not re.fullmatch(rb"[A-Za-z0-9+/=_-]+", text):
        raise CMSError("neither DER nor base64/PEM text")
    try:
        der = base64.b64decode(text + b"=" * (-len(text) % 4), altchars=b"-_" if b"-" in text or b"_" in text else None)
    except (binascii.Error, ValueError) as e:
        raise CMSError(f"bad base64: {e}") from None
    if der[:1] != b"\x30":
        raise CMSError("the decoded bytes are not a DER structure")
    return der


def read(path: Path) -> SignedData:
    """Parse the signature file at ``path``; raises :class:`CMSError` (or OSError)."""
    size = path.stat().st_size
    if size == 0:
        raise CMSError("the file is empty")
    if size > MAX_BYTES:
        raise CMSError(f"{size} bytes, more than any signature of a workbook needs")
    raw = path.read_bytes()
    sd = parse(raw)
    sd.sha256 = hashlib.sha256(raw).hexdigest()
    return sd


def parse(raw: bytes) -> SignedData:
    from asn1crypto import cms

    der = decode(raw)
    try:
        ci = cms.ContentInfo.load(der, strict=False)
        if ci["content_type"].dotted != SIGNED_DATA:
            raise CMSError(f"CMS content type {ci['content_type'].dotted}, not SignedData")
        sd = ci["content"]
        return _signed_data(sd)
    except CMSError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError) as e:
        raise CMSError(f"malformed CMS ({type(e).__name__}: {str(e)[:120]})") from None


def _signed_data(sd) -> SignedData:
    eci = sd["encap_content_info"]
    ctype = eci["content_type"].dotted
    content = None
    if eci["content"].native is not None:
        c = eci["content"]
        content = bytes(c.native) if ctype == DATA else bytes(c.contents)
    certs = [c.chosen for c in (sd["certificates"] or []) if c.name == "certificate"]
    crls = [c.chosen for c in (sd["crls"] or []) if c.name == "crl"]
    signers = [_signer(i, si) for i, si in enumerate(sd["signer_infos"])]
    if not signers:
        raise CMSError("SignedData has no signer")
    return SignedData(ctype, content, certs, crls, signers)


def _signer(i: int, si) -> Signer:
    sid = si["sid"]
    issuer = serial = key_id = None
    if sid.name == "issuer_and_serial_number":
        issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
    else:
        key_id = bytes(sid.chosen.native)
    s = Signer(index=i, sid_issuer=issuer, sid_serial=serial, sid_key_id=key_id,
               digest_oid=si["digest_algorithm"]["algorithm"].dotted,
               signature_oid=si["signature_algorithm"]["algorithm"].dotted,
               signature=bytes(si["signature"].native), signed_attrs_der=None)
    attrs = si["signed_attrs"]
    if attrs.native is not None and len(attrs):
        s.signed_attrs_der = b"\x31" + attrs.dump()[1:]  # [0] IMPLICIT -> the SET OF the signature covers
        _read_attrs(s, attrs)
    unsigned = si["unsigned_attrs"]
    if unsigned.native is not None:
        for a in unsigned:
            if a["type"].dotted == "1.2.840.113549.1.9.16.2.14":  # signature-time-stamp token (CAdES-T)
                s.timestamp_time = _tst_time(a["values"][0])
    return s


def _read_attrs(s: Signer, attrs) -> None:
    seen: dict[str, int] = {}
    for a in attrs:
        oid = a["type"].dotted
        seen[oid] = seen.get(oid, 0) + 1
        vals = a["values"]
        if len(vals) != 1:
            s.attr_problems.append(f"attribute {oid} has {len(vals)} values")
            continue
        if oid == "1.2.840.113549.1.9.3":
            s.content_type = vals[0].dotted
        elif oid == "1.2.840.113549.1.9.4":
            s.message_digest = bytes(vals[0].native)
        elif oid == "1.2.840.113549.1.9.5":
            t = vals[0].native
            s.signing_time = t if isinstance(t, dt.datetime) else None
    for oid, n in seen.items():
        if n > 1:
            s.attr_problems.append(f"attribute {oid} appears {n} times")
    if s.content_type is None:
        s.attr_problems.append("no content-type signed attribute")
    if s.message_digest is None:
        s.attr_problems.append("no message-digest signed attribute")


def _tst_time(token) -> dt.datetime | None:
    """genTime of a time-stamp token (its own signature is not checked here)."""
    try:
        from asn1crypto import cms, tsp  # noqa: F401 - tsp registers TSTInfo

        ci = cms.ContentInfo.load(token.dump())
        return ci["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:  # noqa: BLE001 - a time-stamp we cannot read is just not reported
        return None
