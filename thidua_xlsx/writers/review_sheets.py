"""'Bình xét' (the meeting's inputs) and 'Biên bản' (the minutes of the final ranking)."""

from __future__ import annotations

from typing import Any

import xlsxwriter

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import column_letter
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.report import Report, Status
from thidua_xlsx.writers.pages import RowHeights, print_as_document
from thidua_xlsx.writers.style import (
    INPUT_FILL,
    PLAIN_TEXT,
    SIGN_HINT,
    Columns,
    Styles,
    admin_header,
    fit_height,
    num,
    portrait_a4,
    protect,
    put,
    signature,
    span,
)

REVIEW = Columns(
    ("stt", "STT", 5), ("code", L.V_CODE, 11), ("name", L.V_NAME, 38), ("self", L.V_SELF, 12),
    ("agreed", L.V_AGREED, 13), ("reason", L.V_REASON, 44), ("votes", L.V_VOTES, 11),
)  # fmt: skip
# Each meeting input sits right of its label: the label in the names' column, the input over the next two.
LABEL_COL, INPUT_COL = REVIEW["name"], REVIEW["self"]
FIRST_INPUT_ROW = 4
HEAD = 8


def write_review(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    ws = book.add_worksheet(L.R_REVIEW)
    ws.hide_gridlines(2)
    last = REVIEW.last
    year = report.bloc.info.year
    ws.merge_range(0, 0, 0, last, f"BÌNH XÉT, SUY TÔN THI ĐUA NĂM {year}", st(bold=True, font_size=13, align="center"))
    ws.merge_range(1, 0, 1, last, report.bloc.info.name, st(italic=True, align="center"))
    hint = (
        "Nhập tại cuộc họp cuối năm vào các ô nền vàng: điểm khối thống nhất (để trống: giữ điểm tự chấm; "
        "điểm khác điểm tự chấm phải ghi lý do), số phiếu suy tôn, số thành viên dự họp, khối trưởng và "
        "khối phó năm sau. Sau đó chạy: thidua-xlsx collect <thư mục> --review <tệp này>."
    )
    ws.merge_range(2, 0, 2, last, hint, st(italic=True, font_size=10, text_wrap=True))
    ws.set_row(2, 44)
    REVIEW.set_widths(ws)
    units = report.units
    first, end = HEAD + 1, HEAD + len(units)
    names = column_letter(REVIEW["name"])
    name_list = f"=${names}${first + 1}:${names}${end + 1}"
    input_fmt = st.cell(locked=False, bg_color=INPUT_FILL, align="center")
    meeting = report.meeting
    defaults = {
        L.PRESENT: meeting.present if meeting else None,
        L.NEXT_LEADER: _name(report, meeting.next_leader) if meeting else None,
        L.NEXT_DEPUTY: _name(report, meeting.next_deputy) if meeting else None,
    }
    for i, label in enumerate(L.MEETING_LABELS):
        r = FIRST_INPUT_ROW + i
        ws.write_string(r, LABEL_COL, label, st.cell(bold=True, align="right"))
        ws.merge_range(r, INPUT_COL, r, INPUT_COL + 1, "", input_fmt)
        put(ws, r, INPUT_COL, defaults[label], input_fmt)
    present_cell = f"${column_letter(INPUT_COL)}${FIRST_INPUT_ROW + 1}"
    ws.data_validation(FIRST_INPUT_ROW, INPUT_COL, FIRST_INPUT_ROW, INPUT_COL, {
        "validate": "integer", "criteria": "between", "minimum": 1, "maximum": max(len(units), 1),
        "input_title": L.PRESENT, "input_message": f"Số đơn vị thành viên có mặt (1 đến {len(units)}).",
        "error_title": "Số không hợp lệ", "error_message": f"Nhập số nguyên từ 1 đến {len(units)}.",
    })  # fmt: skip
    for r, label in ((FIRST_INPUT_ROW + 1, L.NEXT_LEADER), (FIRST_INPUT_ROW + 2, L.NEXT_DEPUTY)):
        ws.data_validation(r, INPUT_COL, r, INPUT_COL, {
            "validate": "list", "source": name_list,
            "input_title": label, "input_message": "Chọn một đơn vị trong danh sách.",
            "error_title": "Không phải đơn vị của khối", "error_message": "Chọn một đơn vị trong danh sách.",
        })  # fmt: skip
    REVIEW.write_header(ws, HEAD, st.head())
    ws.set_row(HEAD, 33)
    scale = report.bloc.info.base_total + report.bloc.kind_max(Kind.BONUS)
    centre, plain, reason_fmt = st.cell(align="center"), st.cell(), st.cell(locked=False, bg_color=INPUT_FILL)
    for i, u in enumerate(units, start=1):
        r = HEAD + i
        self_total = u.self_total if u.self_total is not None else (u.total if report.final is False else None)
        agreed = u.agreed_total if report.final and u.agreed_total != u.self_total else None
        cells: dict[str, tuple[Any, Any]] = {  # column: (value, format)
            "stt": (i, centre),
            "code": (u.code, centre),
            "name": (u.name, plain),
            "self": (num(self_total), centre),
            "agreed": (num(agreed), input_fmt),
            "reason": (u.agreed_reason if report.final else "", reason_fmt),
            "votes": (u.votes if report.final else None, input_fmt),
        }
        for key, (value, fmt) in cells.items():
            put(ws, r, REVIEW[key], value, fmt)
        texts = ((u.name, REVIEW.width("name")), (u.agreed_reason, REVIEW.width("reason")))
        ws.set_row(r, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT))
    if units:
        ws.data_validation(first, REVIEW["agreed"], end, REVIEW["agreed"], {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(scale),
            "input_title": L.V_AGREED,
            "input_message": f"Để trống nếu giữ điểm tự chấm. Điểm từ 0 đến {vn(scale)}; đổi điểm phải ghi lý do.",
            "error_title": "Điểm không hợp lệ", "error_message": f"Điểm từ 0 đến {vn(scale)}.",
        })  # fmt: skip
        ws.data_validation(first, REVIEW["votes"], end, REVIEW["votes"], {
            "validate": "integer", "criteria": "between", "minimum": 0, "maximum": "=" + present_cell,
            "input_title": L.V_VOTES, "input_message": "Số phiếu suy tôn: số nguyên, không quá số thành viên dự họp.",
            "error_title": "Số phiếu không hợp lệ",
            "error_message": "Số phiếu là số nguyên từ 0 đến số thành viên dự họp.",
        })  # fmt: skip
    ws.freeze_panes(HEAD + 1, REVIEW["self"])  # code and name stay in view
    portrait_a4(ws, repeat=(HEAD, HEAD), landscape=True)
    protect(ws)


