"""`thidua-xlsx init --criteria FILE` on criteria tables as blocs have them: a Word annex with its
own numbering column, merged cells and a header over two rows; a Word table numbered inside the
text with headings for bonus and deduction and sums that disagree; an Excel sheet below a title,
with a subtotal and a signature block, also saved by LibreOffice as .xls and .ods. Each gives the
expected 'Tiêu chí' sheet (codes, texts, maxima, kinds), prints what it understood and the rows it
could not place, and `templates` works on the result (or names the cell the table got wrong)."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from helpers import lo_batch

from thidua_xlsx.bloc.criteria_import import NoteKind, read_criteria_table
from thidua_xlsx.bloc.criteria_table import leading_label, read_points
from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.bloc.spec import default_bloc_spec
from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.model import Kind

# The corpus ----------------------------------------------------------------------------------


def word_table(doc: Any, rows: list[tuple[str, ...]]) -> Any:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value:
                table.cell(i, j).text = value
    return table


def roman_annex(path: Path) -> Path:
    """A Word annex: STT column, 'Điểm' over 'Tối đa' | 'Tự chấm', a row of column numbers, section
    titles merged across, a maximum merged down over the bullets that explain it, a total row."""
    doc = docx.Document()
    doc.add_paragraph("UBND XÃ AN BÌNH")
    word_table(doc, [("Nơi nhận:", "- Các đơn vị trong khối"), ("Lưu:", "VT")])  # no criteria table
    doc.add_paragraph("PHỤ LỤC: BẢNG TIÊU CHÍ CHẤM ĐIỂM THI ĐUA NĂM 2025")
    rows = [
        ("STT", "Nội dung tiêu chí", "Điểm", "", "Ghi chú"),  # 0
        ("", "", "Tối đa", "Tự chấm", ""),  # 1
        ("(1)", "(2)", "(3)", "(4)", "(5)"),  # 2
        ("I", "CÔNG TÁC CHUYÊN MÔN", "60", "", ""),  # 3
        ("1", "Hoàn thành kế hoạch công tác năm", "30", "", ""),  # 4
        ("", "- Hoàn thành 100% kế hoạch: 30 điểm", "", "", ""),  # 5
        ("", "- Mỗi nhiệm vụ chậm trừ 2 điểm", "", "", ""),  # 6
        ("2", "Cải cách hành chính", "30", "", ""),  # 7
        ("a)", "Chỉ số cải cách hành chính của đơn vị", "20", "", "Theo kết quả công bố"),  # 8
        ("b)", "Thực hiện cơ chế một cửa", "10", "", ""),  # 9
        ("II.", "XÂY DỰNG ĐẢNG VÀ ĐOÀN THỂ", "40 điểm", "", ""),  # 10
        ("1.", "Chi bộ hoàn thành tốt nhiệm vụ", "20", "", ""),  # 11
        ("2.", "Công đoàn, Đoàn thanh niên vững mạnh", "20", "", ""),  # 12
        ("III", "ĐIỂM THƯỞNG", "Tối đa 5đ", "", ""),  # 13
        ("1", "Được tặng Cờ thi đua", "3 điểm", "", ""),  # 14
        ("2", "Có sáng kiến được công nhận", "2 điểm", "", ""),  # 15
        ("IV", "ĐIỂM TRỪ", "10", "", ""),  # 16
        ("1", "Chậm nộp báo cáo", "-4", "", "Mỗi lần trừ 1 điểm"),  # 17
        ("2", "Bị phê bình, kỷ luật", "-6", "", ""),  # 18
        ("Tổng cộng", "", "100", "", ""),  # 19
    ]
    table = word_table(doc, rows)
    table.cell(0, 2).merge(table.cell(0, 3))
    for c in (0, 1, 4):
        table.cell(0, c).merge(table.cell(1, c))
    table.cell(4, 2).merge(table.cell(6, 2))  # 30 over the criterion and its two bullets
    table.cell(19, 0).merge(table.cell(19, 1))
    doc.add_paragraph("Ghi chú: đơn vị chấm trung thực, có minh chứng.")
    doc.save(path)
    return path


ROMAN_EXPECTED = [
    ("I", "CÔNG TÁC CHUYÊN MÔN", 60, "điểm", None),
    ("I.1", "Hoàn thành kế hoạch công tác năm", 30, "điểm",
     "- Hoàn thành 100% kế hoạch: 30 điểm - Mỗi nhiệm vụ chậm trừ 2 điểm"),
    ("I.2", "Cải cách hành chính", 30, "điểm", None),
    ("I.2.a", "Chỉ số cải cách hành chính của đơn vị", 20, "điểm", "Theo kết quả công bố"),
    ("I.2.b", "Thực hiện cơ chế một cửa", 10, "điểm", None),
    ("II", "XÂY DỰNG ĐẢNG VÀ ĐOÀN THỂ", 40, "điểm", None),
    ("II.1", "Chi bộ hoàn thành tốt nhiệm vụ", 20, "điểm", None),
    ("II.2", "Công đoàn, Đoàn thanh niên vững mạnh", 20, "điểm", None),
    ("III", "ĐIỂM THƯỞNG", 5, "thưởng", None),
    ("III.1", "Được tặng Cờ thi đua", 3, "thưởng", None),
    ("III.2", "Có sáng kiến được công nhận", 2, "thưởng", None),
    ("IV", "ĐIỂM TRỪ", 10, "trừ", None),
    ("IV.1", "Chậm nộp báo cáo", 4, "trừ", "Mỗi lần trừ 1 điểm"),
    ("IV.2", "Bị phê bình, kỷ luật", 6, "trừ", None),
]  # fmt: skip


def inline_annex(path: Path) -> Path:
    """A Word table numbered inside the text, 'Điểm chuẩn' in words, bonus and deduction under
    headings without numbering, a line that is no criterion, a section and a total that disagree."""
    doc = docx.Document()
    rows = [
        ("Nội dung", "Điểm chuẩn", "Điểm tự chấm"),  # 1
        ("1. Thực hiện nhiệm vụ chính trị", "40 điểm", ""),  # 2: its lines sum to 35
        ("a) Hoàn thành chỉ tiêu được giao", "25", ""),  # 3
        ("b) Tham mưu kịp thời, chất lượng", "10", ""),  # 4
        ("2. Chấp hành chủ trương, chính sách, pháp luật", "30", ""),  # 5
        ("3. Công tác thi đua, khen thưởng (tối đa 30 điểm)", "", ""),  # 6
        ("Ghi nhận thêm các hoạt động khác của đơn vị", "", ""),  # 7: no numbering, no heading
        ("ĐIỂM CỘNG", "", ""),  # 8
        ("1. Có mô hình mới, cách làm hay", "2", ""),  # 9
        ("2. Được khen thưởng đột xuất", "2", ""),  # 10
        ("CÁC TRƯỜNG HỢP TRỪ ĐIỂM", "", ""),  # 11
        ("1. Chậm nộp báo cáo", "Trừ tối đa 3 điểm", ""),  # 12
        ("2. Không tham gia hoạt động chung", "1 điểm/lần", ""),  # 13: no maximum to read
        ("TỔNG CỘNG", "100", ""),  # 14
    ]
    word_table(doc, rows)
    doc.save(path)
    return path


INLINE_EXPECTED = [
    ("1", "Thực hiện nhiệm vụ chính trị", 40, "điểm", None),
    ("1.a", "Hoàn thành chỉ tiêu được giao", 25, "điểm", None),
    ("1.b", "Tham mưu kịp thời, chất lượng", 10, "điểm", None),
    ("2", "Chấp hành chủ trương, chính sách, pháp luật", 30, "điểm", None),
    ("3", "Công tác thi đua, khen thưởng (tối đa 30 điểm)", 30, "điểm", None),
    ("4", "ĐIỂM CỘNG", None, "thưởng", None),
    ("4.1", "Có mô hình mới, cách làm hay", 2, "thưởng", None),
    ("4.2", "Được khen thưởng đột xuất", 2, "thưởng", None),
    ("5", "CÁC TRƯỜNG HỢP TRỪ ĐIỂM", None, "trừ", None),
    ("5.1", "Chậm nộp báo cáo", 3, "trừ", None),
    ("5.2", "Không tham gia hoạt động chung", None, "trừ", "1 điểm/lần"),
]


def excel_sheet(path: Path) -> Path:
    """An Excel sheet below a title: 'TT' column with '1.', 'a)'; Roman sections merged across
    'TT' and the content; a 'Cộng' row for a part; a total; a signature block under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bang diem"
    ws["A1"] = "KHỐI THI ĐUA CÁC TRƯỜNG HỌC"
    ws["A2"] = "BẢNG TIÊU CHÍ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2024-2025"
    ws.append([])
    ws.append(["TT", "Nội dung tiêu chí", "Thang điểm", "Cách chấm"])  # row 4
    rows: list[list[Any]] = [
        ["I. CÔNG TÁC DẠY VÀ HỌC", None, 70, None],  # 5, merged A5:B5
        ["1.", "Tỷ lệ học sinh lên lớp", 40, "Đạt 98% trở lên: 40 điểm"],  # 6
        ["2.", "Hoạt động ngoài giờ lên lớp", 30, None],  # 7
        ["a)", "Câu lạc bộ", 15.5, None],  # 8
        ["b)", "Trải nghiệm thực tế", 14.5, None],  # 9
        [None, "Cộng mục I", 70, None],  # 10
        ["II. CƠ SỞ VẬT CHẤT", None, 30, None],  # 11, merged A11:B11
        ["1.", "Giữ gìn trường lớp sạch đẹp", 30, None],  # 12
        ["III. ĐIỂM THƯỞNG", None, None, None],  # 13, merged A13:B13
        ["1.", "Học sinh giỏi cấp tỉnh", 2, "Mỗi giải 0,5 điểm"],  # 14
        [None, "Tổng cộng", 100, None],  # 15
        [],
        [None, "NGƯỜI LẬP BIỂU", None, "HIỆU TRƯỞNG"],  # 17
        [None, "Nguyễn Văn An", None, "Trần Thị Bình"],  # 18
    ]
    for row in rows:
        ws.append(row)
    for r in (5, 11, 13):
        ws.merge_cells(f"A{r}:B{r}")
    wb.save(path)
    return path


