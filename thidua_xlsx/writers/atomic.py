"""Write outputs to a temporary file beside the target, then rename it into place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from thidua_xlsx.core.errors import OutputError, os_reason

# Temporary files say what they are: `.xep_hang_2024.xlsx.dang-ghi-k3j9x` ("being written").
TEMP_MARK = ".dang-ghi-"


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set it and put it back
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `target` in one rename.

    An interrupted run leaves the previous output whole (and no temporary file, when the
    interruption is one Python sees: an error, Ctrl-C, or a signal the command line turns
    into an exception); a target held open by another program (Excel locks files on
    Windows) becomes an OutputError with a clear message. The temporary file is private
    while it is written; the output gets the permissions of a file created the usual way.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục {folder}: {os_reason(exc).what}.") from None
    if target.is_dir():
        raise OutputError(f"{target} là một thư mục, không ghi đè được bằng một tệp.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:60]}{TEMP_MARK}", dir=folder)
    except OSError as exc:
        raise OutputError(f"Không ghi được vào thư mục {folder}: {os_reason(exc).what}.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
            os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp's 0600 is for the temporary file only
        except OSError as exc:  # disk full, quota, a folder gone while writing
            raise OutputError(
                f"Không ghi được {target}: {os_reason(exc).what}. Tệp cũ (nếu có) vẫn được giữ nguyên."
            ) from None
        try:
            os.replace(tmp, target)
        except PermissionError:
            raise OutputError(
                f"Không ghi được {target}: tệp đang được mở trong chương trình khác "
                "(Excel, LibreOffice…) hoặc không có quyền ghi. Hãy đóng tệp rồi chạy lại."
            ) from None
        except OSError as exc:
            raise OutputError(f"Không ghi được {target}: {os_reason(exc).what}.") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def check_writable(target: Path | str) -> None:
    """Refuse, before any work, an output that could not be written: a folder, or a place
    where no file can be created. Nothing is left behind (a folder still to be made is not
    made here, only its nearest existing parent is tried)."""
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target} là một thư mục, không ghi đè được bằng một tệp.")
    folder = target.parent if str(target.parent) else Path(".")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"Không ghi được {target}: {existing} không phải là thư mục.")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name[:60]}{TEMP_MARK}", dir=existing)
    except OSError as exc:
        raise OutputError(f"Không ghi được vào thư mục {existing}: {os_reason(exc).what}.") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def write_text(target: Path | str, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