def _name(report: Report, code: str | None) -> str | None:
    if not code:
        return None
    unit = report.bloc.unit_by_code.get(code)
    return unit.name if unit else code


# The minutes' grid is its results table (II); the adjustments table (I) lies over the same columns.
RESULTS = Columns(
    ("rank", "Hạng", 6), ("code", "Mã đơn vị", 10), ("name", "Tên đơn vị", 34), ("total", "Tổng điểm", 11),
    ("votes", "Số phiếu", 11), ("share", "Tỷ lệ (%)", 9), ("proposal", "Đề nghị khen thưởng", 30),
    ("note", "Ghi chú", 34),
)  # fmt: skip
ADJUSTMENTS = [  # label, over the results' columns first..last
    ("STT", "rank", "rank"), ("Mã đơn vị", "code", "code"), ("Tên đơn vị", "name", "name"),
    ("Điểm tự chấm", "total", "total"), ("Điểm thống nhất", "votes", "votes"), ("Lý do điều chỉnh", "share", "note"),
]  # fmt: skip


def write_minutes(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Minutes of the review meeting, laid out for a secretary and the chair to sign."""
    ws = book.add_worksheet(L.R_MINUTES)
    ws.hide_gridlines(2)
    heights = RowHeights(ws)  # every row's height is set through it: the page plan reads them back
    info = report.bloc.info
    meeting = report.meeting
    RESULTS.set_widths(ws)
    last = RESULTS.last
    left, right = RESULTS.span("rank", "name"), RESULTS.span("share", "note")  # header and signatures
    r = admin_header(
        ws,
        st,
        heights=heights,
        row=0,
        governing=info.governing_body,
        body=info.name,
        left=left,
        right=right,
        left_width=RESULTS.width("rank", "name"),
    )
    ws.merge_range(r, 0, r, last, "BIÊN BẢN", st(bold=True, font_size=14, align="center"))
    ws.merge_range(r + 1, 0, r + 1, last, f"Họp bình xét, suy tôn thi đua năm {info.year}",
                   st(bold=True, align="center"))  # fmt: skip
    r += 3
    present = meeting.present if meeting else 0
    lines = [
        f"Khối thi đua: {info.name}.",
        f"Số thành viên dự họp: {present}/{len(report.units)} đơn vị.",
        f"Căn cứ bảng tự chấm điểm của các đơn vị và ý kiến thống nhất tại cuộc họp, khối đã bình xét, "
        f"bỏ phiếu suy tôn; đề nghị khen thưởng cần số phiếu nhiều hơn {vn(info.vote_share_min)} % số "
        "thành viên dự họp.",
    ]
    for text in lines:
        ws.merge_range(r, 0, r, last, text, st(text_wrap=True))
        heights.set(r, fit_height((text, RESULTS.width("rank", "note") - 5), size=11, chars_per_unit=PLAIN_TEXT))
        r += 1
    r += 1
    ws.merge_range(r, 0, r, last, "I. ĐIỀU CHỈNH ĐIỂM ĐÃ THỐNG NHẤT", st(bold=True))
    r += 1
    changed = [u for u in report.units if u.agreed_total is not None and u.agreed_total != u.self_total]
    for label, first, final in ADJUSTMENTS:
        span(ws, r, RESULTS.span(first, final), label, st.head())
    heights.set(r, 30)
    r += 1
    if not changed:
        ws.merge_range(
            r, 0, r, last, "Không có điều chỉnh; giữ nguyên điểm tự chấm của các đơn vị.", st.cell(italic=True)
        )
        r += 1
    reason = RESULTS.span("share", "note")
    for i, u in enumerate(changed, 1):
        for key, value in (("rank", i), ("code", u.code), ("name", u.name), ("total", num(u.self_total)),
                           ("votes", num(u.agreed_total))):  # fmt: skip
            put(ws, r, RESULTS[key], value, st.cell(align="left" if key == "name" else "center"))
        ws.merge_range(r, reason[0], r, reason[1], "", st.cell())
        put(ws, r, reason[0], u.agreed_reason, st.cell())
        reason_text = (u.agreed_reason, RESULTS.width("share", "note") - 3)
        heights.set(r, fit_height(reason_text, (u.name, RESULTS.width("name")), size=11, chars_per_unit=PLAIN_TEXT))
        r += 1
    r += 1
    ws.merge_range(r, 0, r, last, "II. KẾT QUẢ BỎ PHIẾU SUY TÔN, XẾP HẠNG VÀ ĐỀ NGHỊ KHEN THƯỞNG", st(bold=True))
    r += 1
    RESULTS.write_header(ws, r, st.head())
    heights.set(r, 30)
    table_head = r
    ws.repeat_rows(r)  # the results table may run onto a second page
    r += 1
    wrapped = ("note", "name", "proposal")
    for u in report.units:
        share = None
        if meeting and meeting.present and u.votes is not None:
            share = round(u.votes * 100 / meeting.present, 2)
        rank: Any = (f"{u.rank} (đồng hạng)" if u.tie else u.rank) if u.status is Status.RANKED else "—"
        values = {
            "rank": rank, "code": u.code, "name": u.name, "total": num(u.total), "votes": u.votes, "share": share,
            "proposal": u.proposal or "", "note": u.note,
        }  # fmt: skip
        for key, value in values.items():
            put(ws, r, RESULTS[key], value, st.cell(align="left" if key in wrapped else "center", font_size=10))
        texts = [(str(values[key]), RESULTS.width(key)) for key in wrapped]
        heights.set(r, fit_height(*texts, size=10, chars_per_unit=PLAIN_TEXT))
        r += 1
    table_last = r - 1
    r += 1
    ws.merge_range(r, 0, r, last, "III. BẦU KHỐI TRƯỞNG, KHỐI PHÓ NĂM SAU", st(bold=True))
    r += 1
    for label, code in ((L.NEXT_LEADER, meeting.next_leader if meeting else None),
                        (L.NEXT_DEPUTY, meeting.next_deputy if meeting else None)):  # fmt: skip
        ws.merge_range(r, 0, r, last, f"{label}: {_name(report, code) or '(chưa bầu)'}.", st())
        r += 1
    r += 1
    ws.merge_range(r, 0, r, last, "Biên bản được lập và thông qua tại cuộc họp.", st(italic=True))
    r += 2
    end = signature(
        ws, st, r, left=left, right=right, left_lines=["THƯ KÝ", SIGN_HINT],
        right_lines=["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"], signer=info.signer or None,
    )  # fmt: skip
    portrait_a4(ws, landscape=True)
    ws.print_area(0, 0, end, last)
    # The signatures never print alone: the table's last two rows go with them if need be.
    keep = (max(table_head + 1, table_last - 1), end)
    print_as_document(heights, widths=RESULTS.widths, last_row=end, repeat=(table_head, table_head), keep=[keep])
