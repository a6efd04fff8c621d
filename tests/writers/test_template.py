"""The unit template (PRODUCT.md §4): structure, protection, validation, print setup, file
names, the `templates` command, and a fill → read round trip with exact decimal totals."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import EXPECTED_90, GOOD_DATA, PLAN_90, fill, find_header, make_bloc, make_templates, read, spec
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter, range_boundaries

from thidua_xlsx import __version__
from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.model import Kind
from thidua_xlsx.core.ratings import RATING_LABELS
from thidua_xlsx.core.text import slug
from thidua_xlsx.intake.returns import Evidence
from thidua_xlsx.writers.style import INPUT_FILL
from thidua_xlsx.writers.template import template_name

VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)
REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")

# A plan for the default bloc: base 88.5, bonus 2, deduction 0.5, total 90.


@pytest.fixture(scope="module")
def book(default_templates) -> openpyxl.Workbook:
    return openpyxl.load_workbook(default_templates["VHTT"])


@pytest.fixture(scope="module")
def rows(book) -> dict[str, int]:
    """Criterion code → 1-based row of 'Tự chấm điểm', found by the code in 'Mã'."""
    ws = book[L.SHEET_SCORES]
    head, _ = find_header(ws, L.SCORE_HEADERS)
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        if ws.cell(r, 1).value is None:  # the table ends at its first row without a code
            return out
        out[ws.cell(r, 1).value] = r
    return out


def totals_rows(ws, after: int) -> dict[str, int]:
    """Totals label (in 'Nội dung tiêu chí') → row, below the table that ends at row `after`."""
    found = range(after + 1, ws.max_row + 1)
    return {ws.cell(r, 2).value: r for r in found if ws.cell(r, 2).value in L.TOTAL_LABELS}


def cells_of(formula: str, column: str = "D") -> set[str]:
    """Every cell of `column` a formula refers to, ranges expanded."""
    out = set()
    for c1, r1, _, r2 in REF.findall(formula):
        if c1 != column:
            continue
        for r in range(int(r1), int(r2 or r1) + 1):
            out.add(f"{c1}{r}")
    return out


def sqref_cells(sqref) -> set[str]:
    out = set()
    for part in str(sqref).split():
        lo_c, lo_r, hi_c, hi_r = range_boundaries(part)
        for r in range(lo_r, hi_r + 1):
            for c in range(lo_c, hi_c + 1):
                out.add(f"{get_column_letter(c)}{r}")
    return out


# Structure --------------------------------------------------------------------------------


def test_sheets_in_order_opening_on_scores(book) -> None:
    assert book.sheetnames == [L.SHEET_SCORES, L.SHEET_DATA, L.SHEET_GUIDE, L.SHEET_META]
    assert book.active.title == L.SHEET_SCORES
    states = {ws.title: ws.sheet_state for ws in book.worksheets}
    assert states == {
        L.SHEET_SCORES: "visible",
        L.SHEET_DATA: "visible",
        L.SHEET_GUIDE: "visible",
        L.SHEET_META: "hidden",
    }


def test_metadata_of_every_template(default_bloc, default_templates) -> None:
    _, bloc = default_bloc
    assert set(default_templates) == set(bloc.unit_by_code)
    for code, path in default_templates.items():
        ws = openpyxl.load_workbook(path, read_only=True)[L.SHEET_META]
        pairs = [(k, v) for k, v in ws.iter_rows(values_only=True)]
        assert [k for k, _ in pairs] == list(L.META_KEYS)
        meta = dict(pairs)
        unit = bloc.unit_by_code[code]
        assert meta["form"] == L.FORM_ID == "thidua-xlsx/tu-cham-diem"
        assert meta["format_version"] == L.FORMAT_VERSION
        assert (meta["bloc"], meta["year"]) == (bloc.info.name, bloc.info.year)
        assert (meta["unit_code"], meta["unit_name"]) == (unit.code, unit.name)
        assert meta["fingerprint"] == bloc.fingerprint
        assert meta["tool_version"] == __version__
        assert dt.datetime.fromisoformat(meta["generated_at"]).tzinfo is not None


def test_fingerprint_follows_the_scoring_scheme(default_bloc, tmp_path) -> None:
    """Maxima change it (a return of the old scheme is then recognised); wording does not."""
    base = default_bloc[1].fingerprint
    criteria = spec()["criteria"]
    reworded = [[*row[:1], row[1] + " (sửa câu chữ)", *row[2:]] for row in criteria]
    assert make_bloc(tmp_path / "a", spec(criteria=reworded))[1].fingerprint == base
    new_max = {"1.1": 14, "1.2": 11}
    moved = [[*row[:2], new_max.get(row[0], row[2]), *row[3:]] for row in criteria]
    assert make_bloc(tmp_path / "b", spec(criteria=moved))[1].fingerprint != base


def test_score_table_header_is_exact_and_contiguous(book) -> None:
    ws = book[L.SHEET_SCORES]
    head, cols = find_header(ws, L.SCORE_HEADERS)
    first = cols[L.S_CODE]
    assert [ws.cell(head, first + i).value for i in range(5)] == L.SCORE_HEADERS
    assert head == min(r for r in range(1, 30) if ws.cell(r, first).value == L.S_CODE)


def test_every_criterion_is_a_row_with_its_code_as_text(book, rows, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    assert list(rows) == [c.code for c in bloc.criteria]
    for crit in bloc.criteria:
        r = rows[crit.code]
        assert ws.cell(r, 1).data_type == "s" and ws.cell(r, 1).value == crit.code
        assert ws.cell(r, 2).value == crit.text
        assert Decimal(str(ws.cell(r, 3).value)) == crit.max
    assert list(rows).index("1.1") < list(rows).index("1.2")


def test_sections_and_totals_are_live_formulas_over_the_right_cells(book, rows, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    for crit in bloc.criteria:
        cell = ws.cell(rows[crit.code], 4)
        if crit.is_leaf:
            assert cell.value is None
        else:
            kids = {f"D{rows[k.code]}" for k in bloc.children(crit.code)}
            assert isinstance(cell.value, str) and cell.value.startswith("="), crit.code
            assert cells_of(cell.value) == kids, (crit.code, cell.value)
    tot = totals_rows(ws, max(rows.values()))
    assert list(tot) == list(L.TOTAL_LABELS)
    kinds = {L.TOTAL_BASE: Kind.BASE, L.TOTAL_BONUS: Kind.BONUS, L.TOTAL_DEDUCTION: Kind.DEDUCTION}
    for label, kind in kinds.items():
        formula = ws.cell(tot[label], 4).value
        assert formula.startswith("=SUM(")
        assert cells_of(formula) == {f"D{rows[c.code]}" for c in bloc.leaves if c.kind is kind}, label
        assert Decimal(str(ws.cell(tot[label], 3).value)) == bloc.kind_max(kind)
    grand = ws.cell(tot[L.TOTAL], 4).value.replace("$", "")
    base, bonus, ded = (f"D{tot[x]}" for x in (L.TOTAL_BASE, L.TOTAL_BONUS, L.TOTAL_DEDUCTION))
    assert grand == f"={base}+{bonus}-{ded}"


def _sheet_xml(path: Path) -> dict[str, str]:
    """Sheet name → its XML, resolved through workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets |= {k: v for v, k in re.findall(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
        out = {}
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"[^>]*r:id="([^"]+)"', workbook):
            target = targets[rid].lstrip("/")
            member = target if target.startswith("xl/") else str(PurePosixPath("xl") / target)
            out[name] = z.read(member).decode()
        return out


def test_formulas_have_empty_cached_results(default_templates) -> None:
    """LibreOffice shows a cached 0 until edited: every formula's <v> is absent or empty."""
    xml = _sheet_xml(default_templates["VHTT"])
    assert set(xml) == {L.SHEET_SCORES, L.SHEET_DATA, L.SHEET_GUIDE, L.SHEET_META}
    formulas = re.findall(r"<c [^>]*>(<f>.*?</f>.*?)</c>", xml[L.SHEET_SCORES])
    assert len(formulas) >= 7 + 4 + 1  # sections, totals, status
    for body in formulas:
        cached = re.search(r"<v>(.*?)</v>", body)
        assert cached is None or cached.group(1) == "", body[:120]
    for name, text in xml.items():
        for body in re.findall(r"<c [^>]*>(<f>.*?</f>.*?)</c>", text):
            assert re.search(r"<v>[^<]", body) is None, (name, body[:120])


def test_formulas_fit_in_excel(tmp_path) -> None:
    """A big bloc (20 sections of 10 criteria): no formula passes Excel's 8,192 characters."""
    criteria = []
    for s in range(1, 21):
        criteria.append([str(s), f"Mục {s}", None, "điểm" if s < 19 else "thưởng" if s == 19 else "trừ", ""])
        criteria += [[f"{s}.{i}", f"Tiêu chí {s}.{i}", 1, "", ""] for i in range(1, 11)]
    _, bloc = make_bloc(tmp_path, spec(criteria=criteria, info={"Tổng điểm chuẩn": 180}))
    path = make_templates(bloc, tmp_path / "mau", units=["VHTT"])["VHTT"]
    ws = openpyxl.load_workbook(path)[L.SHEET_SCORES]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    assert len(formulas) == 20 + 4 + 1
    assert max(len(f) for f in formulas) < 8192
    status = next(f for f in formulas if "Tình trạng" in f)
    assert "200/200" in status and "không hợp lệ" in status


def test_only_inputs_are_unlocked(book, rows, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    assert ws.protection.sheet and not ws.protection.password
    leaf_rows = {rows[c.code] for c in bloc.leaves}
    criterion_rows = set(rows.values())
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 5, max_col=8):
        for cell in row:
            if isinstance(cell, MergedCell):
                continue
            editable = (cell.column == 4 and cell.row in leaf_rows) or (cell.column == 5 and cell.row in criterion_rows)
            assert cell.protection.locked is not editable, cell.coordinate
    data = book[L.SHEET_DATA]
    assert data.protection.sheet
    head, cols = find_header(data, L.DATA_HEADERS)
    data_rows = set(range(head + 1, head + 1 + len(L.DATA_ROWS)))
    for row in data.iter_rows(min_row=1, max_row=data.max_row, max_col=6):
        for cell in row:
            if isinstance(cell, MergedCell):
                continue
            editable = cell.row in data_rows and cell.column in (cols[L.D_VALUE], cols[L.D_NOTE])
            assert cell.protection.locked is not editable, cell.coordinate
    assert book[L.SHEET_GUIDE].protection.sheet and book[L.SHEET_META].protection.sheet


def test_score_inputs_and_explanations_are_tinted_as_inputs(book, rows, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    leaf_rows = {rows[c.code] for c in bloc.leaves}
    for code, r in rows.items():
        cells = [ws.cell(r, 5)] + ([ws.cell(r, 4)] if r in leaf_rows else [])  # explanation, score
        for cell in cells:
            assert cell.fill.fgColor.rgb.endswith(INPUT_FILL[1:]), (code, cell.coordinate)


def _totals_of(ws) -> list:
    labels = set(L.TOTAL_LABELS)
    return [ws.cell(c.row, 4) for c in ws["B"] if c.value in labels]


# sheet, the cells that hold scores or maxima (found by the sheet's own layout)
SCORE_CELLS = [
    ("maxima", lambda ws, rows: [ws.cell(r, 3) for r in rows.values()]),
    ("scores and section sums", lambda ws, rows: [ws.cell(r, 4) for r in rows.values()]),
    ("totals", lambda ws, rows: _totals_of(ws)),
]


@pytest.mark.parametrize(("what", "cells"), SCORE_CELLS)
def test_scores_show_as_typed_without_a_trailing_separator(book, rows, what, cells) -> None:
    found = cells(book[L.SHEET_SCORES], rows)
    assert found and {c.number_format for c in found} == {"General"}, what  # "0.##" shows 15 as "15."


def test_guide_gives_maxima_as_numbers_and_each_kind_once(book, default_bloc, tmp_path) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_GUIDE]
    head, cols = find_header(ws, ["Mã", "Nội dung tiêu chí", "Điểm tối đa"])
    by_code = {ws.cell(r, 1).value: r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    for crit in bloc.criteria:
        cell = ws.cell(by_code[crit.code], cols["Điểm tối đa"])
        assert cell.data_type == "n" and Decimal(str(cell.value)) == crit.max, crit.code
    texts = {code: ws.cell(r, cols["Nội dung tiêu chí"]).value for code, r in by_code.items()}
    assert texts["6"] == "Điểm thưởng" and texts["7"] == "Điểm trừ"  # named like their kind: not repeated
    criteria = [["1", "Nhiệm vụ", 100, "điểm", ""], ["1.1", "Tham mưu", 100, "", ""],
                ["2", "Khen thưởng", None, "thưởng", ""], ["2.1", "Bằng khen", 5, "", ""]]  # fmt: skip
    _, other = make_bloc(tmp_path, spec(criteria=criteria))
    ws = openpyxl.load_workbook(make_templates(other, tmp_path / "mau", units=["VHTT"])["VHTT"])[L.SHEET_GUIDE]
    assert "Khen thưởng (điểm thưởng)" in {c.value for row in ws.iter_rows() for c in row}


def test_data_rows_have_the_contract_codes(book) -> None:
    ws = book[L.SHEET_DATA]
    head, cols = find_header(ws, L.DATA_HEADERS)
    assert [ws.cell(head, cols[L.D_CODE] + i).value for i in range(4)] == L.DATA_HEADERS
    codes = [ws.cell(head + 1 + i, cols[L.D_CODE]).value for i in range(len(L.DATA_ROWS))]
    assert codes == ["TS", "LDTT", "CSTD", "KHTNV", "KL", "XLDV", "XLTCD"]


def test_a_decimal_validation_on_every_leaf(book, rows, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    covered: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        for cell in sqref_cells(dv.sqref):
            assert cell not in covered, f"{cell} validated twice"
            covered[cell] = dv
    assert set(covered) == {f"D{rows[c.code]}" for c in bloc.leaves}
    for crit in bloc.leaves:
        dv = covered[f"D{rows[crit.code]}"]
        assert dv.type == "decimal" and dv.operator in (None, "between")
        assert Decimal(dv.formula1) == 0 and Decimal(dv.formula2) == crit.max, crit.code
        assert dv.showErrorMessage and dv.allow_blank
        for text in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error):
            assert text and VIETNAMESE.search(text), text
        shown_max = f"{crit.max:f}".rstrip("0").rstrip(".").replace(".", ",")
        assert shown_max in dv.error and shown_max in dv.prompt
        if crit.kind is Kind.DEDUCTION:
            assert "trừ" in dv.prompt


def test_data_validations_whole_numbers_and_rating_lists(book) -> None:
    ws = book[L.SHEET_DATA]
    _, cells = template_cells_from(ws)
    by_cell = {c: dv for dv in ws.data_validations.dataValidation for c in sqref_cells(dv.sqref)}
    assert set(by_cell) == set(cells.values())
    ts, ldtt = cells["TS"], cells["LDTT"]
    bounds = {"TS": (">=", "1"), "LDTT": ("0", ts), "CSTD": ("0", ldtt), "KHTNV": ("0", ts), "KL": ("0", ts)}
    for code, (lo, hi) in bounds.items():
        dv = by_cell[cells[code]]
        assert dv.type == "whole", code
        if lo == ">=":
            assert dv.operator == "greaterThanOrEqual" and dv.formula1 == hi
        else:
            assert dv.formula1 == lo and dv.formula2.replace("$", "") == hi, (code, dv.formula2)
        for text in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error):
            assert text and VIETNAMESE.search(text), (code, text)
    for code in L.RATING_CODES:
        dv = by_cell[cells[code]]
        assert dv.type == "list" and '"' not in dv.formula1, dv.formula1  # a range, not an inline list
        lo_c, lo_r, hi_c, hi_r = range_boundaries(dv.formula1.replace("$", "").split("!")[-1])
        listed = [ws.cell(r, lo_c).value for r in range(lo_r, hi_r + 1)]
        assert lo_c == hi_c and listed == list(RATING_LABELS)
        assert VIETNAMESE.search(dv.error) and VIETNAMESE.search(dv.promptTitle)


def template_cells_from(ws) -> tuple[int, dict[str, str]]:
    head, cols = find_header(ws, L.DATA_HEADERS)
    out = {}
    for r in range(head + 1, head + 1 + len(L.DATA_ROWS)):
        out[ws.cell(r, cols[L.D_CODE]).value] = ws.cell(r, cols[L.D_VALUE]).coordinate
    return head, out


def test_conditional_formats_mark_empty_and_out_of_range(book, rows, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    leaves = {f"D{rows[c.code]}" for c in bloc.leaves}
    rules = [(sqref_cells(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]
    blanks = [cells for cells, rule in rules if rule.type == "containsBlanks"]
    checks = [(cells, rule) for cells, rule in rules if rule.type == "expression" and cells & leaves]
    assert blanks and set().union(*blanks) >= leaves
    assert checks and set().union(*(c for c, _ in checks)) >= leaves
    formula = checks[0][1].formula[0]
    assert ">$C" in formula and "<0" in formula and "ISTEXT" in formula
    # the status turns red and bold while a score or a data value is missing or wrong
    status = [rule for cells, rule in rules if rule.type == "expression" and not cells & leaves]
    assert len(status) == 1 and "COUNTBLANK('Số liệu'!" in status[0].formula[0] and status[0].dxf.font.b


def test_data_marks_compare_each_count_with_its_own_bound(book) -> None:
    """One rule per count cell (a rule over C6:C7 compared CSTD with KHTNV on its second row)."""
    ws = book[L.SHEET_DATA]
    _, cells = template_cells_from(ws)
    rules = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if rule.type == "expression":
                rules[str(cf.sqref)] = rule.formula[0]
            else:
                assert rule.type == "containsBlanks" and sqref_cells(cf.sqref) >= set(cells.values())
    bounds = {"TS": None, "LDTT": "TS", "CSTD": "LDTT", "KHTNV": "TS", "KL": "TS"}
    assert set(rules) == {cells[code] for code in bounds}
    for code, bound in bounds.items():
        referenced = {f"{c}{r}" for c, r, *_ in REF.findall(rules[cells[code]])}
        assert referenced == {cells[code]} | ({cells[bound]} if bound else set()), (code, rules[cells[code]])
        assert "ISTEXT" in rules[cells[code]] and "INT(" in rules[cells[code]]


def test_status_cell_counts_unscored_criteria_in_words(book, default_bloc) -> None:
    ws = book[L.SHEET_SCORES]
    head, _ = find_header(ws, L.SCORE_HEADERS)
    status = [c.value for row in ws.iter_rows(max_row=head - 1) for c in row if str(c.value).startswith("=")]
    assert len(status) == 1
    n = len(default_bloc[1].leaves)
    assert '"Tình trạng: "' in status[0] and f"đã chấm đủ {n}/{n} tiêu chí" in status[0]
    assert "chưa chấm điểm" in status[0] and "COUNT(" in status[0]


def test_header_date_line_and_signature(book, default_bloc) -> None:
    _, bloc = default_bloc
    ws = book[L.SHEET_SCORES]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    # The unit issues the form: its governing body above its own name, left; the bloc in the title.
    assert ws["A1"].value == bloc.info.governing_body.upper() and ws["A2"].value == "PHÒNG VĂN HÓA VÀ THÔNG TIN"
    assert bloc.info.name.upper() not in texts
    for expected in (L.NATIONAL_NAME, L.NATIONAL_MOTTO, f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {bloc.info.year}",
                     bloc.info.name, "Đơn vị: Phòng Văn hóa và Thông tin",
                     "Ý Yên, ngày …… tháng …… năm 2024", "THỦ TRƯỞNG ĐƠN VỊ"):  # fmt: skip
        assert expected in texts, expected
    assert texts.index(f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {bloc.info.year}") < texts.index(bloc.info.name)
    assert any("30/12/2024" in t for t in texts)


def test_times_new_roman_everywhere(default_templates, book) -> None:
    for ws in book.worksheets:
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}, (ws.title, fonts)
    with zipfile.ZipFile(default_templates["VHTT"]) as z:
        styles = z.read("xl/styles.xml").decode()
    first_font = re.search(r"<font>.*?</font>", styles, re.S).group(0)
    assert 'val="Times New Roman"' in first_font  # the default: what a unit types is in it too


@pytest.mark.parametrize(("sheet", "headers"), [(L.SHEET_SCORES, L.SCORE_HEADERS), (L.SHEET_DATA, L.DATA_HEADERS)])
def test_print_setup(book, sheet, headers) -> None:
    ws = book[sheet]
    head, _ = find_header(ws, headers)
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${head}:${head}"


# File names and the command ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("VHTT", "VHTT_phong-van-hoa-va-thong-tin.xlsx"),
        ("TCKH", "TCKH_phong-tai-chinh-ke-hoach.xlsx"),
        ("LDTBXH", "LDTBXH_phong-lao-dong-thuong-binh-va-xa-hoi.xlsx"),
        ("TTVHTT", "TTVHTT_trung-tam-van-hoa-the-thao-va-truyen-thanh.xlsx"),
    ],
)
def test_file_names_are_code_and_unaccented_slug(default_templates, code, name) -> None:
    assert default_templates[code].name == name


def test_every_file_name_is_plain_ascii(default_bloc, default_templates) -> None:
    for unit in default_bloc[1].units:
        name = template_name(unit)
        assert re.fullmatch(r"[A-Za-z0-9_.-]+_[a-z0-9-]+\.xlsx", name), name
        assert default_templates[unit.code].name == name == f"{unit.code}_{slug(unit.name)}.xlsx"


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_templates_command_units_and_overwrite(default_bloc, tmp_path) -> None:
    config = tmp_path / "khoi.xlsx"
    config.write_bytes(default_bloc[0].read_bytes())
    out = tmp_path / "mau_tu_cham"
    r = run_cli("templates", "--config", str(config), "--unit", "vhtt", "--unit", "TP", "--unit", "VHTT")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["TP_phong-tu-phap.xlsx", "VHTT_phong-van-hoa-va-thong-tin.xlsx"]
    assert "Đã tạo 2 mẫu" in r.stdout
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}

    r = run_cli("templates", "--config", str(config), "--unit", "NV", "--unit", "VHTT")
    assert r.exit_code == 2 and "--force" in r.stderr and "VHTT_" in r.stderr
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert after == before  # NV not written either: nothing at all

    r = run_cli("templates", "--config", str(config), "--unit", "XYZ")
    assert r.exit_code == 2 and "XYZ" in r.stderr and "VHTT" in r.stderr
    r = run_cli("templates", "--config", str(config), "--unit", "NV", "--unit", "VHTT", "--force")
    assert r.exit_code == 0, r.output
    assert len(list(out.iterdir())) == 3 and not list(out.glob("*.tmp*"))


def test_templates_command_writes_one_per_unit(default_bloc, tmp_path) -> None:
    config = tmp_path / "khoi.xlsx"
    config.write_bytes(default_bloc[0].read_bytes())
    r = run_cli("templates", "--config", str(config), "--out", str(tmp_path / "ra"))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "ra").iterdir()) == sorted(
        template_name(u) for u in default_bloc[1].units
    )


def test_password_from_the_bloc(tmp_path) -> None:
    _, bloc = make_bloc(tmp_path, spec(info={"Mật khẩu bảo vệ mẫu": "khoi2024"}))
    path = make_templates(bloc, tmp_path / "mau", units=["YT"])["YT"]
    wb = openpyxl.load_workbook(path)
    for name in (L.SHEET_SCORES, L.SHEET_DATA, L.SHEET_GUIDE, L.SHEET_META):
        assert wb[name].protection.sheet and wb[name].protection.password, name


def test_text_from_the_bloc_is_never_a_formula(tmp_path) -> None:
    units = [["A", '=HYPERLINK("http://x","Phòng A")', ""], ["B", "+Phòng B", ""]]
    criteria = [["1", "=SUM(1,2)", 10, "điểm", "@chú thích"], ["2", "-Tiêu chí hai", 90, "", ""]]
    _, bloc = make_bloc(tmp_path, spec(units=units, criteria=criteria, info={"Khối trưởng": "A"}))
    path = make_templates(bloc, tmp_path / "mau")["A"]
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_SCORES]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"=SUM(1,2)", "-Tiêu chí hai"} <= texts
    assert dict(wb[L.SHEET_META].iter_rows(values_only=True))["unit_name"] == units[0][1]
    assert all(c.data_type == "s" for row in ws.iter_rows(min_col=2, max_col=2) for c in row if c.value == "=SUM(1,2)")


