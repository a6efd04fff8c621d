"""The bloc workbook as a bloc leader edits it in Excel: every check of `load_bloc` names the
sheet and the cell, in Vietnamese; all problems come at once; ordinary edits are accepted."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import BlocError, Problem
from thidua_xlsx.core.model import Bloc, Kind, Threshold
from thidua_xlsx.core.ratings import Rating

# Letters only Vietnamese text has: a message in English or without diacritics fails.
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)

Edit = Callable[[openpyxl.Workbook], None]


def edited(src: Path, folder: Path, edits: dict[str, object] | None = None, *, then: Edit | None = None) -> Path:
    """A copy of the bloc workbook after a bloc leader's edits: {'Sheet!A1': value}, then `then`."""
    path = folder / "khoi.xlsx"
    shutil.copy(src, path)
    wb = openpyxl.load_workbook(path)
    for where, value in (edits or {}).items():
        sheet, cell = where.split("!")
        wb[sheet][cell].value = value
    if then is not None:
        then(wb)
    wb.save(path)
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(BlocError) as info:
        load_bloc(path)
    assert info.value.problems, info.value.message
    return list(info.value.problems)


def delete(sheet: str) -> Edit:
    def run(wb: openpyxl.Workbook) -> None:
        del wb[sheet]

    return run


def duplicate_year(wb: openpyxl.Workbook) -> None:
    ws = wb[L.SHEET_INFO]
    ws["A19"], ws["B19"] = "Năm", 2025


def past(cell: str, value: object) -> dict[str, object]:
    """An edit of 'Kết quả các năm trước'."""
    return {f"{L.SHEET_HISTORY}!{cell}": value}


