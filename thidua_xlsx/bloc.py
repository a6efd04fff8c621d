"""Load and check the bloc workbook (khoi.xlsx): every problem at once, with its cell."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from . import labels as L
from .errors import BlocError, Problem
from .model import AwardRule, Bloc, BlocInfo, Criterion, Kind, Threshold, TitleRule, Unit
from .numbers import ValueKind, parse_number, vn
from .pool import isolated
from .ratings import RATING_LABELS, parse_rating
from .sheets import Grid, a1, open_workbook, read_grid
from .text import clean, fold

_UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
_CRITERION_CODE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")
_KINDS = {"diem": Kind.BASE, "thuong": Kind.BONUS, "tru": Kind.DEDUCTION}
_THRESHOLD = re.compile(r"^(>=|≥|>|<=|≤|<)?\s*(.+)$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# Typing "90%" in Excel stores 0.9: a share below 1 % is that slip, never a real target.
_FRACTION = ("'{label}' là {value}: ô này nhập số phần trăm (ví dụ 90 cho 90 %); nếu ô đang định "
             "dạng phần trăm, hãy đổi sang định dạng số rồi nhập lại.")  # fmt: skip


class _Sheet:
    """A sheet of the bloc workbook with its header located, collecting problems."""

    def __init__(self, grid: Grid, labels: list[str], problems: list[Problem]) -> None:
        self.grid = grid
        self.problems = problems
        found = grid.find_header(labels) or grid.find_header_loose(labels, fold)
        self.head: int | None = None
        self.cols: dict[str, int] = {}
        if found is None:
            self._no_header(labels)
        else:
            self.head, self.cols = found

    def _no_header(self, labels: list[str]) -> None:
        """Say which columns are missing, at the row that looks most like the header."""
        wanted = {fold(x): x for x in labels}
        best: tuple[int, int, int] | None = None  # (labels found, row, first column)
        enough = min(2, len(labels) - 1)  # one label alone is the header only of a 2-column table
        for r in range(min(80, self.grid.height)):
            cols = [c for c, v in enumerate(self.grid.rows[r]) if fold(v) in wanted]
            if len(cols) >= max(enough, 1) and (best is None or len(cols) > best[0]):
                best = (len(cols), r, min(cols))
        every = ", ".join(f"'{x}'" for x in labels)
        if best is None:
            self.add(None, f"không tìm thấy dòng tiêu đề có đủ các cột {every}.")
            return
        row = best[1]
        present = {fold(v) for v in self.grid.rows[row]}
        missing = ", ".join(f"'{x}'" for x in labels if fold(x) not in present)
        self.add(a1(row, best[2]), f"dòng tiêu đề thiếu cột {missing} (cần đủ các cột {every}; "
                 "giữ nguyên tên cột).")  # fmt: skip

    def add(self, cell: str | None, message: str) -> None:
        self.problems.append(Problem(self.grid.name, cell, message))

    def rows(self) -> list[int]:
        """Data rows under the header that are not blank in the header's columns."""
        if self.head is None:
            return []
        return [
            r for r in range(self.head + 1, self.grid.height) if any(self.grid.text(r, c) for c in self.cols.values())
        ]

    def raw(self, r: int, label: str) -> object:
        return self.grid.value(r, self.cols[label])

    def text(self, r: int, label: str) -> str:
        return self.grid.text(r, self.cols[label])

    def cell(self, r: int, label: str) -> str:
        return a1(r, self.cols[label])

    def number(self, r: int, label: str, *, required: bool) -> Decimal | None:
        parsed = parse_number(self.raw(r, label))
        if parsed.kind is ValueKind.EMPTY:
            if required:
                self.add(self.cell(r, label), f"'{label}' chưa nhập; cần một số.")
            return None
        if parsed.value is None:
            shown = clean(self.raw(r, label))
            self.add(self.cell(r, label), f"'{label}' phải là một số, không phải \"{shown}\".")
            return None
        return parsed.value

    def whole(self, r: int, label: str, *, minimum: int = 0) -> int | None:
        value = self.number(r, label, required=False)
        if value is None:
            return None
        if value != value.to_integral_value() or value < minimum:
            self.add(self.cell(r, label), f"'{label}' phải là số nguyên từ {minimum} trở lên.")
            return None
        return int(value)


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


