"""The ranking workbook in LibreOffice: the samples' provisional ranking and the final one after
a meeting print every sheet, the ranking table one page wide, with the signature blocks, and the
minutes print as a page a secretary signs. A LibreOffice re-save keeps every sheet.

LibreOffice starts once per target format for both workbooks, with one private profile."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from helpers import PDFTOTEXT, SAMPLES, edit, lo_batch, pdf_pages

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.labels import V_AGREED, V_REASON, V_VOTES
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.ranking.review import apply_review
from thidua_xlsx.writers.ranking_book import write_ranking

pytestmark = pytest.mark.libreoffice


REASON = "Bổ sung minh chứng được công nhận tại hội nghị"
TITLES = [  # one per sheet, in the workbook's order
    "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA NĂM 2024",
    "CHI TIẾT ĐIỂM TỰ CHẤM",
    "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA",
    "ĐIỀU KIỆN DANH HIỆU THI ĐUA TẬP THỂ",
    "KẾT QUẢ KIỂM TRA CÁC TỆP TỰ CHẤM ĐIỂM",
    "TÌNH HÌNH NỘP BẢNG TỰ CHẤM ĐIỂM",
    "BÌNH XÉT, SUY TÔN THI ĐUA NĂM 2024",
]


@pytest.fixture(scope="module")
def lo(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """The samples' provisional ranking, the final ranking of a meeting on it, as PDF and as
    LibreOffice re-saved them."""
    work = tmp_path_factory.mktemp("lo-xep-hang")
    bloc = load_bloc(SAMPLES / "khoi.xlsx")
    report = collect(SAMPLES / "inbox", bloc, shown_as="inbox")
    provisional = write_ranking(report, work / "tam_thoi.xlsx")
    meeting = work / "binh_xet.xlsx"
    shutil.copy(provisional, meeting)
    ranked = [u.code for u in report.units if u.rank is not None]
    votes = {code: 12 for code in ranked[:4]} | {code: 3 for code in ranked[4:]}
    rows = {code: {V_VOTES: v} for code, v in votes.items()}
    rows[ranked[-1]] |= {V_AGREED: 99, V_REASON: REASON}
    edit(meeting, present=15, leader=ranked[1], deputy=ranked[2], rows=rows)
    reviewed = apply_review(collect(SAMPLES / "inbox", bloc, shown_as="inbox"), meeting)
    final = write_ranking(reviewed, work / "final.xlsx")
    profile = work / "profile"
    books = {"provisional": provisional, "final": final}
    return {
        "pdf": dict(zip(books, lo_batch(list(books.values()), "pdf", work / "pdf", profile), strict=True)),
        "xlsx": dict(zip(books, lo_batch(list(books.values()), "xlsx", work / "xlsx", profile), strict=True)),
        "book": books,
        "last": {"code": ranked[-1], "name": next(u.name for u in report.units if u.code == ranked[-1])},
    }


def flat(page: str) -> str:
    return " ".join(page.split())


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed")
@pytest.mark.parametrize("which", ["provisional", "final"])
def test_every_sheet_prints_in_order_with_the_ranking_one_page_wide(lo, which) -> None:
    pages = [flat(p) for p in pdf_pages(lo["pdf"][which])]
    text = " ".join(pages)
    found = [text.find(title) for title in TITLES]
    assert all(i >= 0 for i in found) and found == sorted(found), list(zip(TITLES, found, strict=True))
    first = pages[0]
    assert "UBND HUYỆN Ý YÊN" in first and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "Độc lập - Tự do - Hạnh phúc" in first
    # One page wide: every page of 'Xếp hạng' with the table's header carries its last column too.
    ranking = pages[: next(i for i, p in enumerate(pages) if TITLES[1] in p)]
    table = [p for p in ranking if "Tên đơn vị" in p]
    assert table and all("Ghi chú" in p and "Đề nghị khen thưởng" in p for p in table)
    # The signatures close 'Xếp hạng' (nothing prints after the signer's name but the page number),
    # the chart of totals above them on their page, so they never stand alone under a repeated header.
    signed = next(p for p in ranking if "TM. KHỐI THI ĐUA" in p)
    assert signed == ranking[-1] and re.search(r"Nguyễn Hữu Hợp Trang \d+/\d+$", signed), signed[-200:]
    chart = "Tổng điểm thi đua của các đơn vị"
    assert chart in signed and signed.index(chart) < signed.index("NGƯỜI LẬP BIỂU")
    assert "Nguyễn Hữu Hợp" in text  # the signer of the ranking
    assert ("(CHÍNH THỨC)" in first) is (which == "final")


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed")
def test_the_minutes_print_as_a_page_a_secretary_signs(lo) -> None:
    pages = [flat(p) for p in pdf_pages(lo["pdf"]["final"])]
    minutes = [p for p in pages if "BIÊN BẢN" in p]
    assert minutes, "no page of minutes"
    text = " ".join(pages[pages.index(minutes[0]) :])
    for words in (
        "Họp bình xét, suy tôn thi đua năm 2024",
        "I. ĐIỀU CHỈNH ĐIỂM ĐÃ THỐNG NHẤT",
        REASON,
        "II. KẾT QUẢ BỎ PHIẾU SUY TÔN",
        "III. BẦU KHỐI TRƯỞNG, KHỐI PHÓ NĂM SAU",
        "THƯ KÝ",
        "TRƯỞNG KHỐI",
    ):
        assert words in text, words
    # The signatures close the minutes on the page that ends them, not alone on a page of their own.
    last = next(p for p in reversed(pages) if "THƯ KÝ" in p)
    assert "Biên bản được lập và thông qua tại cuộc họp" in last or "III. BẦU KHỐI TRƯỞNG" in last


@pytest.mark.parametrize("which", ["provisional", "final"])
def test_a_libreoffice_resave_keeps_every_sheet_and_the_totals(lo, which) -> None:
    ours, theirs = openpyxl.load_workbook(lo["book"][which]), openpyxl.load_workbook(lo["xlsx"][which])
    assert [n for n in theirs.sheetnames if not n.startswith("_")] == [
        n for n in ours.sheetnames if not n.startswith("_")
    ]
    expected = [*L.RANKING_SHEETS, L.R_MINUTES] if which == "final" else list(L.RANKING_SHEETS)
    assert [n for n in theirs.sheetnames if n in expected] == expected

    def ranking(book) -> list[tuple]:
        ws = book[L.R_RANKING]
        rows = list(ws.iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if "Tổng điểm" in r)
        total = rows[head].index("Tổng điểm")
        code = rows[head].index("Mã đơn vị")
        return [(r[code], r[total]) for r in rows[head + 1 :] if r[code]]

    assert ranking(theirs) == ranking(ours) and len(ranking(ours)) >= 14