# Default layout (header on row 4): Thông tin khối B5 Tên khối, B6 Năm, B8 Khối trưởng, B9 Khối phó,
# B11 Hạn nộp, B12 Tổng điểm chuẩn, B13 Tỷ lệ LĐTT, B17 Tỷ lệ phiếu; Đơn vị A5 VP, A6 NV;
# Tiêu chí row 5 is section 1 (30), rows 6-8 are 1.1 (15), 1.2 (10), 1.3 (5), row 28 is
# section 6 (thưởng), rows 29-30 its leaves; Danh hiệu row 5 TTLĐXS, row 6 TTLĐTT;
# Khen thưởng rows 5-7 (ranks 1-1, 2-3, 4-6).
CASES: list[tuple[str, dict[str, object], Edit | None, str, str | None, list[str]]] = [
    # id, edits, extra edit, sheet, cell, words the message must hold
    ("missing-sheet", {}, delete(L.SHEET_TITLES), L.SHEET_TITLES, None, ["thiếu trang tính"]),
    ("missing-sheet-units", {}, delete(L.SHEET_UNITS), L.SHEET_UNITS, None, ["thiếu trang tính"]),
    ("missing-header", {"Tiêu chí!C4": "Điểm"}, None, L.SHEET_CRITERIA, "A4", ["thiếu cột 'Điểm tối đa'"]),
    ("missing-header-info", {"Thông tin khối!B4": "Nội dung"}, None, L.SHEET_INFO, "A4", ["thiếu cột 'Giá trị'"]),
    ("empty-unit-code", {"Đơn vị!A6": None}, None, L.SHEET_UNITS, "A6", ["Phòng Nội vụ", "chưa có mã"]),
    ("invalid-unit-code", {"Đơn vị!A6": "Nội vụ"}, None, L.SHEET_UNITS, "A6", ["Nội vụ", "không hợp lệ"]),
    ("duplicate-unit-code", {"Đơn vị!A6": "vp"}, None, L.SHEET_UNITS, "A6", ["bị trùng", "A5"]),
    ("unit-without-name", {"Đơn vị!B6": None}, None, L.SHEET_UNITS, "B6", ["NV", "chưa có tên"]),
    ("duplicate-unit-name", {"Đơn vị!B6": "Văn phòng HĐND và UBND huyện"}, None, L.SHEET_UNITS, "B6", ["bị trùng"]),
    (
        "empty-criterion-code",
        {"Tiêu chí!A7": None},
        None,
        L.SHEET_CRITERIA,
        "A7",
        ["cải cách hành chính", "chưa có mã"],
    ),
    ("invalid-criterion-code", {"Tiêu chí!A7": "1,2"}, None, L.SHEET_CRITERIA, "A7", ["1,2", "không hợp lệ"]),
    ("duplicate-criterion-code", {"Tiêu chí!A7": "1.1"}, None, L.SHEET_CRITERIA, "A7", ["1.1", "bị trùng", "A6"]),
    ("criterion-without-text", {"Tiêu chí!B7": None}, None, L.SHEET_CRITERIA, "B7", ["1.2", "chưa có nội dung"]),
    ("section-max-not-sum", {"Tiêu chí!C5": 31}, None, L.SHEET_CRITERIA, "C5", ['mục "1"', "31", "30"]),
    ("leaf-without-max", {"Tiêu chí!C7": None}, None, L.SHEET_CRITERIA, "C7", ["1.2", "chưa có điểm tối đa"]),
    ("leaf-max-zero", {"Tiêu chí!C7": 0}, None, L.SHEET_CRITERIA, "C7", ["1.2", "lớn hơn 0"]),
    ("leaf-max-negative", {"Tiêu chí!C7": -2}, None, L.SHEET_CRITERIA, "C7", ["1.2", "lớn hơn 0"]),
    ("leaf-max-text", {"Tiêu chí!C7": "mười"}, None, L.SHEET_CRITERIA, "C7", ["Điểm tối đa", "phải là một số", "mười"]),
    ("base-total", {"Thông tin khối!B12": 90}, None, L.SHEET_INFO, "B12", ["Tổng điểm chuẩn", "90", "100"]),
    ("base-total-after-leaf", {"Tiêu chí!C8": 4, "Tiêu chí!C5": None}, None, L.SHEET_INFO, "B12", ["100", "99"]),
    ("unknown-kind", {"Tiêu chí!D7": "cộng"}, None, L.SHEET_CRITERIA, "D7", ["cộng", "điểm, thưởng hoặc trừ"]),
    ("kind-against-section", {"Tiêu chí!D29": "điểm"}, None, L.SHEET_CRITERIA, "D29", ["6.1", "thưởng", 'mục "6"']),
    ("year-text", {"Thông tin khối!B6": "hai nghìn"}, None, L.SHEET_INFO, "B6", ["Năm", "phải là một số"]),
    ("year-fraction", {"Thông tin khối!B6": 2024.5}, None, L.SHEET_INFO, "B6", ["Năm", "số nguyên"]),
    ("year-missing", {"Thông tin khối!B6": None}, None, L.SHEET_INFO, "B6", ["chưa nhập 'Năm'"]),
    (
        "year-row-deleted",
        {"Thông tin khối!A6": None, "Thông tin khối!B6": None},
        None,
        L.SHEET_INFO,
        None,
        ["thiếu dòng 'Năm'"],
    ),
    ("bloc-name-missing", {"Thông tin khối!B5": " "}, None, L.SHEET_INFO, "B5", ["chưa nhập 'Tên khối'"]),
    ("base-total-text", {"Thông tin khối!B12": "một trăm"}, None, L.SHEET_INFO, "B12", ["phải là một số"]),
    ("share-over-100", {"Thông tin khối!B17": 150}, None, L.SHEET_INFO, "B17", ["0 đến 100"]),
    ("share-typed-as-percent", {"Thông tin khối!B13": 0.9}, None, L.SHEET_INFO, "B13", ["0,9", "90"]),
    ("deadline-not-a-date", {"Thông tin khối!B11": "31/02/2024"}, None, L.SHEET_INFO, "B11", ["Hạn nộp", "ngày"]),
    ("leader-not-a-unit", {"Thông tin khối!B8": "ABC"}, None, L.SHEET_INFO, "B8", ["ABC", "không phải mã"]),
    ("duplicate-setting", {}, duplicate_year, L.SHEET_INFO, "A19", ["Năm", "bị lặp", "A6"]),
    (
        "unknown-rating",
        {"Danh hiệu!B5": "Xuất sắc"},
        None,
        L.SHEET_TITLES,
        "B5",
        ["Xuất sắc", "không hợp lệ", "HTXSNV"],
    ),
    ("duplicate-title", {"Danh hiệu!A7": "TẬP THỂ LAO ĐỘNG XUẤT SẮC"}, None, L.SHEET_TITLES, "A7", ["bị trùng"]),
    ("threshold-text", {"Danh hiệu!C5": "bảy mươi"}, None, L.SHEET_TITLES, "C5", ["bảy mươi", ">50"]),
    ("threshold-over-100", {"Danh hiệu!C5": 120}, None, L.SHEET_TITLES, "C5", ["từ 0 đến 100", "120"]),
    ("threshold-percent-cell", {"Danh hiệu!C5": 0.7}, None, L.SHEET_TITLES, "C5", ["0,7", "phần trăm"]),
    ("threshold-wrong-way", {"Danh hiệu!F6": ">0"}, None, L.SHEET_TITLES, "F6", ["ngược chiều"]),
    ("threshold-fraction-count", {"Danh hiệu!D5": 1.5}, None, L.SHEET_TITLES, "D5", ["Số CSTĐ tối thiểu", "nguyên"]),
    ("award-title-unknown", {"Khen thưởng!E5": "Tập thể xuất sắc"}, None, L.SHEET_AWARDS, "E5", ["không có trong"]),
    ("award-ranks-reversed", {"Khen thưởng!C6": 1}, None, L.SHEET_AWARDS, "C6", ["Hạng đến", "nhỏ hơn", "Hạng từ"]),
    ("award-rank-text", {"Khen thưởng!B5": "một"}, None, L.SHEET_AWARDS, "B5", ["Hạng từ", "một"]),
    ("award-rank-zero", {"Khen thưởng!B5": 0}, None, L.SHEET_AWARDS, "B5", ["Hạng từ", "từ 1"]),
    ("award-min-total-text", {"Khen thưởng!D5": "chín mươi"}, None, L.SHEET_AWARDS, "D5", ["Điểm tối thiểu"]),
    ("award-without-name", {"Khen thưởng!A5": None}, None, L.SHEET_AWARDS, "A5", ["chưa có tên"]),
    ("deputy-not-a-unit", {"Thông tin khối!B9": "XYZ"}, None, L.SHEET_INFO, "B9", ["khối phó", "XYZ", "không phải mã"]),
    ("deputy-is-leader", {"Thông tin khối!B9": " vhtt"}, None, L.SHEET_INFO, "B9", ["VHTT", "trùng khối trưởng"]),
    # 'Phải đạt danh hiệu' (G): a title of the sheet, and no cycle (reported once, at its first row)
    (
        "requires-unknown",
        {"Danh hiệu!G5": "Tập thể tiên tiến"},
        None,
        L.SHEET_TITLES,
        "G5",
        ["Tập thể tiên tiến", "không phải danh hiệu nào"],
    ),
    (
        "requires-cycle",
        {"Danh hiệu!G6": "Tập thể lao động xuất sắc"},
        None,
        L.SHEET_TITLES,
        "G5",
        ["vòng lặp", '"Tập thể lao động xuất sắc" → "Tập thể lao động tiên tiến" → "Tập thể lao động xuất sắc"'],
    ),
    ("requires-itself", {"Danh hiệu!G6": "tập thể lao động TIÊN TIẾN"}, None, L.SHEET_TITLES, "G6", ["vòng lặp"]),
    ("award-rating-unknown", {"Khen thưởng!F6": "Giỏi"}, None, L.SHEET_AWARDS, "F6", ["Giỏi", "không hợp lệ"]),
    ("award-years-zero", {"Khen thưởng!G6": 0}, None, L.SHEET_AWARDS, "G6", ["Số năm liên tục", "từ 1"]),
    (
        "award-years-nothing-held",
        {"Khen thưởng!G6": 2, "Khen thưởng!E6": None},
        None,
        L.SHEET_AWARDS,
        "G6",
        ["không có gì phải giữ"],
    ),
    # 'Kết quả các năm trước': row 5 is KTHT's 2022, row 6 GDDT's 2022
    ("history-unknown-unit", past("B5", "ABC"), None, L.SHEET_HISTORY, "B5", ["ABC", "không có trong trang 'Đơn vị'"]),
    ("history-year-text", past("A5", "năm ngoái"), None, L.SHEET_HISTORY, "A5", ["Năm", "phải là một số"]),
    ("history-year-not-earlier", past("A5", 2024), None, L.SHEET_HISTORY, "A5", ["2024", "năm trước"]),
    ("history-year-missing", past("A5", None), None, L.SHEET_HISTORY, "A5", ["chưa nhập năm"]),
    ("history-duplicate", past("B6", "kTHT"), None, L.SHEET_HISTORY, "B6", ["KTHT", "hai dòng", "2022", "B5"]),
    ("history-rating", past("E5", "Giỏi"), None, L.SHEET_HISTORY, "E5", ["Giỏi", "không hợp lệ"]),
    ("history-title", past("F5", "Cờ thi đua"), None, L.SHEET_HISTORY, "F5", ["Cờ thi đua", "trang 'Danh hiệu'"]),
    ("history-total", past("C5", "chín mươi"), None, L.SHEET_HISTORY, "C5", ["Tổng điểm", "phải là một số"]),
    ("history-rank", past("D5", 0), None, L.SHEET_HISTORY, "D5", ["Hạng", "từ 1"]),
    ("history-header", past("C4", "Điểm"), None, L.SHEET_HISTORY, "A4", ["thiếu cột 'Tổng điểm'"]),
]


