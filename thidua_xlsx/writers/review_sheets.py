"""The review round's sheets (§9): 'Bình xét' (the meeting's record), 'Điều chỉnh điểm' (the
criteria it scores differently) and, in the final ranking, 'Biên bản' (the minutes).

The two input sheets compute live in Excel and LibreOffice (formulas with an empty cached
result, so LibreOffice evaluates them on opening): the members present, the agreed total of
each unit as the meeting types its changes, each changed criterion's self score and range.
"""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import column_letter
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.report import Meeting, Report, Status
from thidua_xlsx.writers.pages import RowHeights, print_as_document
from thidua_xlsx.writers.ranking_sheets import DETAIL_CODES_ROW
from thidua_xlsx.writers.style import (
    INPUT_FILL,
    PLAIN_TEXT,
    SIGN_HINT,
    Columns,
    Styles,
    admin_header,
    date_line,
    fit_height,
    num,
    portrait_a4,
    protect,
    put,
    signature,
    span,
)

REVIEW = Columns(
    ("stt", "STT", 5), ("code", L.V_CODE, 11), ("name", L.V_NAME, 40), ("attended", L.V_ATTENDED, 9),
    ("self", L.V_SELF, 12), ("agreed", L.V_AGREED, 13), ("votes", L.V_VOTES, 11),
)  # fmt: skip
# Each meeting input sits right of its label: the label in the names' column, the input over three more.
LABEL_COL, INPUT_COL, INPUT_LAST = REVIEW["name"], REVIEW["attended"], REVIEW["agreed"]
FIRST_INPUT_ROW = 4
HEAD = FIRST_INPUT_ROW + len(L.MEETING_LABELS) + 1  # the units' table

ADJUST = Columns(
    ("unit", L.J_UNIT, 12), ("criterion", L.J_CRITERION, 11), ("text", "Nội dung tiêu chí", 46),
    ("max", "Tối đa", 8), ("self", L.J_SELF, 10), ("agreed", L.J_AGREED, 10), ("reason", L.J_REASON, 44),
    ("change", "Chênh lệch (ẩn)", 10),
)  # fmt: skip
ADJUST_HEAD = 4
# Input rows: enough for a long meeting (five changed criteria a unit), never fewer than a small
# bloc's meeting could fill, and always room beyond the changes already made. Each row costs four
# formulas, the largest part of writing a small bloc's ranking: rows are not written for nothing.
ADJUST_PER_UNIT, ADJUST_MIN, ADJUST_MAX, ADJUST_SPARE = 5, 60, 300, 20


def adjust_rows(report: Report) -> int:
    """How many input rows 'Điều chỉnh điểm' has for this bloc."""
    made = sum(len(u.adjustments) for u in report.units) if report.final else 0
    wanted = min(max(ADJUST_PER_UNIT * len(report.units), ADJUST_MIN), ADJUST_MAX)
    return max(wanted, made + ADJUST_SPARE)


LISTS = "_danh_muc"  # hidden: the lists the dropdowns and lookups read (cell ranges, as both applications need)
LIST_ROWS = {"attended": "A", "unit": "B", "criterion": "C", "max": "D", "sign": "E"}


