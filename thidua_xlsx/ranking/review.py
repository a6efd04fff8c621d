"""The review round (bình xét, §9): read the meeting's record from the ranking workbook it
edited, and turn it into the final ranking, criterion by criterion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from thidua_xlsx.core import issues
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import Problem, ReviewError
from thidua_xlsx.core.grid import Grid, a1
from thidua_xlsx.core.issues import Code, Issue
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.core.numbers import ValueKind, parse_number, read_number, vn
from thidua_xlsx.core.report import Adjustment, Meeting, Report, Status, UnitResult
from thidua_xlsx.core.text import clean, fold
from thidua_xlsx.intake.meta import Metadata, read_metadata
from thidua_xlsx.intake.pool import Failed, Failure, isolated
from thidua_xlsx.intake.sheets import open_workbook, read_grid
from thidua_xlsx.ranking.rank import rank_units

MAX_LABEL_ROWS = 40  # the meeting's inputs sit above the table


@dataclass(frozen=True)
class _Sheets:
    """What the worker read from the review workbook."""

    meta: Metadata | None = None
    review: Grid | None = None
    adjust: Grid | None = None
    detail: Grid | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class AgreedScore:
    """One row of 'Điều chỉnh điểm', checked."""

    unit: str
    criterion: str
    agreed: Decimal
    reason: str
    cell: str  # of the agreed score, for messages


@dataclass(frozen=True)
class ReviewInput:
    """The meeting's record, checked: who met, whom it elected, its votes and agreed scores."""

    meeting: Meeting
    votes: Mapping[str, int]
    agreed: Mapping[str, tuple[AgreedScore, ...]]  # by unit code
    listed: frozenset[str]  # units with a row in 'Bình xét'
    shown: Mapping[str, Mapping[str, Decimal | None]]  # self scores the meeting saw, by unit and criterion


def _read(path: Path) -> _Sheets:
    """In a worker: the sheets of a ranking workbook the review needs."""
    try:
        book = open_workbook(path)
        names = {clean(n): n for n in book.sheet_names}

        def grid(name: str) -> Grid | None:
            return read_grid(book, names[name]) if name in names else None

        meta = grid(L.SHEET_META)
        return _Sheets(
            meta=read_metadata(meta) if meta is not None else None,
            review=grid(L.R_REVIEW),
            adjust=grid(L.R_ADJUST),
            detail=grid(L.R_DETAIL),
        )
    except Exception as exc:  # any broken file: a usage error with its reason
        return _Sheets(error=str(exc)[:200] or exc.__class__.__name__)


def _failed(path: Path, why: Failed) -> _Sheets:
    if why.kind is Failure.TIMEOUT:
        return _Sheets(error="đọc quá lâu, tệp có thể bị hỏng")
    return _Sheets(error=why.detail or "tệp hỏng hoặc quá lớn")


def read_review(path: Path | str, report: Report) -> ReviewInput:
    """The meeting's record; ReviewError listing every problem with its sheet and cell."""
    path = Path(path)
    sheets = isolated(_read, path, fail=_failed)
    if sheets.error:
        raise ReviewError(f"Không đọc được bảng bình xét {path}: {sheets.error}")
    problems: list[Problem] = []
    _check_form(sheets.meta, report.bloc, problems)
    if sheets.review is None or sheets.adjust is None:
        missing = [name for name, g in ((L.R_REVIEW, sheets.review), (L.R_ADJUST, sheets.adjust)) if g is None]
        problems += [Problem(name, None, f"không có trang '{name}'.") for name in missing]
        raise ReviewError(f"Bảng bình xét {path} có lỗi cần sửa.", problems)
    review = _ReviewSheet(sheets.review, report.bloc, problems)
    meeting, votes = review.read()
    agreed = _agreed_scores(sheets.adjust, report.bloc, problems)
    if problems:
        raise ReviewError(
            f"Bảng bình xét {path} có {len(problems)} lỗi cần sửa; chưa ghi kết quả chính thức.", problems
        )
    shown = _shown_scores(sheets.detail) if sheets.detail is not None else {}
    return ReviewInput(replace(meeting, source=str(path)), votes, agreed, frozenset(review.listed), shown)


