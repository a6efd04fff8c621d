"""Run reads in supervised worker processes: a file that crashes, hangs or exhausts memory
in the native reader costs that file only, never the run.

calamine allocates a sheet's whole used range up front and aborts the process when that
fails, so a hostile workbook of a few kilobytes can kill the process reading it. Workers
run under a memory limit; the supervisor notices a dead or silent worker, records the file
it was reading as failed, and hands the rest of its batch to a fresh worker, one file at a
time. Whatever the workers do, every item ends read or failed: each death costs one restart
from a finite allowance, and once it is spent everything still waiting fails with the reason.
"""

from __future__ import annotations

import contextlib
import enum
import faulthandler
import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MEMORY_BUDGET = 1536 * 1024**2  # per worker, on top of what it inherits
DEFAULT_TIMEOUT = 120.0  # seconds one file may take
POLL = 1.0  # seconds between looks at silent workers


class Failure(enum.Enum):
    """Why an item has no result."""

    CRASH = "crash"  # the worker died while reading it (native abort, memory limit)
    TIMEOUT = "timeout"  # the worker stayed silent past the timeout
    ERROR = "error"  # the function raised; the detail says what
    NO_WORKER = "no-worker"  # no worker process could be started to read it


@dataclass(frozen=True, slots=True)
class Failed:
    kind: Failure
    detail: str = ""


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


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:300]


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
                messages.append((i, False, _describe(exc)))
        try:
            conn.send(messages)  # one message a batch: the parent wakes once, not once a file
        except Exception:  # an unpicklable result: send one by one, the bad one as a failure
            for i, ok, value in messages:
                try:
                    conn.send([(i, ok, value)])
                except Exception as exc:
                    conn.send([(i, False, _describe(exc))])


class _Worker:
    """One worker process and the items it holds."""

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], items: Sequence[Any], budget: int) -> None:
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


class Supervisor(Generic[T, R]):
    """fn(item) for every item in worker processes; fail(item, Failed) for those that get none."""

    def __init__(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        fail: Callable[[T, Failed], R],
        workers: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        budget: int = MEMORY_BUDGET,
        on_result: Callable[[int, R], None] | None = None,
        restarts: int | None = None,
    ) -> None:
        self.fn, self.items, self.fail = fn, items, fail
        self.timeout, self.budget, self.on_result = timeout, budget, on_result
        n = len(items)
        self.workers = max(1, min(workers, n))
        self.results: list[Any] = [None] * n
        self.done = [False] * n
        self.remaining = n
        self.todo: deque[int] = deque(range(n))  # not yet given to a worker
        self.alone: deque[int] = deque()  # of a batch whose worker died: re-read one by one
        self.chunk = max(1, min(32, n // (self.workers * 4) or 1))
        self.pool: list[_Worker] = []
        # Each death either splits a batch (its items are never batched again) or fails the
        # one item read alone: 2n restarts cover every death a run can see.
        self.restarts = restarts if restarts is not None else 2 * n + self.workers + 8
        self.ctx = _context()

    def run(self) -> list[R]:
        """Results in item order; `on_result` sees each one as it arrives (for progress)."""
        try:
            for _ in range(self.workers):
                self._spawn()
            while self.remaining:
                self._feed()
                busy = [w for w in self.pool if w.pending]
                if busy:
                    self._wait(busy)
                elif not self.pool and not self._spawn():  # nobody left to read, and no restart left
                    self._fail_waiting(Failed(Failure.NO_WORKER))
                elif not self.todo and not self.alone:
                    break  # nothing waits, nothing is out: only a hole is left, filled below
            for i in range(len(self.items)):  # never return a hole
                if not self.done[i]:
                    self._record(i, self.fail(self.items[i], Failed(Failure.CRASH)))
        finally:
            for w in self.pool:
                w.stop(kill=self.remaining > 0)
        return self.results

    def _record(self, i: int, value: Any) -> None:
        if not self.done[i]:
            self.results[i], self.done[i] = value, True
            self.remaining -= 1
            if self.on_result is not None:
                self.on_result(i, value)

    def _spawn(self) -> bool:
        """Start a worker from the restart allowance; False once it is spent."""
        while self.restarts > 0:
            self.restarts -= 1
            try:
                self.pool.append(_Worker(self.ctx, self.fn, self.items, self.budget))
                return True
            except OSError:  # fork refused (no memory, process limit): try again, a little later
                time.sleep(0.05)
        return False

    def _fail_waiting(self, why: Failed) -> None:
        for queue in (self.todo, self.alone):
            while queue:
                i = queue.popleft()
                self._record(i, self.fail(self.items[i], why))

    def _feed(self) -> None:
        for w in list(self.pool):
            if w.pending or not (self.todo or self.alone):
                continue
            if self.alone:
                batch, back = [self.alone.popleft()], self.alone
            else:
                batch, back = [self.todo.popleft() for _ in range(min(self.chunk, len(self.todo)))], self.todo
            try:
                w.give(batch)
            except (OSError, ValueError):  # the worker died between two batches: not these files' fault
                w.pending.clear()
                back.extendleft(reversed(batch))
                self._drop(w)

    def _drop(self, w: _Worker) -> None:
        w.stop(kill=True)
        self.pool.remove(w)
        if self.todo or self.alone:
            self._spawn()

    def _bury(self, w: _Worker, why: Failed) -> None:
        """A worker died or hung: a file read alone fails; a batch is re-read file by file."""
        if len(w.pending) == 1:
            culprit = w.pending.popleft()
            self._record(culprit, self.fail(self.items[culprit], why))
        else:
            self.alone.extend(w.pending)
            w.pending.clear()
        self._drop(w)

    def _wait(self, busy: list[_Worker]) -> None:
        ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=POLL)
        now = time.monotonic()
        for w in busy:
            if w.conn in ready:
                try:
                    while w.conn.poll():
                        for i, ok, value in w.conn.recv():
                            if i in w.pending:
                                w.pending.remove(i)
                            self._record(i, value if ok else self.fail(self.items[i], Failed(Failure.ERROR, value)))
                        w.since = now
                except (EOFError, OSError):
                    self._bury(w, Failed(Failure.CRASH))
                    continue
            if w in self.pool and w.proc.sentinel in ready and not w.proc.is_alive():
                self._bury(w, Failed(Failure.CRASH))
            elif w in self.pool and w.pending and now - w.since > self.timeout:
                self._bury(w, Failed(Failure.TIMEOUT))


def run_supervised(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    fail: Callable[[T, Failed], R],
    workers: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
    budget: int = MEMORY_BUDGET,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """fn(item) for every item, in worker processes; fail(item, why) for those that crash or hang."""
    if not items:
        return []
    supervisor = Supervisor(fn, items, fail=fail, workers=workers, timeout=timeout, budget=budget, on_result=on_result)
    return supervisor.run()


def isolated(fn: Callable[[T], R], arg: T, *, fail: Callable[[T, Failed], R], timeout: float = DEFAULT_TIMEOUT) -> R:
    """fn(arg) in one supervised worker: for reading a workbook the user controls (the bloc
    or review workbook) without letting a hostile file abort this process."""
    return run_supervised(fn, [arg], fail=fail, workers=1, timeout=timeout)[0]