EXCEL_EXPECTED = [
    ("I", "CÔNG TÁC DẠY VÀ HỌC", 70, "điểm", None),
    ("I.1", "Tỷ lệ học sinh lên lớp", 40, "điểm", "Đạt 98% trở lên: 40 điểm"),
    ("I.2", "Hoạt động ngoài giờ lên lớp", 30, "điểm", None),
    ("I.2.a", "Câu lạc bộ", 15.5, "điểm", None),
    ("I.2.b", "Trải nghiệm thực tế", 14.5, "điểm", None),
    ("II", "CƠ SỞ VẬT CHẤT", 30, "điểm", None),
    ("II.1", "Giữ gìn trường lớp sạch đẹp", 30, "điểm", None),
    ("III", "ĐIỂM THƯỞNG", None, "thưởng", None),
    ("III.1", "Học sinh giỏi cấp tỉnh", 2, "thưởng", "Mỗi giải 0,5 điểm"),
]


def criteria_sheet(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)[L.SHEET_CRITERIA]
    rows = [tuple(c.value for c in row[:5]) for row in ws.iter_rows(min_row=5)]
    return [r for r in rows if any(v not in (None, "") for v in r)]


def base_total(path: Path) -> object:
    ws = openpyxl.load_workbook(path)[L.SHEET_INFO]
    return next(row[1].value for row in ws.iter_rows() if row[0].value == L.I_BASE_TOTAL)


