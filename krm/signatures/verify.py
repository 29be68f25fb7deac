"""Does a CMS signature confirm a workbook?  Every step offline; each failure a catalogue finding.

Steps for each SignerInfo (RFC 5652 §5.4, §5.6): the signer's certificate; the message digest of the
workbook's exact bytes against the messageDigest attribute (and the content-type attribute); the
signature over the DER of the signed attributes; the path to the trust folder; every certificate's
validity at the signing time; revocation from a CRL file when one is given; the signer's role and
key usage; the signer against the workbook's reporting unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from krm import codes as C
from krm.findings import Finding
from krm.signatures import algorithms, chain, cms, roles, unit

MAX_WORKBOOK = 256 * 1024 * 1024


class UsageError(Exception):
    """An input that cannot be used at all (exit 2, one line)."""


@dataclass
class Check:
    name: str
    status: str  # "ok" | "failed" | "not-checked" | "warning"
    detail: str = ""

    def to_dict(self) -> dict:
        return {"check": self.name, "status": self.status, "detail": self.detail}


@dataclass
class SignerReport:
    index: int
    signer: roles.Signer | None = None
    algorithm: str = ""
    signing_time: dt.datetime | None = None
    timestamp_time: dt.datetime | None = None
    chain: list[str] = field(default_factory=list)  # subjects, signer first
    checks: list[Check] = field(default_factory=list)
    matches: list[unit.Match] = field(default_factory=list)

    def to_dict(self) -> dict:
        iso = lambda t: t.isoformat() if t else None  # noqa: E731
        return {"index": self.index, "signer": self.signer.to_dict() if self.signer else None,
                "algorithm": self.algorithm, "signing_time": iso(self.signing_time),
                "timestamp_time": iso(self.timestamp_time), "chain": self.chain,
                "checks": [c.to_dict() for c in self.checks], "matches": [m.to_dict() for m in self.matches]}


@dataclass
class Confirmation:
    file: Path
    signature: Path
    sha256: str
    size: int
    attached: bool | None = None
    signature_sha256: str = ""  # of the signature file's bytes (as read and parsed)
    unit: unit.Unit | None = None
    signers: list[SignerReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    trust_ignored: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return bool(self.signers) and not any(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> int:
        if any(f.code == C.E201.code for f in self.findings):
            return 2
        return 0 if self.verified else 1

    def to_dict(self, lang: str = "en") -> dict:
        return {"file": str(self.file), "signature": str(self.signature), "sha256": self.sha256, "size": self.size,
                "signature_sha256": self.signature_sha256,
                "attached": self.attached, "verified": self.verified,
                "reporting_unit": self.unit.to_dict() if self.unit else None,
                "signers": [s.to_dict() for s in self.signers], "trust_ignored": self.trust_ignored,
                "findings": [f.to_dict(lang) for f in self.findings]}


def _read_input(path: Path, what: str) -> bytes:
    try:
        if not path.is_file():
            raise UsageError(f"{path}: no such {what} file")
        if path.stat().st_size > MAX_WORKBOOK:
            raise UsageError(f"{path}: too large for a {what}")
        return path.read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None


def confirm(workbook: Path, signature: Path, trust: Path, crl: Path | None = None, *,
            want_bin: str | None = None, want_iin: str | None = None, now: dt.datetime | None = None,
            read_unit: bool = True) -> Confirmation:
    """Verify ``signature`` over ``workbook``; raises :class:`UsageError` for unusable inputs."""
    data = _read_input(workbook, "workbook")
    conf = Confirmation(workbook, signature, hashlib.sha256(data).hexdigest(), len(data))
    try:
        sd = cms.read(signature)
        conf.signature_sha256 = sd.sha256
    except FileNotFoundError:
        raise UsageError(f"{signature}: no such signature file") from None
    except OSError as e:
        raise UsageError(f"{signature}: {e.strerror or e}") from None
    except cms.CMSError as e:
        conf.findings.append(_finding(conf, C.E201, detail=str(e)))
        return conf
    try:
        tr = chain.load_trust(trust)
        crl_obj = chain.load_crl(crl) if crl is not None else None
    except chain.TrustError as e:
        raise UsageError(str(e)) from None
    conf.trust_ignored = tr.ignored
    conf.attached = sd.content is not None
    conf.unit = unit.read_unit(workbook) if read_unit else unit.Unit(error="not read")
    now = now or dt.datetime.now(dt.timezone.utc)
    for si in sd.signers:
        rep = SignerReport(si.index, algorithm=algorithms.name(si.signature_oid))
        conf.signers.append(rep)
        _check_signer(conf, rep, sd, si, data, tr, crl_obj, now, want_bin, want_iin)
    return conf


def _finding(conf: Confirmation, code, **params) -> Finding:
    return Finding(code=code, severity=code.severity, file=str(conf.file), params=params)


def _signer_cert(sd: cms.SignedData, si: cms.Signer):
    for c in sd.certificates:
        tbs = c["tbs_certificate"]
        if si.sid_key_id is not None and chain.key_id(c) == si.sid_key_id:
            return c
        if si.sid_serial is not None and tbs["serial_number"].native == si.sid_serial \
                and chain.same_name(tbs["issuer"], si.sid_issuer):
            return c
    return None


def _check_signer(conf, rep: SignerReport, sd, si, data, tr, crl_obj, now, want_bin, want_iin) -> None:
    add = lambda code, **p: conf.findings.append(_finding(conf, code, **p))  # noqa: E731
    cert = _signer_cert(sd, si)
    if cert is None:
        add(C.E217)
        rep.checks.append(Check("signer-certificate", "failed", "not in the signature"))
        return
    rep.signer = s = roles.signer(cert)
    s.issuer = chain.issuer(cert)
    rep.timestamp_time = si.timestamp_time
    if not _content_and_signature(conf, rep, sd, si, data, cert, add):
        return
    when = si.signing_time
    if when is None:
        add(C.W202)
        when = now
    rep.signing_time = when
    _chain(rep, cert, sd, tr, crl_obj, when, add)
    if s.may_confirm:
        rep.checks.append(Check("role", "ok", s.role))
    else:
        add(C.E206, role=s.role)
        rep.checks.append(Check("role", "failed", s.role))
    if not roles.signs(s):
        add(C.E216, detail=", ".join(sorted(s.key_usage)))
    rep.matches = unit.match(conf.unit, s, want_bin, want_iin)
    codes = {"head-name": C.E212, "bin": C.E210, "iin": C.E211, "organisation": C.W203}
    for m in rep.matches:
        if m.status == "mismatch":
            add(codes[m.what], detail=m.detail)
    if si.timestamp_time is not None:
        rep.checks.append(Check("timestamp", "not-checked",
                                f"a time-stamp of {si.timestamp_time:%Y-%m-%d %H:%M} UTC is present; its TSA "
                                "signature is not verified and the signing time attribute is used"))


def _content_and_signature(conf, rep, sd, si, data: bytes, cert, add) -> bool:
    """The digest of the workbook and the signature value; False when the rest cannot follow."""
    foreign = sd.content is not None and sd.content != data
    if foreign:
        add(C.E202, detail=f"the signature carries another file ({len(sd.content)} bytes, "
                               f"sha256 {hashlib.sha256(sd.content).hexdigest()[:16]}…)")
        rep.checks.append(Check("content", "failed", "the attached content is another file"))
        data = sd.content  # the signature is still checked, over what it carries
    try:
        if si.signed_attrs_der is not None:
            if si.attr_problems:  # RFC 5652 §5.3: content-type and message-digest, once, single-valued
                add(C.E201, detail="; ".join(si.attr_problems))
                return False
            got = algorithms.digest(si.digest_oid, data)
            if got != si.message_digest and foreign:
                add(C.E203, detail="the message digest does not match the attached content")
            elif got != si.message_digest:
                add(C.E202, detail="the message digest in the signature differs from the workbook's")
                rep.checks.append(Check("content", "failed", "message digest differs"))
            elif not foreign:
                rep.checks.append(Check("content", "ok", f"{algorithms.name(si.digest_oid)} of {len(data)} bytes"))
            if si.content_type != sd.content_type:
                add(C.E203, detail=f"content-type attribute {si.content_type} is not {sd.content_type}")
            signed = si.signed_attrs_der
        else:
            signed = data
        ok = algorithms.verify(si.signature_oid, si.digest_oid, chain.spki_der(cert), signed, si.signature)
    except algorithms.LegacyAlgorithm as e:
        add(C.E213, detail=e.detail)
        rep.checks.append(Check("signature", "not-checked", f"legacy algorithm {e.detail}"))
        return False
    except algorithms.AlgorithmError as e:
        add(C.E214, detail=e.detail)
        rep.checks.append(Check("signature", "not-checked", e.detail))
        return False
    if not ok:
        add(C.E203, detail=algorithms.name(si.signature_oid))
        rep.checks.append(Check("signature", "failed", "does not verify with the signer's key"))
    else:
        rep.checks.append(Check("signature", "ok", algorithms.name(si.signature_oid)))
    return True


def _chain(rep, cert, sd, tr, crl_obj, when: dt.datetime, add) -> None:
    try:
        path = chain.build(cert, sd.certificates, tr)
    except algorithms.LegacyAlgorithm as e:
        add(C.E213, detail=f"certificate chain: {e.detail}")
        return
    except algorithms.AlgorithmError as e:
        add(C.E214, detail=f"certificate chain: {e.detail}")
        return
    rep.chain = [chain.subject(c) for c in path.certs]
    if not path.trusted:
        add(C.E207 if path.problem == "untrusted" else C.E208, detail=path.detail)
        rep.checks.append(Check("chain", "failed", path.detail))
    else:
        rep.checks.append(Check("chain", "ok", f"{len(path.certs)} certificates to «{rep.chain[-1]}»"))
    bad = chain.not_valid_at(path.certs, when)
    stamp = f"{when:%Y-%m-%d %H:%M} UTC"
    if bad is None:
        rep.checks.append(Check("validity", "ok", f"every certificate valid on {stamp}"))
    else:
        kind, c = bad
        nb, na = chain.validity(c)
        if kind == "expired":
            add(C.E204, subject=chain.subject(c), when=stamp, until=f"{na:%Y-%m-%d}")
        else:
            add(C.E205, subject=chain.subject(c), when=stamp, since=f"{nb:%Y-%m-%d}")
        rep.checks.append(Check("validity", "failed", f"«{chain.subject(c)}» {kind} on {stamp}"))
    _revocation(rep, cert, path.certs, crl_obj, when, add)


def _revocation(rep, cert, path: list, crl_obj, when, add) -> None:
    if crl_obj is None:
        rep.checks.append(Check("revocation", "not-checked", "revocation not checked: no CRL file given (--crl)"))
        return
    try:
        r = chain.check_crl(crl_obj, cert, path, when)
    except algorithms.AlgorithmError as e:
        add(C.E215, detail=e.detail)
        rep.checks.append(Check("revocation", "not-checked", e.detail))
        return
    if r.status == "unusable":
        add(C.E215, detail=r.detail)
        rep.checks.append(Check("revocation", "not-checked", r.detail))
        return
    if r.status == "revoked":
        add(C.E209, detail=r.detail)
    elif r.status == "revoked-later":
        add(C.W201, detail=r.detail)
    rep.checks.append(Check("revocation", "failed" if r.status == "revoked" else
                            "warning" if r.status == "revoked-later" else "ok", r.detail))
    if r.this_update is not None and r.this_update < when:
        add(C.W204, detail=f"CRL of {r.this_update:%Y-%m-%d %H:%M} UTC, signature of {when:%Y-%m-%d %H:%M} UTC")
