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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from thidua_xlsx.core import issues
from thidua_xlsx.core.errors import ThiduaError, os_reason
from thidua_xlsx.core.issues import Code, Issue
from thidua_xlsx.core.numbers import megabytes, vn
from thidua_xlsx.core.text import name_from_os

SPREADSHEET_EXTS = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
ARCHIVE_EXTS = {".zip"}
# Reports and signed scans sent with a return (§5): matched to units, never read as returns.
DOCUMENT_EXTS = {".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png"}
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
    """A spreadsheet to read: a file on disk, or a member of an archive.

    `members` locates a member by its position in each archive's central directory (the
    outer archive first): two members may share a name, and each is read as itself.
    """

    display: str
    path: Path
    members: tuple[int, ...] = ()
    mtime: float = 0.0
    size: int = 0
    # The name as text: an archive member's name as its author wrote it (decoded), or a
    # file name whose bytes are not UTF-8 (escaped); empty when it is `path.name` itself.
    member_name: str = ""

    @property
    def name(self) -> str:
        return PurePosixPath(self.member_name).name if self.member_name else self.path.name

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


@dataclass(frozen=True)
class Walk:
    """Every file found under an inbox (or given to `check`): to read, passed over, or refused."""

    sources: tuple[Source, ...] = ()
    passed: tuple[Passed, ...] = ()  # passed over, and opened archives
    refused: tuple[Passed, ...] = ()  # each with the error that explains it
    issues: tuple[Issue, ...] = ()
    documents: tuple[Source, ...] = ()  # reports and scans sent with the returns
    root: str = ""  # how paths start (INBOX as shown); "" for files named one by one

    @property
    def displays(self) -> list[str]:
        """Every file found, as shown in the report."""
        found = [s.display for s in self.sources + self.documents]
        return found + [p.display for p in self.passed + self.refused]


