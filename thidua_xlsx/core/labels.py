"""Exact sheet names, header labels and codes the product contract fixes (PRODUCT.md)."""

from __future__ import annotations

import enum

# Bloc workbook
SHEET_GUIDE = "Hướng dẫn"
SHEET_INFO = "Thông tin khối"
SHEET_UNITS = "Đơn vị"
SHEET_CRITERIA = "Tiêu chí"
SHEET_TITLES = "Danh hiệu"
SHEET_AWARDS = "Khen thưởng"
BLOC_SHEETS = (SHEET_INFO, SHEET_UNITS, SHEET_CRITERIA, SHEET_TITLES, SHEET_AWARDS)  # every bloc has these
SHEET_HISTORY = "Kết quả các năm trước"  # optional: the bloc's results of earlier years (§12)

INFO_ITEM, INFO_VALUE = "Mục", "Giá trị"
INFO_HEADERS = [INFO_ITEM, INFO_VALUE]
I_NAME = "Tên khối"
I_YEAR = "Năm"
I_GOVERNING = "Cơ quan cấp trên"
I_LEADER = "Khối trưởng"
I_DEPUTY = "Khối phó"
I_PLACE = "Địa danh"
I_DEADLINE = "Hạn nộp"
I_BASE_TOTAL = "Tổng điểm chuẩn"
I_LDTT_MIN = "Tỷ lệ LĐTT tối thiểu (%)"
I_CSTD_TARGET = "Tỷ lệ CSTĐ trên LĐTT (%)"
I_SIGNER = "Người ký"
I_SIGNER_TITLE = "Chức danh người ký"
I_VOTE_SHARE = "Tỷ lệ phiếu suy tôn tối thiểu (%)"
I_PASSWORD = "Mật khẩu bảo vệ mẫu"
INFO_KEYS = (
    I_NAME, I_YEAR, I_GOVERNING, I_LEADER, I_DEPUTY, I_PLACE, I_DEADLINE, I_BASE_TOTAL, I_LDTT_MIN,
    I_CSTD_TARGET, I_SIGNER, I_SIGNER_TITLE, I_VOTE_SHARE, I_PASSWORD,
)  # fmt: skip

UNIT_CODE, UNIT_NAME, UNIT_NOTE = "Mã đơn vị", "Tên đơn vị", "Ghi chú"
UNIT_HEADERS = [UNIT_CODE, UNIT_NAME, UNIT_NOTE]

C_CODE, C_TEXT, C_MAX, C_KIND, C_GUIDE = (
    "Mã",
    "Nội dung tiêu chí",
    "Điểm tối đa",
    "Loại",
    "Hướng dẫn chấm",
)
CRITERIA_HEADERS = [C_CODE, C_TEXT, C_MAX, C_KIND, C_GUIDE]

T_NAME = "Danh hiệu"
T_RATING = "Xếp loại đơn vị tối thiểu"
T_LDTT = "Tỷ lệ LĐTT tối thiểu (%)"
T_CSTD = "Số CSTĐ tối thiểu"
T_KHTNV = "Số không hoàn thành nhiệm vụ tối đa"
T_KL = "Số bị kỷ luật tối đa"
T_REQUIRES = "Phải đạt danh hiệu"  # another title of the sheet the unit must also be eligible for
T_BASIS = "Căn cứ"
TITLE_HEADERS = [T_NAME, T_RATING, T_LDTT, T_CSTD, T_KHTNV, T_KL, T_REQUIRES]

A_NAME = "Hình thức khen thưởng"
A_FROM, A_TO = "Hạng từ", "Hạng đến"
A_MIN_TOTAL = "Điểm tối thiểu"
A_TITLE = "Danh hiệu bắt buộc"
A_RATING = "Xếp loại đơn vị tối thiểu"
A_YEARS = "Số năm liên tục"
AWARD_HEADERS = [A_NAME, A_FROM, A_TO, A_MIN_TOTAL, A_TITLE, A_RATING, A_YEARS]
AWARD_OPTIONAL = (A_RATING, A_YEARS)  # a workbook without them sets no such condition, as blank cells do

H_YEAR, H_UNIT, H_TOTAL, H_RANK = "Năm", "Mã đơn vị", "Tổng điểm", "Hạng"
H_RATING, H_TITLE, H_AWARD = "Xếp loại đơn vị", "Danh hiệu", "Hình thức khen thưởng"
HISTORY_HEADERS = [H_YEAR, H_UNIT, H_TOTAL, H_RANK, H_RATING, H_TITLE, H_AWARD]

# Unit template
SHEET_SCORES = "Tự chấm điểm"
SHEET_DATA = "Số liệu"
SHEET_META = "_thidua"
S_CODE, S_TEXT, S_MAX, S_SCORE, S_NOTE = (
    "Mã", "Nội dung tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Giải trình, minh chứng",
)  # fmt: skip
SCORE_HEADERS = [S_CODE, S_TEXT, S_MAX, S_SCORE, S_NOTE]
TOTAL_BASE = "Tổng điểm chuẩn"
TOTAL_BONUS = "Điểm thưởng"
TOTAL_DEDUCTION = "Điểm trừ"
TOTAL = "Tổng điểm"
TOTAL_LABELS = (TOTAL_BASE, TOTAL_BONUS, TOTAL_DEDUCTION, TOTAL)
UNIT_LINE = "Đơn vị: {name}"  # the unit line above the table, as the template writes it

