"""Shared xlsxwriter look: Times New Roman, administrative header (Nghị định 30/2020/NĐ-CP)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.text import clean
from thidua_xlsx.writers.pages import RowHeights

FONT = "Times New Roman"
INPUT_FILL = "#FFF9DB"  # cells a user types into
HEAD_FILL = "#DDEBF7"
SECTION_FILL = "#F2F2F2"


class Styles:
    """Formats created once per workbook, looked up by their properties."""

    def __init__(self, book: xlsxwriter.Workbook, *, size: int = 12) -> None:
        self.book = book
        self.size = size
        self._cache: dict[tuple, Any] = {}
        self._seen: dict[tuple, Any] = {}  # by the call's own arguments: the hot path of big sheets

    def __call__(self, **props: Any) -> Any:
        seen = tuple(props.items())
        fmt = self._seen.get(seen)
        if fmt is None:
            full = {"font_name": FONT, "font_size": self.size, "valign": "vcenter", **props}
            key = tuple(sorted(full.items()))
            fmt = self._cache.get(key)
            if fmt is None:
                fmt = self._cache[key] = self.book.add_format(full)
            self._seen[seen] = fmt
        return fmt

    def dxf(self, **props: Any) -> Any:
        """A format for conditional formatting (no font defaults: it overlays the cell's)."""
        key = ("dxf", *sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self.book.add_format(props)
        return fmt

    # Common shapes
    def cell(self, **extra: Any) -> Any:
        key = ("cell", *extra.items())
        fmt = self._seen.get(key)
        if fmt is None:
            fmt = self._seen[key] = self(**{"border": 1, "text_wrap": True, **extra})
        return fmt

    def head(self, **extra: Any) -> Any:
        return self(**{"border": 1, "bold": True, "text_wrap": True, "align": "center", "bg_color": HEAD_FILL, **extra})


class Columns:
    """The columns of one table, in order: a key, the header label and the width of each.

    Positions are looked up by key, so a column moves or is added in one place.
    """

    def __init__(self, *columns: tuple[str, str, float]) -> None:
        self.keys = [key for key, _, _ in columns]
        self.labels = [label for _, label, _ in columns]
        self.widths = [width for _, _, width in columns]
        self._at = {key: c for c, key in enumerate(self.keys)}
        if len(self._at) != len(columns):
            raise ValueError(f"duplicate column keys: {self.keys}")

    def __getitem__(self, key: str) -> int:
        return self._at[key]

    @property
    def last(self) -> int:
        return len(self.keys) - 1

    def width(self, first: str, last: str | None = None) -> float:
        """Width of one column, or of the span first..last."""
        return sum(self.widths[self._at[first] : self._at[last or first] + 1])

    def span(self, first: str, last: str) -> tuple[int, int]:
        return self._at[first], self._at[last]

    def set_widths(self, ws: Worksheet) -> None:
        for c, width in enumerate(self.widths):
            ws.set_column(c, c, width)

    def write_header(self, ws: Worksheet, row: int, fmt: Any) -> None:
        for c, label in enumerate(self.labels):
            ws.write_string(row, c, label, fmt)


# Characters of 12-point Times New Roman per unit of column width. LibreOffice sets about
# 1.2 of running text and 1.1 of bold; both values leave room for word wrap and Excel.
PLAIN_TEXT = 1.15
BOLD_TEXT = 1.05
UPPER_TEXT = 0.72  # capitals with Vietnamese marks, bold: the administrative header


def fit_height(
    *texts: tuple[str, float], size: float = 12, line: float | None = None, chars_per_unit: float = BOLD_TEXT
) -> float:
    """Row height (points) for wrapped text of font `size` in columns of the given widths.

    Neither Excel nor LibreOffice re-fits a written row on opening, so estimate from the
    characters a unit of column width holds (the default suits bold text, the widest).
    """
    per_unit = chars_per_unit * 12 / size
    lines = 1
    for text, width in texts:
        per_line = max(width * per_unit - 1, 1)
        text = text if isinstance(text, str) else str(text)
        if len(text) <= per_line and "\n" not in text:  # one line: most rows of a large bloc
            continue
        n = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, n)
    return (line if line is not None else size * 1.3 + 0.5) * lines + 3


def new_workbook(path: Path | str, *, size: int = 12) -> xlsxwriter.Workbook:
    """A workbook as every writer of the tool opens one.

    Text stays text: no string is turned into a formula, a link or a number (a unit name
    "=HYPERLINK(…)" or a code "0012" is written as typed). Times New Roman of `size` points
    is the workbook's default, so blank cells and what a user types in are in it too. The
    font is not tied to the theme (font scheme "none"): the theme's body font is Calibri, and
    Excel shows a font marked as the theme's in the theme's face whatever its name.
    """
    default = {"font_name": FONT, "font_size": size, "font_scheme": "none"}
    return xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": default,
        },
    )


