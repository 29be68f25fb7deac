"""A package's names imported from its modules when first used (PEP 562), so that importing the package is cheap."""

from __future__ import annotations


def lazy_names(package: str, where: dict[str, str], into: dict):
    """A module ``__getattr__`` for ``package``: name -> the submodule it comes from (``where``), imported on first
    use and then kept in the package's namespace ``into`` (its ``globals()``)."""
    def __getattr__(name: str):
        mod = where.get(name)
        if mod is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(f"{package}.{mod}"), name)
        into[name] = value
        return value
    return __getattr__