def write_review_sheets(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """'Bình xét' and 'Điều chỉnh điểm' (their lists are written by write_review_lists, later)."""
    lists = _Lists(len(report.units), len(report.bloc.leaves))
    _review(book, st, report, lists)
    _adjustments(book, st, report, lists)


def write_review_lists(book: xlsxwriter.Workbook, report: Report) -> None:
    """The hidden sheet of lists the review sheets' dropdowns and lookups read (after every
    visible sheet, so the sheets people read keep their order)."""
    leaves = report.bloc.leaves
    units = report.units
    ws = book.add_worksheet(LISTS)
    for value, r in ((L.ATTENDED, 1), (L.ABSENT, 2)):
        ws.write_string(r, 0, value)
    for r, u in enumerate(units, start=1):
        ws.write_string(r, 1, u.code)
    for r, leaf in enumerate(leaves, start=1):
        ws.write_string(r, 2, leaf.code)
        ws.write_number(r, 3, float(leaf.max))
        ws.write_number(r, 4, -1 if leaf.kind is Kind.DEDUCTION else 1)
    for c, label in enumerate(("Dự họp", "Mã đơn vị", "Mã tiêu chí", "Tối đa", "Dấu")):
        ws.write_string(0, c, label)
    ws.hide()


class _Lists:
    """Ranges of the hidden lists sheet."""

    def __init__(self, units: int, leaves: int) -> None:
        self.units, self.leaves = max(units, 1), max(leaves, 1)

    def col(self, key: str, rows: int) -> str:
        letter = LIST_ROWS[key]
        return f"'{LISTS}'!${letter}$2:${letter}${rows + 1}"

    @property
    def attended(self) -> str:
        return self.col("attended", 2)

    @property
    def unit_codes(self) -> str:
        return self.col("unit", self.units)

    @property
    def criteria(self) -> str:
        """Leaf code, maximum, sign: the table VLOOKUP reads."""
        return f"'{LISTS}'!$C$2:$E${self.leaves + 1}"

    @property
    def leaf_codes(self) -> str:
        return self.col("criterion", self.leaves)


def _name(report: Report, code: str | None) -> str | None:
    if not code:
        return None
    unit = report.bloc.unit_by_code.get(code)
    return unit.name if unit else code


def _inputs(meeting: Meeting | None, report: Report) -> dict[str, Any]:
    """The meeting's inputs as a final ranking shows them (typed again, they give the same result)."""
    if meeting is None:
        return {}
    return {
        L.M_TIME: meeting.time, L.M_PLACE: meeting.place, L.M_CHAIR: meeting.chair, L.M_SECRETARY: meeting.secretary,
        L.NEXT_LEADER: _name(report, meeting.next_leader), L.LEADER_VOTES: meeting.next_leader_votes,
        L.NEXT_DEPUTY: _name(report, meeting.next_deputy), L.DEPUTY_VOTES: meeting.next_deputy_votes,
    }  # fmt: skip


def _review(book: xlsxwriter.Workbook, st: Styles, report: Report, lists: _Lists) -> None:
    ws = book.add_worksheet(L.R_REVIEW)
    ws.hide_gridlines(2)
    last = REVIEW.last
    info = report.bloc.info
    title = f"BÌNH XÉT, SUY TÔN THI ĐUA NĂM {info.year}"
    ws.merge_range(0, 0, 0, last, title, st(bold=True, font_size=13, align="center"))
    ws.merge_range(1, 0, 1, last, info.name, st(italic=True, align="center"))
    hint = (
        "Nhập tại cuộc họp cuối năm vào các ô nền vàng: thời gian, địa điểm, chủ trì, thư ký; đơn vị dự họp hay "
        f"vắng; số phiếu suy tôn; khối trưởng, khối phó năm sau và số phiếu bầu. Điểm khối chấm lại từng tiêu chí "
        f"ghi ở trang '{L.R_ADJUST}' (kèm lý do); cột '{L.V_AGREED}' tự tính. Sau đó chạy: "
        "thidua-xlsx collect <thư mục> --review <tệp này>."
    )
    ws.merge_range(2, 0, 2, last, hint, st(italic=True, font_size=10, text_wrap=True))
    ws.set_row(2, 44)
    REVIEW.set_widths(ws)
    units = report.units
    first, end = HEAD + 1, HEAD + len(units)
    col = {key: column_letter(REVIEW[key]) for key in REVIEW.keys}

    def rows_of(key: str) -> str:  # a column of the units' table
        return f"${col[key]}${first + 1}:${col[key]}${max(end, first) + 1}"

    input_fmt = st.cell(locked=False, bg_color=INPUT_FILL, align="center")
    text_input = st.cell(locked=False, bg_color=INPUT_FILL, align="left", text_wrap=True)
    live = st.cell(bold=True, align="center", bg_color="#E2EFDA")
    values = _inputs(report.meeting, report)
    for i, label in enumerate(L.MEETING_LABELS):
        r = FIRST_INPUT_ROW + i
        ws.write_string(r, LABEL_COL, label, st.cell(bold=True, align="right"))
        if label == L.PRESENT:  # a live count of the units marked present, not an input
            ws.merge_range(r, INPUT_COL, r, INPUT_LAST, "", live)
            ws.write_formula(r, INPUT_COL, f'=COUNTIF({rows_of("attended")},"{L.ATTENDED}")',
                             live, "")  # fmt: skip
            continue
        fmt = input_fmt if label in (L.LEADER_VOTES, L.DEPUTY_VOTES) else text_input
        ws.merge_range(r, INPUT_COL, r, INPUT_LAST, "", fmt)
        put(ws, r, INPUT_COL, values.get(label), fmt)
    cell = {label: f"${column_letter(INPUT_COL)}${FIRST_INPUT_ROW + i + 1}" for i, label in enumerate(L.MEETING_LABELS)}
    present = cell[L.PRESENT]
    names = f"={rows_of('name')}"
    for label in (L.NEXT_LEADER, L.NEXT_DEPUTY):
        r = FIRST_INPUT_ROW + L.MEETING_LABELS.index(label)
        ws.data_validation(r, INPUT_COL, r, INPUT_COL, {
            "validate": "list", "source": names,
            "input_title": label, "input_message": "Chọn một đơn vị trong danh sách.",
            "error_title": "Không phải đơn vị của khối", "error_message": "Chọn một đơn vị trong danh sách.",
        })  # fmt: skip
    for label in (L.LEADER_VOTES, L.DEPUTY_VOTES):
        r = FIRST_INPUT_ROW + L.MEETING_LABELS.index(label)
        ws.data_validation(r, INPUT_COL, r, INPUT_COL, _votes_rule(label, present))
    REVIEW.write_header(ws, HEAD, st.head())
    ws.set_row(HEAD, 33)
    centre, plain = st.cell(align="center"), st.cell()
    meeting = report.meeting
    adjust = _adjust_ranges(adjust_rows(report))
    for i, u in enumerate(units, start=1):
        r = HEAD + i
        row = r + 1
        self_total = u.self_total if report.final else u.total
        attended = L.ATTENDED if meeting is None or u.code in meeting.present else L.ABSENT
        for key, value, fmt in (
            ("stt", i, centre), ("code", u.code, centre), ("name", u.name, plain), ("attended", attended, input_fmt),
            ("self", num(self_total), centre), ("votes", u.votes if report.final else None, input_fmt),
        ):  # fmt: skip
            put(ws, r, REVIEW[key], value, fmt)
        agreed = (
            f'=IF(${col["self"]}{row}="","",${col["self"]}{row}'
            f"+SUMIF({adjust['unit']},${col['code']}{row},{adjust['change']}))"
        )
        ws.write_formula(r, REVIEW["agreed"], agreed, live, "")
        ws.set_row(r, fit_height((u.name, REVIEW.width("name")), size=11, chars_per_unit=PLAIN_TEXT))
    if units:
        ws.data_validation(first, REVIEW["attended"], end, REVIEW["attended"], {
            "validate": "list", "source": f"={lists.attended}",
            "input_title": L.V_ATTENDED, "input_message": f"'{L.ATTENDED}' hoặc '{L.ABSENT}'.",
            "error_title": "Không hợp lệ", "error_message": f"Chọn '{L.ATTENDED}' hoặc '{L.ABSENT}'.",
        })  # fmt: skip
        ws.data_validation(first, REVIEW["votes"], end, REVIEW["votes"], _votes_rule(L.V_VOTES, present))
    ws.freeze_panes(HEAD + 1, REVIEW["attended"])  # code and name stay in view
    portrait_a4(ws, repeat=(HEAD, HEAD), landscape=True)
    protect(ws)


def _votes_rule(title: str, present: str) -> dict[str, Any]:
    return {
        "validate": "integer", "criteria": "between", "minimum": 0, "maximum": "=" + present,
        "input_title": title, "input_message": "Số nguyên, không quá số thành viên dự họp.",
        "error_title": "Số phiếu không hợp lệ", "error_message": "Số phiếu là số nguyên từ 0 đến số thành viên dự họp.",
    }  # fmt: skip


def _adjust_ranges(rows: int) -> dict[str, str]:
    """Whole input columns of 'Điều chỉnh điểm', as 'Bình xét' sums them."""
    first, last = ADJUST_HEAD + 2, ADJUST_HEAD + 1 + rows
    return {
        key: f"'{L.R_ADJUST}'!${column_letter(ADJUST[key])}${first}:${column_letter(ADJUST[key])}${last}"
        for key in ("unit", "change")
    }


def _adjustments(book: xlsxwriter.Workbook, st: Styles, report: Report, lists: _Lists) -> None:
    """One row per criterion the meeting scores differently: unit and criterion from dropdowns,
    the self score and the range shown live, the agreed score checked against the range."""
    ws = book.add_worksheet(L.R_ADJUST)
    ws.hide_gridlines(2)
    last = ADJUST["reason"]
    info = report.bloc.info
    ws.merge_range(0, 0, 0, last, f"ĐIỀU CHỈNH ĐIỂM TẠI CUỘC HỌP BÌNH XÉT NĂM {info.year}",
                   st(bold=True, font_size=13, align="center"))  # fmt: skip
    ws.merge_range(1, 0, 1, last, info.name, st(italic=True, align="center"))
    hint = (
        "Mỗi dòng một tiêu chí khối chấm lại: chọn mã đơn vị, mã tiêu chí, nhập điểm khối chấm (từ 0 đến điểm tối "
        "đa của tiêu chí; điểm trừ nhập số dương) và lý do. Điểm tự chấm, nội dung và điểm tối đa tự hiện; tổng "
        f"điểm khối chấm ở trang '{L.R_REVIEW}' tự tính lại."
    )
    ws.merge_range(2, 0, 2, last, hint, st(italic=True, font_size=10, text_wrap=True))
    ws.set_row(2, 44)
    ADJUST.set_widths(ws)
    ws.set_column(ADJUST["change"], ADJUST["change"], None, None, {"hidden": True})
    ADJUST.write_header(ws, ADJUST_HEAD, st.head())
    ws.set_row(ADJUST_HEAD, 33)
    c = {key: column_letter(ADJUST[key]) for key in ADJUST.keys}
    unit_fmt = st.cell(locked=False, bg_color=INPUT_FILL, align="center")
    text_fmt = st.cell(locked=False, bg_color=INPUT_FILL, text_wrap=True)
    shown, small = st.cell(align="center", font_color="#595959"), st.cell(font_size=10, font_color="#595959")
    first = ADJUST_HEAD + 1
    done = [(u, a) for u in report.units for a in u.adjustments] if report.final else []
    detail = f"'{L.R_DETAIL}'"
    rows = adjust_rows(report)
    for i in range(rows):
        r = first + i
        row = r + 1
        u, a = done[i] if i < len(done) else (None, None)
        put(ws, r, ADJUST["unit"], u.code if u else None, unit_fmt)
        put(ws, r, ADJUST["criterion"], a.criterion if a else None, unit_fmt)
        put(ws, r, ADJUST["agreed"], num(a.agreed) if a else None, unit_fmt)
        put(ws, r, ADJUST["reason"], a.reason if a else None, text_fmt)
        crit_text = report.bloc.by_code[a.criterion].text if a else ""
        texts = ((a.reason, ADJUST.width("reason")), (crit_text, ADJUST.width("text"))) if a else ()
        ws.set_row(r, max(30, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT)))  # room for a reason
        unit, crit = f"${c['unit']}{row}", f"${c['criterion']}{row}"
        blank = f'OR({unit}="",{crit}="")'
        ws.write_formula(r, ADJUST["text"], f'=IF({crit}="","",IFERROR(VLOOKUP({crit},{detail}!$A:$B,2,0),""))',
                         small, "")  # fmt: skip
        ws.write_formula(r, ADJUST["max"], f'=IF({crit}="","",IFERROR(VLOOKUP({crit},{lists.criteria},2,0),""))',
                         shown, "")  # fmt: skip
        # The self score: the unit's column of 'Chi tiết điểm' (its first: self scores in a final ranking).
        ws.write_formula(
            r, ADJUST["self"],
            f'=IF({blank},"",IFERROR(INDEX({detail}!$A:$XFD,MATCH({crit},{detail}!$A:$A,0),'
            f'MATCH({unit},{detail}!${DETAIL_CODES_ROW + 1}:${DETAIL_CODES_ROW + 1},0)),""))',
            shown, "",
        )  # fmt: skip
        # The change to the unit's total, once per unit and criterion (a repeated row counts once).
        agreed, own = f"${c['agreed']}{row}", f"${c['self']}{row}"
        ws.write_formula(
            r, ADJUST["change"],
            f'=IF(OR({blank},{agreed}="",{own}=""),0,IF(COUNTIFS(${c["unit"]}${first + 1}:{unit},{unit},'
            f'${c["criterion"]}${first + 1}:{crit},{crit})>1,0,({agreed}-{own})*VLOOKUP({crit},{lists.criteria},3,0)))',
            None, "",
        )  # fmt: skip
    last_row = first + rows - 1
    printed = first + max(len(done) + 5, 20) - 1  # the rows filled, and a few for writing by hand
    ws.data_validation(first, ADJUST["unit"], last_row, ADJUST["unit"], {
        "validate": "list", "source": f"={lists.unit_codes}",
        "input_title": L.J_UNIT, "input_message": "Chọn mã đơn vị.",
        "error_title": "Không phải đơn vị của khối", "error_message": "Chọn mã một đơn vị trong danh sách.",
    })  # fmt: skip
    ws.data_validation(first, ADJUST["criterion"], last_row, ADJUST["criterion"], {
        "validate": "list", "source": f"={lists.leaf_codes}",
        "input_title": L.J_CRITERION, "input_message": "Chọn mã tiêu chí chấm điểm (không chọn mục).",
        "error_title": "Không phải tiêu chí", "error_message": "Chọn mã một tiêu chí trong danh sách.",
    })  # fmt: skip
    top = first + 1
    ws.data_validation(first, ADJUST["agreed"], last_row, ADJUST["agreed"], {
        "validate": "custom",
        "value": f'=AND(ISNUMBER(${c["agreed"]}{top}),${c["agreed"]}{top}>=0,'
                 f'${c["agreed"]}{top}<=VLOOKUP(${c["criterion"]}{top},{lists.criteria},2,0))',
        "input_title": L.J_AGREED,
        "input_message": "Từ 0 đến điểm tối đa của tiêu chí (điểm trừ nhập số dương).",
        "error_title": "Điểm không hợp lệ",
        "error_message": "Điểm khối chấm phải là số từ 0 đến điểm tối đa của tiêu chí đã chọn.",
    })  # fmt: skip
    ws.freeze_panes(first, 0)
    portrait_a4(ws, repeat=(ADJUST_HEAD, ADJUST_HEAD), landscape=True)
    ws.print_area(0, 0, printed, last)
    protect(ws)


