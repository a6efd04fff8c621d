"""What a hostile or merely odd inbox still does (issue 13): each inbox is built here the way
a probe built it, and each run must end, list every file once with its reason, and keep the
good returns ranked. Runs that could hang are bounded by a watchdog (`run_cli`)."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import FILES, fill, full_scores, raw_zip, run_cli

from thidua_xlsx.core.report import Report, Status
from thidua_xlsx.intake import collect as collect_mod
from thidua_xlsx.intake import inbox as inbox_mod
from thidua_xlsx.intake import reader as reader_mod
from thidua_xlsx.intake.inbox import Source
from thidua_xlsx.intake.pool import Failed, Failure
from thidua_xlsx.ranking.assemble import collect


def unit_of(report: Report, code: str):
    return next(u for u in report.units if u.code == code)


def listed(report: Report) -> dict[str, object]:
    paths = [f.path for f in report.files]
    assert len(paths) == len(set(paths)), "a file is listed twice"
    return {f.path: f for f in report.files}


def codes_at(report: Report, path: str) -> list[str]:
    return [i.code.value for i in report.issues if i.file == path]


def good_returns(bloc, templates, folder: Path, codes=None) -> dict[str, Path]:
    """One filled return per unit (every unit of the bloc by default), named by its code."""
    plan = full_scores(bloc, "0.9")
    return {u.code: fill(templates[u.code], folder / f"{u.code}.xlsx", plan)
            for u in bloc.units if codes is None or u.code in codes}  # fmt: skip


def wide_repeat_ods(rows: int, cols: int) -> bytes:
    """An .ods of a few hundred bytes whose one repeated cell fills rows × cols cells when read."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{cols}" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def collect_cli(folder: Path, config: Path, *extra: str, timeout: float = 600):
    """`thidua-xlsx collect inbox` with both outputs, under the watchdog: (result, JSON report)."""
    result = run_cli("collect", "inbox", "--config", str(config), "--out", "xh.xlsx", "--json", "kq.json", "--quiet",
                     *extra, cwd=folder, timeout=timeout)  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert (folder / "xh.xlsx").stat().st_size > 0
    return result, json.loads((folder / "kq.json").read_text(encoding="utf-8"))


# 1. Runs that never ended -----------------------------------------------------------------------