def _crashed(path: Path, why: str) -> BlocError:
    return BlocError(f"Không đọc được tệp khối thi đua {path}: tệp hỏng hoặc quá lớn ({why}).")


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
        grids = {n: read_grid(book, names[n]) for n in L.BLOC_SHEETS if n in names}
    except Exception as exc:  # calamine raises many kinds of errors for broken files
        raise BlocError(f"Không đọc được tệp khối thi đua {path}: {str(exc)[:200]}") from None
    problems: list[Problem] = [
        Problem(n, None, "thiếu trang tính này trong tệp khối thi đua.") for n in L.BLOC_SHEETS if n not in grids
    ]
    empty = Grid(name="", rows=[])
    units = _units(grids.get(L.SHEET_UNITS, empty), problems) if L.SHEET_UNITS in grids else ()
    criteria, complete = _criteria(grids[L.SHEET_CRITERIA], problems) if L.SHEET_CRITERIA in grids else ((), False)
    titles = _titles(grids[L.SHEET_TITLES], problems) if L.SHEET_TITLES in grids else None
    info = _info(grids[L.SHEET_INFO], problems, units, criteria if complete else ()) if L.SHEET_INFO in grids else None
    awards = _awards(grids[L.SHEET_AWARDS], problems, titles) if L.SHEET_AWARDS in grids else ()
    titles = titles or ()
    if problems or info is None:
        raise BlocError(f"Tệp khối thi đua {path} có {len(problems)} lỗi cần sửa.", problems)
    return Bloc(info=info, units=units, criteria=criteria, titles=titles, awards=awards, source=path)


def _units(grid: Grid, problems: list[Problem]) -> tuple[Unit, ...]:
    s = _Sheet(grid, L.UNIT_HEADERS, problems)
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


def _kind(text: str) -> Kind | None:
    key = fold(text).replace(" ", "")
    return _KINDS.get(key)


def _criteria(grid: Grid, problems: list[Problem]) -> tuple[tuple[Criterion, ...], bool]:
    """The criteria in tree order, and whether every maximum is known (else totals are not checked)."""
    s = _Sheet(grid, L.CRITERIA_HEADERS, problems)
    rows: dict[str, dict] = {}
    dropped = False  # a row without a usable code: sums of maxima would only repeat that problem
    for r in s.rows():
        code = s.text(r, L.C_CODE).rstrip(".").replace(" ", "")
        cell = s.cell(r, L.C_CODE)
        if not code:
            s.add(cell, f'tiêu chí "{s.text(r, L.C_TEXT)[:60]}" chưa có mã.')
            dropped = True
            continue
        if not _CRITERION_CODE.match(code):
            s.add(cell, f'mã tiêu chí "{code}" không hợp lệ: dùng dạng 1, 1.1, 2.1.a.')
            dropped = True
            continue
        if code in rows:
            s.add(cell, f"mã tiêu chí \"{code}\" bị trùng (đã có ở ô {rows[code]['cell']}). "
                  "Nếu Excel đổi 1.10 thành 1.1, hãy nhập mã dạng văn bản.")  # fmt: skip
            dropped = True
            continue
        kind_text = s.text(r, L.C_KIND)
        kind = _kind(kind_text) if kind_text else None
        if kind_text and kind is None:
            s.add(s.cell(r, L.C_KIND), f'loại "{kind_text}" không hợp lệ: dùng điểm, thưởng hoặc trừ.')
        rows[code] = {
            "r": r,
            "cell": cell,
            "text": s.text(r, L.C_TEXT),
            "max": s.number(r, L.C_MAX, required=False),
            "max_bad": bool(s.text(r, L.C_MAX)) and parse_number(s.raw(r, L.C_MAX)).value is None,
            "max_cell": s.cell(r, L.C_MAX),
            "kind": kind,
            "kind_cell": s.cell(r, L.C_KIND),
            "guide": s.text(r, L.C_GUIDE),
        }
        if not rows[code]["text"]:
            s.add(s.cell(r, L.C_TEXT), f'tiêu chí "{code}" chưa có nội dung.')
    if not rows:
        if s.head is not None and not dropped:
            s.add(None, "chưa có tiêu chí chấm điểm nào.")
        return (), False

    # Rows may be in any order: the form lists criteria in code order (1.2 before 1.10).
    order = sorted(rows, key=_code_key)
    codes = set(order)

    def parent_of(code: str) -> str | None:
        parts = code.split(".")
        for n in range(len(parts) - 1, 0, -1):
            cand = ".".join(parts[:n])
            if cand in codes:
                return cand
        return None

    parents = {c: parent_of(c) for c in order}
    children: dict[str | None, list[str]] = {}
    for c in order:
        children.setdefault(parents[c], []).append(c)

    # Kinds: a blank kind inherits the section's, so a bonus section's rows need not repeat it.
    kinds: dict[str, Kind] = {}

    def settle(code: str, inherited: Kind, section: str | None) -> None:
        own = rows[code]["kind"]
        kind = own or inherited
        if own and section is not None and own is not inherited:
            s.add(rows[code]["kind_cell"], f"tiêu chí \"{code}\" có loại '{own.value}' khác loại "
                  f"'{inherited.value}' của mục \"{section}\".")  # fmt: skip
            kind = inherited  # the section's kind holds, so the totals do not repeat the problem
        kinds[code] = kind
        for child in children.get(code, []):
            settle(child, kind, code if own else section)  # the nearest section that set a kind

    for top in children.get(None, []):
        settle(top, Kind.BASE, None)

    maxima: dict[str, Decimal] = {}
    unknown: set[str] = set()  # codes whose maximum cannot be known: no cascade of follow-on problems

    def total(code: str) -> Decimal:
        row = rows[code]
        kids = children.get(code, [])
        if not kids:
            value = row["max"] if row["max"] is not None else Decimal(0)
            if row["max"] is None:
                unknown.add(code)
                if not row["max_bad"]:  # a bad value was reported already
                    s.add(row["max_cell"], f'tiêu chí "{code}" chưa có điểm tối đa.')
            elif row["max"] <= 0:
                unknown.add(code)
                s.add(row["max_cell"], f'điểm tối đa của tiêu chí "{code}" phải lớn hơn 0.')
        else:
            value = sum((total(k) for k in kids), Decimal(0))
            if dropped or any(k in unknown for k in kids):
                unknown.add(code)
            elif row["max"] is not None and row["max"] != value:
                s.add(row["max_cell"], f"điểm tối đa của mục \"{code}\" là {vn(row['max'])} nhưng "
                      f"các tiêu chí con cộng lại bằng {vn(value)}.")  # fmt: skip
        maxima[code] = value
        return value

    for top in children.get(None, []):
        total(top)

    out: list[Criterion] = []

    def emit(code: str, depth: int) -> None:
        row = rows[code]
        out.append(
            Criterion(
                code=code,
                text=row["text"],
                max=maxima[code],
                kind=kinds[code],
                guide=row["guide"],
                is_leaf=not children.get(code),
                parent=parents[code],
                depth=depth,
                row=row["r"] + 1,
            )
        )
        for child in children.get(code, []):
            emit(child, depth + 1)

    for top in children.get(None, []):
        emit(top, 0)
    return tuple(out), not unknown and not dropped


