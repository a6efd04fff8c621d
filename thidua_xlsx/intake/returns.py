"""Read one returned workbook into scores, data and issues: rows by code, never by position."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from thidua_xlsx.core import issues
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import Grid, a1
from thidua_xlsx.core.issues import Code, Issue, Severity
from thidua_xlsx.core.labels import DataCode
from thidua_xlsx.core.model import Bloc, Unit
from thidua_xlsx.core.numbers import ValueKind, parse_number, vn
from thidua_xlsx.core.ratings import RATING_LABELS, Rating, parse_rating
from thidua_xlsx.core.text import clean, fold, fold_compact
from thidua_xlsx.intake.inbox import Source
from thidua_xlsx.intake.meta import Metadata, read_metadata
from thidua_xlsx.intake.reader import Book, Unreadable, open_book

_CODE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")


class Evidence(enum.Enum):
    """How a return was matched to its unit, strongest first."""

    FORM = "form"  # the template's own '_thidua' sheet
    NAME = "name"  # the unit's name in the table's heading
    SHEET_CODE = "sheet-code"  # a "Mã đơn vị" cell in the heading
    SHEET_NAME = "sheet-name"  # the sheet's tab name
    FILE = "file"  # the unit's name in the file name
    CODE = "code"  # the unit's code in the file name

    @property
    def words(self) -> str:
        return _EVIDENCE_WORDS[self]


_EVIDENCE_WORDS = {
    Evidence.FORM: "mẫu của khối",
    Evidence.NAME: "tên đơn vị trong bảng",
    Evidence.SHEET_CODE: "mã đơn vị trong bảng",
    Evidence.SHEET_NAME: "tên trang tính",
    Evidence.FILE: "tên đơn vị trong tên tệp",
    Evidence.CODE: "mã đơn vị trong tên tệp",
}


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

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)


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

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    def add(self, kind_code: Code, /, *, sheet: str | None = None, cell: str | None = None, **params: object) -> None:
        issue = issues.make(kind_code, file=self.file, unit=self.unit, sheet=sheet, cell=cell, **params)
        self.issues.append(issue)

    def result(self) -> ReturnData:
        own = [i if i.unit == self.unit else replace(i, unit=self.unit) for i in self.issues]
        return ReturnData(
            file=self.file, mtime=self.mtime, unit=self.unit, identified_by=self.identified_by,
            this_bloc=self.this_bloc, generated_at=self.generated_at, scores=self.scores,
            score_cells=self.score_cells, data=self.data, cached_total=self.cached_total,
            issues=tuple(own), readable=self.readable,
        )  # fmt: skip


def read_return(source: Source, bloc: Bloc) -> ReturnData:
    """Everything about one file; never raises for bad data (problems become issues)."""
    out = _Reading(file=source.display, mtime=source.mtime)
    try:
        book = open_book(source)
        _parse(book, bloc, out, source)
        out.issues[:0] = book.problems
    except Unreadable as exc:
        out.readable = False
        # Named after a unit (e.g. "VHTT.xlsx" with a password)? Then that unit has sent
        # something unusable: it shows as an error, not as missing. A readable return of the
        # unit is still preferred (collect chooses readable files first).
        named, _ = _guess_unit(bloc.units, None, source)
        out.unit = named.code if named else None
        out.issues.append(exc.issue)
    return out.result()


def unreadable(source: Source, detail: str) -> ReturnData:
    """A file whose read crashed the reader or took too long."""
    issue = issues.make(Code.FILE_UNREADABLE, file=source.display, detail=detail)
    return ReturnData(file=source.display, mtime=source.mtime, readable=False, issues=(issue,))


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
    _identify(bloc, out, source, meta, scores[0] if scores else None)
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


def _identify(bloc: Bloc, out: _Reading, source: Source, meta: Metadata | None, grid: Grid | None) -> None:
    units = bloc.unit_by_upper_code
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
        return
    if grid is None:
        # Neither the form nor its table: not a return, whatever its name says. Guessing a unit
        # from the name would let a stray report ("Báo cáo TP.xlsx") displace TP's real return.
        headers = " | ".join(L.SCORE_HEADERS)
        out.add(Code.UNIT_UNIDENTIFIED, detail=f" (không có trang '_thidua' của mẫu, cũng không có bảng {headers})")
        return
    guess = _guess_unit(bloc.units, grid, source)
    if guess[0] is None:
        out.add(Code.UNIT_UNIDENTIFIED, detail=f" ({guess[1]})" if guess[1] else "")
        return
    unit, how = guess
    out.unit, out.identified_by = unit.code, how
    out.add(Code.FORM_COPIED, how=how.words)


def _words(value: object) -> str:
    """Loose text for matching names: folded (case, diacritics, tone placement, NFC, dashes),
    punctuation as spaces, padded so that a match is always of whole words."""
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", fold(value)).split()) + " "


def _guess_unit(units: tuple[Unit, ...], grid: Grid | None, source: Source) -> tuple[Unit, Evidence] | tuple[None, str]:
    """The unit of a return without its form: (unit, how) or (None, why not).

    Looked for, in order: a cell labelled "Đơn vị" / "Mã đơn vị" above the table, any text
    above the table, the sheet name, then the file name (the unit's name, then its code).
    """
    names = {u.code: _words(u.name) for u in units if _words(u.name).strip()}
    ambiguous = False
    if grid is not None:
        header = grid.find_header(L.SCORE_HEADERS) or grid.find_header_loose(L.SCORE_HEADERS, fold)
        top = min(header[0] if header else 15, 40, grid.height)
        cells = [_words(grid.value(r, c)) for r in range(top) for c in range(min(12, len(grid.rows[r])))]
        cells = [c for c in cells if c.strip()]
        labelled = [c for c in cells if c.startswith((" don vi ", " ten don vi ", " co quan "))]
        coded = [c for c in cells if c.startswith(" ma don vi ")]
        for texts in (labelled, cells):
            best = _longest([u for u in units if u.code in names and any(names[u.code] in t for t in texts)])
            if best is not None:
                return best, Evidence.NAME
            ambiguous |= best is None and any(names[u.code] in t for u in units if u.code in names for t in texts)
        codes = {w.upper() for c in coded for w in c.split()[3:]}
        hits = [u for u in units if u.code.upper() in codes]
        if len(hits) == 1:
            return hits[0], Evidence.SHEET_CODE
        sheet_name = _words(grid.name)
        best = _longest([u for u in units if u.code in names and names[u.code] in sheet_name])
        if best is not None:
            return best, Evidence.SHEET_NAME
    stem = source.name.rsplit(".", 1)[0]
    in_name = _words(stem)
    best = _longest([u for u in units if u.code in names and names[u.code] in in_name])
    if best is not None:
        return best, Evidence.FILE
    tokens = set(in_name.split())
    hits = [u for u in units if fold_compact(u.code) in tokens]
    if len(hits) == 1:
        return hits[0], Evidence.CODE
    compact = fold_compact(stem)
    if not hits:
        hits = [u for u in units if len(u.code) >= 3 and compact.startswith(fold_compact(u.code))]
        if len(hits) == 1:
            return hits[0], Evidence.CODE
    if hits or ambiguous:
        return None, "tên hoặc mã khớp với nhiều đơn vị"
    return None, "không thấy tên hoặc mã đơn vị trong bảng và trong tên tệp"


def _longest(hits: list[Unit]) -> Unit | None:
    """The one unit named, when a name found inside a longer one ("Phòng Y tế" within
    "Phòng Y tế dự phòng") is dropped; None if none, or if two different units are named."""
    if not hits:
        return None
    keys = {u.code: _words(u.name) for u in hits}
    kept = [u for u in hits if not any(keys[u.code] != keys[v.code] and keys[u.code] in keys[v.code] for v in hits)]
    distinct = {keys[u.code] for u in kept}
    if len(distinct) != 1 or len(kept) != 1:
        return None
    return kept[0]


def _code(value: object) -> str:
    return clean(value).rstrip(".").replace(" ", "")


def _scores(grid: Grid, header: tuple[int, dict[str, int]], bloc: Bloc, out: _Reading) -> None:
    head, cols = header
    c_code, c_text, c_max, c_score = cols[L.S_CODE], cols[L.S_TEXT], cols[L.S_MAX], cols[L.S_SCORE]
    seen: dict[str, int] = {}  # code → row, for a duplicate's message
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
            if fold(row[c_text]) == total_key:
                cached = parse_number(row[c_score])
                out.cached_total = cached.value if cached.kind is ValueKind.NUMBER else None
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
            given_max = parse_number(raw_max)
            if given_max.value is not None and given_max.value != crit.max:
                out.add(
                    Code.MAX_EDITED,
                    sheet=sheet,
                    cell=a1(r, c_max),
                    code=code,
                    got=vn(given_max.value),
                    want=vn(crit.max),
                )
        if not crit.is_leaf:
            continue
        cell = a1(r, c_score)
        out.score_cells[code] = cell
        out.scores[code] = _score(row[c_score], crit.code, crit.max, out, sheet, cell)
    for crit in bloc.leaves:
        if crit.code not in seen:
            out.scores[crit.code] = None
            out.add(Code.CRITERION_MISSING, sheet=sheet, code=crit.code, text=crit.text[:80])
    if out.cached_total is not None and not out.errors:
        total = bloc.totals(out.scores).total
        if total is not None and total != out.cached_total:
            out.add(Code.TOTAL_MISMATCH, sheet=sheet, cached=vn(out.cached_total), total=vn(total))


def _score(raw: object, code: str, maximum: Decimal, out: _Reading, sheet: str, cell: str) -> Decimal | None:
    parsed = parse_number(raw)
    if parsed.kind is ValueKind.NUMBER and parsed.value is not None and 0 <= parsed.value <= maximum:
        return parsed.value  # the common case, with no message to format
    where = {"sheet": sheet, "cell": cell, "code": code, "max": vn(maximum)}
    if parsed.kind is ValueKind.EMPTY:
        out.add(Code.SCORE_MISSING, **where)
        return None
    if parsed.value is None:
        out.add(Code.SCORE_NOT_NUMBER, value=clean(raw)[:60], **where)
        return None
    if parsed.kind is ValueKind.TEXT_NUMBER:
        out.add(Code.SCORE_TEXT_NUMBER, sheet=sheet, cell=cell, code=code, value=clean(raw), parsed=vn(parsed.value))
    if parsed.value < 0:
        out.add(Code.SCORE_NEGATIVE, value=vn(parsed.value), **where)
        return None
    if parsed.value > maximum:
        out.add(Code.SCORE_ABOVE_MAX, value=vn(parsed.value), **where)
        return None
    return parsed.value


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
        cell = a1(r, c_value)
        raw = grid.value(r, c_value)
        parsed = parse_number(raw)
        if parsed.kind is ValueKind.EMPTY:
            out.add(Code.DATA_MISSING, sheet=sheet, cell=cell, code=code, text=code.text)
            continue
        low = 1 if code is DataCode.TS else 0
        value = parsed.value
        if value is None or value != value.to_integral_value() or value < low:
            rule = f"phải là số nguyên từ {low} trở lên"
            out.add(Code.DATA_INVALID, sheet=sheet, cell=cell, code=code, value=clean(raw)[:60], rule=rule)
            continue
        if parsed.kind is ValueKind.TEXT_NUMBER:
            out.add(Code.DATA_TEXT_NUMBER, sheet=sheet, cell=cell, code=code, value=clean(raw), parsed=vn(value))
        out.data[code] = value
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
            out.add(
                Code.RATING_INVALID,
                sheet=sheet,
                cell=cell,
                code=code,
                value=clean(raw)[:60],
                choices="; ".join(RATING_LABELS),
            )
            continue
        out.data[code] = rating
    _consistency(out, sheet, {code: a1(r, c_value) for code, r in rows.items()})


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