@pytest.mark.parametrize(("edits", "then", "sheet", "cell", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_check_names_sheet_and_cell(default_bloc, tmp_path, edits, then, sheet, cell, words) -> None:
    """One mistake, one problem: where it is, in Vietnamese, saying what is wrong."""
    found = problems_of(edited(default_bloc[0], tmp_path, edits, then=then))
    assert [(p.sheet, p.cell) for p in found] == [(sheet, cell)], [str(p) for p in found]
    message = found[0].message
    assert VIETNAMESE.search(message), message
    for word in words:
        assert word in message, (word, message)
    shown = str(found[0])
    assert shown.startswith(f"Trang tính '{sheet}'") and (cell is None or f"ô {cell}:" in shown), shown


def test_missing_file_and_unreadable_file(tmp_path) -> None:
    with pytest.raises(BlocError, match="Không tìm thấy tệp khối thi đua"):
        load_bloc(tmp_path / "khoi.xlsx")
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(BlocError, match="Không đọc được tệp khối thi đua"):
        load_bloc(bad)


THREE_MISTAKES = {"Đơn vị!A6": "vp", "Tiêu chí!C5": 31, "Khen thưởng!C6": 1}


def test_all_problems_at_once(default_bloc, tmp_path) -> None:
    found = problems_of(edited(default_bloc[0], tmp_path, THREE_MISTAKES))
    assert {(p.sheet, p.cell) for p in found} == {
        (L.SHEET_UNITS, "A6"),
        (L.SHEET_AWARDS, "C6"),
        (L.SHEET_CRITERIA, "C5"),
    }
    assert len(found) == 3


def test_templates_command_refuses_a_broken_bloc(default_bloc, tmp_path) -> None:
    path = edited(default_bloc[0], tmp_path, THREE_MISTAKES)
    out = tmp_path / "mau"
    r = CliRunner().invoke(main, ["templates", "--config", str(path), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "3 lỗi" in r.stderr
    for sheet, cell in ((L.SHEET_UNITS, "A6"), (L.SHEET_CRITERIA, "C5"), (L.SHEET_AWARDS, "C6")):
        assert f"Trang tính '{sheet}', ô {cell}:" in r.stderr, r.stderr
    assert "ô " not in r.stdout
    assert not out.exists()


# Valid edits ------------------------------------------------------------------------------


def _same_scheme(a: Bloc, b: Bloc) -> None:
    def strip(bloc: Bloc) -> list[tuple]:
        return [(c.code, c.max, c.kind, c.is_leaf, c.parent, c.depth, c.text) for c in bloc.criteria]

    assert strip(a) == strip(b)
    assert a.fingerprint == b.fingerprint


def _table(ws, head: int = 4) -> list[list[tuple[object, str]]]:
    """Data rows under the header (values with their number formats, as a cut moves them),
    then cleared, so they can be written back differently."""
    rows = []
    for r in range(head + 1, ws.max_row + 1):
        cells = [ws.cell(r, c) for c in range(1, ws.max_column + 1)]
        if any(cell.value is not None for cell in cells):
            rows.append([(cell.value, cell.number_format) for cell in cells])
        for cell in cells:
            cell.value, cell.number_format = None, "General"
    return rows


def _scatter(ws, rows: list[list[tuple[object, str]]], head: int = 4) -> None:
    """Write rows back with a blank row between each (as pasted from elsewhere)."""
    for i, values in enumerate(rows):
        for c, (v, number_format) in enumerate(values, start=1):
            cell = ws.cell(head + 1 + 2 * i, c)
            cell.value, cell.number_format = v, number_format


def test_rows_in_any_order_and_blank_rows(default_bloc, tmp_path) -> None:
    def shuffle(wb: openpyxl.Workbook) -> None:
        rnd = random.Random(7)
        for name in (L.SHEET_INFO, L.SHEET_UNITS, L.SHEET_CRITERIA, L.SHEET_TITLES):
            ws = wb[name]
            rows = _table(ws)
            rnd.shuffle(rows)
            _scatter(ws, rows)

    bloc = load_bloc(edited(default_bloc[0], tmp_path, then=shuffle))
    default = default_bloc[1]
    _same_scheme(bloc, default)
    assert [c.code for c in bloc.criteria][:5] == ["1", "1.1", "1.2", "1.3", "2"]
    assert bloc.info == default.info
    assert set(bloc.units) == set(default.units)
    assert sorted(bloc.titles, key=lambda t: t.name) == sorted(default.titles, key=lambda t: t.name)
    assert bloc.awards[0].name == default.awards[0].name


def test_codes_in_natural_order(default_bloc, tmp_path) -> None:
    """A new 1.10 (typed as text) on the row of 1.1, and 1.1 moved to the bottom: the form
    still lists 1.1, 1.2, 1.3, 1.10; section 1 grows to 31."""
    edits = {"Tiêu chí!A6": "1.10", "Tiêu chí!B6": "Tiêu chí thêm", "Tiêu chí!C6": 1, "Tiêu chí!D6": None,
             "Tiêu chí!A40": "1.1", "Tiêu chí!B40": "Tiêu chí cũ", "Tiêu chí!C40": 15,
             "Tiêu chí!C5": None, "Thông tin khối!B12": 101}  # fmt: skip
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert [c.code for c in bloc.criteria][:6] == ["1", "1.1", "1.2", "1.3", "1.10", "2"]
    assert bloc.by_code["1"].max == 31 and bloc.by_code["1.10"].parent == "1"
    assert bloc.by_code["1.1"].row == 40 and bloc.by_code["1.10"].row == 6


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_labels_with_spaces_and_nfd(default_bloc, tmp_path) -> None:
    def messy(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for cell in ws[4]:
                if isinstance(cell.value, str):
                    cell.value = "  " + _nfd(cell.value).replace(" ", "  ") + " "
        info = wb[L.SHEET_INFO]
        for r in range(5, 18):
            info.cell(r, 1).value = " " + _nfd(info.cell(r, 1).value) + "  "
        wb[L.SHEET_CRITERIA].title = _nfd(L.SHEET_CRITERIA) + " "

    bloc = load_bloc(edited(default_bloc[0], tmp_path, then=messy))
    _same_scheme(bloc, default_bloc[1])
    assert bloc.info == default_bloc[1].info


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["THƯỞNG", "thuong", "Thưởng"], Kind.BONUS),
        (["trừ", "TRU", " Tru "], Kind.DEDUCTION),
        ([_nfd("thưởng"), "ThƯởNg", "thưởng"], Kind.BONUS),
    ],
)
def test_kind_ignores_case_and_diacritics(default_bloc, tmp_path, kinds, expected) -> None:
    """Section 6 and its two leaves (rows 28-30) spelled three ways, all of one kind."""
    bonus_max = Decimal(5)
    edits = {f"Tiêu chí!D{r}": k for r, k in zip((28, 29, 30), kinds, strict=True)}
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert {bloc.by_code[c].kind for c in ("6", "6.1", "6.2")} == {expected}
    assert bloc.kind_max(expected) == bonus_max + (10 if expected is Kind.DEDUCTION else 0)


def test_blank_kind_inherits_the_section_and_blank_section_max_is_summed(default_bloc, tmp_path) -> None:
    edits = {"Tiêu chí!D29": None, "Tiêu chí!D30": None, "Tiêu chí!D32": None, "Tiêu chí!D33": "",
             "Tiêu chí!C5": None, "Tiêu chí!C28": None, "Tiêu chí!D6": None}  # fmt: skip
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert bloc.by_code["6.1"].kind is Kind.BONUS and bloc.by_code["6.2"].kind is Kind.BONUS
    assert bloc.by_code["7.1"].kind is Kind.DEDUCTION and bloc.by_code["7.2"].kind is Kind.DEDUCTION
    assert bloc.by_code["1.1"].kind is Kind.BASE
    assert bloc.by_code["1"].max == 30 and bloc.by_code["6"].max == 5
    _same_scheme(bloc, default_bloc[1])


def test_blank_kind_at_the_top_is_base(default_bloc, tmp_path) -> None:
    edits = {f"Tiêu chí!D{r}": None for r in range(5, 9)}
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert {bloc.by_code[c].kind for c in ("1", "1.1", "1.2", "1.3")} == {Kind.BASE}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2024, 12, 30), dt.date(2024, 12, 30)),
        ("30/12/2024", dt.date(2024, 12, 30)),
        (" 5/1/2025 ", dt.date(2025, 1, 5)),
        ("05-01-2025", dt.date(2025, 1, 5)),
        (None, None),
    ],
)
def test_deadline_as_date_or_text(default_bloc, tmp_path, value, expected) -> None:
    bloc = load_bloc(edited(default_bloc[0], tmp_path, {"Thông tin khối!B11": value}))
    assert bloc.info.deadline == expected


