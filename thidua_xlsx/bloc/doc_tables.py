"""The tables of a document a bloc already has: every sheet of a workbook (python-calamine) and
every table of a Word file (python-docx), as grids of values.

A merged cell holds its value in its first cell only and leaves the others blank, in Word as
calamine does in a workbook; line breaks inside a cell are kept, so a reader can tell a
criterion's first line from the bullets below it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.intake.sheets import MAX_COLS, MAX_ROWS, open_workbook, read_grid

WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
WORD = ".docx"
MAX_WORD_XML = 64 * 1024**2  # an annex of criteria is well under a megabyte; a bomb is refused unopened


@dataclass(frozen=True, slots=True)
class DocTable:
    """One table: a sheet of a workbook (cells by A1) or the n-th table of a Word file (rows by number)."""

    grid: Grid
    word: bool = False

    @property
    def name(self) -> str:
        return self.grid.name


def read_tables(path: Path) -> list[DocTable]:
    """Every table of the file; ThiduaError when it is not a workbook or Word file that opens."""
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise ThiduaError(f"Tệp {path} là tệp Word 97-2003 (.doc): mở bằng Word hoặc LibreOffice, "
                          "lưu thành .docx rồi chạy lại.")  # fmt: skip
    if suffix not in (*WORKBOOKS, WORD):
        raise ThiduaError(f"Không đọc được bảng tiêu chí trong {path}: cần tệp .xlsx, .xls, .ods hoặc .docx.")
    if not path.is_file():
        raise ThiduaError(f"Không tìm thấy tệp {path}.")
    if suffix == WORD and _declared_size(path) > MAX_WORD_XML:
        raise ThiduaError(f"Tệp {path} quá lớn khi giải nén: không phải một phụ lục tiêu chí.")
    try:
        return _word_tables(path) if suffix == WORD else _sheets(path)
    except Exception as exc:  # python-docx and calamine raise many kinds for a broken file
        raise ThiduaError(f"Không mở được tệp {path}: tệp hỏng, có mật khẩu hoặc không đúng định dạng "
                          f"{suffix} ({str(exc)[:160]}).") from None  # fmt: skip


def _declared_size(path: Path) -> int:
    """What the Word file says it unpacks to (a lie is caught by the reader's memory limit)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # python-docx says what is wrong with it


def _sheets(path: Path) -> list[DocTable]:
    book = open_workbook(path)
    return [DocTable(read_grid(book, name)) for name in book.sheet_names]


def _word_tables(path: Path) -> list[DocTable]:
    import docx  # only this command reads Word
    from docx.oxml.ns import qn

    names = {k: qn(f"w:{k}") for k in ("body", "tbl", "tr", "tc", "p", "t", "tab", "br", "cr", "trPr", "tcPr")}
    body = docx.Document(str(path)).element.find(names["body"])
    tables = [el for el in body.iter(names["tbl"]) if _outermost(el, names["tc"])]
    return [DocTable(Grid(f"bảng {i}", _word_rows(tbl, names, qn)), word=True) for i, tbl in enumerate(tables, 1)]


def _outermost(tbl: Any, tc: str) -> bool:
    """A table inside a table's cell is part of that cell, not a table of the document."""
    return not any(a.tag == tc for a in tbl.iterancestors())


def _word_rows(tbl: Any, names: dict[str, str], qn: Any) -> list[list[object]]:
    val = qn("w:val")
    rows: list[list[object]] = []
    for tr in tbl.iterchildren(names["tr"]):
        if len(rows) >= MAX_ROWS:
            break
        row: list[object] = []
        before = tr.find(f"{names['trPr']}/{qn('w:gridBefore')}")
        row += [None] * _int(before.get(val) if before is not None else None, 0)
        for tc in tr.iterchildren(names["tc"]):
            props = tc.find(names["tcPr"])
            span = props.find(qn("w:gridSpan")) if props is not None else None
            merge = props.find(qn("w:vMerge")) if props is not None else None
            below = merge is not None and merge.get(val, "continue") != "restart"  # covered by the cell above
            row.append(None if below else _cell_text(tc, names))
            row += [None] * (_int(span.get(val) if span is not None else None, 1) - 1)
        rows.append(row[:MAX_COLS])
    return rows


def _int(text: str | None, default: int) -> int:
    try:
        return max(0, min(int(text or default), MAX_COLS))
    except ValueError:
        return default


def _cell_text(tc: Any, names: dict[str, str]) -> str:
    """The cell's paragraphs, one a line; tabs as spaces, line breaks kept."""
    lines = []
    for p in tc.iterchildren(names["p"]):
        parts = []
        for node in p.iter(names["t"], names["tab"], names["br"], names["cr"]):
            if node.tag == names["t"]:
                parts.append(node.text or "")
            else:
                parts.append(" " if node.tag == names["tab"] else "\n")
        lines.append("".join(parts))
    return "\n".join(lines).strip()
