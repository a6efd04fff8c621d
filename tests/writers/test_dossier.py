"""The dossier for the council (§11): the minutes, the submission and the draft year-end report,
written from a final report the way a bloc makes one (returns filled as units fill them, the
review workbook typed as a secretary types it), read back with python-docx."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Mm, Pt
from helpers import GOOD_DATA, SOFFICE, edit, fill, full_scores, lo_batch, make_bloc, make_templates, pdf_pages, spec

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.ranking.review import apply_review
from thidua_xlsx.writers.dossier import write_dossier
from thidua_xlsx.writers.ranking_book import write_ranking

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
D = Decimal
FONT = "Times New Roman"
# A unit name that a spreadsheet would take for a formula: in Word it is text, never a field.
LINK_NAME = '=HYPERLINK("http://vi.rut/";"Phòng Y tế")'
PLAN = {"VHTT": "0.9", "NV": "0.9", "TP": "0.95", "YT": "0.8", "GDDT": "0.85"}
DATA = {
    "VHTT": GOOD_DATA,
    "NV": GOOD_DATA | {"TS": 14, "LDTT": 13, "CSTD": 2},
    "TP": GOOD_DATA | {"TS": 9, "LDTT": 9, "CSTD": 1},  # CSTĐ 11,11 % of LĐTT: below 15 %
    "YT": GOOD_DATA | {"TS": 16, "LDTT": 13, "CSTD": 1},  # LĐTT 81,25 %: below 90 %
    "GDDT": GOOD_DATA | {"XLTCD": "Hoàn thành nhiệm vụ"},
}
RECORD = {
    L.M_TIME: "8 giờ 00, ngày 05/01/2025", L.M_PLACE: "Hội trường UBND huyện", L.M_CHAIR: "Nguyễn Hữu Hợp",
    L.M_SECRETARY: "Trần Thị Mai", L.NEXT_LEADER: "Phòng Tư pháp", L.LEADER_VOTES: 4, L.NEXT_DEPUTY: "NV",
    L.DEPUTY_VOTES: 3,
}  # fmt: skip
VOTES = {"TP": 5, "VHTT": 3, "NV": 4, "GDDT": 4, "YT": 1}
ADJUST = [
    ("YT", "1.2", 10, "Bổ sung minh chứng cải cách hành chính được công nhận"),
    ("YT", "7.1", 1, "Nộp báo cáo năm chậm 2 lần"),
    ("VHTT", "6.1", 2, "Được UBND tỉnh tặng bằng khen \u202e(gõ kèm ký tự đảo chiều)"),
]
OTHERS = ["VP", "TCKH", "KTHT", "TNMT", "NNPTNT", "LDTBXH", "TTRA", "TTVHTT", "BQLDA", "PTQD", "DVNN"]


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> dict:
    """A bloc whose five units returned their forms, the meeting's record typed into the
    provisional ranking, the final report, its JSON and its dossier."""
    tmp = tmp_path_factory.mktemp("council")
    units = [[code, LINK_NAME if code == "YT" else name, note] for code, name, note in spec()["units"]]
    _, bloc = make_bloc(tmp, spec(units=units))
    templates = make_templates(bloc, tmp / "mau", units=list(PLAN))
    inbox = tmp / "inbox"
    for code, share in PLAN.items():
        fill(templates[code], inbox / f"{code}.xlsx", full_scores(bloc, share), DATA[code])
    review = write_ranking(collect(inbox, bloc), tmp / "xep_hang_2024.xlsx")
    rows = {code: {L.V_VOTES: v} for code, v in VOTES.items()} | {c: {L.V_ATTENDED: L.ABSENT} for c in OTHERS}
    edit(review, meeting=RECORD, rows=rows, adjust=ADJUST)
    report = apply_review(collect(inbox, bloc), review)
    paths = write_dossier(report, tmp / "ho_so_2024")
    return {"tmp": tmp, "inbox": inbox, "report": report, "json": report.to_dict(), "paths": paths}


def document(council: dict, name: str) -> docx.document.Document:
    [path] = [p for p in council["paths"] if p.name.startswith(name)]
    return docx.Document(str(path))


def paragraphs(d) -> list:
    """Every paragraph of the body, those in tables included, in order."""
    out = []
    for block in d.iter_inner_content():
        if isinstance(block, docx.table.Table):
            out += [p for row in block.rows for cell in row.cells for p in cell.paragraphs]
        else:
            out.append(block)
    return out


def text(d) -> str:
    return "\n".join(p.text for p in paragraphs(d))


def table(d, first: str) -> list[list[str]]:
    """The rows (header first) of the table whose header begins with `first`."""
    for t in d.tables:
        rows = [[cell.text for cell in row.cells] for row in t.rows]
        if rows and rows[0][0] == first and len(rows[0]) > 2:
            return rows
    raise AssertionError(f"no table headed {first!r}")


def tbl(t) -> object:
    """A table's w:tbl element, from its first paragraph's (python-docx keeps the table's own private)."""
    return next(t.cell(0, 0).paragraphs[0].paragraph_format.element.iterancestors(f"{W}tbl"))


def num(value: float | int | None) -> str:
    """A JSON number as the documents write it."""
    return vn(D(str(value))) if value is not None else "—"


NAMES = {"bien_ban": "BIÊN BẢN", "to_trinh": "TỜ TRÌNH", "bao_cao": "BÁO CÁO"}


def test_the_three_files_by_their_exact_names(council) -> None:
    assert [p.name for p in council["paths"]] == [
        "bien_ban_hop_binh_xet_2024.docx", "to_trinh_de_nghi_khen_thuong_2024.docx", "bao_cao_tong_ket_2024.docx",
    ]  # fmt: skip
    assert sorted(p.name for p in (council["tmp"] / "ho_so_2024").iterdir()) == sorted(p.name for p in council["paths"])


@pytest.mark.parametrize("name", list(NAMES))
def test_a4_portrait_margins_and_times_new_roman(council, name) -> None:
    d = document(council, name)
    [section] = d.sections
    mm = [round(x.mm, 1) for x in (section.page_width, section.page_height, section.top_margin,
                                    section.bottom_margin, section.left_margin, section.right_margin)]  # fmt: skip
    assert mm == [210, 297, 20, 20, 30, 15]  # stored in twentieths of a point
    # The document defaults name the font for every script, with no theme font to override it.
    fonts = d.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert {k.removeprefix(W): v for k, v in fonts.attrib.items()} == dict.fromkeys(
        ("ascii", "hAnsi", "eastAsia", "cs"), FONT
    )
    assert d.styles["Normal"].font.name == FONT and d.styles["Normal"].font.size == Pt(14)

    def size(p, run) -> Pt:
        if run.font.size:
            return run.font.size
        style = p.style
        while style is not None and style.font.size is None:
            style = style.base_style
        return style.font.size

    body = {"Thân văn bản", "Đề mục", "Phần cần viết"}
    runs = [(p, r) for p in paragraphs(d) for r in p.runs if r.text.strip()]
    assert runs
    for p, r in runs:
        assert r.font.name in (None, FONT), r.text
        assert Pt(11) <= size(p, r) <= Pt(14), (r.text, size(p, r))
        if p.style.name in body:
            assert size(p, r) == Pt(14), r.text
    # Every table within the margins: fixed widths summing to at most 165 mm.
    for t in d.tables:
        assert sum(c.width for c in t.columns) <= Mm(165.1), [c.width.mm for c in t.columns]  # twips rounding
        assert tbl(t).find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"


@pytest.mark.parametrize("name", list(NAMES))
def test_the_administrative_heading(council, name) -> None:
    d = document(council, name)
    heading = d.tables[0]
    issuer, national = heading.cell(0, 0), heading.cell(0, 1)
    lines = [p.text for p in issuer.paragraphs]
    assert lines[:2] == ["UBND HUYỆN Ý YÊN", "KHỐI CÁC PHÒNG CHUYÊN MÔN VÀ ĐƠN VỊ TRỰC THUỘC UBND HUYỆN Ý YÊN"]
    assert [p.text for p in national.paragraphs][:2] == [L.NATIONAL_NAME, L.NATIONAL_MOTTO]
    for cell in (issuer, national):  # each with its short rule under it
        rule = cell.paragraphs[-1]
        assert rule.text == "" and rule.paragraph_format.element.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    assert issuer.paragraphs[1].runs[0].bold and national.paragraphs[1].runs[0].bold
    number, date = heading.cell(1, 0).paragraphs[0], heading.cell(1, 1).paragraphs[0]
    assert number.text == "Số: ……/……"
    assert all(r.italic for r in date.runs)
    if name == "bien_ban":  # the minutes carry the meeting's date
        assert date.text == "Ý Yên, ngày 05 tháng 01 năm 2025"
    else:  # dated by the signer, in the meeting's year
        assert date.text == "Ý Yên, ngày …… tháng …… năm 2025"
    # Borderless, as offices lay out the heading.
    borders = tbl(heading).find(f"{W}tblPr/{W}tblBorders")
    assert {b.get(f"{W}val") for b in borders} == {"nil"}
    # The document type in bold capitals, then its summary in bold.
    after = [p for p in d.paragraphs if p.text.strip()]
    assert after[0].text == NAMES[name] and all(r.bold for r in after[0].runs)
    assert all(r.bold for r in after[1].runs)


def test_every_proposal_is_in_the_submission_with_its_award_and_no_other_unit(council) -> None:
    units = council["json"]["units"]
    members = len(council["json"]["meeting"]["present"])
    proposed = {u["name"]: u for u in units if u["proposal"]}
    assert {u["code"] for u in proposed.values()} == {"TP", "VHTT", "NV", "GDDT"}  # YT: 1/5 votes
    rows = table(document(council, "to_trinh"), "STT")
    assert rows[0] == ["STT", "Tên tập thể", "Hình thức khen thưởng", "Danh hiệu", "Tổng điểm", "Hạng",
                       "Số phiếu suy tôn"]  # fmt: skip
    listed = {row[1]: row for row in rows[1:]}
    assert set(listed) == set(proposed)
    for name, row in listed.items():
        u = proposed[name]
        title = "Tập thể lao động xuất sắc" if u["proposal"] != "Giấy khen của Chủ tịch UBND huyện" else (
            "Tập thể lao động tiên tiến")  # fmt: skip
        assert row[2:] == [u["proposal"], title, num(u["total"]), str(u["rank"]), f"{u['votes']}/{members}"], name
    others = [u["name"] for u in units if not u["proposal"]]
    flat = "\n".join("\t".join(row) for row in rows)
    assert LINK_NAME in others and not [n for n in others if n in flat]


def test_the_submission_says_how_the_bloc_scored_and_voted(council) -> None:
    words = text(document(council, "to_trinh"))
    assert "Kính gửi: Thường trực Hội đồng Thi đua – Khen thưởng." in words
    assert "cuộc họp bình xét, suy tôn ngày 05/01/2025 (5/16 đơn vị thành viên dự họp)" in words
    assert "chấm lại 3 tiêu chí của 2 đơn vị" in words and "ít nhất 3 phiếu" in words
    assert "đề nghị khen thưởng 4 tập thể" in words
    sign = document(council, "to_trinh").tables[-1]
    assert [p.text for p in sign.cell(0, 1).paragraphs if p.text] == ["TM. KHỐI THI ĐUA", "KHỐI TRƯỞNG",
                                                                      "Nguyễn Hữu Hợp"]  # fmt: skip
    assert sign.cell(0, 0).paragraphs[0].text == "Nơi nhận:"


def test_the_minutes_carry_the_meeting_and_every_adjustment_with_its_reason(council) -> None:
    d = document(council, "bien_ban")
    words = text(d)
    meeting = council["json"]["meeting"]
    for value in ("8 giờ 00, ngày 05/01/2025", "Hội trường UBND huyện", "Nguyễn Hữu Hợp", "Trần Thị Mai"):
        assert value in words
    report = council["report"]
    names = {u.code: u.name for u in report.bloc.units}
    assert "đại diện 5/16 đơn vị thành viên" in words
    present = "; ".join(names[c] for c in meeting["present"])
    assert present in words and LINK_NAME in present
    assert "Vắng mặt 11 đơn vị: " + "; ".join(names[c] for c in names if c not in meeting["present"]) in words
    rows = table(d, "STT")
    assert rows[0] == ["STT", "Đơn vị", "Tiêu chí", "Điểm tự chấm", "Điểm khối chấm", "Lý do"]
    expected = [
        [u["name"], a["criterion"], num(a["self"]), num(a["agreed"]), a["reason"].replace("\u202e", "<U+202E>")]
        for u in council["json"]["units"] for a in u["adjustments"]
    ]  # fmt: skip
    assert len(expected) == 3
    assert [[r[1], r[2].split(". ")[0], *r[3:]] for r in rows[1:]] == expected  # '1.2. Thực hiện …': its code
    for unit in council["json"]["units"]:
        if unit["adjustments"]:
            assert f"{unit['name']}: {num(unit['self_total'])} → {num(unit['agreed_total'])} điểm." in words
    # the ranking with the votes of every unit, the proposals, the election
    ranking = table(d, "Hạng")
    for u in council["json"]["units"]:
        row = next(r for r in ranking[1:] if r[1] == u["name"])
        if u["status"] == "ranked":
            assert row == [str(u["rank"]), u["name"], num(u["self_total"]), num(u["total"]), f"{u['votes']}/5",
                           u["proposal"] or "Không"]  # fmt: skip
    assert "Khối trưởng: Phòng Tư pháp, được 4/5 phiếu (80\u00a0%)." in words
    assert "Khối phó: Phòng Nội vụ, được 3/5 phiếu (60\u00a0%)." in words
    sign = d.tables[-1]
    assert [p.text for p in sign.cell(0, 0).paragraphs if p.text] == ["THƯ KÝ", "Trần Thị Mai"]
    assert [p.text for p in sign.cell(0, 1).paragraphs if p.text] == ["CHỦ TRÌ", "Nguyễn Hữu Hợp"]
    assert sign.cell(1, 0).paragraphs[0].text == "Nơi nhận:"


def test_the_year_end_report_has_the_final_figures(council) -> None:
    d = document(council, "bao_cao")
    words = text(d)
    units = council["json"]["units"]
    ranking = table(d, "Hạng")
    assert ranking[0] == ["Hạng", "Đơn vị", "Tổng điểm tự chấm", "Điểm chuẩn", "Điểm thưởng", "Điểm trừ",
                          "Tổng điểm", "Xếp loại đơn vị"]  # fmt: skip
    assert [row[1] for row in ranking[1:]] == [u["name"] for u in units]  # the ranking's order
    for u, row in zip(units, ranking[1:], strict=True):
        if u["status"] == "ranked":
            assert row[:7] == [str(u["rank"]), u["name"], num(u["self_total"]), num(u["base"]), num(u["bonus"]),
                               num(u["deduction"]), num(u["total"])]  # fmt: skip
        else:
            assert row[0] == "—" and row[6] == "—"
    # the returns: who sent, and when (the time of the file used)
    received = table(d, "STT")
    assert received[0] == ["STT", "Đơn vị", "Thời gian tệp", "Hạn nộp", "Tình trạng"]
    sent = {u["name"]: u for u in units if u["file"]}
    for row in received[1:]:
        u = sent.get(row[1])
        if u is None:
            assert row[2:] == ["—", "—", "Chưa nộp"]
            continue
        stamp = dt.datetime.fromtimestamp(os.stat(u["file"]).st_mtime)
        assert row[2] == f"{stamp:%d/%m/%Y %H:%M}"
        assert row[3] == ("Đúng hạn" if stamp.date() <= dt.date(2024, 12, 30) else "Sau hạn")
    assert "5/16 đơn vị đã gửi bảng tự chấm điểm về khối trưởng (hạn nộp 30/12/2024)" in words
    # the targets, per unit and for the bloc
    targets = next(t for t in d.tables if t.cell(0, 2).text == "Tổng số người")
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in targets.rows[1:]}
    assert rows[LINK_NAME][2:5] == ["16", "13\n(81,25\u00a0%)", "1\n(7,69\u00a0%)"]
    assert rows[LINK_NAME][6] == "Chưa đạt: LĐTT, CSTĐ"
    assert rows["Phòng Giáo dục và Đào tạo"][5:] == ["HTXSNV\nHTNV", "Chưa đạt: xếp loại TCĐ"]
    assert rows["Phòng Văn hóa và Thông tin"][6] == "Đạt cả 4"
    ts = sum(DATA[c]["TS"] for c in PLAN)
    ldtt = sum(DATA[c]["LDTT"] for c in PLAN)
    cstd = sum(DATA[c]["CSTD"] for c in PLAN)
    assert (ts, ldtt, cstd) == (79, 73, 10)
    assert rows["Toàn khối"][2:5] == ["79", "73\n(92,41\u00a0%)", "10\n(13,7\u00a0%)"]
    met = {k: sum(1 for u in units if u["targets_met"][k]) for k in ("ldtt", "cstd", "unit_rating", "party_rating")}
    assert met == {"ldtt": 4, "cstd": 3, "unit_rating": 5, "party_rating": 4}
    summary = (
        "4/5 đơn vị đạt chỉ tiêu tỷ lệ Lao động tiên tiến; 3/5 đơn vị đạt chỉ tiêu tỷ lệ Chiến sĩ thi đua; "
        "5/5 đơn vị đạt chỉ tiêu xếp loại đơn vị; 4/5 đơn vị đạt chỉ tiêu xếp loại tổ chức đảng"
    )
    assert summary in words
    # titles, proposals, next year's leader and deputy
    eligible = [u["name"] for u in units if u["eligible"].get("Tập thể lao động xuất sắc")]
    assert f"Tập thể lao động xuất sắc: {len(eligible)} đơn vị đủ điều kiện ({'; '.join(eligible)})." in words
    for u in units:
        if u["proposal"]:
            assert f"{u['name']} (hạng {u['rank']}, {num(u['total'])} điểm, {u['votes']}/5 phiếu" in words
    assert "Khối trưởng năm 2025: Phòng Tư pháp, được 4/5 phiếu (80\u00a0%)." in words
    assert "Khối phó năm 2025: Phòng Nội vụ, được 3/5 phiếu (60\u00a0%)." in words