def init(folder: Path, source: Path):
    return CliRunner().invoke(main, ["init", str(folder), "--criteria", str(source)])


def templates(folder: Path):
    return CliRunner().invoke(main, ["templates", "--config", str(folder / "khoi.xlsx")])


# The command on each table ------------------------------------------------------------------


def test_word_annex_with_its_own_numbering_column(tmp_path) -> None:
    source = roman_annex(tmp_path / "phu_luc.docx")
    r = init(tmp_path / "khoi", source)
    assert r.exit_code == 0, r.output
    assert criteria_sheet(tmp_path / "khoi" / "khoi.xlsx") == ROMAN_EXPECTED
    assert base_total(tmp_path / "khoi" / "khoi.xlsx") == 100
    out = r.output
    assert f"Bảng tiêu chí: {source}, bảng 2." in out  # the first table is the list of recipients
    assert "Đã đọc 5 mục, 9 tiêu chí chấm điểm:" in out
    for line in ("  I    CÔNG TÁC CHUYÊN MÔN", "  III  ĐIỂM THƯỞNG", "  IV   ĐIỂM TRỪ"):
        assert line in out, out
    assert "60 điểm, 3 tiêu chí" in out and "5 điểm thưởng, 2 tiêu chí" in out and "10 điểm trừ, 2 tiêu chí" in out
    assert "Điểm chuẩn 100 · điểm thưởng 5 · điểm trừ 10." in out
    assert "Tổng điểm chuẩn: 100 (dòng tổng cộng của bảng: 100 — khớp)." in out
    assert "bảng 2, dòng 3: bỏ qua dòng đánh số cột" in out
    assert "Chưa xếp được" not in out and "Cần sửa" not in out
    made = templates(tmp_path / "khoi")
    assert made.exit_code == 0, made.output
    bloc = load_bloc(tmp_path / "khoi" / "khoi.xlsx")
    assert bloc.kind_max(Kind.BASE) == 100 and bloc.kind_max(Kind.DEDUCTION) == 10
    assert bloc.by_code["I.2.a"].parent == "I.2" and bloc.by_code["IV.1"].max == 4


