"""The note's template compiled once, not on every run (:func:`template_cache`: jinja2's bytecode cache hook).

Compiling ``note.html.j2`` (jinja2 makes Python source of it, Python compiles that) takes longer than rendering it.
The compiled code object is kept in a folder of krm's own under the user's cache home
(``$XDG_CACHE_HOME/krm/templates/…``, else ``~/.cache/krm/templates/…``) and used again when it is certainly what
compiling would make now:

* the folder's name is a SHA-256 of everything the compiled code depends on besides the template: jinja2's
  version, the Python implementation and its bytecode magic number (marshal's format), and every setting of the
  environment the compiler reads (delimiters, whitespace handling, autoescape, extensions, finalize, async, the
  code generator and context classes);
* a file's name is jinja2's key of the template (its name and file), and the file starts with the SHA-1 of the
  template's source (jinja2's checksum): a changed template is compiled again and the file replaced.

Only the template's compiled code is stored (``marshal``, as Python's own ``__pycache__``), never anything of a
report.  The folder is made private (0700) and is used only when it is the user's own and not writable by others.
A file that is missing, foreign, truncated or unreadable means compiling as without the cache; a cache that
cannot be written costs only the time (written to a temporary file, then renamed into place).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path

#: bump when what a file holds changes shape
FORMAT = b"krm-template-1"


def cache_home() -> Path | None:
    """``$XDG_CACHE_HOME/krm/templates`` (an absolute XDG_CACHE_HOME), else ``~/.cache/krm/templates``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "krm" / "templates"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return home / ".cache" / "krm" / "templates"


def settings_key(env) -> str:
    """A SHA-256 of what jinja2's compiled code depends on besides the template's source (module's doc)."""
    import importlib.util

    import jinja2

    def name(obj) -> str:
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"

    parts = (FORMAT.decode(), jinja2.__version__, sys.implementation.cache_tag, sys.version,
             importlib.util.MAGIC_NUMBER.hex(),
             env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
             env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
             env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
             env.autoescape, env.optimized, env.is_async,
             sorted(name(type(e)) for e in env.extensions.values()),
             name(env.code_generator_class), name(env.context_class), name(env.template_class))
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _private_folder(path: Path) -> bool:
    """Make ``path`` (0700) if it is missing; whether it is a folder of this user's that no one else can write to."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def template_cache(env):
    """A bytecode cache (jinja2's hook) for ``env`` in the user's cache home; None when there is no private folder for it."""
    home = cache_home()
    if home is None or not isinstance(env.autoescape, bool) or env.finalize is not None:
        return None  # a function's effect on the code cannot be named across runs: a new folder every run
    folder = home / settings_key(env)
    if not _private_folder(folder):
        return None
    return _cache_class()(folder)


@lru_cache(maxsize=1)
def _cache_class():
    import jinja2

    class _TemplateCache(jinja2.BytecodeCache):
        """jinja2's bytecode cache hook over one folder (:func:`template_cache`); see the module's doc."""

        def __init__(self, folder: Path):
            self.folder = folder

        def _file(self, bucket) -> Path:
            return self.folder / f"{bucket.key}.code"

        @staticmethod
        def _head(bucket) -> bytes:
            return FORMAT + b"\0" + str(bucket.checksum).encode("ascii", "replace") + b"\0"

        def load_bytecode(self, bucket) -> None:
            try:
                with open(self._file(bucket), "rb") as fh:
                    data = fh.read()
            except (OSError, ValueError):
                return
            head = self._head(bucket)
            if not data.startswith(head):
                return  # another template's source, or another format: compiled again
            try:
                code = marshal.loads(data[len(head):])
            except (EOFError, ValueError, TypeError):
                return
            if type(code).__name__ == "code":
                bucket.code = code

        def dump_bytecode(self, bucket) -> None:
            import tempfile

            target = self._file(bucket)
            try:
                data = self._head(bucket) + marshal.dumps(bucket.code)
                fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=self.folder)
            except (OSError, ValueError):
                return
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except OSError:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    return _TemplateCache