def test_the_parts_to_write_are_bracketed_instructions(council) -> None:
    d = document(council, "bao_cao")
    notes = [p for p in d.paragraphs if p.style.name == "Phần cần viết"]
    assert len(notes) >= 5
    for p in notes:
        assert p.text.startswith("[Khối trưởng") and p.text.endswith("]")
        assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in p.runs)
    assert "lorem" not in text(d).lower()


@pytest.mark.parametrize("name", list(NAMES))
def test_text_from_files_is_text_never_a_field(council, name) -> None:
    """A unit name "=HYPERLINK(…)" is printed as written; the body holds no field, link or
    control character (a bidi override is shown as <U+202E>); the only field is the page number."""
    d = document(council, name)
    body = d.element.find(f"{W}body")
    for tag in ("fldSimple", "instrText", "fldChar", "hyperlink"):
        assert body.find(f".//{W}{tag}") is None, tag
    if name != "to_trinh":  # the unit so named is not proposed
        assert LINK_NAME in text(d)
    assert "\u202e" not in text(d)
    fields = [f.get(f"{W}instr") for f in d.sections[0].header.paragraphs[0].paragraph_format.element.iter(
        f"{W}fldSimple")]  # fmt: skip
    assert fields == ["PAGE"]
    assert d.sections[0].different_first_page_header_footer  # no number on the first page


