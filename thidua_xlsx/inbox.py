"""Walk the inbox: every file found is either a source to read or passed over with a reason.

Archives are opened read-only from their central directory; members are read into memory
later, with a hard cap, so nothing is ever unpacked to disk and the inbox is never written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import issues
from .issues import Issue

SPREADSHEET_EXTS = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
ARCHIVE_EXTS = {".zip"}
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}

# Limits: a return is tens of kilobytes; these leave room for pictures and old Excel bloat.
MAX_FILE_BYTES = 50 * 1024**2  # a spreadsheet as stored
MAX_UNPACKED_BYTES = 200 * 1024**2  # what a workbook or archive member may unpack to
MAX_ARCHIVE_BYTES = 1024**3  # declared total of an archive's members
MAX_RATIO = 200  # declared unpacked size / packed size of one member
MAX_DEPTH = 3  # archives inside archives


@dataclass(frozen=True, slots=True)
class Source:
    """A spreadsheet to read: a file on disk, or a member of an archive (`members` path)."""

    display: str
    path: Path
    members: tuple[str, ...] = ()
    mtime: float = 0.0
    size: int = 0

    @property
    def name(self) -> str:
        return PurePosixPath(self.members[-1]).name if self.members else self.path.name

    @property
    def ext(self) -> str:
        return PurePosixPath(self.name).suffix.lower()


@dataclass(frozen=True, slots=True)
class Passed:
    """A file found but not read: owner files, system files, non-spreadsheets, archives."""

    display: str
    reason: str
    mtime: float = 0.0


@dataclass
class Walk:
    sources: list[Source] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _display(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}" if root not in ("", ".") else rel


def classify(name: str) -> str | None:
    """Why a file is passed over by its name alone, or None to look at it."""
    base = PurePosixPath(name).name
    lower = base.lower()
    if base.startswith("~$"):
        return "tệp khóa tạm của Excel (~$)"
    if lower in SYSTEM_FILES:
        return "tệp hệ thống"
    if base.startswith(".") or any(
        part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts[:-1]
    ):
        return "tệp ẩn"
    return None


def walk_inbox(inbox: Path, *, shown_as: str | None = None) -> Walk:
    """Every file under `inbox`, recursively (symlinked folders not followed), sorted by path."""
    root = shown_as if shown_as is not None else str(inbox)
    out = Walk()
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(inbox):
        dirs.sort()
        for name in files:
            full = Path(folder) / name
            found.append((full.relative_to(inbox).as_posix(), full))
    for rel, full in sorted(found):
        add_file(out, full, _display(root, rel), rel)
    return out


def add_file(out: Walk, full: Path, display: str, rel: str | None = None) -> None:
    """Classify one file on disk into `out`."""
    try:
        st = full.stat()
    except OSError as exc:
        out.passed.append(Passed(display, f"không đọc được: {exc.strerror or exc}"))
        return
    reason = classify(rel or full.name)
    ext = full.suffix.lower()
    if reason:
        out.passed.append(Passed(display, reason, st.st_mtime))
    elif ext in SPREADSHEET_EXTS:
        out.sources.append(Source(display, full, (), st.st_mtime, st.st_size))
    elif ext in ARCHIVE_EXTS:
        _archive(out, full, display, st.st_mtime, st.st_size)
    else:
        why = "không phải bảng tính"
        out.passed.append(Passed(display, why, st.st_mtime))
        out.issues.append(issues.make("file-skipped", file=display, reason=f"đuôi {ext or 'không có'}"))


def _zip_time(info: zipfile.ZipInfo, fallback: float) -> float:
    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return fallback


def _archive(out: Walk, path: Path, display: str, mtime: float, size: int, chain: tuple[str, ...] = ()) -> None:
    """List an archive's members (from its central directory only: nothing is unpacked)."""
    out.passed.append(Passed(display, "tệp nén: đã mở, các tệp bên trong được liệt kê riêng", mtime))
    try:
        with open_archive(path, chain) as zf:
            infos = zf.infolist()
    except ArchiveTooLarge as exc:
        out.issues.append(issues.make("file-too-large", file=display, detail=str(exc)))
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        out.issues.append(issues.make("archive-unreadable", file=display, detail=_zip_error(exc)))
        return
    declared = sum(i.file_size for i in infos)
    if declared > MAX_ARCHIVE_BYTES:
        out.issues.append(
            issues.make(
                "file-too-large",
                file=display,
                detail=f"khai báo {declared // 1024**2} MB khi giải nén, giới hạn {MAX_ARCHIVE_BYTES // 1024**2} MB",
            )
        )
        return
    for info in infos:
        if info.is_dir():
            continue
        member = info.filename
        shown = f"{display}/{member}"
        when = _zip_time(info, mtime)
        reason = classify(member)
        ext = PurePosixPath(member).suffix.lower()
        if reason:
            out.passed.append(Passed(shown, reason, when))
            continue
        if ext not in SPREADSHEET_EXTS | ARCHIVE_EXTS:
            out.passed.append(Passed(shown, "không phải bảng tính", when))
            out.issues.append(issues.make("file-skipped", file=shown, reason=f"đuôi {ext or 'không có'}"))
            continue
        if info.flag_bits & 0x1:
            out.passed.append(Passed(shown, "tệp trong tệp nén có mật khẩu", when))
            out.issues.append(issues.make("file-password", file=shown))
            continue
        too_big = member_too_large(info)
        if too_big:
            out.passed.append(Passed(shown, "quá lớn", when))
            out.issues.append(issues.make("file-too-large", file=shown, detail=too_big))
            continue
        if ext in ARCHIVE_EXTS:
            if len(chain) + 1 >= MAX_DEPTH:
                out.passed.append(Passed(shown, "tệp nén lồng quá nhiều lớp", when))
                out.issues.append(issues.make("archive-unreadable", file=shown, detail="lồng quá nhiều lớp"))
            else:
                _archive(out, path, shown, when, info.compress_size, (*chain, member))
            continue
        out.sources.append(Source(shown, path, (*chain, member), when, info.file_size))


def member_too_large(info: zipfile.ZipInfo) -> str | None:
    """Refuse from declared sizes alone, before unpacking anything."""
    if info.file_size > MAX_UNPACKED_BYTES:
        return f"{info.file_size / 1024**2:,.0f} MB khi giải nén, giới hạn {MAX_UNPACKED_BYTES // 1024**2} MB"
    if info.compress_size and info.file_size > 10 * 1024**2 and info.file_size / info.compress_size > MAX_RATIO:
        return f"tỷ lệ nén bất thường ({info.file_size // max(info.compress_size, 1):,}:1)"
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
        return read_member(zf, inner)


def _zip_error(exc: BaseException) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "tệp nén hỏng hoặc bị cắt cụt"
    if isinstance(exc, NotImplementedError):
        return "kiểu nén không hỗ trợ"
    return str(exc) or exc.__class__.__name__
