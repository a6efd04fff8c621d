"""'Qua các năm' (§7, §12): each unit's results over the bloc's earlier years beside this year's."""

from __future__ import annotations

from typing import Any

import xlsxwriter

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.report import HISTORY_KEYS, Report
from thidua_xlsx.writers.style import PLAIN_TEXT, Styles, fit_height, portrait_a4, put

FIELDS = {  # column heading and width of each field of a year
    "total": (L.H_TOTAL, 8),
    "rank": (L.H_RANK, 6),
    "rating": (L.H_RATING, 15),
    "title": (L.H_TITLE, 17),
    "award": (L.H_AWARD, 19),
}


def write_history(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Units down in ranking order; for every year a group of columns, the earlier years first."""
    years = report.history_years()
    this = report.bloc.info.year
    ws = book.add_worksheet(L.R_HISTORY)
    ws.hide_gridlines(2)
    last = 1 + len(years) * len(HISTORY_KEYS)
    title = st(bold=True, font_size=13, align="center")
    ws.merge_range(0, 0, 0, last, "KẾT QUẢ THI ĐUA CỦA CÁC ĐƠN VỊ QUA CÁC NĂM", title)
    ws.merge_range(1, 0, 1, last, f"{report.bloc.info.name} - các năm {years[0]}–{years[-1]}",
                   st(italic=True, align="center"))  # fmt: skip
    ws.merge_range(2, 0, 2, last, f"Các năm trước theo trang '{L.SHEET_HISTORY}' của tệp khối thi đua; năm {this} "
                   "theo bảng xếp hạng này" + (" (chính thức)." if report.final else " (tạm thời)."),
                   st(italic=True, font_size=10, align="center"))  # fmt: skip
    head = 4
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 30)
    for c, label in enumerate((L.UNIT_CODE, L.UNIT_NAME)):
        ws.merge_range(head, c, head + 1, c, label, st.head())
    this_fill = {"bg_color": "#FFF2CC"}  # this year stands out from the earlier ones
    for i, year in enumerate(years):
        first = 2 + i * len(HISTORY_KEYS)
        now = year == this
        group = f"Năm {year}" + (" (năm nay)" if now else "")
        ws.merge_range(head, first, head, first + len(HISTORY_KEYS) - 1, group, st.head(**(this_fill if now else {})))
        for j, key in enumerate(HISTORY_KEYS):
            label, width = FIELDS[key]
            ws.set_column(first + j, first + j, width)
            ws.write_string(head + 1, first + j, label, st.head(**(this_fill if now else {})))
    ws.set_row(head + 1, 32)
    fmts: dict[tuple[bool, bool], Any] = {
        (numeric, now): st.cell(align="center" if numeric else "left", font_size=10, **(this_fill if now else {}))
        for numeric in (True, False)
        for now in (True, False)
    }
    r = head + 2
    for u, by_year in report.history_rows():  # plain Python: pandas would cost half a second to import
        put(ws, r, 0, u.code, fmts[True, False])
        put(ws, r, 1, u.name, fmts[False, False])
        texts = [(u.name, 30)]
        for i, year in enumerate(years):
            fields = by_year.get(year, {})
            for j, key in enumerate(HISTORY_KEYS):
                value = fields.get(key)
                value = None if value == "" else value
                put(ws, r, 2 + i * len(HISTORY_KEYS) + j, value, fmts[key in ("total", "rank"), year == this])
                if key in ("rating", "title", "award") and value:
                    texts.append((str(value), FIELDS[key][1]))
        ws.set_row(r, fit_height(*texts, size=10, chars_per_unit=PLAIN_TEXT))
        r += 1
    ws.freeze_panes(head + 2, 2)
    portrait_a4(ws, repeat=(head, head + 1), landscape=True)
