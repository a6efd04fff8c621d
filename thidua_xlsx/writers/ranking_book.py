"""The print-ready ranking workbook (PRODUCT.md §7), written with xlsxwriter, atomically."""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlsxwriter

from thidua_xlsx.bloc.next_year import carry_rows
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.report import Report, Status, UnitResult
from thidua_xlsx.core.version import VERSION as __version__
from thidua_xlsx.writers.atomic import atomic_path
from thidua_xlsx.writers.meta import write_meta_sheet
from thidua_xlsx.writers.pages import DEFAULT_ROW_PT, RowHeights, fitting_scale, page_capacity, print_as_document
from thidua_xlsx.writers.ranking_sheets import (
    detail_chunks,
    write_checks,
    write_detail,
    write_submissions,
    write_targets,
    write_titles,
)
from thidua_xlsx.writers.review_sheets import write_minutes, write_review_lists, write_review_sheets
from thidua_xlsx.writers.style import (
    FONT,
    PLAIN_TEXT,
    Columns,
    Styles,
    admin_header,
    date_line,
    fit_height,
    new_workbook,
    num,
    portrait_a4,
    put,
    signature,
)

# Narrow enough that the page prints at about 85 %: the scores need 7 characters, the texts wrap.
COLUMNS = Columns(
    ("stt", "STT", 4), ("rank", "Hạng", 6), ("code", "Mã đơn vị", 9), ("name", "Tên đơn vị", 25),
    ("base", "Điểm chuẩn", 7), ("bonus", "Điểm thưởng", 7), ("deduction", "Điểm trừ", 6), ("total", "Tổng điểm", 7),
    ("rating", "Xếp loại đơn vị", 14), ("proposal", "Đề nghị khen thưởng", 19), ("note", "Ghi chú", 30),
)  # fmt: skip
# The final ranking shows each unit's self total beside the sums the meeting's scores give.
FINAL_COLUMNS = Columns(
    ("stt", "STT", 4), ("rank", "Hạng", 6), ("code", "Mã đơn vị", 9), ("name", "Tên đơn vị", 23),
    ("self", "Tổng điểm tự chấm", 8), ("base", "Điểm chuẩn", 7), ("bonus", "Điểm thưởng", 7),
    ("deduction", "Điểm trừ", 6), ("total", "Tổng điểm", 7), ("rating", "Xếp loại đơn vị", 13),
    ("proposal", "Đề nghị khen thưởng", 18), ("note", "Ghi chú", 30),
)  # fmt: skip
CHART_SHEET = "Biểu đồ tổng điểm"  # the chart's own sheet, last, when it does not fit above the signatures
BAR_PX = 16  # a unit's bar with its gap (labels of 10 points)
# Rows under the chart, sized (a row of xlsxwriter's default 15 points would be left unsized in the file).
CHART_ROW_PT = DEFAULT_ROW_PT


def columns(report: Report) -> Columns:
    """The columns of 'Xếp hạng': the final ranking adds each unit's self total."""
    return FINAL_COLUMNS if report.final else COLUMNS


def title_text(report: Report) -> str:
    year = report.bloc.info.year
    final = " (CHÍNH THỨC)" if report.final else ""
    return f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA NĂM {year}{final}"


def subtitle_text(report: Report) -> str:
    if report.final:
        return "(Kết quả chính thức sau bình xét, suy tôn của khối)"
    return "(Kết quả tạm thời theo điểm tự chấm của các đơn vị, trước khi khối bình xét)"


