"""A sheet's values as rows, with A1 addresses: the shape every reader hands on."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from thidua_xlsx.core.text import clean


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
