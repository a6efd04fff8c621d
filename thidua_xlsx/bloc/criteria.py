"""The criteria tree of the bloc workbook's 'Tiêu chí' sheet: codes, sections, maxima, kinds.

Read in steps: the rows and their full codes (`bloc.numbering`), the order checked as a
hierarchy, the tree, the kinds sections hand down, the maxima summed up, the criteria in tree order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thidua_xlsx.bloc.numbering import Label, Mark, Outline, Placed, code_key, read_label, tree_parents
from thidua_xlsx.bloc.table import BlocTable
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import Problem
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import Criterion, Kind
from thidua_xlsx.core.numbers import parse_number, vn
from thidua_xlsx.core.text import fold

_KINDS = {"diem": Kind.BASE, "thuong": Kind.BONUS, "tru": Kind.DEDUCTION}


def parse_kind(text: str) -> Kind | None:
    """'Thưởng', 'TRU', 'điểm' → the kind; None when it is none of them."""
    return _KINDS.get(fold(text).replace(" ", ""))


@dataclass(frozen=True, slots=True)
class _Row:
    """One criterion row as written, with its full code."""

    r: int  # 0-based row of the sheet
    label: Label
    placed: Placed
    cell: str
    text: str
    max: Decimal | None
    max_bad: bool  # the maximum is there but not a number (reported already)
    max_cell: str
    kind: Kind | None
    kind_cell: str
    guide: str

    @property
    def code(self) -> str:
        return self.placed.code


def read_criteria(grid: Grid, problems: list[Problem]) -> tuple[tuple[Criterion, ...], bool]:
    """The criteria in tree order, and whether every maximum is known (else totals are not checked)."""
    s = BlocTable(grid, L.CRITERIA_HEADERS, problems)
    rows, dropped = _read_rows(s)
    if not rows:
        if s.head is not None and not dropped:
            s.add(None, "chưa có tiêu chí chấm điểm nào.")
        return (), False
    if not dropped:  # a row whose code is missing would shift the outline: its order says nothing then
        dropped = _check_order(s, rows)
    tree = _Tree(rows)
    kinds = _settle_kinds(s, tree)
    maxima, complete = _sum_maxima(s, tree, dropped)
    return tree.criteria(kinds, maxima), complete


def _read_rows(s: BlocTable) -> tuple[dict[str, _Row], bool]:
    """The rows by full code; True when a row was left out (a code missing, unreadable or repeated)."""
    rows: dict[str, _Row] = {}
    outline = Outline()
    dropped = False  # sums of maxima would only repeat that problem
    for r in s.rows():
        written, cell = s.text(r, L.C_CODE), s.cell(r, L.C_CODE)
        label = read_label(written)
        if label is None:
            if not written:
                s.add(cell, f'tiêu chí "{s.text(r, L.C_TEXT)[:60]}" chưa có mã.')
            else:
                s.add(cell, f'mã tiêu chí "{written}" không hợp lệ: dùng dạng 1, 1.1, 2.1.a hoặc I, 1., a).')
            dropped = True
            continue
        placed = outline.place(label)
        if placed.code in rows:
            s.add(cell, _repeated(label, placed, rows[placed.code].cell))
            dropped = True
            continue
        rows[placed.code] = row = _row(s, r, label, placed)
        if not row.text:
            s.add(s.cell(r, L.C_TEXT), f'tiêu chí "{row.code}" chưa có nội dung.')
    return rows, dropped


def _row(s: BlocTable, r: int, label: Label, placed: Placed) -> _Row:
    kind_text = s.text(r, L.C_KIND)
    kind = parse_kind(kind_text) if kind_text else None
    if kind_text and kind is None:
        s.add(s.cell(r, L.C_KIND), f'loại "{kind_text}" không hợp lệ: dùng điểm, thưởng hoặc trừ.')
    return _Row(
        r=r,
        label=label,
        placed=placed,
        cell=s.cell(r, L.C_CODE),
        text=s.text(r, L.C_TEXT),
        max=s.number(r, L.C_MAX, required=False),
        max_bad=bool(s.text(r, L.C_MAX)) and parse_number(s.raw(r, L.C_MAX)).value is None,
        max_cell=s.cell(r, L.C_MAX),
        kind=kind,
        kind_cell=s.cell(r, L.C_KIND),
        guide=s.text(r, L.C_GUIDE),
    )


def _repeated(label: Label, placed: Placed, first: str) -> str:
    if placed.mark is None:
        return (f'mã tiêu chí "{placed.code}" bị trùng (đã có ở ô {first}). '
                "Nếu Excel đổi 1.10 thành 1.1, hãy nhập mã dạng văn bản.")  # fmt: skip
    where = f'trong mục "{placed.parent}"' if placed.parent else "ở cấp ngoài cùng"
    return (f'số thứ tự "{label.written}" bị trùng {where} (đã có ở ô {first}; mã đầy đủ {placed.code}): '
            "sửa số thứ tự, hoặc thêm dòng mục chứa nó.")  # fmt: skip


def _check_order(s: BlocTable, rows: dict[str, _Row]) -> bool:
    """Rows of own numbering under one parent share one kind of numbering: a letter beside a
    number, or a number beside a Roman section, was meant to sit under one. True if any does not."""
    groups: dict[str | None, list[_Row]] = {}
    for row in rows.values():
        if row.placed.mark is not None:
            groups.setdefault(row.placed.parent, []).append(row)
    broken = False
    for members in groups.values():
        top = min((m.placed.mark for m in members if m.placed.mark), key=lambda m: m.value)
        first_top = next(m for m in members if m.placed.mark is top)
        reported: set[Mark] = set()
        for row in members:
            mark = row.placed.mark
            if mark is top or mark is None or mark in reported:
                continue
            reported.add(mark)
            broken = True
            s.add(row.cell, f'tiêu chí "{row.label.written}" đánh {mark.words} nhưng không nằm dưới mục đánh '
                  f'{top.words} nào (cùng cấp có "{first_top.label.written}" ở ô {first_top.cell}): không đọc '
                  "được thứ bậc. Chuyển dòng này xuống dưới mục chứa nó, hoặc sửa số thứ tự.")  # fmt: skip
    return broken


class _Tree:
    """Parents and children of the rows; children in natural code order, whatever the row order."""

    def __init__(self, rows: dict[str, _Row]) -> None:
        self.rows = rows
        self.parents = tree_parents([row.placed for row in rows.values()])
        self.children: dict[str | None, list[str]] = {}
        for code in sorted(rows, key=code_key):
            self.children.setdefault(self.parents[code], []).append(code)

    def top(self) -> list[str]:
        return self.children.get(None, [])

    def kids(self, code: str) -> list[str]:
        return self.children.get(code, [])

    def criteria(self, kinds: dict[str, Kind], maxima: dict[str, Decimal]) -> tuple[Criterion, ...]:
        out: list[Criterion] = []

        def emit(code: str, depth: int) -> None:
            row = self.rows[code]
            out.append(Criterion(code=code, text=row.text, max=maxima[code], kind=kinds[code], guide=row.guide,
                                 is_leaf=not self.kids(code), parent=self.parents[code], depth=depth,
                                 row=row.r + 1))  # fmt: skip
            for child in self.kids(code):
                emit(child, depth + 1)

        for top in self.top():
            emit(top, 0)
        return tuple(out)


def _settle_kinds(s: BlocTable, tree: _Tree) -> dict[str, Kind]:
    """A blank kind inherits the section's, so a bonus section's rows need not repeat it."""
    kinds: dict[str, Kind] = {}

    def settle(code: str, inherited: Kind, section: str | None) -> None:
        own = tree.rows[code].kind
        kind = own or inherited
        if own and section is not None and own is not inherited:
            s.add(tree.rows[code].kind_cell, f"tiêu chí \"{code}\" có loại '{own.value}' khác loại "
                  f"'{inherited.value}' của mục \"{section}\".")  # fmt: skip
            kind = inherited  # the section's kind holds, so the totals do not repeat the problem
        kinds[code] = kind
        for child in tree.kids(code):
            settle(child, kind, code if own else section)  # the nearest section that set a kind

    for top in tree.top():
        settle(top, Kind.BASE, None)
    return kinds


def _sum_maxima(s: BlocTable, tree: _Tree, dropped: bool) -> tuple[dict[str, Decimal], bool]:
    """Each criterion's maximum (a section's: its children's sum), and whether all are known."""
    maxima: dict[str, Decimal] = {}
    unknown: set[str] = set()  # codes whose maximum cannot be known: no cascade of follow-on problems

    def total(code: str) -> Decimal:
        row = tree.rows[code]
        kids = tree.kids(code)
        if not kids:
            value = row.max if row.max is not None else Decimal(0)
            if row.max is None:
                unknown.add(code)
                if not row.max_bad:  # a bad value was reported already
                    s.add(row.max_cell, f'tiêu chí "{code}" chưa có điểm tối đa.')
            elif row.max <= 0:
                unknown.add(code)
                s.add(row.max_cell, f'điểm tối đa của tiêu chí "{code}" phải lớn hơn 0.')
        else:
            value = sum((total(k) for k in kids), Decimal(0))
            if dropped or any(k in unknown for k in kids):
                unknown.add(code)
            elif row.max is not None and row.max != value:
                s.add(row.max_cell, f'điểm tối đa của mục "{code}" là {vn(row.max)} nhưng '
                      f"các tiêu chí con cộng lại bằng {vn(value)}.")  # fmt: skip
        maxima[code] = value
        return value

    for top in tree.top():
        total(top)
    return maxima, not unknown and not dropped