def _check_form(meta: Metadata | None, bloc: Bloc, problems: list[Problem]) -> None:
    K = L.MetaKey
    if meta is None or meta.form != L.RANKING_FORM_ID:
        problems.append(Problem(None, None, "tệp không phải bảng xếp hạng do thidua-xlsx tạo (thiếu trang '_thidua')."))
        return
    if fold(meta.get(K.BLOC)) != fold(bloc.info.name):
        problems.append(Problem(meta.sheet, meta.cell(K.BLOC), f"bảng bình xét của khối \"{meta.get(K.BLOC)}\", "
                                f"không phải \"{bloc.info.name}\"."))  # fmt: skip
    if meta.get(K.YEAR) != str(bloc.info.year):
        problems.append(Problem(meta.sheet, meta.cell(K.YEAR),
                                f"bảng bình xét năm {meta.get(K.YEAR)}, không phải năm {bloc.info.year}."))  # fmt: skip


def unit_code(text: str, bloc: Bloc) -> str | None:
    """A unit named by its code or its name (as a dropdown of names writes it)."""
    key = fold(text)
    for u in bloc.units:
        if key in (fold(u.code), fold(u.name)):
            return u.code
    return None


@dataclass(frozen=True, slots=True)
class _Count:
    value: int | None = None  # None when blank
    bad: str | None = None  # what the cell shows, when it is not a whole number ≥ 0


def _whole(raw: object) -> _Count:
    parsed = read_number(raw, low=Decimal(0), whole=True)  # "1.000" members is a thousand
    if parsed.kind is ValueKind.EMPTY:
        return _Count()
    v = parsed.value
    if v is None or v != v.to_integral_value() or v < 0 or v > 1_000_000:
        return _Count(bad=clean(raw)[:40])
    return _Count(int(v))


def _time_text(raw: object) -> str:
    """The meeting's time as the secretary typed it, or a date cell in words."""
    if isinstance(raw, dt.datetime):
        hour = f"{raw:%H} giờ {raw:%M}, " if (raw.hour, raw.minute) != (0, 0) else ""
        return f"{hour}ngày {raw:%d/%m/%Y}"
    if isinstance(raw, dt.date):
        return f"ngày {raw:%d/%m/%Y}"
    return clean(raw)


