"""Planned pages for a sheet that must print like a document (the meeting minutes).

Neither Excel nor LibreOffice can keep rows together, and Excel ignores manual page breaks
under "fit to width". So a document sheet gets a fixed scale that fits its columns on the page
and page breaks placed here from the row heights, with slack: a block that must stay on one
page (the last rows of a table with the signatures that close it) moves whole to the next page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

# A4 landscape in points, and the margins portrait_a4 sets (inches).
A4_LANDSCAPE = (841.9, 595.3)
MARGINS = {"left": 0.6, "right": 0.5, "top": 0.6, "bottom": 0.6}
DIGIT_PX = 8.5  # widest digit of 12-point Times New Roman at 96 dpi, rounded up: column widths
DEFAULT_ROW_PT = 16.5  # a row left at its default height, one line of 12-point text, rounded up
SLACK = 0.88  # of the page height: the footer, and the applications' own rounding


def fitting_scale(widths: Sequence[float], *, page: tuple[float, float] = A4_LANDSCAPE) -> int:
    """The print scale (%) at which columns of these widths (characters) fit one page wide."""
    columns_pt = sum(w * DIGIT_PX + 5 for w in widths) * 0.75
    usable = page[0] - (MARGINS["left"] + MARGINS["right"]) * 72
    return max(10, min(100, math.floor(usable / columns_pt * 100)))


def plan_breaks(
    heights: Sequence[float],
    *,
    capacity: float,
    repeat: tuple[int, int] | None = None,
    keep: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """Rows (0-based) that start a new page, greedily, for rows of these heights (points).

    `repeat` rows are printed again at the top of every page after them; each `keep` block
    (first, last) is moved whole to a new page when it would be split (unless taller than a page).
    """
    repeat_pt = sum(heights[repeat[0] : repeat[1] + 1]) if repeat else 0.0
    blocks = {first: sum(heights[first : last + 1]) for first, last in keep}
    breaks: list[int] = []
    top = used = 0.0  # the page's repeated rows; all it holds so far
    for row, height in enumerate(heights):
        top_here = repeat_pt if repeat and row > repeat[1] else 0.0  # a page starting at this row
        kept_pt = blocks.get(row, 0.0)
        whole = row in blocks and top_here + kept_pt <= capacity
        if used > top and (used + height > capacity or (whole and used + kept_pt > capacity)):
            breaks.append(row)
            top = used = top_here
        used += height
    return breaks


class RowHeights:
    """The heights (points) a writer gives the rows of one sheet, recorded as it sets them.

    Every row of a document sheet is sized through `set`, so the page plan reads the heights
    back from here (xlsxwriter keeps no public record of them). A file holds a row's height in
    whole pixels (0.75 point each): the height is rounded up to one, so what is recorded is what
    the applications lay out. A row never set is counted at DEFAULT_ROW_PT.
    """

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._points: dict[int, float] = {}

    def set(self, row: int, height: float) -> None:
        pixels = math.ceil(height * 4 / 3 - 1e-9)
        self.ws.set_row_pixels(row, pixels)
        self._points[row] = pixels * 0.75

    def __getitem__(self, row: int) -> float:
        return self._points.get(row, DEFAULT_ROW_PT)


def print_as_document(
    heights: RowHeights,
    *,
    widths: Sequence[float],
    last_row: int,
    repeat: tuple[int, int] | None = None,
    keep: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """Fixed scale and planned page breaks for rows 0..last_row of the sheet (after its rows are set)."""
    scale = fitting_scale(widths)
    plan = plan_breaks(
        [heights[row] for row in range(last_row + 1)], capacity=page_capacity(scale), repeat=repeat, keep=keep
    )
    ws = heights.ws
    ws.set_print_scale(scale)  # instead of fit-to-width, under which Excel ignores the breaks
    ws.set_h_pagebreaks(plan)
    return plan


def page_capacity(scale: int) -> float:
    """Points of rows (as set, before scaling) that a landscape A4 page holds at `scale` %."""
    return (A4_LANDSCAPE[1] - (MARGINS["top"] + MARGINS["bottom"]) * 72) * SLACK * 100 / scale