def test_sixteen_returns_and_a_zip_of_800_sparse_sheets_end_with_everything_listed(
    default_bloc, default_templates, tmp_path
) -> None:
    """The probe's inbox: every unit's return, and a 1.3 MB zip of 800 copies of a sheet that
    kills the reader. Before, the supervisor spun at 100 % CPU with no output, for ever."""
    config, bloc = default_bloc
    inbox = tmp_path / "inbox"
    good_returns(bloc, default_templates, inbox)
    sparse = (FILES / "sparse-sheet.xlsx").read_bytes()
    with zipfile.ZipFile(inbox / "bang tinh cu.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(800):
            zf.writestr(f"bang_{i:03}.xlsx", sparse)
    result, report = collect_cli(tmp_path, config)
    assert result.returncode == 1, result.stderr  # §2: written, but there are files in error
    assert [u["status"] for u in report["units"]] == ["ranked"] * 16  # the junk is no unit's
    files = {f["path"]: f for f in report["files"]}
    assert len(files) == len(report["files"]) == 16 + 1 + 800
    for i in range(800):
        entry = files[f"inbox/bang tinh cu.zip/bang_{i:03}.xlsx"]
        assert entry["used"] is False and "dừng bất thường" in entry["reason"], entry
    errors = [i for i in report["issues"] if i["code"] == "file-unreadable"]
    assert len(errors) == 800


def test_thirty_copies_of_a_wide_repeat_ods_end(default_bloc, default_templates, tmp_path) -> None:
    """30 copies of an .ods whose repeated cell fills ~98 million cells: each copy kills the
    reader after seconds of work; once one has, its copies fail unread (the probe: 15 min
    of a spinning supervisor, then killed)."""
    config, bloc = default_bloc
    inbox = tmp_path / "inbox"
    good_returns(bloc, default_templates, inbox)
    ods = wide_repeat_ods(6000, 16384)
    for i in range(30):
        (inbox / f"bang tong hop {i:02}.ods").write_bytes(ods)
    result, report = collect_cli(tmp_path, config)
    assert result.returncode == 1, result.stderr  # §2: written, but there are files in error
    assert [u["status"] for u in report["units"]] == ["ranked"] * 16
    files = {f["path"]: f for f in report["files"]}
    assert len(files) == 16 + 30
    for i in range(30):
        entry = files[f"inbox/bang tong hop {i:02}.ods"]
        assert entry["used"] is False and "dừng bất thường" in entry["reason"], entry


# 2. File names that are not UTF-8 ---------------------------------------------------------------


def test_file_names_that_are_not_utf8_are_shown_escaped_and_read_by_their_bytes(
    default_bloc, default_templates, tmp_path
) -> None:
    """Latin-1 bytes in names (old Windows zips, USB sticks): the run, the ranking and the
    JSON go on; the name is shown with the odd byte escaped; the file is read as it is."""
    config, bloc = default_bloc
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw = os.fsencode(inbox)
    with open(raw + b"/ghi_ch\xfa.txt", "wb") as fh:
        fh.write(b"ghi chu")
    vhtt = good_returns(bloc, default_templates, tmp_path / "src", ["VHTT"])["VHTT"]
    os.rename(vhtt, raw + b"/VHTT_b\xe1o_c\xe1o.xlsx")
    result, report = collect_cli(tmp_path, config)
    assert result.returncode == 1, result.stderr  # the other units are missing
    files = {f["path"]: f for f in report["files"]}
    assert set(files) == {"inbox/ghi_ch\\xfa.txt", "inbox/VHTT_b\\xe1o_c\\xe1o.xlsx"}
    assert files["inbox/VHTT_b\\xe1o_c\\xe1o.xlsx"]["used"] is True
    vh = next(u for u in report["units"] if u["code"] == "VHTT")
    assert vh["status"] == "ranked" and vh["file"] == "inbox/VHTT_b\\xe1o_c\\xe1o.xlsx"
    assert "không phải bảng tính" in files["inbox/ghi_ch\\xfa.txt"]["reason"]


# 6. Two members of one name ---------------------------------------------------------------------


@pytest.mark.parametrize("junk_first", [False, True])
def test_two_members_of_one_name_are_each_read_as_themselves(default_bloc, default_templates, tmp_path, junk_first):
    """A valid return and junk under the same name in one zip: the return is read as the
    return, the junk as junk, whichever comes first (before: the last one was read twice)."""
    _, bloc = default_bloc
    data = good_returns(bloc, default_templates, tmp_path / "src", ["VHTT"])["VHTT"].read_bytes()
    junk = b"day khong phai bang tinh\n"
    members = [(b"VHTT.xlsx", data), (b"VHTT.xlsx", junk)]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.zip").write_bytes(raw_zip(members[::-1] if junk_first else members))
    report = collect(inbox, bloc, shown_as="inbox")
    files = listed(report)
    good, bad = ("inbox/a.zip/VHTT.xlsx (bản thứ 2 trong tệp nén)", "inbox/a.zip/VHTT.xlsx")
    if not junk_first:
        good, bad = bad, good
    assert unit_of(report, "VHTT").status is Status.RANKED and unit_of(report, "VHTT").file == good
    assert codes_at(report, good) == []
    assert codes_at(report, bad) == ["file-not-spreadsheet"] and files[bad].used is False
    assert not [i for i in report.issues if i.code.value == "duplicate-return"]


# 7. A nested archive is inflated once, not once a member ------------------------------------------


def test_a_nested_archive_is_inflated_once_per_worker_not_once_per_member(
    default_bloc, default_templates, tmp_path, monkeypatch
) -> None:
    """The probe: a zip holding a 190 MB zip of 4,999 members took 17 min, the inner zip being
    inflated again for every member. Counted here: inflations of the inner archive do not grow
    with its members (the walk lists it once; each worker opens it once)."""
    _, bloc = default_bloc
    data = good_returns(bloc, default_templates, tmp_path / "src", ["VHTT"])["VHTT"].read_bytes()
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(300):
            zf.writestr(f"ban_sao/VHTT_{i:03}.xlsx", data)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "ngoai.zip", "w") as zf:
        zf.write(inner, "trong.zip")
    log = tmp_path / "inflations.log"
    real = inbox_mod.read_member

    def counted(zf, member, **kwargs):
        name = member if isinstance(member, str) else member.filename
        if name.endswith(".zip"):
            with open(log, "a") as fh:  # workers are other processes: count through a file
                fh.write(f"{os.getpid()}\n")
        return real(zf, member, **kwargs)

    monkeypatch.setattr(inbox_mod, "read_member", counted)
    report = collect(inbox, bloc, shown_as="inbox", workers=2)
    inflations = log.read_text().split()
    assert len(inflations) <= 1 + 2 + 1, inflations  # the walk, then at most once per worker (and a spare)
    assert report.read_count == 300
    assert unit_of(report, "VHTT").status is Status.RANKED
    assert len(listed(report)) == 1 + 1 + 300  # the two archives and every member


def test_members_of_a_flat_zip_are_read_from_one_opening_of_it(tmp_path, monkeypatch) -> None:
    """Reading members one after another parses the central directory once, not once a member."""
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(50):
            zf.writestr(f"x{i}.xlsx", b"not a workbook")
    walk = inbox_mod.walk_inbox(tmp_path, shown_as="inbox")
    opened = []
    real = zipfile.ZipFile.__init__

    def counting(self, *args, **kwargs):
        opened.append(args[0] if args else None)
        real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    try:
        assert [inbox_mod.source_bytes(s) for s in walk.sources] == [b"not a workbook"] * 50
    finally:
        inbox_mod.forget_archive()
    assert len(opened) == 1


