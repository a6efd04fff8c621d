"""End to end: bloc → templates → filled as units would → collect → JSON and ranking workbook."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from helpers import GOOD_DATA, fill, make_bloc, make_templates, spec
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from thidua_xlsx.core import labels as L
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.json_report import write_json
from thidua_xlsx.writers.ranking_book import write_ranking

HOSTILE_NAME = '=HYPERLINK("http://example.com","Phòng Hải")'
CRITERIA = [
    ["1", "Thực hiện nhiệm vụ", None, "điểm", ""],
    ["1.1", "Tham mưu", 40, "", ""],
    ["1.2", "Cải cách hành chính", 40, "", ""],
    ["1.3", "Đơn thư", 20, "", ""],
    ["2", "Điểm thưởng", None, "thưởng", ""],
    ["2.1", "Bằng khen của cấp trên", 5, "", ""],
    ["3", "Điểm trừ", None, "trừ", ""],
    ["3.1", "Báo cáo chậm", 5, "", ""],
]
UNITS = [["A", "Phòng An", ""], ["B", "Phòng Ân", ""], ["C", "Phòng Bình", ""], ["D", "Phòng Dương", ""]]
UNITS += [["E", HOSTILE_NAME, ""]]
PLANS = {
    "A": {"1.1": 36.6, "1.2": 33.4, "1.3": 20, "2.1": 3.3, "3.1": 3.3},  # 90 + 3.3 - 3.3 = 90
    "B": {"1.1": 40, "1.2": 30, "1.3": 20, "2.1": 0, "3.1": 0},  # 90: a real tie with A
    "C": {"1.1": 30, "1.2": 30.25, "1.3": 15, "2.1": 2, "3.1": 0.5},  # 75.25 + 2 - 0.5 = 76.75
    "E": {"1.1": 41, "1.2": 30, "1.3": 15, "2.1": 0, "3.1": 0},  # 41 > 40: an error
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("e2e")
    bloc_spec = spec(info={"Khối trưởng": "A", "Tổng điểm chuẩn": 100}, units=UNITS, criteria=CRITERIA)
    _, bloc = make_bloc(tmp, bloc_spec)
    templates = make_templates(bloc, tmp / "mau")
    inbox = tmp / "inbox"
    for code, scores in PLANS.items():
        fill(templates[code], inbox / f"{code}.xlsx", scores, GOOD_DATA)
    report = collect(inbox, bloc, shown_as="hop-thu")
    write_ranking(report, tmp / "xh.xlsx")
    write_json(report, tmp / "r.json")
    return {"report": report, "tmp": tmp, "bloc": bloc}


def test_json_report_shape_and_numbers(run) -> None:
    doc = json.loads((run["tmp"] / "r.json").read_text(encoding="utf-8"))
    assert list(doc) == ["schema", "bloc", "units", "issues", "files"]
    assert doc["schema"] == "thidua-xlsx/report@1" and doc["bloc"]["year"] == run["bloc"].info.year
    units = {u["code"]: u for u in doc["units"]}
    keys = ["code", "name", "status", "file", "base", "bonus", "deduction", "total", "rank", "tie", "rating",
            "targets_met", "eligible", "proposal", "note", "documents"]  # fmt: skip
    assert all(list(u) == keys for u in doc["units"])
    assert [u["code"] for u in doc["units"]] == ["A", "B", "C", "E", "D"]  # ranked, errors, missing
    a, b, c = units["A"], units["B"], units["C"]
    assert (a["base"], a["bonus"], a["deduction"], a["total"]) == (90, 3.3, 3.3, 90)
    assert (a["rank"], a["tie"], b["rank"], b["tie"]) == (1, True, 1, True)
    assert (c["total"], c["rank"], c["tie"]) == (76.75, 3, False)
    assert units["E"]["status"] == "error" and units["E"]["rank"] is None and units["E"]["total"] is None
    assert units["D"]["status"] == "missing" and units["D"]["file"] is None
    assert a["file"] == "hop-thu/A.xlsx"
    assert set(a["targets_met"]) == {"ldtt", "cstd", "unit_rating", "party_rating"}
    assert set(a["eligible"]) == {"Tập thể lao động xuất sắc", "Tập thể lao động tiên tiến"}
    err = [i for i in doc["issues"] if i["unit"] == "E" and i["severity"] == "error"]
    assert [(i["code"], i["sheet"], i["cell"]) for i in err] == [("score-above-max", "Tự chấm điểm", err[0]["cell"])]
    assert sorted(f["path"] for f in doc["files"]) == [f"hop-thu/{c}.xlsx" for c in "ABCE"]
    assert json.loads(run["report"].to_json()) == doc  # the library's report is the JSON


def test_ties_are_listed_in_vietnamese_order(run) -> None:
    ranked = [u.name for u in run["report"].units if u.rank == 1]
    assert ranked == ["Phòng An", "Phòng Ân"]  # a < â


def test_ranking_workbook_sheets_and_rows(run) -> None:
    wb = openpyxl.load_workbook(run["tmp"] / "xh.xlsx")
    assert wb.sheetnames[: len(L.RANKING_SHEETS)] == list(L.RANKING_SHEETS)
    assert wb["_thidua"].sheet_state == "hidden"
    ws = wb[L.R_RANKING]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "STT")
    labels = [ws.cell(header, c).value for c in range(1, 12)]
    assert labels == ["STT", "Hạng", "Mã đơn vị", "Tên đơn vị", "Điểm chuẩn", "Điểm thưởng", "Điểm trừ",
                      "Tổng điểm", "Xếp loại đơn vị", "Đề nghị khen thưởng", "Ghi chú"]  # fmt: skip
    first = [ws.cell(header + 1, c).value for c in range(1, 9)]
    assert first[2:4] == ["A", "Phòng An"] and first[7] == 90
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # One page wide at a fixed scale (under "fit to width" Excel would drop the planned page breaks).
    # (that it really prints one page wide is checked in LibreOffice: test_ranking_libreoffice.py)
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and 50 <= int(ws.page_setup.scale) < 100
    assert ws._charts, "the ranking sheet carries a chart of totals"
    assert {c.font.name for row in ws.iter_rows(min_row=header, max_row=header + 3) for c in row} == {"Times New Roman"}


def test_text_from_returns_is_written_as_text(run) -> None:
    wb = openpyxl.load_workbook(run["tmp"] / "xh.xlsx")
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == HOSTILE_NAME:
                    found.append(ws.title)
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    # the only formulas are the review sheets' own live sums and lookups
                    ours = ws.title in (L.R_REVIEW, L.R_ADJUST) and cell.value.startswith(("=IF(", "=COUNTIF("))
                    assert ours and "HYPERLINK" not in cell.value, f"{ws.title}!{cell.coordinate}: {cell.value}"
    assert {L.R_RANKING, L.R_SUBMISSIONS, L.R_REVIEW} <= set(found)


def test_detail_names_source_files_and_checks_are_filterable(run) -> None:
    wb = openpyxl.load_workbook(run["tmp"] / "xh.xlsx")
    ws = wb[L.R_DETAIL]
    values = [c.value for row in ws.iter_rows(max_row=10) for c in row]
    assert "hop-thu/A.xlsx" in values and "hop-thu/E.xlsx" in values
    checks = wb[L.R_CHECKS]
    assert checks.auto_filter.ref
    rows = [[c.value for c in row] for row in checks.iter_rows()]
    header = rows.index(["Mức độ", "Mã lỗi", "Đơn vị", "Tệp", "Trang tính", "Ô", "Nội dung"])
    codes = {r[1] for r in rows[header + 1 :]}
    assert {"score-above-max", "unit-missing"} <= codes
    subs = wb[L.R_SUBMISSIONS]
    by_code: dict = {}
    for r in subs.iter_rows(values_only=True):  # the units table comes first, then every file
        if r and r[1] in ("A", "B", "C", "D", "E"):
            by_code.setdefault(r[1], r)
    assert by_code["D"][3] == "Chưa" and by_code["A"][3] == "Có" and by_code["A"][4] == "hop-thu/A.xlsx"


def test_exact_totals_in_the_detail(run) -> None:
    report = run["report"]
    c = next(u for u in report.units if u.code == "C")
    assert c.base == Decimal("75.25") and c.bonus == Decimal(2) and c.deduction == Decimal("0.5")
    assert c.total == Decimal("76.75")


def test_output_is_never_written_into_the_inbox(run) -> None:
    inbox: Path = run["tmp"] / "inbox"
    assert sorted(p.name for p in inbox.iterdir()) == ["A.xlsx", "B.xlsx", "C.xlsx", "E.xlsx"]


def test_a_bloc_wider_than_a_sheet_continues_on_further_detail_sheets(run, monkeypatch, tmp_path) -> None:
    import thidua_xlsx.writers.ranking_sheets as sheets

    monkeypatch.setattr(sheets, "MAX_UNIT_COLUMNS", 2)  # stands for Excel's 16,384 columns
    write_ranking(run["report"], tmp_path / "xh.xlsx")
    names = openpyxl.load_workbook(tmp_path / "xh.xlsx").sheetnames
    n = len(L.RANKING_SHEETS)
    assert names[:n] == list(L.RANKING_SHEETS) and names[n:] == ["Chi tiết điểm (2)", "_danh_muc", "_thidua"]


def _sheet_xml(path: Path) -> dict[str, str]:
    """Sheet name → its worksheet XML, from the workbook's own relationships."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheets = ET.fromstring(z.read("xl/workbook.xml")).iter(f"{main}sheet")
        return {s.get("name"): z.read("xl/" + targets[s.get(rel)]).decode() for s in sheets}


