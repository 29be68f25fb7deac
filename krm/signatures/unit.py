"""The workbook's reporting unit, read by krm's reader (in an isolated worker, under its memory and
time limits), and what of the signer can be matched against it.

The forms carry no BIN or IIN of the reporting body: only its region / district (or, for KRM-4/5,
the central body's name) and, in the signature block, the head's name (``KRM_HEAD``).  So:
the head's name is matched against the certificate's name; the organisation's name against the
unit's names; the BIN and IIN only against what the user gives (``--bin``, ``--iin``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from krm.signatures.roles import Signer

_KK_TO_RU = str.maketrans("ӘҒҚҢӨҰҮҺІЁ", "АГКНОУУХИЕ")


@dataclass
class Unit:
    form: str | None = None
    period: str | None = None
    region: str | None = None  # KATO
    district: str | None = None
    body: str | None = None
    head: str | None = None  # the signature block's "head or acting head"
    names: list[str] = field(default_factory=list)  # the unit's names (kk, ru) to look for in O
    error: str | None = None  # why it could not be read

    def to_dict(self) -> dict:
        return {"form": self.form, "period": self.period, "region": self.region, "district": self.district,
                "body": self.body, "head": self.head, "read_error": self.error}


@dataclass
class Match:
    what: str  # "head-name" | "bin" | "iin" | "organisation"
    status: str  # "matched" | "mismatch" | "not-checked"
    detail: str

    def to_dict(self) -> dict:
        return {"what": self.what, "status": self.status, "detail": self.detail}


def _read_unit(path: Path) -> Unit:
    """Runs in the worker: the header and the signature block, nothing else kept."""
    from krm import reference
    from krm.convert import to_submission
    from krm.workbook.reader import ReadError, read

    try:
        pf = read(path)
    except ReadError as e:
        return Unit(error=f"{e.code}: {e.detail}")
    sub = to_submission(pf)
    u = Unit(form=pf.spec.id, period=sub.period or None, region=sub.region, district=sub.district,
             body=sub.body, head=_text(pf.signature.get("head")))
    if sub.district:
        d = reference.district(sub.district)
        u.names += [d.name_kk, d.name_ru] if d else []
    elif sub.region:
        r = reference.region(sub.region, sub.period or None)
        u.names += [r.name_kk, r.name_ru] if r else []
    if sub.body:
        u.names.append(sub.body)
    return u


def _text(v) -> str | None:
    s = str(v).strip() if v is not None else ""
    return s or None


def read_unit(path: Path) -> Unit:
    from krm.pool import run_isolated

    [(_, ok, res)] = run_isolated(_read_unit, [path], jobs=1, mem_limit_mb=1024, timeout_s=60, isolate=True)
    return res if ok else Unit(error=str(res))


def fold(s: str) -> str:
    return re.sub(r"[^\w]+", " ", s.upper().translate(_KK_TO_RU)).strip()


def head_matches(head: str, s: Signer) -> bool:
    """The signature block names the signer: surname, and the first name or its initial."""
    words = fold(head).split()
    sur, given = fold(s.surname or ""), fold(s.given or "")
    if not sur or sur not in words:
        return False
    return not given or given in words or any(w == given[0] for w in words)


def _stem(name: str) -> str:
    w = fold(name).split()
    w = [x for x in w if len(x) > 3] or w
    return w[0][: max(4, len(w[0]) - 3)] if w else ""


def match(unit: Unit, s: Signer, want_bin: str | None, want_iin: str | None) -> list[Match]:
    out = []
    if unit.head:
        ok = head_matches(unit.head, s)
        out.append(Match("head-name", "matched" if ok else "mismatch",
                         f"the form names «{unit.head}», the certificate «{s.name}»"))
    else:
        out.append(Match("head-name", "not-checked", "the form's signature block names no head"
                         + (f" ({unit.error})" if unit.error else "")))
    for what, want, have in (("bin", want_bin, s.bin), ("iin", want_iin, s.iin)):
        if want:
            out.append(Match(what, "matched" if want == have else "mismatch",
                             f"expected {want}, the certificate has {have or 'none'}"))
        else:
            out.append(Match(what, "not-checked", f"the form carries no {what.upper()}; the certificate has "
                                                  f"{have or 'none'} (give --{what} to check it)"))
    org = fold(s.organisation or "")
    stems = [st for st in (_stem(n) for n in unit.names if n) if st]
    if not stems or not org:
        out.append(Match("organisation", "not-checked", "no reporting unit or organisation name to compare"))
    else:
        ok = any(st in org for st in stems)
        out.append(Match("organisation", "matched" if ok else "mismatch",
                         f"«{' / '.join(unit.names)}» not found in the certificate's organisation"))
    return out
