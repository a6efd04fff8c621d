"""Hostile and broken files: each is an error (or passed over) for that file alone, with a
message a clerk understands, and the good return beside them is still read to its total.

The corpus is tests/files/, built by tests/files/make_files.py; one collect run reads all
of it (plus one good return) and each test below checks one file.
"""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest
from helpers import FILES, expected_total, fill, full_scores, make_files
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_xlsx.core.issues import Issue, Severity
from thidua_xlsx.core.report import Report, Status
from thidua_xlsx.intake import inbox as inbox_mod
from thidua_xlsx.ranking.assemble import collect

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@pytest.fixture(scope="module")
def run(default_bloc, default_templates, tmp_path_factory) -> tuple[Report, dict]:
    """collect over the whole corpus plus one good return: (report, good scores)."""
    _, bloc = default_bloc
    inbox = tmp_path_factory.mktemp("hostile") / "inbox"
    inbox.mkdir()
    for f in FILES.iterdir():
        if f.is_file() and f.name != "make_files.py":
            shutil.copy2(f, inbox / f.name)
    scores = full_scores(bloc, "0.87")
    fill(default_templates["VHTT"], inbox / "VHTT - tự chấm.xlsx", scores)
    return collect(inbox, bloc, shown_as="inbox"), scores


def issues_of(report: Report, name: str) -> list[Issue]:
    return [i for i in report.issues if i.file == f"inbox/{name}"]


def expect(run, name: str, code: str, severity: Severity, *words: str) -> Issue:
    """The file is listed once, not used, and carries exactly one issue of `code`."""
    report = run[0]
    listed = [f for f in report.files if f.path == f"inbox/{name}"]
    assert len(listed) == 1, f"{name} listed {len(listed)} times"
    assert listed[0].used is False
    hits = [i for i in issues_of(report, name) if i.code == code]
    assert len(hits) == 1, f"{name}: {[(i.code, i.message) for i in issues_of(report, name)]}"
    issue = hits[0]
    assert issue.severity is severity
    for word in words:
        assert word in issue.message, issue.message
    if severity is ERR:
        # the reason is the error itself (for a file named after a unit, with the file used instead)
        assert issue.message in listed[0].reason or code in ("sheet-too-large",)
    return issue


# Every hostile file of the corpus, and the one issue it must get ------------------------------

