"""Read what units sent: every file of an inbox (or named one by one), each in a supervised
worker, into one ReturnData per file. Choosing a file per unit and ranking come after."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.intake.inbox import Source, Walk, walk_files, walk_inbox
from thidua_xlsx.intake.pool import DEFAULT_TIMEOUT, Failed, Failure, run_supervised
from thidua_xlsx.intake.returns import ReturnData, read_return, unreadable

Progress = Callable[[int, int], None]

_FAILURES = {
    Failure.TIMEOUT: "đọc quá lâu, có thể tệp bị lỗi cấu trúc hoặc được tạo để gây hại",
    Failure.CRASH: "trình đọc bảng tính dừng bất thường khi mở tệp (tệp hỏng, quá lớn khi giải nén, "
    "hoặc được tạo để gây hại)",
    Failure.NO_WORKER: "không khởi động được tiến trình đọc tệp trên máy này (thiếu bộ nhớ hoặc quá nhiều tiến trình)",
}


@dataclass(frozen=True)
class Intake:
    """Every file found, and what each one read said."""

    walk: Walk
    returns: tuple[ReturnData, ...]


def _failed(source: Source, why: Failed, *, bloc: Bloc) -> ReturnData:
    """A file the reader crashed or hung on: still the return of the unit its name names."""
    detail = _FAILURES.get(why.kind) or f"lỗi khi đọc ({why.detail})"
    return unreadable(source, detail, bloc)


def default_workers(n: int) -> int:
    cpus = os.cpu_count() or 1
    if n < 24:
        return 1
    return max(1, min(cpus, 8))


def read_sources(
    sources: Sequence[Source],
    bloc: Bloc,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[ReturnData, ...]:
    """Read every source once, each in a supervised worker process (`timeout` seconds a file)."""
    total = len(sources)
    done = 0

    def tick(_i: int, _r: ReturnData) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return tuple(
        run_supervised(
            functools.partial(read_return, bloc=bloc),
            sources,
            fail=functools.partial(_failed, bloc=bloc),
            workers=workers if workers is not None else default_workers(total),
            timeout=timeout,
            on_result=tick,
        )
    )


def gather(
    inbox: Path | str,
    bloc: Bloc,
    *,
    shown_as: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Intake:
    """Every file under `inbox`, read. The bloc's own workbook, if it sits there, is passed over."""
    walk = walk_inbox(Path(inbox), shown_as=shown_as, exclude=bloc.source)
    return Intake(walk, read_sources(walk.sources, bloc, workers=workers, progress=progress, timeout=timeout))


def check_files(
    paths: Sequence[Path | str], bloc: Bloc, *, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Intake:
    """Read files one by one (zips opened), for the bloc leader to answer a unit at once."""
    named: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            raise ThiduaError(f"{path} là thư mục; dùng 'collect {path}' để đọc cả thư mục.")
        if not path.exists():
            raise ThiduaError(f"Không tìm thấy tệp {path}.")
        named.append((path, str(p)))
    walk = walk_files(named)
    return Intake(walk, read_sources(walk.sources, bloc, workers=workers, timeout=timeout))
