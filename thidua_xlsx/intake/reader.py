"""Open a returned file safely: sniff what it really is, check sizes, then read with calamine.

Everything here runs in a supervised worker (pool.py): calamine can abort the process on a
hostile file, and that must cost only that file. The checks before calamine are cheap: the
first bytes, a zip's central directory, an OLE container's directory; no sheet is unpacked
twice.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import python_calamine as pc

from thidua_xlsx.core import issues
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.issues import Code, Issue
from thidua_xlsx.core.numbers import megabytes, vn
from thidua_xlsx.core.text import name_from_os
from thidua_xlsx.intake import saved as saved_time
from thidua_xlsx.intake.containers import (
    OLE_MAGIC,
    ZIP_MAGIC,
    ZipEntry,
    ole_directory,
    ole_stream_names,
    random_access,
    zip_entries,
    zip_member,
)
from thidua_xlsx.intake.inbox import (
    MAX_FILE_BYTES,
    MAX_RATIO,
    MAX_UNPACKED_BYTES,
    ArchiveTooLarge,
    Source,
    inaccessible,
    source_bytes,
)
from thidua_xlsx.intake.sheets import MAX_CELLS, MAX_COLS, MAX_ROWS, rows_to_read
from thidua_xlsx.intake.xls_crypto import filepass_record, opens_with

if TYPE_CHECKING:
    from thidua_xlsx.intake.hidden import Cells, Hidden

_NOT_ZIP = (Code.FILE_UNREADABLE, "tệp bị hỏng hoặc bị cắt cụt (có thể tải về chưa hết)")

__all__ = ["MAX_CELLS", "Book", "Unreadable", "open_book", "sniff", "zip_entries"]


class Unreadable(Exception):
    """The file cannot be read; carries the issue to report."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class Book:
    """A workbook opened for values; sheets are loaded on first use, once."""

    display: str
    book: pc.CalamineWorkbook
    names: list[str]
    hidden: set[str]
    saved: float | None = None  # when the workbook records it was last saved (POSIX time)
    path: Path | None = None  # where its bytes are: on disk, or `data` (an archive member)
    data: bytes | None = None
    fits: str = ""  # the extension that fits its content
    _grids: dict[str, Grid] = field(default_factory=dict)
    _hidden_cells: dict[str, Cells] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self._load(name)
        return self._grids[name]

    def hidden_cell(self, sheet: str, row: int, col: int) -> Hidden | None:
        """What a cell read as empty really holds (an error value, a formula without its
        result), or None. The sheet is looked at again on the first call only."""
        if sheet not in self._hidden_cells:
            from thidua_xlsx.intake.hidden import hidden_cells  # the rare path: imported when needed

            found = hidden_cells(self.data, self.path, self.fits, sheet) if self.path is not None else {}
            self._hidden_cells[sheet] = found
        return self._hidden_cells[sheet].get((row, col))

    def _load(self, name: str) -> Grid:
        try:
            sheet = self.book.get_sheet_by_name(name)
            start, end = sheet.start, sheet.end
            if end is None or start is None:
                return Grid(name=name, rows=[])
            height, width = end[0] + 1, end[1] + 1
            nrows = rows_to_read(height, width)
            rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
        except Exception as exc:  # calamine: broken sheet XML, bad records, entities, cell limits…
            raise Unreadable(_read_failed(self.display, exc)) from None
        truncated = height > MAX_ROWS or width > MAX_COLS
        if width > MAX_COLS:
            rows = [r[:MAX_COLS] for r in rows]
        if truncated:
            self.problems.append(
                issues.make(
                    Code.SHEET_TOO_LARGE,
                    file=self.display,
                    sheet=name,
                    detail=f"{vn(height)} dòng × {vn(width)} cột; giới hạn {vn(MAX_ROWS)} dòng × {MAX_COLS} cột",
                )
            )
        return Grid(name=name, rows=rows, truncated=truncated)


_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def _read_failed(display: str, exc: BaseException) -> Issue:
    """The issue for an error of calamine's: its own limits and the OS's errors said in
    Vietnamese (an OS error is the leader's machine, not the unit's file), else `_detail`."""
    text = str(exc)
    if "Cell limit exceeded" in text:
        detail = "trang tính khai báo quá nhiều ô (vượt giới hạn an toàn của trình đọc)"
        return issues.make(Code.FILE_TOO_LARGE, file=display, detail=detail)
    if isinstance(exc, OSError) and exc.errno is not None:
        return inaccessible(display, exc)
    if found := _OS_ERROR.search(text):
        return inaccessible(display, OSError(int(found.group(1)), text))
    return issues.make(Code.FILE_UNREADABLE, file=display, detail=_detail(exc))


