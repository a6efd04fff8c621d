"""Walk the inbox: every file found is either a source to read, passed over, or refused with an issue.

Archives are opened read-only from their central directory; members are read into memory
later, with a hard cap, so nothing is ever unpacked to disk and the inbox is never written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from thidua_xlsx.core import issues
from thidua_xlsx.core.issues import Issue

SPREADSHEET_EXTS = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
ARCHIVE_EXTS = {".zip"}
# Archives units do send but that cannot be opened here: an error, so the clerk asks again.
OTHER_ARCHIVE_EXTS = {".rar": "RAR", ".7z": "7-Zip"}
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}

# Limits: a return is tens of kilobytes; these leave room for pictures and old Excel bloat.
MAX_FILE_BYTES = 50 * 1024**2  # a spreadsheet as stored
MAX_UNPACKED_BYTES = 200 * 1024**2  # what a workbook or archive member may unpack to
MAX_ARCHIVE_BYTES = 1024**3  # declared total of an archive's members
MAX_RATIO = 200  # declared unpacked size / packed size of one member
MAX_DEPTH = 3  # archives inside archives
MAX_MEMBERS = 5000  # files in one archive
# Compression methods Python's zipfile can unpack: stored, deflate, bzip2, lzma.
_ZIP_METHODS = {0, 8, 12, 14}
_ONLY_ZIP = "chỉ đọc được tệp nén .zip"
_ZIP_METHOD_NAMES = {9: "Deflate64", 99: "AES", 6: "Implode", 93: "Zstandard"}


@dataclass(frozen=True, slots=True)
class Source:
    """A spreadsheet to read: a file on disk, or a member of an archive (`members` path)."""

    display: str
    path: Path
    members: tuple[str, ...] = ()
    mtime: float = 0.0
    size: int = 0
    member_name: str = ""  # an archive member's name as its author wrote it (decoded)

    @property
    def name(self) -> str:
        return PurePosixPath(self.member_name or self.members[-1]).name if self.members else self.path.name

    @property
    def ext(self) -> str:
        name = self.name  # PurePosixPath(name).suffix, without building a path for every file
        i = name.rfind(".")
        return name[i:].lower() if 0 < i < len(name) - 1 else ""


@dataclass(frozen=True, slots=True)
class Passed:
    """A file found but not read as a return: passed over (reason), an archive whose members
    are listed separately (`archive`), or refused with an error (`issue`)."""

    display: str
    reason: str
    mtime: float = 0.0
    issue: Issue | None = None
    archive: bool = False


@dataclass
class Walk:
    sources: list[Source] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)  # passed over, and opened archives
    refused: list[Passed] = field(default_factory=list)  # each with the error that explains it
    issues: list[Issue] = field(default_factory=list)

    def refuse(self, display: str, mtime: float, issue: Issue) -> None:
        self.refused.append(Passed(display, issue.message, mtime, issue))
        self.issues.append(issue)

    def skip(self, display: str, reason: str, mtime: float, ext: str | None = None) -> None:
        """Passed over; non-spreadsheets (ext given) also get an info issue."""
        issue = None
        if ext is not None:
            issue = issues.make("file-skipped", file=display, reason=f"đuôi {ext or 'không có'}")
            self.issues.append(issue)
        self.passed.append(Passed(display, reason, mtime, issue))

    @property
    def displays(self) -> list[str]:
        """Every file found, as shown in the report."""
        return [s.display for s in self.sources] + [p.display for p in self.passed + self.refused]


def _display(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}" if root not in ("", ".") else rel


def classify(name: str) -> str | None:
    """Why a file is passed over by its name alone, or None to look at it."""
    path = PurePosixPath(name.replace("\\", "/"))
    base = path.name
    if base.startswith("~$"):
        return "tệp khóa tạm của Excel (~$)"
    if base.lower() in SYSTEM_FILES:
        return "tệp hệ thống"
    if base.startswith(".") or any(part.startswith(".") or part == "__MACOSX" for part in path.parts[:-1]):
        return "tệp ẩn"
    return None


def walk_inbox(inbox: Path, *, shown_as: str | None = None) -> Walk:
    """Every file under `inbox`, recursively, sorted by path. Symlinked folders are followed once."""
    root = shown_as if shown_as is not None else str(inbox)
    out = Walk()
    found: list[tuple[str, Path]] = []
    seen_dirs: set[tuple[int, int]] = set()

    def unreadable_dir(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else inbox
        try:
            rel = where.relative_to(inbox).as_posix()
        except ValueError:
            rel = where.name
        shown = _display(root, rel or ".")
        detail = f"không mở được thư mục ({_os_error(exc)})"
        out.refuse(shown, 0.0, issues.make("file-unreadable", file=shown, detail=detail))

    for folder, dirs, files in os.walk(inbox, onerror=unreadable_dir, followlinks=True):
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
        except OSError:
            key = None
        if key is not None and key in seen_dirs:  # a symlink loop: this folder was walked already
            dirs[:] = []
            continue
        if key is not None:
            seen_dirs.add(key)
        dirs.sort()
        for name in files:
            full = Path(folder) / name
            found.append((full.relative_to(inbox).as_posix(), full))
    for rel, full in sorted(found):
        add_file(out, full, _display(root, rel), rel)
    return out


def _os_error(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def add_file(out: Walk, full: Path, display: str, rel: str | None = None) -> None:
    """Classify one file on disk into `out`."""
    try:
        st = full.stat()
    except OSError as exc:
        out.refuse(display, 0.0, issues.make("file-unreadable", file=display, detail=_os_error(exc)))
        return
    if not stat.S_ISREG(st.st_mode):  # a pipe or device would block or never end
        out.skip(display, "không phải tệp thông thường", st.st_mtime)
        return
    reason = classify(rel or full.name)
    if reason is None and getattr(st, "st_file_attributes", 0) & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0):
        reason = "tệp ẩn"
    ext = full.suffix.lower()
    if reason:
        out.skip(display, reason, st.st_mtime)
    elif ext in SPREADSHEET_EXTS:
        out.sources.append(Source(display, full, (), st.st_mtime, st.st_size))
    elif ext in ARCHIVE_EXTS:
        _archive(out, full, display, st.st_mtime)
    elif ext in OTHER_ARCHIVE_EXTS:
        out.refuse(display, st.st_mtime, _other_archive(display, ext))
    else:
        out.skip(display, "không phải bảng tính", st.st_mtime, ext)


def _other_archive(display: str, ext: str) -> Issue:
    detail = f"tệp nén {OTHER_ARCHIVE_EXTS[ext]} ({ext}) chưa được hỗ trợ, {_ONLY_ZIP}"
    return issues.make("archive-unreadable", file=display, detail=detail)


def _zip_time(info: zipfile.ZipInfo, fallback: float) -> float:
    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return fallback


def member_display_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author saw it.

    zipfile decodes names without the UTF-8 flag as cp437; macOS and many tools write UTF-8
    without the flag, and Vietnamese Windows writes its code page (cp1258).
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = None
        if raw is not None and not raw.isascii():
            for codec in ("utf-8", "cp1258"):
                try:
                    name = raw.decode(codec)
                    break
                except UnicodeDecodeError:
                    continue
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _archive(out: Walk, path: Path, display: str, mtime: float, chain: tuple[str, ...] = ()) -> None:
    """List an archive's members (from its central directory only: nothing is unpacked)."""
    try:
        with open_archive(path, chain) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except ArchiveTooLarge as exc:
        out.refuse(display, mtime, issues.make("file-too-large", file=display, detail=str(exc)))
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        out.refuse(display, mtime, issues.make("archive-unreadable", file=display, detail=_zip_error(exc, path, chain)))
        return
    if len(infos) > MAX_MEMBERS:
        detail = f"chứa {len(infos):,} tệp, giới hạn {MAX_MEMBERS:,}".replace(",", ".")
        out.refuse(display, mtime, issues.make("file-too-large", file=display, detail=detail))
        return
    accepted = sum(i.file_size for i in infos if member_too_large(i) is None)
    if accepted > MAX_ARCHIVE_BYTES:
        detail = f"khai báo {accepted // 1024**2:,} MB khi giải nén, giới hạn {MAX_ARCHIVE_BYTES // 1024**2:,} MB"
        out.refuse(display, mtime, issues.make("file-too-large", file=display, detail=detail.replace(",", ".")))
        return
    out.passed.append(Passed(display, f"tệp nén: {len(infos)} tệp bên trong được liệt kê riêng", mtime, archive=True))
    shown_names: set[str] = set()
    for index, info in enumerate(infos):
        member = info.filename
        name = member_display_name(info)
        shown = f"{display}/{name}"
        if shown in shown_names:  # two members of one name: keep every file listed once
            shown = f"{shown} (bản thứ {index + 1} trong tệp nén)"
        shown_names.add(shown)
        when = _zip_time(info, mtime)
        reason = classify(name)
        ext = PurePosixPath(name).suffix.lower()
        if reason:
            out.skip(shown, reason, when)
        elif ext in OTHER_ARCHIVE_EXTS:
            out.refuse(shown, when, _other_archive(shown, ext))
        elif ext not in SPREADSHEET_EXTS | ARCHIVE_EXTS:
            out.skip(shown, "không phải bảng tính", when, ext)
        elif info.flag_bits & 0x1:
            out.refuse(shown, when, issues.make("file-password", file=shown))
        elif info.compress_type not in _ZIP_METHODS:
            method = _ZIP_METHOD_NAMES.get(info.compress_type, str(info.compress_type))
            detail = f"kiểu nén {method} không được hỗ trợ (khi nén lại, chọn kiểu nén thông thường Deflate)"
            out.refuse(shown, when, issues.make("archive-unreadable", file=shown, detail=detail))
        elif too_big := member_too_large(info):
            out.refuse(shown, when, issues.make("file-too-large", file=shown, detail=too_big))
        elif ext in SPREADSHEET_EXTS and info.file_size > MAX_FILE_BYTES:
            size = f"{info.file_size / 1024**2:,.0f}".replace(",", ".")
            detail = f"khai báo {size} MB, giới hạn {MAX_FILE_BYTES // 1024**2} MB"
            out.refuse(shown, when, issues.make("file-too-large", file=shown, detail=detail))
        elif ext in ARCHIVE_EXTS:
            if len(chain) + 1 >= MAX_DEPTH:
                detail = f"tệp nén lồng nhau quá {MAX_DEPTH} lớp"
                out.refuse(shown, when, issues.make("archive-unreadable", file=shown, detail=detail))
            else:
                _archive(out, path, shown, when, (*chain, member))
        else:
            out.sources.append(Source(shown, path, (*chain, member), when, info.file_size, name))