def test_default_deadline_is_a_date_cell(default_bloc) -> None:
    ws = openpyxl.load_workbook(default_bloc[0])[L.SHEET_INFO]
    assert ws["A11"].value == L.I_DEADLINE and isinstance(ws["B11"].value, dt.datetime)
    assert default_bloc[1].info.deadline == dt.date(2024, 12, 30)


def test_numbers_typed_as_text_are_accepted(default_bloc, tmp_path) -> None:
    edits = {"Thông tin khối!B6": "2024", "Tiêu chí!C6": "15", "Tiêu chí!C7": "9,5", "Tiêu chí!C8": "5.5",
             "Khen thưởng!B6": "2"}  # fmt: skip
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert bloc.info.year == 2024
    assert bloc.by_code["1.2"].max == Decimal("9.5") and bloc.by_code["1.3"].max == Decimal("5.5")
    assert bloc.awards[1].rank_from == 2


@pytest.mark.parametrize(
    ("text", "expected", "inside", "outside"),
    [
        (">50", Threshold(Decimal(50), strict=True), Decimal("50.01"), Decimal(50)),
        ("> 50 %", Threshold(Decimal(50), strict=True), Decimal(51), Decimal(50)),
        (">=70", Threshold(Decimal(70)), Decimal(70), Decimal("69.99")),
        ("≥ 70%", Threshold(Decimal(70)), Decimal(70), Decimal("69.99")),
        ("70%", Threshold(Decimal(70)), Decimal(70), Decimal("69.99")),
        (70, Threshold(Decimal(70)), Decimal(70), Decimal("69.99")),
        ("62,5", Threshold(Decimal("62.5")), Decimal("62.5"), Decimal("62.49")),
    ],
)
def test_share_thresholds(default_bloc, tmp_path, text, expected, inside, outside) -> None:
    bloc = load_bloc(edited(default_bloc[0], tmp_path, {"Danh hiệu!C5": text}))
    rule = bloc.titles[0].ldtt_share
    assert rule == expected
    assert rule.at_least(inside) and not rule.at_least(outside)


