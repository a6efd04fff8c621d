"""Next year's bloc from this year's final ranking (`init --from`, §12).

The final ranking workbook carries the bloc and its results in a hidden sheet ('_khoi'): one
row per item, a tag in column A, then the values as text (exact, whatever office suite saves
the workbook). `carry_rows` writes those rows from the report's parts; `next_year` reads them
back with calamine and makes next year's BlocSpec.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from thidua_xlsx.bloc.spec import BlocSpec, past_row, spec_of
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import Bloc, PastResult
from thidua_xlsx.core.numbers import plain
from thidua_xlsx.core.text import clean
from thidua_xlsx.intake.meta import Metadata, read_metadata
from thidua_xlsx.intake.pool import Failed, Failure, isolated
from thidua_xlsx.intake.sheets import open_workbook, read_grid

CARRY_FORMAT = "1"
TITLE_FIELDS = [*L.TITLE_HEADERS, L.T_BASIS]
# Tags of the rows, and the values after the tag
FORMAT, INFO, UNIT, CRITERION, TITLE, AWARD, HISTORY, RESULT, ELECTED = (
    "format", "info", "unit", "criterion", "title", "award", "history", "result", "elected",
)  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def carry_rows(bloc: Bloc, results: Iterable[PastResult], leader: str | None, deputy: str | None) -> list[list[str]]:
    """The hidden sheet's rows: the bloc as data, this year's results, the elected units."""
    spec = spec_of(bloc)
    rows: list[list[Any]] = [[FORMAT, CARRY_FORMAT]]
    # The template password stays out: this workbook goes to the council.
    rows += [[INFO, key, value] for key, value in spec["info"].items() if key != L.I_PASSWORD]
    rows += [[UNIT, *u] for u in spec["units"]]
    rows += [[CRITERION, *c] for c in spec["criteria"]]
    rows += [[TITLE, *(t.get(f) for f in TITLE_FIELDS)] for t in spec["titles"]]
    rows += [[AWARD, *a] for a in spec["awards"]]
    rows += [[HISTORY, *h] for h in spec["history"]]
    rows += [[RESULT, *past_row(p)] for p in results]
    rows.append([ELECTED, leader, deputy])
    return [[_text(v) for v in row] for row in rows]


@dataclass(frozen=True)
class NextYear:
    """Next year's bloc workbook as data, and what the meeting decided about its leadership."""

    spec: BlocSpec
    year: int
    leader: str  # as elected, else this year's
    deputy: str
    leader_elected: bool
    deputy_elected: bool
    results: int  # rows of this year added to 'Kết quả các năm trước'


@dataclass
class _Sheets:
    meta: Metadata | None = None
    carry: Grid | None = None
    error: str | None = None


def _read(path: Path) -> _Sheets:
    """In a worker: the '_thidua' and '_khoi' sheets of a ranking workbook."""
    out = _Sheets()
    try:
        book = open_workbook(path)
        names = {clean(n): n for n in book.sheet_names}
        if L.SHEET_META in names:
            out.meta = read_metadata(read_grid(book, names[L.SHEET_META]))
        if L.SHEET_CARRY in names:
            out.carry = read_grid(book, names[L.SHEET_CARRY])
    except Exception as exc:  # any broken file: a usage error with its reason
        out.error = str(exc)[:200] or exc.__class__.__name__
    return out


def _failed(path: Path, why: Failed) -> _Sheets:
    if why.kind is Failure.TIMEOUT:
        return _Sheets(error="đọc quá lâu, tệp có thể bị hỏng")
    return _Sheets(error=why.detail or "tệp hỏng hoặc quá lớn")


def next_year(path: Path | str) -> NextYear:
    """Next year's bloc from the final ranking workbook at `path`; ThiduaError saying why not."""
    path = Path(path)
    if not path.is_file():
        raise ThiduaError(f"Không tìm thấy bảng xếp hạng chính thức {path}.")
    sheets = isolated(_read, path, fail=_failed)
    if sheets.error:
        raise ThiduaError(f"Không đọc được bảng xếp hạng {path}: {sheets.error}")
    meta = sheets.meta
    if meta is None or meta.form != L.RANKING_FORM_ID:
        raise ThiduaError(f"{path} không phải bảng xếp hạng do thidua-xlsx tạo (thiếu trang ẩn '{L.SHEET_META}').")
    if meta.get(L.MetaKey.FINAL) != "1":
        raise ThiduaError(
            f"{path} là bảng xếp hạng tạm thời (theo điểm tự chấm, trước khi khối bình xét), không phải kết quả "
            "chính thức: năm sau chỉ bắt đầu từ kết quả chính thức. Sau cuộc họp bình xét, chạy "
            "'thidua-xlsx collect INBOX --review BẢNG_ĐÃ_BÌNH_XÉT.xlsx' rồi dùng tệp xep_hang_<Năm>_chinh_thuc.xlsx "
            "nó ghi cho --from."
        )
    if sheets.carry is None:
        raise ThiduaError(
            f"Bảng xếp hạng chính thức {path} không có trang ẩn '{L.SHEET_CARRY}' (ghi bằng phiên bản cũ): chạy lại "
            "'thidua-xlsx collect INBOX --review …' để ghi lại bảng chính thức."
        )
    data = _decode(sheets.carry, path)
    try:
        return _advance(data)
    except (InvalidOperation, ValueError):
        raise ThiduaError(f"Trang ẩn '{L.SHEET_CARRY}' của {path} có giá trị không đọc được (đã bị sửa?).") from None


