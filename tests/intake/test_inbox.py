"""The inbox as units fill it: folders, zips with folders and zips inside, files to pass over,
copied tables without their form, duplicates and strays; and nothing lost (the inbox never
written, outputs atomic, a locked output a clear message)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import FILES, expected_total, fill, full_scores, lo_batch, make_files, raw_zip, saved_at

from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Severity
from thidua_xlsx.core.report import Report, Status
from thidua_xlsx.intake.inbox import walk_inbox
from thidua_xlsx.ranking.assemble import collect

ERR, WARN = Severity.ERROR, Severity.WARNING


def unit_of(report: Report, code: str):
    return next(u for u in report.units if u.code == code)


def issues_at(report: Report, path: str, code: str | None = None):
    return [i for i in report.issues if i.file == path and (code is None or i.code == code)]


def tree_state(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file and folder under `folder`: content hash, size and mtime (ns)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        out[p.relative_to(folder).as_posix()] = (digest, st.st_size, st.st_mtime_ns)
    return out


def _value(v: object) -> object:
    """Paste as values: the template's formulas (never computed by openpyxl) become blank."""
    return None if isinstance(v, str) and v.startswith("=") else v


def copied_table(
    src: Path,
    out: Path,
    *,
    name_line: str | None = None,
    keep_top: bool = True,
    edit: Callable[[list[list[object]]], None] | None = None,
) -> Path:
    """What a unit does when it pastes the table into a new workbook: values only, no `_thidua`
    sheet, the "Đơn vị: …" line replaced by `name_line` (or dropped), rows edited by `edit`."""
    wb = openpyxl.load_workbook(src)
    new = openpyxl.Workbook()
    targets = [new.active, new.create_sheet("Trang 2")]
    new.active.title = "Trang 1"
    for sheet, target in zip((L.SHEET_SCORES, L.SHEET_DATA), targets, strict=True):
        rows = [[_value(v) for v in r] for r in wb[sheet].iter_rows(values_only=True)]
        if sheet == L.SHEET_SCORES:
            head = next(i for i, r in enumerate(rows) if r[:2] == ["Mã", "Nội dung tiêu chí"])
            for i in range(head):
                if any(isinstance(v, str) and v.startswith("Đơn vị:") for v in rows[i]):
                    rows[i] = [name_line] if name_line is not None else [None]
            if not keep_top:
                rows = rows[head:]
            if edit is not None:
                edit(rows)
        for r in rows:
            target.append(list(r))
    out.parent.mkdir(parents=True, exist_ok=True)
    new.save(out)
    return out


# Walking ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nested(default_bloc, default_templates, tmp_path_factory) -> dict:
    """Folders, a zip with folders and a zip inside it, and files that are passed over."""
    _, bloc = default_bloc
    work = tmp_path_factory.mktemp("nested")
    inbox = work / "inbox"
    plans = {code: full_scores(bloc, f) for code, f in (("VHTT", "0.95"), ("YT", "0.9"), ("TP", "0.85"))}
    fill(default_templates["VHTT"], inbox / "Đợt 1" / "Văn hóa" / "VHTT.xlsx", plans["VHTT"])
    yt = fill(default_templates["YT"], work / "YT.xlsx", plans["YT"])
    tp = fill(default_templates["TP"], work / "TP.xlsx", plans["TP"])
    inner = work / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(tp, "sub/TP.xlsx")
        zf.writestr("sub/ghi chú.docx", b"PK")
    with zipfile.ZipFile(inbox / "gui ve.zip", "w") as zf:
        zf.write(yt, "Phòng Y tế/YT.xlsx")
        zf.write(inner, "inner.zip")
        zf.writestr("__MACOSX/Phòng Y tế/._YT.xlsx", b"\x00\x05\x16\x07")
        zf.writestr("Phòng Y tế/Thumbs.db", b"\x00" * 16)
        zf.writestr("Phòng Y tế/", b"")  # a folder entry: not a file
    for name, data in {
        "~$VHTT.xlsx": b"\x0bowner",
        ".DS_Store": b"\x00",
        "desktop.ini": b"[x]",
        "Đợt 1/Thumbs.db": b"\x00",
        "Đợt 1/báo cáo.pdf": b"%PDF-1.4",
        ".git/config": b"[core]",
    }.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    report = collect(inbox, bloc, shown_as="inbox")
    return {"report": report, "inbox": inbox, "plans": plans, "bloc": bloc}


