"""Run one function over many items, each item isolated from the others.

:func:`run_isolated` is how krm reads a folder of untrusted workbooks: a zip bomb
that makes python-calamine abort the process (SIGABRT, which no ``try`` catches),
a file that eats all memory, or one that hangs, must fail only *its own* item
while the run goes on over the thousand good files.

Design (``../shared/notes/excel-io.md`` §3: fork is ~3x faster than spawn for cheap jobs):

* ``jobs`` worker processes are **forked**; each lowers its own ``RLIMIT_AS`` to
  its current address-space size plus ``mem_limit_mb`` (so a native allocation
  fails inside the worker, never the machine), and ignores SIGINT (Ctrl-C is the
  parent's business).
* ``func`` and ``items`` reach the workers through the fork (nothing is pickled
  on the way in: ``func`` may even be a closure); only the results come back
  through a pipe, so results must be picklable (an unpicklable result becomes a
  failure of that item).
* The parent hands out chunks of item indices; a worker reports each item as it
  finishes it, so when a worker dies (signal, ``os._exit``) or an item passes
  ``timeout_s``, the parent knows exactly which item it was on: that item fails
  with a short reason, the rest of the chunk goes back to the queue, and a new
  worker is forked.
* Every wait has a timeout, workers are always reaped (no zombies), a worker
  whose parent died exits by itself, and Ctrl-C in the parent kills the workers
  and re-raises :class:`KeyboardInterrupt`.
* With ``jobs=1`` (and ``isolate`` not set) the items run in this process, with
  the same exception handling, so results are identical to ``jobs>1`` for every
  item that does not crash or hang.

A result is ``(item, True, func(item))`` or ``(item, False, reason)`` where
``reason`` is a one-line string: ``"ValueError: ..."`` for an exception raised by
``func``, or a sentence for a crash, an out-of-memory or a timeout.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import select
import signal
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator

__all__ = ["run_isolated", "iter_isolated", "describe_exit", "Result"]

Result = tuple[Any, bool, Any]

#: seconds a worker gets to exit after being told to stop, before it is killed
_STOP_GRACE_S = 2.0
#: longest single wait in the parent's loop (so deadlines are checked often enough)
_TICK_S = 0.5

_SIGNAL_REASONS = {
    signal.SIGABRT: "crashed (SIGABRT: a native library aborted, usually a memory allocation that failed under the "
                    "{mem} MB limit) — the file is probably a decompression bomb or corrupt",
    signal.SIGKILL: "was killed (SIGKILL, e.g. by the system's out-of-memory killer)",
    signal.SIGSEGV: "crashed (SIGSEGV: a native library failed on this input) — the file is probably corrupt",
    signal.SIGBUS: "crashed (SIGBUS) — the file is probably corrupt or was truncated while being read",
    signal.SIGFPE: "crashed (SIGFPE) — the file is probably corrupt",
    signal.SIGILL: "crashed (SIGILL) — the file is probably corrupt",
    signal.SIGTERM: "was terminated (SIGTERM)",
}


def describe_exit(exitcode: int | None, mem_limit_mb: int = 1024) -> str:
    """A one-line reason for a worker that ended with ``exitcode`` (negative: killed by a signal)."""
    if exitcode is None:
        return "the worker process ended unexpectedly"
    if exitcode < 0:
        sig = -exitcode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        tmpl = _SIGNAL_REASONS.get(sig, f"crashed ({name})")
        return "the reader " + tmpl.format(mem=mem_limit_mb)
    return f"the worker process exited unexpectedly (exit code {exitcode})"


def _oom_reason(mem_limit_mb: int) -> str:
    return f"out of memory: needed more than the {mem_limit_mb} MB limit — the file is probably a decompression bomb"


def _call(func: Callable, item: Any, mem_limit_mb: int) -> tuple[bool, Any]:
    """Run ``func(item)`` and turn any exception into a failure (same code in-process and in workers)."""
    try:
        return True, func(item)
    except MemoryError:
        return False, _oom_reason(mem_limit_mb)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit from func included: one item, one failure
        msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return False, f"{type(e).__name__}: {msg}" if msg else type(e).__name__


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(mem_limit_mb: int | None) -> None:
    if not mem_limit_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    want = _address_space_bytes() + mem_limit_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft != resource.RLIM_INFINITY:
        want = min(want, soft)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError):  # pragma: no cover
        pass


_LIBC: list = []


def _libc():
    """The C library through ctypes (None: not available), loaded once a process: by the parent before its
    workers fork (:func:`_run_pool`), so that no worker imports ctypes and loads it again (≈ 5 ms of CPU a
    worker on a quiet machine, 50 ms and more on a loaded one)."""
    if not _LIBC:
        try:
            import ctypes

            _LIBC.append(ctypes.CDLL(None, use_errno=True))
        except Exception:  # noqa: BLE001 - no ctypes, no C library: the callers fall back
            _LIBC.append(None)
    return _LIBC[0]


def _die_with_parent(parent_pid: int) -> None:
    """Linux: get SIGKILL when the parent dies (even mid-item); elsewhere the poll loop notices."""
    try:
        _libc().prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: fall back to the ppid check
        pass
    if os.getppid() != parent_pid:
        os._exit(0)


#: free memory at the top of a worker's heap kept for its next item instead of given back at once (glibc)
KEEP_HEAP_BYTES = 4 << 20


def _keep_heap() -> None:
    """glibc gives back the top of the heap as soon as more than 128 KB of it is free: a worker whose items
    each take a few hundred KB and let them go (a workbook's parts, calamine's buffers) would fault the same
    pages in again for every item (≈ 45 page faults a workbook, measured).  Keeping up to
    :data:`KEEP_HEAP_BYTES` free (``M_TRIM_THRESHOLD``) spares that; the worker's peak is unchanged."""
    try:
        _libc().mallopt(-1, KEEP_HEAP_BYTES)  # M_TRIM_THRESHOLD
    except Exception:  # noqa: BLE001 - not glibc: nothing to tune
        pass