HOSTILE = [  # (file in the corpus, issue code, severity, words its message must hold)
    ("truncated.xlsx", "file-unreadable", ERR, ("cắt cụt",)),
    ("truncated.zip", "archive-unreadable", ERR, ("cắt cụt",)),
    ("not-a-zip.zip", "archive-unreadable", ERR, ("hỏng",)),
    ("empty.xlsx", "file-unreadable", ERR, ("0 byte",)),
    ("garbage.xlsx", "file-unreadable", ERR, ("hỏng",)),
    ("corrupt-ole.xls", "file-unreadable", ERR, ("hỏng",)),
    ("html-saved-as.xls", "file-not-spreadsheet", ERR, ("trang web (HTML)", ".xls")),
    ("csv-saved-as.xlsx", "file-not-spreadsheet", ERR, ("CSV", ".xlsx")),
    ("utf16-text-saved-as.xls", "file-not-spreadsheet", ERR, ("CSV",)),
    ("spreadsheetml-2003.xls", "file-not-spreadsheet", ERR, ("XML 2003",)),
    ("mhtml-saved-as.xls", "file-not-spreadsheet", ERR, ("MHTML",)),
    ("pdf-renamed.xls", "file-not-spreadsheet", ERR, ("PDF",)),
    ("docx-renamed.xlsx", "file-not-spreadsheet", ERR, ("Word (.docx)",)),
    ("word-97-renamed.xls", "file-not-spreadsheet", ERR, ("Word cũ (.doc)",)),
    ("encrypted-ooxml.xlsx", "file-password", ERR, ("có mật khẩu mở",)),
    ("encrypted-filepass.xls", "file-password", ERR, ("có mật khẩu mở",)),
    # Excel encrypts such an .xls with its built-in password and opens it without asking.
    ("modify-password.xls", "file-password-modify", ERR, ("mật khẩu sửa", "Excel mở không hỏi mật khẩu")),
    ("modify-password-cryptoapi.xls", "file-password-modify", ERR, ("mật khẩu sửa",)),
    ("open-password-cryptoapi.xls", "file-password", ERR, ("có mật khẩu mở",)),
    ("encrypted.ods", "file-password", ERR, ("có mật khẩu mở",)),
    ("zip-password.zip/VHTT.xlsx", "file-password", ERR, ("có mật khẩu mở",)),
    ("billion-laughs-strings.xlsx", "file-unreadable", ERR, ("hỏng",)),
    ("billion-laughs-sheet.xlsx", "file-unreadable", ERR, ("hỏng",)),
    # A cell at A1 and one at XFD1048576: calamine aborts its process; only that file fails.
    ("sparse-sheet.xlsx", "file-unreadable", ERR, ("dừng bất thường",)),
    ("tall-sheet.xlsx", "sheet-too-large", ERR, ("25.000 dòng",)),
    ("wide-sheet.xlsx", "sheet-too-large", ERR, ("5.434 cột",)),
    ("declared-2gb.xlsx", "file-too-large", ERR, ("2.048 MB",)),
    ("declared-2gb.zip/VHTT.xlsx", "file-too-large", ERR, ("2.048 MB",)),
    ("ratio-bomb.xlsx", "file-too-large", ERR, ("bom nén",)),
    ("lying-size.xlsx", "file-unreadable", ERR, ()),
    ("lying-member.zip/VHTT.xlsx", "file-unreadable", ERR, ("tệp nén",)),
    ("nested-too-deep.zip/lop3.zip/lop2.zip/lop1.zip", "archive-unreadable", ERR, ("3 lớp",)),
    ("rar-renamed.zip", "archive-unreadable", ERR, ("RAR",)),
    ("return.rar", "archive-unreadable", ERR, ("RAR",)),
    ("deflate64.zip/VHTT.xlsx", "archive-unreadable", ERR, ("Deflate64",)),
    ("ghi-chu.txt", "file-skipped", INFO, (".txt",)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "code", "severity", "words"), HOSTILE, ids=[row[0] for row in HOSTILE])
def test_each_hostile_file_gets_its_one_issue(run, name: str, code: str, severity: Severity, words: tuple) -> None:
    expect(run, name, code, severity, *words)


# Nothing here costs the good return anything -----------------------------------------------


def test_the_good_return_is_still_ranked_with_its_exact_total(run, default_bloc) -> None:
    report, scores = run
    vhtt = next(u for u in report.units if u.code == "VHTT")
    assert vhtt.status is Status.RANKED and vhtt.rank == 1
    assert vhtt.total == expected_total(default_bloc[1], scores)
    assert vhtt.file == "inbox/VHTT - tự chấm.xlsx"


def test_every_file_is_listed_exactly_once(run) -> None:
    report = run[0]
    paths = [f.path for f in report.files]
    assert len(paths) == len(set(paths))
    on_disk = {f"inbox/{f.name}" for f in FILES.iterdir() if f.is_file() and f.name != "make_files.py"}
    assert on_disk | {"inbox/VHTT - tự chấm.xlsx"} <= set(paths)


def test_the_corpus_script_rebuilds_the_committed_files_byte_for_byte() -> None:
    built = make_files.corpus()
    committed = {f.name for f in FILES.iterdir() if f.is_file() and f.name != "make_files.py"}
    assert set(built) == committed
    for name, data in built.items():
        assert (FILES / name).read_bytes() == data, name


# Passwords to open: detected from the file's structure --------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.booleans())
def test_the_password_check_never_raises_on_any_filepass(data: bytes, as_stream: bool) -> None:
    from thidua_xlsx.intake.xls_crypto import filepass_record, opens_with

    if as_stream:
        record = filepass_record(data)
        assert record is None or record in data
    else:
        assert opens_with(data) is False  # random bytes never verify


