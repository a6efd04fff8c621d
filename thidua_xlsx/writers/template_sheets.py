"""The template's other sheets: 'Số liệu', 'Hướng dẫn' and the hidden '_thidua' metadata."""

from __future__ import annotations

import xlsxwriter

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import a1
from thidua_xlsx.core.model import Bloc, Kind, Unit
from thidua_xlsx.core.ratings import RATING_LABELS
from thidua_xlsx.core.text import clean
from thidua_xlsx.writers.style import (
    BOLD_TEXT,
    HEAD_FILL,
    INPUT_FILL,
    PLAIN_TEXT,
    Styles,
    fit_height,
    portrait_a4,
    protect,
)

DATA_HEAD = 3  # 0-based header row of 'Số liệu'
DATA_VALUE_COL = L.DATA_HEADERS.index(L.D_VALUE)  # the column a unit types into
RATING_LIST_ROW = DATA_HEAD + len(L.DATA_ROWS) + 3  # first row of the ratings list (column B)

_DATA_HELP = {
    "TS": "Tổng số người của đơn vị tính đến cuối năm: số nguyên từ 1 trở lên.",
    "LDTT": "Số người đạt 'Lao động tiên tiến': số nguyên, không lớn hơn tổng số (TS).",
    "CSTD": "Số người đạt 'Chiến sĩ thi đua cơ sở' trở lên: số nguyên, không lớn hơn số LĐTT.",
    "KHTNV": "Số người không hoàn thành nhiệm vụ: số nguyên, không lớn hơn tổng số (TS).",
    "KL": "Số người bị kỷ luật từ hình thức cảnh cáo trở lên (không tính khiển trách): số nguyên, "
    "không lớn hơn tổng số (TS).",
    "XLDV": "Chọn mức xếp loại chất lượng của đơn vị trong danh sách.",
    "XLTCD": "Chọn mức xếp loại của chi bộ, đảng bộ trong danh sách.",
}

# Input titles (Excel shows at most 32 characters)
_DATA_TITLE = {
    "TS": "Tổng số người",
    "LDTT": "Số Lao động tiên tiến",
    "CSTD": "Số Chiến sĩ thi đua",
    "KHTNV": "Số không hoàn thành nhiệm vụ",
    "KL": "Số bị kỷ luật từ cảnh cáo",
}


def data_rows() -> dict[str, int]:
    """Data code → 0-based row on 'Số liệu'."""
    return {code: DATA_HEAD + 1 + i for i, (code, _) in enumerate(L.DATA_ROWS)}


def write_data_sheet(book: xlsxwriter.Workbook, st: Styles, bloc: Bloc, unit: Unit) -> None:
    ws = book.add_worksheet(L.SHEET_DATA)
    ws.hide_gridlines(2)
    for c, width in enumerate((9, 58, 34, 30)):
        ws.set_column(c, c, width)
    ws.merge_range(
        0,
        0,
        0,
        3,
        f"SỐ LIỆU THI ĐUA NĂM {bloc.info.year}",
        st(bold=True, font_size=14, align="center"),
    )
    ws.merge_range(1, 0, 1, 3, f"Đơn vị: {unit.name}", st(bold=True, align="center"))
    ws.merge_range(2, 0, 2, 3, "Nhập cột 'Giá trị': số người là số nguyên; xếp loại chọn trong danh sách.",
                   st(italic=True, align="center"))  # fmt: skip
    for c, label in enumerate(L.DATA_HEADERS):
        ws.write_string(DATA_HEAD, c, label, st.head())
    rows = data_rows()
    value_fmt = st.cell(locked=False, bg_color=INPUT_FILL, align="center")
    for code, text in L.DATA_ROWS:
        r = rows[code]
        ws.write_string(r, 0, code, st.cell(align="center", bold=True))
        ws.write_string(r, 1, text, st.cell())
        ws.write_blank(r, DATA_VALUE_COL, None, value_fmt)
        ws.write_blank(r, DATA_VALUE_COL + 1, None, st.cell(locked=False, bg_color=INPUT_FILL))  # a note
        ws.set_row(r, max(20, fit_height((text, 58), chars_per_unit=PLAIN_TEXT)))

    ts, ldtt = a1(rows["TS"], 2), a1(rows["LDTT"], 2)
    abs_ts, abs_ldtt = "=$C$" + ts[1:], "=$C$" + ldtt[1:]
    counts = {
        "TS": {"criteria": ">=", "value": 1},
        "LDTT": {"criteria": "between", "minimum": 0, "maximum": abs_ts},
        "CSTD": {"criteria": "between", "minimum": 0, "maximum": abs_ldtt},
        "KHTNV": {"criteria": "between", "minimum": 0, "maximum": abs_ts},
        "KL": {"criteria": "between", "minimum": 0, "maximum": abs_ts},
    }
    for code, rule in counts.items():
        r = rows[code]
        ws.data_validation(r, 2, r, 2, {
            "validate": "integer", **rule, "ignore_blank": True,
            "input_title": _DATA_TITLE[code], "input_message": _DATA_HELP[code],
            "error_title": "Số liệu không hợp lệ", "error_message": _DATA_HELP[code],
        })  # fmt: skip
    first, last = RATING_LIST_ROW + 1, RATING_LIST_ROW + len(RATING_LABELS)
    for code in L.RATING_CODES:
        r = rows[code]
        ws.data_validation(r, 2, r, 2, {
            "validate": "list", "source": f"=$B${first}:$B${last}",
            "input_title": "Xếp loại", "input_message": _DATA_HELP[code],
            "error_title": "Xếp loại không hợp lệ",
            "error_message": "Chọn một trong bốn mức xếp loại của danh sách.",
        })  # fmt: skip
    top, bottom = a1(rows["TS"], 2), a1(rows["XLTCD"], 2)
    ws.conditional_format(f"{top}:{bottom}", {"type": "blanks", "format": st.dxf(bg_color="#FFE699")})
    # One rule per count, absolute references: a rule over a range shifts its references
    # row by row, and CSTD would be compared with KHTNV.
    red = st.dxf(bg_color="#F4B084", font_color="#9C0006")
    bounds = {"TS": None, "LDTT": ts, "CSTD": ldtt, "KHTNV": ts, "KL": ts}
    for code, bound in bounds.items():
        x = "$C$" + a1(rows[code], 2)[1:]
        limit = f"{x}<1" if bound is None else f"{x}<0,AND(ISNUMBER($C${bound[1:]}),{x}>$C${bound[1:]})"
        bad = f"=IF(ISNUMBER({x}),OR({x}<>INT({x}),{limit}),ISTEXT({x}))"  # IF: INT of text is an error
        ws.conditional_format(x.replace("$", ""), {"type": "formula", "criteria": bad, "format": red})

    ws.write_string(RATING_LIST_ROW - 1, 1, "Các mức xếp loại (dùng cho XLDV, XLTCD):", st(italic=True))
    for i, label in enumerate(RATING_LABELS):
        ws.write_string(RATING_LIST_ROW + i, 1, label, st(font_color="#595959"))
    ws.freeze_panes(DATA_HEAD + 1, 0)
    portrait_a4(ws, repeat=(DATA_HEAD, DATA_HEAD))
    protect(ws, bloc.info.template_password)


