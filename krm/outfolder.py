"""An output folder a krm run writes into: claimed for the run, filled all at once, cleaned of what an
earlier, killed run of krm left — and of nothing else.

* :func:`claimed` holds ``OUT/.krm-lock`` for the run (an ``flock``, which the kernel releases when the
  process dies, so a killed run never locks a folder for ever): a second run into the same folder is
  refused (:class:`FolderInUse`) instead of mixing its files with the first run's.  The lock file is
  removed when the run ends.
* :func:`staging` gives a folder inside ``OUT`` (``.krm-staging-PID``) to write every output into;
  :func:`place` moves them into ``OUT`` only once all were written (renames on one file system), so a
  run that fails — a full disk, a control total, SIGTERM — places nothing and leaves nothing.
* At the start of a run (lock held), :func:`clean_stale` removes what krm's own earlier runs left when
  they were killed (SIGKILL, power off): staging folders, ``.NAME.xxxxxxxx.tmp`` files of
  :func:`krm.workbook.writer.atomic_write`, and spool folders in the temporary directory
  (``krm-aggregate-*`` holding a ``.krm-spool`` marker of a process that no longer exists).
  Only those names, made by krm, are ever removed.
* :func:`terminate_cleanly` turns SIGTERM into ``SystemExit`` so every ``finally`` (spool, staging,
  lock) runs as it does for Ctrl-C.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".krm-lock"
LOCK_MARK = b"krm output lock\n"
STAGE_PREFIX = ".krm-staging-"
SPOOL_PREFIX = "krm-aggregate-"
SPOOL_MARK = ".krm-spool"
#: atomic_write's temporary files: "." + target name + "." + mkstemp's 8 characters + ".tmp"
_TMP = re.compile(r"^\..+\.(?:xlsx|json|html)\.[a-z0-9_]{8}\.tmp$")


class FolderInUse(Exception):
    """The output folder is being written by another krm run (or its lock file is not krm's)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def claimed(out: Path):
    """Hold ``out``'s lock while the block runs (``out`` is created if needed, and removed again at the end
    if this run created it and left it empty); raises :class:`FolderInUse` if another run holds it."""
    import fcntl

    out = Path(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            held = os.read(fd, 200)
            os.close(fd)
            pid = re.search(rb"pid (\d+)", held)
            raise FolderInUse(f"{out} is in use by another krm run" + (f" (pid {int(pid.group(1))})" if pid else "")
                              + "; wait for it to finish, or choose another --out") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino  # not a file its last holder just removed
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    old = os.read(fd, 200)
    if old and not old.startswith(LOCK_MARK):
        os.close(fd)
        raise FolderInUse(f"{path} exists and was not made by krm; remove it or choose another --out")
    os.ftruncate(fd, 0)
    os.pwrite(fd, LOCK_MARK + f"pid {os.getpid()}\n".encode(), 0)
    try:
        clean_stale(out)
        yield out
    finally:
        try:
            os.unlink(path)  # while still holding it: the next run makes a new one
        except OSError:
            pass
        os.close(fd)
        if created:
            try:
                out.rmdir()  # only if empty: a run that wrote nothing leaves no folder behind
            except OSError:
                pass


def staging(out: Path) -> Path:
    """A fresh folder in ``out`` for this run's outputs (see :func:`place`)."""
    stage = Path(out) / f"{STAGE_PREFIX}{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    return stage


def place(stage: Path, out: Path, rels: list[str]) -> None:
    """Move ``stage/rel`` to ``out/rel`` for every rel (all were written), then remove ``stage``."""
    for rel in rels:
        target = Path(out) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(Path(stage) / rel, target)
    shutil.rmtree(stage, ignore_errors=True)


def clean_stale(out: Path) -> list[Path]:
    """Remove what killed krm runs left in ``out`` and in the temporary directory; returns what went."""
    gone = []
    out = Path(out)
    for root, dirs, files in os.walk(out):
        for d in list(dirs):
            if d.startswith(STAGE_PREFIX):
                shutil.rmtree(Path(root) / d, ignore_errors=True)
                gone.append(Path(root) / d)
                dirs.remove(d)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            if _TMP.match(f):
                try:
                    os.unlink(Path(root) / f)
                    gone.append(Path(root) / f)
                except OSError:
                    pass
    gone += clean_spools()
    return gone


def clean_spools() -> list[Path]:
    """Spool folders in the temporary directory whose krm process is gone (marker file names its pid)."""
    import tempfile  # here, not at import: every krm run imports this module for terminate_cleanly (start-up)

    gone = []
    tmp = Path(tempfile.gettempdir())
    try:
        names = [n for n in os.listdir(tmp) if n.startswith(SPOOL_PREFIX)]
    except OSError:
        return gone
    for n in names:
        d = tmp / n
        try:
            mark = (d / SPOOL_MARK).read_bytes()
        except OSError:
            continue  # not krm's (no marker), or not readable: left alone
        m = re.match(rb"krm spool pid (\d+)", mark)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)
            gone.append(d)
    return gone


def mark_spool(directory: Path) -> None:
    """Mark a spool folder as this process's (so a later run can tell it from anything else)."""
    (Path(directory) / SPOOL_MARK).write_bytes(f"krm spool pid {os.getpid()}\n".encode())


def terminate_cleanly() -> None:
    """SIGTERM raises SystemExit(143) in the main process, so cleanup code runs as for Ctrl-C."""
    import signal

    def _term(signum, frame):
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, _term)
    except ValueError:  # not the main thread
        pass
