"""Read one returned workbook into scores, data and issues: rows by code, never by position."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from thidua_xlsx.core import issues
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import Grid, a1
from thidua_xlsx.core.issues import Code, Issue, Severity
from thidua_xlsx.core.labels import DataCode
from thidua_xlsx.core.model import Bloc, Criterion
from thidua_xlsx.core.numbers import ParsedNumber, ValueKind, plain, read_number, vn, vn_exact
from thidua_xlsx.core.ratings import RATING_CHOICES, Rating, parse_rating
from thidua_xlsx.core.text import clean, fold, fold_compact
from thidua_xlsx.intake.identify import Evidence, Identity, check_form, describe, identify_copy, name_only
from thidua_xlsx.intake.inbox import Source
from thidua_xlsx.intake.meta import Metadata, read_metadata
from thidua_xlsx.intake.reader import Book, Unreadable, open_book

if TYPE_CHECKING:
    from thidua_xlsx.intake.hidden import Hidden

_CODE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")
MAX_HEAD_COUNT = 1_000_000  # more people than any office: a typing slip, not a head count
ZERO = Decimal(0)

__all__ = ["Evidence", "ReturnData", "read_return", "unreadable"]


@dataclass(frozen=True, eq=False)
class ReturnData:
    """What one file says, once read: who it is from, the scores and data, and its issues."""

    file: str
    mtime: float
    unit: str | None = None
    identified_by: Evidence | None = None
    this_bloc: bool = True  # False: another bloc's or year's form
    generated_at: str | None = None
    scores: Mapping[str, Decimal | None] = field(default_factory=dict)
    score_cells: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, Decimal | Rating | None] = field(default_factory=dict)
    cached_total: Decimal | None = None
    issues: tuple[Issue, ...] = ()
    readable: bool = True
    saved: float | None = None  # when the workbook records it was last saved (POSIX time)
    conflict: tuple[str, ...] = ()  # units the evidence names when it disagrees (unit-conflict): used for none

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)

    @property
    def when(self) -> float:
        """The time that decides which of two files is newer: saved, else the file's time."""
        return self.saved if self.saved is not None else self.mtime


@dataclass
class _Reading:
    """What is learnt of a file while reading it; `result()` hands it on as a ReturnData."""

    file: str
    mtime: float
    unit: str | None = None
    identified_by: Evidence | None = None
    this_bloc: bool = True
    generated_at: str | None = None
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    score_cells: dict[str, str] = field(default_factory=dict)
    data: dict[str, Decimal | Rating | None] = field(default_factory=dict)
    cached_total: Decimal | None = None
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True
    saved: float | None = None
    conflict: tuple[str, ...] = ()
    book: Book | None = None  # for a second look at a cell read as empty
    text_cells: list[str] = field(default_factory=list)  # score cells typed as text

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    def add(self, kind_code: Code, /, *, sheet: str | None = None, cell: str | None = None, **params: object) -> None:
        issue = issues.make(kind_code, file=self.file, unit=self.unit, sheet=sheet, cell=cell, **params)
        self.issues.append(issue)

    def hidden(self, sheet: str, row: int, col: int) -> Hidden | None:
        return self.book.hidden_cell(sheet, row, col) if self.book is not None else None

    def result(self) -> ReturnData:
        own = [i if i.unit == self.unit else replace(i, unit=self.unit) for i in self.issues]
        return ReturnData(
            file=self.file, mtime=self.mtime, unit=self.unit, identified_by=self.identified_by,
            this_bloc=self.this_bloc, generated_at=self.generated_at, scores=self.scores,
            score_cells=self.score_cells, data=self.data, cached_total=self.cached_total,
            issues=tuple(own), readable=self.readable, saved=self.saved, conflict=self.conflict,
        )  # fmt: skip


