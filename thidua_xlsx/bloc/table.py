"""A table of the bloc workbook: its header found by label, its cells read with problems noted."""

from __future__ import annotations

from decimal import Decimal

from thidua_xlsx.core.errors import Problem
from thidua_xlsx.core.grid import Grid, a1
from thidua_xlsx.core.numbers import ValueKind, parse_number
from thidua_xlsx.core.text import clean, fold


class BlocTable:
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

    def optional(self, labels: tuple[str, ...] | list[str]) -> None:
        """Also read these columns when the header row has them (a workbook from before they
        existed has none: no such condition, as with blank cells)."""
        if self.head is None:
            return
        for label in labels:
            key = fold(label)
            col = next((c for c, v in enumerate(self.grid.rows[self.head]) if fold(v) == key), None)
            if col is not None:
                self.cols[label] = col

    def has(self, label: str) -> bool:
        return label in self.cols

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