def _detail(exc: BaseException) -> str:
    """Calamine's (English) reason, kept short and after a Vietnamese sentence."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return f"tệp hỏng hoặc không đúng định dạng bảng tính (chi tiết kỹ thuật: {text[:120]})"


# What a file really is, from its first bytes ---------------------------------------------

_MAGIC_KINDS = [
    (b"%PDF", "tệp PDF"),
    (b"{\\rtf", "văn bản RTF (Word)"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7-Zip"),
    (b"\x1f\x8b", "tệp nén gzip"),
]


def sniff(head: bytes) -> tuple[Code, str] | None:
    """What a file that is not a workbook really is: (issue code, detail or kind), or None if it may be one."""
    if not head:
        return Code.FILE_UNREADABLE, "tệp rỗng (0 byte), có thể chưa tải về hết"
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return None
    if head.startswith(b"PK"):
        return _NOT_ZIP
    for magic, kind in _MAGIC_KINDS:
        if head.startswith(magic):
            return Code.FILE_NOT_SPREADSHEET, kind
    text = _as_text(head)
    if text is None:
        return None  # binary: let calamine try (old BIFF streams saved without a container exist)
    low = text.lstrip("\ufeff \t\r\n\x00").lower()
    if low.startswith("mime-version") or "content-type: multipart/related" in low[:2048]:
        return Code.FILE_NOT_SPREADSHEET, "trang web lưu thành một tệp (MHTML)"
    if "urn:schemas-microsoft-com:office:spreadsheet" in low and "<html" not in low[:4096]:
        return Code.FILE_NOT_SPREADSHEET, "bảng tính XML 2003 (Excel 2003 XML)"
    if low.startswith("<") or "<html" in low[:4096] or "<table" in low[:4096]:
        return Code.FILE_NOT_SPREADSHEET, "trang web (HTML)"
    first = low.split("\n", 1)[0]
    kind = "tệp CSV" if ("," in first or ";" in first or "\t" in first) else "tệp văn bản"
    return Code.FILE_NOT_SPREADSHEET, kind


def _as_text(head: bytes) -> str | None:
    """The head as text if it is text (UTF-8, UTF-16 with a BOM, or a legacy 8-bit code page)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head[: len(head) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return None
    sample = head[:4096]
    if b"\x00" in sample:
        return None
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the 4 KB window
            return sample[: exc.start].decode("utf-8")
    if not any(b < 9 or 13 < b < 32 or b == 127 for b in sample):
        return sample.decode("cp1258", errors="replace")  # Vietnamese Windows code page text
    return None


# Zip packages (xlsx, xlsm, xlsb, ods) -----------------------------------------------------


def _entries(data: bytes | None, path: Path) -> tuple[list[ZipEntry], float | None]:
    """The central directory, by the fast reader, else by zipfile (ZIP64 and odd archives);
    and the saved time the package records, read from its small member while the file is open."""
    try:
        with random_access(data, path) as (read_at, size):
            found = zip_entries(read_at, size)
            if found is not None:
                return found, _saved(found, lambda e: zip_member(read_at, e, saved_time.MEMBER_LIMIT))
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            entries = [
                ZipEntry(i.filename, i.flag_bits, i.compress_size, i.file_size, i.compress_type, i.header_offset)
                for i in zf.infolist()
            ]

            def member(e: ZipEntry) -> bytes | None:
                if e.size > saved_time.MEMBER_LIMIT or e.flags & 0x1:
                    return None
                with zf.open(e.name) as fh:
                    return fh.read(saved_time.MEMBER_LIMIT)

            return entries, _saved(entries, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return [], None


def _saved(entries: list[ZipEntry], read: Callable[[ZipEntry], bytes | None]) -> float | None:
    for e in entries:
        if e.name in saved_time.ZIP_MEMBERS:
            return saved_time.from_zip_member(e.name, read(e))
    return None


def _check_package(data: bytes | None, path: Path, display: str, ext: str) -> tuple[str, float | None]:
    """From the central directory only: a zip bomb, encryption, or a zip that is not a workbook.

    Returns the extension that fits the package (calamine picks its reader by extension), and
    the time the package records it was last saved.
    """
    entries, saved = _entries(data, path)
    if not entries:
        raise Unreadable(issues.make(Code.FILE_UNREADABLE, file=display, detail=_NOT_ZIP[1]))
    total = sum(e.size for e in entries)
    bomb = [e for e in entries if e.size > 10 * 1024**2 and e.size / max(e.packed, 1) > MAX_RATIO]
    if total > MAX_UNPACKED_BYTES or bomb:
        detail = f"nội dung khai báo {megabytes(total)} khi giải nén, giới hạn {megabytes(MAX_UNPACKED_BYTES)}"
        if bomb and total <= MAX_UNPACKED_BYTES:
            ratio = vn(bomb[0].size // max(bomb[0].packed, 1))
            detail = f"tỷ lệ nén bất thường ({ratio}:1), có thể là bom nén"
        raise Unreadable(issues.make(Code.FILE_TOO_LARGE, file=display, detail=detail))
    if any(e.flags & 0x1 for e in entries):
        raise Unreadable(issues.make(Code.FILE_PASSWORD, file=display))
    names = {e.name for e in entries}
    kind = _package_kind(names)
    if kind:
        raise Unreadable(issues.make(Code.FILE_NOT_SPREADSHEET, file=display, kind=kind, ext=ext or "(không đuôi)"))
    if "xl/workbook.bin" in names:
        return ".xlsb", saved
    if "content.xml" in names:
        return ".ods", saved
    return (".xlsm" if ext == ".xlsm" else ".xlsx"), saved


def _check_opendocument(data: bytes | None, path: Path, display: str, ext: str) -> None:
    """After calamine failed on an OpenDocument package: encrypted, or not a spreadsheet?"""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            names = set(zf.namelist())
            manifest = _small_member(zf, "META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            mimetype = _small_member(zf, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError):
        return
    if b"encryption-data" in manifest:
        raise Unreadable(issues.make(Code.FILE_PASSWORD, file=display))
    kinds = {b"text": "văn bản OpenDocument (.odt)", b"presentation": "bản trình chiếu OpenDocument (.odp)"}
    for word, kind in kinds.items():
        if word in mimetype and b"spreadsheet" not in mimetype:
            raise Unreadable(issues.make(Code.FILE_NOT_SPREADSHEET, file=display, kind=kind, ext=ext or "(không đuôi)"))


def _small_member(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        return fh.read(256 * 1024)


def _package_kind(names: set[str]) -> str | None:
    """A zip that is positively not a spreadsheet package: what it is, else None."""
    if "word/document.xml" in names:
        return "tài liệu Word (.docx)"
    if "ppt/presentation.xml" in names:
        return "bản trình chiếu PowerPoint (.pptx)"
    if "[Content_Types].xml" not in names and "content.xml" not in names:
        spreadsheets = [n for n in names if n.lower().endswith((".xlsx", ".xls", ".ods", ".xlsm"))]
        return "tệp nén .zip" + (" chứa bảng tính (hãy đổi đuôi thành .zip hoặc gửi riêng tệp)" if spreadsheets else "")
    return None


# OLE compound files (xls, and OOXML encrypted with a password to open) --------------------


def _check_ole(data: bytes | None, path: Path, display: str, ext: str) -> None:
    """An OLE container: an encrypted OOXML workbook, an old Word/PowerPoint file, or an .xls.

    An .xls with a password to open is left to calamine, which reads its FILEPASS record.
    """
    try:
        with random_access(data, path) as (read_at, size):
            names = ole_stream_names(read_at, size)
    except OSError:
        return
    if names is None:
        return  # broken structure: calamine says what it can
    lower = {n.lower() for n in names}
    if "encryptedpackage" in lower or "encryptioninfo" in lower:
        raise Unreadable(issues.make(Code.FILE_PASSWORD, file=display))
    if lower & {"workbook", "book"}:
        return
    if "worddocument" in lower:
        kind = "tài liệu Word cũ (.doc)"
    elif "powerpoint document" in lower:
        kind = "bản trình chiếu PowerPoint cũ (.ppt)"
    else:
        kind = "tệp Office không chứa bảng tính"
    raise Unreadable(issues.make(Code.FILE_NOT_SPREADSHEET, file=display, kind=kind, ext=ext or "(không đuôi)"))


def _default_password(data: bytes | None, path: Path) -> bool:
    """An encrypted .xls that Excel opens without asking (a password to modify, or a locked
    workbook structure): its FILEPASS verifier matches Excel's built-in password."""
    try:
        with random_access(data, path) as (read_at, size):
            directory = ole_directory(read_at, size)
            head = directory.head(read_at, "Workbook") if directory else None
    except OSError:
        return False
    record = filepass_record(head) if head else None
    return record is not None and opens_with(record)


# Opening ---------------------------------------------------------------------------------


def open_book(source: Source) -> Book:
    """Open a source for reading, or raise Unreadable with the issue that explains why not."""
    data, head = _bytes(source)
    found = sniff(head)
    if found:
        code, detail = found
        if code is Code.FILE_NOT_SPREADSHEET:
            raise Unreadable(issues.make(code, file=source.display, kind=detail, ext=source.ext or "(không đuôi)"))
        raise Unreadable(issues.make(code, file=source.display, detail=detail))
    fits, saved = source.ext, None
    if head.startswith(ZIP_MAGIC):  # before calamine: it would unpack a zip bomb
        fits, saved = _check_package(data, source.path, source.display, source.ext)
    elif head.startswith(OLE_MAGIC):
        fits = ".xls"
    book = _calamine(source, data, head, fits)
    if fits == ".xls":
        saved = _xls_saved(data, source.path)
    # Chart and macro sheets hold no cells (and some break calamine): only worksheets are read.
    sheets = [m for m in book.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
    hidden = {m.name for m in sheets if m.visible != pc.SheetVisibleEnum.Visible}
    names = [m.name for m in sheets]
    return Book(source.display, book, names, hidden, saved=saved, path=source.path, data=data, fits=fits)


def _xls_saved(data: bytes | None, path: Path) -> float | None:
    """The last-saved time in an .xls's summary information (a small stream, a few reads)."""
    try:
        with random_access(data, path) as (read_at, size):
            directory = ole_directory(read_at, size)
            stream = directory.small_stream(read_at, saved_time.SUMMARY_STREAM) if directory else None
    except OSError:
        return None
    return saved_time.from_summary(stream)


def _bytes(source: Source) -> tuple[bytes | None, bytes]:
    """(the whole file when it is an archive member, else None; its first bytes), size-checked."""
    display = source.display
    data: bytes | None = None
    try:
        if source.members:
            data = source_bytes(source)
            size = len(data)
        else:
            size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            detail = f"{megabytes(size)}, giới hạn {megabytes(MAX_FILE_BYTES)}"
            raise Unreadable(issues.make(Code.FILE_TOO_LARGE, file=display, detail=detail))
        if data is not None:
            return data, data[:8192]
        with open(source.path, "rb") as fh:
            return None, fh.read(8192)
    except ArchiveTooLarge as exc:
        raise Unreadable(issues.make(Code.FILE_TOO_LARGE, file=display, detail=str(exc))) from None
    except OSError as exc:
        if exc.errno is not None:  # the leader's disk or permissions: not the unit's to fix
            raise Unreadable(inaccessible(display, exc)) from None
        raise Unreadable(issues.make(Code.FILE_UNREADABLE, file=display, detail=_member_error(exc))) from None
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise Unreadable(issues.make(Code.FILE_UNREADABLE, file=display, detail=_member_error(exc))) from None


def _calamine(source: Source, data: bytes | None, head: bytes, fits: str) -> pc.CalamineWorkbook:
    """The workbook opened by calamine (by the extension that fits its content), its sheets listed."""
    display = source.display
    try:
        if data is None and fits == source.ext and _by_name(source.path):
            book = pc.CalamineWorkbook.from_path(str(source.path))
        else:
            if data is None:
                data = source.path.read_bytes()
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        book.sheets_metadata  # noqa: B018 - listing the sheets is where broken workbooks fail
    except pc.PasswordError:
        if head.startswith(OLE_MAGIC) and _default_password(data, source.path):
            raise Unreadable(issues.make(Code.FILE_PASSWORD_MODIFY, file=display)) from None
        raise Unreadable(issues.make(Code.FILE_PASSWORD, file=display)) from None
    except Exception as exc:  # calamine raises a variety of errors for broken files
        # Only now look closer (a good file pays nothing): what the container really holds.
        if head.startswith(OLE_MAGIC):
            _check_ole(data, source.path, display, source.ext)
        elif fits == ".ods":
            _check_opendocument(data, source.path, display, source.ext)
        raise Unreadable(_read_failed(display, exc)) from None
    return book


def _by_name(path: Path) -> bool:
    """Whether calamine can open the file by its name: it needs a name that is valid UTF-8
    (one with other bytes, from an old Windows zip or USB stick, is read through Python)."""
    text = str(path)
    return text.isascii() or name_from_os(text) == text


def _member_error(exc: BaseException) -> str:
    """Why the bytes of a file (or of an archive member) could not be had."""
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "tệp trong tệp nén bị hỏng hoặc tệp nén bị cắt cụt"
    if isinstance(exc, NotImplementedError):
        return "kiểu nén không được hỗ trợ"
    if isinstance(exc, OSError):
        return f"không đọc được tệp ({exc.strerror or exc.__class__.__name__})"
    return _detail(exc)