def admin_header(
    ws: Worksheet,
    st: Styles,
    *,
    heights: RowHeights,
    row: int,
    governing: str,
    body: str,
    left: tuple[int, int],
    right: tuple[int, int],
    left_width: float | None = None,
) -> int:
    """Two-column heading: governing body and bloc left, national name and motto right.

    With `left_width` (the left span's width) the rows grow to the wrapped names; their
    heights are set through `heights`, the sheet's record. Returns the next free row.
    """
    assert heights.ws is ws
    centre = {"align": "center", "text_wrap": True}
    span(ws, row, left, clean(governing).upper(), st(**centre))
    span(ws, row, right, L.NATIONAL_NAME, st(bold=True, **centre))
    span(ws, row + 1, left, clean(body).upper(), st(bold=True, underline=1, **centre))
    span(ws, row + 1, right, L.NATIONAL_MOTTO, st(bold=True, underline=1, **centre))
    if left_width is None:
        heights.set(row + 1, 33 if len(body) > 45 else 18)
    else:
        heights.set(row, max(18, fit_height((clean(governing), left_width), chars_per_unit=UPPER_TEXT)))
        heights.set(row + 1, max(18, fit_height((clean(body), left_width), chars_per_unit=UPPER_TEXT)))
    return row + 3


def date_line(place: str, year: int | str) -> str:
    """'Ý Yên, ngày …… tháng …… năm 2024' for a signer to complete by hand."""
    prefix = f"{clean(place)}, " if clean(place) else ""
    return f"{prefix}ngày …… tháng …… năm {year}"


def portrait_a4(ws: Worksheet, *, repeat: tuple[int, int] | None = None, landscape: bool = False) -> None:
    """A4, one page wide, margins of an administrative document, header rows repeated."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.6, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    if repeat is not None:
        ws.repeat_rows(*repeat)
    ws.set_footer('&C&"Times New Roman"&10Trang &P/&N')


def num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def put(ws: Worksheet, r: int, c: int, value: Any, fmt: Any) -> None:
    """Write a value; text always as text (a unit name '=HYPERLINK(…)' stays text)."""
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "Có" if value else "Không", fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


SIGN_HINT = "(Ký, ghi rõ họ tên)"
SIGN_ROOM = 6  # rows from a signer's first title line to the name: room for the signature


def signature(
    ws: Worksheet,
    st: Styles,
    row: int,
    *,
    left: tuple[int, int],
    right: tuple[int, int],
    left_lines: Sequence[str] = (),
    right_lines: Sequence[str] = (),
    date: str | None = None,
    signer: str | None = None,
    left_signer: str | None = None,
) -> int:
    """The block that closes a document: the date line, then each signer's lines, in two spans.

    `date` (italic) heads the right span. Under it each side prints its lines: titles in bold
    ("TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"), the hint under a title in italics when it is in
    parentheses ("(Ký, ghi rõ họ tên)"). The right signer's name, if known, is printed in bold
    under the room to sign, and so is the left one's (`left_signer`). Returns the row after the block.
    """
    first = row + (1 if date else 0)
    if date:
        span(ws, row, right, date, st(italic=True, align="center"))
    for cols, lines in ((left, left_lines), (right, right_lines)):
        for r, text in enumerate(lines, start=first):
            look = {"italic": True} if text.startswith("(") else {"bold": True}
            span(ws, r, cols, text, st(align="center", **look))
    name_row = first + max(SIGN_ROOM, len(left_lines) + 3, len(right_lines) + 3)
    for cols, name in ((left, left_signer), (right, signer)):
        if name:
            span(ws, name_row, cols, name, st(bold=True, align="center"))
    return name_row + 1


def span(ws: Worksheet, row: int, cols: tuple[int, int], text: str, fmt: Any) -> None:
    """Text across the columns cols[0]..cols[1] of one row (merged when more than one)."""
    if cols[0] == cols[1]:
        ws.write_string(row, cols[0], text, fmt)
    else:
        ws.merge_range(row, cols[0], row, cols[1], text, fmt)


def protect(ws: Worksheet, password: str = "", *, resize: bool = True) -> None:
    """Lock the sheet but for its unlocked cells; any cell can still be selected, and with
    `resize` a user may still widen columns and heighten rows to read a long text."""
    ws.protect(password, {
        "select_locked_cells": True, "select_unlocked_cells": True,
        "format_columns": resize, "format_rows": resize,
    })  # fmt: skip