def test_the_dossier_replaces_only_its_own_files(council, tmp_path) -> None:
    folder = tmp_path / "ho_so"
    folder.mkdir()
    (folder / "ghi_chu.txt").write_text("của khối trưởng", encoding="utf-8")
    (folder / "bien_ban_hop_binh_xet_2024.docx").write_bytes(b"old")
    old = os.umask(0o027)
    try:
        paths = write_dossier(council["report"], folder)
    finally:
        os.umask(old)
    assert (folder / "ghi_chu.txt").read_text(encoding="utf-8") == "của khối trưởng"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["ghi_chu.txt", *(p.name for p in paths)])
    for path in paths:  # replaced whole, no temporary file left, the mode the umask gives
        assert docx.Document(str(path)).tables and path.stat().st_mode & 0o777 == 0o640


def test_a_provisional_report_has_no_dossier(council, tmp_path) -> None:
    report = collect(council["inbox"], council["report"].bloc)
    with pytest.raises(ThiduaError, match="kết quả chính thức"):
        write_dossier(report, tmp_path / "ho_so")
    assert not (tmp_path / "ho_so").exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_each_document_and_the_signature_is_never_alone(council, tmp_path) -> None:
    """Writer converts each document to PDF; the page with the signer's name also holds the
    closing sentence above it, and every page but the first is numbered."""
    pdfs = lo_batch(council["paths"], "pdf", tmp_path / "pdf", tmp_path / "profile")
    closing = {"bien_ban": "nội dung biên bản./.", "to_trinh": "nêu trên./.", "bao_cao": "Trên đây là báo cáo"}
    for pdf in pdfs:
        pages = pdf_pages(pdf)
        key = next(k for k in closing if pdf.name.startswith(k))
        assert NAMES[key] in pages[0] and L.NATIONAL_NAME in pages[0]
        signer, last_words = "Nguyễn Hữu Hợp", closing[key]
        page = pages[-1]  # the signature closes the document, with the words before it
        assert signer in page and ("CHỦ TRÌ" in page or "KHỐI TRƯỞNG" in page), (pdf.name, page)
        assert last_words in " ".join(page.split()), (pdf.name, page)
        for n, other in enumerate(pages[1:], start=2):
            assert other.strip().splitlines()[0].strip() == str(n)


