"""What every workbook the tool writes shares: Times New Roman as the default font, and text kept
as text (a string that looks like a formula, a number or a link is written as typed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES, make_bloc, make_templates, spec

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.ranking_book import write_ranking

# Text a unit or a bloc leader may type that a careless writer turns into a formula or a number.
TRICKY = ['=HYPERLINK("http://example.com","Phòng Hải")', "+1", "-", "0012"]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """khoi.xlsx with tricky unit names, a template with tricky criterion texts, and a ranking
    with tricky unit names."""
    tmp = tmp_path_factory.mktemp("writers")
    units = [[f"U{i}", name, ""] for i, name in enumerate(TRICKY)]
    criteria = [["1", "Nhiệm vụ", None, "điểm", ""]]
    criteria += [[f"1.{i + 1}", text, 25, "", ""] for i, text in enumerate(TRICKY)]
    khoi, bloc = make_bloc(tmp / "khoi", spec(units=units, criteria=criteria, info={"Khối trưởng": "U0"}))
    template = make_templates(bloc, tmp / "mau", units=["U1"])["U1"]
    report = collect(SAMPLES / "inbox", load_bloc(SAMPLES / "khoi.xlsx"), shown_as="inbox")
    named = [replace(u, name=name) for u, name in zip(report.units, TRICKY, strict=False)]
    report = replace(report, units=(*named, *report.units[len(named) :]))
    ranking = write_ranking(report, tmp / "xep_hang.xlsx")
    return {"khoi": khoi, "template": template, "ranking": ranking}


# workbook, sheet holding the tricky texts, default font size
WORKBOOKS = [("khoi", L.SHEET_UNITS, 12), ("template", L.SHEET_SCORES, 12), ("ranking", L.R_RANKING, 12)]


@pytest.mark.parametrize(("which", "sheet", "size"), WORKBOOKS)
def test_default_font_is_times_new_roman(books, which, sheet, size) -> None:
    wb = openpyxl.load_workbook(books[which])
    for ws in wb.worksheets:
        blank = ws.cell(ws.max_row + 20, ws.max_column + 5)  # never written: the workbook's default
        assert (blank.font.name, blank.font.sz) == ("Times New Roman", size), ws.title


@pytest.mark.parametrize(("which", "sheet", "size"), WORKBOOKS)
def test_text_that_looks_like_a_formula_or_a_number_stays_text(books, which, sheet, size) -> None:
    ws = openpyxl.load_workbook(books[which])[sheet]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value in TRICKY}
    assert set(cells) == set(TRICKY), sorted(map(str, cells))
    for text, cell in cells.items():
        assert cell.data_type == "s" and cell.value == text, (cell.coordinate, cell.data_type, cell.value)


def test_maxima_in_khoi_show_as_typed(books) -> None:
    ws = openpyxl.load_workbook(books["khoi"])[L.SHEET_CRITERIA]
    head = next(c.row for c in ws["A"] if c.value == L.C_CODE)
    col = 1 + L.CRITERIA_HEADERS.index(L.C_MAX)
    cells = [ws.cell(r, col) for r in range(head + 1, ws.max_row + 1) if isinstance(ws.cell(r, col).value, int | float)]
    assert cells and {c.number_format for c in cells} == {"General"}  # "0.##" shows 25 as "25." in Excel