# 9. Symbolic links ------------------------------------------------------------------------------


def test_links_out_of_the_inbox_are_not_followed_and_a_linked_file_is_not_its_own_duplicate(
    default_bloc, default_templates, tmp_path
) -> None:
    """A link to /usr listed 166,760 files; one to / read other people's workbooks. Links out
    of INBOX are passed over with a warning; a return reached by two more names inside INBOX
    (a link to it, a link to its folder, a hard link) is read once and is no duplicate."""
    _, bloc = default_bloc
    outside = tmp_path / "outside"
    returns = good_returns(bloc, default_templates, outside, ["VHTT", "NV"])
    inbox = tmp_path / "inbox"
    (inbox / "that").mkdir(parents=True)
    shutil.move(returns["VHTT"], inbox / "that" / "VHTT.xlsx")
    (inbox / "usr").symlink_to("/usr", target_is_directory=True)
    (inbox / "goc").symlink_to("/", target_is_directory=True)
    (inbox / "NV.xlsx").symlink_to(returns["NV"])
    (inbox / "lien ket.xlsx").symlink_to(inbox / "that" / "VHTT.xlsx")
    (inbox / "thu muc lien ket").symlink_to(inbox / "that", target_is_directory=True)
    (inbox / "vong.xlsx").symlink_to(inbox / "vong.xlsx")
    os.link(inbox / "that" / "VHTT.xlsx", inbox / "that" / "VHTT_2.xlsx")
    report = collect(inbox, bloc, shown_as="inbox")
    files = listed(report)
    assert set(files) == {"inbox/that/VHTT.xlsx", "inbox/usr", "inbox/goc", "inbox/NV.xlsx", "inbox/lien ket.xlsx",
                          "inbox/thu muc lien ket", "inbox/vong.xlsx", "inbox/that/VHTT_2.xlsx"}  # fmt: skip
    assert report.read_count == 1
    assert unit_of(report, "VHTT").status is Status.RANKED and unit_of(report, "VHTT").file == "inbox/that/VHTT.xlsx"
    assert unit_of(report, "NV").status is Status.MISSING  # its file lies outside the inbox
    for name in ("usr", "goc", "NV.xlsx"):
        assert codes_at(report, f"inbox/{name}") == ["link-outside-inbox"]
        assert "ra ngoài thư mục nhận tệp" in files[f"inbox/{name}"].reason
    assert "được đọc ở đường dẫn thật" in files["inbox/lien ket.xlsx"].reason
    assert "được đọc ở đường dẫn thật" in files["inbox/thu muc lien ket"].reason
    assert "vòng lặp" in files["inbox/vong.xlsx"].reason
    assert "cùng một tệp với inbox/that/VHTT.xlsx" in files["inbox/that/VHTT_2.xlsx"].reason
    assert not [i for i in report.issues if i.code.value == "duplicate-return"]


# 12. A member that climbs out of its archive -----------------------------------------------------