class _ReviewSheet:
    """'Bình xét': the meeting's inputs above, one row per unit below."""

    def __init__(self, grid: Grid, bloc: Bloc, problems: list[Problem]) -> None:
        self.grid, self.bloc, self.problems = grid, bloc, problems
        self.listed: set[str] = set()
        self.labels: dict[str, tuple[int, int]] = {}
        wanted = {fold(label): label for label in L.MEETING_LABELS}
        for r in range(min(grid.height, MAX_LABEL_ROWS)):
            for c, value in enumerate(grid.rows[r]):
                label = wanted.get(fold(value))
                if label and label not in self.labels:
                    self.labels[label] = (r, c + 1)  # the input is right of its label

    def add(self, cell: str | None, message: str) -> None:
        self.problems.append(Problem(self.grid.name, cell, message))

    def value(self, label: str) -> tuple[str | None, object]:
        if label not in self.labels:
            self.add(None, f"không tìm thấy ô '{label}'.")
            return None, None
        r, c = self.labels[label]
        return a1(r, c), self.grid.value(r, c)

    def read(self) -> tuple[Meeting, dict[str, int]]:
        present, votes = self._table()
        members = len(present)
        texts = {label: clean(self.value(label)[1]) for label in (L.M_PLACE, L.M_CHAIR, L.M_SECRETARY)}
        elected: dict[str, tuple[str | None, int | None]] = {}
        for who, tally in ((L.NEXT_LEADER, L.LEADER_VOTES), (L.NEXT_DEPUTY, L.DEPUTY_VOTES)):
            cell, raw = self.value(who)
            code = None
            if cell and clean(raw):
                code = unit_code(clean(raw), self.bloc)
                if code is None:
                    self.add(cell, f'{who.lower()} "{clean(raw)}" không phải đơn vị của khối.')
            elected[who] = (code, self._votes(tally, members))
        leader, deputy = elected[L.NEXT_LEADER][0], elected[L.NEXT_DEPUTY][0]
        if leader and leader == deputy:
            self.add(self.value(L.NEXT_DEPUTY)[0], "khối trưởng và khối phó năm sau phải là hai đơn vị khác nhau.")
        meeting = Meeting(
            time=_time_text(self.value(L.M_TIME)[1]),
            place=texts[L.M_PLACE],
            chair=texts[L.M_CHAIR],
            secretary=texts[L.M_SECRETARY],
            present=tuple(present),
            next_leader=leader,
            next_leader_votes=elected[L.NEXT_LEADER][1],
            next_deputy=deputy,
            next_deputy_votes=elected[L.NEXT_DEPUTY][1],
        )
        for unit, count in votes.items():
            if count > members:
                self.add(self._votes_cell.get(unit), f"số phiếu suy tôn của {unit} ({count}) nhiều hơn số thành viên "
                         f"dự họp ({members}).")  # fmt: skip
        return meeting, votes

    def _votes(self, label: str, members: int) -> int | None:
        cell, raw = self.value(label)
        n = _whole(raw) if cell else _Count()
        if n.bad is not None:
            self.add(cell, f"'{label}' phải là số nguyên không âm, không phải \"{n.bad}\".")
        elif n.value is not None and n.value > members:
            self.add(cell, f"'{label}' ({n.value}) nhiều hơn số thành viên dự họp ({members}).")
        return n.value

    def _table(self) -> tuple[list[str], dict[str, int]]:
        """Units present, in the bloc's order, and each unit's votes."""
        found = self.grid.find_header(L.REVIEW_HEADERS)
        self._votes_cell: dict[str, str] = {}
        if found is None:
            self.add(None, "không tìm thấy bảng có các cột " + ", ".join(L.REVIEW_HEADERS) + ".")
            return [], {}
        head, cols = found
        present: set[str] = set()
        votes: dict[str, int] = {}
        seen: dict[str, str] = {}
        for r in range(head + 1, self.grid.height):
            text = self.grid.text(r, cols[L.V_CODE])
            if not text:
                continue
            code_cell = a1(r, cols[L.V_CODE])
            code = unit_code(text, self.bloc)
            if code is None:
                self.add(code_cell, f'mã đơn vị "{text}" không có trong khối.')
                continue
            if code in seen:
                self.add(code_cell, f"đơn vị {code} có hai dòng (đã có ở ô {seen[code]}).")
                continue
            seen[code] = code_cell
            self.listed.add(code)
            attended = fold(self.grid.value(r, cols[L.V_ATTENDED]))
            if attended == fold(L.ATTENDED):
                present.add(code)
            elif attended != fold(L.ABSENT):
                self.add(a1(r, cols[L.V_ATTENDED]), f"cột '{L.V_ATTENDED}' của {code} phải là "
                         f"'{L.ATTENDED}' hoặc '{L.ABSENT}'.")  # fmt: skip
            cell = a1(r, cols[L.V_VOTES])
            n = _whole(self.grid.value(r, cols[L.V_VOTES]))
            if n.bad is not None:
                self.add(cell, f'số phiếu suy tôn của {code} phải là số nguyên không âm, không phải "{n.bad}".')
            elif n.value is not None:
                votes[code] = n.value
                self._votes_cell[code] = cell
        if not present and seen:
            self.add(None, f"không có đơn vị nào được ghi '{L.ATTENDED}' ở cột '{L.V_ATTENDED}'.")
        return [u.code for u in self.bloc.units if u.code in present], votes