class _Walker:
    """Collects what a walk finds; `done()` hands the result on as a Walk."""

    def __init__(self, exclude: Path | None = None) -> None:
        self.sources: list[Source] = []
        self.documents: list[Source] = []
        self.passed: list[Passed] = []
        self.refused: list[Passed] = []
        self.issues: list[Issue] = []
        self.exclude = _identity(exclude) if exclude is not None else None
        self.files_seen: dict[tuple[int, int], str] = {}  # (device, inode) → display: one file, read once

    def done(self, root: str = "") -> Walk:
        found = (tuple(self.sources), tuple(self.passed), tuple(self.refused), tuple(self.issues))
        return Walk(*found, documents=tuple(self.documents), root=root)

    def refuse(self, display: str, mtime: float, issue: Issue) -> None:
        self.refused.append(Passed(display, issue.message, mtime, issue))
        self.issues.append(issue)

    def skip(self, display: str, reason: str, mtime: float, ext: str | None = None) -> None:
        """Passed over; non-spreadsheets (ext given) also get an info issue."""
        issue = None
        if ext is not None:
            issue = issues.make(Code.FILE_SKIPPED, file=display, reason=f"đuôi {ext or 'không có'}")
            self.issues.append(issue)
        self.passed.append(Passed(display, reason, mtime, issue))

    def file(self, full: Path, display: str, rel: str) -> None:
        """Classify one file on disk."""
        try:
            st = full.stat()
        except OSError as exc:
            self.refuse(display, 0.0, inaccessible(display, exc))
            return
        if not stat.S_ISREG(st.st_mode):  # a pipe or device would block or never end
            self.skip(display, "không phải tệp thông thường", st.st_mtime)
            return
        key = (st.st_dev, st.st_ino)
        if key == self.exclude:
            self.passed.append(Passed(display, "tệp khối thi đua, không phải bảng tự chấm", st.st_mtime))
            return
        first = self.files_seen.setdefault(key, display)
        if first != display:  # a hard link: the same file under a second name is not a second return
            twice = f"cùng một tệp với {first} (hai tên của một tệp), đã đọc ở đó"
            self.passed.append(Passed(display, twice, st.st_mtime))
            return
        reason = classify(rel)
        if reason is None and getattr(st, "st_file_attributes", 0) & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0):
            reason = "tệp ẩn"
        ext = full.suffix.lower()
        if reason:
            self.skip(display, reason, st.st_mtime)
        elif ext in SPREADSHEET_EXTS or ext in DOCUMENT_EXTS:  # a return, or a report sent with one
            text_name = name_from_os(full.name)
            shown_name = text_name if text_name != full.name else ""
            found = self.sources if ext in SPREADSHEET_EXTS else self.documents
            found.append(Source(display, full, (), st.st_mtime, st.st_size, shown_name))
        elif ext in ARCHIVE_EXTS:
            self.archive(full, display, st.st_mtime)
        elif ext in OTHER_ARCHIVE_EXTS:
            self.refuse(display, st.st_mtime, _other_archive(display, ext))
        else:
            self.skip(display, "không phải bảng tính", st.st_mtime, ext)

    def link(self, path: Path, display: str, real_root: str, root: str) -> None:
        """A symbolic link, passed over: out of INBOX it is not followed (with a warning);
        inside, what it points to is read under its own path."""
        target = os.path.realpath(path)
        try:
            mtime = path.lstat().st_mtime
        except OSError:
            mtime = 0.0
        if not _within(target, real_root):
            shown_target = name_from_os(target)
            issue = issues.make(Code.LINK_OUTSIDE, file=display, target=shown_target)
            self.issues.append(issue)
            reason = f"liên kết (symlink) trỏ ra ngoài thư mục nhận tệp, tới {shown_target}: không đọc"
            self.passed.append(Passed(display, reason, mtime, issue))
            return
        inside = _display(root, name_from_os(os.path.relpath(target, real_root)))
        if os.path.isdir(path):
            reason = f"liên kết (symlink) tới thư mục {inside}: các tệp trong đó được đọc ở đường dẫn thật"
        elif os.path.exists(path):
            reason = f"liên kết (symlink) tới {inside}: tệp được đọc ở đường dẫn thật"
        else:
            reason = "liên kết (symlink) hỏng hoặc trỏ vòng lặp: không đọc"
        self.passed.append(Passed(display, reason, mtime))

    def archive(self, path: Path, display: str, mtime: float, chain: tuple[int, ...] = ()) -> None:
        """List an archive's members (from its central directory only: nothing is unpacked)."""
        infos = self._listing(path, display, mtime, chain)
        if infos is None:
            return
        listed = f"tệp nén: {len(infos)} tệp bên trong được liệt kê riêng"
        self.passed.append(Passed(display, listed, mtime, archive=True))
        shown_names: set[str] = set()
        for n, (position, info) in enumerate(infos, start=1):
            name = member_display_name(info)
            shown = f"{display}/{name}"
            if shown in shown_names:  # two members of one name: keep every file listed once
                shown = f"{shown} (bản thứ {n} trong tệp nén)"
            shown_names.add(shown)
            self._member(path, chain, info, position, name, shown, _zip_time(info, mtime))

    def _listing(
        self, path: Path, display: str, mtime: float, chain: tuple[int, ...]
    ) -> list[tuple[int, zipfile.ZipInfo]] | None:
        """The archive's file members with their positions, or None when it is refused (with the reason)."""
        try:
            with open_archive(path, chain) as zf:
                infos = [(n, i) for n, i in enumerate(zf.infolist()) if not i.is_dir()]
        except ArchiveTooLarge as exc:
            self.refuse(display, mtime, issues.make(Code.FILE_TOO_LARGE, file=display, detail=str(exc)))
            return None
        except OSError as exc:
            if exc.errno is not None:  # the leader's disk or permissions, not the archive
                self.refuse(display, mtime, inaccessible(display, exc))
            else:  # bz2 and others raise a bare OSError for a broken stream
                detail = _zip_error(exc, path, chain)
                self.refuse(display, mtime, issues.make(Code.ARCHIVE_UNREADABLE, file=display, detail=detail))
            return None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
            detail = _zip_error(exc, path, chain)
            self.refuse(display, mtime, issues.make(Code.ARCHIVE_UNREADABLE, file=display, detail=detail))
            return None
        if len(infos) > MAX_MEMBERS:
            detail = f"chứa {vn(len(infos))} tệp, giới hạn {vn(MAX_MEMBERS)}"
            self.refuse(display, mtime, issues.make(Code.FILE_TOO_LARGE, file=display, detail=detail))
            return None
        accepted = sum(i.file_size for _, i in infos if member_too_large(i) is None)
        if accepted > MAX_ARCHIVE_BYTES:
            detail = f"khai báo {megabytes(accepted)} khi giải nén, giới hạn {megabytes(MAX_ARCHIVE_BYTES)}"
            self.refuse(display, mtime, issues.make(Code.FILE_TOO_LARGE, file=display, detail=detail))
            return None
        return infos

    def _member(
        self,
        path: Path,
        chain: tuple[int, ...],
        info: zipfile.ZipInfo,
        position: int,
        name: str,
        shown: str,
        when: float,
    ) -> None:
        """Classify one member of an archive, as a file of the inbox is."""
        reason = classify(name)
        ext = PurePosixPath(name).suffix.lower()
        if reason:
            self.skip(shown, reason, when)
        elif ext in OTHER_ARCHIVE_EXTS:
            self.refuse(shown, when, _other_archive(shown, ext))
        elif ext in DOCUMENT_EXTS:  # listed by its name; a .docx is looked into later, capped
            self.documents.append(Source(shown, path, (*chain, position), when, info.file_size, name))
        elif ext not in SPREADSHEET_EXTS | ARCHIVE_EXTS:
            self.skip(shown, "không phải bảng tính", when, ext)
        elif info.flag_bits & 0x1:
            self.refuse(shown, when, issues.make(Code.FILE_PASSWORD, file=shown))
        elif info.compress_type not in _ZIP_METHODS:
            method = _ZIP_METHOD_NAMES.get(info.compress_type, str(info.compress_type))
            detail = f"kiểu nén {method} không được hỗ trợ (khi nén lại, chọn kiểu nén thông thường Deflate)"
            self.refuse(shown, when, issues.make(Code.ARCHIVE_UNREADABLE, file=shown, detail=detail))
        elif too_big := member_too_large(info):
            self.refuse(shown, when, issues.make(Code.FILE_TOO_LARGE, file=shown, detail=too_big))
        elif ext in SPREADSHEET_EXTS and info.file_size > MAX_FILE_BYTES:
            detail = f"khai báo {megabytes(info.file_size)}, giới hạn {megabytes(MAX_FILE_BYTES)}"
            self.refuse(shown, when, issues.make(Code.FILE_TOO_LARGE, file=shown, detail=detail))
        elif ext in ARCHIVE_EXTS:
            if len(chain) + 1 >= MAX_DEPTH:
                detail = f"tệp nén lồng nhau quá {MAX_DEPTH} lớp"
                self.refuse(shown, when, issues.make(Code.ARCHIVE_UNREADABLE, file=shown, detail=detail))
            else:
                self.archive(path, shown, when, (*chain, position))
        else:
            self.sources.append(Source(shown, path, (*chain, position), when, info.file_size, name))


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode): the same file whatever path or link reaches it."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


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


