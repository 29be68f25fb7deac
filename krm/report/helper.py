"""A helper process that writes some of the report's outputs while the command writes the others (with two CPUs,
one helper writes the KRM-7s and another the notes while the command writes the KRM-6s:
:func:`krm.report.outputs.write_outputs`).

The helper is a fork of the command: it has the report in memory as the command has it, writes the files it is
given into the run's staging folder exactly as the command would (the same function, so the same bytes) and ends
with :func:`os._exit` (no ``finally`` of the command, no lock or staging folder of the command's is touched). It is
used only where it cannot change what the run does:

* a fork where there is one (POSIX), a second CPU to run it on, and no other thread in the command (a fork copies
  only the thread that calls it);
* its standard output and error go to a temporary file: a helper that said anything, ended other than with 0, or
  did not leave every file it was given is not trusted, and the command writes everything again itself, in the
  order it would without the helper — so the files, the messages and any error are the ones of a run without it;
* a command that fails or is interrupted while the helper runs stops it (SIGKILL, then waits for it) before its
  staging folder is removed.
"""

from __future__ import annotations

import os
import sys

#: False: never use a helper (tests compare both ways)
ENABLED = True

#: helpers started and not yet waited for: the collector is kept off what they share until the last one ends
_RUNNING = 0


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Helper:
    """A forked process running ``work()``, which is to leave the files ``targets``."""

    def __init__(self, pid: int, said, targets: list):
        self.pid: int | None = pid
        self.said = said
        self.targets = list(targets)

    @classmethod
    def start(cls, work, targets: list) -> Helper | None:
        """The helper running ``work()``; None where one is not used (module's doc): do the work in this process."""
        import threading

        if not ENABLED or not targets or not hasattr(os, "fork") or cpus() < 2 or threading.active_count() != 1:
            return None
        import tempfile

        try:
            said = tempfile.TemporaryFile()
        except OSError:
            return None
        try:  # what this process has buffered is not the helper's to write
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        import gc

        # what exists now outlives the helper: the collector is kept off it in both processes while the helper runs
        # (a collection would walk every inherited object, and so copy the pages the two processes share)
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            if not _RUNNING:
                gc.unfreeze()
            said.close()
            return None
        if pid == 0:  # the helper
            code = 1
            try:
                os.dup2(said.fileno(), 1)
                os.dup2(said.fileno(), 2)
                sys.stdout = sys.stderr = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                work()
                code = 0
            except BaseException:  # noqa: BLE001 - the command writes it again and says what went wrong
                code = 1
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                except BaseException:  # noqa: BLE001
                    code = 1
                os._exit(code)
        _started(1)
        return cls(pid, said, targets)

    def _wait(self) -> int | None:
        if self.pid is None:
            return None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None  # reaped (not before: interrupted while waiting, stop() still stops it)
        if not _started(-1):
            import gc

            gc.unfreeze()
        return os.waitstatus_to_exitcode(status)

    def finish(self) -> bool:
        """Wait for the helper: whether it wrote every file it was given, cleanly (exit 0, said nothing)."""
        code = self._wait()
        try:
            said = os.fstat(self.said.fileno()).st_size
        except OSError:
            said = 1
        self.said.close()
        return code == 0 and said == 0 and all(os.path.isfile(t) for t in self.targets)

    def stop(self) -> None:
        """Stop the helper if it still runs (the command failed or was interrupted), and wait for it."""
        if self.pid is not None:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._wait()
        self.said.close()


def _started(n: int) -> int:
    """Count ``n`` helpers more (or fewer) as running; how many run now."""
    global _RUNNING
    _RUNNING = max(0, _RUNNING + n)
    return _RUNNING
