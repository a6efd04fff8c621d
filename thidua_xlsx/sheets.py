"""Values-only access to workbook sheets through python-calamine, with A1 addresses."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import python_calamine as pc

from .text import clean

# Caps that keep a hostile or absurd sheet from eating memory: a return is a few
# hundred rows; a bloc of a province still fits well inside these.
MAX_ROWS = 20_000
MAX_COLS = 200
MAX_CELLS = 2_000_000  # cells converted to Python from one sheet, however wide it is


def rows_to_read(height: int, width: int) -> int:
    """How many rows of a sheet to convert: at most MAX_ROWS, and few enough that a very
    wide sheet (calamine converts whole rows) stays within MAX_CELLS."""
    return max(0, min(height, MAX_ROWS, max(1, MAX_CELLS // max(width, 1))))


@functools.lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """0-based column index → letters: 0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based (row, col) → 'B7'."""
    return f"{column_letter(col)}{row + 1}"


@dataclass(frozen=True, slots=True)
class Grid:
    """A sheet's values from A1, rows as lists (ragged rows are padded on access)."""

    name: str
    rows: Sequence[Sequence[object]]
    truncated: bool = False

    @property
    def height(self) -> int:
        return len(self.rows)

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            if 0 <= col < len(r):
                return r[col]
        return None

    def text(self, row: int, col: int) -> str:
        return clean(self.value(row, col))

    def find_header(self, labels: Iterable[str], *, max_rows: int = 80) -> tuple[int, dict[str, int]] | None:
        """First row holding every label (NFC, trimmed): (row, {label: col}), 0-based."""
        wanted = list(labels)
        for r in range(min(max_rows, len(self.rows))):
            cells: dict[str, int] = {}
            for c, v in enumerate(self.rows[r]):
                t = clean(v)
                if t and t not in cells:
                    cells[t] = c
            if all(label in cells for label in wanted):
                return r, {label: cells[label] for label in wanted}
        return None

    def find_header_loose(self, labels: Iterable[str], key, *, max_rows: int = 80) -> tuple[int, dict[str, int]] | None:
        """Like find_header, comparing labels after `key` (e.g. text.fold)."""
        wanted = {key(label): label for label in labels}
        for r in range(min(max_rows, len(self.rows))):
            found: dict[str, int] = {}
            for c, v in enumerate(self.rows[r]):
                k = key(v)
                if k in wanted and wanted[k] not in found:
                    found[wanted[k]] = c
            if len(found) == len(wanted):
                return r, found
        return None


def open_workbook(source: Path | bytes) -> pc.CalamineWorkbook:
    """Open from a path or from bytes (a member of a zip archive)."""
    if isinstance(source, bytes | bytearray):
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(source))
    return pc.CalamineWorkbook.from_path(str(source))


def read_grid(book: pc.CalamineWorkbook, name: str) -> Grid:
    """A sheet's values from A1, capped at MAX_ROWS × MAX_COLS."""
    sheet = book.get_sheet_by_name(name)
    end = sheet.end
    height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
    rows = sheet.to_python(skip_empty_area=False, nrows=rows_to_read(height, width)) if height else []
    if width > MAX_COLS:
        rows = [r[:MAX_COLS] for r in rows]
    return Grid(name=name, rows=rows, truncated=height > MAX_ROWS or width > MAX_COLS)


def sheet_names(book: pc.CalamineWorkbook) -> list[str]:
    return list(book.sheet_names)
