"""The criteria table inside a document a bloc already has: found by its header, read row by row.

The header names a content column and a points column (over one row or two, with merged cells);
each row below is read into an item: its numbering (in its own column or at the start of the
text), text, points as tables write them ("10", "10 điểm", "Tối đa 5đ", "-2"), bullets, and what
it is: a numbered criterion, a part's heading without numbering, a bullet of the row above, a total.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from thidua_xlsx.bloc.criteria import parse_kind
from thidua_xlsx.bloc.doc_tables import DocTable
from thidua_xlsx.bloc.numbering import Label, Mark, mark_of, read_label
from thidua_xlsx.core.grid import Grid, a1
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.numbers import ValueKind, parse_number
from thidua_xlsx.core.text import clean, fold


class NoteKind(enum.Enum):
    UNPLACED = "unplaced"  # a row left out of the sheet: the bloc leader adds it by hand
    PROBLEM = "problem"  # written, but to be fixed in khoi.xlsx (a sum that disagrees, a maximum not read)
    INFO = "info"  # how a row was read (bullets kept as the guide, a maximum read from the text)


@dataclass(frozen=True, slots=True)
class Where:
    """A row of the table: a cell of a sheet, or a row of a Word table."""

    table: str
    row: int  # 1-based
    cell: str | None = None

    def __str__(self) -> str:
        return f"trang tính '{self.table}', ô {self.cell}" if self.cell else f"{self.table}, dòng {self.row}"


@dataclass(frozen=True, slots=True)
class Note:
    kind: NoteKind
    where: Where | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# Finding the table ------------------------------------------------------------------------------


class Role(enum.Enum):
    NUMBER = "number"
    CONTENT = "content"
    POINTS = "points"
    KIND = "kind"
    GUIDE = "guide"
    NOTE = "note"


_NUMBER_LABELS = {"stt", "tt", "so tt", "so thu tu", "thu tu", "muc", "ma", "ma so", "ky hieu", "ma tieu chi"}
_CONTENT_STARTS = ("noi dung", "tieu chi", "cac tieu chi", "ten tieu chi")
_POINTS_EXACT = {"diem", "so diem", "diem so", "muc diem", "khung diem"}
_POINTS_STARTS = ("diem chuan", "diem toi da", "thang diem", "diem quy dinh", "diem theo quy dinh", "so diem toi da",
                  "muc diem toi da", "diem dinh muc")  # fmt: skip
_GUIDE_STARTS = ("huong dan", "cach cham", "cach tinh", "phuong phap", "can cu", "cach thuc", "yeu cau")


def _key(value: object) -> str:
    """Loose words of a cell: no case, diacritics or punctuation."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(value)).split())


def _role(value: object) -> tuple[Role, int] | None:
    """The column a header label names, and how plainly (0 best), or None."""
    k = _key(value)
    if not k:
        return None
    if k.startswith(_POINTS_STARTS):
        return Role.POINTS, 0
    if k in _POINTS_EXACT:
        return Role.POINTS, 1
    if k in _NUMBER_LABELS:
        return Role.NUMBER, 0
    if k.startswith(_CONTENT_STARTS):
        return Role.CONTENT, 0
    if k in ("loai", "loai diem", "loai tieu chi"):
        return Role.KIND, 0
    if k.startswith(_GUIDE_STARTS):
        return Role.GUIDE, 0
    if k == "ghi chu":
        return Role.NOTE, 0
    return None


def _columns(cells: Sequence[object]) -> dict[Role, int]:
    best: dict[Role, tuple[int, int]] = {}  # role → (plainness, column)
    for c, value in enumerate(cells):
        found = _role(value)
        if found and (found[0] not in best or found[1] < best[found[0]][0]):
            best[found[0]] = (found[1], c)
    return {role: col for role, (_, col) in best.items()}


@dataclass(frozen=True, slots=True)
class TablePart:
    """A table holding (part of) the criteria: its data rows start at `first`."""

    table: DocTable
    first: int
    cols: dict[Role, int]


@dataclass(frozen=True, slots=True)
class Found:
    parts: tuple[TablePart, ...]
    where: str  # 'trang tính 'Sheet1', dòng 4' or 'bảng 2'