def test_password_detection_reads_the_ole_directory_not_the_bytes(tmp_path, default_bloc) -> None:
    """A plain .xls whose cells say "EncryptedPackage" is not taken for an encrypted file."""
    fake = make_files.ole_bytes([("Workbook", make_files.biff_record(0x000A) + "EncryptedPackage".encode("utf-16-le"))])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x.xls").write_bytes(fake)
    report = collect(inbox, default_bloc[1], shown_as="inbox")
    assert not [i for i in report.issues if i.code == "file-password"]
    assert [i for i in report.issues if i.file == "inbox/x.xls" and i.severity is ERR]


# XML attacks ---------------------------------------------------------------------------------


def test_external_entity_is_not_fetched(run) -> None:
    expect(run, "external-entity.xlsx", "file-unreadable", ERR)
    assert "root:" not in run[0].to_json()


def test_openpyxl_reads_only_through_defusedxml() -> None:
    import defusedxml
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    with pytest.raises(ValueError) as caught:  # openpyxl wraps defusedxml's refusal
        openpyxl.load_workbook(FILES / "billion-laughs-strings.xlsx")
    assert isinstance(caught.value.__cause__, defusedxml.DefusedXmlException)


# Size attacks --------------------------------------------------------------------------------


def test_read_member_stops_at_the_hard_cap_whatever_the_header_says(tmp_path) -> None:
    data = make_files.zip_bytes([("a.xlsx", bytes(3 * 1024**2))])
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as zf:
        zf.writestr("a.xlsx", bytes(3 * 1024**2))
    (tmp_path / "y.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "y.zip") as zf, pytest.raises(inbox_mod.ArchiveTooLarge):
        inbox_mod.read_member(zf, "a.xlsx", cap=1024**2)


def test_archive_with_too_many_members(tmp_path, monkeypatch, default_bloc) -> None:
    monkeypatch.setattr(inbox_mod, "MAX_MEMBERS", 3)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "many.zip").write_bytes(make_files.zip_bytes([(f"{i}.xlsx", b"x") for i in range(5)]))
    report = collect(inbox, default_bloc[1], shown_as="inbox")
    hits = [i for i in report.issues if i.file == "inbox/many.zip"]
    assert [(i.code, i.severity) for i in hits] == [("file-too-large", ERR)] and "5 tệp" in hits[0].message
    assert [f.path for f in report.files] == ["inbox/many.zip"]


def test_a_real_2_gb_zip_bomb_is_refused_from_its_declared_sizes_unopened(tmp_path, default_bloc, monkeypatch) -> None:
    """Real deflate data that unpacks to 2 GiB, as an archive member and as a workbook.

    Refused before a byte is inflated or calamine sees it: both are made to fail here, so any
    unpacking would turn the refusal into another issue. (Its time is the benchmark's business.)
    """
    import zlib

    import thidua_xlsx.intake.reader as reader

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_files.write_zip_bomb(inbox / "bom.zip", "VHTT.xlsx")
    with zipfile.ZipFile(inbox / "bom.zip") as zf:
        assert zf.infolist()[0].file_size == 2 * 1024**3
        with zf.open(zf.infolist()[0]) as fh:  # real data, not just a lying header
            assert fh.read(1024**2) == bytes(1024**2)
    make_files.write_zip_bomb(inbox / "bom.xlsx", make_files.SHEET_NAME, others=make_files.xlsx_parts())

    def unpacked(*_a: object, **_k: object) -> None:
        raise AssertionError("the bomb was unpacked")

    class NoCalamine:
        from_path = from_filelike = staticmethod(unpacked)

    monkeypatch.setattr(zlib, "decompressobj", unpacked)
    monkeypatch.setattr(zlib, "decompress", unpacked)
    monkeypatch.setattr(reader.pc, "CalamineWorkbook", NoCalamine)  # workers are forked: they see it too
    report = collect(inbox, default_bloc[1], shown_as="inbox")
    for name in ("bom.zip/VHTT.xlsx", "bom.xlsx"):
        hits = [i for i in report.issues if i.file == f"inbox/{name}"]
        assert [(i.code, i.severity) for i in hits] == [("file-too-large", ERR)], name
        assert "2.048 MB" in hits[0].message