# The minutes ('Biên bản') -----------------------------------------------------------------

RESULTS = Columns(
    ("rank", "Hạng", 6), ("code", "Mã đơn vị", 10), ("name", "Tên đơn vị", 32), ("total", "Tổng điểm", 10),
    ("votes", "Số phiếu", 9), ("share", "Tỷ lệ (%)", 9), ("proposal", "Đề nghị khen thưởng", 28),
    ("note", "Ghi chú", 36),
)  # fmt: skip
ADJUSTMENTS = [  # label, over the results' columns first..last
    ("STT", "rank", "rank"), ("Đơn vị", "code", "name"), ("Tiêu chí", "total", "total"),
    ("Tự chấm", "votes", "votes"), ("Khối chấm", "share", "share"), ("Lý do", "proposal", "note"),
]  # fmt: skip


class _Minutes:
    """The minutes' sheet as lines and tables written downward, each row sized once."""

    def __init__(self, ws: Worksheet, st: Styles) -> None:
        self.ws, self.st = ws, st
        self.heights = RowHeights(ws)
        self.r = 0
        self.width = RESULTS.width("rank", "note") - 5

    def line(self, text: str, **look: Any) -> None:
        self.ws.merge_range(self.r, 0, self.r, RESULTS.last, text, self.st(text_wrap=True, **look))
        self.heights.set(self.r, fit_height((text, self.width), size=11, chars_per_unit=PLAIN_TEXT))
        self.r += 1

    def skip(self, rows: int = 1) -> None:
        self.r += rows


