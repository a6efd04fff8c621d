"""The supervisor of worker processes: every item ends read or failed, whatever the workers do."""

from __future__ import annotations

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