# Word refuses a file whose property elements are out of the schema's order (LibreOffice and
# python-docx do not mind, so nothing else would notice). ECMA-376 Part 1, §17.3.1.26 and §17.4.60.
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr", "pBdr", "shd", "tabs",
             "spacing", "ind", "contextualSpacing", "jc", "outlineLvl", "rPr"]  # fmt: skip
TBLPR_ORDER = ["tblStyle", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd",
               "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]  # fmt: skip
FIRST = {"p": "pPr", "tr": "trPr", "tbl": "tblPr", "tc": "tcPr", "r": "rPr"}


@pytest.mark.parametrize("name", list(NAMES))
def test_properties_in_the_order_word_requires(council, name) -> None:
    d = document(council, name)
    roots = [d.element, d.styles.element, *(p.paragraph_format.element for p in d.sections[0].header.paragraphs)]
    seen = set()
    for root in roots:
        for el in root.iter():
            if not isinstance(el.tag, str) or not el.tag.startswith(W):
                continue
            tag = el.tag.removeprefix(W)
            kids = [k.tag.removeprefix(W) for k in el if isinstance(k.tag, str) and k.tag.startswith(W)]
            if tag in FIRST and FIRST[tag] in kids:
                assert kids.index(FIRST[tag]) == 0, (tag, kids)
            for props, order in (("pPr", PPR_ORDER), ("tblPr", TBLPR_ORDER)):
                if tag == props:
                    unknown = [k for k in kids if k not in order]
                    assert not unknown, (props, unknown)  # extend the list above before using one
                    assert kids == sorted(kids, key=order.index), (props, kids)
                    seen.add(props)
    assert seen == {"pPr", "tblPr"}


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("8 giờ 00, ngày 05/01/2025", dt.date(2025, 1, 5)),
        ("ngày 05/01/2025", dt.date(2025, 1, 5)),  # a date cell, as the review reads it
        ("14h, ngày 8 tháng 1 năm 2025", dt.date(2025, 1, 8)),
        ("08-01-2025, 8 giờ", dt.date(2025, 1, 8)),
        ("ngày 08/01/2025 (tức ngày 8 tháng 1 năm 2025)", dt.date(2025, 1, 8)),  # the same date twice
        ("05/01/2025 hoặc 06/01/2025", None),  # two dates: neither is printed
        ("31/02/2025", None),
        ("sáng thứ Tư", None),
        ("", None),
    ],
)
def test_the_meeting_date_is_read_only_when_it_is_one_date(time, expected) -> None:
    from thidua_xlsx.core.report import Meeting
    from thidua_xlsx.writers.dossier_facts import meeting_date

    assert meeting_date(Meeting(time=time)) == expected


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(2025, 1, 5), "ngày 05 tháng 01 năm 2025"),
        (dt.date(2025, 2, 28), "ngày 28 tháng 02 năm 2025"),
        (dt.date(2025, 3, 9), "ngày 09 tháng 3 năm 2025"),  # months from 3 on without a zero
        (dt.date(2024, 12, 30), "ngày 30 tháng 12 năm 2024"),
    ],
)
def test_dates_in_words_as_the_decree_writes_them(day, words) -> None:
    from thidua_xlsx.writers.dossier_facts import vn_date

    assert vn_date(day) == words