def read_return(source: Source, bloc: Bloc) -> ReturnData:
    """Everything about one file; never raises for bad data (problems become issues)."""
    out = _Reading(file=source.display, mtime=source.mtime)
    try:
        book = open_book(source)
        out.saved, out.book = book.saved, book
        _parse(book, bloc, out, source)
        out.issues[:0] = book.problems
    except Unreadable as exc:
        out.readable = False
        # Named after a unit (e.g. "VHTT.xlsx" with a password)? Then that unit has sent
        # something unusable: it shows as an error, not as missing. A readable return of the
        # unit is still preferred (collect chooses readable files first).
        out.unit = _named_by_file(source, bloc)
        out.issues.append(exc.issue)
    out.book = None  # the workbook stays in this worker; only what was read goes back
    return out.result()


def unreadable(source: Source, detail: str, bloc: Bloc | None = None) -> ReturnData:
    """A file whose read crashed the reader or took too long: on the unit its name names."""
    unit = _named_by_file(source, bloc) if bloc is not None else None
    issue = issues.make(Code.FILE_UNREADABLE, file=source.display, unit=unit, detail=detail)
    return ReturnData(file=source.display, mtime=source.mtime, unit=unit, readable=False, issues=(issue,))


def _named_by_file(source: Source, bloc: Bloc) -> str | None:
    unit = name_only(_stem(source), bloc)
    return unit.code if unit else None


def _stem(source: Source) -> str:
    return source.name.rsplit(".", 1)[0]


MAX_SHEETS_SEARCHED = 8  # other sheets looked through for a table copied under another name


def _sheet(book: Book, name: str, headers: list[str]) -> tuple[Grid, tuple[int, dict[str, int]]] | None:
    """The sheet called `name` (NFC, any case) holding the header; else another sheet holding it
    (a table copied into a new workbook), looking at no more than a few sheets."""
    wanted = fold(name)
    named = [n for n in book.names if fold(n) == wanted]
    others = [n for n in book.names if fold(n) != wanted and n != L.SHEET_META]
    others.sort(key=lambda n: n in book.hidden)  # visible sheets first
    for n in named + others[:MAX_SHEETS_SEARCHED]:
        grid = book.grid(n)
        found = grid.find_header(headers) or grid.find_header_loose(headers, fold)
        if found:
            return grid, found
    return None


def _meta(book: Book) -> Metadata | None:
    for n in book.names:
        if fold(n) == fold(L.SHEET_META):
            meta = read_metadata(book.grid(n))
            if meta.form == L.FORM_ID:
                return meta
    return None


def _parse(book: Book, bloc: Bloc, out: _Reading, source: Source) -> None:
    meta = _meta(book)
    scores = _sheet(book, L.SHEET_SCORES, L.SCORE_HEADERS)
    _identify(bloc, out, source, meta, scores)
    if not out.unit:
        return
    if scores is None:
        out.add(Code.SHEET_MISSING, sheet=L.SHEET_SCORES, headers=" | ".join(L.SCORE_HEADERS))
    else:
        _scores(scores[0], scores[1], bloc, out)
    data = _sheet(book, L.SHEET_DATA, L.DATA_HEADERS)
    if data is None:
        out.add(Code.SHEET_MISSING, sheet=L.SHEET_DATA, headers=" | ".join(L.DATA_HEADERS))
    else:
        _data(data[0], data[1], out)


