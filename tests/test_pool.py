"""krm.pool.run_isolated: order, crash isolation, memory limit, timeout, jobs=1 == jobs=2."""

from __future__ import annotations

import os
import signal
import time

import pytest

from krm.pool import describe_exit, run_isolated


def square(x):
    return x * x


def pid_of(_x):
    return os.getpid()


def picky(x):
    if x % 5 == 3:
        raise ValueError(f"bad item {x}")
    return {"x": x, "half": x / 2, "text": f"№{x} Қазақ"}


def abort_on_7(x):
    if x == 7:
        os.abort()
    return x + 100


def segv_on_2(x):
    if x == 2:
        os.kill(os.getpid(), signal.SIGSEGV)
    return x


def exit_on_4(x):
    if x == 4:
        os._exit(3)
    return x


def sys_exit_on_1(x):
    if x == 1:
        raise SystemExit("stop here")
    return x


def hog_on_3(x):
    if x == 3:
        blocks = []
        for _ in range(64):  # up to 4 GiB; the 256 MB limit stops it long before
            blocks.append(bytearray(64 * 1024 * 1024))
        return len(blocks)
    return x


def native_hog_on_3(x):
    """Allocate outside Python's allocator, like a Rust reader, touching the pages."""
    if x == 3:
        import mmap

        m = mmap.mmap(-1, 2 * 1024 * 1024 * 1024)
        m[-1] = 1
        return "should not get here"
    return x


def sleep_on_1(x):
    if x == 1:
        time.sleep(30)
    return x


def unpicklable_on_2(x):
    if x == 2:
        return lambda: None
    return x


def test_order_preserved_and_items_returned():
    items = list(range(50))
    out = run_isolated(square, items, jobs=2, chunksize=3)
    assert [r[0] for r in out] == items
    assert [r[2] for r in out] == [i * i for i in items]
    assert all(ok for _, ok, _ in out)


def test_runs_in_worker_processes():
    out = run_isolated(pid_of, range(8), jobs=2)
    pids = {r[2] for r in out}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2


def test_jobs1_runs_in_process_unless_isolated():
    assert {r[2] for r in run_isolated(pid_of, range(4), jobs=1)} == {os.getpid()}
    isolated = {r[2] for r in run_isolated(pid_of, range(4), jobs=1, isolate=True)}
    assert os.getpid() not in isolated and len(isolated) == 1


@pytest.mark.parametrize("func", [square, picky, sys_exit_on_1, unpicklable_on_2])
def test_jobs1_and_jobs2_identical(func):
    items = list(range(23))
    one = run_isolated(func, items, jobs=1)
    two = run_isolated(func, items, jobs=2, chunksize=4)
    if func is unpicklable_on_2:  # a lambda cannot cross the pipe: only that item differs
        assert not two[2][1] and "could not be sent back" in two[2][2]
        assert callable(one[2][2])
        one, two = one[:2] + one[3:], two[:2] + two[3:]
    assert one == two


def test_exception_is_one_line_failure():
    out = run_isolated(picky, [3, 4], jobs=2)
    assert out[0] == (3, False, "ValueError: bad item 3")
    assert out[1][1] is True and out[1][2]["text"] == "№4 Қазақ"


def test_abort_fails_only_its_item():
    items = list(range(20))
    out = run_isolated(abort_on_7, items, jobs=2, chunksize=4)
    assert [r[0] for r in out] == items
    for item, ok, res in out:
        if item == 7:
            assert not ok
            assert "SIGABRT" in res and "decompression bomb" in res
        else:
            assert ok and res == item + 100, (item, res)


def test_segfault_and_exit_code_fail_only_their_items():
    out = run_isolated(segv_on_2, range(6), jobs=2, chunksize=6)
    assert [ok for _, ok, _ in out] == [True, True, False, True, True, True]
    assert "SIGSEGV" in out[2][2]
    out = run_isolated(exit_on_4, range(6), jobs=1, isolate=True)
    assert [ok for _, ok, _ in out] == [True, True, True, True, False, True]
    assert "exit code 3" in out[4][2]


