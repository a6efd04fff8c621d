"""Read what units sent: every file of an inbox (or named one by one), each in a supervised
worker, into one ReturnData per file. Choosing a file per unit and ranking come after."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import stat
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from thidua_xlsx.core import issues
from thidua_xlsx.core.errors import ThiduaError, os_reason
from thidua_xlsx.core.issues import Code
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.core.text import name_from_os
from thidua_xlsx.intake.documents import Document, match_documents
from thidua_xlsx.intake.inbox import MAX_FILE_BYTES, Source, Walk, forget_archive, source_bytes, walk_files, walk_inbox
from thidua_xlsx.intake.pool import DEFAULT_TIMEOUT, Failed, Failure, run_supervised
from thidua_xlsx.intake.returns import ReturnData, read_return, unreadable

Progress = Callable[[int, int], None]

_FAILURES = {
    Failure.TIMEOUT: "đọc quá lâu, có thể tệp bị lỗi cấu trúc hoặc được tạo để gây hại",
    Failure.CRASH: "trình đọc bảng tính dừng bất thường khi mở tệp (tệp hỏng, quá lớn khi giải nén, "
    "hoặc được tạo để gây hại)",
}
# What a Python error inside the reader means, without its English.
_ERRORS = {
    "MemoryError": "tệp cần quá nhiều bộ nhớ khi đọc (quá lớn khi giải nén, hoặc được tạo để gây hại)",
    "RecursionError": "cấu trúc bên trong tệp lồng nhau quá sâu (tệp hỏng hoặc được tạo để gây hại)",
}


@dataclass(frozen=True)
class Intake:
    """Every file found, and what each one read said."""

    walk: Walk
    returns: tuple[ReturnData, ...]
    documents: tuple[Document, ...] = ()  # reports and scans, each with its unit


def _failed(source: Source, why: Failed, *, bloc: Bloc) -> ReturnData:
    """A file the workers gave no result for, with a reason in Vietnamese; still the return of
    the unit its name names."""
    if why.kind is Failure.NO_WORKER:  # the leader's machine, not the unit's file
        read = unreadable(source, "", bloc)
        what = "máy này không khởi động được tiến trình đọc tệp (thiếu bộ nhớ hoặc quá nhiều tiến trình)"
        fix = "đóng bớt chương trình rồi chạy lại"
        issue = issues.make(Code.FILE_INACCESSIBLE, file=source.display, what=what, fix=fix)
        return dataclasses.replace(read, issues=(issue,))
    if why.kind is Failure.GIVEN_UP:
        detail = (
            f"không đọc, vì {why.detail} tệp khác trong cùng tệp nén đã làm trình đọc bảng tính dừng bất thường "
            "hoặc treo (tệp nén có thể được tạo để gây hại); hãy đề nghị đơn vị gửi riêng tệp bảng tính"
        )
    elif why.kind is Failure.ERROR:
        name = why.detail.split(":", 1)[0]
        detail = _ERRORS.get(name) or f"lỗi của chương trình khi đọc tệp này (mã kỹ thuật {name}), xin báo người hỗ trợ"
    else:
        detail = _FAILURES[why.kind]
    return unreadable(source, detail, bloc)


class _Content:
    """A file's bytes as a key: copies of one hostile file meet one fate.

    Hashed by size (known without reading), equal by digest, which is read only for files of
    the same size as one that killed the reader: an ordinary run never reads a file twice.
    """

    __slots__ = ("_digest", "source")

    def __init__(self, source: Source) -> None:
        self.source = source
        self._digest: bytes | None = None

    def __hash__(self) -> int:
        return hash(self.source.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Content) or other.source.size != self.source.size:
            return False
        mine, theirs = self.digest(), other.digest()
        return mine is not None and mine == theirs

    def digest(self) -> bytes | None:
        if self._digest is None and self.source.size <= MAX_FILE_BYTES:
            try:
                data = source_bytes(self.source) if self.source.members else self.source.path.read_bytes()
            except Exception:  # unreadable here too: it is compared with nothing
                return None
            self._digest = hashlib.blake2b(data, digest_size=16).digest()
        return self._digest


def _group(source: Source) -> Hashable | None:
    """An archive on disk holds its members as a group: past a few crashes the rest is not read."""
    return os.fspath(source.path) if source.members else None


def default_workers(n: int) -> int:
    cpus = os.cpu_count() or 1
    if n < 24:
        return 1
    return max(1, min(cpus, 8))


def read_sources(
    sources: Sequence[Source],
    bloc: Bloc,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[ReturnData, ...]:
    """Read every source once, each in a supervised worker process (`timeout` seconds a file)."""
    total = len(sources)
    done = 0

    def tick(_i: int, _r: ReturnData) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    try:
        return tuple(
            run_supervised(
                functools.partial(read_return, bloc=bloc),
                sources,
                fail=functools.partial(_failed, bloc=bloc),
                workers=workers if workers is not None else default_workers(total),
                timeout=timeout,
                on_result=tick,
                kin=_Content,
                group=_group,
            )
        )
    finally:
        forget_archive()  # an archive the kin of a member was read from


def gather(
    inbox: Path | str,
    bloc: Bloc,
    *,
    shown_as: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Intake:
    """Every file under `inbox`, read. The bloc's own workbook, if it sits there, is passed over."""
    walk = walk_inbox(Path(inbox), shown_as=shown_as, exclude=bloc.source)
    returns = read_sources(walk.sources, bloc, workers=workers, progress=progress, timeout=timeout)
    return Intake(walk, returns, match_documents(walk.documents, bloc, root=walk.root))


def check_files(
    paths: Sequence[Path | str], bloc: Bloc, *, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Intake:
    """Read files one by one (zips opened), for the bloc leader to answer a unit at once."""
    named: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise ThiduaError(f"Không tìm thấy tệp {name_from_os(str(path))}.") from None
        except OSError as exc:  # a link loop, a name too long, no permission: the leader's machine
            raise ThiduaError(f"Không mở được tệp {name_from_os(str(path))}: {os_reason(exc).what}.") from None
        if stat.S_ISDIR(st.st_mode):
            raise ThiduaError(f"{path} là thư mục; dùng 'collect {path}' để đọc cả thư mục.")
        named.append((path, str(p)))
    walk = walk_files(named)
    returns = read_sources(walk.sources, bloc, workers=workers, timeout=timeout)
    return Intake(walk, returns, match_documents(walk.documents, bloc, root=walk.root))
