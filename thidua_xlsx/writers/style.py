"""Shared xlsxwriter look: Times New Roman, administrative header (Nghị định 30/2020/NĐ-CP)."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.model import BlocInfo
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
        fmt = self._seen.get(("cell", *extra.items()))
        if fmt is None:
            fmt = self._seen[("cell", *extra.items())] = self(**{"border": 1, "text_wrap": True, **extra})
        return fmt

    def head(self, **extra: Any) -> Any:
        return self(**{"border": 1, "bold": True, "text_wrap": True, "align": "center", "bg_color": HEAD_FILL, **extra})


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

    def span(r: int, cols: tuple[int, int], text: str, fmt: Any) -> None:
        if cols[0] == cols[1]:
            ws.write_string(r, cols[0], text, fmt)
        else:
            ws.merge_range(r, cols[0], r, cols[1], text, fmt)

    centre = {"align": "center", "text_wrap": True}
    span(row, left, clean(governing).upper(), st(**centre))
    span(row, right, L.NATIONAL_NAME, st(bold=True, **centre))
    span(row + 1, left, clean(body).upper(), st(bold=True, underline=1, **centre))
    span(row + 1, right, L.NATIONAL_MOTTO, st(bold=True, underline=1, **centre))
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


def signature(
    ws: Worksheet, st: Styles, info: BlocInfo, row: int, left: tuple[int, int], right: tuple[int, int]
) -> int:
    """Date line and the bloc leader's signature block, as the launch document signs.

    Returns the row after the block.
    """

    def span(r: int, cols: tuple[int, int], text: str, fmt: Any) -> None:
        if cols[0] == cols[1]:
            ws.write_string(r, cols[0], text, fmt)
        else:
            ws.merge_range(r, cols[0], r, cols[1], text, fmt)

    centre = {"align": "center"}
    span(row, right, date_line(info.place, info.year), st(italic=True, **centre))
    span(row + 1, left, "NGƯỜI LẬP BIỂU", st(bold=True, **centre))
    span(row + 1, right, "TM. KHỐI THI ĐUA", st(bold=True, **centre))
    span(row + 2, right, "TRƯỞNG KHỐI", st(bold=True, **centre))
    if info.signer_title:
        span(row + 3, right, info.signer_title.upper(), st(bold=True, **centre))
    if info.signer:
        span(row + 7, right, info.signer, st(bold=True, **centre))
    return row + 8
