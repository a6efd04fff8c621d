"""Values-only access to workbook sheets through python-calamine."""

from __future__ import annotations

import io
from pathlib import Path

import python_calamine as pc

from thidua_xlsx.core.grid import Grid

# Caps that keep a hostile or absurd sheet from eating memory: a return is a few
# hundred rows; a bloc of a province still fits well inside these.
MAX_ROWS = 20_000
MAX_COLS = 200
MAX_CELLS = 2_000_000  # cells converted to Python from one sheet, however wide it is


def rows_to_read(height: int, width: int) -> int:
    """How many rows of a sheet to convert: at most MAX_ROWS, and few enough that a very
    wide sheet (calamine converts whole rows) stays within MAX_CELLS."""
    return max(0, min(height, MAX_ROWS, max(1, MAX_CELLS // max(width, 1))))


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
