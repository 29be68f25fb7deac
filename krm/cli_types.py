"""typer's coercion of krm's plain option values without pydantic (issue 16: start-up of every command).

typer 0.29 turns each option's text into its type through a pydantic ``TypeAdapter`` it builds for every option
of the command being run, defaults included: importing pydantic and building the adapters cost about 0.1 s a
process, more than an unchanged month's ``krm report`` does otherwise.  krm's options are plain: text, whole and
decimal numbers, flags and paths.  :func:`install` gives each such parameter a coercer that converts a value
typer's own way when the value is unremarkable (a path, digits, a decimal) and hands anything else — a malformed
number, a range, an enum, a file — to typer's own coercion, so values and error messages stay typer's
(``tests/test_cli_types.py`` compares both on every option of every command).
"""

from __future__ import annotations

import re
from pathlib import Path

_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")


def _plain(value, annotation, param, ctx):
    """``value`` (one item) as typer would coerce it, or :data:`NotImplemented` when it is not plain enough."""
    if annotation is bool:  # a flag (typer skips those) or --help
        return value if type(value) is bool else NotImplemented
    if type(value) is not str:
        return NotImplemented
    if annotation is str:
        return value
    if annotation is int:
        return int(value) if _INT.fullmatch(value) else NotImplemented
    if annotation is float:
        return float(value) if _FLOAT.fullmatch(value) else NotImplemented
    if annotation is Path and value and "\0" not in value:
        from typer._param_types import coerce_cli_path

        info = param.type_descriptor.parameter_info
        try:  # typer's own checks (exists, readable …) on the Path typer would have made of the text
            return coerce_cli_path(Path(value), info, path_type=info.path_type or Path, param=param, ctx=ctx)
        except Exception:  # noqa: BLE001 - typer says what is wrong, in its own words
            return NotImplemented
    return NotImplemented


class Plain:
    """The runtime coercion of one parameter (as typer's ``RuntimeParam``): plain values here, others by typer."""

    def __init__(self, param, annotation, many: bool):
        self.param, self.annotation, self.many = param, annotation, many
        self.typer = None

    def coerce(self, value, param, ctx):
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        if self.many and not multi or multi and not self.many:
            return self._typer().coerce(value, param=param, ctx=ctx)
        if self.many:
            if isinstance(value, (list, tuple)):
                out = [_plain(v, self.annotation, param, ctx) for v in value]
                if NotImplemented not in out:
                    return out
            return self._typer().coerce(value, param=param, ctx=ctx)
        got = _plain(value, self.annotation, param, ctx)
        return got if got is not NotImplemented else self._typer().coerce(value, param=param, ctx=ctx)

    def _typer(self):
        if self.typer is None:
            from typer._coercion import build_runtime_param

            self.typer = build_runtime_param(self.param.type_descriptor)
        return self.typer


def _plain_coercer(param) -> Plain | None:
    """A :class:`Plain` for a parameter whose type is plain (see the module's doc), else None."""
    from typing import get_args, get_origin

    d = param.type_descriptor
    info = d.parameter_info
    if d.file_annotation is not None or info.parser is not None or getattr(info, "click_type", None) is not None \
            or info.min is not None or info.max is not None or info.path_type is not None \
            or getattr(info, "formats", None):
        return None
    ann, many = d.annotation, False
    if get_origin(ann) is list and len(get_args(ann)) == 1:
        ann, many = get_args(ann)[0], True
    if ann not in (str, int, float, bool, Path):
        return None
    return Plain(param, ann, many)


def install() -> None:
    """Give typer's parameters the plain coercion (once a process)."""
    from typer import core

    original = core._TyperParameter.get_runtime_param
    if getattr(original, "_krm", False):
        return

    def get_runtime_param(self):
        if self._runtime_param is None:
            self._runtime_param = _plain_coercer(self) or original(self)
        return self._runtime_param

    get_runtime_param._krm = True
    core._TyperParameter.get_runtime_param = get_runtime_param