def _identify(
    bloc: Bloc,
    out: _Reading,
    source: Source,
    meta: Metadata | None,
    scores: tuple[Grid, tuple[int, dict[str, int]]] | None,
) -> None:
    units = bloc.unit_by_upper_code
    grid, top = (scores[0], scores[1][0]) if scores else (None, 0)
    if meta is not None:
        K = L.MetaKey
        code = meta.get(K.UNIT_CODE)
        out.generated_at = meta.get(K.GENERATED_AT) or None
        unit = units.get(code.upper())
        if unit is None:
            out.unit = None
            out.add(Code.UNIT_UNKNOWN, code=code)
            return
        out.unit, out.identified_by = unit.code, Evidence.FORM
        sheet = meta.sheet
        if fold(meta.get(K.BLOC)) != fold(bloc.info.name):
            out.this_bloc = False
            out.add(Code.OTHER_BLOC, sheet=sheet, cell=meta.cell(K.BLOC), got=meta.get(K.BLOC), want=bloc.info.name)
        year = meta.get(K.YEAR)
        if year != str(bloc.info.year):
            out.this_bloc = False
            out.add(Code.OTHER_YEAR, sheet=sheet, cell=meta.cell(K.YEAR), got=year or "?", want=bloc.info.year)
        if out.this_bloc and meta.get(K.FINGERPRINT) != bloc.fingerprint:
            out.add(Code.FINGERPRINT_MISMATCH, sheet=sheet, cell=meta.cell(K.FINGERPRINT))
        _conflict(out, check_form(unit, grid, top, _stem(source), bloc))
        return
    if grid is None:
        # Neither the form nor its table: not a return, whatever its name says. Guessing a unit
        # from the name would let a stray report ("Báo cáo TP.xlsx") displace TP's real return.
        headers = " | ".join(L.SCORE_HEADERS)
        out.add(Code.UNIT_UNIDENTIFIED, detail=f" (không có trang '_thidua' của mẫu, cũng không có bảng {headers})")
        return
    found = identify_copy(grid, top, _stem(source), bloc)
    if found.unit is None or found.evidence is None:
        out.add(Code.UNIT_UNIDENTIFIED, detail=f" ({found.why_not})" if found.why_not else "")
        return
    out.unit, out.identified_by = found.unit.code, found.evidence
    out.add(Code.FORM_COPIED, how=found.evidence.words)
    _conflict(out, found)


def _conflict(out: _Reading, found: Identity) -> None:
    if found.conflict:
        out.conflict = tuple(dict.fromkeys(u.code for c in found.conflict for u in c.units))
        out.add(Code.UNIT_CONFLICT, claims=describe(found.conflict))


def _code(value: object) -> str:
    return clean(value).rstrip(".").replace(" ", "")


def _scores(grid: Grid, header: tuple[int, dict[str, int]], bloc: Bloc, out: _Reading) -> None:
    head, cols = header
    c_code, c_text, c_max, c_score = cols[L.S_CODE], cols[L.S_TEXT], cols[L.S_MAX], cols[L.S_SCORE]
    seen: dict[str, int] = {}  # code → row, for a duplicate's message and a missing row's place
    total_key = fold(L.TOTAL)
    sheet = grid.name
    maxima = bloc.max_as_float
    width = max(c_code, c_text, c_max, c_score) + 1
    for r in range(head + 1, grid.height):
        row = grid.rows[r]
        if len(row) < width:  # a ragged row (some readers trim them): pad once
            row = [*row, *([None] * (width - len(row)))]
        code = _code(row[c_code])
        if not code:
            label = fold(row[c_text])
            if label == total_key:
                cached = read_number(row[c_score])
                out.cached_total = cached.value if cached.kind is ValueKind.NUMBER else None
            elif row[c_score] not in (None, "") and label not in _TOTAL_KEYS and not label.startswith(_TOTAL_WORDS):
                _score_without_code(row[c_score], out, sheet, a1(r, c_score), a1(r, c_code))
            continue
        crit = bloc.by_code.get(code)
        if crit is None:
            if _CODE.match(code) and (clean(row[c_score]) or clean(row[c_max])):
                out.add(Code.CRITERION_EXTRA, sheet=sheet, cell=a1(r, c_code), code=code)
            continue
        if code in seen:
            out.add(Code.CRITERION_DUPLICATE, sheet=sheet, cell=a1(r, c_code), code=code, first=a1(seen[code], c_code))
            continue
        seen[code] = r
        raw_max = row[c_max]
        if raw_max != maxima[code]:  # the template's own value needs no parsing
            given_max = read_number(raw_max)
            if given_max.value is not None and given_max.value != crit.max:
                out.add(
                    Code.MAX_EDITED,
                    sheet=sheet,
                    cell=a1(r, c_max),
                    code=code,
                    got=vn_exact(given_max.value),
                    want=vn(crit.max),
                )
        if not crit.is_leaf:
            continue
        cell = a1(r, c_score)
        out.score_cells[code] = cell
        out.scores[code] = _score(row[c_score], crit, out, sheet, (r, c_score))
    missing = [c for c in bloc.leaves if c.code not in seen]
    for crit in missing:
        out.scores[crit.code] = None
        _criterion_missing(crit, bloc, seen, head, c_code, out, sheet)
    if out.cached_total is not None and not out.errors:
        total = bloc.totals(out.scores).total
        if total is not None and total != out.cached_total:
            why = ""
            if out.text_cells:
                why = (f" Khác nhau vì ô {', '.join(out.text_cells)} nhập dạng văn bản nên công thức của bảng "
                       "không cộng: hãy gõ lại các ô này bằng số để Tổng điểm trên bảng ký gửi khớp.")  # fmt: skip
            out.add(Code.TOTAL_MISMATCH, sheet=sheet, cached=vn_exact(out.cached_total), total=vn(total), why=why)


