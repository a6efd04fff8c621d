"""The review round (bình xét, §9): read the meeting's inputs and turn them into the final ranking."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from thidua_xlsx.core import issues
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import Problem, ReviewError
from thidua_xlsx.core.grid import Grid, a1
from thidua_xlsx.core.issues import Code
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.numbers import ValueKind, parse_number, vn
from thidua_xlsx.core.report import Meeting, Report, Status
from thidua_xlsx.core.text import clean, fold
from thidua_xlsx.intake.meta import Metadata, read_metadata
from thidua_xlsx.intake.pool import Failed, Failure, isolated
from thidua_xlsx.intake.sheets import open_workbook, read_grid
from thidua_xlsx.ranking.rank import rank_units


@dataclass
class _Sheets:
    meta: Metadata | None = None
    review: Grid | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class UnitReview:
    code: str
    self_shown: Decimal | None  # the self score the meeting saw
    agreed: Decimal | None
    reason: str
    votes: int | None
    self_cell: str
    agreed_cell: str


@dataclass
class ReviewInput:
    present: int
    leader: str | None
    deputy: str | None
    units: dict[str, UnitReview] = field(default_factory=dict)


def _read(path: Path) -> _Sheets:
    """In a worker: the '_thidua' key/values and the 'Bình xét' grid of a ranking workbook."""
    out = _Sheets()
    try:
        book = open_workbook(path)
        names = {clean(n): n for n in book.sheet_names}
        if L.SHEET_META in names:
            out.meta = read_metadata(read_grid(book, names[L.SHEET_META]))
        if L.R_REVIEW in names:
            out.review = read_grid(book, names[L.R_REVIEW])
    except Exception as exc:  # any broken file: a usage error with its reason
        out.error = str(exc)[:200] or exc.__class__.__name__
    return out


def _failed(path: Path, why: Failed) -> _Sheets:
    if why.kind is Failure.TIMEOUT:
        return _Sheets(error="đọc quá lâu, tệp có thể bị hỏng")
    return _Sheets(error=why.detail or "tệp hỏng hoặc quá lớn")


def read_review(path: Path | str, report: Report) -> ReviewInput:
    """The meeting's inputs; ReviewError listing every problem with its sheet and cell."""
    path = Path(path)
    sheets = isolated(_read, path, fail=_failed)
    if sheets.error:
        raise ReviewError(f"Không đọc được bảng bình xét {path}: {sheets.error}")
    info = report.bloc.info
    problems: list[Problem] = []
    meta, K = sheets.meta, L.MetaKey
    if meta is None or meta.form != L.RANKING_FORM_ID:
        problems.append(Problem(None, None, "tệp không phải bảng xếp hạng do thidua-xlsx tạo (thiếu trang '_thidua')."))
    else:
        if fold(meta.get(K.BLOC)) != fold(info.name):
            problems.append(Problem(meta.sheet, meta.cell(K.BLOC), f"bảng bình xét của khối \"{meta.get(K.BLOC)}\", "
                                    f"không phải \"{info.name}\"."))  # fmt: skip
        if meta.get(K.YEAR) != str(info.year):
            problems.append(Problem(meta.sheet, meta.cell(K.YEAR),
                                    f"bảng bình xét năm {meta.get(K.YEAR)}, không phải năm {info.year}."))  # fmt: skip
    grid = sheets.review
    if grid is None:
        problems.append(Problem(L.R_REVIEW, None, "không có trang 'Bình xét'."))
        raise ReviewError(f"Bảng bình xét {path} có lỗi cần sửa.", problems)
    result = _inputs(grid, report, problems)
    if problems:
        raise ReviewError(
            f"Bảng bình xét {path} có {len(problems)} lỗi cần sửa; chưa ghi kết quả chính thức.", problems
        )
    return result


def _label_cells(grid: Grid) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for r in range(min(grid.height, 40)):
        for c, value in enumerate(grid.rows[r]):
            text = clean(value)
            for label in L.MEETING_LABELS:
                if label not in found and fold(text) == fold(label):
                    found[label] = (r, c + 1)  # the input is right of its label
    return found


def _unit_from(text: str, report: Report) -> str | None:
    key = fold(text)
    for u in report.bloc.units:
        if key in (fold(u.code), fold(u.name)):
            return u.code
    return None


