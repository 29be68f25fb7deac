"""Digests and signature checks for the algorithms the NCA of Kazakhstan issues keys for.

* GOST R 34.10-2015, 512 bit, with Streebog-512 (GOST R 34.11-2015): the NCA's OIDs
  (signature 1.2.398.3.10.1.1.2.3.2, key 1.2.398.3.10.1.1.2.2 with curve parameters
  1.2.398.3.10.1.1.2.2.1 = TC26 512-bit parameter set A, hash 1.2.398.3.10.1.3.3).
  The arithmetic is gostcrypto's (``id-tc26-gost-3410-12-512-paramSetA``).
* RSA PKCS#1 v1.5 with SHA-256 (and SHA-384/512), through ``cryptography``.
* The legacy GOST 34.310-2004 keys (arc 1.2.398.3.10.1.1.1, hash GOST 34.311-95,
  1.2.398.3.10.1.3.1): no maintained open library verifies them; they are refused with
  :class:`LegacyAlgorithm` rather than guessed at.

Byte order of the NCA's GOST objects (pinned by ``tests/data/nca-gost2015-512-signerinfo.json``,
a real NCA-issued SignerInfo, where exactly one of the sixteen combinations verifies):

* public key: the OCTET STRING inside the key's BIT STRING holds ``x || y``, each 64 bytes
  little-endian (as RFC 4491 §2.3.2 / RFC 9215 §4.3);
* digest: the Streebog output bytes, read as a little-endian integer ``e``;
* signature: ``r || s``, each 64 bytes **little-endian** — the byte reversal of the RFC 4491
  ``s || r`` big-endian layout, which the NCA does not use.

gostcrypto reads every number big-endian and takes the signature as ``r || s``; the
conversions below are the only place this order is decided.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

GOST_SIG_512 = "1.2.398.3.10.1.1.2.3.2"
GOST_SIG_256 = "1.2.398.3.10.1.1.2.3.1"
GOST_KEY_512 = "1.2.398.3.10.1.1.2.2"
GOST_CURVE_512A = "1.2.398.3.10.1.1.2.2.1"
STREEBOG_512 = "1.2.398.3.10.1.3.3"
STREEBOG_256 = "1.2.398.3.10.1.3.2"
LEGACY_ARCS = ("1.2.398.3.10.1.1.1.", "1.2.398.3.10.1.3.1")  # GOST 34.310-2004 keys/signatures, GOST 34.311-95
RSA_KEY = "1.2.840.113549.1.1.1"
RSA_SIGS = {"1.2.840.113549.1.1.11": "sha256", "1.2.840.113549.1.1.12": "sha384", "1.2.840.113549.1.1.13": "sha512"}
SHA2 = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512"}

NAMES = {GOST_SIG_512: "GOST R 34.10-2015 (512 bit) with Streebog-512", STREEBOG_512: "Streebog-512",
         "1.2.840.113549.1.1.11": "RSA with SHA-256", "1.2.840.113549.1.1.12": "RSA with SHA-384",
         "1.2.840.113549.1.1.13": "RSA with SHA-512", RSA_KEY: "RSA", "2.16.840.1.101.3.4.2.1": "SHA-256",
         "1.2.398.3.10.1.1.1.2": "GOST 34.310-2004 (legacy)", "1.2.398.3.10.1.3.1": "GOST 34.311-95 (legacy)",
         GOST_SIG_256: "GOST R 34.10-2015 (256 bit)"}


class AlgorithmError(Exception):
    """An algorithm krm does not verify; ``oid`` names it."""

    def __init__(self, oid: str, detail: str = ""):
        super().__init__(detail or oid)
        self.oid = oid
        self.detail = detail or name(oid)


class LegacyAlgorithm(AlgorithmError):
    """GOST 34.310-2004 / GOST 34.311-95: known, but cannot be verified here."""


def name(oid: str) -> str:
    return f"{NAMES[oid]} ({oid})" if oid in NAMES else oid


def is_legacy(oid: str) -> bool:
    return any(oid == a or oid.startswith(a) for a in LEGACY_ARCS)


def _check_known(*oids: str | None) -> None:
    for oid in oids:
        if oid and is_legacy(oid):
            raise LegacyAlgorithm(oid, name(oid))


def digest(oid: str, data: bytes) -> bytes:
    """The digest of ``data`` by the algorithm ``oid`` (Streebog bytes as gostcrypto gives them)."""
    _check_known(oid)
    if oid in SHA2:
        return hashlib.new(SHA2[oid], data).digest()
    if oid in (STREEBOG_512, STREEBOG_256):
        import gostcrypto

        h = gostcrypto.gosthash.new("streebog512" if oid == STREEBOG_512 else "streebog256", data=data)
        return bytes(h.digest())
    raise AlgorithmError(oid, f"digest algorithm {name(oid)}")


def digest_of_signature(sig_oid: str) -> str | None:
    """The digest algorithm a signature algorithm implies (None for bare rsaEncryption)."""
    if sig_oid == GOST_SIG_512:
        return STREEBOG_512
    if sig_oid in RSA_SIGS:
        return next(k for k, v in SHA2.items() if v == RSA_SIGS[sig_oid])
    return None


# ------------------------------------------------------------------ GOST R 34.10-2015, 512 bit
def gost_public_key(spki_der: bytes) -> tuple[str, str | None, bytes]:
    """(key algorithm OID, curve OID, the 128 key bytes ``x||y`` little-endian) from a SubjectPublicKeyInfo."""
    from asn1crypto import core

    spki = core.Sequence.load(spki_der)
    alg = spki[0]
    key_oid = core.ObjectIdentifier.load(alg.contents[: _tlv_len(alg.contents)]).dotted
    curve = None
    rest = alg.contents[_tlv_len(alg.contents):]
    if rest[:1] == b"\x30":  # parameters: SEQUENCE { curve OID, digest OID }
        params = core.Sequence.load(rest)
        curve = core.ObjectIdentifier.load(params.contents[: _tlv_len(params.contents)]).dotted
    bits = spki[1].contents[1:]  # BIT STRING: drop the unused-bits byte
    key = core.OctetString.load(bits).native if bits[:1] == b"\x04" and len(bits) != 128 else bits
    return key_oid, curve, bytes(key)


def _tlv_len(b: bytes) -> int:
    """Length of the first DER TLV in ``b``."""
    n = b[1]
    if n < 0x80:
        return 2 + n
    k = n & 0x7F
    return 2 + k + int.from_bytes(b[2:2 + k], "big")


@lru_cache(maxsize=1)
def _curve512a():
    import gostcrypto

    params = gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019["id-tc26-gost-3410-12-512-paramSetA"]
    return gostcrypto.gostsignature.new(gostcrypto.gostsignature.MODE_512, params)


def gost_to_gostcrypto(key_le: bytes, dgst: bytes, sig: bytes) -> tuple[bytes, bytes, bytes]:
    """The NCA's byte layout (see the module doc) -> gostcrypto's (big-endian numbers, ``r || s``)."""
    x, y = int.from_bytes(key_le[:64], "little"), int.from_bytes(key_le[64:], "little")
    r, s = int.from_bytes(sig[:64], "little"), int.from_bytes(sig[64:], "little")
    e = int.from_bytes(dgst, "little")
    be = lambda v: v.to_bytes(64, "big")  # noqa: E731
    return be(x) + be(y), be(e), be(r) + be(s)


@lru_cache(maxsize=256)  # a chain's CA signatures repeat across many checks; verifying costs ~0.4 s
def gost_verify(key_le: bytes, dgst: bytes, sig: bytes) -> bool:
    """GOST R 34.10-2015 (512 bit, TC26 set A) check of ``sig`` over the digest ``dgst``, NCA layout."""
    if len(key_le) != 128 or len(sig) != 128 or len(dgst) != 64:
        return False
    pub, e, rs = gost_to_gostcrypto(key_le, dgst, sig)
    try:
        return bool(_curve512a().verify(bytearray(pub), bytearray(e), bytearray(rs)))
    except Exception:  # noqa: BLE001 - gostcrypto raises its own error for out-of-range values
        return False


# ------------------------------------------------------------------ one entry point
def key_algorithm(spki_der: bytes) -> str:
    from asn1crypto import core

    alg = core.Sequence.load(spki_der)[0]
    return core.ObjectIdentifier.load(alg.contents[: _tlv_len(alg.contents)]).dotted


def verify(sig_oid: str, digest_oid: str | None, spki_der: bytes, data: bytes, signature: bytes) -> bool:
    """Does ``signature`` by the key ``spki_der`` cover ``data``?  Raises :class:`AlgorithmError`
    (or :class:`LegacyAlgorithm`) for an algorithm krm cannot check."""
    key_oid = key_algorithm(spki_der)
    _check_known(sig_oid, digest_oid, key_oid)
    if sig_oid in (GOST_SIG_512, GOST_KEY_512):  # some signers name the key algorithm in the SignerInfo
        if digest_oid not in (None, STREEBOG_512):
            raise AlgorithmError(digest_oid, f"{name(sig_oid)} with digest {name(digest_oid)}")
        k_oid, curve, key = gost_public_key(spki_der)
        if k_oid != GOST_KEY_512 or curve not in (None, GOST_CURVE_512A):
            raise AlgorithmError(curve or k_oid, f"GOST key {k_oid} with curve parameters {curve}")
        return gost_verify(key, digest(STREEBOG_512, data), bytes(signature))
    if key_oid == RSA_KEY and (sig_oid in RSA_SIGS or sig_oid == RSA_KEY):
        hname = RSA_SIGS.get(sig_oid) or SHA2.get(digest_oid or "")
        if hname is None or (digest_oid and SHA2.get(digest_oid) not in (None, hname)):
            raise AlgorithmError(digest_oid or sig_oid, f"RSA with digest {name(digest_oid or '?')}")
        return _rsa_verify(spki_der, hname, data, bytes(signature))
    raise AlgorithmError(sig_oid, f"signature algorithm {name(sig_oid)} with a {name(key_oid)} key")


def _rsa_verify(spki_der: bytes, hname: str, data: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        key = serialization.load_der_public_key(spki_der)
    except ValueError:
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hname]
    try:
        key.verify(signature, data, padding.PKCS1v15(), h)
        return True
    except InvalidSignature:
        return False
