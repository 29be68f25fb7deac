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

from krm.lazy import lazy_names
from krm.register.connect import RegisterError, configured, default_path

__all__ = ["open", "Register", "RegisterError", "StateError", "Version", "Change", "Seen", "STATES",
           "TRANSITIONS", "COUNTED", "configured", "default_path", "os_user"]

#: names of this package that come from modules built on SQLAlchemy: imported when first used, so that
#: ``krm validate`` with the register off (which asks only :func:`configured`) never loads SQLAlchemy
_LAZY = {"Approval": "approval", "COUNTED": "queries", "Change": "queries", "Queries": "queries",
         "Version": "queries", "STATES": "store", "TRANSITIONS": "store", "Seen": "store", "StateError": "store",
         "Store": "store", "os_user": "store", "Register": "opened"}


__getattr__ = lazy_names("krm.register", _LAZY, globals())


def open(url: str | None = None):  # noqa: A001 - register.open(url), as documented
    """Open (creating on first use) the register ``url`` (a path or URL; default: :func:`configured`).

    Returns None when the register is turned off (``KRM_REGISTER=off``); raises :class:`RegisterError`
    for a location that is not a krm register or cannot be opened.
    """
    target = configured(url)
    if target is None:
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from krm.register.connect import make_engine, migrate
    from krm.register.opened import Register

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