def check_inbox(inbox: Path) -> None:
    """A usage error unless `inbox` is a folder (a file is checked with `check`, not collected)."""
    if not inbox.exists():
        raise ThiduaError(f"Không tìm thấy thư mục {inbox}.")
    if not inbox.is_dir():
        raise ThiduaError(f"{inbox} không phải là thư mục. Dùng 'thidua-xlsx check {inbox}' để kiểm tra một tệp.")


def walk_inbox(inbox: Path, *, shown_as: str | None = None, exclude: Path | None = None) -> Walk:
    """Every file under `inbox`, recursively, sorted by path.

    Symbolic links are never followed: one that points out of INBOX is passed over with a
    warning (a link to `/` would read the whole machine), one that points inside is passed
    over because what it points to is read under its own path. A file with two names (a
    hard link) is read once. `exclude` (the bloc's own workbook, when it sits in the inbox)
    is passed over, not read.
    """
    check_inbox(inbox)
    root = name_from_os(shown_as if shown_as is not None else str(inbox))
    out = _Walker(exclude)
    real_root = os.path.realpath(inbox)
    found: list[tuple[str, Path]] = []
    links: list[tuple[str, str]] = []
    folders = [("", os.fspath(inbox))]
    while folders:  # a stack, not recursion: a folder tree thousands deep must not overflow
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            shown = _display(root, name_from_os(prefix.rstrip("/")) or ".")
            out.refuse(shown, 0.0, inaccessible(shown, exc, folder=True))
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_symlink():
                    links.append((rel, entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    folders.append((rel + "/", entry.path))
                else:
                    found.append((rel, Path(entry.path)))
            except OSError:  # the entry vanished or cannot be looked at: let `file` say why
                found.append((rel, Path(entry.path)))
    for rel, path in links:
        out.link(Path(path), _display(root, name_from_os(rel)), real_root, root)
    for rel, full in sorted(found):
        out.file(full, _display(root, name_from_os(rel)), rel)
    return out.done(root)


def walk_files(paths: Sequence[tuple[Path, str]]) -> Walk:
    """Files named one by one (path, as shown), each classified like a file of an inbox."""
    out = _Walker()
    for full, display in paths:
        out.file(full, name_from_os(display), full.name)
    return out.done()


def inaccessible(display: str, exc: OSError, *, folder: bool = False) -> Issue:
    """An OS error on the leader's machine: said in Vietnamese, never as the unit's fault."""
    what, fix = os_reason(exc)
    if folder:
        what = f"không mở được thư mục: {what}"
    return issues.make(Code.FILE_INACCESSIBLE, file=display, what=what, fix=fix)


def _other_archive(display: str, ext: str) -> Issue:
    detail = f"tệp nén {OTHER_ARCHIVE_EXTS[ext]} ({ext}) chưa được hỗ trợ, {_ONLY_ZIP}"
    return issues.make(Code.ARCHIVE_UNREADABLE, file=display, detail=detail)


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
    return safe_member_path(unicodedata.normalize("NFC", name.replace("\\", "/")))


def safe_member_path(name: str) -> str:
    """A member's path without what could climb out of the archive (`../../VHTT.xlsx`,
    `/etc/x`, `C:/x` become `VHTT.xlsx`, `etc/x`, `x`): it names a member, never a place."""
    parts = [p for p in name.split("/") if p not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":" and parts[0][0].isalpha():
        parts = parts[1:]  # a Windows drive
    return "/".join(parts) or "(không tên)"


def member_too_large(info: zipfile.ZipInfo) -> str | None:
    """Refuse from declared sizes alone, before unpacking anything."""
    if info.file_size > MAX_UNPACKED_BYTES:
        return f"khai báo {megabytes(info.file_size)} khi giải nén, giới hạn {megabytes(MAX_UNPACKED_BYTES)}"
    if info.compress_size and info.file_size > 10 * 1024**2 and info.file_size / info.compress_size > MAX_RATIO:
        return f"tỷ lệ nén bất thường ({vn(info.file_size // max(info.compress_size, 1))}:1), có thể là bom nén"
    return None


class ArchiveTooLarge(ValueError):
    """A member would unpack past the hard cap."""


def read_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo | str, *, cap: int = MAX_UNPACKED_BYTES) -> bytes:
    """A member's bytes, stopping at `cap` whatever its header declares (lying headers)."""
    info = zf.getinfo(member) if isinstance(member, str) else member
    too_big = member_too_large(info)
    if too_big:
        raise ArchiveTooLarge(too_big)
    buf = io.BytesIO()
    with zf.open(info) as fh:
        while chunk := fh.read(1024 * 1024):
            buf.write(chunk)
            if buf.tell() > cap:
                raise ArchiveTooLarge(f"giải nén vượt {megabytes(cap)}")
    return buf.getvalue()


def _member_at(zf: zipfile.ZipFile, position: int) -> zipfile.ZipInfo:
    infos = zf.infolist()
    if not 0 <= position < len(infos):
        raise zipfile.BadZipFile("the archive changed since it was listed")
    return infos[position]


def open_archive(path: Path, chain: tuple[int, ...]) -> zipfile.ZipFile:
    """Open an archive on disk, or an archive inside it (read into memory, capped); `chain`
    holds the positions of the inner archives in their parents' central directories."""
    zf = zipfile.ZipFile(path)
    for position in chain:
        try:
            data = read_member(zf, _member_at(zf, position))
        finally:
            zf.close()
        zf = zipfile.ZipFile(io.BytesIO(data))
    return zf


# The archive last opened for its members, kept open while they are read one after another.
_open: tuple[tuple[object, ...], zipfile.ZipFile] | None = None


def _archive_for(path: Path, chain: tuple[int, ...]) -> zipfile.ZipFile:
    """The archive holding a member, kept open for the members after it.

    A worker reads an archive's members one after another (sources are in path order), so
    the central directory is parsed, and a nested archive inflated, once for them all rather
    than once a member: 4,999 members of a 190 MB inner zip cost one inflation, not 4,999.
    The key holds the file's identity, size and time: a file replaced on disk is opened anew.
    """
    global _open
    st = os.stat(path)
    # The process id too: a worker forked while its parent held an archive open must not share
    # that file's read position with it.
    key = (os.getpid(), os.fspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, chain)
    if _open is not None and _open[0] == key:
        return _open[1]
    forget_archive()
    zf = open_archive(path, chain)
    _open = (key, zf)
    return zf


def forget_archive() -> None:
    """Close the archive kept open for reading members (the memory of a nested one goes too)."""
    global _open
    if _open is not None:
        _open[1].close()
        _open = None


def source_bytes(source: Source, *, cap: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an archive member (plain files are read by path, not through here); a
    workbook is held to the file-size limit, a document to its own `cap`."""
    *outer, inner = source.members
    zf = _archive_for(source.path, tuple(outer))
    try:
        return read_member(zf, _member_at(zf, inner), cap=cap)
    except OSError:
        forget_archive()  # the disk failed under it: the next member opens the archive afresh
        raise


def _zip_error(exc: BaseException, path: Path, chain: tuple[int, ...]) -> str:
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