def _inputs(grid: Grid, report: Report, problems: list[Problem]) -> ReviewInput:
    sheet = grid.name
    cells = _label_cells(grid)
    n_units = len(report.bloc.units)

    def where(label: str) -> tuple[str | None, object]:
        if label not in cells:
            problems.append(Problem(sheet, None, f"không tìm thấy ô '{label}'."))
            return None, None
        r, c = cells[label]
        return a1(r, c), grid.value(r, c)

    cell, raw = where(L.PRESENT)
    present = 0
    if cell:
        parsed = parse_number(raw)
        if parsed.kind is ValueKind.EMPTY:
            problems.append(Problem(sheet, cell, f"chưa nhập '{L.PRESENT}'."))
        elif (
            parsed.value is None or parsed.value != parsed.value.to_integral_value() or not 1 <= parsed.value <= n_units
        ):
            problems.append(Problem(sheet, cell, f"'{L.PRESENT}' phải là số nguyên từ 1 đến {n_units}, "
                                    f"không phải \"{clean(raw)}\"."))  # fmt: skip
        else:
            present = int(parsed.value)
    chosen: dict[str, str | None] = {}
    for label in (L.NEXT_LEADER, L.NEXT_DEPUTY):
        cell, raw = where(label)
        text = clean(raw)
        chosen[label] = None
        if cell and text:
            code = _unit_from(text, report)
            if code is None:
                problems.append(Problem(sheet, cell, f'{label.lower()} "{text}" không phải đơn vị của khối.'))
            chosen[label] = code
    if chosen[L.NEXT_LEADER] and chosen[L.NEXT_LEADER] == chosen[L.NEXT_DEPUTY]:
        problems.append(Problem(sheet, cells[L.NEXT_DEPUTY] and a1(*cells[L.NEXT_DEPUTY]),
                                "khối trưởng và khối phó năm sau phải là hai đơn vị khác nhau."))  # fmt: skip
    out = ReviewInput(present=present, leader=chosen[L.NEXT_LEADER], deputy=chosen[L.NEXT_DEPUTY])
    found = grid.find_header(L.REVIEW_HEADERS)
    if found is None:
        problems.append(Problem(sheet, None, "không tìm thấy bảng có các cột " + ", ".join(L.REVIEW_HEADERS) + "."))
        return out
    head, cols = found
    scale = report.bloc.info.base_total + report.bloc.kind_max(Kind.BONUS)
    for r in range(head + 1, grid.height):
        code_text = grid.text(r, cols[L.V_CODE])
        if not code_text:
            continue
        code = _unit_from(code_text, report)
        if code is None:
            problems.append(Problem(sheet, a1(r, cols[L.V_CODE]), f'mã đơn vị "{code_text}" không có trong khối.'))
            continue
        shown = parse_number(grid.value(r, cols[L.V_SELF])).value
        agreed_cell = a1(r, cols[L.V_AGREED])
        parsed = parse_number(grid.value(r, cols[L.V_AGREED]))
        agreed = parsed.value
        if parsed.kind in (ValueKind.NOT_NUMBER, ValueKind.AMBIGUOUS):  # "1.000": never guessed
            problems.append(Problem(sheet, agreed_cell, f"điểm thống nhất của {code} phải là số."))
            agreed = None
        elif agreed is not None and not 0 <= agreed <= scale:
            problems.append(Problem(sheet, agreed_cell, f"điểm thống nhất của {code} là {vn(agreed)}, "
                                    f"ngoài thang điểm 0 đến {vn(scale)}."))  # fmt: skip
        reason = grid.text(r, cols[L.V_REASON])
        if agreed is not None and agreed != shown and not reason:
            problems.append(Problem(sheet, a1(r, cols[L.V_REASON]), f"điểm của {code} được đổi từ "
                                    f"{vn(shown) if shown is not None else 'trống'} thành {vn(agreed)} "
                                    "nhưng chưa ghi lý do điều chỉnh."))  # fmt: skip
        votes_cell = a1(r, cols[L.V_VOTES])
        pv = parse_number(grid.value(r, cols[L.V_VOTES]))
        votes: int | None = None
        if pv.kind is not ValueKind.EMPTY:
            v = pv.value
            if v is None or v != v.to_integral_value() or v < 0:
                problems.append(Problem(sheet, votes_cell, f"số phiếu của {code} phải là số nguyên không âm."))
            elif present and v > present:
                problems.append(Problem(sheet, votes_cell, f"số phiếu của {code} ({vn(v)}) nhiều hơn số thành "
                                        f"viên dự họp ({present})."))  # fmt: skip
            else:
                votes = int(v)
        if code in out.units:
            problems.append(Problem(sheet, a1(r, cols[L.V_CODE]), f"đơn vị {code} có hai dòng."))
            continue
        out.units[code] = UnitReview(code, shown, agreed, reason, votes, a1(r, cols[L.V_SELF]), agreed_cell)
    return out


def apply_review(report: Report, path: Path | str) -> Report:
    """The final ranking: agreed scores replace self scores, votes break ties and gate proposals."""
    review = read_review(path, report)
    extra: list[issues.Issue] = []
    shown_as = str(path)
    units = []
    for u in report.units:
        entry = review.units.get(u.code)
        if entry is None:
            extra.append(issues.make(Code.REVIEW_UNIT_ABSENT, unit=u.code, file=shown_as, sheet=L.R_REVIEW))
            if u.status is Status.RANKED:
                u = replace(u, agreed_total=u.total, self_total=u.total, votes=0)
            units.append(u)
            continue
        cell = entry.agreed_cell
        if u.status is not Status.RANKED:  # no valid return: nothing to agree on or vote for
            if entry.agreed is not None:
                extra.append(issues.make(Code.REVIEW_SCORE_UNUSED, unit=u.code, file=shown_as, sheet=L.R_REVIEW,
                                         cell=cell, agreed=vn(entry.agreed)))  # fmt: skip
            units.append(u)
            continue
        current = u.total
        if entry.self_shown is not None and current is not None and entry.self_shown != current:
            extra.append(issues.make(Code.REVIEW_SELF_CHANGED, unit=u.code, file=shown_as, sheet=L.R_REVIEW,
                                     cell=entry.self_cell, shown=vn(entry.self_shown), now=vn(current)))  # fmt: skip
        # The agreed score, else the self score the meeting saw and kept, else today's.
        agreed = next((x for x in (entry.agreed, entry.self_shown) if x is not None), current)
        units.append(replace(u, votes=entry.votes if entry.votes is not None else 0, agreed_total=agreed,
                             agreed_reason=entry.reason, self_total=current, total=agreed))  # fmt: skip
    meeting = Meeting(present=review.present, next_leader=review.leader, next_deputy=review.deputy, source=shown_as)
    return replace(
        report,
        units=tuple(rank_units(report.bloc, units, meeting=meeting)),
        issues=report.issues + tuple(extra),
        final=True,
        meeting=meeting,
    )
