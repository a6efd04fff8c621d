"""Problems found in returned files, as data: a stable code, a severity, the place, a message."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"  # keeps the unit out of the ranking until fixed
    WARNING = "warning"  # accepted, but someone should look
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}[self.value]

    @property
    def order(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Code(str, enum.Enum):
    """Every issue code: stable, kebab-case, the same in the JSON report and the catalogue."""

    __hash__ = str.__hash__  # looked up in the catalogue for every issue: the string's own (C) hash

    FILE_UNREADABLE = "file-unreadable"
    FILE_INACCESSIBLE = "file-inaccessible"
    FILE_PASSWORD = "file-password"
    FILE_PASSWORD_MODIFY = "file-password-modify"
    FILE_NOT_SPREADSHEET = "file-not-spreadsheet"
    FILE_TOO_LARGE = "file-too-large"
    ARCHIVE_UNREADABLE = "archive-unreadable"
    SHEET_TOO_LARGE = "sheet-too-large"
    FILE_SKIPPED = "file-skipped"
    LINK_OUTSIDE = "link-outside-inbox"
    UNIT_UNIDENTIFIED = "unit-unidentified"
    UNIT_UNKNOWN = "unit-unknown"
    FORM_COPIED = "form-copied"
    UNIT_CONFLICT = "unit-conflict"
    OTHER_BLOC = "other-bloc"
    OTHER_YEAR = "other-year"
    FINGERPRINT_MISMATCH = "fingerprint-mismatch"
    DUPLICATE_RETURN = "duplicate-return"
    DUPLICATE_CONFLICT = "duplicate-conflict"
    UNIT_MISSING = "unit-missing"
    SHEET_MISSING = "sheet-missing"
    CRITERION_MISSING = "criterion-missing"
    CRITERION_EXTRA = "criterion-extra"
    CRITERION_DUPLICATE = "criterion-duplicate"
    MAX_EDITED = "max-edited"
    SCORE_MISSING = "score-missing"
    SCORE_NOT_NUMBER = "score-not-number"
    SCORE_NEGATIVE = "score-negative"
    SCORE_ABOVE_MAX = "score-above-max"
    SCORE_TEXT_NUMBER = "score-text-number"
    SCORE_WITHOUT_CODE = "score-without-code"
    NUMBER_AMBIGUOUS = "number-ambiguous"
    TOTAL_MISMATCH = "total-mismatch"
    DATA_MISSING = "data-missing"
    DATA_INVALID = "data-invalid"
    DATA_INCONSISTENT = "data-inconsistent"
    DATA_TEXT_NUMBER = "data-text-number"
    RATING_INVALID = "rating-invalid"
    REPORT_MISSING = "report-missing"
    DOCUMENT_UNMATCHED = "document-unmatched"
    REVIEW_SELF_CHANGED = "review-self-changed"
    REVIEW_UNIT_ABSENT = "review-unit-absent"
    REVIEW_SCORE_UNUSED = "review-score-unused"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class IssueType:
    code: Code
    severity: Severity
    meaning: str  # what happened, for the catalogue
    fix: str  # what the unit (or the bloc leader) should do
    template: str  # the message, formatted with the issue's parameters


ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_TYPES = [
    # Files that cannot be read at all
    IssueType(Code.FILE_UNREADABLE, ERR, "Tệp hỏng hoặc không phải bảng tính đọc được.",
              "Mở lại tệp bằng Excel/LibreOffice, lưu lại dạng .xlsx rồi gửi lại.",
              "Không đọc được tệp: {detail}. Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi gửi lại."),
    IssueType(Code.FILE_INACCESSIBLE, ERR, "Máy của khối trưởng không mở được tệp (không có quyền, tên quá dài, liên kết vòng lặp, lỗi ổ đĩa…); không phải lỗi của tệp đơn vị gửi.",
              "Khối trưởng sửa trên máy mình theo lời nhắn rồi chạy lại; đơn vị không cần gửi lại.",
              "Máy này không đọc được tệp: {what}. Đây không phải lỗi của tệp đơn vị gửi (đơn vị không cần gửi lại); hãy {fix}."),
    IssueType(Code.FILE_PASSWORD, ERR, "Tệp có mật khẩu mở.",
              "Gỡ mật khẩu mở tệp (File > Info > Protect Workbook) rồi gửi lại.",
              "Tệp có mật khẩu mở nên không đọc được. Hãy gỡ mật khẩu mở tệp rồi gửi lại."),
    IssueType(Code.FILE_PASSWORD_MODIFY, ERR,
              "Tệp .xls có mật khẩu sửa hoặc khóa cấu trúc sổ: Excel mở không cần mật khẩu nhưng đã mã hóa tệp.",
              "Mở tệp bằng Excel, bỏ mật khẩu sửa (Save As > Tools > General Options) và khóa sổ (Review > Protect Workbook), lưu dạng .xlsx rồi gửi lại.",
              "Tệp .xls có mật khẩu sửa hoặc khóa cấu trúc sổ nên đã được Excel mã hóa (Excel mở không hỏi mật khẩu) và không đọc được. Hãy bỏ mật khẩu sửa và khóa sổ, lưu dạng .xlsx rồi gửi lại."),
    IssueType(Code.FILE_NOT_SPREADSHEET, ERR, "Tệp không phải bảng tính (trang web, CSV, văn bản, Word, PDF…) bị đặt đuôi bảng tính.",
              "Mở tệp mẫu gốc, nhập điểm và lưu dạng .xlsx (không 'Save as Web page' hay CSV).",
              "Tệp là {kind} được đặt đuôi {ext}, không phải bảng tính. Hãy nhập điểm vào mẫu gốc và lưu dạng .xlsx."),
    IssueType(Code.FILE_TOO_LARGE, ERR, "Tệp (hoặc nội dung giải nén) vượt giới hạn kích thước.",
              "Gửi lại đúng tệp mẫu tự chấm điểm; không chèn ảnh, dữ liệu lớn.",
              "Tệp bị từ chối vì quá lớn: {detail}. Hãy gửi lại đúng tệp mẫu tự chấm điểm."),
    IssueType(Code.ARCHIVE_UNREADABLE, ERR, "Tệp nén hỏng, bị cắt cụt, lồng quá nhiều lớp, hoặc không phải .zip (RAR, 7-Zip).",
              "Nén lại thành .zip và gửi lại, hoặc gửi riêng tệp bảng tính.",
              "Không mở được tệp nén: {detail}. Hãy gửi lại tệp nén hoặc gửi riêng tệp bảng tính."),
    IssueType(Code.SHEET_TOO_LARGE, ERR, "Trang tính có số dòng hoặc số cột vượt giới hạn.",
              "Xóa dữ liệu thừa ngoài bảng rồi gửi lại.",
              "Trang tính '{sheet}' quá lớn ({detail}); chỉ đọc phần đầu. Hãy xóa dữ liệu thừa ngoài bảng."),
    IssueType(Code.FILE_SKIPPED, INFO, "Tệp không phải bảng tính nên bị bỏ qua.",
              "Không cần làm gì nếu đây không phải bảng tự chấm điểm.",
              "Bỏ qua tệp không phải bảng tính ({reason})."),
    IssueType(Code.LINK_OUTSIDE, WARN, "Liên kết (symlink) trong thư mục nhận tệp trỏ ra ngoài thư mục đó nên không được đọc.",
              "Nếu đó là bảng tự chấm, chép tệp thật (không phải liên kết) vào thư mục nhận tệp rồi chạy lại.",
              "Liên kết trỏ ra ngoài thư mục nhận tệp (tới {target}) nên không được đọc. Nếu đó là bảng tự chấm, hãy chép tệp thật vào thư mục nhận tệp."),
    # Identification
    IssueType(Code.UNIT_UNIDENTIFIED, ERR, "Không xác định được tệp của đơn vị nào.",
              "Dùng đúng tệp mẫu được gửi, hoặc ghi tên đơn vị ở đầu bảng và đặt tên tệp theo mã đơn vị.",
              "Không xác định được đây là bảng tự chấm của đơn vị nào{detail}. Hãy dùng đúng tệp mẫu khối gửi."),
    IssueType(Code.UNIT_UNKNOWN, ERR, "Mã đơn vị trong tệp không có trong khối.",
              "Dùng đúng mẫu của đơn vị mình; khối trưởng kiểm tra danh sách đơn vị.",
              "Mã đơn vị \"{code}\" trong tệp không có trong danh sách đơn vị của khối."),
    IssueType(Code.FORM_COPIED, WARN, "Tệp không còn trang '_thidua' của mẫu; đơn vị được nhận ra theo tên hoặc mã.",
              "Lần sau dùng đúng tệp mẫu được gửi, không chép bảng sang tệp mới.",
              "Tệp không phải mẫu gốc (thiếu trang '_thidua'); đã nhận ra đơn vị {unit} theo {how}."),
    IssueType(Code.UNIT_CONFLICT, ERR, "Tệp ghi hai đơn vị khác nhau (mẫu của một đơn vị nhưng tên tệp hoặc dòng 'Đơn vị:' ghi đơn vị khác, hoặc bảng chép ghi hai đơn vị gửi); tệp không được dùng cho đơn vị nào.",
              "Khối trưởng hỏi lại hai đơn vị: đổi tên tệp cho đúng đơn vị đã chấm, hoặc đề nghị đơn vị gửi lại bảng chấm trên đúng mẫu của mình.",
              "Tệp ghi hai đơn vị khác nhau: {claims}. Tệp không được dùng cho đơn vị nào. Hãy hỏi lại đơn vị: nếu tên tệp sai thì đổi tên tệp cho đúng đơn vị; nếu đơn vị chấm nhầm trên mẫu của đơn vị khác thì gửi lại bảng chấm trên đúng mẫu của mình."),
    IssueType(Code.OTHER_BLOC, ERR, "Tệp là mẫu của khối thi đua khác.",
              "Dùng mẫu của khối này.",
              "Tệp là mẫu của khối \"{got}\", không phải \"{want}\". Hãy dùng mẫu của khối này."),
    IssueType(Code.OTHER_YEAR, ERR, "Tệp là mẫu của năm khác.",
              "Dùng mẫu năm nay.",
              "Tệp là mẫu năm {got}, không phải năm {want}. Hãy chấm điểm trên mẫu năm {want}."),
    IssueType(Code.FINGERPRINT_MISMATCH, WARN, "Tiêu chí trong mẫu khác tiêu chí hiện hành của khối (mẫu cũ).",
              "Chấm lại trên mẫu mới nhất nếu khối trưởng yêu cầu.",
              "Mẫu được tạo với bộ tiêu chí khác bộ hiện hành; các dòng được đối chiếu theo mã."),
    IssueType(Code.DUPLICATE_RETURN, WARN, "Đơn vị gửi nhiều tệp; chỉ dùng tệp lưu sau cùng (theo thời gian lưu ghi trong tệp), hoặc một trong hai tệp giống hệt nhau.",
              "Khối trưởng xóa bản cũ khỏi thư mục nếu không cần.",
              "Đơn vị {unit} có nhiều tệp; tệp này không được dùng vì {why}."),
    IssueType(Code.DUPLICATE_CONFLICT, ERR, "Đơn vị gửi hai tệp lưu cùng thời điểm nhưng khác điểm hoặc số liệu: không biết tệp nào là bản đúng.",
              "Khối trưởng hỏi lại đơn vị, bỏ tệp không đúng ra khỏi thư mục rồi chạy lại.",
              "Đơn vị {unit} có các tệp lưu cùng lúc ({when}) nhưng khác điểm hoặc số liệu: {files}. Chưa xếp hạng đơn vị này: hãy hỏi lại đơn vị và bỏ tệp không đúng ra khỏi thư mục."),
    IssueType(Code.UNIT_MISSING, ERR, "Đơn vị chưa nộp bảng tự chấm điểm.",
              "Đơn vị gửi bảng tự chấm điểm cho khối trưởng.",
              "Đơn vị {unit} ({name}) chưa nộp bảng tự chấm điểm."),
    # Structure of the return
    IssueType(Code.SHEET_MISSING, ERR, "Thiếu trang tính của mẫu.",
              "Dùng đúng tệp mẫu, không xóa hay đổi tên trang tính.",
              "Không tìm thấy trang '{sheet}' (hoặc bảng có dòng tiêu đề {headers})."),
    IssueType(Code.CRITERION_MISSING, ERR, "Thiếu dòng của một tiêu chí chấm điểm.",
              "Thêm lại dòng tiêu chí (hoặc chấm trên mẫu gốc).",
              "Thiếu dòng tiêu chí {code} \"{text}\" (điểm tối đa {max}); không tính được tổng điểm. Thêm lại dòng này {where}: mã {code} ở cột 'Mã', điểm ở cột 'Điểm tự chấm'."),
    IssueType(Code.CRITERION_EXTRA, WARN, "Có dòng mang mã tiêu chí không có trong khối; điểm ở dòng này không được tính.",
              "Xóa dòng thêm vào, hoặc hỏi khối trưởng.",
              "Dòng mã \"{code}\" không phải tiêu chí của khối; điểm ở dòng này không được tính."),
    IssueType(Code.CRITERION_DUPLICATE, ERR, "Một mã tiêu chí xuất hiện hai lần.",
              "Xóa dòng bị lặp.",
              "Mã tiêu chí {code} xuất hiện lần nữa (đã có ở ô {first})."),
    IssueType(Code.MAX_EDITED, WARN, "Điểm tối đa của tiêu chí bị sửa khác với khối.",
              "Không sửa cột 'Điểm tối đa'; điểm được kiểm tra theo điểm tối đa của khối.",
              "Điểm tối đa của tiêu chí {code} bị sửa thành {got}; khối quy định {want}."),
    # Scores
    IssueType(Code.SCORE_MISSING, ERR, "Tiêu chí chưa chấm điểm.",
              "Nhập điểm tự chấm (nhập 0 nếu không đạt).",
              "Tiêu chí {code} chưa có điểm tự chấm. Nhập điểm từ 0 đến {max} (nhập 0 nếu không đạt)."),
    IssueType(Code.SCORE_NOT_NUMBER, ERR, "Điểm tự chấm không phải là số: chữ, ngày (Excel tự đổi số gõ vào thành ngày), giá trị lỗi như #VALUE!, hoặc công thức được lưu mà chưa có kết quả.",
              "Nhập điểm bằng số (không dùng chữ, ngày hay công thức).",
              "Điểm tiêu chí {code} {holds}, không phải số. {todo}"),
    IssueType(Code.SCORE_NEGATIVE, ERR, "Điểm tự chấm âm.",
              "Nhập điểm từ 0 trở lên (điểm trừ cũng nhập số dương).",
              "Điểm tiêu chí {code} là {value}, nhỏ hơn 0. Nhập điểm từ 0 đến {max} (điểm trừ nhập số dương)."),
    IssueType(Code.SCORE_ABOVE_MAX, ERR, "Điểm tự chấm lớn hơn điểm tối đa.",
              "Sửa điểm về trong khoảng 0 đến điểm tối đa.",
              "Điểm tiêu chí {code} là {value}, lớn hơn điểm tối đa {max}. Sửa lại trong khoảng 0 đến {max}.{hint}"),
    IssueType(Code.SCORE_TEXT_NUMBER, WARN, "Điểm được nhập dạng văn bản; đã đọc thành số.",
              "Gõ lại ô đó bằng số để công thức của bảng cộng đúng và Tổng điểm trên bảng ký gửi khớp với điểm khối tính.",
              "Điểm tiêu chí {code} được nhập dạng văn bản \"{value}\"; đã đọc là {parsed}. Công thức của bảng không cộng ô văn bản: hãy gõ lại ô này bằng số để Tổng điểm trên bảng ký gửi khớp."),
    IssueType(Code.SCORE_WITHOUT_CODE, WARN, "Có điểm ở một dòng không có mã tiêu chí; điểm này không được tính.",
              "Ghi đúng mã tiêu chí vào cột 'Mã' của dòng đó, hoặc xóa dòng thêm vào.",
              "Ô {cell} có điểm {value} nhưng dòng này không có mã tiêu chí (ô {code_cell} trống) nên điểm không được tính. Ghi mã tiêu chí vào ô {code_cell}, hoặc xóa dòng thêm vào."),
    IssueType(Code.NUMBER_AMBIGUOUS, ERR, "Số nhập dạng văn bản đọc được hai cách (dấu chấm, dấu phẩy có thể là dấu thập phân hoặc dấu ngăn cách hàng nghìn) và cả hai đều hợp lệ.",
              "Gõ lại ô đó bằng số, không dùng dấu ngăn cách hàng nghìn; số lẻ dùng dấu phẩy thập phân.",
              "{what} được nhập dạng văn bản \"{value}\", đọc được hai cách: {readings}. Không đoán: hãy gõ lại ô này bằng số, không dùng dấu ngăn cách hàng nghìn (gõ {example})."),
    IssueType(Code.TOTAL_MISMATCH, INFO, "Tổng điểm lưu trong tệp khác tổng tính lại từ các ô điểm.",
              "Không cần làm gì: tổng điểm luôn được tính lại từ các ô điểm.",
              "Tổng điểm lưu trong tệp là {cached}, tính lại từ các ô điểm là {total}; dùng {total}.{why}"),
    # Data sheet
    IssueType(Code.DATA_MISSING, ERR, "Thiếu số liệu ở trang 'Số liệu'.",
              "Nhập số liệu còn thiếu.",
              "Chưa có số liệu {code} ({text})."),
    IssueType(Code.DATA_INVALID, ERR, "Số liệu không hợp lệ: không phải số nguyên từ 0 đến 1.000.000 (chữ, ngày, giá trị lỗi như #VALUE!, công thức chưa có kết quả, số lẻ hay số quá lớn).",
              "Gõ số người bằng số nguyên.",
              "Số liệu {code} {holds}; {rule}."),
    IssueType(Code.DATA_INCONSISTENT, ERR, "Số liệu mâu thuẫn (ví dụ số LĐTT lớn hơn tổng số người).",
              "Kiểm tra và sửa lại số liệu.",
              "{detail}"),
    IssueType(Code.DATA_TEXT_NUMBER, WARN, "Số liệu được nhập dạng văn bản; đã đọc thành số.",
              "Nhập số liệu dạng số.",
              "Số liệu {code} được nhập dạng văn bản \"{value}\"; đã đọc là {parsed}."),
    IssueType(Code.RATING_INVALID, ERR, "Xếp loại không phải một trong bốn mức (tên đầy đủ hoặc viết tắt như HTXSNV, HTXS).",
              "Chọn xếp loại trong danh sách, hoặc viết tắt HTXSNV, HTTNV, HTNV, KHTNV.",
              "Xếp loại {code} là \"{value}\", không phải một trong bốn mức: {choices}."),
    # Reports and scans sent with the returns
    IssueType(Code.REPORT_MISSING, WARN, "Đơn vị đã nộp bảng tự chấm nhưng không thấy báo cáo tổng kết gửi kèm.",
              "Đề nghị đơn vị gửi báo cáo (bản ký quét PDF, Word hoặc ảnh); tên tệp có mã hoặc tên đơn vị.",
              "Đơn vị {unit} ({name}) đã nộp bảng tự chấm nhưng không thấy báo cáo tổng kết gửi kèm (tệp PDF, Word hoặc ảnh có mã hay tên đơn vị trong tên tệp). Nếu đơn vị đã gửi, hãy đặt lại tên tệp báo cáo có mã đơn vị, ví dụ {unit}_bao_cao.pdf."),
    IssueType(Code.DOCUMENT_UNMATCHED, WARN, "Tài liệu gửi kèm (PDF, Word, ảnh) không khớp với đơn vị nào, hoặc khớp với nhiều đơn vị.",
              "Đặt lại tên tệp có mã đơn vị (ví dụ VHTT_bao_cao.pdf) rồi chạy lại.",
              "Chưa biết tài liệu này của đơn vị nào: {why}. Hãy đặt lại tên tệp có mã đơn vị (ví dụ {example}_bao_cao{ext}) rồi chạy lại."),
    # Review round (bình xét)
    IssueType(Code.REVIEW_SELF_CHANGED, WARN, "Đơn vị gửi lại tệp sau khi có bảng bình xét; điểm tự chấm của một tiêu chí đã đổi.",
              "Khối trưởng xem lại: điểm khối chấm tại cuộc họp vẫn được giữ; tiêu chí khối không chấm lại dùng điểm tự chấm mới.",
              "Điểm tự chấm tiêu chí {criterion} của {unit} đã đổi từ {shown} (lúc họp) thành {now} (tệp gửi lại); {what}."),
    IssueType(Code.REVIEW_UNIT_ABSENT, WARN, "Đơn vị không có dòng trong bảng bình xét.",
              "Khối trưởng kiểm tra lại bảng bình xét.",
              "Đơn vị {unit} không có dòng trong trang 'Bình xét'; giữ điểm tự chấm, 0 phiếu suy tôn."),
    IssueType(Code.REVIEW_SCORE_UNUSED, WARN, "Điểm khối chấm nhập cho đơn vị chưa có bảng tự chấm hợp lệ.",
              "Đơn vị gửi bảng tự chấm hợp lệ rồi chạy lại.",
              "Đơn vị {unit} chưa có bảng tự chấm hợp lệ nên điểm khối chấm {agreed} của tiêu chí {criterion} chưa được dùng."),
]  # fmt: skip

CATALOGUE: dict[Code, IssueType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True, slots=True)
class Issue:
    code: Code
    severity: Severity
    message: str
    file: str | None = None
    unit: str | None = None
    sheet: str | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "severity": self.severity.value,
            "code": self.code.value,
            "unit": self.unit,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


def make(
    kind_code: Code,
    /,
    *,
    file: str | None = None,
    unit: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    **params: object,
) -> Issue:
    """An Issue of a catalogued type, its message filled from `params`."""
    kind = CATALOGUE[kind_code]
    return Issue(
        code=kind_code,
        severity=kind.severity,
        message=kind.template.format(unit=unit, sheet=sheet, cell=cell, **params),
        file=file,
        unit=unit,
        sheet=sheet,
        cell=cell,
    )