# Passed over, listed, not read ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("~$owner-file.xlsx", "~$"),
        (".hidden.xlsx", "ẩn"),
        ("Thumbs.db", "hệ thống"),
        ("desktop.ini", "hệ thống"),
        ("ghi-chu.txt", "không phải bảng tính"),
    ],
)
def test_passed_over(run, name: str, reason: str) -> None:
    report = run[0]
    listed = [f for f in report.files if f.path == f"inbox/{name}"]
    assert len(listed) == 1 and not listed[0].read and not listed[0].used and reason in listed[0].reason
    errors = [i for i in issues_of(report, name) if i.severity is not INFO]
    assert not errors


def test_a_sheet_too_large_in_a_real_return(default_bloc, default_templates, tmp_path) -> None:
    """Junk typed far below the table: the unit is told, and kept out of the ranking."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    out = fill(default_templates["YT"], inbox / "YT.xlsx", full_scores(bloc, "0.9"))
    wb = openpyxl.load_workbook(out)
    wb["Tự chấm điểm"]["A30000"] = "x"
    wb.save(out)
    report = collect(inbox, bloc, shown_as="inbox")
    hits = [i for i in report.issues if i.code == "sheet-too-large"]
    assert len(hits) == 1 and hits[0].severity is ERR and hits[0].file == "inbox/YT.xlsx"
    assert hits[0].unit == "YT" and hits[0].sheet == "Tự chấm điểm"
    yt = next(u for u in report.units if u.code == "YT")
    assert yt.status is Status.ERROR


def test_the_fast_central_directory_reader_agrees_with_zipfile(tmp_path) -> None:
    """reader.zip_entries replaces zipfile for every return (it is several times cheaper)."""
    from thidua_xlsx.intake.reader import zip_entries

    samples = [f for f in FILES.iterdir() if f.suffix in (".xlsx", ".zip", ".ods")]
    commented = tmp_path / "comment.zip"
    with zipfile.ZipFile(commented, "w") as zf:
        zf.writestr("a.xml", "x" * 100)
        zf.comment = b"c" * 5000  # the end record is not in the last 4 KB
    prefixed = tmp_path / "prefixed.zip"
    prefixed.write_bytes(b"MZ" + bytes(500) + make_files.xlsx_bytes())  # a self-extracting stub
    checked = 0
    for path in [*samples, commented, prefixed]:
        data = path.read_bytes()
        fast = zip_entries(lambda off, n, data=data: data[off : off + n], len(data))
        try:
            with zipfile.ZipFile(path) as zf:
                slow = [(i.filename, i.flag_bits, i.compress_size, i.file_size, i.compress_type, i.header_offset)
                        for i in zf.infolist()]  # fmt: skip
        except zipfile.BadZipFile:
            assert fast is None, path.name
            continue
        assert fast is not None and [tuple(e) for e in fast] == slow, path.name
        checked += 1
    assert checked >= 15


def test_a_workbook_in_a_zip_is_held_to_the_file_size_limit(tmp_path, monkeypatch, default_bloc) -> None:
    """Declared over the limit: refused from the header. Declared under it but larger in fact
    (a lying header): zipfile reads no more than declared, and the check of the data fails."""
    monkeypatch.setattr(inbox_mod, "MAX_FILE_BYTES", 64 * 1024)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.zip").write_bytes(make_files.zip_bytes([("to.xlsx", bytes(100 * 1024))]))
    lying = make_files.zip_bytes([("noi-doi.xlsx", bytes(100 * 1024))])
    (inbox / "b.zip").write_bytes(make_files.patch_zip(lying, "noi-doi.xlsx", size=1000))
    report = collect(inbox, default_bloc[1], shown_as="inbox")
    (declared,) = [i for i in report.issues if i.file == "inbox/a.zip/to.xlsx"]
    assert declared.code == "file-too-large" and "khai báo" in declared.message
    (lied,) = [i for i in report.issues if i.file == "inbox/b.zip/noi-doi.xlsx"]
    assert lied.severity is ERR and lied.code in ("file-too-large", "file-unreadable")
