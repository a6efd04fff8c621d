"""Low-level structure of the two containers returns come in, read with a few small reads:
a zip's central directory (xlsx, xlsm, xlsb, ods) and an OLE compound file's directory (xls,
and OOXML encrypted with a password to open). Bounded whatever the file claims."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

ReadAt = Callable[[int, int], bytes]


@contextlib.contextmanager
def random_access(data: bytes | None, path: Path) -> Iterator[tuple[ReadAt, int]]:
    """(read_at(offset, n), size) over bytes in memory, or over the file at `path`."""
    if data is not None:
        yield (lambda off, n: data[off : off + n]), len(data)
        return
    with open(path, "rb") as fh:
        size = fh.seek(0, io.SEEK_END)

        def read_at(off: int, n: int) -> bytes:
            fh.seek(off)
            return fh.read(n)

        yield read_at, size


class ZipEntry(NamedTuple):
    name: str
    flags: int
    packed: int
    size: int
    method: int = -1  # compression: 0 stored, 8 deflate (-1: unknown)
    offset: int = -1  # of the member's local header (-1: unknown)


_EOCD = struct.Struct("<4sHHHHIIH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")


def zip_entries(read_at: ReadAt, size: int) -> list[ZipEntry] | None:
    """A zip's central directory, read with one or two small reads (zipfile costs several
    times more, and this runs for every return). None when broken or ZIP64."""
    for tail_len in (min(size, 4096), min(size, 65535 + _EOCD.size)):  # the end record, then past a comment
        tail = read_at(size - tail_len, tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at >= 0 and at + _EOCD.size <= len(tail):
            break
    else:
        return None
    _, disk, _, _, count, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
    if disk or count == 0xFFFF or cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        return None
    eocd_offset = size - tail_len + at
    if cd_size > eocd_offset:
        return None
    shift = eocd_offset - cd_size - cd_offset  # tolerate data prepended to the archive, as zipfile does
    cd_offset += shift
    start = cd_offset - (size - tail_len)
    cd = tail[start : start + cd_size] if start >= 0 else read_at(cd_offset, cd_size)
    out: list[ZipEntry] = []
    unpack, pos, fixed = _CENTRAL.unpack_from, 0, _CENTRAL.size
    for _ in range(count):
        if pos + fixed > len(cd):
            return None
        f = unpack(cd, pos)
        if f[0] != b"PK\x01\x02" or f[8] == 0xFFFFFFFF or f[9] == 0xFFFFFFFF:
            return None
        name = cd[pos + fixed : pos + fixed + f[10]].decode("utf-8" if f[3] & 0x800 else "latin-1", errors="replace")
        # A name not in UTF-8 only needs its ASCII part here.
        out.append(ZipEntry(name, f[3], f[8], f[9], f[4], f[16] + shift))
        pos += fixed + f[10] + f[11] + f[12]
    return out


_LOCAL = struct.Struct("<4sHHHHHIIIHH")


def zip_member(read_at: ReadAt, entry: ZipEntry, limit: int = 256 * 1024) -> bytes | None:
    """A small member's bytes (stored or deflated), read from its local header: None when it
    is larger than `limit`, encrypted, packed another way, or broken."""
    if entry.offset < 0 or entry.size > limit or entry.packed > limit or entry.flags & 0x1:
        return None
    guess = _LOCAL.size + len(entry.name.encode("utf-8")) + 64  # the local header's name and extra, usually
    block = read_at(entry.offset, guess + entry.packed)  # header and data in one read
    if len(block) < _LOCAL.size:
        return None
    f = _LOCAL.unpack_from(block)
    if f[0] != b"PK\x03\x04":
        return None
    start = _LOCAL.size + f[9] + f[10]
    raw = block[start : start + entry.packed]
    if len(raw) < entry.packed:
        raw = read_at(entry.offset + start, entry.packed)
    if len(raw) < entry.packed:
        return None
    if entry.method == 0:
        return raw
    if entry.method != 8:
        return None
    try:
        out = zlib.decompressobj(-15).decompress(raw, limit)
    except zlib.error:
        return None
    return out


_FREE_SECT = 0xFFFFFFFA  # this and above: end of chain, free, FAT or DIFAT sector marks


class OleStream(NamedTuple):
    start: int  # first sector
    size: int


class OleDirectory(NamedTuple):
    sector_size: int
    streams: dict[str, OleStream]
    fat: tuple[int, ...] = ()  # the sectors that hold the FAT
    minifat_start: int = _FREE_SECT  # first sector of the mini FAT
    sectors: int = 0  # sectors in the file: the bound of every chain

    def head(self, read_at: ReadAt, name: str) -> bytes | None:
        """The first sector of a stream: enough for the records at the start of an .xls.

        Streams under 4,096 bytes live in the mini stream (not followed here): None.
        """
        entry = self.streams.get(name)
        if entry is None or entry.size < 4096 or entry.start >= _FREE_SECT:
            return None
        block = read_at((entry.start + 1) * self.sector_size, self.sector_size)
        return block if len(block) == self.sector_size else None

    def small_stream(self, read_at: ReadAt, name: str, limit: int = 64 * 1024) -> bytes | None:
        """A whole stream of at most `limit` bytes (in the mini stream or not), or None when it
        is absent, larger, or its chain is broken. Every chain is followed a bounded number of steps."""
        entry = self.streams.get(name)
        if entry is None or entry.size > limit or entry.start >= _FREE_SECT:
            return None
        ss, per = self.sector_size, self.sector_size // 4
        table: dict[int, tuple[int, ...]] = {}

        def next_sector(s: int) -> int:
            if s // per >= len(self.fat):
                return _FREE_SECT
            if s // per not in table:
                block = read_at((self.fat[s // per] + 1) * ss, ss)
                if len(block) < ss:
                    return _FREE_SECT
                table[s // per] = struct.unpack(f"<{per}I", block)
            return table[s // per][s % per]

        def walker(start: int) -> Callable[[int], int | None]:
            """k -> the k-th sector of the chain from `start`, followed lazily."""
            found: list[int] = []
            state = [start]

            def nth(k: int) -> int | None:
                while len(found) <= k:
                    if state[0] >= _FREE_SECT or len(found) >= self.sectors:
                        return None
                    found.append(state[0])
                    state[0] = next_sector(state[0])
                return found[k]

            return nth

        parts: list[bytes] = []
        if entry.size >= 4096:
            nth = walker(entry.start)
            for k in range(-(-entry.size // ss)):
                sector = nth(k)
                if sector is None:
                    return None
                parts.append(read_at((sector + 1) * ss, ss))
        else:
            root = self.streams.get("Root Entry")
            if root is None:
                return None
            minifat, holder = walker(self.minifat_start), walker(root.start)
            m = entry.start
            for _ in range(-(-entry.size // 64)):
                if m >= _FREE_SECT:
                    return None
                at, fat_sector = holder(m * 64 // ss), minifat(m // per)
                if at is None or fat_sector is None:
                    return None
                parts.append(read_at((at + 1) * ss + m * 64 % ss, 64))
                link = read_at((fat_sector + 1) * ss + (m % per) * 4, 4)
                if len(link) < 4:
                    return None
                m = struct.unpack("<I", link)[0]
        data = b"".join(parts)
        return data[: entry.size] if len(data) >= entry.size else None


def ole_stream_names(read_at: ReadAt, size: int) -> set[str] | None:
    """The names in an OLE compound file's directory, or None if its structure is broken."""
    found = ole_directory(read_at, size)
    return None if found is None else set(found.streams)


