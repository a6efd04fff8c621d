"""The supervisor of worker processes: every item ends read or failed, whatever the workers do."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import pytest

from thidua_xlsx.intake import pool
from thidua_xlsx.intake.pool import Failed, Failure, Supervisor, run_supervised


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """A supervisor that never returns fails its test instead of hanging the suite."""

    def hung(_signum: int, _frame: object) -> None:
        raise TimeoutError("the supervisor did not return")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(240)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _misbehave(item: str) -> str:
    if item == "abort":
        os.abort()  # what calamine does when an allocation fails
    if item == "exit":
        os._exit(3)
    if item == "hang":
        time.sleep(600)
    if item == "raise":
        raise MemoryError("boom")
    return item.upper()


def _why(item: str, why: Failed) -> str:
    return f"fail:{item}:{why.kind.value}" + (f":{why.detail}" if why.detail else "")


def test_a_worker_that_aborts_hangs_or_raises_costs_only_its_item() -> None:
    items = ["a", "abort", "b", "exit", "c", "hang", "d", "raise", "e"]
    seen: list[int] = []
    out = run_supervised(_misbehave, items, fail=_why, workers=2, timeout=2, on_result=lambda i, _r: seen.append(i))
    assert out[0::2] == ["A", "B", "C", "D", "E"]
    assert out[1::2] == [
        "fail:abort:crash",
        "fail:exit:crash",
        "fail:hang:timeout",
        "fail:raise:error:MemoryError: boom",
    ]
    assert sorted(seen) == list(range(len(items)))  # progress saw every item once


def test_in_batches_a_bad_item_is_found_and_its_batch_mates_are_read() -> None:
    """Large inboxes go to workers in batches: a crash or a hang inside a batch costs only the
    bad file, found by re-reading that batch's files one by one."""
    items = [f"f{i}" for i in range(300)]
    items[37], items[150], items[151], items[299] = "abort", "exit", "hang", "raise"
    out = run_supervised(_misbehave, items, fail=_why, workers=2, timeout=2)
    assert [x for x in out if x.startswith("fail")] == [
        "fail:abort:crash", "fail:exit:crash", "fail:hang:timeout", "fail:raise:error:MemoryError: boom"
    ]  # fmt: skip
    assert all(out[i] == items[i].upper() for i in range(300) if i not in (37, 150, 151, 299))


def test_every_worker_dies_every_item_fails_and_the_run_ends() -> None:
    items = ["exit"] * 60  # batches die, then each file read alone dies too
    out = run_supervised(_misbehave, items, fail=_why, workers=2, timeout=5)
    assert out == ["fail:exit:crash"] * 60


def test_once_the_restarts_are_spent_everything_waiting_fails() -> None:
    """The hang this guards against: with the restart allowance spent, files set aside to be
    re-read one by one were never failed, and the supervisor spun forever."""
    items = ["exit"] * 40 + ["a"] * 40
    out = Supervisor(_misbehave, items, fail=_why, workers=2, timeout=5, restarts=4).run()
    assert len(out) == 80 and all(x is not None for x in out)
    assert set(out) <= {"fail:exit:crash", "fail:exit:no-worker", "fail:a:no-worker", "A"}
    assert "fail:exit:crash" in out and "fail:a:no-worker" in out


def test_workers_that_cannot_start_fail_every_item_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pool._Worker, "__init__", refuse)
    monkeypatch.setattr(pool.time, "sleep", lambda _s: None)
    out = run_supervised(_misbehave, ["a", "b"], fail=lambda item, why: (item, why.kind), workers=2)
    assert out == [("a", Failure.NO_WORKER), ("b", Failure.NO_WORKER)]


def test_workers_that_start_now_and_then_still_read_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Respawning that fails: a machine short of processes refuses every other start."""
    real_init = pool._Worker.__init__
    starts = {"n": 0}

    def flaky(self: pool._Worker, *args: object, **kwargs: object) -> None:
        starts["n"] += 1
        if starts["n"] % 2 == 0:
            raise OSError(11, "Resource temporarily unavailable")
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pool._Worker, "__init__", flaky)
    items = [f"f{i}" for i in range(40)]
    items[5] = items[30] = "exit"  # two deaths, each needing a new start
    out = run_supervised(_misbehave, items, fail=_why, workers=2, timeout=5)
    assert out[5] == out[30] == "fail:exit:crash"
    assert all(out[i] == items[i].upper() for i in range(40) if i not in (5, 30))


def test_once_no_worker_can_start_the_rest_fails_and_the_run_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Respawning that fails for good after the first workers: every death is final, and what
    is left fails with the reason instead of waiting for a worker that never comes."""
    real_init = pool._Worker.__init__
    starts = {"n": 0}

    def first_two_only(self: pool._Worker, *args: object, **kwargs: object) -> None:
        starts["n"] += 1
        if starts["n"] > 2:
            raise OSError(12, "Cannot allocate memory")
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pool._Worker, "__init__", first_two_only)
    monkeypatch.setattr(pool.time, "sleep", lambda _s: None)
    items = ["exit"] * 10 + ["a"] * 10
    out = Supervisor(_misbehave, items, fail=_why, workers=2, timeout=5).run()
    assert len(out) == 20 and None not in out
    assert set(out) <= {"fail:exit:crash", "fail:exit:no-worker", "fail:a:no-worker", "A"}
    assert "fail:a:no-worker" in out
    assert starts["n"] <= 2 + pool.SPAWN_ATTEMPTS  # a refused start is not retried forever


# Death schedules: whatever the workers do, the run ends with every item read or failed --------

_DEATHS = ("exit", "abort", "raise")


