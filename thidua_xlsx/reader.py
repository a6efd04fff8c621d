"""Open a returned file safely: sniff what it really is, check sizes, then read with calamine."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import python_calamine as pc

from . import issues
from .inbox import MAX_FILE_BYTES, MAX_UNPACKED_BYTES, ArchiveTooLarge, Source, source_bytes
from .issues import Issue
from .sheets import MAX_COLS, MAX_ROWS, Grid

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_BIFF_FILEPASS = b"\x2f\x00"
MAX_CELLS = 2_000_000  # a sheet whose used range is larger is refused before it is loaded


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
    _grids: dict[str, Grid] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self._load(name)
        return self._grids[name]

    def _load(self, name: str) -> Grid:
        try:
            sheet = self.book.get_sheet_by_name(name)
        except Exception as exc:  # calamine: broken sheet XML, bad records, …
            raise Unreadable(issues.make("file-unreadable", file=self.display, detail=_detail(exc))) from None
        start, end = sheet.start, sheet.end
        if end is None or start is None:
            return Grid(name=name, rows=[])
        height, width = end[0] + 1, end[1] + 1
        truncated = height > MAX_ROWS or width > MAX_COLS
        rows = sheet.to_python(skip_empty_area=False, nrows=min(height, MAX_ROWS))
        if width > MAX_COLS:
            rows = [r[:MAX_COLS] for r in rows]
        if truncated:
            self.problems.append(
                issues.make(
                    "sheet-too-large",
                    file=self.display,
                    sheet=name,
                    detail=f"{height:,} dòng × {width:,} cột; giới hạn {MAX_ROWS:,} × {MAX_COLS}",
                )
            )
        return Grid(name=name, rows=rows, truncated=truncated)


def _detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return f"tệp hỏng hoặc không đúng định dạng ({text[:120]})"


def sniff(head: bytes, ext: str) -> tuple[str, str] | None:
    """What a file that is not a workbook really is: (issue code, detail), or None if it may be one."""
    if not head:
        return "file-unreadable", "tệp rỗng (0 byte)"
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return None
    if head.startswith(b"PK"):
        return "file-unreadable", "tệp nén hỏng"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n\x00").lower()
    if text.startswith(b"<") or b"<html" in text[:2048] or b"<table" in text[:4096]:
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<html" not in text[:2048]:
            return "file-not-spreadsheet", "bảng tính XML 2003 (Excel 2003 XML)"
        return "file-not-spreadsheet", "trang web (HTML)"
    if b"\x00" not in head[:4096]:
        try:
            head[:4096].decode("utf-8")
            kind = "tệp CSV/văn bản" if (b"," in head or b";" in head or b"\t" in head) else "tệp văn bản"
            return "file-not-spreadsheet", kind
        except UnicodeDecodeError:
            if sum(b < 9 or 13 < b < 32 for b in head[:4096]) == 0:
                return "file-not-spreadsheet", "tệp văn bản"
    return None


def _check_zip_sizes(data: bytes | None, path, display: str) -> None:
    """Refuse an xlsx/ods that declares more than the cap when unpacked (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise Unreadable(
            issues.make("file-unreadable", file=display, detail="tệp hỏng hoặc bị cắt cụt (cấu trúc nén sai)")
        ) from None
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 10 * 1024**2), default=0)
    if total > MAX_UNPACKED_BYTES or ratio > 200:
        detail = (
            f"nội dung khai báo {total / 1024**2:,.0f} MB khi giải nén, giới hạn {MAX_UNPACKED_BYTES // 1024**2} MB"
        )
        raise Unreadable(issues.make("file-too-large", file=display, detail=detail))
    if any(i.flag_bits & 0x1 for i in infos):
        raise Unreadable(issues.make("file-password", file=display))
    names = {i.filename for i in infos}
    if "META-INF/manifest.xml" in names and "content.xml" in names:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            manifest = zf.open("META-INF/manifest.xml").read(256 * 1024)
        if b"encryption-data" in manifest:
            raise Unreadable(issues.make("file-password", file=display))


def open_book(source: Source) -> Book:
    """Open a source for reading, or raise Unreadable with the issue that explains why not."""
    display = source.display
    data: bytes | None = None
    try:
        if source.members:
            data = source_bytes(source)
            size = len(data)
        else:
            size = source.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Unreadable(
                issues.make(
                    "file-too-large",
                    file=display,
                    detail=f"{size / 1024**2:,.0f} MB, giới hạn {MAX_FILE_BYTES // 1024**2} MB",
                )
            )
        if data is None:
            with open(source.path, "rb") as fh:
                head = fh.read(8192)
        else:
            head = data[:8192]
    except ArchiveTooLarge as exc:
        raise Unreadable(issues.make("file-too-large", file=display, detail=str(exc))) from None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise Unreadable(issues.make("file-unreadable", file=display, detail=_detail(exc))) from None

    found = sniff(head, source.ext)
    if found:
        code, detail = found
        if code == "file-not-spreadsheet":
            raise Unreadable(issues.make(code, file=display, kind=detail, ext=source.ext or "(không đuôi)"))
        raise Unreadable(issues.make(code, file=display, detail=detail))
    if head.startswith(ZIP_MAGIC):
        _check_zip_sizes(data, source.path, display)
    elif _is_encrypted_ole(data, source):
        raise Unreadable(issues.make("file-password", file=display))

    try:
        if data is None and _ext_matches(head, source.ext):
            book = pc.CalamineWorkbook.from_path(str(source.path))
        else:
            if data is None:
                data = source.path.read_bytes()
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
    except pc.PasswordError:
        raise Unreadable(issues.make("file-password", file=display)) from None
    except Exception as exc:  # calamine raises a variety of errors for broken files
        raise Unreadable(issues.make("file-unreadable", file=display, detail=_detail(exc))) from None
    names = [m.name for m in metadata]
    hidden = {m.name for m in metadata if str(m.visible).endswith("Hidden")}
    return Book(display=display, book=book, names=names, hidden=hidden)


def _ext_matches(head: bytes, ext: str) -> bool:
    """calamine picks a reader by extension when opening a path; use bytes when they disagree."""
    if head.startswith(ZIP_MAGIC):
        return ext in (".xlsx", ".xlsm", ".ods", ".xlsb")
    if head.startswith(OLE_MAGIC):
        return ext == ".xls"
    return False


def _is_encrypted_ole(data: bytes | None, source: Source) -> bool:
    """An OOXML workbook with a password to open is an OLE container holding EncryptedPackage."""
    if data is None:
        with open(source.path, "rb") as fh:
            head = fh.read(8)
            if head != OLE_MAGIC:
                return False
            blob = head + fh.read(MAX_FILE_BYTES)
    else:
        if not data.startswith(OLE_MAGIC):
            return False
        blob = data
    return _ENCRYPTED_PACKAGE in blob
