"""Load and check the bloc workbook (khoi.xlsx): every problem at once, with its cell."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from thidua_xlsx.bloc.criteria import read_criteria
from thidua_xlsx.bloc.history import read_history
from thidua_xlsx.bloc.table import BlocTable
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import BlocError, Problem
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import (
    AwardRule,
    Bloc,
    BlocInfo,
    Criterion,
    Kind,
    PastResult,
    Threshold,
    TitleRule,
    Unit,
)  # fmt: skip
from thidua_xlsx.core.numbers import ValueKind, parse_number, vn
from thidua_xlsx.core.ratings import RATING_LABELS, parse_rating
from thidua_xlsx.core.text import clean, fold
from thidua_xlsx.intake.pool import Failed, Failure, isolated
from thidua_xlsx.intake.sheets import open_workbook, read_grid

_UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
_THRESHOLD = re.compile(r"^(>=|≥|>|<=|≤|<)?\s*(.+)$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# Typing "90%" in Excel stores 0.9: a share below 1 % is that slip, never a real target.
_FRACTION = ("'{label}' là {value}: ô này nhập số phần trăm (ví dụ 90 cho 90 %); nếu ô đang định "
             "dạng phần trăm, hãy đổi sang định dạng số rồi nhập lại.")  # fmt: skip


def load_bloc(path: Path | str) -> Bloc:
    """Read khoi.xlsx into a Bloc; raise BlocError listing every problem found.

    The workbook is read in a supervised worker process, so even a hostile file gives a
    message, not a crash.
    """
    path = Path(path)
    if not path.is_file():
        raise BlocError(f"Không tìm thấy tệp khối thi đua: {path}")
    result = isolated(_load_or_error, path, fail=_crashed)
    if isinstance(result, BlocError):
        raise result
    return result


def _crashed(path: Path, why: Failed) -> BlocError:
    detail = "đọc quá lâu" if why.kind is Failure.TIMEOUT else why.detail or "trình đọc dừng bất thường"
    return BlocError(f"Không đọc được tệp khối thi đua {path}: tệp hỏng hoặc quá lớn ({detail}).")


def _load_or_error(path: Path) -> Bloc | BlocError:
    try:
        return read_bloc(path)
    except BlocError as exc:
        return exc


def read_bloc(path: Path) -> Bloc:
    """load_bloc in this process (the worker's half)."""
    try:
        book = open_workbook(path)
        names = {clean(n): n for n in book.sheet_names}  # a stray space in a tab name is forgiven
        grids = {n: read_grid(book, names[n]) for n in (*L.BLOC_SHEETS, L.SHEET_HISTORY) if n in names}
    except Exception as exc:  # calamine raises many kinds of errors for broken files
        raise BlocError(f"Không đọc được tệp khối thi đua {path}: {str(exc)[:200]}") from None
    problems: list[Problem] = [
        Problem(n, None, "thiếu trang tính này trong tệp khối thi đua.") for n in L.BLOC_SHEETS if n not in grids
    ]
    empty = Grid(name="", rows=[])
    units = _units(grids.get(L.SHEET_UNITS, empty), problems) if L.SHEET_UNITS in grids else ()
    criteria, complete = read_criteria(grids[L.SHEET_CRITERIA], problems) if L.SHEET_CRITERIA in grids else ((), False)
    titles = _titles(grids[L.SHEET_TITLES], problems) if L.SHEET_TITLES in grids else None
    info = _info(grids[L.SHEET_INFO], problems, units, criteria if complete else ()) if L.SHEET_INFO in grids else None
    awards = _awards(grids[L.SHEET_AWARDS], problems, titles) if L.SHEET_AWARDS in grids else ()
    history: tuple[PastResult, ...] = ()
    if L.SHEET_HISTORY in grids:
        year = info.year if info is not None else None
        # units are checked only against a sound 'Đơn vị' sheet: a unit dropped there is one problem
        known = units if not any(p.sheet == L.SHEET_UNITS for p in problems) else None
        history = read_history(grids[L.SHEET_HISTORY], problems, known, titles, year)
    titles = titles or ()
    if problems or info is None:
        raise BlocError(f"Tệp khối thi đua {path} có {len(problems)} lỗi cần sửa.", problems)
    return Bloc(info=info, units=units, criteria=criteria, titles=titles, awards=awards, history=history, source=path)


def _units(grid: Grid, problems: list[Problem]) -> tuple[Unit, ...]:
    s = BlocTable(grid, L.UNIT_HEADERS, problems)
    out: list[Unit] = []
    seen: dict[str, str] = {}
    names: dict[str, str] = {}
    for r in s.rows():
        code, name = s.text(r, L.UNIT_CODE), s.text(r, L.UNIT_NAME)
        note = s.text(r, L.UNIT_NOTE)
        cell = s.cell(r, L.UNIT_CODE)
        if not code:
            s.add(cell, f'đơn vị "{name}" chưa có mã đơn vị.')
            continue
        if not _UNIT_CODE.match(code):
            s.add(cell, f"mã đơn vị \"{code}\" không hợp lệ: dùng chữ cái không dấu, chữ số, "
                  "dấu gạch; tối đa 20 ký tự.")  # fmt: skip
            continue
        if code.upper() in seen:
            s.add(cell, f'mã đơn vị "{code}" bị trùng (đã có ở ô {seen[code.upper()]}).')
            continue
        seen[code.upper()] = cell
        if not name:
            s.add(s.cell(r, L.UNIT_NAME), f'đơn vị "{code}" chưa có tên.')
            continue
        key = name.lower()  # diacritics kept: "Phòng An" and "Phòng Ân" are two units
        if key in names:  # a copied form is recognised by its unit's name
            s.add(s.cell(r, L.UNIT_NAME), f'tên đơn vị "{name}" bị trùng (đã có ở ô {names[key]}).')
            continue
        names[key] = s.cell(r, L.UNIT_NAME)
        out.append(Unit(code=code, name=name, note=note))
    if s.head is not None and not out and not any(p.sheet == grid.name for p in problems):
        s.add(None, "chưa có đơn vị nào trong khối.")
    return tuple(out)


class _NotADate(ValueError):
    pass


def _date(raw: object) -> dt.date | None:
    """A date cell, or text dd/mm/yyyy; None when blank; _NotADate otherwise."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = clean(raw)
    if not text:
        return None
    m = _DATE.match(text)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise _NotADate(text)


class _Settings:
    """The 'Thông tin khối' sheet: one setting a row, found by its label, read with problems noted."""

    def __init__(self, grid: Grid, problems: list[Problem]) -> None:
        self.s = s = BlocTable(grid, L.INFO_HEADERS, problems)
        self.found: dict[str, int] = {}
        keys = {fold(k): k for k in L.INFO_KEYS}
        for r in s.rows():
            key = keys.get(fold(s.text(r, L.INFO_ITEM)))
            if key and key in self.found:  # which of two values is meant cannot be guessed
                first = s.cell(self.found[key], L.INFO_ITEM)
                s.add(s.cell(r, L.INFO_ITEM), f"mục '{key}' bị lặp (đã có ở ô {first}); xóa một dòng.")
            elif key:
                self.found[key] = r

    def value(self, key: str) -> object:
        return self.s.raw(self.found[key], L.INFO_VALUE) if key in self.found else None

    def where(self, key: str) -> str | None:
        return self.s.cell(self.found[key], L.INFO_VALUE) if key in self.found else None

    def add(self, key: str, message: str) -> None:
        self.s.add(self.where(key), message)

    def absent(self, key: str) -> str:
        if key in self.found:
            return f"chưa nhập '{key}'"
        return f"thiếu dòng '{key}' ở cột '{L.INFO_ITEM}'"

    def text(self, key: str, *, required: bool = False) -> str:
        text = clean(self.value(key))
        if required and not text:
            self.add(key, f"{self.absent(key)}.")
        return text

    def number(
        self, key: str, default: Decimal | None = None, *, required: bool = False, low: int = 0, high: int | None = None
    ) -> Decimal | None:
        raw = self.value(key)
        parsed = parse_number(raw)
        if parsed.kind is ValueKind.EMPTY:
            if required:
                self.add(key, f"{self.absent(key)}; cần một số.")
            return default
        if parsed.value is None:
            self.add(key, f"'{key}' phải là một số, không phải \"{clean(raw)}\".")
            return default
        if parsed.value < low or (high is not None and parsed.value > high):
            self.add(key, f"'{key}' phải nằm trong khoảng {low} đến {high}.")
        elif high == 100 and 0 < parsed.value < 1:
            self.add(key, _FRACTION.format(label=key, value=vn(parsed.value)))
        return parsed.value

    def share(self, key: str, default: Decimal) -> Decimal:
        """A percentage with a default for blank or unreadable cells."""
        value = self.number(key, default, high=100)
        return default if value is None else value

    def year(self) -> int:
        value = self.number(L.I_YEAR, required=True, low=1900, high=2200)
        if value is None:
            return 0
        if value != value.to_integral_value():
            self.add(L.I_YEAR, "'Năm' phải là số nguyên, ví dụ 2024.")
        return int(value)

    def unit(self, key: str, units: tuple[Unit, ...]) -> str:
        """A setting naming a unit by its code (leader, deputy): the code as the 'Đơn vị' sheet writes it."""
        code = clean(self.value(key))
        codes = {u.code.upper(): u.code for u in units}
        if code and units:
            if code.upper() not in codes:
                self.add(key, f"{key.lower()} \"{code}\" không phải mã của đơn vị nào trong trang 'Đơn vị'.")
            else:
                code = codes[code.upper()]
        return code

    def deputy(self, units: tuple[Unit, ...], leader: str) -> str:
        code = self.unit(L.I_DEPUTY, units)
        if code and code == leader:
            self.add(L.I_DEPUTY, f'khối phó "{code}" trùng khối trưởng: chọn một đơn vị khác hoặc để trống.')
        return code

    def deadline(self) -> dt.date | None:
        try:
            return _date(self.value(L.I_DEADLINE))
        except _NotADate:
            self.add(L.I_DEADLINE, "'Hạn nộp' phải là ngày, ví dụ 30/12/2024.")
            return None

    def base_total(self, criteria: tuple[Criterion, ...]) -> Decimal:
        base_total = self.number(L.I_BASE_TOTAL, required=True)
        base_sum = sum((c.max for c in criteria if c.is_leaf and c.kind is Kind.BASE), Decimal(0))
        if base_total is not None and criteria and base_sum != base_total:
            self.add(L.I_BASE_TOTAL, f"'Tổng điểm chuẩn' là {vn(base_total)} nhưng điểm tối đa của các tiêu chí "
                     f"loại 'điểm' cộng lại bằng {vn(base_sum)}.")  # fmt: skip
        return base_total if base_total is not None else base_sum


def _info(
    grid: Grid, problems: list[Problem], units: tuple[Unit, ...], criteria: tuple[Criterion, ...]
) -> BlocInfo | None:
    """The bloc's settings; None when the sheet has no header. Maxima are checked only when
    every criterion's maximum is known (`criteria` empty otherwise)."""
    s = _Settings(grid, problems)
    if s.s.head is None:
        return None
    leader = s.unit(L.I_LEADER, units)
    return BlocInfo(
        name=s.text(L.I_NAME, required=True),
        year=s.year(),
        governing_body=s.text(L.I_GOVERNING),
        leader=leader,
        deputy=s.deputy(units, leader),
        place=s.text(L.I_PLACE),
        deadline=s.deadline(),
        base_total=s.base_total(criteria),
        ldtt_min=s.number(L.I_LDTT_MIN, high=100),
        cstd_target=s.number(L.I_CSTD_TARGET, high=100),
        signer=s.text(L.I_SIGNER),
        signer_title=s.text(L.I_SIGNER_TITLE),
        vote_share_min=s.share(L.I_VOTE_SHARE, Decimal(50)),
        template_password=s.text(L.I_PASSWORD),
    )


def _threshold(s: BlocTable, r: int, label: str, *, percent: bool, lower_bound: bool) -> Threshold | None:
    raw = s.raw(r, label)
    text = clean(raw)
    if not text:
        return None
    m = _THRESHOLD.match(text)
    op, rest = (m.group(1) or "", m.group(2)) if m else ("", text)
    value = parse_number(raw if not op else rest.rstrip("%").strip()).value
    if value is None and not op:
        value = parse_number(rest.rstrip("%").strip()).value
    if percent and value is not None and 0 < value < 1:
        s.add(s.cell(r, label), _FRACTION.format(label=label, value=vn(value)))
        return None
    if value is None or value < 0 or (percent and value > 100):
        span = "từ 0 đến 100" if percent else "từ 0 trở lên"
        s.add(s.cell(r, label), f"'{label}' phải là một số {span} (có thể viết \">50\" cho 'trên "
              f"50'), không phải \"{text}\".")  # fmt: skip
        return None
    if op in (">", "<") and ((op == ">") != lower_bound):
        s.add(s.cell(r, label), f"'{label}': dấu \"{op}\" ngược chiều với điều kiện này.")
        return None
    if not percent and value != value.to_integral_value():
        s.add(s.cell(r, label), f"'{label}' phải là số nguyên.")
        return None
    return Threshold(value=value, strict=op in (">", "<"))


def _titles(grid: Grid, problems: list[Problem]) -> tuple[TitleRule, ...] | None:
    """The title rules; None when the sheet has no header (its titles are unknown)."""
    s = BlocTable(grid, L.TITLE_HEADERS, problems)
    if s.head is None:
        return None
    s.optional([L.T_BASIS])
    out: list[TitleRule] = []
    requires: dict[str, tuple[str, str]] = {}  # title → (required title as typed, its cell)
    seen: set[str] = set()
    for r in s.rows():
        name = s.text(r, L.T_NAME)
        if not name:
            s.add(s.cell(r, L.T_NAME), "dòng điều kiện chưa có tên danh hiệu.")
            continue
        if fold(name) in seen:
            s.add(s.cell(r, L.T_NAME), f'danh hiệu "{name}" bị trùng.')
            continue
        seen.add(fold(name))
        rating_text = s.text(r, L.T_RATING)
        rating = parse_rating(rating_text) if rating_text else None
        if rating_text and rating is None:
            s.add(s.cell(r, L.T_RATING), f"xếp loại \"{rating_text}\" không hợp lệ: dùng một trong "
                  + "; ".join(RATING_LABELS) + " (hoặc HTXSNV, HTTNV, HTNV, KHTNV).")  # fmt: skip
        if s.text(r, L.T_REQUIRES):
            requires[name] = (s.text(r, L.T_REQUIRES), s.cell(r, L.T_REQUIRES))
        out.append(
            TitleRule(
                name=name,
                min_rating=rating,
                ldtt_share=_threshold(s, r, L.T_LDTT, percent=True, lower_bound=True),
                cstd_count=_threshold(s, r, L.T_CSTD, percent=False, lower_bound=True),
                khtnv_count=_threshold(s, r, L.T_KHTNV, percent=False, lower_bound=False),
                kl_count=_threshold(s, r, L.T_KL, percent=False, lower_bound=False),
                basis=s.text(r, L.T_BASIS) if s.has(L.T_BASIS) else "",
            )
        )
    return _chain(s, out, requires)


def _chain(s: BlocTable, titles: list[TitleRule], typed: dict[str, tuple[str, str]]) -> tuple[TitleRule, ...]:
    """Link each title to the one it requires; an unknown title or a cycle is a problem at its cell."""
    names = {fold(t.name): t.name for t in titles}
    links: dict[str, str] = {}
    for name, (text, cell) in typed.items():
        if fold(text) not in names:
            s.add(cell, f'\'{L.T_REQUIRES}\' của "{name}" là "{text}", không phải danh hiệu nào trong trang này.')
        else:
            links[name] = names[fold(text)]
    reported: set[str] = set()
    for t in titles:  # in the sheet's order: each cycle is reported once, at its first row
        path = [t.name]
        while path[-1] in links and links[path[-1]] not in path:
            path.append(links[path[-1]])
        if path[-1] in links and links[path[-1]] == t.name and t.name not in reported:
            reported.update(path)
            loop = " → ".join(f'"{n}"' for n in [*path, t.name])
            s.add(typed[t.name][1], f"'{L.T_REQUIRES}' tạo thành vòng lặp {loop}: một danh hiệu không thể "
                  "phải đạt chính nó. Sửa lại để chuỗi danh hiệu dừng ở danh hiệu thấp nhất.")  # fmt: skip
    return tuple(replace(t, requires=links.get(t.name)) for t in titles)


def _awards(grid: Grid, problems: list[Problem], titles: tuple[TitleRule, ...] | None) -> tuple[AwardRule, ...]:
    """Award rules; a required title is checked only when the titles are known."""
    s = BlocTable(grid, [x for x in L.AWARD_HEADERS if x not in L.AWARD_OPTIONAL], problems)
    s.optional(L.AWARD_OPTIONAL)
    names = {fold(t.name): t.name for t in titles or ()}
    out: list[AwardRule] = []
    for r in s.rows():
        name = s.text(r, L.A_NAME)
        if not name:
            s.add(s.cell(r, L.A_NAME), "dòng khen thưởng chưa có tên hình thức khen thưởng.")
            continue
        lo = s.whole(r, L.A_FROM, minimum=1)
        hi = s.whole(r, L.A_TO, minimum=1)
        if lo is not None and hi is not None and lo > hi:
            s.add(s.cell(r, L.A_TO), f"'Hạng đến' ({hi}) nhỏ hơn 'Hạng từ' ({lo}).")
        title = s.text(r, L.A_TITLE)
        if title and titles is not None and fold(title) not in names:
            s.add(s.cell(r, L.A_TITLE), f"danh hiệu \"{title}\" không có trong trang 'Danh hiệu'.")
        rating_text = s.text(r, L.A_RATING) if s.has(L.A_RATING) else ""
        rating = parse_rating(rating_text) if rating_text else None
        if rating_text and rating is None:
            s.add(s.cell(r, L.A_RATING), f"xếp loại \"{rating_text}\" không hợp lệ: dùng một trong "
                  + "; ".join(RATING_LABELS) + " (hoặc HTXSNV, HTTNV, HTNV, KHTNV).")  # fmt: skip
        years = (s.whole(r, L.A_YEARS, minimum=1) if s.has(L.A_YEARS) else None) or 1
        if years > 1 and not title and not rating_text:
            s.add(s.cell(r, L.A_YEARS), f"'{L.A_YEARS}' là {years} nhưng dòng này không đặt '{L.A_TITLE}' hay "
                  f"'{L.A_RATING}': không có gì phải giữ qua các năm.")  # fmt: skip
        out.append(
            AwardRule(
                name=name,
                rank_from=lo,
                rank_to=hi,
                min_total=s.number(r, L.A_MIN_TOTAL, required=False),
                required_title=names.get(fold(title)) if title else None,
                row=r + 1,
                min_rating=rating,
                years=years,
            )
        )
    return tuple(out)