def test_returns_in_folders_zips_and_nested_zips_are_read(nested) -> None:
    report, bloc = nested["report"], nested["bloc"]
    want = {
        "VHTT": "inbox/Đợt 1/Văn hóa/VHTT.xlsx",
        "YT": "inbox/gui ve.zip/Phòng Y tế/YT.xlsx",
        "TP": "inbox/gui ve.zip/inner.zip/sub/TP.xlsx",
    }
    for code, path in want.items():
        u = unit_of(report, code)
        assert u.status is Status.RANKED and u.file == path
        assert u.total == expected_total(bloc, nested["plans"][code])


def test_every_file_found_is_listed_once_with_its_fate(nested) -> None:
    report, inbox = nested["report"], nested["inbox"]
    listed = {f.path: f for f in report.files}
    assert len(listed) == len(report.files)
    on_disk = {"inbox/" + p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
    in_zips = {
        "inbox/gui ve.zip/Phòng Y tế/YT.xlsx",
        "inbox/gui ve.zip/inner.zip",
        "inbox/gui ve.zip/inner.zip/sub/TP.xlsx",
        "inbox/gui ve.zip/inner.zip/sub/ghi chú.docx",
        "inbox/gui ve.zip/__MACOSX/Phòng Y tế/._YT.xlsx",
        "inbox/gui ve.zip/Phòng Y tế/Thumbs.db",
    }
    assert set(listed) == on_disk | in_zips
    passed = {p: f.reason for p, f in listed.items() if not f.read}
    assert passed == {
        "inbox/~$VHTT.xlsx": "bỏ qua: tệp khóa tạm của Excel (~$)",
        "inbox/.DS_Store": "bỏ qua: tệp hệ thống",
        "inbox/desktop.ini": "bỏ qua: tệp hệ thống",
        "inbox/.git/config": "bỏ qua: tệp ẩn",
        "inbox/Đợt 1/Thumbs.db": "bỏ qua: tệp hệ thống",
        "inbox/Đợt 1/báo cáo.pdf": "tài liệu không ghi tên hay mã đơn vị nào trong tên tệp",
        "inbox/gui ve.zip/Phòng Y tế/Thumbs.db": "bỏ qua: tệp hệ thống",
        "inbox/gui ve.zip/__MACOSX/Phòng Y tế/._YT.xlsx": "bỏ qua: tệp ẩn",
        "inbox/gui ve.zip/inner.zip/sub/ghi chú.docx": "tài liệu không ghi tên hay mã đơn vị nào trong tên tệp "
        "(không đọc được nội dung như tệp Word (.docx))",
    }
    assert listed["inbox/gui ve.zip"].reason.startswith("tệp nén")
    assert [i.code for i in issues_at(report, "inbox/Đợt 1/báo cáo.pdf")] == ["document-unmatched"]
    assert not [i for i in report.issues if i.file and i.severity is ERR]


def test_zip_names_written_without_the_utf8_flag_are_decoded(default_bloc, default_templates, tmp_path) -> None:
    """macOS writes UTF-8 names without the flag, old Vietnamese Windows its code page: the name
    shown, and the unit found from it, are what the unit typed."""
    _, bloc = default_bloc
    plan = full_scores(bloc, "0.9")
    nv = copied_table(fill(default_templates["NV"], tmp_path / "a.xlsx", plan), tmp_path / "b.xlsx", keep_top=False)
    tc = copied_table(fill(default_templates["TCKH"], tmp_path / "c.xlsx", plan), tmp_path / "d.xlsx", keep_top=False)
    mac_name = unicodedata.normalize("NFD", "Phòng Nội vụ.xlsx").encode("utf-8")
    win_name = unicodedata.normalize("NFD", "Phòng Tài chính.xlsx").encode("cp1258")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.zip").write_bytes(raw_zip([(mac_name, nv.read_bytes()), (win_name, tc.read_bytes())]))
    report = collect(inbox, bloc, shown_as="inbox")
    paths = {f.path for f in report.files}
    assert {"inbox/a.zip/Phòng Nội vụ.xlsx", "inbox/a.zip/Phòng Tài chính.xlsx"} <= paths
    assert unit_of(report, "NV").status is Status.RANKED
    assert unit_of(report, "NV").file == "inbox/a.zip/Phòng Nội vụ.xlsx"


def test_two_members_of_one_name_are_both_listed(default_bloc, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.zip").write_bytes(raw_zip([(b"x.txt", b"1"), (b"x.txt", b"2")]))
    walk = walk_inbox(inbox, shown_as="inbox")
    assert len(set(walk.displays)) == len(walk.displays) == 3


def test_a_symlink_loop_and_a_pipe_do_not_hang_the_walk(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    (inbox / "a" / "loop").symlink_to(inbox, target_is_directory=True)
    os.mkfifo(inbox / "a" / "pipe.xlsx")
    (inbox / "a" / "x.txt").write_text("x")
    walk = walk_inbox(inbox, shown_as="inbox")
    assert "inbox/a/pipe.xlsx" in {p.display for p in walk.passed}
    assert not walk.sources
    assert len(walk.displays) == len(set(walk.displays))


# Returns that lost their form --------------------------------------------------------------

NAME_VARIANTS = [
    ("NV", "Đơn vị: PHÒNG NỘI VỤ"),  # case
    ("NV", unicodedata.normalize("NFD", "Đơn vị: Phòng Nội vụ")),  # decomposed (NFD) text
    ("NV", "Đơn vị:   Phòng   Nội  vụ  "),  # extra spaces
    ("NV", "Don vi: Phong Noi vu"),  # no diacritics
    ("VHTT", "Đơn vị: Phòng Văn hoá và Thông tin"),  # old tone placement (hoà), bloc says "hóa"
    ("TCKH", "Đơn vị: Phòng Tài chính – Kế hoạch"),  # en dash, bloc says hyphen
    ("LDTBXH", "Đơn vị: Phòng Lao động-Thương binh và Xã hội"),  # hyphen without spaces
]


@pytest.mark.parametrize(("code", "line"), NAME_VARIANTS)
def test_copied_table_identified_by_the_unit_name_in_the_sheet(default_bloc, default_templates, tmp_path, code, line):
    _, bloc = default_bloc
    plan = full_scores(bloc, "0.9")
    src = fill(default_templates[code], tmp_path / "src.xlsx", plan)
    copied_table(src, tmp_path / "inbox" / "bang diem.xlsx", name_line=line)
    report = collect(tmp_path / "inbox", bloc, shown_as="inbox")
    u = unit_of(report, code)
    assert u.status is Status.RANKED and u.total == expected_total(bloc, plan)
    (warning,) = issues_at(report, "inbox/bang diem.xlsx", "form-copied")
    assert warning.severity is WARN and warning.unit == code and "tên đơn vị trong bảng" in warning.message


@pytest.mark.parametrize(
    ("code", "file_name", "how"),
    [
        ("TCKH", "Phong Tai chinh – Ke hoach (ban sao).xlsx", "tên đơn vị trong tên tệp"),
        ("TNMT", "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG.xlsx", "tên đơn vị trong tên tệp"),
        ("YT", "bang diem YT 2024.xlsx", "mã đơn vị trong tên tệp"),
        ("KTHT", "KTHT_tu_cham.xlsx", "mã đơn vị trong tên tệp"),
    ],
)
def test_copied_table_identified_by_the_file_name(default_bloc, default_templates, tmp_path, code, file_name, how):
    _, bloc = default_bloc
    src = fill(default_templates[code], tmp_path / "src.xlsx", full_scores(bloc, "0.9"))
    copied_table(src, tmp_path / "inbox" / file_name, keep_top=False)
    report = collect(tmp_path / "inbox", bloc, shown_as="inbox")
    assert unit_of(report, code).status is Status.RANKED
    (warning,) = issues_at(report, f"inbox/{file_name}", "form-copied")
    assert how in warning.message


def test_copied_table_naming_two_units_is_not_guessed(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    src = fill(default_templates["YT"], tmp_path / "src.xlsx", full_scores(bloc, "0.9"))
    copied_table(src, tmp_path / "inbox" / "YT va TP.xlsx", name_line="Phòng Y tế và Phòng Tư pháp")
    report = collect(tmp_path / "inbox", bloc, shown_as="inbox")
    (error,) = issues_at(report, "inbox/YT va TP.xlsx", "unit-unidentified")
    assert error.severity is ERR and "nhiều đơn vị" in error.message
    assert unit_of(report, "YT").status is Status.MISSING


def test_copied_table_with_rows_reordered_inserted_deleted_and_a_max_edited(
    default_bloc, default_templates, tmp_path
) -> None:
    _, bloc = default_bloc
    plan = full_scores(bloc, "0.9")
    src = fill(default_templates["GDDT"], tmp_path / "src.xlsx", plan)
    leaves = [c.code for c in bloc.leaves]
    gone, edited = leaves[3], leaves[0]

    def edit(rows: list[list[object]]) -> None:
        head = next(i for i, r in enumerate(rows) if r[0] == "Mã")
        body = [r for r in rows[head + 1 :] if r[0] is not None]
        tail = [r for r in rows[head + 1 :] if r[0] is None]
        body.reverse()  # reordered
        body = [r for r in body if r[0] != gone]  # deleted
        for r in body:
            if r[0] == edited:
                r[2] = 99  # an edited maximum
        body.insert(2, [None, "Dòng đơn vị tự thêm để ghi chú", None, None, "ghi chú"])  # inserted
        body.insert(5, ["9.9", "Tiêu chí đơn vị tự đặt ra", 5, 5, None])  # a criterion the bloc has not
        rows[head + 1 :] = body + tail

    copied_table(src, tmp_path / "inbox" / "GDDT.xlsx", name_line="Đơn vị: Phòng Giáo dục và Đào tạo", edit=edit)
    report = collect(tmp_path / "inbox", bloc, shown_as="inbox")
    found = {(i.code, i.severity) for i in issues_at(report, "inbox/GDDT.xlsx")}
    assert found == {("form-copied", WARN), ("criterion-missing", ERR), ("max-edited", WARN), ("criterion-extra", WARN)}
    u = unit_of(report, "GDDT")
    assert u.status is Status.ERROR  # a criterion is missing: no total can be computed
    kept = {c: s for c, s in u.scores.items() if c != gone}
    assert kept == {c: Decimal(str(plan[c])) for c in kept}  # every other row found by its code


# Duplicates and strays ----------------------------------------------------------------------


def _meta(path: Path, **values: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_META]
    for row in ws.iter_rows():
        if row[0].value in values:
            row[1].value = values[row[0].value]
    wb.save(path)


def test_duplicate_in_a_zip_newer_than_the_file_on_disk(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    old = fill(default_templates["NV"], inbox / "NV.xlsx", full_scores(bloc, "0.7"))
    saved_at(old, dt.datetime(2023, 11, 14))  # saved in November 2023, as the workbook records
    os.utime(old, (1_700_000_000, 1_700_000_000))
    new_plan = full_scores(bloc, "0.9")
    new = fill(default_templates["NV"], tmp_path / "NV moi.xlsx", new_plan)
    with zipfile.ZipFile(inbox / "gui lai.zip", "w") as zf:
        zf.write(new, "NV moi.xlsx")  # member time: now
    report = collect(inbox, bloc, shown_as="inbox")
    nv = unit_of(report, "NV")
    assert nv.file == "inbox/gui lai.zip/NV moi.xlsx" and nv.total == expected_total(bloc, new_plan)
    (dup,) = [i for i in report.issues if i.code == "duplicate-return"]
    assert dup.file == "inbox/NV.xlsx" and dup.severity is WARN and "gui lai.zip/NV moi.xlsx" in dup.message
    entry = next(f for f in report.files if f.path == "inbox/NV.xlsx")
    assert not entry.used and entry.unit == "NV" and "không dùng" in entry.reason


def test_another_years_return_is_an_error_for_that_file_only(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    plan = full_scores(bloc, "0.9")
    good = fill(default_templates["YT"], inbox / "YT.xlsx", plan)
    stray = fill(default_templates["YT"], inbox / "YT nam truoc.xlsx", full_scores(bloc, "1"))
    _meta(stray, year=str(bloc.info.year - 1))
    os.utime(good, (1_700_000_000, 1_700_000_000))  # the stray is the newer file
    report = collect(inbox, bloc, shown_as="inbox")
    yt = unit_of(report, "YT")
    assert yt.status is Status.RANKED and yt.file == "inbox/YT.xlsx" and yt.total == expected_total(bloc, plan)
    (error,) = issues_at(report, "inbox/YT nam truoc.xlsx", "other-year")
    assert error.severity is ERR and error.unit == "YT"
    assert not [i for i in report.issues if i.code == "duplicate-return"]
    entry = next(f for f in report.files if f.path == "inbox/YT nam truoc.xlsx")
    assert not entry.used and "năm" in entry.reason and "inbox/YT.xlsx" in entry.reason
    assert not report.ok  # the stray's error still needs the bloc leader's eye: exit 1


def test_only_another_blocs_return_keeps_the_unit_out(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    stray = fill(default_templates["TP"], inbox / "TP.xlsx", full_scores(bloc, "0.9"))
    _meta(stray, bloc="Khối thi đua khác")
    report = collect(inbox, bloc, shown_as="inbox")
    tp = unit_of(report, "TP")
    assert tp.status is Status.ERROR and tp.rank is None and "khối" in tp.note
    assert [i.code for i in issues_at(report, "inbox/TP.xlsx") if i.severity is ERR] == ["other-bloc"]


# Nothing lost ---------------------------------------------------------------------------------


@pytest.fixture()
def bloc_folder(default_bloc, default_templates, tmp_path) -> Path:
    """khoi.xlsx, an inbox with two returns, and a previous ranking beside them."""
    config, bloc = default_bloc
    (tmp_path / "khoi.xlsx").write_bytes(config.read_bytes())
    for code in ("VHTT", "YT"):
        fill(default_templates[code], tmp_path / "inbox" / f"{code}.xlsx", full_scores(bloc, "0.9"))
    result = CliRunner().invoke(main, ["collect", str(tmp_path / "inbox"), "--config", str(tmp_path / "khoi.xlsx"),
                                       "--out", str(tmp_path / "xh.xlsx"), "--quiet"])  # fmt: skip
    assert result.exit_code == 1, result.output
    return tmp_path


def _collect_again(folder: Path):
    args = ["collect", str(folder / "inbox"), "--config", str(folder / "khoi.xlsx"), "--out", str(folder / "xh.xlsx")]
    return CliRunner().invoke(main, [*args, "--quiet"])


def test_interrupted_write_leaves_the_previous_ranking_whole(bloc_folder, monkeypatch) -> None:
    import xlsxwriter

    before = (bloc_folder / "xh.xlsx").read_bytes()
    real_close = xlsxwriter.Workbook.close

    def half_written(self) -> None:
        real_close(self)
        with open(self.filename, "r+b") as fh:  # the temporary file is half there …
            fh.truncate(os.path.getsize(self.filename) // 2)
        raise OSError(28, "No space left on device")  # … when the disk fills up

    monkeypatch.setattr(xlsxwriter.Workbook, "close", half_written)
    result = _collect_again(bloc_folder)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "ổ đĩa đã hết chỗ trống" in result.output and "Tệp cũ (nếu có) vẫn được giữ nguyên" in result.output
    assert "No space left" not in result.output  # the OS's English is said in Vietnamese
    assert (bloc_folder / "xh.xlsx").read_bytes() == before
    assert sorted(p.name for p in bloc_folder.iterdir()) == ["inbox", "khoi.xlsx", "xh.xlsx"]


def test_an_output_held_open_elsewhere_is_a_clear_message_and_exit_2(bloc_folder, monkeypatch) -> None:
    before = (bloc_folder / "xh.xlsx").read_bytes()
    real_replace = os.replace

    def locked(src, dst, *args, **kwargs):
        if Path(dst).name == "xh.xlsx":
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", locked)
    result = _collect_again(bloc_folder)
    assert result.exit_code == 2
    assert "đang được mở trong chương trình khác" in result.output and "xh.xlsx" in result.output
    assert "Traceback" not in result.output
    assert (bloc_folder / "xh.xlsx").read_bytes() == before
    assert sorted(p.name for p in bloc_folder.iterdir()) == ["inbox", "khoi.xlsx", "xh.xlsx"]


def test_collect_never_writes_the_inbox(bloc_folder) -> None:
    before = tree_state(bloc_folder / "inbox")
    assert _collect_again(bloc_folder).exit_code == 1
    assert tree_state(bloc_folder / "inbox") == before


# End to end: everything at once ---------------------------------------------------------------

FORMULA_NAMES = {"LDTBXH": "=cmd|' /C calc'!A0.xlsx", "VHTT": "+SUM(1).xlsx"}


@pytest.mark.libreoffice
def test_end_to_end_an_inbox_of_every_kind(default_bloc, default_templates, tmp_path) -> None:
    """Clean returns, LibreOffice re-saves, a copied table, a duplicate, a zip with folders,
    names that look like formulas, a real 2 GB zip bomb and every hostile file of the corpus:
    exit 1, every file listed once, the good units ranked to the cent, each bad file named
    with a Vietnamese message, and the inbox byte for byte as it was."""

    config, bloc = default_bloc
    work = tmp_path
    (work / "khoi.xlsx").write_bytes(config.read_bytes())
    inbox = work / "inbox"
    inbox.mkdir()
    fractions = {"VP": "1", "NV": "0.95", "TP": "0.9", "TCKH": "0.85", "KTHT": "0.8", "TNMT": "0.75",
                 "NNPTNT": "0.7", "GDDT": "0.65", "YT": "0.6", "LDTBXH": "0.55", "VHTT": "0.5"}  # fmt: skip
    plans = {code: full_scores(bloc, f) | {bloc.leaves[-1].code: 0.5} for code, f in fractions.items()}
    staged = work / "staged"
    made = {code: fill(default_templates[code], staged / f"{code}.xlsx", plans[code]) for code in plans}
    # Clean returns saved by openpyxl
    for code in ("VP", "NV"):
        (inbox / f"{code}.xlsx").write_bytes(made[code].read_bytes())
    # Re-saved by LibreOffice as .xls, .ods and .xlsx
    profile = work / "lo-profile"
    (inbox / "TP.xls").write_bytes(lo_batch([made["TP"]], "xls", work / "lo", profile)[0].read_bytes())
    (inbox / "TCKH.ods").write_bytes(lo_batch([made["TCKH"]], "ods", work / "lo", profile)[0].read_bytes())
    (inbox / "lo").mkdir()
    (inbox / "lo" / "KTHT.xlsx").write_bytes(lo_batch([made["KTHT"]], "xlsx", work / "lo2", profile)[0].read_bytes())
    # A table copied into a new workbook, known by its file name
    copied_table(made["TNMT"], inbox / "Phòng Tài nguyên và Môi trường – bảng điểm.xlsx", keep_top=False)
    # A duplicate: the older copy is listed, not used
    old = fill(default_templates["NNPTNT"], inbox / "NNPTNT cu.xlsx", full_scores(bloc, "0.3"))
    saved_at(old, dt.datetime(2023, 11, 14))
    os.utime(old, (1_700_000_000, 1_700_000_000))
    (inbox / "NNPTNT moi.xlsx").write_bytes(made["NNPTNT"].read_bytes())
    # A zip with folders
    with zipfile.ZipFile(inbox / "gui ve.zip", "w") as zf:
        zf.write(made["GDDT"], "Phòng GD/GDDT.xlsx")
        zf.write(made["YT"], "Y tế/đợt 2/YT.xlsx")
    # Names that a spreadsheet would take for formulas
    for code, name in FORMULA_NAMES.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(made[code].read_bytes())
    (inbox / "=1+2.xlsx").write_bytes(b"\x00\x01 not a workbook")
    # Every hostile file, and a real 2 GB zip bomb (as an archive member and as a workbook)
    (inbox / "hostile").mkdir()
    hostile = [f.name for f in FILES.iterdir() if f.is_file() and f.name != "make_files.py"]
    for name in hostile:
        (inbox / "hostile" / name).write_bytes((FILES / name).read_bytes())
    make_files.write_zip_bomb(inbox / "bom.zip", "VHTT.xlsx")
    make_files.write_zip_bomb(inbox / "bom.xlsx", make_files.SHEET_NAME, others=make_files.xlsx_parts())

    before = tree_state(inbox)
    old_cwd = os.getcwd()
    try:
        os.chdir(inbox)  # paths are then shown from the inbox: "=cmd|' /C calc'!A0.xlsx" starts the cell
        args = ["collect", ".", "--config", "../khoi.xlsx", "--out", "../xh.xlsx", "--json", "../r.json"]
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old_cwd)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert tree_state(inbox) == before

    import json

    doc = json.loads((work / "r.json").read_text(encoding="utf-8"))
    paths = [f["path"] for f in doc["files"]]
    assert len(paths) == len(set(paths))
    on_disk = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
    assert on_disk <= set(paths)
    extra = set(paths) - on_disk
    assert all(any(p.startswith(z + "/") for z in on_disk if z.endswith(".zip")) for p in extra), extra
    assert {"gui ve.zip/Phòng GD/GDDT.xlsx", "gui ve.zip/Y tế/đợt 2/YT.xlsx", "bom.zip/VHTT.xlsx"} <= extra

    units = {u["code"]: u for u in doc["units"]}
    for code, plan in plans.items():
        assert units[code]["status"] == "ranked", (code, units[code]["note"])
        assert Decimal(str(units[code]["total"])) == expected_total(bloc, plan), code
    ranks = [units[c]["rank"] for c in fractions]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert units["TNMT"]["file"] == "Phòng Tài nguyên và Môi trường – bảng điểm.xlsx"
    assert (
        units["LDTBXH"]["file"] == FORMULA_NAMES["LDTBXH"] and units["GDDT"]["file"] == "gui ve.zip/Phòng GD/GDDT.xlsx"
    )
    assert {u["status"] for c, u in units.items() if c not in plans} == {"missing"}

    by_file: dict[str, list[dict]] = {}
    for issue in doc["issues"]:
        by_file.setdefault(issue["file"], []).append(issue)
    assert [i["code"] for i in by_file["NNPTNT cu.xlsx"]] == ["duplicate-return"]
    assert [i["code"] for i in by_file["Phòng Tài nguyên và Môi trường – bảng điểm.xlsx"]] == ["form-copied"]
    for path in ("bom.zip/VHTT.xlsx", "bom.xlsx"):
        assert [i["code"] for i in by_file[path]] == ["file-too-large"] and "2.048 MB" in by_file[path][0]["message"]
    not_read = {"~$owner-file.xlsx", ".hidden.xlsx", "Thumbs.db", "desktop.ini", "ghi-chu.txt"}
    for name in hostile:
        if name in not_read:
            continue
        shown = [p for p in paths if p == f"hostile/{name}" or p.startswith(f"hostile/{name}/")]
        errors = [i for p in shown for i in by_file.get(p, []) if i["severity"] == "error"]
        assert errors, name
        assert all(i["message"][:1].isupper() and any(ch in i["message"] for ch in "ệạảờưộ") for i in errors)
    for name in (f for f in paths if f.startswith("hostile/") or f == "=1+2.xlsx"):
        entry = next(f for f in doc["files"] if f["path"] == name)
        assert entry["used"] is False
    assert "xh.xlsx" in result.output  # the summary names the ranking written

    wb = openpyxl.load_workbook(work / "xh.xlsx")
    seen: set[str] = set()
    for sheet in ("Kiểm tra", "Tình hình nộp", "Chi tiết điểm"):
        for row in wb[sheet].iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                for name in (*FORMULA_NAMES.values(), "=1+2.xlsx"):
                    if name in text:
                        assert cell.data_type == "s", (sheet, cell.coordinate, cell.value)
                        seen.add(f"{sheet}:{name}")
    assert {f"Chi tiết điểm:{n}" for n in FORMULA_NAMES.values()} <= seen
    assert {f"Tình hình nộp:{n}" for n in FORMULA_NAMES.values()} <= seen
    assert "Kiểm tra:=1+2.xlsx" in seen


def test_a_stray_spreadsheet_named_after_a_unit_does_not_displace_its_return(
    default_bloc, default_templates, tmp_path
) -> None:
    """A stray "Báo cáo TP.xlsx" with no self-scoring table is not TP's return, however new it is."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    plan = full_scores(bloc, "0.9")
    real = fill(default_templates["TP"], inbox / "TP.xlsx", plan)
    os.utime(real, (1_700_000_000, 1_700_000_000))
    wb = openpyxl.Workbook()
    wb.active.append(["Báo cáo tổng kết năm 2024 của Phòng Tư pháp"])
    wb.save(inbox / "Bao cao TP.xlsx")
    report = collect(inbox, bloc, shown_as="inbox")
    tp = unit_of(report, "TP")
    assert tp.status is Status.RANKED and tp.file == "inbox/TP.xlsx" and tp.total == expected_total(bloc, plan)
    (error,) = issues_at(report, "inbox/Bao cao TP.xlsx")
    assert error.code == "unit-unidentified" and error.severity is ERR and "Mã | Nội dung tiêu chí" in error.message
    assert not [i for i in report.issues if i.code == "duplicate-return"]