def find_table(tables: list[DocTable]) -> Found | None:
    for i, table in enumerate(tables):
        head = _header(table.grid)
        if head is None:
            continue
        first, cols, row = head
        parts = [TablePart(table, first, cols)]
        # A Word table broken by a page often starts again, header and all: it goes on.
        for other in tables[i + 1 :] if table.word else ():
            again = _header(other.grid)
            if again is None or again[1] != cols:
                break
            parts.append(TablePart(other, again[0], again[1]))
        where = table.name if table.word else f"trang tính '{table.name}', dòng {row + 1}"
        return Found(tuple(parts), where)
    return None


def _header(grid: Grid) -> tuple[int, dict[Role, int], int] | None:
    """(first data row, columns, header row) of the first row naming a content and a points column."""
    for r in range(min(60, grid.height)):
        cols = _columns(list(grid.rows[r]))
        if Role.CONTENT not in cols:
            continue
        below = _subheader(grid, r, cols[Role.CONTENT])
        if below is not None and Role.POINTS in below:
            return r + 2, below, r
        if Role.POINTS in cols:
            return r + 1, cols, r
    return None


def _subheader(grid: Grid, r: int, content: int) -> dict[Role, int] | None:
    """The columns read over two header rows ('Điểm' above 'Tối đa' | 'Tự chấm'), when row r+1 is
    the header's second row: nothing under the content label, no numbers, some label it completes."""
    if r + 1 >= grid.height or grid.text(r + 1, content):
        return None
    below = list(grid.rows[r + 1])
    filled = [c for c, v in enumerate(below) if clean(v)]
    if not filled or any(parse_number(below[c]).value is not None or len(clean(below[c])) > 40 for c in filled):
        return None
    width = max(len(grid.rows[r]), len(below))
    joined = [f"{grid.text(r, c)} {grid.text(r + 1, c)}".strip() for c in range(width)]
    if not any(_role(joined[c]) or _role(below[c]) for c in filled):
        return None
    return _columns(joined)


# Reading the rows ---------------------------------------------------------------------------------


class What(enum.Enum):
    CRITERION = "criterion"  # numbered
    HEADING = "heading"  # a part's title without numbering ('ĐIỂM THƯỞNG')
    BULLET = "bullet"  # '- Hoàn thành 100%: 10 điểm': how the criterion above is scored
    TOTAL = "total"  # 'Tổng cộng', 'Cộng'
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Item:
    what: What
    where: Where
    label: Label | None
    text: str
    points: object  # the points cell as read
    points_where: Where
    kind: Kind | None  # from a kind column
    guide: tuple[str, ...]