def test_word_table_numbered_inside_the_text_with_sums_that_disagree(tmp_path) -> None:
    source = inline_annex(tmp_path / "bang.docx")
    r = init(tmp_path, source)
    assert r.exit_code == 1, r.output  # written, with what to fix
    assert criteria_sheet(tmp_path / "khoi.xlsx") == INLINE_EXPECTED
    assert base_total(tmp_path / "khoi.xlsx") == 95
    out = r.output
    assert "Đã đọc 3 mục, 8 tiêu chí chấm điểm:" in out
    assert "Điểm chuẩn 95 · điểm thưởng 4 · điểm trừ 3." in out
    assert "Tổng điểm chuẩn: 95 (dòng tổng cộng của bảng: 100 — không khớp)." in out
    unplaced = out.split("Chưa xếp được")[1].split("Cần sửa")[0]
    assert 'bảng 1, dòng 7: chưa xếp được dòng "Ghi nhận thêm các hoạt động khác của đơn vị"' in unplaced
    fix = out.split("Cần sửa trong trang 'Tiêu chí' của khoi.xlsx")[1]
    assert 'bảng 1, dòng 2: mục "1" ghi 40 điểm nhưng các tiêu chí con cộng lại bằng 35' in fix
    assert 'bảng 1, dòng 13: chưa đọc được điểm tối đa của tiêu chí "5.2" ("1 điểm/lần")' in fix
    assert "bảng 1, dòng 14: dòng \"TỔNG CỘNG\" ghi 100 điểm nhưng các tiêu chí loại 'điểm' cộng lại bằng 95" in fix
    assert 'bảng 1, dòng 6: điểm tối đa 30 của "3" đọc từ nội dung.' in out
    # The bloc leader fixes these in Excel: until then the bloc workbook names the same cells.
    made = templates(tmp_path)
    assert made.exit_code == 2
    assert "Trang tính 'Tiêu chí', ô C5: điểm tối đa của mục \"1\" là 40" in made.stderr
    assert "Trang tính 'Tiêu chí', ô C15: tiêu chí \"5.2\" chưa có điểm tối đa." in made.stderr


