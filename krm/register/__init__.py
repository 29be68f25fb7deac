"""The register of submissions: one database that remembers every workbook krm has read, what it held,
what was found in it, which submission it is a version of, and what became of that version.

The library API (docs/register.md)::

    import krm.register as register
    reg = register.open()                 # --register / KRM_REGISTER / the default file; None when off
    reg.ingest(["inbox/2019-05"])         # validate through the register; versions recorded
    reg.versions(period="2019-05", current=True)
    reg.set_state(version_id, "confirmed", by="A. Analyst", reason="signed")
    reg.history(region="47"); reg.show("a.xlsx"); reg.verify(); reg.frames(); reg.close()
    reg.confirm_version(confirmation)     # a verified krm.signatures.verify.Confirmation: confirmed, locked
    reg.return_version(version_id, "reason"); reg.accept(version_id)
    reg.accept_explanation(version_id, "KRM-W010", "H12")

Modules: :mod:`~krm.register.schema` (tables, migrations), :mod:`~krm.register.connect` (where it is,
opening it safely), :mod:`~krm.register.store` (record and look up by bytes; versions; states),
:mod:`~krm.register.queries`, :mod:`~krm.register.approval` (confirmation, return, explanations),
:mod:`~krm.register.verify`, :mod:`~krm.register.export`,
:mod:`~krm.register.codec` (values in and out, digests), :mod:`~krm.register.engine` (the engine version).
"""

from __future__ import annotations

from krm.register.approval import Approval
from krm.register.memo import Memo
from krm.register.connect import RegisterError, configured, default_path
from krm.register.queries import COUNTED, Change, Queries, Version
from krm.register.store import STATES, TRANSITIONS, Seen, StateError, Store, os_user

__all__ = ["open", "Register", "RegisterError", "StateError", "Version", "Change", "Seen", "STATES",
           "TRANSITIONS", "COUNTED", "configured", "default_path", "os_user"]


class Register(Store, Queries, Approval, Memo):
    """An open register (see the module's doc)."""

    def __init__(self, engine, target: str):
        from krm.register.engine import fingerprint

        super().__init__(engine, fingerprint())
        self.target = target

    @property
    def location(self) -> str:
        from krm.register.connect import is_url

        if is_url(self.target):
            return self.engine.url.render_as_string(hide_password=True)
        return self.target

    def ingest(self, paths, *, by: str | None = None, today=None, jobs: int | None = None,
               progress=None, received: str = "now") -> list:
        """Validate ``paths`` through this register (workbooks, readings, findings, versions recorded), then the
        checks across months (:mod:`krm.history.record`: their errors return the version).  ``received``:
        "now" or "saved" (the workbook's saved time as a new version's received time)."""
        from krm.history.record import check_and_record
        from krm.validate import validate_paths

        reports = validate_paths(paths, jobs=jobs, today=today, progress=progress, register=self, by=by,
                                 received=received)
        check_and_record(reports, self, by)
        return reports

    def verify(self):
        from krm.register.verify import verify

        return verify(self)

    def frames(self) -> dict:
        from krm.register.export import frames

        return frames(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def open(url: str | None = None) -> Register | None:  # noqa: A001 - register.open(url), as documented
    """Open (creating on first use) the register ``url`` (a path or URL; default: :func:`configured`).

    Returns None when the register is turned off (``KRM_REGISTER=off``); raises :class:`RegisterError`
    for a location that is not a krm register or cannot be opened.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from krm.register.connect import make_engine, migrate

    target = configured(url)
    if target is None:
        return None
    engine = make_engine(target)
    try:
        migrate(engine)
    except SQLAlchemyError as e:
        engine.dispose()
        msg = str(e.orig if getattr(e, "orig", None) is not None else e).strip().splitlines()[0]
        raise RegisterError(f"register {target}: cannot be opened ({msg})") from None
    except BaseException:
        engine.dispose()
        raise
    return Register(engine, target)
