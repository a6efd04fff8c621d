"""The print-ready ranking workbook (PRODUCT.md §7), written with xlsxwriter, atomically."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.report import Report, Status, UnitResult
from thidua_xlsx.core.version import VERSION as __version__
from thidua_xlsx.writers.atomic import atomic_path
from thidua_xlsx.writers.meta import write_meta_sheet
from thidua_xlsx.writers.pages import RowHeights, print_as_document
from thidua_xlsx.writers.ranking_sheets import (
    detail_chunks,
    write_checks,
    write_detail,
    write_submissions,
    write_targets,
    write_titles,
)
from thidua_xlsx.writers.review_sheets import write_minutes, write_review
from thidua_xlsx.writers.style import (
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

COLUMNS = Columns(
    ("stt", "STT", 5), ("rank", "Hạng", 7), ("code", "Mã đơn vị", 10), ("name", "Tên đơn vị", 34),
    ("base", "Điểm chuẩn", 9), ("bonus", "Điểm thưởng", 9), ("deduction", "Điểm trừ", 9), ("total", "Tổng điểm", 9),
    ("rating", "Xếp loại đơn vị", 20), ("proposal", "Đề nghị khen thưởng", 26), ("note", "Ghi chú", 48),
)  # fmt: skip
# The administrative header and the signatures: left over the unit's name, right from its total.
LEFT, RIGHT = COLUMNS.span("stt", "name"), COLUMNS.span("total", "note")


def title_text(report: Report) -> str:
    year = report.bloc.info.year
    final = " (CHÍNH THỨC)" if report.final else ""
    return f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA NĂM {year}{final}"


def subtitle_text(report: Report) -> str:
    if report.final:
        return "(Kết quả chính thức sau bình xét, suy tôn của khối)"
    return "(Kết quả tạm thời theo điểm tự chấm của các đơn vị, trước khi khối bình xét)"


def _ranking_sheet(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    ws = book.add_worksheet(L.R_RANKING)
    ws.hide_gridlines(2)
    heights = RowHeights(ws)  # every row's height is set through it: the page plan reads them back
    info = report.bloc.info
    last = COLUMNS.last
    COLUMNS.set_widths(ws)
    admin_header(
        ws,
        st,
        heights=heights,
        row=0,
        governing=info.governing_body,
        body=info.name,
        left=LEFT,
        right=RIGHT,
        left_width=COLUMNS.width("stt", "name"),
    )
    ws.merge_range(3, 0, 3, last, title_text(report), st(bold=True, font_size=14, align="center"))
    ws.merge_range(4, 0, 4, last, subtitle_text(report), st(italic=True, align="center"))
    head = 6
    COLUMNS.write_header(ws, head, st.head())
    heights.set(head, 33)
    r = head + 1
    ranked = [u for u in report.units if u.status is Status.RANKED]
    fmts = _row_formats(st)
    for i, u in enumerate(ranked, start=1):
        _unit_row(heights, fmts, r, i, u)
        r += 1
    first_data, last_ranked = head + 1, r - 1
    unranked = [u for u in report.units if u.status is not Status.RANKED]
    unranked_head = r
    if unranked:
        ws.merge_range(r, 0, r, last, "CÁC ĐƠN VỊ CHƯA ĐƯỢC XẾP HẠNG", st.cell(bold=True, bg_color="#FCE4D6"))
        r += 1
        for i, u in enumerate(unranked, start=len(ranked) + 1):
            _unit_row(heights, fmts, r, i, u)
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
    end = signature(
        ws, st, r, left=LEFT, right=RIGHT, date=date_line(info.place, info.year),
        left_lines=["NGƯỜI LẬP BIỂU"],
        right_lines=["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", *([info.signer_title.upper()] if info.signer_title else [])],
        signer=info.signer or None,
    )  # fmt: skip
    # The signatures never print alone: the table's last two rows go with them if need be.
    keep_from = max(head + 1, table_last - 1)
    if unranked and keep_from <= unranked_head + 1:  # that table's heading goes with its rows
        keep_from = unranked_head
    keep = [(keep_from, end - 1)]
    if ranked:  # after the signature, so the signed page is the table itself
        chart_row = end + 1
        end = _chart(book, ws, report, chart_row, first_data, last_ranked, len(ranked))
        keep.append((chart_row, end))
    ws.freeze_panes(head + 1, 0)
    portrait_a4(ws, repeat=(head, head), landscape=True)
    ws.print_area(0, 0, end, last)
    print_as_document(heights, widths=COLUMNS.widths, last_row=end, repeat=(head, head), keep=keep)
    ws.activate()


def _row_formats(st: Styles) -> dict[str, Any]:
    """Formats of a unit row, looked up once per sheet (a bloc may have thousands of rows)."""
    grey = {"font_color": "#7F7F7F"}
    return {
        "num": st.cell(align="center"), "text": st.cell(), "total": st.cell(align="center", bold=True),
        "num_grey": st.cell(align="center", **grey), "text_grey": st.cell(**grey),
        "proposal": st.cell(bold=True, font_color="#375623"), "vote": st.cell(italic=True, font_color="#9C5700"),
    }  # fmt: skip


def _unit_row(heights: RowHeights, fmts: dict[str, Any], r: int, stt: int, u: UnitResult) -> None:
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
        "total": (num(u.total), fmts["total"] if ranked else numf),
        "rating": (rating, textf),
        "proposal": (u.proposal or ("Chờ khối bỏ phiếu" if u.needs_vote else ""), proposal_fmt),
        "note": (u.note, textf),
    }
    for key, (value, fmt) in cells.items():
        put(ws, r, COLUMNS[key], value, fmt)
    wrapped = ("note", "name", "proposal", "rating")
    texts = [(str(cells[key][0]), COLUMNS.width(key)) for key in wrapped]
    heights.set(r, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT))


def _chart(book: xlsxwriter.Workbook, ws: Worksheet, report: Report, row: int, first: int, last: int, n: int) -> int:
    chart = book.add_chart({"type": "bar"})
    sheet = L.R_RANKING
    chart.add_series({
        "name": "Tổng điểm",
        "categories": [sheet, first, COLUMNS["name"], last, COLUMNS["name"]],
        "values": [sheet, first, COLUMNS["total"], last, COLUMNS["total"]],
        "fill": {"color": "#2F5597"},
        "data_labels": {"value": True, "num_format": "General", "font": {"name": "Times New Roman", "size": 9}},
        "gap": 60,
    })  # fmt: skip
    chart.set_title({"name": "Tổng điểm thi đua của các đơn vị", "name_font": {"name": "Times New Roman", "size": 12}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "Times New Roman", "size": 9}})
    low = min(u.total for u in report.ranked if u.total is not None)
    chart.set_x_axis({
        "min": max(0, float(low) - 10) // 5 * 5,
        "num_font": {"name": "Times New Roman", "size": 9},
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    })  # fmt: skip
    height = 60 + 22 * n
    chart.set_size({"width": 900, "height": height})
    ws.insert_chart(row, 1, chart, {"x_offset": 10, "y_offset": 5, "object_position": 1})
    return row + int(height / 20) + 2


def _meta(book: xlsxwriter.Workbook, report: Report) -> None:
    info = report.bloc.info
    values = {
        "form": L.RANKING_FORM_ID, "format_version": str(L.FORMAT_VERSION), "bloc": info.name,
        "year": str(info.year), "fingerprint": report.bloc.fingerprint,
        "generated_at": report.created.isoformat(timespec="seconds"), "tool_version": __version__,
        "final": "1" if report.final else "0",
    }  # fmt: skip
    write_meta_sheet(book, values, L.RANKING_META_KEYS)  # as text: the review reader compares text


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
        _ranking_sheet(book, st, report)
        chunks = detail_chunks(report)
        write_detail(book, st, report, chunks[0])
        write_targets(book, st, report)
        write_titles(book, st, report)
        write_checks(book, st, report)
        write_submissions(book, st, report)
        write_review(book, st, report)
        for part, units in enumerate(chunks[1:], start=2):  # only a bloc of over 16,000 units
            write_detail(book, st, report, units, part)
        if report.final:
            write_minutes(book, st, report)
        _meta(book, report)
        kind = "chính thức" if report.final else "tạm thời"
        book.set_properties({
            "title": f"Xếp hạng thi đua năm {report.bloc.info.year} ({kind})",
            "subject": report.bloc.info.name, "comments": L.RANKING_FORM_ID,
        })  # fmt: skip
        book.close()
    return path
