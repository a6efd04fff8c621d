"""From the returns read to the ranked report: one file per unit, validated, ranked."""

from __future__ import annotations

from pathlib import Path

from thidua_xlsx.core import issues
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.issues import Issue, Severity
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.core.report import FileEntry, Report, Status, UnitResult
from thidua_xlsx.intake.collect import Progress, _pass_over_bloc_workbook, read_sources
from thidua_xlsx.intake.inbox import Walk, walk_inbox
from thidua_xlsx.intake.returns import ReturnData, totals
from thidua_xlsx.ranking.rank import evaluate, rank_units


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