_TOTAL_KEYS = frozenset(fold(label) for label in L.TOTAL_LABELS)  # the template's rows below the table
_TOTAL_WORDS = ("tong", "cong")  # "Tổng cộng", "Cộng": a copied table's own total row


def _criterion_missing(
    crit: Criterion, bloc: Bloc, seen: dict[str, int], head: int, c_code: int, out: _Reading, sheet: str
) -> None:
    """The whole criterion, and where its row belongs: below the criterion before it."""
    before = None
    for c in bloc.criteria:
        if c.code == crit.code:
            break
        if c.code in seen:
            before = c.code
    if before is None:
        place, cell = f"ngay dưới dòng tiêu đề của bảng (dòng {head + 1})", a1(head + 1, c_code)
    else:
        row = seen[before]
        place, cell = f"ngay dưới dòng tiêu chí {before} (dòng {row + 1})", a1(row + 1, c_code)
    out.add(Code.CRITERION_MISSING, sheet=sheet, cell=cell, code=crit.code, text=crit.text, max=vn(crit.max),
            where=place)  # fmt: skip


def _score_without_code(raw: object, out: _Reading, sheet: str, cell: str, code_cell: str) -> None:
    parsed = read_number(raw)
    if parsed.kind in (ValueKind.NUMBER, ValueKind.TEXT_NUMBER) and parsed.value is not None:
        shown = vn_exact(parsed.value) if parsed.kind is ValueKind.NUMBER else f'"{clean(raw)}"'
        out.add(Code.SCORE_WITHOUT_CODE, sheet=sheet, cell=cell, value=shown, code_cell=code_cell)


def _score(raw: object, crit: Criterion, out: _Reading, sheet: str, at: tuple[int, int]) -> Decimal | None:
    maximum = crit.max
    parsed = read_number(raw, low=ZERO, high=maximum)
    value = parsed.value
    if parsed.kind is ValueKind.NUMBER and value is not None and 0 <= value <= maximum:
        return value  # the common case, with no message to format
    cell = a1(*at)
    where = {"sheet": sheet, "cell": cell, "code": crit.code, "max": vn(maximum)}
    todo = f"Nhập điểm bằng số từ 0 đến {vn(maximum)}."
    if parsed.kind is ValueKind.EMPTY:
        hidden = out.hidden(sheet, *at)
        if hidden is None:
            out.add(Code.SCORE_MISSING, **where)
        else:
            out.add(Code.SCORE_NOT_NUMBER, holds=_hidden_holds(hidden), todo=_hidden_todo(hidden, todo), **where)
        return None
    if parsed.kind is ValueKind.AMBIGUOUS:
        out.add(Code.NUMBER_AMBIGUOUS, sheet=sheet, cell=cell, **_ambiguous(f"Điểm tiêu chí {crit.code}", raw, parsed))
        return None
    if value is None:
        holds, fix = _holds(raw)
        out.add(Code.SCORE_NOT_NUMBER, holds=holds, todo=(fix + " " + todo).strip(), **where)
        return None
    text = parsed.kind is ValueKind.TEXT_NUMBER
    shown = f'"{clean(raw)}"' if text else vn_exact(value)
    if value < 0:
        out.add(Code.SCORE_NEGATIVE, value=shown, **where)
        return None
    if value > maximum:
        out.add(Code.SCORE_ABOVE_MAX, value=shown, hint="" if text else _date_hint(value), **where)
        return None
    if text:
        out.text_cells.append(cell)
        out.add(Code.SCORE_TEXT_NUMBER, sheet=sheet, cell=cell, code=crit.code, value=clean(raw),
                parsed=vn_exact(value))  # fmt: skip
    return value


