"""Write the bloc workbook (khoi.xlsx) a bloc leader edits in Excel: `thidua-xlsx init`."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from thidua_xlsx.bloc.numbering import shapes
from thidua_xlsx.bloc.spec import BlocSpec, default_bloc_spec
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import OutputError
from thidua_xlsx.core.numbers import plain
from thidua_xlsx.core.ratings import RATING_LABELS
from thidua_xlsx.writers.atomic import atomic_path
from thidua_xlsx.writers.style import (
    BOLD_TEXT,
    HEAD_FILL,
    INPUT_FILL,
    PLAIN_TEXT,
    SECTION_FILL,
    Styles,
    fit_height,
    new_workbook,
    portrait_a4,
)

HEAD_ROW = 3  # 0-based row of the header of every data sheet
GUIDE_WIDTH = 90  # LibreOffice does not shrink a lone column wider than the page: keep it narrower
MAX_LIST = 500  # rows a dropdown over units or titles reaches

_INFO_HELP = {
    L.I_NAME: "Tên đầy đủ của khối (cụm) thi đua, in trên mẫu và bảng xếp hạng.",
    L.I_YEAR: "Năm chấm điểm thi đua.",
    L.I_GOVERNING: "Cơ quan cấp trên in ở góc trái tiêu đề; có thể để trống.",
    L.I_LEADER: "Mã đơn vị khối trưởng (chọn từ danh sách ở trang 'Đơn vị').",
    L.I_DEPUTY: "Mã đơn vị khối phó (chọn từ danh sách ở trang 'Đơn vị'); có thể để trống.",
    L.I_PLACE: "Địa danh ở dòng ngày tháng, ví dụ: Ý Yên.",
    L.I_DEADLINE: "Hạn các đơn vị gửi bảng tự chấm điểm (ngày/tháng/năm).",
    L.I_BASE_TOTAL: "Tổng điểm tối đa của các tiêu chí loại 'điểm'; phải khớp trang 'Tiêu chí'.",
    L.I_LDTT_MIN: "Chỉ tiêu tỷ lệ cá nhân đạt 'Lao động tiên tiến' của mỗi đơn vị.",
    L.I_CSTD_TARGET: "Chỉ tiêu tỷ lệ 'Chiến sĩ thi đua' trên số 'Lao động tiên tiến'.",
    L.I_SIGNER: "Người ký bảng xếp hạng.",
    L.I_SIGNER_TITLE: "Chức danh người ký.",
    L.I_VOTE_SHARE: "Đề nghị khen thưởng cần số phiếu suy tôn NHIỀU HƠN tỷ lệ này của số "
    "thành viên dự họp (mặc định 50: quá nửa).",
    L.I_PASSWORD: "Mật khẩu khóa mẫu tự chấm; để trống: khóa không mật khẩu.",
}

GUIDE = [
    ("TỆP KHỐI THI ĐUA", "title"),
    ("Tệp này mô tả khối thi đua: thông tin chung, các đơn vị thành viên, tiêu chí chấm "
     "điểm, điều kiện danh hiệu và quy tắc đề nghị khen thưởng. Sửa trực tiếp trong Excel "
     "hoặc LibreOffice, giữ nguyên tên các trang tính và dòng tiêu đề của từng bảng.", "text"),
    ("Các bước", "head"),
    ("1. Trang 'Thông tin khối': sửa tên khối, năm, khối trưởng, hạn nộp, người ký.", "text"),
    ("2. Trang 'Đơn vị': thay danh sách ví dụ bằng các đơn vị của khối. Mã đơn vị ngắn, "
     "không dấu, không trùng (ví dụ VHTT).", "text"),
    ("3. Trang 'Tiêu chí': mỗi dòng một tiêu chí. Mã dạng 1, 1.1, 1.2, 2.1.a: mã là tiền tố "
     "của mã khác là một mục, còn lại là tiêu chí chấm điểm. Cũng có thể đánh số như bảng của "
     "khối (I, II; 1, 2 đánh lại trong từng mục; a, b), theo thứ tự các dòng: mẫu tự chấm dùng "
     "mã đầy đủ (I.1, II.2.a). Điểm tối đa của mục (nếu nhập) phải bằng tổng các tiêu chí con. "
     "Loại: điểm (mặc định), thưởng, trừ; dòng để trống Loại lấy loại của mục chứa nó.", "text"),
    ("4. Trang 'Danh hiệu' và 'Khen thưởng': điều kiện theo Luật Thi đua, khen thưởng "
     "2022; để trống một ô là không đặt điều kiện đó. Viết \">50\" nghĩa là 'trên 50'. "
     "'Phải đạt danh hiệu': danh hiệu đơn vị cũng phải đủ điều kiện (Tập thể lao động xuất sắc "
     "được chọn trong các tập thể đạt Tập thể lao động tiên tiến). 'Số năm liên tục': số năm "
     "liền, tính cả năm nay, đơn vị phải giữ xếp loại và danh hiệu của dòng đó.", "text"),
    ("5. Trang 'Kết quả các năm trước' (không bắt buộc): mỗi dòng kết quả một năm của một đơn "
     "vị, dùng để xét điều kiện nhiều năm và in trang 'Qua các năm'. Năm sau, lệnh "
     "thidua-xlsx init THƯ_MỤC --from xep_hang_<năm>_chinh_thuc.xlsx tạo tệp khối mới và "
     "tự thêm kết quả năm nay vào trang này.", "text"),
    ("6. Chạy: thidua-xlsx templates  → mỗi đơn vị một tệp mẫu tự chấm điểm trong thư mục "
     "mau_tu_cham/. Gửi mẫu cho các đơn vị.", "text"),
    ("7. Nhận tệp trả về vào một thư mục (ví dụ inbox/), rồi chạy: thidua-xlsx collect inbox/ "
     "→ bảng xếp hạng xep_hang_<năm>.xlsx.", "text"),
    ("Lưu ý", "head"),
    ("Mọi điểm số được tính chính xác theo số thập phân (33,3 + 33,3 + 33,4 = 100). "
     "Hai đơn vị bằng điểm là đồng hạng.", "text"),
    ("Nếu Excel tự đổi mã 1.10 thành 1.1, hãy định dạng cột Mã là Văn bản (Text) trước "
     "khi nhập.", "text"),
]  # fmt: skip


def _date(value: Any) -> Any:
    if isinstance(value, str):
        m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", value)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return value


def write_bloc_workbook(path: Path | str, spec: BlocSpec | None = None, *, force: bool = False) -> Path:
    """Write a bloc workbook from `spec` (default: the seed's bloc); refuse to overwrite."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path} đã có. Dùng --force để ghi đè.")
    spec = spec or default_bloc_spec()
    with atomic_path(path) as tmp:
        book = new_workbook(tmp)
        st = Styles(book, size=12)
        _guide(book, st)
        _info_sheet(book, st, spec["info"])
        _units_sheet(book, st, spec["units"])
        _criteria_sheet(book, st, spec["criteria"])
        _titles_sheet(book, st, spec["titles"])
        _awards_sheet(book, st, spec["awards"])
        _history_sheet(book, st, spec.get("history") or [])
        _lists(book)
        book.set_properties({"title": "Tệp khối thi đua", "comments": "thidua-xlsx"})
        book.close()
    return path


def _sheet(book, st: Styles, name: str, title: str, hint: str, headers: list[str], widths: list[int]):
    ws = book.add_worksheet(name)
    ws.hide_gridlines(2)
    ws.write_string(0, 0, title, st(bold=True, font_size=14))
    ws.write_string(1, 0, hint, st(italic=True, font_color="#595959"))
    for c, (label, width) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(HEAD_ROW, c, label, st.head())
        ws.set_column(c, c, width)
    ws.freeze_panes(HEAD_ROW + 1, 0)
    ws.set_row(HEAD_ROW, max(32, fit_height(*zip(headers, [w - 1 for w in widths], strict=True))))
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEAD_ROW)
    return ws


