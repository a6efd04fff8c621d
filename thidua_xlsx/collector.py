"""Orchestration: inbox → reads (in supervised workers) → one file per unit → ranked report."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from . import issues
from .errors import ThiduaError
from .inbox import Passed, Source, Walk, add_file, walk_inbox
from .issues import Issue, Severity
from .model import Bloc
from .pool import run_supervised
from .ranking import evaluate, rank_units
from .report import FileEntry, Report, Status, UnitResult
from .returns import ReturnData, read_return, totals

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


def collect(
    inbox: Path | str,
    bloc: Bloc,
    *,
    shown_as: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Report:
    """Read every return under `inbox`, choose one file per unit, validate and rank.

    `shown_as` is how paths start in the report (default: `inbox` as given).
    """
    inbox = Path(inbox)
    if not inbox.exists():
        raise ThiduaError(f"Không tìm thấy thư mục {inbox}.")
    if not inbox.is_dir():
        raise ThiduaError(f"{inbox} không phải là thư mục. Dùng lệnh 'check' để kiểm tra từng tệp.")
    walk = walk_inbox(inbox, shown_as=shown_as)
    _pass_over_bloc_workbook(walk, bloc)
    results = read_sources(walk.sources, bloc, workers=workers, progress=progress)
    return assemble(bloc, walk, results)


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


def _choose(candidates: list[ReturnData]) -> ReturnData:
    """This bloc's and year's readable file first, then the newest, then by path."""
    return max(candidates, key=lambda r: (r.this_bloc, r.readable, r.mtime, r.file))


def assemble(bloc: Bloc, walk: Walk, results: list[ReturnData]) -> Report:
    by_unit: dict[str, list[ReturnData]] = {}
    for r in results:
        if r.unit:
            by_unit.setdefault(r.unit, []).append(r)
    used: dict[str, ReturnData] = {code: _choose(files) for code, files in by_unit.items()}
    file_issues: list[Issue] = []
    entries: list[FileEntry] = []
    for r in results:
        file_issues.extend(r.issues)
        chosen = used.get(r.unit) if r.unit else None
        first_error = next((i.message for i in r.issues if i.severity is Severity.ERROR), None)
        if chosen is r:
            entries.append(FileEntry(r.file, r.unit, True, None, r.mtime))
        elif chosen is not None and r.this_bloc and r.readable:
            # A true duplicate: the unit sent this bloc's form twice; the newest is used.
            file_issues.append(issues.make("duplicate-return", file=r.file, unit=r.unit, used=chosen.file))
            entries.append(FileEntry(r.file, r.unit, False, f"không dùng: đã có tệp mới hơn {chosen.file}", r.mtime))
        elif chosen is not None:
            why = (first_error or "không phải mẫu của khối, năm này").rstrip(".")
            entries.append(FileEntry(r.file, r.unit, False, f"không dùng: {why}. Đã dùng tệp {chosen.file}.", r.mtime))
        else:
            entries.append(FileEntry(r.file, r.unit, False, first_error or "không đọc được", r.mtime))
    for p in walk.refused:  # found and looked at, but refused before reading (zip bombs, broken archives…)
        entries.append(FileEntry(p.display, None, False, p.reason, p.mtime))
    for p in walk.passed:
        if p.archive:
            entries.append(FileEntry(p.display, None, False, p.reason, p.mtime))
        else:
            entries.append(FileEntry(p.display, None, False, f"bỏ qua: {p.reason}", p.mtime, read=False))
    entries.sort(key=lambda e: e.path)
    file_issues = walk.issues + file_issues

    units: list[UnitResult] = []
    for unit in bloc.units:
        r = used.get(unit.code)
        if r is None:
            u = UnitResult(code=unit.code, name=unit.name, status=Status.MISSING)
            u.note = "Chưa nộp bảng tự chấm điểm."
            file_issues.append(issues.make("unit-missing", unit=unit.code, name=unit.name))
            u.errors = 1
            units.append(u)
            continue
        u = UnitResult(code=unit.code, name=unit.name, status=Status.RANKED, file=r.file, file_time=r.mtime)
        u.unused = [f.file for f in by_unit[unit.code] if f is not r]
        u.scores, u.score_cells, u.data = r.scores, r.score_cells, r.data
        u.errors = r.errors
        u.warnings = sum(1 for i in r.issues if i.severity is Severity.WARNING)
        evaluate(bloc, u)
        if u.errors:
            u.status = Status.ERROR
            first = next(i.message for i in r.issues if i.severity is Severity.ERROR)
            more = f" (và {u.errors - 1} lỗi khác)" if u.errors > 1 else ""
            u.note = f"Chưa xếp hạng: {first}{more}"
        else:
            u.base, u.bonus, u.deduction, u.total = totals(bloc, r.scores)
            u.self_total = u.total
        units.append(u)
    ordered = rank_units(bloc, units)
    return Report(bloc=bloc, units=ordered, issues=file_issues, files=entries, read_count=len(results))