def _ambiguous(what: str, raw: object, parsed: ParsedNumber) -> dict[str, str]:
    readings = sorted(parsed.readings)
    return {
        "what": what,
        "value": clean(raw),
        "readings": " hoặc ".join(plain(v).replace(".", ",") for v in readings),
        "example": " hoặc ".join(plain(v).replace(".", ",") for v in reversed(readings)),
    }


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_SERIALS = (36_526, 73_051)  # 1/1/2000 to 31/12/2099 as Excel date serial numbers


def _date_hint(value: Decimal) -> str:
    """A whole number in the range of recent dates, far above a score: a typed '9/5' that
    Excel turned into a date and shows as a number."""
    if value != value.to_integral_value() or not _DATE_SERIALS[0] <= value <= _DATE_SERIALS[1]:
        return ""
    day = _EXCEL_EPOCH + dt.timedelta(days=int(value))
    return (f" Số này là ngày {day:%d/%m/%Y} theo cách Excel lưu ngày: có thể Excel đã đổi số gõ vào "
            "(như 9/5 hay 9-5) thành ngày; định dạng ô là Số rồi gõ lại điểm, dùng dấu phẩy thập phân.")  # fmt: skip


def _holds(raw: object) -> tuple[str, str]:
    """(what a cell that is not a number holds, what to do about it), in words."""
    if isinstance(raw, dt.datetime) and (raw.hour, raw.minute, raw.second) == (0, 0, 0):
        raw = raw.date()
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return (f"là ngày {raw:%d/%m/%Y} (Excel tự đổi số gõ vào như 9/5 thành ngày)",
                "Định dạng ô là Số (Number) rồi gõ lại.")  # fmt: skip
    if isinstance(raw, dt.datetime):
        return f"là ngày giờ {raw:%d/%m/%Y %H:%M}", "Định dạng ô là Số (Number) rồi gõ lại."
    if isinstance(raw, dt.time | dt.timedelta):
        return f"là giờ {raw}", "Định dạng ô là Số (Number) rồi gõ lại."
    if isinstance(raw, bool):
        return f"là giá trị đúng/sai ({'TRUE' if raw else 'FALSE'})", ""
    text = clean(raw)
    shown = text if len(text) <= 60 else text[:60] + "…"
    return f'là chữ "{shown}"', ""


def _hidden_holds(hidden: Hidden) -> str:
    from thidua_xlsx.intake.hidden import HiddenKind

    if hidden.kind is HiddenKind.ERROR:
        return f"là giá trị lỗi {hidden.text} của Excel (công thức trong ô bị lỗi)"
    formula = hidden.text if len(hidden.text) <= 60 else hidden.text[:60] + "…"
    return f"là công thức {formula} được lưu mà chưa có kết quả" if formula else "là công thức chưa có kết quả"


def _hidden_todo(hidden: Hidden, todo: str) -> str:
    from thidua_xlsx.intake.hidden import HiddenKind

    if hidden.kind is HiddenKind.ERROR:
        return "Xóa công thức gây lỗi; " + todo[0].lower() + todo[1:]
    return todo.rstrip(".") + ", hoặc mở tệp bằng Excel hay LibreOffice rồi lưu lại để công thức có kết quả."


def _data(grid: Grid, header: tuple[int, dict[str, int]], out: _Reading) -> None:
    head, cols = header
    c_code, c_value = cols[L.D_CODE], cols[L.D_VALUE]
    rows: dict[str, int] = {}
    for r in range(head + 1, grid.height):
        code = fold_compact(grid.value(r, c_code)).upper()
        if code and code not in rows:
            rows[code] = r
    sheet = grid.name
    for code in L.COUNT_CODES:
        out.data[code] = None
        if code not in rows:
            out.add(Code.DATA_MISSING, sheet=sheet, code=code, text=code.text)
            continue
        r = rows[code]
        out.data[code] = _count(grid.value(r, c_value), code, out, sheet, (r, c_value))
    for code in L.RATING_CODES:
        out.data[code] = None
        if code not in rows:
            out.add(Code.DATA_MISSING, sheet=sheet, code=code, text=code.text)
            continue
        r = rows[code]
        cell = a1(r, c_value)
        raw = grid.value(r, c_value)
        if not clean(raw):
            out.add(Code.DATA_MISSING, sheet=sheet, cell=cell, code=code, text=code.text)
            continue
        rating = parse_rating(raw)
        if rating is None:
            out.add(Code.RATING_INVALID, sheet=sheet, cell=cell, code=code, value=clean(raw)[:60],
                    choices="; ".join(RATING_CHOICES))  # fmt: skip
            continue
        out.data[code] = rating
    _consistency(out, sheet, {code: a1(r, c_value) for code, r in rows.items()})