def write_minutes(book: xlsxwriter.Workbook, st: Styles, report: Report) -> None:
    """Minutes of the review meeting (biên bản họp bình xét, suy tôn), for the secretary and the chair to sign."""
    ws = book.add_worksheet(L.R_MINUTES)
    ws.hide_gridlines(2)
    m = _Minutes(ws, st)
    info = report.bloc.info
    meeting = report.meeting or Meeting()
    RESULTS.set_widths(ws)
    left, right = RESULTS.span("rank", "name"), RESULTS.span("share", "note")  # header and signatures
    m.r = admin_header(
        ws, st, heights=m.heights, row=0, governing=info.governing_body, body=info.name, left=left, right=right,
        left_width=RESULTS.width("rank", "name"),
    )  # fmt: skip
    span(ws, m.r, right, date_line(info.place, info.year), st(italic=True, align="center"))
    m.skip(2)
    m.line("BIÊN BẢN", bold=True, font_size=14, align="center")
    m.line(f"Họp bình xét, suy tôn thi đua năm {info.year}", bold=True, align="center")
    m.skip()
    for sentence in _opening(report, meeting):
        m.line(sentence)
    m.skip()
    m.line("I. KIỂM TRA KẾT QUẢ TỰ CHẤM ĐIỂM", bold=True)
    _adjustments_table(m, report)
    m.skip()
    heading = m.r
    m.line("II. KẾT QUẢ BÌNH XÉT, BỎ PHIẾU SUY TÔN VÀ ĐỀ NGHỊ KHEN THƯỞNG", bold=True)
    table_head, table_last = _results_table(m, report, meeting)
    m.skip()
    m.line("III. BẦU KHỐI TRƯỞNG, KHỐI PHÓ NĂM SAU", bold=True)
    for sentence in _election(report, meeting):
        m.line(sentence)
    m.skip()
    m.line("Biên bản được lập và thông qua tại cuộc họp; các thành viên dự họp nhất trí với nội dung biên bản.",
           italic=True)  # fmt: skip
    m.skip()
    end = signature(
        ws, st, m.r, left=left, right=right, left_lines=["THƯ KÝ", SIGN_HINT], right_lines=["CHỦ TRÌ", SIGN_HINT],
        signer=meeting.chair or None, left_signer=meeting.secretary or None,
    )  # fmt: skip
    portrait_a4(ws, landscape=True)
    ws.print_area(0, 0, end - 1, RESULTS.last)
    # The signatures never print alone: the results' last rows and section III go with them; the
    # heading of section II stays with its table's first rows.
    keep = [(heading, min(table_head + 2, table_last)), (max(table_head + 1, table_last - 1), end - 1)]
    print_as_document(m.heights, widths=RESULTS.widths, last_row=end - 1, repeat=(table_head, table_head), keep=keep)