def _write(ws, st: Styles, r: int, c: int, value: Any, **fmt: Any) -> None:
    f = st.cell(**fmt)
    if value is None or value == "":
        ws.write_blank(r, c, None, f)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), st.cell(num_format="dd/mm/yyyy", **fmt))
    elif isinstance(value, bool):
        ws.write_string(r, c, str(value), f)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, f)
    elif isinstance(value, Decimal):  # a number where the double holds it exactly, else its digits
        exact = Decimal(repr(float(value))) == value
        ws.write_number(r, c, float(value), f) if exact else ws.write_string(r, c, plain(value), f)
    else:
        ws.write_string(r, c, str(value), f)


def _guide(book, st: Styles) -> None:
    ws = book.add_worksheet(L.SHEET_GUIDE)
    ws.hide_gridlines(2)
    ws.set_column(0, 0, GUIDE_WIDTH)
    for r, (text, kind) in enumerate(GUIDE):
        fmt = {
            "title": st(bold=True, font_size=15),
            "head": st(bold=True, font_size=13, bg_color=HEAD_FILL),
            "text": st(text_wrap=True, valign="top"),
        }[kind]
        ws.write_string(r, 0, text, fmt)
        ws.set_row(r, fit_height((text, GUIDE_WIDTH), line=18 if kind != "text" else 16, chars_per_unit=PLAIN_TEXT))
    portrait_a4(ws)


