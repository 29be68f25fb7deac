"""Who signed: the IIN, BIN, name, organisation and role the NCA writes into a certificate.

The NCA's subject: CN = surname and name, SURNAME, GIVENNAME = the patronymic, SERIALNUMBER =
"IIN" + 12 digits, O = the organisation, OU = "BIN" + 12 digits (an organisation's employee).
The role is an extended-key-usage OID (seen there on real NCA certificates; certificate policies are
looked at too): 1.2.398.3.3.4.1.2.1 first head, 1.2.398.3.3.4.1.2.2 a person with signing
authority; 1.2.398.3.3.4.1.2 marks an organisation's employee, 1.2.398.3.3.4.1.1 a private person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIRST_HEAD = "1.2.398.3.3.4.1.2.1"
SIGNING_AUTHORITY = "1.2.398.3.3.4.1.2.2"
ROLES = {FIRST_HEAD: "first head", SIGNING_AUTHORITY: "person with signing authority",
         "1.2.398.3.3.4.1.2": "employee of an organisation", "1.2.398.3.3.4.1.1": "private person"}
MAY_CONFIRM = (FIRST_HEAD, SIGNING_AUTHORITY)


@dataclass
class Signer:
    name: str  # "SURNAME NAME PATRONYMIC"
    surname: str | None
    given: str | None  # the first name (second word of CN)
    patronymic: str | None
    iin: str | None
    bin: str | None
    organisation: str | None
    role_oids: list[str] = field(default_factory=list)  # NCA role OIDs found (EKU or policies)
    key_usage: set[str] = field(default_factory=set)
    serial: str = ""
    issuer: str = ""  # the issuing CA's name

    @property
    def role(self) -> str:
        for oid in MAY_CONFIRM + tuple(ROLES):
            if oid in self.role_oids:
                return ROLES[oid]
        return "no role of an organisation"

    @property
    def may_confirm(self) -> bool:
        return any(o in self.role_oids for o in MAY_CONFIRM)

    def to_dict(self) -> dict:
        return {"name": self.name, "iin": self.iin, "bin": self.bin, "organisation": self.organisation,
                "role": self.role, "role_oids": self.role_oids, "may_confirm": self.may_confirm,
                "certificate_serial": self.serial, "certificate_issuer": self.issuer}


def _subject_fields(cert) -> dict[str, str]:
    out: dict[str, str] = {}
    for rdn in cert["tbs_certificate"]["subject"].chosen:
        for atv in rdn:
            oid = atv["type"].dotted
            try:
                v = atv["value"].native
            except Exception:  # noqa: BLE001
                continue
            if isinstance(v, str) and oid not in out:
                out[oid] = v.strip()
    return out


def _ids(value: str | None, prefix: str) -> str | None:
    if not value:
        return None
    m = re.fullmatch(prefix + r"\s*(\d{12})", value.strip(), re.I)
    return m.group(1) if m else None


def signer(cert) -> Signer:
    f = _subject_fields(cert)
    cn = f.get("2.5.4.3", "")
    words = cn.split()
    patronymic = f.get("2.5.4.42")
    s = Signer(name=" ".join(words + ([patronymic] if patronymic else [])) or cn,
               surname=f.get("2.5.4.4") or (words[0] if words else None),
               given=words[1] if len(words) > 1 else None, patronymic=patronymic,
               iin=_ids(f.get("2.5.4.5"), "IIN"), bin=_ids(f.get("2.5.4.11"), "BIN"),
               organisation=f.get("2.5.4.10"), serial=format(cert["tbs_certificate"]["serial_number"].native, "X"))
    for ext in cert["tbs_certificate"]["extensions"] or []:
        oid = ext["extn_id"].dotted
        try:
            if oid == "2.5.29.37":  # extended key usage
                s.role_oids += [p.dotted for p in ext["extn_value"].parsed if p.dotted in ROLES]
            elif oid == "2.5.29.32":  # certificate policies
                s.role_oids += [p["policy_identifier"].dotted for p in ext["extn_value"].parsed
                                if p["policy_identifier"].dotted in ROLES]
            elif oid == "2.5.29.15":
                s.key_usage = set(ext["extn_value"].parsed.native)
        except Exception:  # noqa: BLE001 - an extension we cannot parse gives no role
            continue
    s.role_oids = list(dict.fromkeys(s.role_oids))
    return s


def signs(s: Signer) -> bool:
    """May this key sign documents (key usage digitalSignature or nonRepudiation, or no key usage)?"""
    return not s.key_usage or bool(s.key_usage & {"digital_signature", "non_repudiation"})
