"""The template in LibreOffice: every template prints to PDF one page wide, and a filled template
re-saved by LibreOffice carries totals and a status that LibreOffice computed itself.

LibreOffice starts once per target format for all files, with one private profile."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import EXPECTED_90, GOOD_DATA, PDFTOTEXT, PLAN_90, fill, lo_batch, pdf_pages, read

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
from thidua_xlsx.intake.returns import Evidence

pytestmark = pytest.mark.libreoffice


# YT leaves 1.2 and 4.4 blank, gives 2.1 nine points of eight and types 'bảy' in 3.1.
PARTIAL = {code: v for code, v in PLAN_90.items() if code not in ("1.2", "4.4")} | {"2.1": 9, "3.1": "bảy"}


@pytest.fixture(scope="module")
def lo(default_bloc, default_templates, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """PDFs of every template; the filled VHTT and YT and the empty NV re-saved by LibreOffice."""
    work = tmp_path_factory.mktemp("lo-mau")
    profile = work / "profile"
    filled = {
        "VHTT": fill(default_templates["VHTT"], work / "goc" / "VHTT.xlsx", PLAN_90, GOOD_DATA),
        "YT": fill(default_templates["YT"], work / "goc" / "YT.xlsx", PARTIAL, GOOD_DATA),
    }
    # TP scores every criterion but leaves 'Số liệu' empty: collect would reject it, so the form
    # must not say it is complete.
    no_data = fill(default_templates["TP"], work / "goc" / "TP.xlsx", PLAN_90, {})
    empty = work / "goc" / "NV.xlsx"
    shutil.copy(default_templates["NV"], empty)
    bloc = default_bloc[0]  # the bloc workbook rides along: a bloc leader may use LibreOffice too
    pdfs = lo_batch([*default_templates.values(), bloc], "pdf", work / "pdf", profile)
    xlsx = lo_batch([*filled.values(), empty, no_data, bloc], "xlsx", work / "xlsx", profile)
    xls = lo_batch(list(filled.values()), "xls", work / "xls", profile)
    ods = lo_batch([*filled.values(), bloc], "ods", work / "ods", profile)
    return {
        "pdf": dict(zip([*default_templates, "khoi"], pdfs, strict=True)),
        "original": filled,
        "xlsx": dict(zip([*filled, "NV", "TP", "khoi"], xlsx, strict=True)),
        "xls": dict(zip(filled, xls, strict=True)),
        "ods": dict(zip([*filled, "khoi"], ods, strict=True)),
    }


def test_every_template_prints(lo, default_bloc) -> None:
    _, bloc = default_bloc
    assert set(lo["pdf"]) == {*bloc.unit_by_code, "khoi"}
    for code, pdf in lo["pdf"].items():
        if code == "khoi":
            continue
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000, code
        if PDFTOTEXT is None:
            continue
        pages = pdf_pages(pdf)
        first = " ".join(pages[0].split())
        assert f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {bloc.info.year}" in first and bloc.unit_by_code[code].name in first
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
        # One page wide: every page that shows the table's header shows its last column too.
        for page in pages:
            if "Nội dung tiêu chí" in page and "Điểm tối đa" in page:
                assert "Giải trình, minh chứng" in " ".join(page.split()), code
        assert any("THỦ TRƯỞNG ĐƠN VỊ" in page for page in pages)


def computed(path: Path) -> tuple[str, dict[str, Decimal | None], list[Decimal | None]]:
    """What LibreOffice cached: the status text, totals by label, and section values."""
    ws = openpyxl.load_workbook(path, data_only=True)[L.SHEET_SCORES]
    status = next(c.value for row in ws.iter_rows(max_row=8) for c in row if str(c.value).startswith("Tình trạng"))
    values: dict[str, Decimal | None] = {}
    sections = []
    for r in range(1, ws.max_row + 1):
        code, label, value = ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 4).value
        if label in L.TOTAL_LABELS and code is None:
            values[label] = None if value is None else Decimal(str(value))
        elif code in ("1", "6", "7"):
            sections.append(None if value is None else Decimal(str(value)))
    return status, values, sections


def test_libreoffice_computes_the_totals_itself(lo) -> None:
    status, values, sections = computed(lo["xlsx"]["VHTT"])
    assert values == dict(zip(L.TOTAL_LABELS, EXPECTED_90, strict=True))
    assert sections == [Decimal("26.5"), Decimal(2), Decimal("0.5")]  # 13.5 + 8 + 5; 1.5 + 0.5; 0.5
    assert status == "Tình trạng: đã chấm đủ 23/23 tiêu chí và nhập đủ 7/7 số liệu."


def test_libreoffice_status_names_what_is_missing(lo) -> None:
    status, values, _ = computed(lo["xlsx"]["YT"])
    assert status == (
        "Tình trạng: còn 3/23 tiêu chí chưa chấm điểm (ô tô vàng); có 2 ô điểm không hợp lệ (tô đỏ): sửa lại."
    )
    assert values[L.TOTAL_BASE] == Decimal("88.5") - 8 - Decimal("2.5") + Decimal("1.5") - 8
    status, values, _ = computed(lo["xlsx"]["NV"])  # the template as written: no cached 0 shown
    assert status == (
        "Tình trạng: còn 23/23 tiêu chí chưa chấm điểm (ô tô vàng); còn 7/7 số liệu ở trang 'Số liệu' chưa nhập."
    )
    status, _, _ = computed(lo["xlsx"]["TP"])  # every score typed, no data: not complete
    assert status == "Tình trạng: còn 7/7 số liệu ở trang 'Số liệu' chưa nhập."
    assert set(values.values()) == {Decimal(0)}


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_libreoffice_resaves_read_back_to_the_same_numbers(lo, default_bloc, fmt) -> None:
    _, bloc = default_bloc
    r = read(lo[fmt]["VHTT"], bloc)
    assert r.unit == "VHTT" and r.identified_by is Evidence.FORM and not r.errors, [i.message for i in r.issues]
    assert r.scores == {code: Decimal(str(v)) for code, v in PLAN_90.items()}
    assert bloc.totals(r.scores) == EXPECTED_90
    assert r.data == read(lo["original"]["VHTT"], bloc).data
    partial, original = read(lo[fmt]["YT"], bloc), read(lo["original"]["YT"], bloc)
    assert partial.scores == original.scores and partial.scores["1.2"] is None
    assert sorted((i.code, i.cell) for i in partial.issues) == sorted((i.code, i.cell) for i in original.issues)


def test_bloc_workbook_prints_whole_and_survives_libreoffice(lo, default_bloc) -> None:
    _, bloc = default_bloc
    pdf = lo["pdf"]["khoi"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if PDFTOTEXT is not None:
        text = " ".join(" ".join(pdf_pages(pdf)).split())
        # The guide's lone wide column was cut at the page edge: its sentences must print whole.
        assert "điều kiện danh hiệu và quy tắc đề nghị khen thưởng" in text
        for title in ("THÔNG TIN KHỐI THI ĐUA", "TIÊU CHÍ CHẤM ĐIỂM THI ĐUA", "QUY TẮC ĐỀ NGHỊ KHEN THƯỞNG"):
            assert title in text
    for fmt in ("xlsx", "ods"):
        again = load_bloc(lo[fmt]["khoi"])
        assert again.fingerprint == bloc.fingerprint and again.info == bloc.info, fmt
        assert again.units == bloc.units and again.titles == bloc.titles
        assert [(a.name, a.rank_from, a.rank_to, a.required_title) for a in again.awards] == [
            (a.name, a.rank_from, a.rank_to, a.required_title) for a in bloc.awards
        ]
