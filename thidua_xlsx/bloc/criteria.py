"""The criteria tree of the bloc workbook's 'Tiêu chí' sheet: codes, sections, maxima, kinds."""

from __future__ import annotations

import re
from decimal import Decimal

from thidua_xlsx.bloc.table import BlocTable
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import Problem
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import Criterion, Kind
from thidua_xlsx.core.numbers import parse_number, vn
from thidua_xlsx.core.text import fold

_CRITERION_CODE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")
_KINDS = {"diem": Kind.BASE, "thuong": Kind.BONUS, "tru": Kind.DEDUCTION}


def _kind(text: str) -> Kind | None:
    key = fold(text).replace(" ", "")
    return _KINDS.get(key)


def read_criteria(grid: Grid, problems: list[Problem]) -> tuple[tuple[Criterion, ...], bool]:
    """The criteria in tree order, and whether every maximum is known (else totals are not checked)."""
    s = BlocTable(grid, L.CRITERIA_HEADERS, problems)
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
