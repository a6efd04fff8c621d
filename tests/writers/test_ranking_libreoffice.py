"""The ranking workbook in LibreOffice: the samples' provisional ranking and the final one after
a meeting print every sheet, the ranking table one page wide, with the signature blocks, and the
minutes print as a page a secretary signs. A LibreOffice re-save keeps every sheet.

LibreOffice starts once per target format for both workbooks, with one private profile."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import PDFTOTEXT, SAMPLES, adjust_table, edit, lo_batch, locate, pdf_pages

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
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
    "ĐIỀU CHỈNH ĐIỂM TẠI CUỘC HỌP BÌNH XÉT NĂM 2024",
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
    rows = {code: {L.V_VOTES: v} for code, v in votes.items()} | {"PTQD": {L.V_ATTENDED: L.ABSENT}}
    record = {L.M_TIME: "ngày 05/01/2025", L.M_PLACE: "Hội trường UBND huyện", L.M_CHAIR: "Nguyễn Hữu Hợp",
              L.M_SECRETARY: "Trần Thị Mai", L.NEXT_LEADER: ranked[1], L.LEADER_VOTES: 13, L.NEXT_DEPUTY: ranked[2],
              L.DEPUTY_VOTES: 12}  # fmt: skip
    # The last ranked unit (DVNN, 87) gets a point more on 4.3 (3 → 4), 1,5 more on 2.2 (4,5 → 6) and
    # a point of deduction on 7.2 (0 → 1): 87 + 1 + 1,5 − 1 = 88,5.
    adjust = [
        (ranked[-1], "4.3", 4, REASON), (ranked[-1], "2.2", 6, "Có kế hoạch, sơ kết đầy đủ"),
        (ranked[-1], "7.2", 1, "Không dự hội nghị sơ kết của khối"),
    ]  # fmt: skip
    edit(meeting, meeting=record, rows=rows, adjust=adjust)
    profile = work / "profile"
    # The meeting's workbook as LibreOffice saves it: its live cells computed (a real save).
    saved = lo_batch([meeting], "xlsx", work / "lo-binh-xet", profile)[0]
    reviewed = apply_review(collect(SAMPLES / "inbox", bloc, shown_as="inbox"), meeting)
    final = write_ranking(reviewed, work / "final.xlsx")
    books = {"provisional": provisional, "final": final}
    return {
        "pdf": dict(zip(books, lo_batch(list(books.values()), "pdf", work / "pdf", profile), strict=True)),
        "xlsx": dict(zip(books, lo_batch(list(books.values()), "xlsx", work / "xlsx", profile), strict=True)),
        "book": books,
        "meeting": meeting,
        "saved": saved,
        "reviewed": reviewed,
        "last": {"code": ranked[-1], "name": next(u.name for u in report.units if u.code == ranked[-1])},
    }


def test_libreoffice_computes_the_meetings_live_cells(lo) -> None:
    """Saved by LibreOffice, 'Bình xét' holds the members present and each unit's agreed total as
    the meeting typed its changes, and 'Điều chỉnh điểm' each changed criterion's self score."""
    book = openpyxl.load_workbook(lo["saved"], data_only=True)
    ws = book[L.R_REVIEW]
    inputs, cols, head = locate(ws)
    assert ws[inputs[L.PRESENT]].value == 15
    final = {u.code: u for u in lo["reviewed"].units}
    for r in range(head + 1, ws.max_row + 1):
        code = ws.cell(r, cols[L.V_CODE]).value
        if code and final[code].total is not None:
            assert Decimal(str(ws.cell(r, cols[L.V_AGREED]).value)) == final[code].total, code
    last = final[lo["last"]["code"]]
    assert last.self_total == Decimal(87) and last.total == Decimal("88.5")
    adj = book[L.R_ADJUST]
    top, acols = adjust_table(adj)
    assert [adj.cell(top + 1 + i, acols[L.J_SELF]).value for i in range(3)] == [3, 4.5, 0]


def test_a_libreoffice_saved_review_gives_the_same_final_ranking(lo) -> None:
    again = apply_review(collect(SAMPLES / "inbox", load_bloc(SAMPLES / "khoi.xlsx"), shown_as="inbox"), lo["saved"])
    assert [(u.code, u.rank, u.total, u.votes, u.adjustments) for u in again.units] == [
        (u.code, u.rank, u.total, u.votes, u.adjustments) for u in lo["reviewed"].units
    ]
    assert again.meeting is not None and lo["reviewed"].meeting is not None
    assert again.meeting.present == lo["reviewed"].meeting.present


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
        "Thời gian: ngày 05/01/2025.",
        "I. KIỂM TRA KẾT QUẢ TỰ CHẤM ĐIỂM",
        REASON,
        "II. KẾT QUẢ BÌNH XÉT, BỎ PHIẾU SUY TÔN",
        "III. BẦU KHỐI TRƯỞNG, KHỐI PHÓ NĂM SAU",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ):
        assert words in text, words
    # The signatures close the minutes on the page that ends them, not alone on a page of their own.
    last = next(p for p in reversed(pages) if "THƯ KÝ" in p)
    assert "Biên bản được lập và thông qua tại cuộc họp" in last or "III. BẦU KHỐI TRƯỞNG" in last
    assert re.search(r"Trần Thị Mai Nguyễn Hữu Hợp Trang \d+/\d+$", last), last[-200:]  # nothing after


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
