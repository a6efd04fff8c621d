"""Write outputs to a temporary file beside the target, then rename it into place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from thidua_xlsx.core.errors import OutputError


@contextlib.contextmanager
def atomic_path(target: Path | str, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `target` in one rename.

    An interrupted run leaves the previous output whole; a target held open by another
    program (Excel locks files on Windows) becomes an OutputError with a clear message.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục {folder}: {exc.strerror or exc}.") from None
    if target.is_dir():
        raise OutputError(f"{target} là một thư mục, không ghi đè được bằng một tệp.")
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.stem[:40]}.", suffix=suffix or target.suffix or ".tmp", dir=folder
        )
    except OSError as exc:
        raise OutputError(f"Không ghi được vào thư mục {folder}: {exc.strerror or exc}.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
        except OSError as exc:  # disk full, quota, a folder gone while writing
            raise OutputError(
                f"Không ghi được {target}: {exc.strerror or exc}. Tệp cũ (nếu có) vẫn được giữ nguyên."
            ) from None
        try:
            os.replace(tmp, target)
        except PermissionError:
            raise OutputError(
                f"Không ghi được {target}: tệp đang được mở trong chương trình khác "
                "(Excel, LibreOffice…) hoặc không có quyền ghi. Hãy đóng tệp rồi chạy lại."
            ) from None
        except OSError as exc:
            raise OutputError(f"Không ghi được {target}: {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_text(target: Path | str, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