_LOWS = (Decimal(0), Decimal(1))
_MOST = Decimal(MAX_HEAD_COUNT)


def _count(raw: object, code: DataCode, out: _Reading, sheet: str, at: tuple[int, int]) -> Decimal | None:
    """A head count: a whole number from 0 (TS: 1) to MAX_HEAD_COUNT; its dot groups thousands."""
    low = 1 if code is DataCode.TS else 0
    parsed = read_number(raw, low=_LOWS[low], high=_MOST, whole=True)
    value = parsed.value
    if parsed.kind is ValueKind.NUMBER and value is not None and low <= value <= MAX_HEAD_COUNT and value % 1 == 0:
        return value  # the common case, with no message to format
    cell = a1(*at)
    rule = f"cần một số nguyên từ {low} đến {vn(MAX_HEAD_COUNT)}, gõ bằng số"
    if parsed.kind is ValueKind.EMPTY:
        hidden = out.hidden(sheet, *at)
        if hidden is None:
            out.add(Code.DATA_MISSING, sheet=sheet, cell=cell, code=code, text=code.text)
        else:
            out.add(Code.DATA_INVALID, sheet=sheet, cell=cell, code=code, holds=_hidden_holds(hidden), rule=rule)
        return None
    if parsed.kind is ValueKind.AMBIGUOUS:
        out.add(Code.NUMBER_AMBIGUOUS, sheet=sheet, cell=cell, **_ambiguous(f"Số liệu {code}", raw, parsed))
        return None
    if value is None:
        out.add(Code.DATA_INVALID, sheet=sheet, cell=cell, code=code, holds=_holds(raw)[0], rule=rule)
        return None
    if value != value.to_integral_value() or not low <= value <= MAX_HEAD_COUNT:
        shown = f'"{clean(raw)[:60]}"' if parsed.kind is ValueKind.TEXT_NUMBER else vn_exact(value)
        out.add(Code.DATA_INVALID, sheet=sheet, cell=cell, code=code, holds=f"là {shown}", rule=rule)
        return None
    if parsed.kind is ValueKind.TEXT_NUMBER:
        out.add(Code.DATA_TEXT_NUMBER, sheet=sheet, cell=cell, code=code, value=clean(raw), parsed=vn_exact(value))
    return value + 0


def _consistency(out: _Reading, sheet: str, cells: dict[str, str]) -> None:
    d = out.data
    checks = [
        (DataCode.LDTT, DataCode.TS, "Số LĐTT ({a}) lớn hơn tổng số người ({b}). Sửa lại LDTT hoặc TS."),
        (
            DataCode.CSTD,
            DataCode.LDTT,
            "Số CSTĐ ({a}) lớn hơn số LĐTT ({b}): người đạt CSTĐ phải đạt LĐTT. Sửa lại CSTD.",
        ),
        (DataCode.KHTNV, DataCode.TS, "Số không hoàn thành nhiệm vụ ({a}) lớn hơn tổng số người ({b})."),
        (DataCode.KL, DataCode.TS, "Số bị kỷ luật từ cảnh cáo trở lên ({a}) lớn hơn tổng số người ({b})."),
    ]
    for small, big, text in checks:
        a, b = d.get(small), d.get(big)
        if isinstance(a, Decimal) and isinstance(b, Decimal) and a > b:
            out.add(Code.DATA_INCONSISTENT, sheet=sheet, cell=cells.get(small), detail=text.format(a=vn(a), b=vn(b)))
