"""Orchestration: inbox → reads (in supervised workers) → one file per unit → ranked report."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from thidua_xlsx.core import issues
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.intake.inbox import Passed, Source, Walk, add_file
from thidua_xlsx.intake.pool import run_supervised
from thidua_xlsx.intake.returns import ReturnData, read_return

Progress = Callable[[int, int], None]


def _failed(source: Source, why: str) -> ReturnData:
    """A file whose read crashed the reader or took too long."""
    detail = (
        "đọc quá lâu, có thể tệp bị lỗi cấu trúc hoặc được tạo để gây hại"
        if why == "timeout"
        else "trình đọc bảng tính dừng bất thường khi mở tệp (tệp hỏng, quá lớn khi giải nén, hoặc được tạo để gây hại)"
        if why == "crash"
        else f"lỗi khi đọc ({why})"
    )
    out = ReturnData(file=source.display, mtime=source.mtime, readable=False)
    out.issues.append(issues.make("file-unreadable", file=source.display, detail=detail))
    return out


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
) -> list[ReturnData]:
    """Read every source once, each in a supervised worker process."""
    total = len(sources)
    done = 0

    def tick(_i: int, _r: ReturnData) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return run_supervised(
        functools.partial(read_return, bloc=bloc),
        sources,
        fail=_failed,
        workers=workers if workers is not None else default_workers(total),
        on_result=tick,
    )


def _pass_over_bloc_workbook(walk: Walk, bloc: Bloc) -> None:
    """The bloc's own khoi.xlsx may sit in the folder being collected: it is not a return."""
    if bloc.source is None:
        return
    own = bloc.source.resolve()
    for source in list(walk.sources):
        if not source.members and source.path.resolve() == own:
            walk.sources.remove(source)
            walk.passed.append(Passed(source.display, "tệp khối thi đua, không phải bảng tự chấm", source.mtime))


def check_files(
    paths: Sequence[Path | str], bloc: Bloc, *, workers: int | None = None
) -> tuple[list[ReturnData], Walk]:
    """Read files one by one (zips opened), for the bloc leader to answer a unit at once."""
    walk = Walk()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            raise ThiduaError(f"{path} là thư mục; dùng 'collect {path}' để đọc cả thư mục.")
        if not path.exists():
            raise ThiduaError(f"Không tìm thấy tệp {path}.")
        add_file(walk, path, str(p), path.name)
    return read_sources(walk.sources, bloc, workers=workers), walk