def _info_sheet(book, st: Styles, info: dict[str, Any]) -> None:
    ws = _sheet(book, st, L.SHEET_INFO, "THÔNG TIN KHỐI THI ĐUA",
                "Sửa cột 'Giá trị'. Không đổi tên các mục ở cột 'Mục'.",
                [L.INFO_ITEM, L.INFO_VALUE, "Giải thích"], [34, 62, 70])  # fmt: skip
    r = HEAD_ROW + 1
    for key in L.INFO_KEYS:
        value = _date(info.get(key)) if key == L.I_DEADLINE else info.get(key)
        _write(ws, st, r, 0, key, bold=True)
        _write(ws, st, r, 1, value, bg_color=INPUT_FILL, align="left")
        _write(ws, st, r, 2, _INFO_HELP.get(key, ""), italic=True, font_color="#595959")
        ws.set_row(r, fit_height((_INFO_HELP.get(key, ""), 70), (str(value or ""), 62), chars_per_unit=PLAIN_TEXT))
        if key in (L.I_LEADER, L.I_DEPUTY):
            ws.data_validation(r, 1, r, 1, {
                "validate": "list",
                "source": f"='{L.SHEET_UNITS}'!$A${HEAD_ROW + 2}:$A${HEAD_ROW + 1 + MAX_LIST}",
                "input_title": key, "input_message": f"Chọn mã đơn vị {key.lower()}.",
                "error_title": "Không phải mã đơn vị",
                "error_message": f"{key} phải là mã một đơn vị ở trang 'Đơn vị'.",
            })  # fmt: skip
        r += 1


def _units_sheet(book, st: Styles, units: list[list[Any]]) -> None:
    ws = _sheet(book, st, L.SHEET_UNITS, "CÁC ĐƠN VỊ THÀNH VIÊN CỦA KHỐI",
                "Danh sách dưới đây là VÍ DỤ (các phòng, đơn vị của một huyện): thay bằng các "
                "đơn vị của khối. Mã đơn vị: không dấu, không trùng, tối đa 20 ký tự.",
                L.UNIT_HEADERS, [16, 60, 40])  # fmt: skip
    text = st.cell(num_format="@")
    for r, row in enumerate(units, start=HEAD_ROW + 1):
        for c, value in enumerate(row):
            _write(ws, st, r, c, value, num_format="@")
        texts = ((str(row[1]), 60), (str(row[2] if len(row) > 2 else ""), 40))
        ws.set_row(r, fit_height(*texts, chars_per_unit=PLAIN_TEXT))
    ws.set_column(0, 0, 16, text)


