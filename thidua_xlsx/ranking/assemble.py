"""From the files read to the ranked report: one file per unit, every file accounted for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from thidua_xlsx.core import issues
from thidua_xlsx.core.issues import Code, Issue, Severity
from thidua_xlsx.core.model import Bloc, Unit
from thidua_xlsx.core.report import FileEntry, Report, Status, UnitResult
from thidua_xlsx.intake.collect import Intake, Progress, gather
from thidua_xlsx.intake.pool import DEFAULT_TIMEOUT
from thidua_xlsx.intake.returns import ReturnData
from thidua_xlsx.ranking.rank import evaluate, rank_units


def collect(
    inbox: Path | str,
    bloc: Bloc,
    *,
    shown_as: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Report:
    """Read every return under `inbox`, choose one file per unit, validate and rank.

    `shown_as` is how paths start in the report (default: `inbox` as given); `timeout` is
    how long one file may take to read, in seconds.
    """
    intake = gather(inbox, bloc, shown_as=shown_as, workers=workers, progress=progress, timeout=timeout)
    return assemble(bloc, intake)


def _choose(candidates: list[ReturnData]) -> ReturnData:
    """This bloc's and year's readable file first, then the newest, then by path."""
    return max(candidates, key=lambda r: (r.this_bloc, r.readable, r.mtime, r.file))


def assemble(bloc: Bloc, intake: Intake) -> Report:
    """The provisional report: a file per unit, each unit evaluated, all ranked."""
    by_unit: dict[str, list[ReturnData]] = {}
    for r in intake.returns:
        if r.unit:
            by_unit.setdefault(r.unit, []).append(r)
    used = {code: _choose(files) for code, files in by_unit.items()}
    entries, duplicates = _file_entries(intake, used)
    found = [*intake.walk.issues, *(i for r in intake.returns for i in r.issues), *duplicates]
    units = [_unit_result(bloc, unit, used.get(unit.code), by_unit.get(unit.code, [])) for unit in bloc.units]
    missing = [issues.make(Code.UNIT_MISSING, unit=u.code, name=u.name) for u in units if u.status is Status.MISSING]
    return Report(
        bloc=bloc,
        units=tuple(rank_units(bloc, units)),
        issues=tuple(found + missing),
        files=entries,
        read_count=len(intake.returns),
    )


def _file_entries(intake: Intake, used: Mapping[str, ReturnData]) -> tuple[tuple[FileEntry, ...], list[Issue]]:
    """Every file found, once, with whether it is used and why not; and the duplicates' warnings."""
    entries: list[FileEntry] = []
    duplicates: list[Issue] = []
    for r in intake.returns:
        chosen = used.get(r.unit) if r.unit else None
        first_error = next((i.message for i in r.issues if i.severity is Severity.ERROR), None)
        if chosen is r:
            entries.append(FileEntry(r.file, r.unit, True, None, r.mtime))
        elif chosen is not None and r.this_bloc and r.readable:
            # A true duplicate: the unit sent this bloc's form twice; the newest is used.
            duplicates.append(issues.make(Code.DUPLICATE_RETURN, file=r.file, unit=r.unit, used=chosen.file))
            entries.append(FileEntry(r.file, r.unit, False, f"không dùng: đã có tệp mới hơn {chosen.file}", r.mtime))
        elif chosen is not None:
            why = (first_error or "không phải mẫu của khối, năm này").rstrip(".")
            entries.append(FileEntry(r.file, r.unit, False, f"không dùng: {why}. Đã dùng tệp {chosen.file}.", r.mtime))
        else:
            entries.append(FileEntry(r.file, r.unit, False, first_error or "không đọc được", r.mtime))
    walk = intake.walk
    for p in walk.refused:  # found and looked at, but refused before reading (zip bombs, broken archives…)
        entries.append(FileEntry(p.display, None, False, p.reason, p.mtime))
    for p in walk.passed:
        if p.archive:
            entries.append(FileEntry(p.display, None, False, p.reason, p.mtime))
        else:
            entries.append(FileEntry(p.display, None, False, f"bỏ qua: {p.reason}", p.mtime, read=False))
    entries.sort(key=lambda e: e.path)
    return tuple(entries), duplicates


def _unit_result(bloc: Bloc, unit: Unit, r: ReturnData | None, files: Sequence[ReturnData]) -> UnitResult:
    """A unit before ranking: missing, in error (with the first error as the reason), or scored."""
    if r is None:
        return UnitResult(unit.code, unit.name, Status.MISSING, note="Chưa nộp bảng tự chấm điểm.", errors=1)
    ev = evaluate(bloc, r.data)
    status, note = Status.RANKED, ""
    base = bonus = deduction = total = None
    if r.errors:
        first = next(i.message for i in r.issues if i.severity is Severity.ERROR)
        more = f" (và {r.errors - 1} lỗi khác)" if r.errors > 1 else ""
        status, note = Status.ERROR, f"Chưa xếp hạng: {first}{more}"
    else:
        base, bonus, deduction, total = bloc.totals(r.scores)
    return UnitResult(
        code=unit.code, name=unit.name, status=status, file=r.file,
        unused=tuple(f.file for f in files if f is not r),
        base=base, bonus=bonus, deduction=deduction, total=total, self_total=total,
        rating=ev.rating, party_rating=ev.party_rating, data=r.data,
        ldtt_share=ev.ldtt_share, cstd_share=ev.cstd_share, targets_met=ev.targets_met,
        eligible=ev.eligible, eligibility_notes=ev.eligibility_notes, note=note,
        scores=r.scores, score_cells=r.score_cells, errors=r.errors, warnings=r.warnings,
    )  # fmt: skip
