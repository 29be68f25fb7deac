"""Writing a file atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, writer, *, force: bool = False) -> None:
    """Call ``writer(tmp_path)`` then rename into ``path``; never overwrite unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    try:
        writer(tmp)
        if not force and path.exists():
            raise FileExistsError(str(path))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a template is an ordinary file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