def _opening(report: Report, meeting: Meeting) -> list[str]:
    info = report.bloc.info
    names = {u.code: u.name for u in report.bloc.units}
    present = [names.get(code, code) for code in meeting.present]
    absent = [u.name for u in report.bloc.units if u.code not in meeting.present]
    out = [
        f"Thời gian: {meeting.time or '……'}.",
        f"Địa điểm: {meeting.place or '……'}.",
        f"Chủ trì: {meeting.chair or '……'}. Thư ký: {meeting.secretary or '……'}.",
        f"Thành phần: {info.name}; có mặt {len(present)}/{len(report.bloc.units)} đơn vị thành viên: "
        + ("; ".join(present) or "không có")
        + ".",
    ]
    if absent:
        out.append(f"Vắng mặt {len(absent)} đơn vị: " + "; ".join(absent) + ".")
    out.append(
        "Nội dung: kiểm tra kết quả tự chấm điểm của các đơn vị theo bộ tiêu chí của khối (điểm khối chấm), bình "
        "xét, bỏ phiếu suy tôn đề nghị khen thưởng và bầu khối trưởng, khối phó năm sau. Đề nghị khen thưởng cần "
        f"số phiếu nhiều hơn {vn(info.vote_share_min)} % số thành viên dự họp."
    )
    return out


