"""What a cell holds when calamine reads it as empty: an Excel error value (`#VALUE!`) or a
formula saved without its result.

calamine hands both over as an empty string, the same as a blank cell, so a clerk would be
told "chưa có điểm" about a cell that shows `#VALUE!`. Only then (a rare path: an input cell
read as empty) is the sheet looked at again, once, in its own format: the sheet XML of an
.xlsx, `content.xml` of an .ods, the BIFF records of an .xls. Regular expressions and struct
reads only, never an XML parser: these bytes come from returned files. Any trouble reading
means "nothing more known", never an exception.
"""

from __future__ import annotations

import enum
import html
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from thidua_xlsx.intake.containers import ole_directory, random_access

MAX_PART = 64 * 1024**2  # a sheet's XML or BIFF stream looked at again, at most


class HiddenKind(enum.Enum):
    ERROR = "error"  # an error value: its text as the office suite shows it
    FORMULA = "formula"  # a formula saved without its result: the formula


@dataclass(frozen=True, slots=True)
class Hidden:
    kind: HiddenKind
    text: str


Cells = dict[tuple[int, int], Hidden]


def hidden_cells(data: bytes | None, path: Path, fits: str, sheet: str) -> Cells:
    """Every error value and formula without a result in `sheet`, by 0-based (row, col)."""
    try:
        if fits == ".xls":
            return _xls(data, path, sheet)
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            if fits == ".ods":
                return _ods(_member(zf, "content.xml"), sheet)
            return _xlsx(zf, sheet)
    except Exception:  # a file calamine read but this cannot: nothing more is known
        return {}


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_PART:
        return b""
    with zf.open(info) as fh:
        return fh.read(MAX_PART)


# xlsx -------------------------------------------------------------------------------------

_TAG_ATTR = re.compile(rb'([A-Za-z_:][-\w.:]*)\s*=\s*"([^"]*)"')
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.DOTALL)
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")


def _attrs(text: bytes) -> dict[str, str]:
    """A tag's attributes by full name, and by local name (the first of that name)."""
    out: dict[str, str] = {}
    for k, v in _TAG_ATTR.findall(text):
        key, value = k.decode("ascii", "replace"), html.unescape(v.decode("utf-8", "replace"))
        out[key] = value
        out.setdefault(key.rsplit(":", 1)[-1], value)
    return out


def _xlsx(zf: zipfile.ZipFile, sheet: str) -> Cells:
    book = _member(zf, "xl/workbook.xml")
    rid = next((a.get("id") for a in map(_attrs, _SHEET_TAG.findall(book)) if a.get("name") == sheet), None)
    rels = _member(zf, "xl/_rels/workbook.xml.rels")
    target = next((a.get("Target", "") for a in map(_attrs, _REL_TAG.findall(rels)) if a.get("Id") == rid), "")
    if not rid or not target:
        return {}
    name = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out: Cells = {}
    for head, body in _CELL.findall(_member(zf, name)):
        if not body or (b"<f" not in body and b'"e"' not in head):  # a plain value: most cells
            continue
        a = _attrs(head)
        ref = _REF.fullmatch(a.get("r", "").encode())
        if ref is None:
            continue
        where = _rc(ref.group(1), ref.group(2))
        value = _VALUE.search(body)
        shown = html.unescape(value.group(1).decode("utf-8", "replace")).strip() if value else ""
        if a.get("t") == "e" and shown:
            out[where] = Hidden(HiddenKind.ERROR, shown)
            continue
        formula = _FORMULA.search(body)
        if formula is not None and not shown:
            text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace")).strip()
            out[where] = Hidden(HiddenKind.FORMULA, "=" + text if text else "")
    return out


def _rc(letters: bytes, digits: bytes) -> tuple[int, int]:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return int(digits) - 1, col - 1


# ods --------------------------------------------------------------------------------------

_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>|</text:p>|<text:p\b[^>]*>"
)
_MAX_INDEX = 1 << 20  # rows of a sheet (LibreOffice writes 1,048,576 through repeats)