def ole_directory(read_at: ReadAt, size: int) -> OleDirectory | None:
    """An OLE compound file's directory (names, first sectors, sizes), or None if broken.

    Reads the header, the FAT sectors needed to follow the directory chain and the
    directory itself: a few kilobytes, bounded whatever the file claims.
    """
    header = read_at(0, 512)
    if len(header) < 512 or not header.startswith(OLE_MAGIC):
        return None
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return None
    ss = 1 << shift
    n_sectors = max(0, size - ss) // ss + 1
    n_fat, dir_start = struct.unpack_from("<II", header, 0x2C)
    difat_start, n_difat = struct.unpack_from("<II", header, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _FREE_SECT]
    per = ss // 4
    sector = difat_start
    for _ in range(min(n_difat, n_sectors)):  # DIFAT sectors beyond the header's 109 entries
        if sector >= _FREE_SECT:
            break
        block = read_at((sector + 1) * ss, ss)
        if len(block) < ss:
            return None
        entries = struct.unpack(f"<{per}I", block)
        fat_sectors.extend(s for s in entries[:-1] if s < _FREE_SECT)
        sector = entries[-1]
    fat_sectors = fat_sectors[: max(n_fat, 0) or len(fat_sectors)]
    fat_cache: dict[int, tuple[int, ...]] = {}

    def next_sector(s: int) -> int | None:
        index = s // per
        if index >= len(fat_sectors):
            return None
        if index not in fat_cache:
            block = read_at((fat_sectors[index] + 1) * ss, ss)
            if len(block) < ss:
                return None
            fat_cache[index] = struct.unpack(f"<{per}I", block)
        return fat_cache[index][s % per]

    streams: dict[str, OleStream] = {}
    sector, steps = dir_start, 0
    while sector < _FREE_SECT:
        steps += 1
        if steps > min(n_sectors, 4096):  # a loop in the chain, or an absurd directory
            return None
        block = read_at((sector + 1) * ss, ss)
        if len(block) < ss:
            return None
        for off in range(0, ss, 128):
            name_len, kind = struct.unpack_from("<HB", block, off + 64)
            if kind in (1, 2, 5) and 2 <= name_len <= 64 and name_len % 2 == 0:
                name = block[off : off + name_len - 2].decode("utf-16-le", errors="replace")
                start, length = struct.unpack_from("<II", block, off + 116)
                streams.setdefault(name, OleStream(start, length))
        following = next_sector(sector)
        if following is None:
            return None
        sector = following
    minifat_start = struct.unpack_from("<I", header, 0x3C)[0]
    return OleDirectory(ss, streams, tuple(fat_sectors), minifat_start, n_sectors)