def _agreed_scores(grid: Grid, bloc: Bloc, problems: list[Problem]) -> dict[str, tuple[AgreedScore, ...]]:
    """The rows of 'Điều chỉnh điểm' the meeting filled, each checked; by unit."""
    sheet = grid.name

    def add(cell: str | None, message: str) -> None:
        problems.append(Problem(sheet, cell, message))

    found = grid.find_header(L.ADJUST_HEADERS)
    if found is None:
        add(None, "không tìm thấy bảng có các cột " + ", ".join(L.ADJUST_HEADERS) + ".")
        return {}
    head, cols = found
    rows: dict[tuple[str, str], AgreedScore] = {}
    for r in range(head + 1, grid.height):
        unit_text, crit_text = grid.text(r, cols[L.J_UNIT]), grid.text(r, cols[L.J_CRITERION])
        raw, reason = grid.value(r, cols[L.J_AGREED]), grid.text(r, cols[L.J_REASON])
        if not (unit_text or crit_text or clean(raw) or reason):
            continue
        unit_cell, crit_cell, cell = (a1(r, cols[x]) for x in (L.J_UNIT, L.J_CRITERION, L.J_AGREED))
        code = unit_code(unit_text, bloc) if unit_text else None
        if code is None:
            add(unit_cell, f'mã đơn vị "{unit_text}" không có trong khối.' if unit_text else "chưa chọn đơn vị.")
        crit = bloc.by_code.get(crit_text.rstrip(".").replace(" ", "")) if crit_text else None
        if crit is None or not crit.is_leaf:
            why = "không phải tiêu chí chấm điểm của khối" if crit is None else "là một mục, không phải tiêu chí"
            add(crit_cell, f'mã tiêu chí "{crit_text}" {why}.' if crit_text else "chưa chọn tiêu chí.")
        # "1.000" is 1 in a max-10 criterion; where both readings fit it is asked for, never guessed
        parsed = (
            read_number(raw, low=Decimal(0), high=crit.max) if crit is not None and crit.is_leaf else parse_number(raw)
        )
        agreed = parsed.value
        if parsed.kind is ValueKind.AMBIGUOUS:
            both = " hoặc ".join(vn(v) for v in parsed.readings)
            add(cell, f'điểm khối chấm "{clean(raw)[:40]}" đọc được hai cách: {both}; hãy gõ lại bằng số.')
        elif agreed is None:
            add(cell, "chưa nhập điểm khối chấm." if parsed.kind is ValueKind.EMPTY
                else f"điểm khối chấm phải là số, không phải \"{clean(raw)[:40]}\".")  # fmt: skip
        elif crit is not None and crit.is_leaf and not 0 <= agreed <= crit.max:
            add(cell, f"điểm khối chấm {vn(agreed)} ngoài thang điểm của tiêu chí {crit.code} (0 đến {vn(crit.max)}).")
        if not reason:
            add(a1(r, cols[L.J_REASON]), "chưa ghi lý do điều chỉnh điểm.")
        if code is None or crit is None or not crit.is_leaf or agreed is None:
            continue
        key = (code, crit.code)
        if key in rows and rows[key].agreed != agreed:
            add(cell, f"{code}, tiêu chí {crit.code}: hai điểm khối chấm khác nhau ({vn(rows[key].agreed)} ở ô "
                f"{rows[key].cell} và {vn(agreed)}); giữ một dòng.")  # fmt: skip
        rows.setdefault(key, AgreedScore(code, crit.code, agreed, reason, cell))
    out: dict[str, list[AgreedScore]] = {}
    for score in rows.values():
        out.setdefault(score.unit, []).append(score)
    order = {c.code: i for i, c in enumerate(bloc.criteria)}
    return {code: tuple(sorted(found, key=lambda s: order[s.criterion])) for code, found in out.items()}