def member_too_large(info: zipfile.ZipInfo) -> str | None:
    """Refuse from declared sizes alone, before unpacking anything."""
    if info.file_size > MAX_UNPACKED_BYTES:
        size = f"{info.file_size / 1024**2:,.0f}".replace(",", ".")
        return f"khai báo {size} MB khi giải nén, giới hạn {MAX_UNPACKED_BYTES // 1024**2} MB"
    if info.compress_size and info.file_size > 10 * 1024**2 and info.file_size / info.compress_size > MAX_RATIO:
        ratio = f"{info.file_size // max(info.compress_size, 1):,}".replace(",", ".")
        return f"tỷ lệ nén bất thường ({ratio}:1), có thể là bom nén"
    return None


class ArchiveTooLarge(ValueError):
    """A member would unpack past the hard cap."""


def read_member(zf: zipfile.ZipFile, name: str, *, cap: int = MAX_UNPACKED_BYTES) -> bytes:
    """A member's bytes, stopping at `cap` whatever its header declares (lying headers)."""
    info = zf.getinfo(name)
    too_big = member_too_large(info)
    if too_big:
        raise ArchiveTooLarge(too_big)
    buf = io.BytesIO()
    with zf.open(info) as fh:
        while chunk := fh.read(1024 * 1024):
            buf.write(chunk)
            if buf.tell() > cap:
                raise ArchiveTooLarge(f"giải nén vượt {cap // 1024**2} MB")
    return buf.getvalue()


