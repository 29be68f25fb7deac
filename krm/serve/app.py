"""The Starlette application: configuration, middleware, the signed-in account, pages.

Every route is a function ``(portal, request, account) -> Response`` declared with :func:`route` and the
roles that may call it; :func:`route` looks the session up, refuses other roles (403) and requests without
a session (a redirect to the login page for GET, 403 for POST), and checks the CSRF token of every POST.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from krm.serve import accounts
from krm.serve.access import Denied
from krm.serve.checker import MAX_BYTES, MAX_FILES
from krm.serve.words import LANGS, translator

HERE = Path(__file__).parent
LANG_COOKIE = "krm_lang"
#: what every page may load: only the portal's own files (no inline script, no other origin)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@dataclass
class Config:
    register: str  # path or URL of the register
    data: Path  # uploads, annotated copies, roll-ups, the secret (never served as a folder)
    max_files: int = MAX_FILES
    max_bytes: int = MAX_BYTES
    secure_cookies: bool = False  # set behind HTTPS (the reverse proxy): cookies only over TLS
    jobs: int | None = None
    today: dt.date | None = None  # the validation date (tests); default: each day's date
    trust: Path | None = None  # trusted CA certificates for confirmations (krm confirm --trust)
    crl: Path | None = None
    session_hours: float = 8.0
    extra: dict = field(default_factory=dict)


class Portal:
    """What the routes share: the register, sessions, the checker, the templates."""

    def __init__(self, config: Config):
        import jinja2

        import krm.register as register
        from krm.serve.checker import Checker
        from krm.serve.sessions import Sessions, Throttle, load_secret

        self.config = config
        config.data.mkdir(parents=True, exist_ok=True, mode=0o700)
        reg = register.open(config.register)
        if reg is None:
            raise register.RegisterError("krm serve needs a register (KRM_REGISTER=off was given)")
        self.reg = reg
        self.sessions = Sessions(reg, load_secret(config.data / "secret"),
                                 dt.timedelta(hours=config.session_hours))
        self.throttle = Throttle()
        self.checker = Checker(config.jobs, config.today)
        from krm.serve.outputs import Builder

        self.builder = Builder(config.register, config.data)
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                      autoescape=True, undefined=jinja2.StrictUndefined)

    def close(self) -> None:
        self.checker.close()
        self.builder.close()
        self.reg.close()

    # ------------------------------------------------------------------ pages
    def lang_of(self, request, account=None) -> str:
        q = request.query_params.get("lang")
        if q in LANGS:
            return q
        c = request.cookies.get(LANG_COOKIE)
        if c in LANGS:
            return c
        return account.lang if account is not None else "kk"

    def page(self, request, name: str, account=None, csrf: str = "", status: int = 200, **ctx) -> HTMLResponse:
        lang = self.lang_of(request, account)
        t = translator(lang)
        html = self.env.get_template(name).render(t=t, lang=lang, account=account, csrf=csrf, request=request,
                                                  path=request.url.path, **ctx)
        resp = HTMLResponse(html, status_code=status)
        if request.query_params.get("lang") in LANGS:
            resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=self.config.secure_cookies)
        return resp

    def today(self) -> dt.date:
        return self.config.today or dt.date.today()


ROUTES: list[tuple[str, object, tuple[str, ...], tuple[str, ...]]] = []


def route(path: str, *, roles: tuple[str, ...], methods: tuple[str, ...] = ("GET",)):
    """Declare a page for ``roles`` (see the module's doc)."""

    def deco(fn):
        ROUTES.append((path, fn, roles, methods))
        fn.roles = roles
        return fn

    return deco


def _guarded(portal: Portal, fn, roles):
    async def endpoint(request):
        from krm.serve.sessions import COOKIE, same

        found = portal.sessions.find(request.cookies.get(COOKIE))
        account = accounts.get(portal.reg, found[0]) if found else None
        if account is None:
            if request.method == "GET":
                return RedirectResponse("/login?next=" + _safe_next(request.url.path), status_code=303)
            return PlainTextResponse("not signed in", status_code=403)
        csrf = found[1]
        if request.method == "POST":
            form = await request.form(max_files=portal.config.max_files + 1, max_fields=50)
            request.state.form = form
            if not same(form.get("csrf"), csrf):
                return PlainTextResponse("the form's CSRF token is missing or wrong; reload the page", status_code=403)
        if account.role not in roles:
            return portal.page(request, "denied.html", account, csrf, status=403)
        try:
            return await fn(portal, request, account, csrf)
        except Denied:
            return portal.page(request, "denied.html", account, csrf, status=403)

    return endpoint


def _safe_next(path: str) -> str:
    from urllib.parse import quote

    return quote(path if path.startswith("/") and not path.startswith("//") else "/", safe="/")


class _Limits:
    """ASGI middleware: a request body over the limit (every file at its size limit plus 1 MB for the form's
    fields) is cut off with 413; security headers on every answer."""

    def __init__(self, app, config: Config):
        self.app = app
        self.config = config

    @property
    def limit(self) -> int:
        return self.config.max_files * self.config.max_bytes + 1024 * 1024

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await PlainTextResponse("request too large", status_code=413)(scope, receive, send)
        seen = 0
        started = False

        async def limited():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return msg

        async def headers(msg):
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                h = list(msg.get("headers", []))
                h += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                      (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"),
                      (b"cache-control", b"no-store")]
                msg = {**msg, "headers": h}
            await send(msg)

        try:
            await self.app(scope, limited, headers)
        except _TooLarge:
            if not started:
                await PlainTextResponse("request too large", status_code=413)(scope, receive, headers)


class _TooLarge(Exception):
    pass


def create_app(config: Config) -> Starlette:
    from starlette.staticfiles import StaticFiles

    from krm.serve import views_admin, views_district, views_login, views_oblast, views_centre  # noqa: F401

    portal = Portal(config)
    routes = [Route("/login", views_login.login, methods=["GET", "POST"]),
              Route("/logout", views_login.logout, methods=["POST"]),
              Route("/", views_login.home),
              Route("/favicon.ico", lambda _request: Response(status_code=204)),
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    for path, fn, roles, methods in ROUTES:
        routes.append(Route(path, _guarded(portal, fn, roles), methods=list(methods)))
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app):
        try:
            yield
        finally:
            portal.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.portal = portal
    app.add_middleware(_Limits, config=config)
    return app


def download(data: bytes, filename: str, media: str) -> Response:
    """A file to save, never to show: attachment, its own type, nosniff (set by the middleware)."""
    from urllib.parse import quote

    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "file"
    return Response(data, media_type=media, headers={
        "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
