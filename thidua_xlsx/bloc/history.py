"""The bloc's memory: the optional sheet 'Kết quả các năm trước' (§12), one unit-year a row."""

from __future__ import annotations

from thidua_xlsx.bloc.table import BlocTable
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import Problem
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import PastResult, TitleRule, Unit
from thidua_xlsx.core.ratings import RATING_LABELS, parse_rating
from thidua_xlsx.core.text import fold

EARLIEST = 1900


def read_history(
    grid: Grid,
    problems: list[Problem],
    units: tuple[Unit, ...] | None,
    titles: tuple[TitleRule, ...] | None,
    year: int | None,
) -> tuple[PastResult, ...]:
    """Earlier years' results, checked like every other sheet: each problem at its cell.

    `units` None or `titles` None: that sheet could not be read whole, so codes or titles are
    not checked against it; `year` None or 0: the year scored is unknown, so years are checked
    only as years.
    """
    s = BlocTable(grid, L.HISTORY_HEADERS, problems)
    codes = {u.code.upper(): u.code for u in units or ()}
    names = {fold(t.name): t.name for t in titles or ()}
    out: list[PastResult] = []
    seen: dict[tuple[int, str], str] = {}
    for r in s.rows():
        row_problems = len(problems)
        when = s.whole(r, L.H_YEAR, minimum=EARLIEST)
        if when is None and not s.text(r, L.H_YEAR):
            s.add(s.cell(r, L.H_YEAR), "chưa nhập năm của kết quả.")
        elif when is not None and year and when >= year:
            s.add(s.cell(r, L.H_YEAR), f"năm {when} không phải năm trước năm {year} đang chấm: trang này chỉ "
                  "ghi kết quả các năm trước.")  # fmt: skip
        typed = s.text(r, L.H_UNIT)
        code = codes.get(typed.upper())
        if not typed:
            s.add(s.cell(r, L.H_UNIT), "chưa nhập mã đơn vị.")
        elif code is None and units is not None:
            s.add(s.cell(r, L.H_UNIT), f"mã đơn vị \"{typed}\" không có trong trang 'Đơn vị' (xóa dòng của đơn "
                  "vị không còn trong khối, hoặc các dòng ví dụ).")  # fmt: skip
        total = s.number(r, L.H_TOTAL, required=False)
        rank = s.whole(r, L.H_RANK, minimum=1)
        rating_text = s.text(r, L.H_RATING)
        rating = parse_rating(rating_text) if rating_text else None
        if rating_text and rating is None:
            s.add(s.cell(r, L.H_RATING), f"xếp loại \"{rating_text}\" không hợp lệ: dùng một trong "
                  + "; ".join(RATING_LABELS) + " (hoặc HTXSNV, HTTNV, HTNV, KHTNV).")  # fmt: skip
        title_text = s.text(r, L.H_TITLE)
        title = names.get(fold(title_text)) if title_text else None
        if title_text and title is None and titles is not None:
            s.add(s.cell(r, L.H_TITLE), f"danh hiệu \"{title_text}\" không có trong trang 'Danh hiệu'.")
        if when is not None and code is not None:
            first = seen.get((when, code))
            if first is not None:
                s.add(s.cell(r, L.H_UNIT), f"đơn vị {code} có hai dòng kết quả năm {when} (dòng kia ở ô {first}); "
                      "giữ một dòng.")  # fmt: skip
                continue
            seen[(when, code)] = s.cell(r, L.H_UNIT)
        if len(problems) == row_problems and when is not None and code is not None:
            award = s.text(r, L.H_AWARD)
            out.append(PastResult(when, code, total, rank, rating, title, award, row=r + 1))
    out.sort(key=lambda p: p.year)  # stable: a year's rows keep the sheet's order
    return tuple(out)