def _adjustments_table(m: _Minutes, report: Report) -> None:
    ranked = [u for u in report.units if u.status is Status.RANKED]
    changed = [(u, a) for u in ranked for a in u.adjustments]
    units = len({u.code for u, _ in changed})
    if not changed:
        m.line(f"Khối đã kiểm tra bảng tự chấm điểm của {len(ranked)} đơn vị; thống nhất giữ nguyên điểm tự chấm.")
        return
    m.line(f"Khối đã kiểm tra bảng tự chấm điểm của {len(ranked)} đơn vị và thống nhất chấm lại {len(changed)} tiêu "
           f"chí của {units} đơn vị:")  # fmt: skip
    ws, st = m.ws, m.st
    for label, first, last in ADJUSTMENTS:
        span(ws, m.r, RESULTS.span(first, last), label, st.head())
    m.heights.set(m.r, 30)
    m.skip()
    text = st.cell()
    for i, (u, a) in enumerate(changed, 1):
        for label, first, last in ADJUSTMENTS:
            value: Any = {
                "STT": i, "Đơn vị": f"{u.name} ({u.code})", "Tiêu chí": a.criterion, "Tự chấm": num(a.self),
                "Khối chấm": num(a.agreed), "Lý do": a.reason,
            }[label]  # fmt: skip
            cols = RESULTS.span(first, last)
            fmt = text if label in ("Đơn vị", "Lý do") else st.cell(align="center")
            if cols[0] != cols[1]:
                ws.merge_range(m.r, cols[0], m.r, cols[1], "", fmt)
            put(ws, m.r, cols[0], value, fmt)
        texts = ((a.reason, RESULTS.width("proposal", "note")), (f"{u.name} ({u.code})", RESULTS.width("code", "name")))
        m.heights.set(m.r, fit_height(*texts, size=11, chars_per_unit=PLAIN_TEXT))
        m.skip()