def test_a_meeting_that_recorded_little_and_proposed_nothing(council, tmp_path) -> None:
    """No time, place, chair or election typed, no governing body, nobody proposed: the
    documents say so, and leave dots where the record is silent."""
    from dataclasses import replace

    from thidua_xlsx.core.report import Meeting

    report = council["report"]
    bloc = replace(report.bloc, info=replace(report.bloc.info, governing_body=""))
    units = tuple(u.changed(proposal=None) for u in report.units)
    silent = replace(report, bloc=bloc, units=units, meeting=Meeting(present=report.meeting.present))
    minutes, submission, year_end = (docx.Document(str(p)) for p in write_dossier(silent, tmp_path))
    heading = minutes.tables[0].cell(0, 0)
    assert [p.text for p in heading.paragraphs][:1] == [report.bloc.info.name.upper()]
    assert minutes.tables[0].cell(1, 1).text == "Ý Yên, ngày …… tháng …… năm ……"
    words = text(minutes)
    assert "1. Thời gian: ……." in words and "3. Chủ trì: ……; thư ký: ……." in words
    assert "Khối trưởng: chưa bầu." in words and "không có đơn vị nào được đề nghị khen thưởng" in words
    assert "khối không có tập thể đủ điều kiện để đề nghị khen thưởng" in text(submission)
    assert not [t for t in submission.tables if t.cell(0, 1).text == "Tên tập thể"]
    assert "Khối không có tập thể được đề nghị khen thưởng." in text(year_end)
    assert "Khối trưởng năm 2025: chưa bầu." in text(year_end)
