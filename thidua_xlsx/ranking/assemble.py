"""From the files read to the ranked report: one file per unit, every file accounted for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from thidua_xlsx.core import issues
from thidua_xlsx.core.issues import Code, Issue, Severity
from thidua_xlsx.core.model import Bloc, Unit
from thidua_xlsx.core.report import FileEntry, FileKind, Report, Status, UnitResult
from thidua_xlsx.intake.collect import Intake, Progress, gather
from thidua_xlsx.intake.documents import Document
from thidua_xlsx.intake.inbox import ARCHIVE_EXTS, OTHER_ARCHIVE_EXTS, SPREADSHEET_EXTS
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


@dataclass(frozen=True)
class Choice:
    """The file used for a unit (None: none can be), why each other file is not, and the
    issues the choice itself raises (duplicates)."""

    used: ReturnData | None
    reasons: Mapping[str, str] = field(default_factory=dict)  # file → why it is not used
    issues: tuple[Issue, ...] = ()
    error: Issue | None = None  # keeps the unit unranked (duplicate-conflict)


def _time(when: float) -> str:
    return dt.datetime.fromtimestamp(when).strftime("%d/%m/%Y %H:%M")


def _same(a: ReturnData, b: ReturnData) -> bool:
    return dict(a.scores) == dict(b.scores) and dict(a.data) == dict(b.data)


def choose(code: str, files: Sequence[ReturnData]) -> Choice:
    """A unit's file: this bloc's and year's readable form first, then the newest by the time
    the workbook records it was saved (whole seconds). Equal times are never settled by name:
    the same scores and data use one, different ones are a duplicate-conflict."""
    candidates = [r for r in files if not r.conflict]  # a file naming two units is used for neither
    if not candidates:
        return Choice(None)
    best = max((r.this_bloc, r.readable) for r in candidates)
    if best != (True, True):  # nothing usable: the unit shows the first error of its best file
        used = max(candidates, key=lambda r: (r.this_bloc, r.readable, r.when, r.file))
        return Choice(used)
    good = sorted((r for r in candidates if r.this_bloc and r.readable), key=lambda r: (-int(r.when), r.file))
    newest = int(good[0].when)
    tied = [r for r in good if int(r.when) == newest]
    reasons: dict[str, str] = {}
    found: list[Issue] = []
    if any(not _same(tied[0], r) for r in tied[1:]):
        names = ", ".join(r.file for r in tied)
        error = issues.make(Code.DUPLICATE_CONFLICT, file=tied[0].file, unit=code, when=_time(newest), files=names)
        for r in tied:
            reasons[r.file] = "không dùng: " + error.message
        for r in good[len(tied) :]:
            reasons[r.file] = f"không dùng: đã có tệp lưu sau ({_time(newest)})"
        return Choice(None, reasons, (error,), error)
    used = tied[0]
    for r in tied[1:]:
        why = f"giống hệt tệp {used.file} (cùng thời gian lưu {_time(newest)}, cùng điểm và số liệu)"
        found.append(issues.make(Code.DUPLICATE_RETURN, file=r.file, unit=code, why=why))
        reasons[r.file] = f"không dùng: {why}"
    for r in good[len(tied) :]:
        why = f"đã có tệp lưu sau (lúc {_time(newest)}, tệp này lưu lúc {_time(r.when)}): {used.file}"
        found.append(issues.make(Code.DUPLICATE_RETURN, file=r.file, unit=code, why=why))
        reasons[r.file] = f"không dùng: {why}"
    return Choice(used, reasons, tuple(found))


def assemble(bloc: Bloc, intake: Intake) -> Report:
    """The provisional report: a file per unit, each unit evaluated, all ranked."""
    by_unit: dict[str, list[ReturnData]] = {}
    for r in intake.returns:
        if r.unit:
            by_unit.setdefault(r.unit, []).append(r)
    choices = {code: choose(code, files) for code, files in by_unit.items()}
    claimed: dict[str, list[ReturnData]] = {}  # unit → files in a unit-conflict that name it
    for r in intake.returns:
        for code in r.conflict:
            claimed.setdefault(code, []).append(r)
    entries = _file_entries(intake, choices)
    duplicates = [i for c in choices.values() for i in c.issues]
    found = [*intake.walk.issues, *(i for r in intake.returns for i in r.issues), *duplicates]
    units = [
        _unit_result(bloc, unit, choices.get(unit.code, Choice(None)), by_unit.get(unit.code, []),
                     claimed.get(unit.code, []))
        for unit in bloc.units
    ]  # fmt: skip
    units, reports = _with_documents(units, intake.documents)
    missing = [issues.make(Code.UNIT_MISSING, unit=u.code, name=u.name) for u in units if u.status is Status.MISSING]
    return Report(
        bloc=bloc,
        units=tuple(rank_units(bloc, units)),
        issues=tuple(found + reports + missing),
        files=entries,
        read_count=len(intake.returns),
    )


def _with_documents(units: list[UnitResult], documents: Sequence[Document]) -> tuple[list[UnitResult], list[Issue]]:
    """Each unit with the documents matched to it; `report-missing` for a unit whose return was
    read but that sent no document, `document-unmatched` for a document on no unit."""
    found: list[Issue] = []
    by_unit: dict[str, list[str]] = {}
    for d in documents:
        if d.unit is not None:
            by_unit.setdefault(d.unit, []).append(d.display)
            continue
        ext = PurePosixPath(d.display).suffix.lower()
        example = d.candidates[0] if d.candidates else units[0].code  # a loaded bloc has a unit
        found.append(issues.make(Code.DOCUMENT_UNMATCHED, file=d.display, why=d.reason, example=example, ext=ext))
    out = []
    for u in units:
        mine = by_unit.get(u.code)
        if mine:
            u = u.changed(documents=tuple(mine))
        elif u.status is not Status.MISSING:
            found.append(issues.make(Code.REPORT_MISSING, unit=u.code, name=u.name))
        out.append(u)
    return out, found


def _file_entries(intake: Intake, choices: Mapping[str, Choice]) -> tuple[FileEntry, ...]:
    """Every file found, once, with whether it is used and why not."""
    entries: list[FileEntry] = []
    for r in intake.returns:
        choice = choices.get(r.unit) if r.unit else None
        chosen = choice.used if choice else None
        first_error = next((i.message for i in r.issues if i.severity is Severity.ERROR), None)
        if r.conflict:
            why = next(i.message for i in r.issues if i.code is Code.UNIT_CONFLICT)
            entries.append(FileEntry(r.file, r.unit, False, f"không dùng: {why}", r.when))
        elif chosen is r:
            entries.append(FileEntry(r.file, r.unit, True, None, r.when))
        elif choice is not None and r.file in choice.reasons:
            entries.append(FileEntry(r.file, r.unit, False, choice.reasons[r.file], r.when))
        elif chosen is not None:
            why = (first_error or "không phải mẫu của khối, năm này").rstrip(".")
            entries.append(FileEntry(r.file, r.unit, False, f"không dùng: {why}. Đã dùng tệp {chosen.file}.", r.when))
        else:
            entries.append(FileEntry(r.file, r.unit, False, first_error or "không đọc được", r.when))
    for d in intake.documents:  # on its unit: listed there, as the unit's file used is
        entries.append(FileEntry(d.display, d.unit, d.unit is not None, d.reason, d.mtime, False, FileKind.DOCUMENT))
    walk = intake.walk
    for p in walk.refused:  # found and looked at, but refused before reading (zip bombs, broken archives…)
        entries.append(FileEntry(p.display, None, False, p.reason, p.mtime, kind=_kind(p.display)))
    for p in walk.passed:
        if p.archive:
            entries.append(FileEntry(p.display, None, False, p.reason, p.mtime, kind=FileKind.ARCHIVE))
        else:
            why = f"bỏ qua: {p.reason}"
            entries.append(FileEntry(p.display, None, False, why, p.mtime, read=False, kind=FileKind.OTHER))
    entries.sort(key=lambda e: e.path)
    return tuple(entries)


def _kind(display: str) -> FileKind:
    """A file refused before reading: a return (a workbook too large, locked), an archive, other."""
    ext = PurePosixPath(display).suffix.lower()
    if ext in SPREADSHEET_EXTS:
        return FileKind.RETURN
    return FileKind.ARCHIVE if ext in ARCHIVE_EXTS or ext in OTHER_ARCHIVE_EXTS else FileKind.OTHER


def _unit_result(
    bloc: Bloc, unit: Unit, choice: Choice, files: Sequence[ReturnData], claimed: Sequence[ReturnData]
) -> UnitResult:
    """A unit before ranking: missing, in error (with the first error as the reason), or scored."""
    r = choice.used
    unused = tuple(f.file for f in files if f is not r)
    if choice.error is not None:
        note = f"Chưa xếp hạng: {choice.error.message}"
        return UnitResult(unit.code, unit.name, Status.ERROR, unused=unused, note=note, errors=1)
    if r is None:
        note = "Chưa nộp bảng tự chấm điểm."
        if claimed:
            names = ", ".join(c.file for c in claimed)
            note = f"Chưa nộp bảng tự chấm điểm dùng được: tệp {names} ghi hai đơn vị khác nhau (lỗi unit-conflict)."
        return UnitResult(unit.code, unit.name, Status.MISSING, unused=unused, note=note, errors=1)
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
        code=unit.code, name=unit.name, status=status, file=r.file, unused=unused,
        base=base, bonus=bonus, deduction=deduction, total=total, self_total=total,
        rating=ev.rating, party_rating=ev.party_rating, data=r.data,
        ldtt_share=ev.ldtt_share, cstd_share=ev.cstd_share, targets_met=ev.targets_met,
        eligible=ev.eligible, eligibility_notes=ev.eligibility_notes, note=note,
        scores=r.scores, score_cells=r.score_cells, errors=r.errors, warnings=r.warnings,
    )  # fmt: skip
