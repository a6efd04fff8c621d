"""The ranking workbook as printed (PRODUCT.md §7): on 'Xếp hạng' the chart of totals sits above
the signatures, which close the document, and its value axis starts at zero; the page plan read
back from the written file never leaves the signatures alone on a page; 'Tình hình nộp' has no
empty table."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.model import Unit
from thidua_xlsx.core.report import Meeting, Report, Status
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.pages import DEFAULT_ROW_PT, page_capacity
from thidua_xlsx.writers.ranking_book import CHART_SHEET, write_ranking


@pytest.fixture(scope="module")
def samples() -> Report:
    """The samples' report: 14 ranked units, one with errors, one missing; other files in the inbox."""
    return collect(SAMPLES / "inbox", load_bloc(SAMPLES / "khoi.xlsx"), shown_as="inbox")


def grown(report: Report, n: int, *, final: bool = False) -> Report:
    """The samples' report with n ranked units (copies of the samples' ranked ones), the two
    unranked ones after them; `final`: as after a meeting, with votes."""
    ranked = [u for u in report.units if u.status is Status.RANKED]
    units = []
    for i in range(n):
        u = ranked[i % len(ranked)]
        units.append(replace(u, code=f"D{i:04d}", name=f"{u.name} {i}", rank=i + 1, tie=False, needs_vote=False,
                             votes=3))  # fmt: skip
    everyone = (*units, *(u for u in report.units if u.status is not Status.RANKED))
    bloc = replace(report.bloc, units=tuple(Unit(u.code, u.name) for u in everyone))
    out = replace(report, units=everyone, bloc=bloc)
    if final:
        out = replace(
            out, final=True, meeting=Meeting(present=tuple(u.code for u in units[:5]), next_leader=units[0].code)
        )
    return out


def heights(ws) -> dict[int, float]:
    """Row heights (points) as written, by 0-based row; rows never sized print at the default."""
    return {r - 1: d.height for r, d in ws.row_dimensions.items() if d.height}


def last_print_row(ws) -> int:
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    return int(re.findall(r"\$(\d+)", area)[-1]) - 1


def chart_anchor(path: Path) -> tuple[int, int] | None:
    """First and last row (0-based) of the chart drawn on 'Xếp hạng' (the first sheet), if any."""
    with zipfile.ZipFile(path) as z:
        if "xl/worksheets/_rels/sheet1.xml.rels" not in z.namelist():
            return None
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        drawing = re.search(r'Target="\.\./(drawings/drawing\d+\.xml)"', rels)
        if drawing is None:
            return None
        xml = z.read("xl/" + drawing.group(1)).decode()
    rows = [int(x) for x in re.findall(r"<xdr:row>(\d+)</xdr:row>", xml)]
    return rows[0], rows[1]


def chart_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/charts/chart1.xml").decode()


def find_row(ws, text: str) -> int:
    """0-based row of the first cell holding exactly `text`."""
    return next(c.row - 1 for row in ws.iter_rows() for c in row if c.value == text)


def pages(ws) -> list[range]:
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    edges = [0, *breaks, last_print_row(ws) + 1]
    return [range(a, b) for a, b in pairwise(edges)]


def check_the_plan(ws, *, header: int, signature_first: int, content_rows: set[int]) -> None:
    """No page overflows at the written scale, and the page where the signatures start also
    holds some content above them (a row of the table, or the chart)."""
    rows = heights(ws)
    capacity = page_capacity(ws.page_setup.scale)
    for page in pages(ws):
        top = rows.get(header, DEFAULT_ROW_PT) if page.start > header else 0
        used = top + sum(rows.get(r, DEFAULT_ROW_PT) for r in page)
        assert used <= capacity or len(page) == 1, (page, used, capacity)
    signed = next(p for p in pages(ws) if signature_first in p)
    assert any(r in content_rows for r in signed if r < signature_first), (signed, signature_first)


@pytest.mark.parametrize("n", [1, 3, 14, 25, 60])
def test_the_chart_sits_above_the_signatures_which_close_the_page(samples, tmp_path, n) -> None:
    path = write_ranking(grown(samples, n), tmp_path / "xh.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[L.R_RANKING]
    head = find_row(ws, "Tên đơn vị")
    date = next(c.row - 1 for row in ws.iter_rows() for c in row if str(c.value).startswith("Ý Yên, ngày"))
    signer = find_row(ws, "Nguyễn Hữu Hợp")
    assert last_print_row(ws) == signer  # the signature block closes the printed document
    anchor = chart_anchor(path)
    codes = {c.row - 1 for c in ws["C"] if isinstance(c.value, str) and re.fullmatch(r"D\d{4}|TNMT|PTQD", c.value)}
    if anchor is not None:  # on the sheet: above the date line, below the table
        assert max(codes) < anchor[0] and anchor[1] < date
        assert CHART_SHEET not in wb.sheetnames
        content = codes | set(range(anchor[0], anchor[1] + 1))
    else:  # too tall to share a page with the signatures: on its own sheet, after every other
        assert n > 20 and wb.sheetnames[-1] == CHART_SHEET
        content = codes
    check_the_plan(ws, header=head, signature_first=date, content_rows=content)
    assert '<c:min val="0"/>' in chart_xml(path)  # bars from zero
    assert ws.page_setup.scale >= 80  # 11-point text prints at 9 points or more


def test_the_minutes_never_leave_the_signatures_alone(samples, tmp_path) -> None:
    for n in (3, 14, 30, 60):
        path = write_ranking(grown(samples, n, final=True), tmp_path / f"xh{n}.xlsx")
        ws = openpyxl.load_workbook(path)[L.R_MINUTES]
        head = next(c.row - 1 for c in ws["A"] if c.value == "Hạng")
        codes = {c.row - 1 for c in ws["B"] if isinstance(c.value, str) and c.value.startswith("D")}
        last_section = next(
            c.row - 1 for row in ws.iter_rows() for c in row if str(c.value).startswith("Biên bản được lập")
        )
        sign = find_row(ws, "THƯ KÝ")
        assert last_print_row(ws) >= sign
        check_the_plan(ws, header=head, signature_first=sign, content_rows=codes | {last_section})


def test_scores_display_whole_numbers_without_a_separator(samples, tmp_path) -> None:
    path = write_ranking(samples, tmp_path / "xh.xlsx")
    ws = openpyxl.load_workbook(path)[L.R_RANKING]
    head = find_row(ws, "Tên đơn vị")
    cols = {c.value: c.column for c in ws[head + 1] if c.value}
    for label in ("Điểm chuẩn", "Điểm thưởng", "Điểm trừ", "Tổng điểm"):
        cells = [ws.cell(r, cols[label]) for r in range(head + 2, head + 16)]
        assert any(isinstance(c.value, int | float) and float(c.value).is_integer() for c in cells), label
        assert {c.number_format for c in cells} == {"General"}, label


def test_no_empty_table_of_other_files(samples, tmp_path) -> None:
    report = samples
    others = [f for f in report.files if not f.used]
    assert others  # the samples have some: their table has a header
    ws = openpyxl.load_workbook(write_ranking(report, tmp_path / "a.xlsx"))[L.R_SUBMISSIONS]
    assert [c.value for row in ws.iter_rows() for c in row].count("STT") == 2
    report = replace(report, files=tuple(f for f in report.files if f.used))
    ws = openpyxl.load_workbook(write_ranking(report, tmp_path / "b.xlsx"))[L.R_SUBMISSIONS]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values.count("STT") == 1  # the units' table only
    assert values[-1] == "Không có tệp nào khác trong thư mục."  # and nothing after it