# Round trip ----------------------------------------------------------------------------------


def test_round_trip_exact_totals(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    path = fill(default_templates["VHTT"], tmp_path / "VHTT.xlsx", PLAN_90, GOOD_DATA)
    r = read(path, bloc)
    assert r.unit == "VHTT" and r.identified_by is Evidence.FORM and not r.errors, [i.message for i in r.issues]
    assert r.scores == {code: Decimal(str(v)) for code, v in PLAN_90.items()}
    assert bloc.totals(r.scores) == EXPECTED_90
    assert r.data["TS"] == 20 and r.data["LDTT"] == 19


def test_round_trip_decimals_add_up_exactly(tmp_path) -> None:
    """33.3 + 33.3 + 33.4 is 100, and 0.1 + 0.2 is 0.3: no binary rounding anywhere."""
    criteria = [["1", "Nhiệm vụ", 100, "điểm", ""], ["1.1", "Một", 33.3, "", ""], ["1.2", "Hai", 33.3, "", ""],
                ["1.3", "Ba", 33.4, "", ""], ["2", "Thưởng", None, "thưởng", ""], ["2.1", "Bằng khen", 1, "", ""],
                ["2.2", "Sáng kiến", 1, "", ""], ["3", "Trừ", None, "trừ", ""], ["3.1", "Chậm", 1, "", ""]]  # fmt: skip
    _, bloc = make_bloc(tmp_path, spec(criteria=criteria))
    tpl = make_templates(bloc, tmp_path / "mau", units=["GDDT"])["GDDT"]
    scores = {"1.1": 33.3, "1.2": 33.3, "1.3": 33.4, "2.1": 0.1, "2.2": 0.2, "3.1": 0.3}
    r = read(fill(tpl, tmp_path / "GDDT.xlsx", scores), bloc)
    assert not r.errors, [i.message for i in r.issues]
    assert bloc.totals(r.scores) == (Decimal(100), Decimal("0.3"), Decimal("0.3"), Decimal(100))


def test_heading_rows_grow_with_long_names(tmp_path) -> None:
    """A province's bloc and a long unit name wrap inside their rows, not over the next one."""
    long_bloc = (
        "Cụm thi đua các trường trung học phổ thông, trung tâm giáo dục nghề nghiệp - giáo dục thường xuyên tỉnh"
    )
    long_unit = ("Trường Trung học phổ thông chuyên Lương Văn Tụy và Trung tâm Giáo dục nghề nghiệp - "
                 "Giáo dục thường xuyên thành phố Hoa Lư")  # fmt: skip
    info = {"Tên khối": long_bloc, "Khối trưởng": "A", "Cơ quan cấp trên": ""}
    _, bloc = make_bloc(tmp_path, spec(info=info, units=[["A", long_unit, ""], ["B", "Phòng Y tế", ""]]))
    paths = make_templates(bloc, tmp_path / "mau")
    long_ws, short_ws = (openpyxl.load_workbook(paths[c])[L.SHEET_SCORES] for c in ("A", "B"))
    assert long_ws["A2"].value == long_unit.upper() and long_ws.row_dimensions[2].height >= 3 * 15
    assert long_ws["A5"].value == long_bloc and long_ws["A5"].alignment.wrap_text  # fits one line of the title
    assert long_ws["A6"].value == f"Đơn vị: {long_unit}" and long_ws.row_dimensions[6].height >= 2 * 15
    assert short_ws.row_dimensions[6].height < 2 * 15
    assert long_ws["A6"].alignment.wrap_text


SHAPES = {
    "flat": [["1", "Một", 60, "", ""], ["2", "Hai", 40, "", ""]],
    "deep": [["1", "Mục", None, "", ""], ["1.1", "Nhóm", None, "", ""], ["1.1.a", "Ý a", 55.5, "", ""],
             ["1.1.b", "Ý b", 44.5, "", ""], ["2", "Thưởng", None, "thưởng", ""], ["2.a", "Sáng kiến", 2, "", ""]],
    "orphans": [["1.1", "Không có mục 1", 50, "", ""], ["1.2", "Cũng vậy", 50, "", ""], ["T", "Trừ", 5, "trừ", ""]],
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_other_bloc_shapes_round_trip(tmp_path, shape) -> None:
    """No sections, nested sections with lettered codes, codes without their section, no bonus row."""
    _, bloc = make_bloc(tmp_path, spec(criteria=SHAPES[shape]))
    path = make_templates(bloc, tmp_path / "mau", units=["VHTT"])["VHTT"]
    scores = {c.code: float(c.max) if c.kind is not Kind.DEDUCTION else 1.5 for c in bloc.leaves}
    r = read(fill(path, tmp_path / "r.xlsx", scores), bloc)
    assert not r.errors, [i.message for i in r.issues]
    base, bonus, ded, total = bloc.totals(r.scores)
    assert base == 100 and total == 100 + bonus - ded
    ws = openpyxl.load_workbook(path)[L.SHEET_SCORES]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    assert len(formulas) == sum(1 for c in bloc.criteria if not c.is_leaf) + 4 + 1