def test_default_titles_follow_the_law(default_bloc) -> None:
    """Art. 27: ≥ 70 % LĐTT, ≥ 1 CSTĐ, nobody failing; Art. 28: more than 50 %, nobody disciplined."""
    excellent, advanced = default_bloc[1].titles
    assert excellent.ldtt_share == Threshold(Decimal(70)) and excellent.cstd_count == Threshold(Decimal(1))
    assert excellent.khtnv_count == Threshold(Decimal(0)) and "Điều 27" in excellent.basis
    assert advanced.ldtt_share == Threshold(Decimal(50), strict=True) and "Điều 28" in advanced.basis
    assert advanced.kl_count == Threshold(Decimal(0)) and not advanced.kl_count.at_most(Decimal(1))
    assert advanced.ldtt_share.at_least(Decimal("50.5")) and not advanced.ldtt_share.at_least(Decimal(50))


def test_the_law_chain_and_its_citations(default_bloc) -> None:
    """Art. 27 chooses 'xuất sắc' among the collectives holding 'tiên tiến' (Art. 28, which
    forbids discipline from 'cảnh cáo' up): the default links them, and cites both articles."""
    excellent, advanced = default_bloc[1].titles
    assert excellent.requires == advanced.name and advanced.requires is None
    assert excellent.kl_count is None  # the discipline condition comes through the chain
    assert default_bloc[1].chain(excellent.name) == (excellent.name, advanced.name)
    for title, article in ((excellent, "Khoản 1 Điều 27"), (advanced, "Khoản 1 Điều 28")):
        assert title.basis.startswith(f"{article} Luật Thi đua, khen thưởng số 06/2022/QH15")
        assert "Nghị định 98/2023/NĐ-CP" in title.basis
    assert "không có cá nhân bị kỷ luật từ hình thức cảnh cáo trở lên" in advanced.basis