def test_excel_sheet_below_a_title(tmp_path) -> None:
    source = excel_sheet(tmp_path / "tieu_chi.xlsx")
    r = init(tmp_path / "khoi", source)
    assert r.exit_code == 0, r.output
    assert criteria_sheet(tmp_path / "khoi" / "khoi.xlsx") == EXCEL_EXPECTED
    assert f"Bảng tiêu chí: {source}, trang tính 'Bang diem', dòng 4." in r.output
    assert "Đã đọc 4 mục, 5 tiêu chí chấm điểm:" in r.output
    assert "NGƯỜI LẬP BIỂU" not in r.output and "Chưa xếp được" not in r.output
    assert templates(tmp_path / "khoi").exit_code == 0


@pytest.mark.libreoffice
def test_excel_sheet_saved_by_libreoffice_as_xls_and_ods(tmp_path) -> None:
    source = excel_sheet(tmp_path / "tieu_chi.xlsx")
    profile = tmp_path / "lo-profile"
    for fmt in ("xls", "ods"):
        (saved,) = lo_batch([source], fmt, tmp_path / fmt, profile)
        r = init(tmp_path / f"khoi_{fmt}", saved)
        assert r.exit_code == 0, (fmt, r.output)
        assert criteria_sheet(tmp_path / f"khoi_{fmt}" / "khoi.xlsx") == EXCEL_EXPECTED, fmt
        assert templates(tmp_path / f"khoi_{fmt}").exit_code == 0, fmt


def test_sums_and_notes_as_records(tmp_path) -> None:
    """The library's answer, before any printing: sums per kind, notes with kind and place."""
    result = read_criteria_table(inline_annex(tmp_path / "bang.docx"))
    assert (result.base, result.bonus, result.deduction, result.table_total) == (95, 4, 3, 100)
    assert [(p.code, p.max, p.kind, p.leaves) for p in result.parts] == [
        ("1", 35, Kind.BASE, 2),
        ("2", 30, Kind.BASE, 1),
        ("3", 30, Kind.BASE, 1),
        ("4", 4, Kind.BONUS, 2),
        ("5", 3, Kind.DEDUCTION, 2),
    ]
    where = {(n.kind, n.where.row if n.where else None) for n in result.notes}
    assert (NoteKind.UNPLACED, 7) in where and (NoteKind.PROBLEM, 14) in where and (NoteKind.PROBLEM, 2) in where
    assert result.needs_fixing
    spec_rows = result.spec({"info": {}, "criteria": []})
    assert spec_rows["info"][L.I_BASE_TOTAL] == 95 and spec_rows["criteria"][0][:3] == ["1", result.rows[0].text, 40]


# Pieces -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "rest"),
    [
        ("1. Làm tốt công tác", ("1",), "Làm tốt công tác"),
        ("a) Có kế hoạch", ("a",), "Có kế hoạch"),
        ("(b) Có kế hoạch", ("b",), "Có kế hoạch"),
        ("II. ĐIỂM THƯỞNG", ("II",), "ĐIỂM THƯỞNG"),
        ("1.2 Thực hiện", ("1", "2"), "Thực hiện"),
        ("1.2.a. Thực hiện", ("1", "2", "a"), "Thực hiện"),
        ("Phần I: Điểm thưởng", ("I",), "Điểm thưởng"),
        ("Tiêu chí 3 - Công tác khác", ("3",), "Công tác khác"),
        ("đ) Nộp đúng hạn", ("đ",), "Nộp đúng hạn"),
        ("1.Làm tốt công tác", ("1",), "Làm tốt công tác"),
        ("I - CÔNG TÁC CHUYÊN MÔN", ("I",), "CÔNG TÁC CHUYÊN MÔN"),
        ("2 - Cải cách hành chính", ("2",), "Cải cách hành chính"),
        ("1.a) Đúng hạn", ("1", "a"), "Đúng hạn"),
        ("Mục II. Điểm trừ", ("II",), "Điểm trừ"),
        ("i) Có kế hoạch", ("i",), "Có kế hoạch"),
        ("ii. Có kế hoạch", None, "ii. Có kế hoạch"),
        ("100% cán bộ", None, "100% cán bộ"),
        ("5 năm liên tục", None, "5 năm liên tục"),
        ("Công tác thi đua", None, "Công tác thi đua"),
        ("Mục tiêu năm", None, "Mục tiêu năm"),
        ("v.v. và các việc khác", None, "v.v. và các việc khác"),
    ],
)
def test_numbering_at_the_start_of_a_text(text, label, rest) -> None:
    got, remainder = leading_label(text)
    assert (got.parts if got else None, remainder) == (label, rest)


