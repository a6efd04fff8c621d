"""Reports and scans sent with the returns (§5): each placed on its unit, never read as a return.

The inbox is made as units fill it: returns from the templates (openpyxl), a report written in
Word (python-docx) and saved by LibreOffice as PDF and as .doc, a phone photo (.jpg), one report
in a zip, one in a unit's folder; then the odd ones: a photo nobody can place, a file naming
two units, a Word file that is a PDF, a Word file that unpacks to gigabytes, a 30 MB .docx."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from helpers import GOOD_DATA, fill, full_scores, lo_batch

from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.core.report import FileKind, Report, Status
from thidua_xlsx.intake.documents import MAX_DOCUMENT_BYTES, match_documents
from thidua_xlsx.intake.identify import Evidence
from thidua_xlsx.intake.inbox import walk_inbox
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.json_report import write_json
from thidua_xlsx.writers.ranking_book import write_ranking

# A photo as a phone saves it (JFIF); its content is never looked at.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////"
    "////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
LEADER = "Phòng Văn hóa và Thông tin"


def report_docx(path: Path, sender: str, *, body: str = "Đơn vị đã hoàn thành các chỉ tiêu được giao.") -> Path:
    """A year-end report as an office writes it in Word: the district and the sender on top,
    the title, the addressee (the bloc leader), then the text."""
    doc = docx.Document()
    head = doc.add_table(rows=2, cols=2)  # the usual two-column heading, as a borderless table
    head.cell(0, 0).text, head.cell(0, 1).text = "UBND HUYỆN Ý YÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    head.cell(1, 0).text, head.cell(1, 1).text = sender.upper(), "Độc lập - Tự do - Hạnh phúc"
    for text in ("BÁO CÁO", "Tổng kết công tác thi đua, khen thưởng năm 2024",
                 f"Kính gửi: {LEADER} (Khối trưởng khối thi đua)", "I. KẾT QUẢ ĐẠT ĐƯỢC", body):  # fmt: skip
        doc.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def returns(bloc: Bloc, templates: dict[str, Path], inbox: Path, codes: list[str]) -> None:
    for code in codes:
        fill(templates[code], inbox / f"{code} - bang tu cham 2024.xlsx", full_scores(bloc, "0.9"), GOOD_DATA)


@pytest.fixture(scope="module")
def inbox(default_bloc, default_templates, tmp_path_factory) -> Path:
    _, bloc = default_bloc
    work = tmp_path_factory.mktemp("documents")
    inbox = work / "inbox"
    returns(bloc, default_templates, inbox, ["VHTT", "GDDT", "YT", "TP", "LDTBXH", "NV"])
    # YT's report: its name says nothing, its heading says YT (the addressee, VHTT, is not the sender)
    report_docx(inbox / "email 28-12" / "Bao cao tong ket nam 2024.docx", "Phòng Y tế")
    # VHTT signs and scans: LibreOffice's PDF stands for the scan; TP keeps its Word 97 file
    made = work / "made"
    vhtt = report_docx(made / "VHTT_bao_cao_tong_ket.docx", LEADER)
    tp = report_docx(made / "Phòng Tư pháp - báo cáo.docx", "Phòng Tư pháp")
    (pdf,) = lo_batch([vhtt], "pdf", work / "pdf", work / "lo-profile")
    (doc,) = lo_batch([tp], "doc", work / "doc", work / "lo-profile")
    pdf.rename(inbox / pdf.name)
    doc.rename(inbox / doc.name)
    # GDDT sends a zip named after it holding a photo; NV puts its scan in its own folder
    with zipfile.ZipFile(inbox / "PGD&DT gui khoi truong.zip", "w") as zf:
        zf.writestr("anh chup bao cao.jpg", JPEG)
    (inbox / "Phòng Nội vụ").mkdir()
    (inbox / "Phòng Nội vụ" / "scan_0001.jpg").write_bytes(JPEG)
    # nobody's, and two units' at once
    (inbox / "IMG_20241230_1652.jpg").write_bytes(JPEG)
    (inbox / "Bao cao chung VHTT va YT.pdf").write_bytes(pdf_bytes())
    (inbox / "ghi chu.txt").write_text("gửi kèm bảng tự chấm", encoding="utf-8")
    return inbox


def pdf_bytes() -> bytes:
    """The first bytes of a PDF, as a scanner writes them: enough to be no zip."""
    return b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n"


@pytest.fixture(scope="module")
def report(inbox, default_bloc) -> Report:
    return collect(inbox, default_bloc[1], shown_as="inbox")


@pytest.mark.libreoffice
def test_each_document_on_its_unit_and_none_read_as_a_return(report: Report) -> None:
    units = {u.code: u for u in report.units}
    assert {c: units[c].documents for c in ("VHTT", "YT", "TP", "GDDT", "NV")} == {
        "VHTT": ("inbox/VHTT_bao_cao_tong_ket.pdf",),
        "YT": ("inbox/email 28-12/Bao cao tong ket nam 2024.docx",),
        "TP": ("inbox/Phòng Tư pháp - báo cáo.doc",),
        "GDDT": ("inbox/PGD&DT gui khoi truong.zip/anh chup bao cao.jpg",),
        "NV": ("inbox/Phòng Nội vụ/scan_0001.jpg",),
    }
    assert units["LDTBXH"].documents == () and units["VHTT"].status is Status.RANKED
    assert report.read_count == 6  # the six returns; no document opened as a workbook
    kinds = {f.path: f.kind for f in report.files}
    assert kinds["inbox/PGD&DT gui khoi truong.zip"] is FileKind.ARCHIVE
    assert kinds["inbox/ghi chu.txt"] is FileKind.OTHER
    assert kinds["inbox/VHTT - bang tu cham 2024.xlsx"] is FileKind.RETURN
    assert sum(k is FileKind.DOCUMENT for k in kinds.values()) == 7


@pytest.mark.libreoffice
def test_a_unit_without_a_report_is_warned_and_documents_nobody_owns_are_listed(report: Report) -> None:
    missing = [i for i in report.issues if i.code == "report-missing"]
    assert [(i.unit, i.severity, i.file) for i in missing] == [("LDTBXH", Severity.WARNING, None)]
    assert "LDTBXH_bao_cao.pdf" in missing[0].message
    unplaced = {i.file: i for i in report.issues if i.code == "document-unmatched"}
    assert set(unplaced) == {"inbox/IMG_20241230_1652.jpg", "inbox/Bao cao chung VHTT va YT.pdf"}
    assert all(i.severity is Severity.WARNING and i.unit is None for i in unplaced.values())
    assert "nhiều đơn vị (VHTT, YT)" in unplaced["inbox/Bao cao chung VHTT va YT.pdf"].message
    files = {f.path: f for f in report.files}
    two = files["inbox/Bao cao chung VHTT va YT.pdf"]
    assert (two.unit, two.used) == (None, False) and "không đoán" in (two.reason or "")
    assert not [u for u in report.units if "inbox/Bao cao chung VHTT va YT.pdf" in u.documents]


@pytest.mark.libreoffice
def test_json_lists_documents_per_unit_and_the_kind_of_every_file(report: Report, inbox: Path, tmp_path) -> None:
    data = json.loads(write_json(report, tmp_path / "r.json").read_text(encoding="utf-8"))
    units = {u["code"]: u for u in data["units"]}
    assert units["YT"]["documents"] == ["inbox/email 28-12/Bao cao tong ket nam 2024.docx"]
    assert units["LDTBXH"]["documents"] == [] and units["PTQD"]["documents"] == []
    kinds = {f["path"]: f["kind"] for f in data["files"]}
    assert set(kinds.values()) == {"return", "document", "archive", "other"}
    assert kinds["inbox/Phòng Nội vụ/scan_0001.jpg"] == "document"
    on_disk = sorted(p.name for p in inbox.rglob("*") if p.is_file())
    assert sorted(Path(f["path"]).name for f in data["files"] if ".zip/" not in f["path"]) == on_disk


@pytest.mark.libreoffice
def test_the_submissions_sheet_shows_the_documents_received(report: Report, tmp_path) -> None:
    ws = openpyxl.load_workbook(write_ranking(report, tmp_path / "x.xlsx"))[L.R_SUBMISSIONS]
    head = next(r for r in range(1, 20) if ws.cell(r, 1).value == "STT")
    cols = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, 2).value: r for r in range(head + 1, head + 17)}
    docs = cols["Báo cáo gửi kèm"]
    assert ws.cell(rows["GDDT"], docs).value == "inbox/PGD&DT gui khoi truong.zip/anh chup bao cao.jpg"
    assert ws.cell(rows["LDTBXH"], docs).value == "Chưa thấy"
    assert ws.cell(rows["PTQD"], docs).value is None  # sent nothing at all: 'Chưa nộp' says it
    listed = [ws.cell(r, 3).value for r in range(head + 18, ws.max_row + 1)]
    assert "inbox/IMG_20241230_1652.jpg" in listed  # in the table of other files, with its reason
    assert "inbox/VHTT_bao_cao_tong_ket.pdf" not in listed  # on its unit's row already


@pytest.mark.libreoffice
def test_the_terminal_counts_the_documents(inbox: Path, default_bloc, tmp_path) -> None:
    config, _ = default_bloc
    out = tmp_path / "x.xlsx"
    r = CliRunner().invoke(main, ["collect", str(inbox), "--config", str(config), "--out", str(out)])
    assert "Báo cáo gửi kèm: 7 tệp, của 5 đơn vị; 2 tệp chưa rõ của đơn vị nào." in r.output
    assert "Đã đọc 6 tệp, bỏ qua 1 tệp." in r.output  # the note; the reports are not "passed over"
    assert "1 đơn vị đã nộp bảng tự chấm nhưng chưa thấy báo cáo gửi kèm." in r.output
    r = CliRunner().invoke(main, ["check", str(inbox / "IMG_20241230_1652.jpg"), "--config", str(config)])
    assert r.exit_code == 0 and "tài liệu gửi kèm, không phải bảng tự chấm; chưa rõ của đơn vị nào" in r.output


ODD = [
    # (name, bytes or a maker, unit, evidence, words in the note)
    ("VHTT_bao_cao.docx", "pdf", "VHTT", Evidence.CODE, "không đọc được nội dung"),  # a PDF renamed .docx
    ("Bao cao YT.docx", "bomb", "YT", Evidence.CODE, ""),  # unpacks to 64 MB: 256 KiB are read
    ("Phòng Tư pháp bao cao.docx", "large", "TP", Evidence.FILE, "không mở để đọc"),  # 30 MB
    ("TCKH.pdf", "large", "TCKH", Evidence.CODE, ""),  # a large PDF: never opened at all
]


def _odd(path: Path, how: str) -> None:
    if how == "pdf":
        path.write_bytes(pdf_bytes())
    elif how == "large":
        with path.open("wb") as fh:
            fh.truncate(MAX_DOCUMENT_BYTES + 10 * 1024**2)  # sparse: no disk used
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("word/document.xml", "w") as fh:
            fh.write(b"<w:document><w:body><w:p><w:r><w:t>")
            for _ in range(64):
                fh.write(b"Ph\xc3\xb2ng N\xe1\xbb\x99i v\xe1\xbb\xa5 " * 58_000)  # no paragraph end: one run
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")


@pytest.mark.parametrize(("name", "how", "unit", "evidence", "note"), ODD)
def test_odd_documents_are_placed_by_name_and_never_opened_past_a_limit(
    default_bloc, tmp_path, monkeypatch, name, how, unit, evidence, note
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _odd(inbox / name, how)
    opened: list[str] = []
    real = zipfile.ZipFile.__init__

    def watch(self, file, *args, **kwargs):  # zipfile's own signature
        opened.append(str(file))
        return real(self, file, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", watch)
    walk = walk_inbox(inbox, shown_as="inbox")
    (found,) = match_documents(walk.documents, default_bloc[1], root=walk.root)
    assert (found.unit, found.evidence) == (unit, evidence)
    assert note in found.note if note else found.note == ""
    if how == "large" or name.endswith(".pdf"):
        assert opened == []  # too large, or not Word: its bytes are never unpacked


def test_a_document_whose_unit_line_and_name_disagree_is_not_guessed(default_bloc, tmp_path) -> None:
    """§5's order: a unit line first, then the file name, then a name in the heading. A unit
    line and a file name naming two units are two senders: not guessed. A heading is weaker
    than the file name, as for a copied table."""
    inbox = tmp_path / "inbox"
    two = report_docx(inbox / "VHTT_bao_cao.docx", "UBND huyện Ý Yên")
    doc = docx.Document(str(two))
    doc.paragraphs[0].insert_paragraph_before("Đơn vị: Phòng Y tế")
    doc.save(str(two))
    report_docx(inbox / "TCKH_bao_cao.docx", "Phòng Y tế")  # the heading names YT: the name wins
    walk = walk_inbox(inbox, shown_as="inbox")
    found = {Path(d.display).name: d for d in match_documents(walk.documents, default_bloc[1], root=walk.root)}
    assert (found["VHTT_bao_cao.docx"].unit, found["VHTT_bao_cao.docx"].candidates) == (None, ("VHTT", "YT"))
    assert (found["TCKH_bao_cao.docx"].unit, found["TCKH_bao_cao.docx"].evidence) == ("TCKH", Evidence.CODE)


def test_a_unit_line_in_the_text_names_the_sender(default_bloc, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    path = report_docx(inbox / "bao cao.docx", "UBND huyện Ý Yên")
    doc = docx.Document(str(path))
    doc.paragraphs[0].insert_paragraph_before("Đơn vị: Phòng Tài chính - Kế hoạch")
    doc.save(str(path))
    walk = walk_inbox(inbox, shown_as="inbox")
    (found,) = match_documents(walk.documents, default_bloc[1], root=walk.root)
    assert (found.unit, found.evidence) == ("TCKH", Evidence.LINE)