_BULLETS = ("-", "+", "•", "*", "·", "\uf0b7", "\uf0a7", "–")  # Word's Symbol-font bullets too
_LEADING = re.compile(
    r"""^\(?(?P<label>
          \d+(?:\.[0-9A-Za-zĐđ]+)+[.)]?      # 1.2  1.2.a.
        | \d+[.)] | [IVX]+[.):] | [A-Za-zĐđ][.)]   # 1.  1)  II.  IV)  a)  b.  A.
      )(?P<sep>\s*[:\-]\s* | \s+ | $ | (?<=[.)])(?=[^\W\d_]))   # '1.Làm tốt': no space
    | ^(?P<dash>\d+|[IVX]+)\s+-\s+         # 'I - CÔNG TÁC', '1 - Làm tốt'
    | ^(?:phần|mục|tiêu\ chí|nhóm|chương)\s+\(?(?P<named>\d+|[IVX]+|[A-ZĐ])[.):]?(?:\s*[:\-]\s*|\s+|$)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# With their diacritics: "Cộng" is a total, "Công tác…" a criterion; "Tổng kết…" is no total either.
_TOTAL = re.compile(r"^(tổng cộng|tổng số điểm|tổng điểm|tổng số|tổng|cộng)(?![^\W\d_])", re.IGNORECASE)


def leading_label(text: str) -> tuple[Label | None, str]:
    """'1. Làm tốt…' → (1, 'Làm tốt…'); 'a) …', 'II. …', '1.2 …', 'I - …', 'Phần I: …'; (None, text) otherwise."""
    m = _LEADING.match(text)
    if not m:
        return None, text
    rest = text[m.end() :].strip()
    if m.group("label") and m.group("sep") == "" and not rest[:1].isupper():
        return None, text  # 'v.v.': a word, not numbering
    bare = (m.group("label") or m.group("dash") or m.group("named")).strip("(.):")
    if len(bare) > 1 and bare.isalpha() and bare.islower():
        return None, text  # lowercase Roman numerals ('ii.') are no numbering of ours
    label = read_label(bare)
    return (label, rest) if label else (None, text)


def _lines(value: object) -> list[str]:
    if value is None:
        return []
    return [line for line in (clean(x) for x in str(value).splitlines()) if line]


def _bullet(text: str) -> bool:
    return text.startswith(_BULLETS)


def read_items(found: Found, notes: list[Note]) -> list[Item]:
    items: list[Item] = []
    for part in found.parts:
        running = _running_numbers(part)
        if running:
            notes.append(Note(NoteKind.INFO, None, f"{part.table.name}: cột số thứ tự chỉ đếm dòng (1, 2, 3…), "
                              "còn cách đánh số mục, tiêu chí ở đầu nội dung: dùng cách đánh số đó."))  # fmt: skip
        for r in range(part.first, part.table.grid.height):
            item = _item(part, r, running)
            if item is None:
                continue
            if r == part.first and _column_numbers(part.table.grid, r):
                notes.append(Note(NoteKind.INFO, item.where, "bỏ qua dòng đánh số cột (1, 2, 3…)."))
                continue
            if _columns(list(part.table.grid.rows[r])) == part.cols:
                continue  # the header repeated on a new page
            items.append(item)
    totals = [i for i, item in enumerate(items) if item.what is What.TOTAL]
    if totals:  # below the table's total: notes and signatures, not criteria
        last = totals[-1]
        items = items[: last + 1] + [x for x in items[last + 1 :] if x.what is What.CRITERION]
    return items


def _running_numbers(part: TablePart) -> bool:
    """The numbering column counts rows (1, 2, 3… down the table) while the text carries the
    numbering ('I. …', 'a) …'): the text's numbering is the table's."""
    if Role.NUMBER not in part.cols:
        return False
    grid, col, content = part.table.grid, part.cols[Role.NUMBER], part.cols[Role.CONTENT]
    numbers = [grid.text(r, col) for r in range(part.first, grid.height) if grid.text(r, col)]
    inside = [leading_label(grid.text(r, content))[0] for r in range(part.first, grid.height)]
    return (
        len(numbers) >= 3
        and numbers == [str(n) for n in range(1, len(numbers) + 1)]
        and any(label is not None and (label.dotted or mark_of(label.parts[0]) is not Mark.NUMBER) for label in inside)
    )


def _code_cell(text: str) -> Label | None:
    """The label of a numbering cell; a title merged into it ('I. CONG TAC') is no label."""
    label = read_label(text) if text else None
    if label is None or any(len(p) > 2 and not p.isdigit() and mark_of(p) is None for p in label.parts):
        return None
    return label


def _column_numbers(grid: Grid, r: int) -> bool:
    cells = [grid.text(r, c) for c in range(len(grid.rows[r]))]
    filled = [c for c in cells if c]
    return len(filled) >= 2 and all(re.fullmatch(r"\(?[0-9A-Za-z]{1,2}\)?", c) for c in filled)


def _item(part: TablePart, r: int, running: bool = False) -> Item | None:
    grid, cols = part.table.grid, part.cols
    if running:
        cols = {role: c for role, c in cols.items() if role is not Role.NUMBER}

    def value(role: Role) -> object:
        return grid.value(r, cols[role]) if role in cols else None

    def where(role: Role) -> Where:
        return Where(grid.name, r + 1, None if part.table.word else a1(r, cols.get(role, cols[Role.CONTENT])))

    number, lines = clean(value(Role.NUMBER)), _lines(value(Role.CONTENT))
    points = value(Role.POINTS)
    if not lines and number and _code_cell(number) is None and not _bullet(number):
        lines, number = _lines(value(Role.NUMBER)), ""  # a title merged across the row starts in its first column
    if not lines and not number and not clean(points):
        return None
    label = _code_cell(number)
    first = lines[0] if lines else ""
    inside, rest = leading_label(first)
    if label is None and not number:
        label, first = inside, rest
    elif label is not None and inside is not None and inside.parts[-1:] == label.parts[-1:]:
        first = rest  # '1' in its column and '1. Làm tốt…' in the text: said once
    body, bullets = [first], list[str]()
    for line in lines[1:]:
        (bullets if bullets or _bullet(line) else body).append(line)
    text = clean(" ".join(body))
    guide = tuple(x for x in (clean(value(Role.GUIDE)) or clean(value(Role.NOTE)), *bullets) if x)
    kind = parse_kind(clean(value(Role.KIND))) if clean(value(Role.KIND)) else None
    if label is None and _total(text):
        what = What.TOTAL
    elif label is not None:
        what = What.CRITERION
    elif _bullet(text) or _bullet(number):
        what = What.BULLET
    elif text and (kind_words(text, heading=True) or _shouted(text)):
        what = What.HEADING
    else:
        what = What.OTHER
    return Item(what, where(Role.CONTENT), label, text, points, where(Role.POINTS), kind, guide)


def _total(text: str) -> bool:
    """'Tổng cộng', 'Cộng mục I', 'Tổng điểm (I+II)', 'Tổng': a total row, not a criterion."""
    m = _TOTAL.match(text)
    if not m or len(text.split()) > 6 or kind_words(text, heading=True):
        return False
    said = m.group(1).lower()
    return said in ("tổng cộng", "cộng", "tổng điểm", "tổng số điểm") or not _key(text[m.end() :])


def _shouted(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and text == text.upper()


_BONUS_WORDS = ("diem thuong", "diem cong", "cong diem", "thuong diem", "diem khuyen khich", "diem uu tien",
                "tieu chi thuong", "cac tieu chi thuong", "noi dung thuong", "noi dung cong diem",
                "cac noi dung cong diem", "cac truong hop cong diem", "cac truong hop duoc cong diem")  # fmt: skip
_DEDUCTION_WORDS = ("diem tru", "tru diem", "bi tru diem", "diem bi tru", "cac truong hop tru diem",
                    "cac truong hop bi tru diem", "noi dung tru diem", "cac noi dung tru diem", "tieu chi tru",
                    "cac tieu chi tru")  # fmt: skip


def kind_words(text: str, *, heading: bool) -> Kind | None:
    """Bonus or deduction by the words a part's title starts with (a short title: anywhere in it)."""
    k = _key(text)
    short = heading and len(k.split()) <= 10
    found = {
        kind
        for kind, words in ((Kind.BONUS, _BONUS_WORDS), (Kind.DEDUCTION, _DEDUCTION_WORDS))
        if k.startswith(words) or (short and any(f" {w} " in f" {k} " for w in words))
    }
    return found.pop() if len(found) == 1 else None


# Points ----------------------------------------------------------------------------------------

_N = r"(\d+(?:[.,]\d+)?)"
_UNIT = r"(?:\s*(?:diem|d))?"
_PLAIN = re.compile(rf"^(?:(?:toi da|khong qua)\s*(?:la)?\s*:?\s*)?(-|\+|tru|cong)?\s*{_N}{_UNIT}\s*\.?$")
_AT_MOST = re.compile(rf"(?:toi da|khong qua)\s*(?:la)?\s*:?\s*{_N}{_UNIT}(?![0-9])")
_RANGE = re.compile(rf"^(?:tu\s*)?0\s*(?:-|den)\s*{_N}{_UNIT}$")
_IN_TEXT = re.compile(rf"\(\s*(?:toi da\s*)?(?:la\s*)?{_N}\s*(?:diem|d)\s*\)")


def read_points(raw: object) -> tuple[Decimal | None, bool]:
    """A maximum as tables write it: 10, '10 điểm', 'Tối đa 5đ', '0 - 5', '-2' (a deduction).
    (value, True); (None, True) when blank; (None, False) when it cannot be read as one number."""
    parsed = parse_number(raw)
    if parsed.kind is ValueKind.EMPTY:
        return None, True
    if parsed.value is not None:
        return parsed.value, True
    k = " ".join(fold(raw).split())
    m = _PLAIN.match(k)
    if m:
        value = _decimal(m.group(2))
        return (-value if m.group(1) in ("-", "tru") else value), True
    m = _RANGE.match(k)
    if m:
        return _decimal(m.group(1)), True
    found = {_decimal(x) for x in _AT_MOST.findall(k)}
    if len(found) == 1:
        return found.pop(), True
    return None, False


def points_in_text(text: str) -> Decimal | None:
    """'Công tác chuyên môn (30 điểm)', '… tối đa 5 điểm': the one maximum a text names, else None."""
    k = " ".join(fold(text).split())
    found = {_decimal(x) for x in _IN_TEXT.findall(k)} | {_decimal(x) for x in _AT_MOST.findall(k)}
    return found.pop() if len(found) == 1 else None


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))