def _worker(conn, func, items, mem_limit_mb, parent_pid, foreign) -> None:
    """Worker loop: receive a list of indices, send ``(index, ok, result)`` for each, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import gc

    gc.freeze()  # what the parent made is not walked by this worker's collector (nor its pages copied for it)
    try:  # a crash is reported by the parent in one line, not as a C-level stack dump on stderr
        import faulthandler

        faulthandler.disable()
    except Exception:  # noqa: BLE001  # pragma: no cover
        pass
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for c in foreign:  # the parent's ends of the other workers' pipes, inherited through fork
        try:
            c.close()
        except OSError:
            pass
    _die_with_parent(parent_pid)
    _limit_memory(mem_limit_mb)
    _keep_heap()
    try:
        while True:
            while not conn.poll(1.0):
                if os.getppid() != parent_pid:  # orphaned: the parent is gone
                    os._exit(0)
            chunk = conn.recv()
            if chunk is None:
                break
            for i in chunk:
                ok, res = _call(func, items[i], mem_limit_mb)
                try:
                    payload = pickle.dumps((i, ok, res), protocol=pickle.HIGHEST_PROTOCOL)
                except MemoryError:
                    payload = pickle.dumps((i, False, _oom_reason(mem_limit_mb)))
                except Exception as e:  # noqa: BLE001 - an unpicklable result
                    payload = pickle.dumps((i, False, f"result could not be sent back: {type(e).__name__}: {e}"))
                conn.send_bytes(payload)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass
    os._exit(0)  # skip atexit handlers and finalizers inherited from the parent


class _Slot:
    """One worker process and what it is working on."""

    def __init__(self, proc, conn):
        self.proc = proc
        self.conn = conn
        self.pending: deque[int] = deque()  # indices handed out and not yet reported, in order
        self.since = time.monotonic()  # when the current item started

    def kill(self) -> None:
        if self.proc.is_alive():
            try:
                self.proc.kill()
            except OSError:
                pass
        self.proc.join(_STOP_GRACE_S)
        try:
            self.conn.close()
        except OSError:
            pass


def run_isolated(func: Callable[[Any], Any], items: Iterable[Any], *, jobs: int | None = None,
                 mem_limit_mb: int | None = 1024, timeout_s: float | None = 60, chunksize: int = 8,
                 on_result: Callable[[Any, bool, Any], None] | None = None,
                 isolate: bool | None = None) -> list[Result]:
    """Run ``func(item)`` for every item; return ``[(item, ok, result_or_reason), ...]`` in input order.

    ``jobs``: worker processes (default ``os.cpu_count()``, never more than the items).
    ``mem_limit_mb``: address space each worker may add to what it had when forked
    (``None``/0: no limit).  ``timeout_s``: per item (``None``: no limit).
    ``chunksize``: items handed to a worker at a time (the lower of it and an even
    share, so work spreads over all workers).  ``on_result(item, ok, result)`` is
    called in the parent as each item finishes (completion order), e.g. for a
    progress bar.  ``isolate``: ``True`` runs in worker processes even with
    ``jobs=1``; ``False`` runs in this process; default: processes iff ``jobs > 1``.
    """
    return list(iter_isolated(func, items, jobs=jobs, mem_limit_mb=mem_limit_mb, timeout_s=timeout_s,
                              chunksize=chunksize, on_result=on_result, isolate=isolate))


def iter_isolated(func: Callable[[Any], Any], items: Iterable[Any], *, jobs: int | None = None,
                  mem_limit_mb: int | None = 1024, timeout_s: float | None = 60, chunksize: int = 8,
                  on_result: Callable[[Any, bool, Any], None] | None = None,
                  isolate: bool | None = None) -> Iterator[Result]:
    """:func:`run_isolated`, its results given one at a time in input order as soon as each is there: only the
    results that finished before an earlier item's are held (a run over a year never holds them all).  Close the
    iterator (or exhaust it) to stop the workers."""
    items = list(items)
    n = len(items)
    jobs = max(1, int(jobs if jobs is not None else (os.cpu_count() or 1)))
    if isolate is None:
        isolate = jobs > 1
    if not isolate or n == 0:
        return _in_process(func, items, mem_limit_mb, on_result)
    return _run_pool(func, items, min(jobs, n), mem_limit_mb, timeout_s, max(1, int(chunksize)), on_result)


def _in_process(func, items, mem_limit_mb, on_result) -> Iterator[Result]:
    for item in items:
        ok, res = _call(func, item, mem_limit_mb or 0)
        if on_result is not None:
            on_result(item, ok, res)
        yield item, ok, res


def _run_pool(func, items, jobs, mem_limit_mb, timeout_s, chunksize, on_result) -> Iterator[Result]:
    ctx = multiprocessing.get_context("fork")
    _libc()  # (loaded here once, for every worker)
    n = len(items)
    results: dict[int, Result] = {}  # finished and not yet given (an earlier item is still running)
    given = 0  # items given so far, in order
    queue: deque[int] = deque(range(n))
    slots: list[_Slot] = []
    done = 0
    parent_pid = os.getpid()
    share = max(1, min(chunksize, -(-n // (jobs * 4))))  # small chunks at the end keep workers busy
    finished = bytearray(n)

    def finish(i: int, ok: bool, res: Any) -> None:
        nonlocal done
        if finished[i]:
            return
        finished[i] = 1
        results[i] = (items[i], ok, res)
        done += 1
        if on_result is not None:
            on_result(items[i], ok, res)

    def start() -> _Slot:
        here, there = ctx.Pipe(duplex=True)
        foreign = [s.conn for s in slots]
        p = ctx.Process(target=_worker, args=(there, func, items, mem_limit_mb, parent_pid, foreign),
                        daemon=True, name="krm-pool-worker")
        p.start()
        there.close()
        s = _Slot(p, here)
        slots.append(s)
        return s

    def feed(s: _Slot) -> None:
        if s.pending or not queue:
            return
        chunk = [queue.popleft() for _ in range(min(share, len(queue)))]
        s.pending.extend(chunk)
        s.since = time.monotonic()
        try:
            s.conn.send(chunk)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the worker died; its sentinel will tell us

    def lost(s: _Slot, reason: str) -> None:
        """The worker is dead or being killed: fail its current item, requeue the rest."""
        s.kill()
        slots.remove(s)
        if s.pending:
            finish(s.pending.popleft(), False, reason)
            queue.extendleft(reversed(s.pending))
            s.pending.clear()

    try:
        for _ in range(jobs):
            feed(start())
        while done < n:
            for s in slots:  # idle workers take the next chunk (also items requeued after a crash)
                feed(s)
            while queue and len(slots) < jobs:  # replace workers that died or were stopped
                feed(start())
            busy = [s for s in slots if s.pending]
            if not busy:
                break  # pragma: no cover - cannot happen while done < n; never spin
            now = time.monotonic()
            tick = _TICK_S
            if timeout_s is not None:
                tick = max(0.0, min(tick, min(s.since + timeout_s for s in busy) - now))
            ready = _wait(busy, tick)
            for s in list(busy):
                _service(s, ready, slots, finish, lost, mem_limit_mb, timeout_s)
            while given in results:
                yield results.pop(given)
                given += 1
    finally:
        _shutdown(slots)
    # every item is accounted for; this is a safeguard, never a silent loss
    for i in range(given, n):
        yield results.pop(i, None) or (items[i], False, "not processed")


def _service(s: _Slot, ready: list, slots: list[_Slot], finish, lost, mem_limit_mb, timeout_s) -> None:
    """One busy worker after a wait: take the results it sent; replace it (``lost``) when it died, its
    connection broke or its item took longer than ``timeout_s``."""
    if s.conn in ready:
        try:
            _receive(s, finish, touch=True)
        except (EOFError, OSError):
            s.proc.join(_STOP_GRACE_S)
            lost(s, describe_exit(s.proc.exitcode, mem_limit_mb or 0))
            return
        except Exception as e:  # noqa: BLE001 - a result that cannot be unpickled here
            if s.pending:
                finish(s.pending.popleft(), False, f"result could not be received: {type(e).__name__}")
    if s not in slots:
        return
    if s.proc.sentinel in ready and not s.proc.is_alive():
        # drain what it sent before dying, then blame the item it was on
        try:
            _receive(s, finish, touch=False)
        except Exception:  # noqa: BLE001
            pass
        lost(s, describe_exit(s.proc.exitcode, mem_limit_mb or 0))
        return
    if timeout_s is not None and s.pending and time.monotonic() - s.since >= timeout_s:
        lost(s, f"took longer than {timeout_s:g} s and was stopped — the file is probably too large "
                f"or hostile")


def _receive(s: _Slot, finish, touch: bool) -> None:
    """Every result the worker has sent so far: off its pending list, to ``finish``; ``touch``: its
    next item's time starts now (not for a worker that has died)."""
    while _readable(s.conn.fileno()):
        i, ok, res = pickle.loads(s.conn.recv_bytes())
        if s.pending and s.pending[0] == i:
            s.pending.popleft()
        elif i in s.pending:  # pragma: no cover - defensive (or a dead worker's last results)
            s.pending.remove(i)
        finish(i, ok, res)
        if touch:
            s.since = time.monotonic()


def _wait(busy: list[_Slot], timeout: float) -> list:
    """The connections and process sentinels of ``busy`` that are ready (data, end of file or an error), waiting
    up to ``timeout`` seconds: what ``multiprocessing.connection.wait`` answers, with one ``poll`` call and no
    selector object built for each result (the parent waits three times a workbook)."""
    poller = select.poll()
    where = {}
    for s in busy:
        for obj, fd in ((s.conn, s.conn.fileno()), (s.proc.sentinel, s.proc.sentinel)):
            poller.register(fd, select.POLLIN)
            where[fd] = obj
    return [where[fd] for fd, _ in poller.poll(math.ceil(timeout * 1e3) if timeout > 0 else 0)]


def _readable(fd: int) -> bool:
    """Whether ``fd`` can be read without waiting (``Connection.poll()``: data, end of file or an error)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _shutdown(slots: list[_Slot]) -> None:
    """Stop every worker: ask politely, then kill; always reap."""
    for s in slots:
        try:
            if not s.pending:
                s.conn.send(None)
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + _STOP_GRACE_S
    for s in slots:
        if s.pending:
            s.kill()
            continue
        s.proc.join(max(0.0, deadline - time.monotonic()))
        s.kill()
    slots.clear()
