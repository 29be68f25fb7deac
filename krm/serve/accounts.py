"""Accounts of the portal: one per office, with a role tied to its reporting unit.

=========  ===========================================  =============================================
role       unit                                         sees / does
=========  ===========================================  =============================================
district   the district's 9-digit KATO                  its own uploads and submissions
oblast     the region's 2-digit KATO                    its region's inbox: return, accept, confirm
central    a programme code (the body that runs it)     KRM-4/5 of its programme, status across regions
centre     "" (the Labour Resources Development Centre) KRM-4/5, KRM-6/7 and the note, every region
admin      ""                                           accounts
=========  ===========================================  =============================================

Passwords are stored only as argon2id hashes (argon2-cffi, memory-hard); a login is compared in constant
time even for an unknown account (a dummy hash is verified), so timing does not tell which logins exist.
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from krm.register import schema as S
from krm.register.connect import _now

ROLES = ("district", "oblast", "central", "centre", "admin")
LANGS = ("kk", "ru", "en")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """An account that cannot be made or used as asked (one line)."""


@dataclass(frozen=True)
class Account:
    id: int
    login: str
    role: str
    unit: str
    name: str
    lang: str
    active: bool = True

    @property
    def region(self) -> str:
        """The region an oblast or district account belongs to ("" for the others)."""
        return self.unit[:2] if self.role in ("district", "oblast") else ""


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current defaults (64 MiB, 3 passes)


_DUMMY = None


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def check_unit(role: str, unit: str) -> str:
    """``unit`` checked against the reference data for ``role``; returns it normalised."""
    from krm import reference

    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    unit = (unit or "").strip()
    if role == "district":
        if not any(d.kato == unit for d in reference._all_districts()):
            raise AccountError(f"district {unit!r}: not a district KATO code of the reference list")
    elif role == "oblast":
        if not any(r.kato == unit for r in reference.all_regions()):
            raise AccountError(f"region {unit!r}: not a region KATO code of the reference list")
    elif role == "central":
        p = reference.programme(unit)
        if p is None:
            raise AccountError(f"programme {unit!r}: not a programme code of the reference list")
        unit = p.code
    elif unit:
        raise AccountError(f"a {role} account has no reporting unit (got {unit!r})")
    return unit


def create(reg, login: str, password: str, role: str, unit: str = "", *, name: str = "", lang: str = "kk",
           hashed: str | None = None) -> Account:
    """A new account; an existing login is refused (never overwritten).  ``hashed``: the password's hash made
    already (one hash for many demo accounts)."""
    login = login.strip()
    if not login or len(login) > 64 or not all(c.isalnum() or c in "-_." for c in login):
        raise AccountError(f"login {login!r}: use 1-64 letters, digits, '-', '_' or '.'")
    if lang not in LANGS:
        raise AccountError(f"language {lang!r}: use kk, ru or en")
    unit = check_unit(role, unit)
    pw = hashed or hash_password(password)
    A = S.account
    with reg.writer() as c, c.begin():
        if c.execute(select(A.c.id).where(A.c.login == login)).first() is not None:
            raise AccountError(f"account {login!r} exists already; it was left as it is")
        aid = c.execute(A.insert().values(login=login, password_hash=pw, role=role, unit=unit, name=name or login,
                                          lang=lang, active=1, created_at=_now()).returning(A.c.id)).scalar_one()
    return Account(aid, login, role, unit, name or login, lang)


def _row(r) -> Account:
    return Account(r.id, r.login, r.role, r.unit, r.name, r.lang, bool(r.active))


def get(reg, account_id: int) -> Account | None:
    with reg.reader() as c, c.begin():
        r = c.execute(select(S.account).where(S.account.c.id == account_id, S.account.c.active == 1)).first()
    return _row(r) if r is not None else None


def all_accounts(reg) -> list[Account]:
    with reg.reader() as c, c.begin():
        return [_row(r) for r in c.execute(select(S.account).order_by(S.account.c.role, S.account.c.unit,
                                                                      S.account.c.login))]


def authenticate(reg, login: str, password: str) -> Account | None:
    """The account when ``password`` is its password (the hash is upgraded if the parameters changed)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _DUMMY
    ph = _hasher()
    with reg.reader() as c, c.begin():
        r = c.execute(select(S.account).where(S.account.c.login == (login or "").strip(),
                                              S.account.c.active == 1)).first()
    if r is None:
        if _DUMMY is None:
            _DUMMY = ph.hash(secrets.token_hex(16))
        try:
            ph.verify(_DUMMY, password or "")
        except (VerificationError, InvalidHashError):
            pass
        return None
    try:
        ph.verify(r.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if ph.check_needs_rehash(r.password_hash):
        with reg.writer() as c, c.begin():
            c.execute(update(S.account).where(S.account.c.id == r.id).values(password_hash=ph.hash(password)))
    return _row(r)


def offices(on: str, region: str | None = None) -> list[tuple[str, str, str, str, str]]:
    """(login, role, unit, name, lang) of every office the reference data knows on ``on`` (YYYY-MM or a date):
    each region's akimat, each district's, each programme's central body, and the Centre (``region``: only that
    region's akimats, with the Centre and the central bodies)."""
    from krm import reference

    if region is not None and not any(r.kato == region for r in reference.regions(on)):
        raise AccountError(f"region {region!r}: not a region KATO code of the reference list on {on}")
    out = [("centre", "centre", "", "Еңбек ресурстарын дамыту орталығы", "kk")]
    for p in reference.programmes(on):
        out.append((f"central-{p.code.lower()}", "central", p.code, p.name("ru"), "ru"))
    for r in reference.regions(on):
        if region is not None and r.kato != region:
            continue
        out.append((f"oblast-{r.kato}", "oblast", r.kato, r.name("ru"), "ru"))
        for d in reference.districts(r.kato, on):
            out.append((f"district-{d.kato}", "district", d.kato, d.name("ru"), "kk"))
    return out


def import_offices(reg, on: str, passwords_out: Path | None, *, password: str | None = None,
                   region: str | None = None) -> tuple[int, int]:
    """An account for every office of :func:`offices` that has none; returns (created, already there).

    Each new account gets a random password written to ``passwords_out`` (a new CSV file, private: refused
    if it exists), or ``password`` for all (a demo)."""
    rows = offices(on, region)
    with reg.reader() as c, c.begin():
        have = {r[0] for r in c.execute(select(S.account.c.login))}
    todo = [r for r in rows if r[0] not in have]
    if password is None and passwords_out is None:
        raise AccountError("give a file for the new passwords (--passwords FILE)")
    fh = None
    if passwords_out is not None and todo:
        import os

        try:
            fd = os.open(passwords_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise AccountError(f"{passwords_out} exists; it was left as it is: choose a new file") from None
        except OSError as e:
            raise AccountError(f"{passwords_out}: {e.strerror or e}") from None
        fh = os.fdopen(fd, "w", newline="", encoding="utf-8")
    try:
        w = csv.writer(fh) if fh else None
        if w:
            w.writerow(["login", "password", "role", "unit", "name"])
        shared = hash_password(password) if password else None
        for login, role, unit, name, lang in todo:
            pw = password or secrets.token_urlsafe(12)
            create(reg, login, pw, role, unit, name=name, lang=lang, hashed=shared)
            if w:
                w.writerow([login, pw, role, unit, name])
    finally:
        if fh:
            fh.close()
    return len(todo), len(rows) - len(todo)


# ------------------------------------------------------------------ changing an account
def _end_sessions(c, account_id: int, keep: str | None = None) -> None:
    """End the account's live sessions (all but the one whose token hash is ``keep``)."""
    P = S.portal_session
    q = update(P).where(P.c.account_id == account_id, P.c.ended_at.is_(None))
    if keep is not None:
        q = q.where(P.c.token_hash != keep)
    c.execute(q.values(ended_at=_now()))


def change_password(reg, account: Account, current: str, new: str, *, keep_session: str | None = None) -> None:
    """The account's own change: ``current`` must be its password; its other sessions end."""
    if authenticate(reg, account.login, current) is None:
        raise AccountError("the current password is wrong; nothing was changed")
    if new == current:
        raise AccountError("the new password is the same as the current one")
    pw = hash_password(new)
    with reg.writer() as c, c.begin():
        c.execute(update(S.account).where(S.account.c.id == account.id).values(password_hash=pw))
        _end_sessions(c, account.id, keep_session)


def _other(reg, admin: Account, account_id: int):
    with reg.reader() as c, c.begin():
        r = c.execute(select(S.account).where(S.account.c.id == account_id)).first()
    if r is None:
        raise AccountError(f"no account {account_id}")
    if r.id == admin.id:
        raise AccountError("an administrator does not deactivate or reset its own account here")
    return r


def set_active(reg, admin: Account, account_id: int, active: bool) -> Account:
    """An administrator deactivates (its sessions end, it cannot sign in) or reactivates an account."""
    r = _other(reg, admin, account_id)
    with reg.writer() as c, c.begin():
        c.execute(update(S.account).where(S.account.c.id == r.id).values(active=1 if active else 0))
        if not active:
            _end_sessions(c, r.id)
    return _row(r)


def reset_password(reg, admin: Account, account_id: int, new: str) -> Account:
    """An administrator sets a new password for an account (to be given to its office); its sessions end."""
    r = _other(reg, admin, account_id)
    pw = hash_password(new)
    with reg.writer() as c, c.begin():
        c.execute(update(S.account).where(S.account.c.id == r.id).values(password_hash=pw))
        _end_sessions(c, r.id)
    return _row(r)