def test_memory_limit_python_allocation():
    out = run_isolated(hog_on_3, range(6), jobs=2, mem_limit_mb=256, chunksize=2)
    assert [ok for _, ok, _ in out] == [True, True, True, False, True, True]
    assert "out of memory" in out[3][2] and "256 MB" in out[3][2]


def test_memory_limit_native_allocation():
    out = run_isolated(native_hog_on_3, range(5), jobs=2, mem_limit_mb=256)
    assert [ok for _, ok, _ in out] == [True, True, True, False, True]
    # mmap raises OSError(ENOMEM) under RLIMIT_AS; a Rust reader would abort instead (tested above)
    assert "Cannot allocate memory" in out[3][2] or "out of memory" in out[3][2]


def test_timeout_fails_only_its_item():
    items = list(range(6))
    out = run_isolated(sleep_on_1, items, jobs=2, timeout_s=1.5, chunksize=3)
    assert [r[0] for r in out] == items
    assert [ok for _, ok, _ in out] == [True, False, True, True, True, True]
    assert "longer than 1.5 s" in out[1][2]


def test_on_result_called_once_per_item():
    seen = []
    out = run_isolated(abort_on_7, range(10), jobs=2, on_result=lambda i, ok, r: seen.append((i, ok)))
    assert sorted(seen) == sorted((i, ok) for i, ok, _ in out)
    assert len(seen) == 10


def test_no_children_left_behind():
    import multiprocessing

    run_isolated(abort_on_7, range(12), jobs=2)
    run_isolated(sleep_on_1, range(3), jobs=2, timeout_s=1)
    assert multiprocessing.active_children() == []


def test_empty_and_more_jobs_than_items():
    assert run_isolated(square, [], jobs=4) == []
    assert run_isolated(square, [3], jobs=8) == [(3, True, 9)]


def test_describe_exit():
    assert "SIGKILL" in describe_exit(-9)
    assert "exit code 5" in describe_exit(5)
    assert "SIGABRT" in describe_exit(-6, 512) and "512 MB" in describe_exit(-6, 512)


def wait_for_flag(x):
    """The last item runs only once the parent has taken the first result (it made the flag file)."""
    path, last = x
    if last:
        for _ in range(600):
            if os.path.exists(path):
                return "flag seen"
            time.sleep(0.05)
        return "no flag"
    return "first"


def test_iter_isolated_gives_each_result_in_order_before_the_run_ends(tmp_path):
    """A year's run must not hold every result: the first comes back while a later item is still running."""
    import multiprocessing

    from krm.pool import iter_isolated

    flag = str(tmp_path / "flag")
    items = [(flag, i == 7) for i in range(8)]
    got = iter_isolated(wait_for_flag, items, jobs=2, chunksize=1)
    first = next(got)
    open(flag, "w").close()
    rest = list(got)
    assert first == (items[0], True, "first")
    assert [r for _, _, r in rest] == ["first"] * 6 + ["flag seen"]
    assert multiprocessing.active_children() == []


def test_iter_isolated_closed_early_stops_its_workers():
    import multiprocessing

    from krm.pool import iter_isolated

    got = iter_isolated(square, range(40), jobs=2, chunksize=1)
    assert next(got) == (0, True, 0)
    got.close()
    assert multiprocessing.active_children() == []


def _libc_id(_x):
    from krm import pool

    return id(pool._LIBC[0]) if pool._LIBC else None


def test_workers_inherit_the_c_library_loaded_once():
    """The parent loads the C library (ctypes) before its workers fork; each worker uses that one (inherited)
    for its death signal and heap setting instead of importing ctypes and loading it again."""
    from krm import pool

    got = [r for _, ok, r in run_isolated(_libc_id, [1, 2, 3, 4], jobs=2)]
    assert pool._LIBC and pool._LIBC[0] is not None
    assert got == [id(pool._LIBC[0])] * 4