def _ranking_sheet(book: xlsxwriter.Workbook, st: Styles, report: Report) -> Any:
    """'Xếp hạng'; returns the chart of totals when it must go on a sheet of its own."""
    ws = book.add_worksheet(L.R_RANKING)
    ws.hide_gridlines(2)
    heights = RowHeights(ws)  # every row's height is set through it: the page plan reads them back
    info = report.bloc.info
    cols = columns(report)
    # The administrative header and the signatures: left over the unit's name, right from its total.
    left, right = cols.span("stt", "name"), cols.span("total", "note")
    last = cols.last
    cols.set_widths(ws)
    admin_header(
        ws,
        st,
        heights=heights,
        row=0,
        governing=info.governing_body,
        body=info.name,
        left=left,
        right=right,
        left_width=cols.width("stt", "name"),
    )
    ws.merge_range(3, 0, 3, last, title_text(report), st(bold=True, font_size=14, align="center"))
    ws.merge_range(4, 0, 4, last, subtitle_text(report), st(italic=True, align="center"))
    head = 6
    cols.write_header(ws, head, st.head())
    heights.set(head, max(33, fit_height(*zip(cols.labels, cols.widths, strict=True), size=11)))
    r = head + 1
    ranked = [u for u in report.units if u.status is Status.RANKED]
    fmts = _row_formats(st)
    for i, u in enumerate(ranked, start=1):
        _unit_row(heights, cols, fmts, r, i, u)
        r += 1
    first_data, last_ranked = head + 1, r - 1
    unranked = [u for u in report.units if u.status is not Status.RANKED]
    unranked_head = r
    if unranked:
        ws.merge_range(r, 0, r, last, "CÁC ĐƠN VỊ CHƯA ĐƯỢC XẾP HẠNG", st.cell(bold=True, bg_color="#FCE4D6"))
        r += 1
        for i, u in enumerate(unranked, start=len(ranked) + 1):
            _unit_row(heights, cols, fmts, r, i, u)
            r += 1
    table_last = r - 1
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    n_err = sum(1 for u in report.units if u.status is Status.ERROR)
    n_miss = sum(1 for u in report.units if u.status is Status.MISSING)
    summary = (
        f"Tổng số {len(report.units)} đơn vị: {len(ranked)} đơn vị được xếp hạng, {n_err} đơn vị có lỗi, "
        f"{n_miss} đơn vị chưa nộp. Kiểm tra: {errors} lỗi, {warnings} cảnh báo (xem trang '{L.R_CHECKS}')."
    )
    ws.merge_range(r + 1, 0, r + 1, last, summary, st(italic=True, text_wrap=True))
    heights.set(r + 1, 32)
    r += 3
    chart = _chart(book, cols, first_data, last_ranked, len(ranked)) if ranked else None
    sign_rows = 9  # date line, up to four title lines, room to sign, name
    chart_rows = _chart_rows(len(ranked))
    block_pt = 33 + chart_rows * CHART_ROW_PT + sign_rows * DEFAULT_ROW_PT  # under the repeated header
    inline = chart is not None and block_pt <= page_capacity(fitting_scale(cols.widths))
    chart_row = r
    if inline:  # above the signatures, which close the document; a whole page holds both
        for row in range(chart_row, chart_row + chart_rows):
            heights.set(row, CHART_ROW_PT)
        ws.insert_chart(chart_row, cols["rank"], chart, {"x_offset": 4, "y_offset": 4, "object_position": 1})
        r += chart_rows + 1
    end = signature(
        ws, st, r, left=left, right=right, date=date_line(info.place, info.year),
        left_lines=["NGƯỜI LẬP BIỂU"],
        right_lines=["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", *([info.signer_title.upper()] if info.signer_title else [])],
        signer=info.signer or None,
    )  # fmt: skip
    # The signatures never print alone: the table's last two rows go with them (and the chart between)
    # when a page holds them all, else the chart alone does.
    keep_from = max(head + 1, table_last - 1)
    if unranked and keep_from <= unranked_head + 1:  # that table's heading goes with its rows
        keep_from = unranked_head
    block = heights[head] + sum(heights[row] for row in range(keep_from, end))
    if inline and block > page_capacity(fitting_scale(cols.widths)):
        keep_from = chart_row
    ws.freeze_panes(head + 1, 0)
    portrait_a4(ws, repeat=(head, head), landscape=True)
    ws.print_area(0, 0, end - 1, last)
    print_as_document(heights, widths=cols.widths, last_row=end - 1, repeat=(head, head), keep=[(keep_from, end - 1)])
    ws.activate()
    return None if inline else chart


def _row_formats(st: Styles) -> dict[str, Any]:
    """Formats of a unit row, looked up once per sheet (a bloc may have thousands of rows)."""
    grey = {"font_color": "#7F7F7F"}
    return {
        "num": st.cell(align="center"), "text": st.cell(), "total": st.cell(align="center", bold=True),
        "num_grey": st.cell(align="center", **grey), "text_grey": st.cell(**grey),
        "proposal": st.cell(bold=True, font_color="#375623"), "vote": st.cell(italic=True, font_color="#9C5700"),
    }  # fmt: skip


def _unit_row(heights: RowHeights, cols: Columns, fmts: dict[str, Any], r: int, stt: int, u: UnitResult) -> None:
    ws = heights.ws
    ranked = u.status is Status.RANKED
    numf, textf = (fmts["num"], fmts["text"]) if ranked else (fmts["num_grey"], fmts["text_grey"])
    rating = u.rating.label if u.rating else ""
    proposal_fmt = fmts["proposal"] if u.proposal else fmts["vote"] if u.needs_vote else textf
    cells: dict[str, tuple[Any, Any]] = {  # column: (value, format)
        "stt": (stt, numf),
        "rank": ((f"{u.rank} (đồng hạng)" if u.tie else u.rank) if ranked else "—", numf),
        "code": (u.code, textf),
        "name": (u.name, textf),
        "base": (num(u.base), numf),
        "bonus": (num(u.bonus), numf),
        "deduction": (num(u.deduction), numf),
        "self": (num(u.self_total), numf),
        "total": (num(u.total), fmts["total"] if ranked else numf),
        "rating": (rating, textf),
        "proposal": (u.proposal or ("Chờ khối bỏ phiếu" if u.needs_vote else ""), proposal_fmt),
        "note": (u.note, textf),
    }
    for key, (value, fmt) in cells.items():
        if key in cols.keys:
            put(ws, r, cols[key], value, fmt)
    wrapped = ("note", "name", "proposal", "rating", "rank")
    texts = [(str(cells[key][0]), cols.width(key)) for key in wrapped]
    heights.set(r, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT))