def _results_table(m: _Minutes, report: Report, meeting: Meeting) -> tuple[int, int]:
    ws, st = m.ws, m.st
    RESULTS.write_header(ws, m.r, st.head())
    m.heights.set(m.r, 30)
    head = m.r
    ws.repeat_rows(head)  # the results table may run onto a second page
    m.skip()
    wrapped = ("note", "name", "proposal")
    for u in report.units:
        share = round(u.votes * 100 / meeting.members, 2) if meeting.members and u.votes is not None else None
        rank: Any = (f"{u.rank} (đồng hạng)" if u.tie else u.rank) if u.status is Status.RANKED else "—"
        values = {
            "rank": rank, "code": u.code, "name": u.name, "total": num(u.total), "votes": u.votes, "share": share,
            "proposal": u.proposal or "", "note": u.note,
        }  # fmt: skip
        for key, value in values.items():
            put(ws, m.r, RESULTS[key], value, st.cell(align="left" if key in wrapped else "center", font_size=10))
        m.heights.set(m.r, fit_height(*((str(values[k]), RESULTS.width(k)) for k in wrapped), size=10,
                                      chars_per_unit=PLAIN_TEXT))  # fmt: skip
        m.skip()
    return head, m.r - 1


def _election(report: Report, meeting: Meeting) -> list[str]:
    out = []
    for role, code, votes in (("Khối trưởng", meeting.next_leader, meeting.next_leader_votes),
                              ("Khối phó", meeting.next_deputy, meeting.next_deputy_votes)):  # fmt: skip
        if not code:
            out.append(f"{role} năm {report.bloc.info.year + 1}: (chưa bầu).")
            continue
        count = f", được {votes}/{meeting.members} phiếu" if votes is not None else ""
        out.append(f"{role} năm {report.bloc.info.year + 1}: {_name(report, code)}{count}.")
    return out