def _ods(content: bytes, sheet: str) -> Cells:
    start = None
    for m in re.finditer(rb"<table:table\b([^>]*)>", content):
        if _attrs(m.group(1)).get("name") == sheet:
            start = m.end()
            break
    if start is None:
        return {}
    out: Cells = {}
    row, col = -1, 0
    rows_repeat = 1
    current: tuple[list[tuple[int, int]], dict[str, str]] | None = None  # cells of the open cell tag
    text: list[str] = []
    at = start
    for m in _ODS_TAG.finditer(content, start):
        token = m.group(0)
        if token.startswith(b"<text:p"):
            at = m.end()
            continue
        if token == b"</text:p>":
            if current is not None:
                text.append(content[at : m.start()].decode("utf-8", "replace"))
            continue
        closing, kind, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if kind == b"table":
            if closing:
                break
            continue  # a table inside a cell: its rows are not the sheet's
        if kind == b"table-row":
            if closing:
                row += rows_repeat - 1
                continue
            row += 1
            col = 0
            rows_repeat = min(int(_attrs(attrs).get("number-rows-repeated", "1") or 1), _MAX_INDEX)
            if empty:
                row += rows_repeat - 1
            if row > _MAX_INDEX:
                break
            continue
        if closing:  # end of a cell: what it held is now known
            if current is not None:
                _ods_cell(out, current, "".join(text))
            current, text = None, []
            continue
        a = _attrs(attrs)
        repeat = min(int(a.get("number-columns-repeated", "1") or 1), _MAX_INDEX)
        places = [(row + i, col + j) for i in range(min(rows_repeat, 4)) for j in range(min(repeat, 4))]
        col += repeat
        if "formula" in a and kind == b"table-cell":
            if empty:
                _ods_cell(out, (places, a), "")
            else:
                current, text = (places, a), []
    return out


def _ods_cell(out: Cells, cell: tuple[list[tuple[int, int]], dict[str, str]], shown: str) -> None:
    places, a = cell
    if a.get("calcext:value-type") == "error":
        hidden = Hidden(HiddenKind.ERROR, shown.strip() or "#VALUE!")
    elif not any(k in a for k in ("value", "date-value", "time-value", "boolean-value", "string-value")):
        formula = a.get("formula", "")
        hidden = Hidden(HiddenKind.FORMULA, "=" + formula.split(":=", 1)[-1].lstrip("="))
    else:
        return
    for place in places:
        out[place] = hidden


# xls --------------------------------------------------------------------------------------

_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A"}  # fmt: skip


def _xls(data: bytes | None, path: Path, sheet: str) -> Cells:
    with random_access(data, path) as (read_at, size):
        directory = ole_directory(read_at, size)
        if directory is None:
            return {}
        stream = directory.small_stream(read_at, "Workbook", MAX_PART) or directory.small_stream(
            read_at, "Book", MAX_PART
        )
    if not stream:
        return {}
    start = None
    for kind, body in _records(stream, 0):
        if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET8: where the sheet's records start
            (position,) = struct.unpack_from("<I", body, 0)
            if _short_string(body, 6) == sheet:
                start = position
                break
    if start is None:
        return {}
    out: Cells = {}
    for kind, body in _records(stream, start):
        if kind == 0x000A:  # EOF of the sheet
            break
        if kind == 0x0006 and len(body) >= 14:  # FORMULA: an error result sits in its value
            r, c = struct.unpack_from("<HH", body, 0)
            value = body[6:14]
            if value[6:8] == b"\xff\xff" and value[0] == 2:
                out[(r, c)] = Hidden(HiddenKind.ERROR, _BIFF_ERRORS.get(value[2], "#VALUE!"))
        elif kind == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR holding an error
            r, c = struct.unpack_from("<HH", body, 0)
            out[(r, c)] = Hidden(HiddenKind.ERROR, _BIFF_ERRORS.get(body[6], "#VALUE!"))
    return out


def _records(stream: bytes, at: int) -> Iterator[tuple[int, bytes]]:
    end = len(stream)
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        yield kind, stream[at + 4 : at + 4 + length]
        at += 4 + length


def _short_string(body: bytes, at: int) -> str:
    """A BIFF8 ShortXLUnicodeString: length, a flag, then Latin-1 or UTF-16 characters."""
    if at + 2 > len(body):
        return ""
    n, flags = body[at], body[at + 1]
    raw = body[at + 2 : at + 2 + (2 * n if flags & 1 else n)]
    return raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
