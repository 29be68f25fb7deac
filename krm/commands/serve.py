"""krm serve — the submission portal (docs/serve.md): start it, make the first administrator, import offices."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import REGISTER_HELP, fail, say
from krm.commands.register import _open

serve_app = typer.Typer(help="The submission portal: districts upload, oblasts confirm, the Centre downloads the "
                             "month's roll-ups (docs/serve.md).")
app.add_typer(serve_app, name="serve")

DATA_HELP = ("Folder for uploads (by content hash), annotated copies, roll-ups and the signing secret; never "
             "served as a folder (default: beside the register, krm-serve/).")


def _needs_extra():
    try:
        import argon2  # noqa: F401
        import itsdangerous  # noqa: F401
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as e:
        fail(f"krm serve needs its extra: pip install 'krm[serve]' ({e})")


def _data_dir(location: Optional[str], data: Optional[Path]) -> Path:
    from krm.register.connect import configured, sqlite_path

    if data is not None:
        return data
    target = configured(location)
    p = sqlite_path(target) if target else None
    return (p.parent if p is not None else Path.home() / ".local" / "share" / "krm") / "krm-serve"


@serve_app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: loopback only)."),
    port: int = typer.Option(8260, "--port", help="Port."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    data: Optional[Path] = typer.Option(None, "--data", help=DATA_HELP),
    trust: Optional[Path] = typer.Option(None, "--trust", help="Trusted CA certificates for confirmations "
                                         "(as krm confirm --trust)."),
    crl: Optional[Path] = typer.Option(None, "--crl", help="A CRL of the signers' CA (as krm confirm --crl)."),
    month: Optional[str] = typer.Option(None, "--month", help="The month pages show first (default: last month)."),
    max_files: int = typer.Option(20, "--max-files", help="Files per upload."),
    max_mb: int = typer.Option(20, "--max-mb", help="Megabytes per file."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Cookies only over HTTPS (behind a TLS "
                                        "reverse proxy)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes checking uploads."),
) -> None:
    """Start the portal (Ctrl-C stops it)."""
    if ctx.invoked_subcommand is not None:
        return
    _needs_extra()
    import uvicorn

    from krm.serve.app import Config, create_app
    from krm.values import month_arg

    extra = {}
    if month:
        try:
            extra["month"] = month_arg(month)
        except ValueError as e:
            fail(f"--month: {e}")
    if trust is not None and not trust.is_dir():
        fail(f"--trust {trust}: not a folder")
    if max_files < 1 or max_mb < 1:
        fail("--max-files and --max-mb must be at least 1")
    if not 1 <= port <= 65535:
        fail(f"--port {port}: give a port from 1 to 65535")
    with _open(register) as reg:
        target = reg.target
    cfg = Config(register=target, data=_data_dir(register, data), max_files=max_files,
                 max_bytes=max_mb * 1024 * 1024, secure_cookies=secure_cookies, jobs=jobs, trust=trust, crl=crl,
                 extra=extra)
    sock = _listen(host, port)  # bound here, so a taken port or a wrong address is one line, not a traceback
    say(f"krm serve: http://{host}:{port}/  register {target}, data {cfg.data}")
    server = uvicorn.Server(uvicorn.Config(create_app(cfg), host=host, port=port, log_level="warning",
                                           proxy_headers=True, forwarded_allow_ips="127.0.0.1"))
    server.run(sockets=[sock])


def _listen(host: str, port: int):
    """A listening socket on ``host:port``, or a one-line error (exit 2) saying why there cannot be one."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        fail(f"--host {host}: not an address of this machine ({e})")
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        fail(f"cannot listen on {host}:{port} ({e.strerror or e}); is another krm serve running? choose "
             "another --port")
    sock.set_inheritable(True)
    return sock


@serve_app.command("create-admin")
def create_admin(
    login: str = typer.Argument("admin", help="The administrator's login."),
    password_file: Optional[Path] = typer.Option(None, "--password-file", help="Read the password from this file "
                                                 "(else asked for, twice)."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """Create the first administrator (or another one); an existing login is refused."""
    _needs_extra()
    from krm.serve import accounts

    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            fail(f"{password_file}: {e.strerror or e}")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with _open(register) as reg:
        try:
            accounts.create(reg, login, password, "admin", name=login, lang="ru")
        except accounts.AccountError as e:
            fail(str(e))
    say(f"administrator {login} created")


@serve_app.command("import-offices")
def import_offices(
    on: str = typer.Option(..., "--on", help="The date (YYYY-MM or YYYY-MM-DD) whose reference lists are used."),
    passwords: Optional[Path] = typer.Option(None, "--passwords", help="A new CSV file (private) for the new "
                                             "accounts' random passwords."),
    demo_password: Optional[str] = typer.Option(None, "--demo-password", help="One password for every new account "
                                                "(a demonstration only)."),
    region: Optional[str] = typer.Option(None, "--region", help="Only this region's offices (its KATO code), with "
                                         "the Centre and the central bodies: a portal for one region."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """An account for every office of the reference data: the Centre, each programme's central body, each
    region's and each district's akimat (existing logins are kept as they are)."""
    _needs_extra()
    from krm.serve import accounts

    if (passwords is None) == (demo_password is None):
        fail("give either --passwords FILE or --demo-password")
    with _open(register) as reg:
        try:
            made, kept = accounts.import_offices(reg, on, passwords, password=demo_password, region=region)
        except accounts.AccountError as e:
            fail(str(e))
    say(f"{made} accounts created, {kept} already there" + (f"; passwords in {passwords}" if passwords and made else ""))