def _criteria_sheet(book, st: Styles, criteria: list[list[Any]]) -> None:
    ws = _sheet(book, st, L.SHEET_CRITERIA, "TIÊU CHÍ CHẤM ĐIỂM THI ĐUA",
                "Mỗi dòng một tiêu chí. Mục (dòng có tiêu chí con) in đậm; điểm tối đa "
                "của mục bằng tổng các tiêu chí con. Loại: điểm, thưởng, trừ.",
                L.CRITERIA_HEADERS, [9, 80, 12, 11, 60])  # fmt: skip
    # Sections and depths as the loader reads them, whether the codes are dotted or own numbering.
    tree = shapes(row[0] for row in criteria)
    for r, (row, place) in enumerate(zip(criteria, tree, strict=True), start=HEAD_ROW + 1):
        section, depth = place.section, place.depth
        extra: dict[str, Any] = {"bold": True, "bg_color": SECTION_FILL} if section else {}
        _write(ws, st, r, 0, str(row[0]), num_format="@", **extra)
        _write(ws, st, r, 1, row[1], indent=depth, **extra)
        _write(ws, st, r, 2, row[2], align="center", **extra)
        _write(ws, st, r, 3, row[3], align="center", **extra)
        _write(ws, st, r, 4, row[4] if len(row) > 4 else "", **extra)
        texts = ((str(row[1]), 80 - 2 * depth), (str(row[4] if len(row) > 4 else ""), 60))
        ws.set_row(r, fit_height(*texts, chars_per_unit=BOLD_TEXT if section else PLAIN_TEXT))
    last = HEAD_ROW + 1 + max(len(criteria), 200)
    ws.set_column(0, 0, 9, st(num_format="@"))
    ws.data_validation(HEAD_ROW + 1, 3, last, 3, {
        "validate": "list", "source": "='_danh_muc'!$A$2:$A$4",
        "input_title": "Loại tiêu chí",
        "input_message": "điểm: cộng vào điểm chuẩn; thưởng: điểm thưởng; trừ: điểm bị trừ "
        "(đơn vị nhập số dương). Để trống: theo mục chứa nó.",
        "error_title": "Loại không hợp lệ", "error_message": "Chọn điểm, thưởng hoặc trừ.",
    })  # fmt: skip
    ws.data_validation(HEAD_ROW + 1, 2, last, 2, {
        "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
        "error_title": "Điểm tối đa", "error_message": "Điểm tối đa là một số không âm.",
    })  # fmt: skip


def _lists(book):
    """Hidden sheet with the dropdown lists (a cell range, as Excel and LibreOffice both need)."""
    ws = book.add_worksheet("_danh_muc")
    ws.write_string(0, 0, "Loại")
    for i, kind in enumerate(("điểm", "thưởng", "trừ"), start=1):
        ws.write_string(i, 0, kind)
    ws.write_string(0, 1, "Xếp loại")
    for i, label in enumerate(RATING_LABELS, start=1):
        ws.write_string(i, 1, label)
    ws.hide()
    return ws


def _titles_sheet(book, st: Styles, titles: list[dict[str, Any]]) -> None:
    headers = [*L.TITLE_HEADERS, L.T_BASIS]
    ws = _sheet(book, st, L.SHEET_TITLES, "ĐIỀU KIỆN DANH HIỆU THI ĐUA TẬP THỂ",
                "Điều kiện đo được của từng danh hiệu; ô trống là không đặt điều kiện. "
                "\">50\" nghĩa là trên 50 (không tính bằng 50). Luật đang được sửa đổi: "
                "kiểm tra lại khi có văn bản mới.",
                headers, [30, 30, 14, 12, 16, 12, 26, 70])  # fmt: skip
    for r, row in enumerate(titles, start=HEAD_ROW + 1):
        for c, label in enumerate(headers):
            value = row.get(label)
            _write(ws, st, r, c, value, align="center" if 1 < c < 6 else "left")
        texts = ((str(row.get(L.T_BASIS) or ""), 70), (str(row.get(L.T_NAME)), 30))
        ws.set_row(r, fit_height(*texts, chars_per_unit=PLAIN_TEXT))
    ws.data_validation(HEAD_ROW + 1, 6, HEAD_ROW + 50, 6, {
        "validate": "list",
        "source": f"='{L.SHEET_TITLES}'!$A${HEAD_ROW + 2}:$A${HEAD_ROW + 50}",
        "input_title": L.T_REQUIRES, "input_message": "Danh hiệu (ở trang này) đơn vị cũng phải đủ điều kiện.",
        "error_title": "Danh hiệu không có", "error_message": "Chọn danh hiệu ở cột 'Danh hiệu' của trang này.",
    })  # fmt: skip
    ws.data_validation(HEAD_ROW + 1, 1, HEAD_ROW + 50, 1, {
        "validate": "list", "source": "='_danh_muc'!$B$2:$B$5",
        "input_title": "Xếp loại tối thiểu", "input_message": "Chọn một trong bốn mức xếp loại.",
        "error_title": "Xếp loại không hợp lệ", "error_message": "Chọn một trong bốn mức xếp loại.",
    })  # fmt: skip