def _chart_rows(n: int) -> int:
    """Rows of CHART_ROW_PT the chart of n bars takes on 'Xếp hạng' (its height, then a margin)."""
    return math.ceil(_chart_height(n) * 0.75 / CHART_ROW_PT) + 1


def _chart_height(n: int) -> int:
    return 70 + BAR_PX * n


def _chart(book: xlsxwriter.Workbook, cols: Columns, first: int, last: int, n: int) -> Any:
    """Bars of the ranked units' totals, the first on top, the value axis from zero."""
    font = {"name": FONT, "size": 10}
    chart = book.add_chart({"type": "bar"})
    sheet = L.R_RANKING
    chart.add_series({
        "name": "Tổng điểm",
        "categories": [sheet, first, cols["name"], last, cols["name"]],
        "values": [sheet, first, cols["total"], last, cols["total"]],
        "fill": {"color": "#2F5597"},
        "data_labels": {"value": True, "num_format": "General", "font": font},
        "gap": 40,
    })  # fmt: skip
    chart.set_title({"name": "Tổng điểm thi đua của các đơn vị", "name_font": {"name": FONT, "size": 12}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True, "num_font": font})
    chart.set_x_axis({
        "min": 0,  # bars from zero: their lengths compare the totals honestly
        "num_font": font,
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    })  # fmt: skip
    # As wide as the columns it lies over (xlsxwriter anchors it to cells: a character of width is 7
    # pixels and a column has 5 more), so it prints inside the table's width wherever it sits.
    table_px = sum(int(w * 7 + 0.5) + 5 for w in cols.widths[cols["rank"] :])
    chart.set_size({"width": table_px - 8, "height": _chart_height(n)})
    return chart


def _meta(book: xlsxwriter.Workbook, report: Report) -> None:
    info = report.bloc.info
    values = {
        "form": L.RANKING_FORM_ID, "format_version": str(L.FORMAT_VERSION), "bloc": info.name,
        "year": str(info.year), "fingerprint": report.bloc.fingerprint,
        "generated_at": report.created.isoformat(timespec="seconds"), "tool_version": __version__,
        "final": "1" if report.final else "0",
    }  # fmt: skip
    write_meta_sheet(book, values, L.RANKING_META_KEYS)  # as text: the review reader compares text


def _carry(book: xlsxwriter.Workbook, report: Report) -> None:
    """Hidden '_khoi': the bloc and this year's final results, for next year's `init --from`."""
    meeting = report.meeting
    rows = carry_rows(
        report.bloc,
        (report.this_year(u) for u in report.units),
        meeting.next_leader if meeting else None,
        meeting.next_deputy if meeting else None,
    )
    ws = book.add_worksheet(L.SHEET_CARRY)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                ws.write_string(r, c, value)
    ws.hide()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the workbook is built.

    The writer makes about a hundred small objects per unit (cells, rows) and drops them all
    at close; the collector would walk them again and again for cycles that are not there
    (a tenth of the write at 10,000 units). Restored as it was, even on error.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_ranking(report: Report, path: Path | str) -> Path:
    """Write the ranking workbook to `path` (temporary file, then rename)."""
    path = Path(path)
    with _collector_paused(), atomic_path(path) as tmp:
        book = new_workbook(tmp)
        st = Styles(book, size=11)
        chart = _ranking_sheet(book, st, report)
        chunks = detail_chunks(report)
        write_detail(book, st, report, chunks[0])
        write_targets(book, st, report)
        write_titles(book, st, report)
        write_checks(book, st, report)
        write_submissions(book, st, report)
        write_review_sheets(book, st, report)  # 'Bình xét' and 'Điều chỉnh điểm': the last of RANKING_SHEETS
        if report.bloc.history:  # after them all (§7)
            from thidua_xlsx.writers.history_sheet import write_history

            write_history(book, st, report)
        for part, units in enumerate(chunks[1:], start=2):  # only a bloc of over 16,000 units
            write_detail(book, st, report, units, part)
        if report.final:
            write_minutes(book, st, report)
        write_review_lists(book, report)
        _meta(book, report)
        if report.final:
            _carry(book, report)
        if chart is not None:  # too tall for the page it would share with the signatures
            sheet = book.add_chartsheet(CHART_SHEET)
            sheet.set_chart(chart)
            sheet.set_paper(9)
            sheet.set_landscape()
        kind = "chính thức" if report.final else "tạm thời"
        book.set_properties({
            "title": f"Xếp hạng thi đua năm {report.bloc.info.year} ({kind})",
            "subject": report.bloc.info.name, "comments": L.RANKING_FORM_ID,
        })  # fmt: skip
        book.close()
    return path