def _code_key(code: str) -> tuple:
    """Natural order of dotted codes: 1 < 1.2 < 1.10 < 2 < 2.1.a < 2.1.b."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in code.split("."))


def _date(raw: object) -> dt.date | str | None:
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
    return "invalid"


def _info(
    grid: Grid, problems: list[Problem], units: tuple[Unit, ...], criteria: tuple[Criterion, ...]
) -> BlocInfo | None:
    s = _Sheet(grid, L.INFO_HEADERS, problems)
    found: dict[str, int] = {}
    keys = {fold(k): k for k in L.INFO_KEYS}
    for r in s.rows():
        key = keys.get(fold(s.text(r, L.INFO_ITEM)))
        if key and key in found:  # which of two values is meant cannot be guessed
            s.add(s.cell(r, L.INFO_ITEM), f"mục '{key}' bị lặp (đã có ở ô {s.cell(found[key], L.INFO_ITEM)}); "
                  "xóa một dòng.")  # fmt: skip
        elif key:
            found[key] = r
    if s.head is None:
        return None

    def value(key: str) -> object:
        return s.raw(found[key], L.INFO_VALUE) if key in found else None

    def where(key: str) -> str | None:
        return s.cell(found[key], L.INFO_VALUE) if key in found else None

    def absent(key: str) -> str:
        if key in found:
            return f"chưa nhập '{key}'"
        return f"thiếu dòng '{key}' ở cột '{L.INFO_ITEM}'"

    def need_text(key: str) -> str:
        text = clean(value(key))
        if not text:
            s.add(where(key), f"{absent(key)}.")
        return text

    def number(
        key: str,
        default: Decimal | None = None,
        *,
        required: bool = False,
        low: int = 0,
        high: int | None = None,
    ) -> Decimal | None:
        raw = value(key)
        parsed = parse_number(raw)
        if parsed.kind is ValueKind.EMPTY:
            if required:
                s.add(where(key), f"{absent(key)}; cần một số.")
            return default
        if parsed.value is None:
            s.add(where(key), f"'{key}' phải là một số, không phải \"{clean(raw)}\".")
            return default
        if parsed.value < low or (high is not None and parsed.value > high):
            s.add(where(key), f"'{key}' phải nằm trong khoảng {low} đến {high}.")
        elif high == 100 and 0 < parsed.value < 1:
            s.add(where(key), _FRACTION.format(label=key, value=vn(parsed.value)))
        return parsed.value

    name = need_text(L.I_NAME)
    year_value = number(L.I_YEAR, required=True, low=1900, high=2200)
    year = 0
    if year_value is not None:
        if year_value != year_value.to_integral_value():
            s.add(where(L.I_YEAR), "'Năm' phải là số nguyên, ví dụ 2024.")
        year = int(year_value)
    leader = clean(value(L.I_LEADER))
    codes = {u.code.upper(): u.code for u in units}
    if leader and units:
        if leader.upper() not in codes:
            s.add(where(L.I_LEADER), f"khối trưởng \"{leader}\" không phải mã của đơn vị nào "
                  "trong trang 'Đơn vị'.")  # fmt: skip
        else:
            leader = codes[leader.upper()]
    deadline = _date(value(L.I_DEADLINE))
    if deadline == "invalid":
        s.add(where(L.I_DEADLINE), "'Hạn nộp' phải là ngày, ví dụ 30/12/2024.")
        deadline = None
    base_total = number(L.I_BASE_TOTAL, required=True)
    base_sum = sum((c.max for c in criteria if c.is_leaf and c.kind is Kind.BASE), Decimal(0))
    if base_total is not None and criteria and base_sum != base_total:
        s.add(where(L.I_BASE_TOTAL), f"'Tổng điểm chuẩn' là {vn(base_total)} nhưng điểm tối đa "
              f"của các tiêu chí loại 'điểm' cộng lại bằng {vn(base_sum)}.")  # fmt: skip
    info = BlocInfo(
        name=name,
        year=year,
        governing_body=clean(value(L.I_GOVERNING)),
        leader=leader,
        place=clean(value(L.I_PLACE)),
        deadline=deadline if isinstance(deadline, dt.date) else None,
        base_total=base_total if base_total is not None else base_sum,
        ldtt_min=number(L.I_LDTT_MIN, high=100),
        cstd_target=number(L.I_CSTD_TARGET, high=100),
        signer=clean(value(L.I_SIGNER)),
        signer_title=clean(value(L.I_SIGNER_TITLE)),
        vote_share_min=number(L.I_VOTE_SHARE, Decimal(50), high=100),
        template_password=clean(value(L.I_PASSWORD)),
    )
    return info


def _threshold(s: _Sheet, r: int, label: str, *, percent: bool, lower_bound: bool) -> Threshold | None:
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
    s = _Sheet(grid, L.TITLE_HEADERS, problems)
    if s.head is None:
        return None
    basis_col = grid.find_header([L.T_BASIS]) if s.head is not None else None
    out: list[TitleRule] = []
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
        basis = ""
        if basis_col and basis_col[0] == s.head:
            basis = grid.text(r, basis_col[1][L.T_BASIS])
        out.append(
            TitleRule(
                name=name,
                min_rating=rating,
                ldtt_share=_threshold(s, r, L.T_LDTT, percent=True, lower_bound=True),
                cstd_count=_threshold(s, r, L.T_CSTD, percent=False, lower_bound=True),
                khtnv_count=_threshold(s, r, L.T_KHTNV, percent=False, lower_bound=False),
                kl_count=_threshold(s, r, L.T_KL, percent=False, lower_bound=False),
                basis=basis,
            )
        )
    return tuple(out)


def _awards(grid: Grid, problems: list[Problem], titles: tuple[TitleRule, ...] | None) -> tuple[AwardRule, ...]:
    """Award rules; a required title is checked only when the titles are known."""
    s = _Sheet(grid, L.AWARD_HEADERS, problems)
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
        out.append(
            AwardRule(
                name=name,
                rank_from=lo,
                rank_to=hi,
                min_total=s.number(r, L.A_MIN_TOTAL, required=False),
                required_title=names.get(fold(title)) if title else None,
                row=r + 1,
            )
        )
    return tuple(out)