def _awards_sheet(book, st: Styles, awards: list[list[Any]]) -> None:
    ws = _sheet(book, st, L.SHEET_AWARDS, "QUY TẮC ĐỀ NGHỊ KHEN THƯỞNG",
                "Dòng của đơn vị là dòng đầu tiên có hạng và điểm tối thiểu đơn vị đạt; các điều kiện "
                "còn lại của dòng đó quyết định có đề nghị hay không (không xét tiếp dòng sau). Danh "
                "hiệu bắt buộc phải có trong trang 'Danh hiệu'. Ví dụ theo thẩm quyền cấp tỉnh, cấp huyện.",
                L.AWARD_HEADERS, [40, 9, 9, 11, 30, 24, 11])  # fmt: skip
    for r, row in enumerate(awards, start=HEAD_ROW + 1):
        for c, value in enumerate(row):
            _write(ws, st, r, c, value, align="center" if 0 < c < 4 or c == 6 else "left")
    ws.data_validation(HEAD_ROW + 1, 4, HEAD_ROW + 50, 4, {
        "validate": "list",
        "source": f"='{L.SHEET_TITLES}'!$A${HEAD_ROW + 2}:$A${HEAD_ROW + 50}",
        "input_title": "Danh hiệu bắt buộc", "input_message": "Chọn danh hiệu ở trang 'Danh hiệu'.",
        "error_title": "Danh hiệu không có", "error_message": "Chọn danh hiệu ở trang 'Danh hiệu'.",
    })  # fmt: skip
    for c in (1, 2):
        ws.data_validation(HEAD_ROW + 1, c, HEAD_ROW + 50, c, {
            "validate": "integer", "criteria": ">=", "value": 1,
            "error_title": "Hạng", "error_message": "Hạng là số nguyên từ 1 trở lên.",
        })  # fmt: skip
    ws.data_validation(HEAD_ROW + 1, 5, HEAD_ROW + 50, 5, {
        "validate": "list", "source": "='_danh_muc'!$B$2:$B$5",
        "input_title": "Xếp loại tối thiểu", "input_message": "Xếp loại đơn vị phải đạt (các năm liên tục nếu có).",
        "error_title": "Xếp loại không hợp lệ", "error_message": "Chọn một trong bốn mức xếp loại.",
    })  # fmt: skip
    ws.data_validation(HEAD_ROW + 1, 6, HEAD_ROW + 50, 6, {
        "validate": "integer", "criteria": ">=", "value": 1,
        "input_title": L.A_YEARS, "input_message": "Số năm liền, tính cả năm nay; để trống: chỉ năm nay.",
        "error_title": L.A_YEARS, "error_message": "Số năm là số nguyên từ 1 trở lên.",
    })  # fmt: skip


def _history_sheet(book, st: Styles, rows: list[list[Any]]) -> None:
    ws = _sheet(book, st, L.SHEET_HISTORY, "KẾT QUẢ THI ĐUA CÁC NĂM TRƯỚC",
                "Không bắt buộc. Mỗi dòng: kết quả một năm của một đơn vị, để xét 'Số năm liên tục' và in "
                "trang 'Qua các năm'. Các dòng ghi 'Ví dụ' là VÍ DỤ: thay bằng kết quả thật hoặc xóa. "
                "Lệnh 'init --from' tự thêm kết quả chính thức năm nay.",
                [*L.HISTORY_HEADERS, L.UNIT_NOTE], [8, 12, 10, 8, 28, 30, 36, 16])  # fmt: skip
    for r, row in enumerate(rows, start=HEAD_ROW + 1):
        for c, value in enumerate(row):
            code = {"num_format": "@"} if c == 1 else {}
            _write(ws, st, r, c, value, align="center" if c < 4 else "left", **code)
    last = HEAD_ROW + 1 + max(len(rows), 500)
    ws.set_column(1, 1, 12, st(num_format="@"))
    ws.data_validation(HEAD_ROW + 1, 4, last, 4, {
        "validate": "list", "source": "='_danh_muc'!$B$2:$B$5",
        "error_title": "Xếp loại không hợp lệ", "error_message": "Chọn một trong bốn mức xếp loại.",
    })  # fmt: skip
    ws.data_validation(HEAD_ROW + 1, 5, last, 5, {
        "validate": "list", "source": f"='{L.SHEET_TITLES}'!$A${HEAD_ROW + 2}:$A${HEAD_ROW + 50}",
        "error_title": "Danh hiệu không có", "error_message": "Chọn danh hiệu ở trang 'Danh hiệu'.",
    })  # fmt: skip