def open_archive(path: Path, chain: tuple[str, ...]) -> zipfile.ZipFile:
    """Open an archive on disk, or an archive inside it (read into memory, capped)."""
    zf = zipfile.ZipFile(path)
    for inner in chain:
        try:
            data = read_member(zf, inner)
        finally:
            zf.close()
        zf = zipfile.ZipFile(io.BytesIO(data))
    return zf


def source_bytes(source: Source) -> bytes:
    """The bytes of an archive member (plain files are read by path, not through here)."""
    *outer, inner = source.members
    with open_archive(source.path, tuple(outer)) as zf:
        return read_member(zf, inner, cap=MAX_FILE_BYTES)  # a workbook: the file-size limit holds


def _zip_error(exc: BaseException, path: Path, chain: tuple[str, ...]) -> str:
    if isinstance(exc, NotImplementedError):
        return "kiểu nén không được hỗ trợ"
    if isinstance(exc, OSError) and not isinstance(exc, EOFError) and exc.strerror:
        return f"không đọc được tệp ({exc.strerror})"
    if not chain:
        try:
            with open(path, "rb") as fh:
                head = fh.read(8)
        except OSError:
            head = b""
        if head.startswith(b"Rar!"):
            return f"đây là tệp nén RAR đặt đuôi .zip, chưa được hỗ trợ, {_ONLY_ZIP}"
        if head.startswith(b"7z\xbc\xaf"):
            return f"đây là tệp nén 7-Zip đặt đuôi .zip, chưa được hỗ trợ, {_ONLY_ZIP}"
    return "tệp nén hỏng hoặc bị cắt cụt (tải về chưa hết?)"