def test_the_default_history_is_an_example_of_two_years(default_bloc) -> None:
    bloc = default_bloc[1]
    assert bloc.info.deputy == "TCKH" and bloc.info.deputy != bloc.info.leader
    assert {p.year for p in bloc.history} == {2022, 2023} and len(bloc.history) == 2 * len(bloc.units)
    assert all(set(bloc.past[u.code]) == {2022, 2023} for u in bloc.units)
    first = bloc.past["KTHT"][2022]
    assert (first.total, first.rank, first.title, first.award) == (
        Decimal("99.25"), 1, "Tập thể lao động xuất sắc", "Cờ thi đua của UBND tỉnh",
    )  # fmt: skip
    ws = openpyxl.load_workbook(default_bloc[0])[L.SHEET_HISTORY]
    assert "VÍ DỤ" in ws["A2"].value
    assert {ws.cell(r, 8).value for r in range(5, 5 + len(bloc.history))} == {"Ví dụ"}


def test_without_history_or_the_new_award_columns_a_bloc_still_loads(default_bloc, tmp_path) -> None:
    """A bloc workbook made before these existed: no history, no rating or years to hold."""

    def older(wb: openpyxl.Workbook) -> None:
        del wb[L.SHEET_HISTORY]
        wb[L.SHEET_AWARDS].delete_cols(6, 2)

    bloc = load_bloc(edited(default_bloc[0], tmp_path, then=older))
    assert bloc.history == () and bloc.past == {}
    assert [(a.min_rating, a.years) for a in bloc.awards] == [(None, 1)] * 3


