"""Run reads in supervised worker processes: a file that crashes, hangs or exhausts memory
in the native reader costs that file only, never the run.

calamine allocates a sheet's whole used range up front and aborts the process when that
fails, so a hostile workbook of a few kilobytes can kill the process reading it. Workers
run under a memory limit; the parent notices a dead or silent worker, records the file it
was reading as failed, and hands the rest of its batch to a fresh worker.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MEMORY_BUDGET = 1536 * 1024**2  # per worker, on top of what it inherits
DEFAULT_TIMEOUT = 120.0  # seconds one file may take


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _limit_memory(budget: int) -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        current = 0
    limit = current + budget
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _quiet_stderr() -> None:
    # faulthandler (pytest, PYTHONFAULTHANDLER) writes to its own copy of stderr: a native
    # abort in a worker is expected and reported as an issue, not as a dump on the terminal.
    faulthandler.disable()
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _worker(conn: Connection, fn: Callable[[Any], Any], items: Sequence[Any], budget: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    _quiet_stderr()  # a native abort prints a backtrace: the user sees our message instead
    _limit_memory(budget)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        messages = []
        for i in batch:
            try:
                messages.append((i, True, fn(items[i])))
            except BaseException as exc:  # MemoryError, RecursionError, a bug: report, go on
                messages.append((i, False, f"{exc.__class__.__name__}: {exc}"[:300]))
        try:
            conn.send(messages)  # one message a batch: the parent wakes once, not once a file
        except Exception:  # an unpicklable result: send one by one, the bad one as a failure
            for i, ok, value in messages:
                try:
                    conn.send([(i, ok, value)])
                except Exception as exc:
                    conn.send([(i, False, f"{exc.__class__.__name__}: {exc}"[:300])])


class _Worker(Generic[T]):
    def __init__(self, ctx: Any, fn: Callable[[T], Any], items: Sequence[T], budget: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, fn, items, budget), daemon=True)
        self.proc.start()
        child.close()
        self.pending: deque[int] = deque()
        self.since = time.monotonic()

    def give(self, batch: list[int]) -> None:
        self.pending.extend(batch)
        self.since = time.monotonic()
        self.conn.send(batch)

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            with contextlib.suppress(Exception):
                self.proc.kill()
        else:
            with contextlib.suppress(Exception):
                self.conn.send(None)
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


def run_supervised(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    fail: Callable[[T, str], R],
    workers: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
    budget: int = MEMORY_BUDGET,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """fn(item) for every item, in worker processes; fail(item, why) for those that crash or hang.

    Results come back in item order; `on_result` sees each one as it arrives (for progress).
    """
    n = len(items)
    results: list[Any] = [None] * n
    done = [False] * n
    if not n:
        return []
    ctx = _context()
    workers = max(1, min(workers, n))
    todo: deque[int] = deque(range(n))
    alone: deque[int] = deque()  # files of a batch whose worker died: re-read one by one to find the culprit
    chunk = max(1, min(32, n // (workers * 4) or 1))
    pool: list[_Worker[T]] = []

    remaining = n
    respawns = n + 8  # a worker that cannot even start must not loop forever

    def record(i: int, value: Any) -> None:
        nonlocal remaining
        if not done[i]:
            results[i], done[i] = value, True
            remaining -= 1
            if on_result is not None:
                on_result(i, value)

    def spawn() -> None:
        nonlocal respawns
        while respawns > 0:
            respawns -= 1
            try:
                pool.append(_Worker(ctx, fn, items, budget))
                return
            except OSError:  # fork refused (no memory, process limit): try again, a little later
                time.sleep(0.05)
        if not pool:  # nobody left to read: every file still waiting fails, with the reason
            while todo:
                i = todo.popleft()
                record(i, fail(items[i], "không khởi động được tiến trình đọc tệp"))

    def feed(w: _Worker[T]) -> None:
        if w.pending or not (todo or alone):
            return
        if alone:
            batch, back = [alone.popleft()], alone
        else:
            batch, back = [todo.popleft() for _ in range(min(chunk, len(todo)))], todo
        try:
            w.give(batch)
        except (OSError, ValueError):  # the worker died between two batches: not these files' fault
            w.pending.clear()
            back.extendleft(reversed(batch))
            w.stop(kill=True)
            pool.remove(w)
            spawn()

    def bury(w: _Worker[T], why: str) -> None:
        """A worker died or hung: a file read alone fails; a batch is re-read file by file."""
        w.stop(kill=True)
        if len(w.pending) == 1:
            culprit = w.pending.popleft()
            record(culprit, fail(items[culprit], why))
        else:
            alone.extend(w.pending)
            w.pending.clear()
        pool.remove(w)
        if todo or alone:
            spawn()

    try:
        for _ in range(workers):
            spawn()
        while remaining:
            for w in list(pool):
                feed(w)
            busy = [w for w in pool if w.pending]
            if not busy:
                if todo or alone:  # a worker was replaced while feeding: feed the new one
                    if not pool:
                        spawn()
                    continue
                break
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=1.0)
            now = time.monotonic()
            for w in list(busy):
                if w.conn in ready:
                    try:
                        while w.conn.poll():
                            for i, ok, value in w.conn.recv():
                                if i in w.pending:
                                    w.pending.remove(i)
                                record(i, value if ok else fail(items[i], value))
                            w.since = now
                    except (EOFError, OSError):
                        bury(w, "crash")
                        continue
                if w in pool and w.proc.sentinel in ready and not w.proc.is_alive():
                    bury(w, "crash")
                elif w in pool and w.pending and now - w.since > timeout:
                    bury(w, "timeout")
        for i in range(n):  # nothing should be left, but never return a hole
            if not done[i]:
                record(i, fail(items[i], "crash"))
    finally:
        for w in pool:
            w.stop(kill=remaining > 0)
    return results


def isolated(fn: Callable[[T], R], arg: T, *, fail: Callable[[T, str], R], timeout: float = DEFAULT_TIMEOUT) -> R:
    """fn(arg) in one supervised worker: for reading a workbook the user controls (the bloc
    or review workbook) without letting a hostile file abort this process."""
    return run_supervised(fn, [arg], fail=fail, workers=1, timeout=timeout)[0]