@pytest.mark.parametrize(
    ("raw", "value", "readable"),
    [
        (10, Decimal(10), True),
        ("10 điểm", Decimal(10), True),
        ("Tối đa 5đ", Decimal(5), True),
        ("tối đa: 2,5 điểm", Decimal("2.5"), True),
        ("-3", Decimal(-3), True),
        ("Trừ 2 điểm", Decimal(-2), True),
        ("Trừ tối đa 3 điểm", Decimal(3), True),
        ("0 - 5", Decimal(5), True),
        ("Từ 0 đến 10 điểm", Decimal(10), True),
        ("", None, True),
        ("1 điểm/lần", None, False),
        ("Theo kết quả xếp loại", None, False),
        ("tối đa 3 điểm, hoặc tối đa 5 điểm nếu vượt", None, False),
    ],
)
def test_maxima_as_tables_write_them(raw, value, readable) -> None:
    assert read_points(raw) == (value, readable)


def test_another_blocs_workbook_reads_back_as_it_is(default_bloc, tmp_path) -> None:
    """A bloc workbook is a criteria table too ('Mã', 'Loại', 'Hướng dẫn chấm'): the shipped one
    comes back row for row, sections, kinds and guides included."""
    r = init(tmp_path, default_bloc[0])
    assert r.exit_code == 0, r.output
    want = [tuple(None if v == "" else v for v in row) for row in default_bloc_spec()["criteria"]]
    assert criteria_sheet(tmp_path / "khoi.xlsx") == want
    assert load_bloc(tmp_path / "khoi.xlsx").fingerprint == default_bloc[1].fingerprint


