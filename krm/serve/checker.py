"""Uploads: stored by content hash, checked exactly as ``krm validate`` checks, recorded in the register.

* **Stored** under ``DATA/store/ab/<sha256><suffix>`` (outside any served folder; the name a user gave is
  kept only in the ``upload`` table and only ever shown escaped).  The same bytes are stored once; a file
  is written under a temporary name and linked into place, so a half-written file is never seen.
* **Checked** by :func:`krm.validate.validate_paths` — the same guards (zip-level checks before parsing)
  and the same worker isolation (forked workers under a memory limit and a timeout) — run in a separate
  *checker process* (spawned once, single-threaded), so the web server's threads never fork.  Uploads that
  arrive together are checked together (one batch, the workers share it): 20 offices uploading at once
  cost one pool, not 20.
* **Recorded** by the parent after the access rule has passed (a district may only file its own district's
  KRM-1/KRM-2): the reading and check (:meth:`krm.register.Store.record_reading`) and the version of its
  submission (:meth:`~krm.register.Store.record_seen`, by the account's login) — the same two calls the
  register makes for ``krm register ingest``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from krm.intake.discover import SUFFIXES

#: files per request and bytes per file the portal accepts by default (``krm serve --max-files/--max-mb``)
MAX_FILES = 20
MAX_BYTES = 20 * 1024 * 1024
#: the largest batch handed to the checker at once
BATCH = 64


def suffix_of(name: str) -> str | None:
    """The workbook suffix of a file name as sent (lower case), or None when it is not a workbook's."""
    s = Path(name.replace("\\", "/")).suffix.lower()
    return s if s in SUFFIXES else None


def store(data_dir: Path, data: bytes, suffix: str) -> tuple[str, Path]:
    """(sha256, path) of ``data`` in the content-addressed store (written once, atomically)."""
    sha = hashlib.sha256(data).hexdigest()
    folder = data_dir / "store" / sha[:2]
    target = folder / f"{sha}{suffix}"
    if target.exists():
        return sha, target
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder / f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, target)
    except FileExistsError:
        pass  # the same bytes stored meanwhile by another request
    finally:
        tmp.unlink()
    os.chmod(target, 0o400)
    return sha, target


def _check_batch(paths: list[str], today: dt.date | None, jobs: int) -> list:
    """In the checker process: every file's report, as ``krm validate`` makes it (no register here)."""
    from krm.validate import validate_paths

    return validate_paths([Path(p) for p in paths], jobs=jobs, today=today, register=False)


def _annotate(src: str, findings: list, out: str, lang: str):
    """In the checker process: the annotated copy, under the limits of :func:`krm.annotate.annotate_isolated`."""
    from krm.annotate import annotate_isolated

    return annotate_isolated(src, findings, out, lang=lang, force=False)


@dataclass
class _Job:
    paths: list[str]
    future: Future = field(default_factory=Future)


class Checker:
    """Checks stored uploads in a separate process, batching what arrives together (module doc)."""

    def __init__(self, jobs: int | None = None, today: dt.date | None = None):
        self.jobs = jobs or min(os.cpu_count() or 1, 4)
        self.today = today
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._pool = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="krm-checker", daemon=True)
        self._thread.start()

    def _executor(self):
        with self._lock:
            return self._make()

    def _make(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def check(self, paths: list[Path], timeout: float = 600) -> list:
        """The reports of ``paths`` (in order); raises TimeoutError when the checker takes longer."""
        job = _Job([str(p) for p in paths])
        self._queue.put(job)
        return job.future.result(timeout=timeout)

    def annotate(self, src: Path, findings: list, out: Path, lang: str, timeout: float = 600):
        """:func:`krm.annotate.annotate_isolated` run from the checker process (never forked from the server)."""
        return self._executor().submit(_annotate, str(src), findings, str(out), lang).result(timeout=timeout)

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            n = len(job.paths)
            while n < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                batch.append(more)
                n += len(more.paths)
            self._run(batch)

    def _run(self, batch: list[_Job]) -> None:
        from concurrent.futures.process import BrokenProcessPool

        paths = [p for j in batch for p in j.paths]
        try:
            try:
                reports = self._executor().submit(_check_batch, paths, self.today, self.jobs).result()
            except BrokenProcessPool:  # the checker process died (killed from outside): a new one, once
                self._pool = None
                reports = self._executor().submit(_check_batch, paths, self.today, self.jobs).result()
        except BaseException as e:  # noqa: BLE001 - every waiting request gets the failure, none hangs
            for j in batch:
                j.future.set_exception(e)
            return
        i = 0
        for j in batch:
            j.future.set_result(reports[i:i + len(j.paths)])
            i += len(j.paths)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