KIND_WORDS = {Kind.BONUS: "điểm thưởng", Kind.DEDUCTION: "điểm trừ"}


def with_kind(text: str, kind: Kind) -> str:
    """A top-level section's text with its kind in words, unless the text says it already:
    'Khen thưởng (điểm thưởng)', but 'Điểm thưởng' as it is."""
    words = KIND_WORDS.get(kind)
    if words is None or words in clean(text).lower():
        return text
    return f"{text} ({words})"


def write_guide_sheet(book: xlsxwriter.Workbook, st: Styles, bloc: Bloc, unit: Unit) -> None:
    ws = book.add_worksheet(L.SHEET_GUIDE)
    ws.hide_gridlines(2)
    widths = (9, 60, 10, 60)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    info = bloc.info
    due = f" trước ngày {info.deadline:%d/%m/%Y}" if info.deadline else ""
    steps = [
        f"1. Ở trang '{L.SHEET_SCORES}', nhập điểm vào cột '{L.S_SCORE}' (ô nền vàng) của từng "
        "tiêu chí; điểm của mục và các dòng tổng tự tính.",
        "2. Điểm có thể có phần thập phân (ví dụ 9,5). Tiêu chí 'trừ': nhập số điểm bị trừ bằng số dương.",
        f"3. Ghi giải trình, minh chứng ở cột '{L.S_NOTE}' khi không đạt điểm tối đa hoặc có điểm thưởng, điểm trừ.",
        f"4. Ở trang '{L.SHEET_DATA}', nhập số người và chọn xếp loại.",
        "5. Dòng 'Tình trạng' phía trên bảng cho biết còn bao nhiêu tiêu chí chưa chấm.",
        "6. Không thêm, xóa, đổi mã tiêu chí; không đổi tên các trang tính. Có thể lưu bằng "
        "Excel, LibreOffice hoặc WPS (.xlsx, .xls, .ods).",
        f"7. Gửi tệp này cho khối trưởng{due}, kèm báo cáo tổng kết có chữ ký, đóng dấu.",
    ]
    ws.merge_range(0, 0, 0, 3, "HƯỚNG DẪN TỰ CHẤM ĐIỂM", st(bold=True, font_size=14, align="center"))
    ws.merge_range(
        1,
        0,
        1,
        3,
        f"{info.name} - năm {info.year}",
        st(italic=True, align="center", text_wrap=True),
    )
    r = 3
    for text in steps:
        ws.merge_range(r, 0, r, 3, text, st(text_wrap=True, valign="top"))
        ws.set_row(r, fit_height((text, sum(widths)), chars_per_unit=PLAIN_TEXT))
        r += 1
    r += 1
    ws.merge_range(r, 0, r, 3, "HƯỚNG DẪN CHẤM TỪNG TIÊU CHÍ", st(bold=True, align="center"))
    r += 1
    for c, label in enumerate(("Mã", "Nội dung tiêu chí", "Điểm tối đa", "Hướng dẫn chấm")):
        ws.write_string(r, c, label, st.head())
    r += 1
    for crit in bloc.criteria:
        bold = {"bold": True, "bg_color": HEAD_FILL} if not crit.is_leaf else {}
        ws.write_string(r, 0, crit.code, st.cell(align="center", **bold))
        shown = crit.text if crit.parent else with_kind(crit.text, crit.kind)
        ws.write_string(r, 1, shown, st.cell(**bold))
        ws.write_number(r, 2, float(crit.max), st.cell(align="center", **bold))
        ws.write_string(r, 3, crit.guide, st.cell(**bold))
        density = PLAIN_TEXT if crit.is_leaf else BOLD_TEXT
        ws.set_row(r, fit_height((shown, 60), (crit.guide, 60), chars_per_unit=density))
        r += 1
    portrait_a4(ws)
    protect(ws, bloc.info.template_password, resize=False)