def _shown_scores(grid: Grid) -> dict[str, dict[str, Decimal | None]]:
    """The self scores the meeting saw: 'Chi tiết điểm' of the workbook it edited (criteria
    down, a unit's first column holding its self scores)."""
    units: dict[int, str] = {}
    codes_row = next((r for r in range(min(grid.height, MAX_LABEL_ROWS)) if grid.text(r, 0) == L.V_CODE), None)
    head = grid.find_header(["Mã", "Nội dung tiêu chí"])
    if codes_row is None or head is None:
        return {}
    for c in range(3, len(grid.rows[codes_row])):
        code = grid.text(codes_row, c)
        if code and code not in units.values():
            units[c] = code
    out: dict[str, dict[str, Decimal | None]] = {code: {} for code in units.values()}
    for r in range(head[0] + 1, grid.height):
        crit = grid.text(r, 0)
        if not crit:
            break
        for c, code in units.items():
            out[code][crit] = parse_number(grid.value(r, c)).value
    return out


def apply_review(report: Report, path: Path | str) -> Report:
    """The final ranking: the meeting's agreed scores replace the self scores of the criteria it
    changed, every sum is recomputed from the criteria, votes break ties and gate proposals."""
    review = read_review(path, report)
    bloc, shown_as = report.bloc, str(path)
    extra: list[Issue] = []
    units: list[UnitResult] = []
    for u in report.units:
        agreed = review.agreed.get(u.code, ())
        if u.code not in review.listed:
            extra.append(issues.make(Code.REVIEW_UNIT_ABSENT, unit=u.code, file=shown_as, sheet=L.R_REVIEW))
        if u.status is not Status.RANKED:  # no valid return: nothing to agree on or vote for
            extra += [issues.make(Code.REVIEW_SCORE_UNUSED, unit=u.code, file=shown_as, sheet=L.R_ADJUST,
                                  cell=a.cell, criterion=a.criterion, agreed=vn(a.agreed)) for a in agreed]  # fmt: skip
            units.append(replace(u, present=u.code in review.meeting.present))
            continue
        extra += _self_changed(bloc, u, review.shown.get(u.code), {a.criterion for a in agreed})
        units.append(_final(bloc, u, agreed, review))
    return replace(
        report,
        units=tuple(rank_units(bloc, units, meeting=review.meeting)),
        issues=report.issues + tuple(extra),
        final=True,
        meeting=review.meeting,
    )


def _final(bloc: Bloc, u: UnitResult, agreed: tuple[AgreedScore, ...], review: ReviewInput) -> UnitResult:
    """A ranked unit after the meeting: its criteria, its sums, its votes."""
    scores = dict(u.scores)
    adjustments = []
    for a in agreed:
        own = u.scores.get(a.criterion)
        if own == a.agreed:
            continue  # the meeting kept the unit's own score
        adjustments.append(Adjustment(a.criterion, own, a.agreed, a.reason))
        scores[a.criterion] = a.agreed
    base, bonus, deduction, total = bloc.totals(scores)
    return u.changed(
        self_scores=u.scores,
        scores=scores,
        adjustments=tuple(adjustments),
        base=base,
        bonus=bonus,
        deduction=deduction,
        total=total,
        self_total=u.total,
        agreed_total=total,
        votes=review.votes.get(u.code, 0),  # a blank vote count is no votes
        present=u.code in review.meeting.present,
    )


def _self_changed(
    bloc: Bloc, u: UnitResult, shown: Mapping[str, Decimal | None] | None, agreed: set[str]
) -> list[Issue]:
    """A unit that resubmitted after the review workbook was made: each criterion whose self
    score differs from the one the meeting saw, as a warning on its cell."""
    if not shown:
        return []
    out = []
    for crit in bloc.leaves:
        if crit.code not in shown:
            continue
        was, now = shown[crit.code], u.scores.get(crit.code)
        if was is not None and now is not None and was != now:
            out.append(issues.make(Code.REVIEW_SELF_CHANGED, unit=u.code, file=u.file, sheet=L.SHEET_SCORES,
                                   cell=u.score_cells.get(crit.code), criterion=crit.code,
                                   shown=vn(was), now=vn(now),
                                   what="giữ điểm khối chấm" if crit.code in agreed else "dùng điểm mới"))  # fmt: skip
    return out