def test_award_rating_and_years(default_bloc, tmp_path) -> None:
    edits = {"Khen thưởng!F6": "htxsnv", "Khen thưởng!G6": 2, **past("B5", " ktht ")}
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert (bloc.awards[1].min_rating, bloc.awards[1].years) == (Rating.HTXSNV, 2)
    assert bloc.history[0].unit == "KTHT"


def test_upper_bound_thresholds(default_bloc, tmp_path) -> None:
    bloc = load_bloc(edited(default_bloc[0], tmp_path, {"Danh hiệu!F6": "<2", "Danh hiệu!E5": "≤1"}))
    assert bloc.titles[1].kl_count == Threshold(Decimal(2), strict=True)
    assert bloc.titles[0].khtnv_count == Threshold(Decimal(1))


def test_leader_code_any_case_and_ratings_abbreviated(default_bloc, tmp_path) -> None:
    edits = {"Thông tin khối!B8": " vhtt ", "Danh hiệu!B5": "htxsnv", "Khen thưởng!E5": "tập thể lao động XUẤT SẮC"}
    bloc = load_bloc(edited(default_bloc[0], tmp_path, edits))
    assert bloc.info.leader == "VHTT"
    assert bloc.titles[0].min_rating == default_bloc[1].titles[0].min_rating
    assert bloc.awards[0].required_title == "Tập thể lao động xuất sắc"