D_CODE, D_TEXT, D_VALUE, D_NOTE = "Mã", "Nội dung", "Giá trị", "Ghi chú"
DATA_HEADERS = [D_CODE, D_TEXT, D_VALUE, D_NOTE]


class DataCode(str, enum.Enum):
    """The rows of 'Số liệu', in their order on the sheet."""

    __hash__ = str.__hash__  # a dict key of every unit's data: the string's own (C) hash, equal to the code's

    TS = "TS"
    LDTT = "LDTT"
    CSTD = "CSTD"
    KHTNV = "KHTNV"
    KL = "KL"
    XLDV = "XLDV"
    XLTCD = "XLTCD"

    def __str__(self) -> str:
        return self.value

    @property
    def text(self) -> str:
        return _DATA_TEXTS[self]

    @property
    def is_count(self) -> bool:
        return self not in (DataCode.XLDV, DataCode.XLTCD)


_DATA_TEXTS = {
    DataCode.TS: "Tổng số cán bộ, công chức, viên chức, người lao động",
    DataCode.LDTT: 'Số cá nhân đạt danh hiệu "Lao động tiên tiến"',
    DataCode.CSTD: 'Số cá nhân đạt danh hiệu "Chiến sĩ thi đua cơ sở" trở lên',
    DataCode.KHTNV: "Số cá nhân không hoàn thành nhiệm vụ",
    DataCode.KL: "Số cá nhân bị kỷ luật từ hình thức cảnh cáo trở lên",
    DataCode.XLDV: "Xếp loại chất lượng của đơn vị",
    DataCode.XLTCD: "Xếp loại tổ chức đảng (chi bộ, đảng bộ)",
}
DATA_ROWS = tuple((code.value, code.text) for code in DataCode)
COUNT_CODES = tuple(code for code in DataCode if code.is_count)
RATING_CODES = tuple(code for code in DataCode if not code.is_count)

FORM_ID = "thidua-xlsx/tu-cham-diem"
RANKING_FORM_ID = "thidua-xlsx/xep-hang"
FORMAT_VERSION = 1


class MetaKey(str, enum.Enum):
    """Keys of the hidden '_thidua' sheet, one per row: key | value."""

    FORM = "form"
    FORMAT_VERSION = "format_version"
    BLOC = "bloc"
    YEAR = "year"
    UNIT_CODE = "unit_code"
    UNIT_NAME = "unit_name"
    FINGERPRINT = "fingerprint"
    GENERATED_AT = "generated_at"
    TOOL_VERSION = "tool_version"
    FINAL = "final"  # ranking workbooks: "1" for the final ranking

    def __str__(self) -> str:
        return self.value


META_KEYS = tuple(k.value for k in MetaKey if k is not MetaKey.FINAL)  # a template's rows, in order
RANKING_META_KEYS = tuple(
    k.value for k in MetaKey if k not in (MetaKey.UNIT_CODE, MetaKey.UNIT_NAME)
)  # a ranking workbook's rows, in order

# Ranking workbook
R_RANKING = "Xếp hạng"
R_DETAIL = "Chi tiết điểm"
R_TARGETS = "Chỉ tiêu"
R_TITLES = "Danh hiệu"
R_CHECKS = "Kiểm tra"
R_SUBMISSIONS = "Tình hình nộp"
R_REVIEW = "Bình xét"
R_MINUTES = "Biên bản"
R_HISTORY = "Qua các năm"  # after every sheet of RANKING_SHEETS, when the bloc has history (§7, §12)
SHEET_CARRY = "_khoi"  # hidden, final ranking only: the bloc and its results, for `init --from`

# 'Bình xét' (§9): the meeting's record, each input in the cell right of its label
PRESENT = "Số thành viên dự họp"  # a live count of the units marked present
M_TIME = "Thời gian họp"
M_PLACE = "Địa điểm họp"
M_CHAIR = "Chủ trì"
M_SECRETARY = "Thư ký"
NEXT_LEADER = "Khối trưởng năm sau"
LEADER_VOTES = "Số phiếu bầu khối trưởng"
NEXT_DEPUTY = "Khối phó năm sau"
DEPUTY_VOTES = "Số phiếu bầu khối phó"
MEETING_LABELS = (M_TIME, M_PLACE, M_CHAIR, M_SECRETARY, NEXT_LEADER, LEADER_VOTES, NEXT_DEPUTY, DEPUTY_VOTES, PRESENT)
V_CODE, V_NAME, V_ATTENDED = "Mã đơn vị", "Tên đơn vị", "Dự họp"
V_SELF, V_AGREED, V_VOTES = "Tổng điểm tự chấm", "Tổng điểm khối chấm", "Số phiếu suy tôn"
REVIEW_HEADERS = [V_CODE, V_NAME, V_ATTENDED, V_SELF, V_AGREED, V_VOTES]
ATTENDED, ABSENT = "Có", "Vắng"

# 'Điều chỉnh điểm' (§9): one row per criterion the meeting scored differently
R_ADJUST = "Điều chỉnh điểm"
RANKING_SHEETS = (R_RANKING, R_DETAIL, R_TARGETS, R_TITLES, R_CHECKS, R_SUBMISSIONS, R_REVIEW, R_ADJUST)
J_UNIT, J_CRITERION, J_SELF, J_AGREED, J_REASON = "Mã đơn vị", "Mã tiêu chí", "Điểm tự chấm", "Điểm khối chấm", "Lý do"
ADJUST_HEADERS = [J_UNIT, J_CRITERION, J_SELF, J_AGREED, J_REASON]

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
