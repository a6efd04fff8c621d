"""Exceptions the library raises for usage problems (never for bad data in a return)."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a workbook the bloc leader controls (bloc or review workbook)."""

    sheet: str | None
    cell: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"trang tính '{self.sheet}'")
        if self.cell:
            where.append(f"ô {self.cell}")
        prefix = ", ".join(where)
        return (prefix[:1].upper() + prefix[1:] + ": " if where else "") + self.message


class ThiduaError(Exception):
    """A usage error: the command cannot go on and writes nothing (exit code 2)."""

    def __init__(self, message: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        super().__init__(message, tuple(problems))  # both in args, so the error pickles whole
        self.message = message
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return self.message


class BlocError(ThiduaError):
    """The bloc workbook is missing, unreadable or inconsistent."""


class ReviewError(ThiduaError):
    """The review workbook of the year-end meeting cannot be applied."""


class OutputError(ThiduaError):
    """An output file cannot be written (held open by another program, no permission…)."""


class OsReason(NamedTuple):
    """An operating-system error on the bloc leader's own machine, in Vietnamese."""

    what: str  # what went wrong, as a clause ("không có quyền đọc")
    fix: str  # what the bloc leader does about it, as a clause after "hãy"


_OS_REASONS = {
    errno.EACCES: OsReason(
        "máy này không cho quyền truy cập",
        "cấp quyền cho tài khoản đang chạy lệnh, hoặc chép tệp sang thư mục của mình, rồi chạy lại",
    ),
    errno.EPERM: OsReason(
        "máy này không cho quyền truy cập",
        "cấp quyền cho tài khoản đang chạy lệnh, hoặc chép tệp sang thư mục của mình, rồi chạy lại",
    ),
    errno.ENOENT: OsReason(
        "không còn thấy tệp (bị xóa, đổi tên hoặc di chuyển trong lúc chạy?)",
        "kiểm tra lại thư mục rồi chạy lại",
    ),
    errno.ELOOP: OsReason(
        "đường dẫn có liên kết (symlink) trỏ vòng lặp",
        "bỏ liên kết đó, chép tệp thật vào thư mục, rồi chạy lại",
    ),
    errno.ENAMETOOLONG: OsReason(
        "tên tệp hoặc đường dẫn quá dài với hệ điều hành",
        "đổi tên tệp (hoặc thư mục) ngắn lại rồi chạy lại",
    ),
    errno.EIO: OsReason(
        "lỗi đọc ghi ổ đĩa (đĩa hoặc USB hỏng, bị rút ra?)",
        "chép tệp sang ổ đĩa khác rồi chạy lại",
    ),
    errno.ENOSPC: OsReason(
        "ổ đĩa đã hết chỗ trống",
        "giải phóng chỗ trống trên ổ đĩa rồi chạy lại",
    ),
    errno.EDQUOT: OsReason(
        "đã hết dung lượng được cấp trên ổ đĩa",
        "giải phóng chỗ trống hoặc xin thêm dung lượng rồi chạy lại",
    ),
    errno.EROFS: OsReason(
        "ổ đĩa chỉ cho phép đọc",
        "chọn nơi ghi khác rồi chạy lại",
    ),
    errno.EMFILE: OsReason(
        "máy này đang mở quá nhiều tệp",
        "đóng bớt chương trình rồi chạy lại",
    ),
    errno.ENFILE: OsReason(
        "máy này đang mở quá nhiều tệp",
        "đóng bớt chương trình rồi chạy lại",
    ),
    errno.ENOMEM: OsReason(
        "máy này không đủ bộ nhớ",
        "đóng bớt chương trình rồi chạy lại",
    ),
    errno.EAGAIN: OsReason(
        "máy này tạm thời thiếu tài nguyên (bộ nhớ, số tiến trình)",
        "đóng bớt chương trình rồi chạy lại",
    ),
    errno.EBUSY: OsReason(
        "tệp đang bị chương trình khác giữ",
        "đóng chương trình đó rồi chạy lại",
    ),
    errno.ETXTBSY: OsReason(
        "tệp đang bị chương trình khác giữ",
        "đóng chương trình đó rồi chạy lại",
    ),
    errno.EISDIR: OsReason(
        "đây là một thư mục, không phải tệp",
        "chỉ đúng đường dẫn tệp rồi chạy lại",
    ),
    errno.ENOTDIR: OsReason(
        "một phần của đường dẫn không phải thư mục",
        "kiểm tra lại đường dẫn rồi chạy lại",
    ),
}


def os_reason(exc: OSError) -> OsReason:
    """What an OSError means for the bloc leader, in Vietnamese: never the OS's English alone."""
    known = _OS_REASONS.get(exc.errno or 0)
    if known is not None:
        return known
    code = errno.errorcode.get(exc.errno or 0, exc.__class__.__name__)
    return OsReason(f"lỗi hệ điều hành trên máy này (mã {code})", "kiểm tra tệp và ổ đĩa trên máy này rồi chạy lại")