def test_the_default_bloc(default_bloc) -> None:
    """The shipped example: 100 base points, bonus and deduction rows, the seed's settings."""
    _, bloc = default_bloc
    assert bloc.kind_max(Kind.BASE) == bloc.info.base_total == 100
    assert bloc.kind_max(Kind.BONUS) > 0 and bloc.kind_max(Kind.DEDUCTION) > 0
    assert bloc.info.year == 2024 and bloc.info.leader in bloc.unit_by_code
    assert bloc.info.template_password == "" and bloc.info.vote_share_min == 50
    assert len(bloc.units) >= 10 and all(u.code.isascii() for u in bloc.units)


def test_unit_names_differing_only_in_diacritics_are_two_units(default_bloc, tmp_path) -> None:
    bloc = load_bloc(edited(default_bloc[0], tmp_path, {"Đơn vị!B5": "Phòng An", "Đơn vị!B6": "Phòng Ân"}))
    assert [u.name for u in bloc.units[:2]] == ["Phòng An", "Phòng Ân"]


# The bloc workbook as written ----------------------------------------------------------------


def test_bloc_workbook_prints_one_page_wide(default_bloc) -> None:
    wb = openpyxl.load_workbook(default_bloc[0])
    assert wb.sheetnames[:6] == [L.SHEET_GUIDE, *L.BLOC_SHEETS]
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, ws.title
        if ws.title != L.SHEET_GUIDE:
            assert ws.print_title_rows == "$4:$4", ws.title
    # LibreOffice does not shrink a lone column wider than the page: the guide's must fit A4.
    assert wb[L.SHEET_GUIDE].column_dimensions["A"].width <= 95


def test_bloc_header_rows_hold_their_labels(default_bloc) -> None:
    """'Số không hoàn thành nhiệm vụ tối đa' wraps to three lines in its column."""
    wb = openpyxl.load_workbook(default_bloc[0])
    ws = wb[L.SHEET_TITLES]
    column = next(c for c in ws[4] if c.value == L.T_KHTNV).column_letter
    assert ws.column_dimensions[column].width < 20 and ws.row_dimensions[4].height >= 3 * 14
    rows = wb[L.SHEET_CRITERIA].row_dimensions
    assert rows[7].height < 2 * 15  # 1.2: one line of text, one line of guide
    assert rows[6].height >= 2 * 15  # 1.1: two lines
