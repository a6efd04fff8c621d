"""The hidden '_thidua' sheet of the workbooks the tool makes: key | value rows, read by key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import Grid, a1

MAX_META_ROWS = 60


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a '_thidua' sheet says, and where each value sits (for messages)."""

    sheet: str
    values: Mapping[str, str]
    cells: Mapping[str, str]

    def get(self, key: L.MetaKey) -> str:
        return self.values.get(key.value, "")

    def cell(self, key: L.MetaKey) -> str | None:
        return self.cells.get(key.value)

    @property
    def form(self) -> str:
        return self.get(L.MetaKey.FORM)


def read_metadata(grid: Grid) -> Metadata:
    """Key | value pairs from the first rows of `grid`; the first occurrence of a key wins."""
    values: dict[str, str] = {}
    cells: dict[str, str] = {}
    for r in range(min(grid.height, MAX_META_ROWS)):
        key = grid.text(r, 0)
        if key and key not in values:
            values[key] = grid.text(r, 1)
            cells[key] = a1(r, 1)
    return Metadata(sheet=grid.name, values=values, cells=cells)