def small_table(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    doc = docx.Document()
    word_table(doc, [("STT", "Nội dung tiêu chí", "Điểm tối đa"), *rows])
    doc.save(path)
    return path


SMALL = [
    # id, rows under the header (STT, text, points), expected (code, max, kind, guide), notes (kind, row)
    (
        "heading-between-numbers-that-go-on",
        [("1", "Nhiệm vụ chuyên môn", "60"), ("2", "Cải cách hành chính", "40"), ("", "ĐIỂM THƯỞNG", ""),
         ("3", "Được tặng bằng khen", "5")],
        [("1", 60, "điểm", None), ("2", 40, "điểm", None), ("3", 5, "thưởng", None)],
        [(NoteKind.INFO, 4)],
    ),
    (
        "lines-without-points-are-the-guide",
        [("1", "Công tác tham mưu", "10"), ("a)", "Đúng hạn", ""), ("b)", "Có chất lượng", ""),
         ("2", "Công tác khác", "90")],
        [("1", 10, "điểm", "a) Đúng hạn b) Có chất lượng"), ("2", 90, "điểm", None)],
        [(NoteKind.INFO, 2)],
    ),
    (
        "a-repeated-number-is-not-placed",
        [("I", "Chuyên môn", ""), ("1", "Tham mưu", "50"), ("1", "Tham mưu (bản cũ)", "50"), ("2", "Khác", "50")],
        [("I", None, "điểm", None), ("I.1", 50, "điểm", None), ("I.2", 50, "điểm", None)],
        [(NoteKind.UNPLACED, 4)],
    ),
    (
        "a-bullet-before-any-criterion",
        [("", "- Chấm theo kết quả năm", ""), ("1", "Chuyên môn", "100")],
        [("1", 100, "điểm", None)],
        [(NoteKind.UNPLACED, 2)],
    ),
    (
        "negative-points-outside-a-deduction-part",
        [("1", "Chuyên môn", "100"), ("2", "Chậm báo cáo", "-2")],
        [("1", 100, "điểm", None), ("2", None, "điểm", None)],
        [(NoteKind.PROBLEM, 3)],
    ),
    (
        "a-column-that-only-counts-rows",
        [("1", "I. CHUYÊN MÔN", ""), ("2", "1. Kế hoạch năm", "60"), ("3", "2. Cải cách", "40"),
         ("4", "II. ĐIỂM THƯỞNG", ""), ("5", "1. Bằng khen", "5")],
        [("I", None, "điểm", None), ("I.1", 60, "điểm", None), ("I.2", 40, "điểm", None), ("II", None, "thưởng", None),
         ("II.1", 5, "thưởng", None)],
        [(NoteKind.INFO, None)],
    ),
    (
        "a-heading-with-nothing-under-it",
        [("1", "Chuyên môn", "100"), ("", "ĐIỂM TRỪ", "")],
        [("1", 100, "điểm", None), ("2", None, "trừ", None)],
        [(NoteKind.PROBLEM, 3)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "expected", "notes"), [c[1:] for c in SMALL], ids=[c[0] for c in SMALL])
def test_small_tables(tmp_path, rows, expected, notes) -> None:
    result = read_criteria_table(small_table(tmp_path / "bang.docx", rows))
    got = [(r.code, r.max, r.kind.value if r.kind else None, r.guide or None) for r in result.rows]
    assert got == [(c, None if m is None else Decimal(m), k, g) for c, m, k, g in expected]
    assert [(n.kind, n.where.row if n.where else None) for n in result.notes] == notes, [str(n) for n in result.notes]


def test_a_word_table_broken_by_a_page_goes_on(tmp_path) -> None:
    """Two tables with the same header, one after the other: one table of criteria."""
    doc = docx.Document()
    head = ("STT", "Nội dung tiêu chí", "Điểm tối đa")
    word_table(doc, [head, ("I", "Chuyên môn", "70"), ("1", "Kế hoạch năm", "70")])
    doc.add_paragraph("")
    word_table(doc, [head, ("II", "Đoàn thể", "30"), ("1", "Công đoàn", "30"), ("2", "", "")])
    word_table(doc, [("Nơi nhận", "Ký tên"), ("Các đơn vị", "Khối trưởng")])
    doc.save(tmp_path / "bang.docx")
    result = read_criteria_table(tmp_path / "bang.docx")
    assert [(r.code, r.max) for r in result.rows] == [("I", 70), ("I.1", 70), ("II", 30), ("II.1", 30), ("II.2", None)]
    assert result.table == "bảng 1" and result.base == 100
    assert [(n.kind, str(n.where)) for n in result.notes] == [
        (NoteKind.PROBLEM, "bảng 2, dòng 4"),  # no text
        (NoteKind.PROBLEM, "bảng 2, dòng 4"),  # no maximum
    ]


def test_a_word_file_that_unpacks_to_too_much_is_refused_unopened(tmp_path) -> None:
    plain = tmp_path / "plain.docx"
    small_table(plain, [("1", "Chuyên môn", "100")])
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info.filename))
        out.writestr("word/media/filler.bin", bytes(65 * 1024**2))  # 65 MB of zeros, a few kB packed
    assert bomb.stat().st_size < 1024**2
    with pytest.raises(ThiduaError, match="quá lớn khi giải nén"):
        read_criteria_table(bomb)
    assert read_criteria_table(plain).base == 100
