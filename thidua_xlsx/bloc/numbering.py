"""How blocs number their criteria, read into full codes.

Two ways, mixed freely: dotted codes (`1`, `1.2`, `2.1.a`) name their own place; own numbering
(`I`, `1.`, `a)`) takes its place from the rows above it, as a reader of the table does: Roman
numerals above numbers above letters, numbers restarting under each section. Either way each
row gets a full code (`I.1`, `II.2.a`), the one templates, messages and reports use.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from thidua_xlsx.core.text import clean

_PART = re.compile(r"^[0-9A-Za-zĐđ]+$")
_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")  # I to XXXIX: more sections than any bloc has
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
# Vietnamese lists run a, b, c, d, đ, e, g, …: letters sort in that order, not by code point.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_RANK = {ch: i for i, ch in enumerate(_LETTERS)}
# An uppercase I, V or X right after H, U, V or W is the next letter of a list of letters.
_LETTER_BEFORE = {"I": {"H"}, "V": {"U"}, "X": {"V", "W"}}


class Mark(enum.Enum):
    """The kind of own numbering of a row; the value is its rank, outermost first."""

    UPPER = 0  # A, B: parts above Roman sections
    ROMAN = 1  # I, II
    NUMBER = 2  # 1, 2
    LETTER = 3  # a, b

    @property
    def words(self) -> str:
        return _MARK_WORDS[self]


_MARK_WORDS = {
    Mark.UPPER: "chữ in hoa (A, B, …)",
    Mark.ROMAN: "số La Mã (I, II, …)",
    Mark.NUMBER: "số (1, 2, …)",
    Mark.LETTER: "chữ cái (a, b, …)",
}

HEADING_RANK = -1  # a heading of the table without numbering (import only): above every mark


@dataclass(frozen=True, slots=True)
class Label:
    """A code as written, cut into its parts: '1.' → ('1',), 'a)' → ('a',), '2.1.a' → ('2', '1', 'a')."""

    parts: tuple[str, ...]
    written: str

    @property
    def dotted(self) -> bool:
        return len(self.parts) > 1


def read_label(value: object) -> Label | None:
    """The label in a code cell, or None when it is not a code (blank, '1,2', 'mục 1')."""
    written = clean(value)
    text = written.replace(" ", "")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    text = text.rstrip(".)")  # '1.', 'a)', 'I.', '1.1.': the punctuation is not part of the code
    if not text:
        return None
    parts = tuple(text.split("."))
    if not all(_PART.match(p) for p in parts):
        return None
    return Label(parts, written)


def is_roman(part: str) -> bool:
    return bool(part) and _ROMAN.match(part) is not None


def roman_value(part: str) -> int:
    values = [_ROMAN_VALUES[ch] for ch in part]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


@functools.lru_cache(maxsize=4096)  # the same few parts, row after row
def mark_of(part: str, *, after: str | None = None) -> Mark | None:
    """The kind of numbering of one part; `after` is the uppercase letter numbered last, so
    that I after H is a letter, not one."""
    if part.isdigit():
        return Mark.NUMBER
    if is_roman(part) and not (after and after in _LETTER_BEFORE.get(part, ())):
        return Mark.ROMAN
    if len(part) == 1 and part.isalpha():
        return Mark.UPPER if part.isupper() else Mark.LETTER
    return None


@dataclass(frozen=True, slots=True)
class Placed:
    """A row's full code. `mark` is set for own numbering, whose `parent` is the row the outline
    put it under; a dotted code (mark None) finds its parent by its prefix, as it always has."""

    code: str
    parent: str | None
    mark: Mark | None


class Outline:
    """Reads labels in row order into full codes, keeping the rows still open above the next one."""

    def __init__(self) -> None:
        self._open: list[tuple[int, str]] = []  # (rank, full code), outermost first
        self._upper: str | None = None  # the last uppercase letter numbered (A, B …)

    def place(self, label: Label) -> Placed:
        first = label.parts[0]
        mark = mark_of(first, after=self._upper)
        if not label.dotted and mark is not None:
            parent = self._close(mark.value)
            code = f"{parent}.{first}" if parent else first
            self._open.append((mark.value, code))
            if mark is Mark.UPPER:
                self._upper = first
            return Placed(code, parent, mark)
        # A dotted code under a section of own numbering counts from it: '1.1' under 'II' is II.1.1.
        base = self._close(mark.value) if mark is not None else None
        if mark is None:
            self._open = []
        # Its prefixes stay open: an 'a)' after '2.1.a' is 2.1.b, a '3' after it closes them all.
        for n in range(1, len(label.parts) + 1):
            part = mark_of(label.parts[n - 1])
            prefix = ".".join((base, *label.parts[:n]) if base else label.parts[:n])
            self._open.append((part.value if part is not None else Mark.NUMBER.value, prefix))
        return Placed(self._open[-1][1], None, None)

    def heading(self, code: str) -> None:
        """Open a top-level heading that holds whatever follows until the next heading."""
        self._open = [(HEADING_RANK, code)]

    def _close(self, rank: int) -> str | None:
        """Close the open rows at `rank` and below; the innermost still open is the parent."""
        while self._open and self._open[-1][0] >= rank:
            self._open.pop()
        return self._open[-1][1] if self._open else None


def prefix_parent(code: str, codes: Container[str]) -> str | None:
    """The longest code among `codes` that is a dotted prefix of `code`."""
    parts = code.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in codes:
            return candidate
    return None


def code_key(code: str) -> tuple:
    """Natural order of full codes: 1 < 1.2 < 1.10 < 2; I < II < IV < IX; a < b < đ < e."""
    return tuple(_part_key(p) for p in code.split("."))


@functools.lru_cache(maxsize=4096)
def _part_key(part: str) -> tuple[int, int, str]:
    if part.isdigit():
        return (0, int(part), "")
    if is_roman(part):
        return (0, roman_value(part), part)
    return (1, _LETTER_RANK.get(part.lower(), len(_LETTERS)), part.lower())


@dataclass(frozen=True, slots=True)
class Shape:
    """Where a row sits in the tree, for writing the sheet: its full code, depth and whether it is a section."""

    code: str | None
    depth: int
    section: bool


def shapes(values: Iterable[object]) -> list[Shape]:
    """The tree of a 'Tiêu chí' column of codes, read as `read_criteria` reads it (rows whose
    code cannot be read sit at depth 0)."""
    outline = Outline()
    placed: list[Placed | None] = []
    for value in values:
        label = read_label(value)
        placed.append(outline.place(label) if label else None)
    parents = tree_parents([p for p in placed if p is not None])
    has_children = set(parents.values())
    out = []
    for p in placed:
        if p is None:
            out.append(Shape(None, 0, False))
            continue
        depth, up = 0, parents.get(p.code)
        while up is not None and depth < 20:
            depth, up = depth + 1, parents.get(up)
        out.append(Shape(p.code, depth, p.code in has_children))
    return out


def tree_parents(placed: Sequence[Placed]) -> dict[str, str | None]:
    """Each full code's parent: the outline's for own numbering, else the longest prefix among the codes."""
    codes = {p.code for p in placed}
    # An own number right after a dotted code counts from its prefix, which may not be a row.
    return {p.code: p.parent if p.parent in codes else prefix_parent(p.code, codes) for p in placed}
