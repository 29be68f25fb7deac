"""Sessions and CSRF tokens.

A signed-in browser holds one cookie: a random token signed with the portal's secret (itsdangerous,
timestamped, so an old cookie is refused even before the table is asked).  The register keeps the token's
SHA-256, the account, the expiry and a CSRF token; logging out ends the session there, so a copied cookie
stops working too.  Every form carries the session's CSRF token (a form shown before login carries one
tied to a short-lived signed cookie of its own) and every POST is refused without the right one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sqlalchemy import select, update

from krm.register import schema as S
from krm.register.connect import _now

COOKIE = "krm_session"
PRE_COOKIE = "krm_pre"  # the login form's CSRF cookie
LIFETIME = dt.timedelta(hours=8)


def load_secret(path: Path) -> bytes:
    """The portal's signing secret: read from ``path``, made there (private) on first use."""
    try:
        data = path.read_bytes().strip()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by another process meanwhile, or too short: use what is there
        data = path.read_bytes().strip()
        if len(data) < 32:
            raise ValueError(f"{path}: the secret is too short (32 characters at least); it was left as it is")
        return data
    with os.fdopen(fd, "wb") as fh:
        fh.write(token)
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, reg, secret: bytes, lifetime: dt.timedelta = LIFETIME):
        from itsdangerous import TimestampSigner

        self.reg = reg
        self.lifetime = lifetime
        self.signer = TimestampSigner(secret, salt="krm-session")
        self.pre_signer = TimestampSigner(secret, salt="krm-login-form")

    # ------------------------------------------------------------------ sessions
    def start(self, account_id: int) -> tuple[str, str]:
        """A new session: (cookie value, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        with self.reg.writer() as c, c.begin():
            c.execute(S.portal_session.insert().values(token_hash=_digest(token), account_id=account_id, csrf=csrf,
                                                       created_at=now, expires_at=now + self.lifetime))
        return self.signer.sign(token).decode(), csrf

    def find(self, cookie: str | None) -> tuple[int, str] | None:
        """(account id, CSRF token) of a live session, or None."""
        from itsdangerous import BadSignature

        if not cookie:
            return None
        try:
            token = self.signer.unsign(cookie, max_age=int(self.lifetime.total_seconds())).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        P = S.portal_session
        with self.reg.reader() as c, c.begin():
            r = c.execute(select(P.c.account_id, P.c.csrf, P.c.expires_at, P.c.ended_at)
                          .where(P.c.token_hash == _digest(token))).first()
        if r is None or r.ended_at is not None or r.expires_at <= _now():
            return None
        return r.account_id, r.csrf

    def end(self, cookie: str | None) -> None:
        from itsdangerous import BadSignature

        if not cookie:
            return
        try:
            token = self.signer.unsign(cookie).decode()
        except (BadSignature, UnicodeDecodeError):
            return
        P = S.portal_session
        with self.reg.writer() as c, c.begin():
            c.execute(update(P).where(P.c.token_hash == _digest(token), P.c.ended_at.is_(None)).values(ended_at=_now()))

    # ------------------------------------------------------------------ the login form's CSRF
    def pre_token(self, cookie: str | None) -> tuple[str, str]:
        """(cookie value, form token) for a form shown before login: the cookie's signed nonce is the token."""
        from itsdangerous import BadSignature

        if cookie:
            try:
                nonce = self.pre_signer.unsign(cookie, max_age=3600).decode()
                return cookie, nonce
            except (BadSignature, UnicodeDecodeError):
                pass
        nonce = secrets.token_urlsafe(24)
        return self.pre_signer.sign(nonce).decode(), nonce

    def pre_ok(self, cookie: str | None, form_token: str | None) -> bool:
        from itsdangerous import BadSignature

        if not cookie or not form_token:
            return False
        try:
            nonce = self.pre_signer.unsign(cookie, max_age=3600).decode()
        except (BadSignature, UnicodeDecodeError):
            return False
        return hmac.compare_digest(nonce, form_token)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class Throttle:
    """Failed sign-ins per login: after ``limit`` failures within ``window`` the login is refused, without
    trying the password, until the window has passed (guessing passwords costs time; kept in memory)."""

    def __init__(self, limit: int = 5, window: dt.timedelta = dt.timedelta(minutes=15)):
        import threading

        self.limit = limit
        self.window = window
        self._failed: dict[str, list[dt.datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, login: str, now: dt.datetime) -> list[dt.datetime]:
        xs = [t for t in self._failed.get(login, []) if now - t < self.window]
        if xs:
            self._failed[login] = xs
        else:
            self._failed.pop(login, None)
        return xs

    def blocked(self, login: str) -> bool:
        with self._lock:
            return len(self._recent(login.lower(), _now())) >= self.limit

    def failed(self, login: str) -> None:
        with self._lock:
            now = _now()
            self._recent(login.lower(), now)
            self._failed.setdefault(login.lower(), []).append(now)

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._failed.pop(login.lower(), None)
