"""Planned page breaks for document sheets (the minutes): pages never overflow, the kept block
is never split when it fits a page, and repeated header rows are counted on every later page."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_xlsx.writers.pages import fitting_scale, plan_breaks


def pages(heights: list[float], breaks: list[int]) -> list[range]:
    edges = [0, *breaks, len(heights)]
    return [range(a, b) for a, b in pairwise(edges)]


@pytest.mark.parametrize(
    ("heights", "capacity", "repeat", "keep", "expected"),
    [
        ([10] * 10, 100, None, [], []),  # all fits
        ([10] * 25, 100, None, [], [10, 20]),
        ([10] * 25, 100, (2, 2), [], [10, 19]),  # from page 2 on, the header takes 10
        ([10] * 12, 100, None, [(8, 11)], [8]),  # the block of 4 would be split at 10: it moves
        ([10] * 12, 100, None, [(1, 11)], [10]),  # a block taller than a page is split as usual
        ([10] * 20, 100, None, [(8, 11), (15, 19)], [8, 15]),  # each block moves whole
        ([150, 10, 10], 100, None, [], [1]),  # a row taller than a page gets a page of its own
    ],
)
def test_breaks(heights, capacity, repeat, keep, expected) -> None:
    assert plan_breaks(heights, capacity=capacity, repeat=repeat, keep=keep) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(min_value=5, max_value=120), min_size=1, max_size=80),
    st.floats(min_value=130, max_value=600),
    st.data(),
)
def test_no_page_overflows_and_the_kept_block_stays_whole(heights, capacity, data) -> None:
    n = len(heights)
    head = data.draw(st.integers(0, n - 1))
    first = data.draw(st.integers(0, n - 1))
    keep = (first, data.draw(st.integers(first, n - 1)))
    breaks = plan_breaks(heights, capacity=capacity, repeat=(head, head), keep=[keep])
    assert breaks == sorted(set(breaks)) and all(0 < b < n for b in breaks)
    for page in pages(heights, breaks):
        top = heights[head] if page.start > head else 0
        used = top + sum(heights[i] for i in page)
        assert used <= capacity or len(page) == 1, (page, used)
    kept = heights[head] * (keep[0] > head) + sum(heights[keep[0] : keep[1] + 1])
    if kept <= capacity:
        assert not [b for b in breaks if keep[0] < b <= keep[1]]


def test_the_scale_fits_the_columns_and_never_enlarges() -> None:
    assert fitting_scale([10, 10]) == 100
    wide = fitting_scale([6, 10, 34, 11, 11, 9, 30, 34])
    assert 60 <= wide < 100
    assert fitting_scale([6, 10, 34, 11, 11, 9, 30, 34, 40]) < wide


def test_the_plan_reads_the_heights_as_recorded_and_written(tmp_path) -> None:
    import openpyxl
    import xlsxwriter

    from thidua_xlsx.writers.pages import DEFAULT_ROW_PT, RowHeights, page_capacity, print_as_document

    book = xlsxwriter.Workbook(tmp_path / "h.xlsx")
    heights = RowHeights(book.add_worksheet())
    for row, height in ((2, 30), (3, 200), (5, 31.9)):
        heights.set(row, height)
    # Whole pixels, rounded up: the height the file holds.
    assert (heights[2], heights[3], heights[4], heights[5]) == (30, 200.25, DEFAULT_ROW_PT, 32.25)
    rows = [heights[r] for r in range(60)]
    widths = [10] * 8
    expected = plan_breaks(rows, capacity=page_capacity(fitting_scale(widths)), keep=[(40, 45)])
    assert print_as_document(heights, widths=widths, last_row=59, keep=[(40, 45)]) == expected
    assert 40 in expected  # the kept block moved whole to the next page
    book.close()
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx").active
    assert {r - 1: d.height for r, d in ws.row_dimensions.items() if d.height} == {2: 30, 3: 200.25, 5: 32.25}
    assert [b.id for b in ws.row_breaks.brk] == expected
