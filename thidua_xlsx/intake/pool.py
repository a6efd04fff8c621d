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
import ctypes
import enum
import faulthandler
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MEMORY_BUDGET = 1536 * 1024**2  # per worker, on top of what it inherits
DEFAULT_TIMEOUT = 120.0  # seconds one file may take
POLL = 1.0  # seconds between looks at silent workers
SPAWN_ATTEMPTS = 5  # starts refused in a row before the supervisor stops asking
GROUP_DEATHS = 8  # deaths among the items of one group (an archive) before the rest fails unread


class Failure(enum.Enum):
    """Why an item has no result."""

    CRASH = "crash"  # the worker died while reading it (native abort, memory limit)
    TIMEOUT = "timeout"  # the worker stayed silent past the timeout
    ERROR = "error"  # the function raised; the detail says what
    NO_WORKER = "no-worker"  # no worker process could be started to read it
    GIVEN_UP = "given-up"  # not read: too many items of its group crashed or hung the reader


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


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """End this worker when its parent ends, however it ends (SIGKILL included).

    Linux delivers a signal when the parent dies (PR_SET_PDEATHSIG); elsewhere a thread
    watches for the worker being handed to another parent. Between reads, the pipe the
    worker waits on also reports the parent gone (EOF), as no other process holds its end.
    """
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def _worker(
    conn: Connection,
    inherited: Sequence[Connection],
    parent: int,
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    budget: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    for name in ("SIGTERM", "SIGHUP"):  # the parent's handlers (clean-up of its outputs) are not ours
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    # Close the parent's ends of the pipes this process inherited by fork (its own and its
    # siblings'): while a worker holds one, that pipe never reports the parent gone.
    for other in inherited:
        with contextlib.suppress(OSError):
            other.close()
    _die_with(parent)
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

    def __init__(
        self, ctx: Any, fn: Callable[[Any], Any], items: Sequence[Any], budget: int, siblings: Sequence[_Worker]
    ) -> None:
        self.conn, child = ctx.Pipe()
        # Under fork the child holds copies of the parent's pipe ends; it closes them first.
        inherited = [self.conn, *(w.conn for w in siblings)] if ctx.get_start_method() == "fork" else []
        args = (child, inherited, os.getpid(), fn, items, budget)
        self.proc = ctx.Process(target=_worker, args=args, daemon=True)
        try:
            self.proc.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
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
        kin: Callable[[T], Hashable | None] | None = None,
        group: Callable[[T], Hashable | None] | None = None,
        group_deaths: int = GROUP_DEATHS,
    ) -> None:
        """`kin(item)` says which items hold the same bytes: once one of them crashed or hung
        the reader when read alone, the others fail the same way, unread (it may be costly:
        it is asked only after such a death). `group(item)` names the items that share a
        container: after `group_deaths` deaths among them, the rest of it fails unread."""
        self.fn, self.items, self.fail = fn, items, fail
        self.timeout, self.budget, self.on_result = timeout, budget, on_result
        self.kin, self.group, self.group_deaths = kin, group, group_deaths
        self.kins: dict[int, Hashable | None] = {}  # kin of an item, once asked
        self.doomed: dict[Hashable, Failed] = {}  # kin → how its first item failed
        self.deaths: dict[Hashable, int] = {}  # group → deaths it caused
        self.closed: dict[Hashable, Failed] = {}  # group → why the rest of it is not read
        n = len(items)
        self.workers = max(1, min(workers, n))
        self.results: list[Any] = [None] * n
        self.done = [False] * n
        self.remaining = n
        self.todo: deque[int] = deque(range(n))  # not yet given to a worker
        self.alone: deque[int] = deque()  # of a batch whose worker died: re-read one by one
        self.chunk = max(1, min(32, n // (self.workers * 4) or 1))
        self.pool: list[_Worker] = []
        self.refused = 0  # starts refused in a row
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
        """Start a worker from the restart allowance; False once it is spent, or once the
        machine has refused SPAWN_ATTEMPTS starts in a row (no memory, too many processes)."""
        while self.restarts > 0 and self.refused < SPAWN_ATTEMPTS:
            self.restarts -= 1
            try:
                self.pool.append(_Worker(self.ctx, self.fn, self.items, self.budget, self.pool))
            except OSError:  # fork refused: try again a little later, but not forever
                self.refused += 1
                time.sleep(0.05 * self.refused)
                continue
            self.refused = 0
            return True
        return False

    def _doom(self, i: int, why: Failed) -> None:
        """Item i, read alone, killed or hung its worker: fail its twins and, past the
        budget, the rest of its group, before they cost a worker each."""
        if self.kin is not None:
            key = self._kin(i)
            if key is not None:
                self.doomed.setdefault(key, why)
        if self.group is not None:
            group = self.group(self.items[i])
            if group is not None:
                self.deaths[group] = self.deaths.get(group, 0) + 1
                if self.deaths[group] >= self.group_deaths:
                    self.closed[group] = Failed(Failure.GIVEN_UP, str(self.deaths[group]))
        self._sweep()

    def _kin(self, i: int) -> Hashable | None:
        if i not in self.kins:
            try:
                self.kins[i] = self.kin(self.items[i]) if self.kin is not None else None
            except Exception:  # an item whose kin cannot be told is read as any other
                self.kins[i] = None
        return self.kins[i]

    def _fate(self, i: int) -> Failed | None:
        """How a waiting item fails unread, if its twin or its group already decided it."""
        if self.closed and self.group is not None:
            group = self.group(self.items[i])
            if group is not None and group in self.closed:
                return self.closed[group]
        if self.doomed:
            key = self._kin(i)
            if key is not None and key in self.doomed:
                return self.doomed[key]
        return None

    def _sweep(self) -> None:
        if not (self.doomed or self.closed):
            return
        for queue in (self.todo, self.alone):
            waiting = list(queue)
            queue.clear()
            for i in waiting:
                why = self._fate(i)
                if why is None:
                    queue.append(i)
                else:
                    self._record(i, self.fail(self.items[i], why))

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
            self._doom(culprit, why)
        else:
            self.alone.extend(w.pending)
            w.pending.clear()
            self._sweep()
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
    kin: Callable[[T], Hashable | None] | None = None,
    group: Callable[[T], Hashable | None] | None = None,
) -> list[R]:
    """fn(item) for every item, in worker processes; fail(item, why) for those that crash or hang.

    `kin` and `group` spare the run the cost of many copies of one hostile file (see Supervisor).
    """
    if not items:
        return []
    supervisor = Supervisor(
        fn, items, fail=fail, workers=workers, timeout=timeout, budget=budget, on_result=on_result, kin=kin, group=group
    )
    return supervisor.run()


def isolated(fn: Callable[[T], R], arg: T, *, fail: Callable[[T, Failed], R], timeout: float = DEFAULT_TIMEOUT) -> R:
    """fn(arg) in one supervised worker: for reading a workbook the user controls (the bloc
    or review workbook) without letting a hostile file abort this process."""
    return run_supervised(fn, [arg], fail=fail, workers=1, timeout=timeout)[0]