def _cells_in_order(xml: str, sheet: str) -> None:
    """Rows ascending, cells ascending within each row: what Excel reads without a repair prompt."""
    last_row = 0
    for row, body in re.findall(r'<row r="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', xml):
        assert int(row) > last_row, f"{sheet}: row {row} after {last_row}"
        last_row, last_col = int(row), 0
        for ref in re.findall(r'<c r="([A-Z]+\d+)"', body):
            letters, number = coordinate_from_string(ref)
            col = column_index_from_string(letters)
            assert number == last_row and col > last_col, f"{sheet}: {ref} in row {row} after column {last_col}"
            last_col = col


@pytest.mark.parametrize("split", [False, True])
def test_sheets_that_grow_with_the_bloc_are_written_in_row_order(run, monkeypatch, tmp_path, split) -> None:
    import thidua_xlsx.writers.ranking_sheets as sheets

    if split:
        monkeypatch.setattr(sheets, "MAX_UNIT_COLUMNS", 2)
    path = write_ranking(run["report"], tmp_path / "xh.xlsx")
    xml = _sheet_xml(path)
    for name, body in xml.items():
        _cells_in_order(body, name)
    # The detail carries its numbers, its error flag and its grown header row.
    ws = openpyxl.load_workbook(path)[L.R_DETAIL]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    cols = {ws.cell(rows["Mã đơn vị"], c).value: c for c in range(4, ws.max_column + 1)}
    assert ws.cell(rows[L.TOTAL], cols["A"]).value == 90
    if not split:
        assert ws.cell(rows[L.TOTAL], cols["C"]).value == 76.75
        flagged = ws.cell(rows["1.1"], cols["E"])
        assert flagged.value is None and flagged.fill.fgColor.rgb.endswith("FFC7CE")  # 41 > 40: no valid score
        assert ws.row_dimensions[rows["Mã đơn vị"] + 1].height > 15  # names wrap: 'HYPERLINK…' is long
    # 'Số cảnh báo' and 'Được dùng' wrap: their header rows are two lines high.
    subs = openpyxl.load_workbook(path)[L.R_SUBMISSIONS]
    head = next(r for r in range(1, subs.max_row + 1) if subs.cell(r, 1).value == "STT")
    assert subs.cell(head, 10).value == "Số cảnh báo" and subs.row_dimensions[head].height >= 2 * 14
    other = next((r for r in range(head + 1, subs.max_row + 1) if subs.cell(r, 1).value == "STT"), None)
    if run["report"].files and not all(f.used for f in run["report"].files):
        assert subs.cell(other, 4).value == "Được dùng" and subs.row_dimensions[other].height >= 2 * 14
    else:  # no other file: no table of them, not even its header
        assert other is None