def test_a_member_named_to_climb_out_of_its_zip_is_read_by_its_safe_name(default_bloc, default_templates, tmp_path):
    _, bloc = default_bloc
    made = good_returns(bloc, default_templates, tmp_path / "src", ["VHTT", "NV", "YT"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    members = [(b"../../VHTT.xlsx", made["VHTT"].read_bytes()), (b"/etc/NV.xlsx", made["NV"].read_bytes()),
               (b"C:\\Users\\a\\..\\YT.xlsx", made["YT"].read_bytes())]  # fmt: skip
    (inbox / "a.zip").write_bytes(raw_zip(members))
    report = collect(inbox, bloc, shown_as="inbox")
    files = listed(report)
    assert {"inbox/a.zip/VHTT.xlsx", "inbox/a.zip/etc/NV.xlsx", "inbox/a.zip/Users/a/YT.xlsx"} <= set(files)
    for code, path in (("VHTT", "inbox/a.zip/VHTT.xlsx"), ("NV", "inbox/a.zip/etc/NV.xlsx")):
        assert unit_of(report, code).status is Status.RANKED and unit_of(report, code).file == path
    assert unit_of(report, "YT").status is Status.RANKED
    assert not [f for f in report.files if "ẩn" in (f.reason or "")]


# 13. OS errors are the leader's machine, said in Vietnamese --------------------------------------


def _deep_folder(root: Path, depth: int) -> bytes:
    """A folder tree whose full path is longer than the OS allows (PATH_MAX), made step by step."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d" * 250, dir_fd=fd)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("VHTT.xlsx", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "wb") as fh:
            fh.write(b"x")
    finally:
        os.close(fd)
    return b"d" * 250


def test_a_path_too_long_for_the_os_is_the_leaders_machine_in_vietnamese(default_bloc, default_templates, tmp_path):
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    good_returns(bloc, default_templates, inbox, ["NV"])
    _deep_folder(inbox, 20)  # 20 × 251 characters: past the 4,096 of PATH_MAX
    report = collect(inbox, bloc, shown_as="inbox")
    refused = [i for i in report.issues if i.code.value == "file-inaccessible"]
    assert len(refused) == 1
    message = refused[0].message
    assert "quá dài" in message and "không cần gửi lại" in message
    assert "File name too long" not in message and "Hãy mở tệp bằng Excel" not in message
    assert unit_of(report, "NV").status is Status.RANKED


def test_no_permission_on_the_leaders_disk_does_not_ask_the_unit_to_resend(
    default_bloc, default_templates, tmp_path, monkeypatch
) -> None:
    """Permissions are not enforced for root (tests may run as root): the OS's refusal is made
    here, where the reader opens the file, as a normal user meets it."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    good_returns(bloc, default_templates, inbox, ["NV", "VHTT"])

    def refuse(path, *args, **kwargs):
        if Path(path).name == "VHTT.xlsx":
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(reader_mod, "open", refuse, raising=False)  # workers are forked: they see it too
    report = collect(inbox, bloc, shown_as="inbox")
    issue = next(i for i in report.issues if i.file == "inbox/VHTT.xlsx")
    assert issue.code.value == "file-inaccessible" and issue.severity.value == "error"
    assert "không cho quyền truy cập" in issue.message and "đơn vị không cần gửi lại" in issue.message
    assert "Permission denied" not in issue.message and "Hãy mở tệp bằng Excel" not in issue.message
    assert unit_of(report, "NV").status is Status.RANKED
    assert unit_of(report, "VHTT").status is not Status.RANKED


def test_the_readers_cell_limit_is_a_file_too_large_in_vietnamese(default_bloc, tmp_path) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rong.ods").write_bytes(wide_repeat_ods(1_048_576, 16384))  # 17 billion cells declared
    report = collect(inbox, bloc, shown_as="inbox")
    [issue] = [i for i in report.issues if i.file == "inbox/rong.ods"]
    assert issue.code.value == "file-too-large" and "quá nhiều ô" in issue.message
    assert "Cell limit" not in issue.message


@pytest.mark.parametrize(
    ("why", "code", "words", "not_words"),
    [
        (Failed(Failure.NO_WORKER), "file-inaccessible", "không khởi động được", "no-worker"),
        (Failed(Failure.ERROR, "MemoryError: boom"), "file-unreadable", "quá nhiều bộ nhớ", "MemoryError"),
        (Failed(Failure.ERROR, "RecursionError: deep"), "file-unreadable", "lồng nhau quá sâu", "RecursionError"),
        (Failed(Failure.CRASH), "file-unreadable", "dừng bất thường", "crash"),
        (Failed(Failure.GIVEN_UP, "8"), "file-unreadable", "8 tệp khác trong cùng tệp nén", "given-up"),
    ],
)
def test_a_file_the_workers_gave_no_result_for_is_said_in_vietnamese(
    tmp_path, default_bloc, why, code, words, not_words
) -> None:
    source = Source("inbox/x.xlsx", tmp_path / "x.xlsx")
    [issue] = collect_mod._failed(source, why, bloc=default_bloc[1]).issues
    assert issue.code.value == code and words in issue.message and not_words not in issue.message


def test_check_on_a_link_loop_says_so_in_vietnamese(tmp_path, default_bloc) -> None:
    config, _ = default_bloc
    (tmp_path / "vong.xlsx").symlink_to(tmp_path / "vong.xlsx")
    result = run_cli("check", "vong.xlsx", "--config", str(config), cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert "vòng lặp" in result.stderr and "Too many levels" not in result.stderr


def test_copies_are_told_by_their_bytes_read_only_when_sizes_match(tmp_path, monkeypatch) -> None:
    """The key that lets copies of a killing file fail unread: equal bytes are one key; a file
    of another size is told apart without being read."""
    for name, data in (("a.xlsx", b"x" * 100), ("b.xlsx", b"x" * 100), ("c.xlsx", b"y" * 100), ("d.xlsx", b"x")):
        (tmp_path / name).write_bytes(data)
    walk = inbox_mod.walk_inbox(tmp_path)
    a, b, c = (collect_mod._Content(s) for s in walk.sources[:3])
    assert a == b and hash(a) == hash(b) and a != c
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    doomed = {collect_mod._Content(walk.sources[0]): "crash"}
    assert collect_mod._Content(walk.sources[3]) not in doomed and read == []  # another size: not read
