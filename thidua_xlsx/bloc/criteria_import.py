"""Criteria from the table a bloc already has (`thidua-xlsx init --criteria FILE`).

The table's rows (`bloc.criteria_table`) are placed into a tree as `bloc.numbering` reads them:
sections and criteria by their numbering, a part's heading without numbering over the rows
after it, bullets as the guide of the criterion above, numbered lines without points of their
own as the guide of the criterion that has them. Maxima are summed up and checked against what
sections and the total row say. The result is the rows of the 'Tiêu chí' sheet in full codes
(I.1, II.2.a) and a note for every row it could not place and every sum that disagrees, with the
cell or table row: the sheet is written anyway, and the bloc leader fixes those in Excel.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from thidua_xlsx.bloc.criteria_table import (
    Item,
    Note,
    NoteKind,
    What,
    Where,
    find_table,
    kind_words,
    points_in_text,
    read_items,
    read_points,
)
from thidua_xlsx.bloc.doc_tables import read_tables
from thidua_xlsx.bloc.numbering import Mark, Outline, mark_of, prefix_parent, roman_value
from thidua_xlsx.bloc.spec import BlocSpec
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.text import clean
from thidua_xlsx.intake.pool import Failed, Failure, isolated


@dataclass(frozen=True, slots=True)
class ImportedRow:
    """A row of the 'Tiêu chí' sheet: a blank maximum or kind is left for the loader to sum or hand down."""

    code: str
    text: str
    max: Decimal | None
    kind: Kind | None
    guide: str


@dataclass(frozen=True, slots=True)
class Part:
    """A top-level part of the table, for the summary; kind None when its criteria are of several kinds."""

    code: str
    text: str
    max: Decimal
    kind: Kind | None
    leaves: int


@dataclass(frozen=True, slots=True)
class CriteriaImport:
    source: str
    table: str  # where the table was found, as the user can find it
    rows: tuple[ImportedRow, ...]
    parts: tuple[Part, ...]
    leaves: int
    sections: int
    base: Decimal  # sum of the maxima of 'điểm' criteria: the bloc's 'Tổng điểm chuẩn'
    bonus: Decimal
    deduction: Decimal
    table_total: Decimal | None
    notes: tuple[Note, ...]

    @property
    def needs_fixing(self) -> bool:
        return any(n.kind is not NoteKind.INFO for n in self.notes)

    def of(self, kind: NoteKind) -> list[Note]:
        return [n for n in self.notes if n.kind is kind]

    def spec(self, base: BlocSpec) -> BlocSpec:
        """`base` with these criteria and their 'Tổng điểm chuẩn'."""
        out = copy.deepcopy(base)
        out["criteria"] = [[r.code, r.text, _number(r.max), r.kind.value if r.kind else "", r.guide] for r in self.rows]
        out["info"][L.I_BASE_TOTAL] = _number(self.base)
        return out


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def import_criteria(path: Path | str) -> CriteriaImport:
    """Read the criteria table of `path` in a supervised worker; ThiduaError when the file cannot
    be read or holds no criteria table."""
    result = isolated(_import_or_error, Path(path), fail=_crashed)
    if isinstance(result, ThiduaError):
        raise result
    return result


def _crashed(path: Path, why: Failed) -> ThiduaError:
    detail = "đọc quá lâu" if why.kind is Failure.TIMEOUT else why.detail or "trình đọc dừng bất thường"
    return ThiduaError(f"Không đọc được tệp {path}: tệp hỏng hoặc quá lớn ({detail}).")


def _import_or_error(path: Path) -> CriteriaImport | ThiduaError:
    try:
        return read_criteria_table(path)
    except ThiduaError as exc:
        return exc


def read_criteria_table(path: Path) -> CriteriaImport:
    """import_criteria in this process (the worker's half)."""
    tables = read_tables(path)
    found = find_table(tables)
    if found is None:
        raise ThiduaError(f"Không tìm thấy bảng tiêu chí trong {path}: cần một bảng có dòng tiêu đề gồm cột nội "
                          "dung (ví dụ 'Nội dung tiêu chí') và cột điểm (ví dụ 'Điểm chuẩn', 'Điểm tối đa', "
                          "'Thang điểm').")  # fmt: skip
    notes: list[Note] = []
    items = read_items(found, notes)
    tree = _Tree(notes)
    tree.build(items)
    if not tree.order:
        raise ThiduaError(f"Bảng tiêu chí ở {found.where} trong {path} không có dòng tiêu chí nào đọc được "
                          "(cần số thứ tự như I, 1., a) ở cột riêng hoặc đầu nội dung).")  # fmt: skip
    return tree.result(str(path), found.where, items)


# The tree -------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    code: str
    part: str  # the last part of the code: what the next one in a sequence follows
    written: str  # the numbering as the table writes it
    text: str
    where: Where
    points: Decimal | None
    points_raw: object
    points_where: Where
    own_kind: Kind | None
    heading: bool = False
    guide: list[str] = field(default_factory=list)
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    kind: Kind = Kind.BASE
    max: Decimal | None = None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Tree:
    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.nodes: dict[str, _Node] = {}
        self.order: list[_Node] = []
        self.outline = Outline()

    def note(self, kind: NoteKind, where: Where | None, message: str) -> None:
        self.notes.append(Note(kind, where, message))

    @property
    def tops(self) -> list[_Node]:
        return [n for n in self.order if n.parent is None]

    # Placing rows

    def build(self, items: list[Item]) -> None:
        last: _Node | None = None
        marked: Kind | None = None  # a heading between numbers that go on: it marks their kind only
        for i, item in enumerate(items):
            if item.what is What.CRITERION and item.label is not None:
                node = self._criterion(item, marked)
                last = node or last
            elif item.what is What.HEADING:
                if self._goes_on(items, i):
                    marked = kind_words(item.text, heading=True)
                    self.note(NoteKind.INFO, item.where, f'dòng "{_short(item.text)}" không đánh số và các tiêu chí '
                              "sau nó đánh số tiếp: chỉ dùng để biết loại điểm của các tiêu chí đó.")  # fmt: skip
                    continue
                marked = None
                last = self._heading(item)
            elif item.what is What.BULLET and last is not None:
                last.guide.append(item.text + _points_said(item.points))
            elif item.what is not What.TOTAL:
                why = "không có số thứ tự (I, 1., a)…) và không phải tiêu đề phần"
                shown = f'"{_short(item.text)}"' if item.text else f'điểm "{clean(item.points)}" không có nội dung'
                self.note(NoteKind.UNPLACED, item.where, f"chưa xếp được dòng {shown}: {why}; nếu là tiêu chí, "
                          "thêm vào trang 'Tiêu chí' của khoi.xlsx.")  # fmt: skip

    def _criterion(self, item: Item, marked: Kind | None) -> _Node | None:
        assert item.label is not None
        placed = self.outline.place(item.label)
        if placed.code in self.nodes:
            first = self.nodes[placed.code].where
            self.note(NoteKind.UNPLACED, item.where, f'số thứ tự "{item.label.written}" lặp lại dòng ở {first} '
                      f"(cùng mã đầy đủ {placed.code}): không xếp được dòng này.")  # fmt: skip
            return None
        parent_code = placed.parent if placed.parent in self.nodes else prefix_parent(placed.code, self.nodes)
        parent = self.nodes.get(parent_code) if parent_code else None
        kind = item.kind or (marked if parent is None else None) or kind_words(item.text, heading=False)
        return self._add(placed.code, item.label.parts[-1], item, parent, kind)

    def _heading(self, item: Item) -> _Node:
        code = self._next_top()
        self.outline.heading(code)
        kind = item.kind or kind_words(item.text, heading=True)
        return self._add(code, code, item, None, kind, heading=True)

    def _add(self, code: str, part: str, item: Item, parent: _Node | None, kind: Kind | None, *,
             heading: bool = False) -> _Node:  # fmt: skip
        points, readable = read_points(item.points)
        written = item.label.written if item.label else ""
        node = _Node(code, part, written, item.text, item.where, points, item.points, item.points_where, kind,
                     heading, list(item.guide), parent)  # fmt: skip
        if not item.text:
            self.note(NoteKind.PROBLEM, item.where, f'dòng "{written}" ({code}) chưa có nội dung tiêu chí: '
                      "điền nội dung trong khoi.xlsx.")  # fmt: skip
        if not readable:
            node.guide.append(clean(item.points))  # what the table says stays in view
        elif points is None and item.text:
            node.points = points_in_text(item.text)
            if node.points is not None:
                self.note(NoteKind.INFO, item.where, f'điểm tối đa {vn(node.points)} của "{code}" đọc từ nội dung.')
        if parent is not None:
            parent.children.append(node)
        self.nodes[code] = node
        self.order.append(node)
        return node

    def _goes_on(self, items: list[Item], i: int) -> bool:
        """The next numbered row continues the numbering of the last top-level row."""
        following = next((x for x in items[i + 1 :] if x.what in (What.CRITERION, What.HEADING, What.TOTAL)), None)
        tops = [n for n in self.tops if not n.heading]
        if following is None or following.label is None or following.label.dotted or not tops:
            return False
        return _successor(tops[-1].part) == following.label.parts[0]

    def _next_top(self) -> str:
        tops = self.tops
        code = _successor(tops[-1].part) if tops else "A"
        n = len(tops) + 1
        while code is None or code in self.nodes:
            code, n = str(n), n + 1
        return code

    # Reading what was placed

    def result(self, source: str, where: str, items: list[Item]) -> CriteriaImport:
        self._fold_unscored()
        for top in self.tops:
            self._settle(top, Kind.BASE)
        for top in self.tops:
            self._maximum(top)
        leaves = [n for n in self.order if not n.children]
        sums = {k: sum((n.max for n in leaves if n.kind is k and n.max is not None), Decimal(0)) for k in Kind}
        table_total = self._totals(items, sums)
        rows = tuple(self._rows())
        parts = tuple(
            Part(t.code, t.text, _known(t), _one_kind(t), sum(1 for n in _walk(t) if not n.children)) for t in self.tops
        )
        sections = sum(1 for n in self.order if n.children)
        return CriteriaImport(source, where, rows, parts, len(leaves), sections, sums[Kind.BASE], sums[Kind.BONUS],
                              sums[Kind.DEDUCTION], table_total, tuple(self.notes))  # fmt: skip

    def _fold_unscored(self) -> None:
        """Numbered lines under a criterion with points, none of them with points of its own, say
        what the criterion covers: they become its guide, the criterion one line to score."""
        for node in list(self.order):
            kids = node.children
            if node.points is None or not kids or any(k.points is not None or k.children for k in kids):
                continue
            node.guide.extend(f"{k.written} {k.text}".strip() for k in kids)
            self.note(NoteKind.INFO, node.where, f'{len(kids)} dòng dưới tiêu chí "{node.code}" không có điểm '
                      "riêng: ghép vào hướng dẫn chấm của tiêu chí đó.")  # fmt: skip
            for k in kids:
                self.order.remove(k)
                del self.nodes[k.code]
            node.children = []

    def _settle(self, node: _Node, inherited: Kind) -> None:
        node.kind = node.own_kind or inherited
        for child in node.children:
            self._settle(child, node.kind)

    def _maximum(self, node: _Node) -> Decimal | None:
        """The node's maximum (a section's: its children's sum); None when some maximum is unknown."""
        own = node.points
        negative = own is not None and own < 0
        if own is not None and negative:
            if node.kind is Kind.DEDUCTION:
                own = -own  # a deduction written as '-2': the bloc workbook takes the largest deduction
            else:
                self.note(NoteKind.PROBLEM, node.points_where, f'điểm {vn(own)} của tiêu chí "{node.code}" là số âm '
                          "nhưng tiêu chí này không thuộc phần điểm trừ: sửa trong khoi.xlsx.")  # fmt: skip
                own = None
        if not node.children:
            if own is None and node.heading and not clean(node.points_raw):
                self.note(NoteKind.PROBLEM, node.where, f'dòng tiêu đề "{_short(node.text)}" ({node.code}) không '
                          "có tiêu chí nào bên dưới và không có điểm: xóa dòng này hoặc thêm tiêu chí.")  # fmt: skip
            elif own is None and not negative:
                shown = f' ("{_short(clean(node.points_raw), 40)}")' if clean(node.points_raw) else ""
                self.note(NoteKind.PROBLEM, node.points_where, "chưa đọc được điểm tối đa của tiêu chí "
                          f"\"{node.code}\"{shown}: nhập điểm tối đa vào trang 'Tiêu chí' của khoi.xlsx.")  # fmt: skip
            elif own is not None and own <= 0:
                self.note(
                    NoteKind.PROBLEM, node.points_where, f'điểm tối đa của tiêu chí "{node.code}" phải lớn hơn 0.'
                )
            node.max = own
            return own
        node.points = own  # what the section says of itself, written as it is for the loader to check
        kids = [self._maximum(k) for k in node.children]
        if any(k is None for k in kids):
            return None
        node.max = sum((k for k in kids if k is not None), Decimal(0))
        if own is not None and own != node.max:
            self.note(NoteKind.PROBLEM, node.points_where, f'mục "{node.code}" ghi {vn(own)} điểm nhưng các tiêu '
                      f"chí con cộng lại bằng {vn(node.max)}: sửa trong khoi.xlsx.")  # fmt: skip
        return node.max

    def _totals(self, items: list[Item], sums: dict[Kind, Decimal]) -> Decimal | None:
        """Check total rows: the last against the sum of the table, a 'Cộng' above it against its part."""
        totals = [(i, x) for i, x in enumerate(items) if x.what is What.TOTAL]
        table_total = None
        for n, (i, item) in enumerate(totals):
            value, _ = read_points(item.points)
            if value is None:
                value = points_in_text(item.text)
            if value is None:
                self.note(NoteKind.INFO, item.where, f'dòng "{_short(item.text)}" không có số điểm để đối chiếu.')
                continue
            if n == len(totals) - 1 and not any(x.what is What.CRITERION for x in items[i + 1 :]):
                table_total = value
                self._check_table_total(item, value, sums)
            else:
                self._check_subtotal(items, i, item, value)
        return table_total

    def _check_table_total(self, item: Item, value: Decimal, sums: dict[Kind, Decimal]) -> None:
        base, bonus = sums[Kind.BASE], sums[Kind.BONUS]
        if value == base:
            return
        if bonus and value == base + bonus:
            self.note(NoteKind.INFO, item.where, f'dòng "{_short(item.text)}" ({vn(value)}) gồm cả điểm thưởng; '
                      f"'Tổng điểm chuẩn' là {vn(base)}.")  # fmt: skip
            return
        self.note(NoteKind.PROBLEM, item.where, f'dòng "{_short(item.text)}" ghi {vn(value)} điểm nhưng các tiêu '
                  f"chí loại 'điểm' cộng lại bằng {vn(base)}: sửa điểm tối đa trong khoi.xlsx cho khớp.")  # fmt: skip

    def _check_subtotal(self, items: list[Item], i: int, item: Item, value: Decimal) -> None:
        above = next((x for x in reversed(items[:i]) if x.what in (What.CRITERION, What.HEADING)), None)
        node = next((n for n in self.order if above is not None and n.where == above.where), None)
        while node is not None and node.parent is not None:
            node = node.parent
        if node is None or node.max is None or node.max == value:
            return
        self.note(NoteKind.PROBLEM, item.where, f'dòng "{_short(item.text)}" ghi {vn(value)} điểm nhưng mục '
                  f'"{node.code}" cộng lại bằng {vn(node.max)}.')  # fmt: skip

    def _rows(self) -> Iterator[ImportedRow]:
        for top in self.tops:
            for node in _walk(top):
                # A section over criteria of several kinds says none: the loader hands down no kind to clash.
                kind = _one_kind(node) if node.children else node.kind
                shown = node.points if node.children else node.max
                yield ImportedRow(node.code, node.text, shown, kind, " ".join(node.guide))


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _known(node: _Node) -> Decimal:
    """The sum of the maxima read under `node`."""
    return sum((n.max for n in _walk(node) if not n.children and n.max is not None), Decimal(0))


def _one_kind(node: _Node) -> Kind | None:
    kinds = {n.kind for n in _walk(node)}
    return kinds.pop() if len(kinds) == 1 else None


def _points_said(raw: object) -> str:
    text = clean(raw)
    return f": {text}" if text else ""


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _successor(part: str) -> str | None:
    """The label after `part` in its own kind of numbering: 5 → 6, IV → V, b → c."""
    mark = mark_of(part)
    if mark is Mark.NUMBER:
        return str(int(part) + 1)
    if mark is Mark.ROMAN:
        return _roman(roman_value(part) + 1)
    if mark in (Mark.UPPER, Mark.LETTER) and part.upper() in _ALPHABET[:-1]:
        following = _ALPHABET[_ALPHABET.index(part.upper()) + 1]
        return following if mark is Mark.UPPER else following.lower()
    return None


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out