def _decode(grid: Grid, path: Path) -> dict[str, Any]:
    rows: dict[str, list[list[str]]] = {}
    for r in range(grid.height):
        tag = grid.text(r, 0)
        if tag:
            width = len(grid.rows[r])
            rows.setdefault(tag, []).append([grid.text(r, c) for c in range(1, max(width, 9))])
    if [row[0] for row in rows.get(FORMAT, [])] != [CARRY_FORMAT] or not rows.get(INFO):
        raise ThiduaError(f"Trang ẩn '{L.SHEET_CARRY}' của {path} không đọc được (đã bị sửa, hoặc của phiên bản khác).")
    try:
        return {
            "info": {row[0]: row[1] for row in rows[INFO]},
            "units": [row[:3] for row in rows.get(UNIT, [])],
            "criteria": [[*row[:2], _dec(row[2]), *row[3:5]] for row in rows.get(CRITERION, [])],
            "titles": [_title(row) for row in rows.get(TITLE, [])],
            "awards": [_award(row) for row in rows.get(AWARD, [])],
            "history": [_past(row) for row in rows.get(HISTORY, [])],
            "results": [_past(row) for row in rows.get(RESULT, [])],
            "elected": (rows.get(ELECTED) or [["", ""]])[0][:2],
        }
    except (InvalidOperation, ValueError, IndexError):
        raise ThiduaError(f"Trang ẩn '{L.SHEET_CARRY}' của {path} có giá trị không đọc được (đã bị sửa?).") from None


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _int(text: str) -> int | None:
    return int(text) if text else None


def _blank(text: str) -> str | None:
    return text or None


def _bound(text: str) -> Decimal | str | None:
    """70 stays a number; '>50' stays as typed."""
    if not text:
        return None
    return text if text[0] in "<>" else Decimal(text)


def _title(row: Sequence[str]) -> dict[str, Any]:
    values = dict(zip(TITLE_FIELDS, row, strict=False))
    out: dict[str, Any] = {key: _blank(values.get(key, "")) for key in TITLE_FIELDS}
    for key in (L.T_LDTT, L.T_CSTD, L.T_KHTNV, L.T_KL):
        out[key] = _bound(values.get(key, ""))
    return out


def _award(row: Sequence[str]) -> list[Any]:
    name, lo, hi, low_total, title, rating, years = row[:7]
    return [name, _int(lo), _int(hi), _dec(low_total), _blank(title), _blank(rating), _int(years)]


def _past(row: Sequence[str]) -> list[Any]:
    year, unit, total, rank, rating, title, award = row[:7]
    return [int(year), unit, _dec(total), _int(rank), _blank(rating), _blank(title), _blank(award)]


_NUMBERS = (L.I_BASE_TOTAL, L.I_LDTT_MIN, L.I_CSTD_TARGET, L.I_VOTE_SHARE)


def _advance(data: dict[str, Any]) -> NextYear:
    """Year + 1, the elected leader and deputy, the deadline a year on, this year's results kept."""
    info: dict[str, Any] = dict(data["info"])
    year = int(info[L.I_YEAR]) + 1
    info[L.I_YEAR] = year
    for key in _NUMBERS:
        info[key] = _dec(info.get(key, ""))
    elected_leader, elected_deputy = data["elected"]
    leader = elected_leader or info.get(L.I_LEADER, "")
    deputy = elected_deputy or info.get(L.I_DEPUTY, "")
    if deputy == leader:  # this year's deputy elected leader, and no deputy elected
        deputy = ""
    info[L.I_LEADER], info[L.I_DEPUTY] = leader, deputy
    deadline = info.get(L.I_DEADLINE, "")
    if deadline:  # written by spec_of as dd/mm/yyyy
        day = dt.datetime.strptime(deadline, "%d/%m/%Y").date()
        info[L.I_DEADLINE] = _a_year_on(day).strftime("%d/%m/%Y")
    spec: BlocSpec = {key: data[key] for key in ("units", "criteria", "titles", "awards")}
    spec["info"] = info
    spec["history"] = data["history"] + data["results"]
    return NextYear(
        spec=spec,
        year=year,
        leader=leader,
        deputy=deputy,
        leader_elected=bool(elected_leader),
        deputy_elected=bool(elected_deputy),
        results=len(data["results"]),
    )


def _a_year_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29/02 → 28/02
        return day.replace(year=day.year + 1, day=28)