def _scheduled(item: tuple[str, int]) -> str:
    """An item's own fate ("ok", "exit", "abort", "raise"), or a worker that dies at random:
    "die-after-N" kills the worker that reads its N-th item, whatever that item is."""
    kind, n = item
    if kind == "die":  # the worker's own counter decides: a death not tied to one item
        count = int(os.environ.get("_THIDUA_READS", "0")) + 1
        os.environ["_THIDUA_READS"] = str(count)
        if count % n == 0:
            os._exit(9)
        return f"ok{n}"
    if kind in _DEATHS:
        _misbehave(kind)
    return f"ok{n}"


@pytest.mark.parametrize("workers", [1, 2])
def test_death_schedules_always_end_with_every_item_read_or_failed(workers: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    kinds = st.sampled_from(["ok", "ok", "ok", "exit", "abort", "raise", "die"])

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.tuples(kinds, st.integers(1, 5)), min_size=1, max_size=40), st.integers(1, 12))
    def run(items: list[tuple[str, int]], restarts: int) -> None:
        out = Supervisor(_scheduled, items, fail=lambda item, why: ("fail", why.kind), workers=workers,
                         timeout=10, restarts=restarts).run()  # fmt: skip
        assert len(out) == len(items) and None not in out
        for (kind, n), got in zip(items, out, strict=True):
            if kind in ("exit", "abort"):
                assert got in (("fail", Failure.CRASH), ("fail", Failure.NO_WORKER))
            elif kind == "raise":
                assert got in (("fail", Failure.ERROR), ("fail", Failure.NO_WORKER), ("fail", Failure.CRASH))
            else:  # read, or lost to a random death or to the spent allowance: never a wrong value
                assert got in (f"ok{n}", ("fail", Failure.CRASH), ("fail", Failure.NO_WORKER))

    run()


def test_with_the_default_allowance_deaths_tied_to_items_cost_only_those_items() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.sampled_from(["ok", "ok", "ok", "exit", "abort", "raise"]), min_size=1, max_size=60))
    def run(kinds: list[str]) -> None:
        items = [(k, i) for i, k in enumerate(kinds)]
        out = run_supervised(_scheduled, items, fail=lambda item, why: ("fail", why.kind), workers=2, timeout=10)
        for (kind, n), got in zip(items, out, strict=True):
            want = {"exit": ("fail", Failure.CRASH), "abort": ("fail", Failure.CRASH),
                    "raise": ("fail", Failure.ERROR)}.get(kind, f"ok{n}")  # fmt: skip
            assert got == want

    run()


# Copies of one hostile file, and archives full of them ------------------------------------------


def _crash_on_bad(item: tuple[str, str]) -> str:
    content, name = item
    if content.startswith("bad"):
        os._exit(7)
    return name


def test_copies_of_a_file_that_kills_the_reader_cost_one_death_not_one_each() -> None:
    """800 copies of one hostile file: once one is known to kill its worker, its copies (same
    bytes, told by `kin`) fail the same way, unread; the good items are all read."""
    items = [("bad", f"b{i}") for i in range(800)] + [("good", f"g{i}") for i in range(16)]
    supervisor = Supervisor(_crash_on_bad, items, fail=lambda item, why: why, workers=2, timeout=10,
                            kin=lambda item: item[0])  # fmt: skip
    allowance = supervisor.restarts
    out = supervisor.run()
    assert out[800:] == [f"g{i}" for i in range(16)]
    assert all(isinstance(x, Failed) and x.kind is Failure.CRASH for x in out[:800])
    assert allowance - supervisor.restarts <= 8  # workers started: a handful, not 800


def test_an_archive_whose_members_keep_killing_the_reader_is_given_up_after_a_budget() -> None:
    """Distinct hostile members of one archive (each its own bytes): after GROUP_DEATHS deaths
    the rest of that archive fails unread, with its own reason; other files are still read."""
    items = [(f"bad{i}", f"zip/m{i}") for i in range(300)] + [("good", f"g{i}") for i in range(10)]
    supervisor = Supervisor(_crash_on_bad, items, fail=lambda item, why: why, workers=2, timeout=10,
                            kin=lambda item: item[0], group=lambda item: "zip" if "/" in item[1] else None)  # fmt: skip
    allowance = supervisor.restarts
    out = supervisor.run()
    assert out[300:] == [f"g{i}" for i in range(10)]
    kinds = [x.kind for x in out[:300]]
    assert set(kinds) == {Failure.CRASH, Failure.GIVEN_UP}
    assert kinds.count(Failure.CRASH) <= pool.GROUP_DEATHS + 2  # the batches in flight at the time
    assert allowance - supervisor.restarts <= 2 * (pool.GROUP_DEATHS + 4)


# Workers die with their parent ------------------------------------------------------------------

_PARENT = """
import os, sys, time
from thidua_xlsx.intake.pool import run_supervised

def nap(i):
    with open(sys.argv[1] + f".{os.getpid()}", "w") as fh:
        fh.write("x")
    time.sleep(600)  # a read that takes long (native code, a hostile file)

run_supervised(nap, list(range(6)), fail=lambda i, why: None, workers=2, timeout=900)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_parent(tmp_path, sig: signal.Signals) -> None:
    import subprocess
    import sys

    stamp = tmp_path / "worker"
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(stamp)], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("worker.*"))) < 2:  # both workers are inside a read
            assert time.monotonic() < deadline, "the workers never started"
            assert parent.poll() is None
            time.sleep(0.05)
        workers = [int(p.suffix[1:]) for p in tmp_path.glob("worker.*")]
        assert all(_alive(pid) for pid in workers)
        parent.send_signal(sig)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in workers):
            assert time.monotonic() < deadline, f"workers outlived their parent: {workers}"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
        for p in tmp_path.glob("worker.*"):  # never leave a stray worker behind, even when failing
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(p.suffix[1:]), signal.SIGKILL)
