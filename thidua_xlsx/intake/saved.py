"""When a workbook was last saved, as the workbook itself records it.

A copy, a download or an e-mail attachment changes a file's modification time; the record
inside the workbook moves only when someone saves it (PRODUCT.md §5): `dcterms:modified` in
an .xlsx's `docProps/core.xml`, `dc:date` in an .ods's `meta.xml`, the last-saved time of an
.xls's summary information. Read with a regular expression or a few struct reads, never an
XML parser: these bytes come from returned files.
"""

from __future__ import annotations

import datetime as dt
import re
import struct

# The members that hold the record, in a zip package; read when at most this many bytes.
ZIP_MEMBERS = ("docProps/core.xml", "meta.xml")
MEMBER_LIMIT = 64 * 1024
SUMMARY_STREAM = "\x05SummaryInformation"

_CORE = re.compile(rb"<(?:[A-Za-z0-9_]+:)?modified\b[^>]*>\s*([^<]{10,40}?)\s*<")
_META = re.compile(rb"<dc:date>\s*([^<]{10,40}?)\s*</dc:date>")
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?", re.ASCII | re.IGNORECASE
)
_FILETIME_EPOCH = 11_644_473_600  # seconds from 1601-01-01 to 1970-01-01, both UTC
_LAST_SAVED = 13  # PIDSI_LASTSAVE_DTM
_VT_FILETIME = 64


def iso_time(text: str) -> float | None:
    """An ISO 8601 time as a POSIX timestamp; without a zone it is local time (LibreOffice
    writes `meta.xml` that way). None when it is not one."""
    m = _ISO.fullmatch(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        when = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), int((frac or "0")[:6].ljust(6, "0")))
        if zone and zone.upper() == "Z":
            when = when.replace(tzinfo=dt.timezone.utc)
        elif zone:
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            when = when.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))
        return when.timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def from_zip_member(name: str, data: bytes | None) -> float | None:
    """The saved time in `docProps/core.xml` (xlsx) or `meta.xml` (ods)."""
    if not data:
        return None
    m = (_CORE if name == ZIP_MEMBERS[0] else _META).search(data)
    return iso_time(m.group(1).decode("ascii", "replace")) if m else None


def from_summary(stream: bytes | None) -> float | None:
    """The last-saved time of an OLE property set (`\\x05SummaryInformation` of an .xls)."""
    if not stream or len(stream) < 48:
        return None
    try:
        (section,) = struct.unpack_from("<I", stream, 44)
        _size, count = struct.unpack_from("<II", stream, section)
        for i in range(min(count, 256)):
            pid, offset = struct.unpack_from("<II", stream, section + 8 + 8 * i)
            if pid != _LAST_SAVED:
                continue
            kind, low, high = struct.unpack_from("<III", stream, section + offset)
            ticks = (high << 32) | low
            if kind != _VT_FILETIME or not ticks:
                return None
            return ticks / 10_000_000 - _FILETIME_EPOCH
    except struct.error:
        return None
    return None
