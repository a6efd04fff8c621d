"""The command line as users drive it: exit codes, Vietnamese messages, files written or not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from helpers import GOOD_DATA, fill, full_scores, template_cells

from thidua_xlsx import __version__
from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.cli import main
from thidua_xlsx.ranking.assemble import collect


@pytest.fixture()
def bloc_dir(tmp_path: Path) -> Path:
    """A folder after `init` and `templates`, as a bloc leader has it."""
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    r = runner.invoke(main, ["templates", "--config", str(tmp_path / "khoi.xlsx")])
    assert r.exit_code == 0, r.output
    return tmp_path


def templates(folder: Path) -> dict[str, Path]:
    return {p.name.split("_", 1)[0]: p for p in (folder / "mau_tu_cham").glob("*.xlsx")}


def fill_all(folder: Path, inbox: Path, codes: list[str] | None = None, fraction: str = "0.9") -> None:
    bloc = load_bloc(folder / "khoi.xlsx")
    for code, tpl in templates(folder).items():
        if codes is None or code in codes:
            fill(tpl, inbox / f"{code}.xlsx", full_scores(bloc, fraction), GOOD_DATA)


def invoke(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


ENGLISH = ("Usage:", "[OPTIONS]", "COMMAND [ARGS]", "Options", "Commands", "Show this message", "Show the version",
           "FILES", "FOLDER", "PATH", "DIRECTORY", "FILE ", "Error", "Try '")  # fmt: skip


def test_version_and_vietnamese_help() -> None:
    r = invoke("--version")
    assert r.exit_code == 0 and __version__ in r.output and "phiên bản" in r.output
    r = invoke("--help")
    assert r.exit_code == 0 and "Cách dùng:" in r.output and "Tùy chọn" in r.output and "Lệnh" in r.output
    for cmd in ("init", "templates", "check", "collect"):
        r = invoke(cmd, "--help")
        assert r.exit_code == 0 and "Hiện hướng dẫn này rồi thoát." in r.output, cmd


@pytest.mark.parametrize(
    ("cmd", "usage"),
    [
        ([], "Cách dùng: thidua-xlsx [TÙY_CHỌN] LỆNH [THAM_SỐ]..."),
        (["init"], "Cách dùng: thidua-xlsx init [TÙY_CHỌN] [THƯ_MỤC]"),
        (["templates"], "Cách dùng: thidua-xlsx templates [TÙY_CHỌN]"),
        (["check"], "Cách dùng: thidua-xlsx check [TÙY_CHỌN] TỆP..."),
        (["collect"], "Cách dùng: thidua-xlsx collect [TÙY_CHỌN] INBOX"),
    ],
)
def test_help_has_no_english_left(cmd: list[str], usage: str) -> None:
    r = invoke(*cmd, "--help")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(usage + "\n")
    assert "\nTùy chọn:\n" in r.output and "-h, --help" in r.output and "Hiện hướng dẫn này rồi thoát." in r.output
    assert [w for w in ENGLISH if w in r.output] == []
    assert invoke(*cmd, "-h").output == r.output


def test_help_option_metavars_are_vietnamese() -> None:
    assert "--out THƯ_MỤC" in invoke("templates", "--help").output
    collect_help = invoke("collect", "--help").output
    for option in ("--config TỆP", "--out TỆP", "--json TỆP", "--review TỆP"):
        assert option in collect_help


def test_group_help_lists_the_commands_in_the_order_of_the_work_whole() -> None:
    r = invoke("--help")
    assert r.exit_code == 0 and "Hiện phiên bản rồi thoát." in r.output
    section = r.output.split("\nLệnh:\n", 1)[1]
    names = [line.split()[0] for line in section.splitlines() if line.strip()]
    assert names == ["init", "templates", "check", "collect"]
    assert "..." not in section and "…" not in section  # short summaries, not cut


def test_commands_not_in_the_work_order_come_after_it() -> None:
    import click

    from thidua_xlsx.cli_texts import ViGroup

    group = ViGroup("g", command_order=("collect", "init"))
    for name in ("zeta", "init", "alpha", "collect"):
        group.add_command(click.Command(name))
    assert group.list_commands(click.Context(group)) == ["collect", "init", "alpha", "zeta"]


def test_the_name_alone_prints_the_help_and_exits_0(tmp_path: Path) -> None:
    r = invoke()
    assert r.exit_code == 0 and r.output.startswith("Cách dùng:") and "\nLệnh:\n" in r.output
    proc = _console(cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Cách dùng: thidua-xlsx" in out.decode("utf-8") and err == b""


USAGE_ERRORS = [
    (["collect", "--khong-co", "inbox"], "Không có tùy chọn '--khong-co'.", "thidua-xlsx collect"),
    (["collect", "--qiuet", "inbox"], "Có phải ý bạn là '--quiet'", "thidua-xlsx collect"),
    (["collect"], "Thiếu tham số INBOX.", "thidua-xlsx collect"),
    (["check"], "Thiếu tham số TỆP.", "thidua-xlsx check"),
    (["thu-thap"], "Không có lệnh 'thu-thap'. Các lệnh: init, templates, check, collect.", "thidua-xlsx"),
    (["colect", "inbox"], "Có phải ý bạn là 'collect'?", "thidua-xlsx"),
    (["--khong-co"], "Không có tùy chọn '--khong-co'.", "thidua-xlsx"),
    (["collect", "inbox", "thua"], "Thừa tham số: thua.", "thidua-xlsx collect"),
    (["collect", "inbox", "--quiet=co"], "Tùy chọn '--quiet' không nhận giá trị.", "thidua-xlsx collect"),
    (["collect", "inbox", "--config"], "Tùy chọn '--config' cần một giá trị.", "thidua-xlsx collect"),
    (["init", "khoi.xlsx"], "'khoi.xlsx' là một tệp, cần một thư mục.", "thidua-xlsx init"),
    (["collect", "inbox", "--out", "inbox"], "'inbox' là một thư mục, cần một tệp.", "thidua-xlsx collect"),
]


def _usage_folder(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "khoi.xlsx").write_bytes(b"")
    return tmp_path


def _assert_vietnamese_usage_error(stderr: str, words: str, command: str) -> None:
    lines = stderr.splitlines()
    assert lines[0].startswith("Lỗi: ") and words in lines[0], stderr
    assert lines[-1] == f"Xem hướng dẫn: '{command} --help'.", stderr
    assert [w for w in ENGLISH if w in stderr] == [] and "Traceback" not in stderr


@pytest.mark.parametrize(("args", "words", "command"), USAGE_ERRORS)
def test_usage_errors_of_the_console_command_are_vietnamese(
    tmp_path: Path, args: list[str], words: str, command: str
) -> None:
    proc = _console(*args, cwd=_usage_folder(tmp_path))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and out == b""
    _assert_vietnamese_usage_error(err.decode("utf-8"), words, command)


@pytest.mark.parametrize(("args", "words", "command"), USAGE_ERRORS)
def test_usage_errors_through_the_group_are_vietnamese(
    tmp_path: Path, args: list[str], words: str, command: str
) -> None:
    r = invoke(*args, cwd=_usage_folder(tmp_path))
    assert r.exit_code == 2 and r.stdout == ""
    _assert_vietnamese_usage_error(r.stderr, words, command)


def test_importing_the_cli_leaves_click_as_it_was() -> None:
    """The command line's Vietnamese must not be click's: another click program in the same
    process keeps its own words (the old gettext rebinding changed them for everyone)."""
    code = """if True:
        import sys
        import click, click.shell_completion
        before = {k: dict(vars(m)) for k, m in list(sys.modules.items()) if k.startswith("click")}
        translate = click.core.__dict__.get("_")
        import thidua_xlsx.cli
        changed = sorted(f"{k}.{n}" for k, d in before.items() for n, v in vars(sys.modules[k]).items()
                         if n not in d or d[n] is not v)
        changed += sorted(f"{k}.{n}" for k, d in before.items() for n in d if n not in vars(sys.modules[k]))
        assert click.core.__dict__.get("_") is translate
        assert changed == [], changed

        @click.command()
        @click.argument("files", nargs=-1, required=True)
        def other(files):
            pass

        from click.testing import CliRunner
        r = CliRunner().invoke(other, ["--help"])
        assert "Usage: other [OPTIONS] FILES..." in r.output and "Show this message and exit." in r.output
        r = CliRunner().invoke(other, [])
        assert "Error: Missing argument 'FILES...'." in r.output, r.output
    """
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    before = (tmp_path / "khoi.xlsx").read_bytes()
    r = invoke("init", str(tmp_path))
    assert r.exit_code == 2 and "--force" in r.stderr
    assert (tmp_path / "khoi.xlsx").read_bytes() == before
    assert invoke("init", str(tmp_path), "--force").exit_code == 0


def _docx(path: Path, rows: list[tuple[str, ...]] | None) -> bytes:
    doc = docx.Document()
    doc.add_paragraph("Bảng tiêu chí kèm theo Kế hoạch số 12/KH-KTĐ")
    if rows:
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                table.cell(i, j).text = value
    doc.save(path)
    return path.read_bytes()


CRITERIA_ERRORS = [
    # file name, its bytes (a Word file: its table's rows), the words of the message
    ("bang.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "Word 97-2003 (.doc)"),
    ("bang.pdf", b"%PDF-1.4\n", "cần tệp .xlsx, .xls, .ods hoặc .docx"),
    ("bang.xlsx", b"PK\x03\x04 not really a workbook", "Không mở được tệp"),
    ("bang.docx", b"PK\x03\x04 not really a document", "Không mở được tệp"),
    ("bang.docx", None, "Không tìm thấy bảng tiêu chí"),
    ("bang.docx", [("STT", "Nội dung tiêu chí", "Ghi chú"), ("1", "Chuyên môn", "")], "Không tìm thấy bảng tiêu chí"),
    ("bang.docx", [("STT", "Nội dung", "Điểm"), ("", "Chuyên môn", "100")], "không có dòng tiêu chí nào"),
    ("khong_co.xlsx", False, "Không tìm thấy tệp"),
]


@pytest.mark.parametrize(("name", "content", "words"), CRITERIA_ERRORS)
def test_init_criteria_from_a_file_without_a_table_is_a_usage_error(tmp_path: Path, name, content, words) -> None:
    source = tmp_path / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    elif content is not False:
        _docx(source, content)
    r = invoke("init", str(tmp_path / "khoi"), "--criteria", str(source))
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("Lỗi: ") and words in r.stderr, r.stderr
    assert "Traceback" not in r.output and r.stdout == ""
    assert not (tmp_path / "khoi").exists()


def test_init_criteria_prints_and_exits_by_what_is_left_to_fix(tmp_path: Path) -> None:
    good = [("STT", "Nội dung tiêu chí", "Điểm chuẩn"), ("1", "Chuyên môn", "60"), ("2", "Cải cách", "40")]
    source = tmp_path / "bang.docx"
    _docx(source, good)
    r = invoke("init", str(tmp_path), "--criteria", str(source))
    assert r.exit_code == 0, r.output
    assert "Đã đọc 0 mục, 2 tiêu chí chấm điểm:" in r.stdout and "Tổng điểm chuẩn: 100." in r.stdout
    assert load_bloc(tmp_path / "khoi.xlsx").by_code["2"].max == 40
    before = (tmp_path / "khoi.xlsx").read_bytes()
    again = invoke("init", str(tmp_path), "--criteria", str(source))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert (tmp_path / "khoi.xlsx").read_bytes() == before
    _docx(source, [*good, ("", "Các hoạt động khác", "")])
    r = invoke("init", str(tmp_path), "--criteria", str(source), "--force")
    assert r.exit_code == 1, r.output
    assert 'bảng 1, dòng 4: chưa xếp được dòng "Các hoạt động khác"' in r.stdout
    assert invoke("templates", "--config", str(tmp_path / "khoi.xlsx")).exit_code == 0


def test_collect_all_clean_exits_0_and_writes_beside_the_config(bloc_dir: Path) -> None:
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox)
    r = invoke("collect", "inbox", cwd=bloc_dir)
    assert r.exit_code == 0, r.output
    assert (bloc_dir / "xep_hang_2024.xlsx").exists()
    assert "Bảng xếp hạng:" in r.output and "Lỗi trong các tệp: 0" in r.output
    assert "Đang đọc" not in r.output + r.stderr  # no progress bar when output is not a terminal


def test_collect_with_missing_unit_exits_1_and_json_equals_library(bloc_dir: Path) -> None:
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox, codes=["VHTT", "NV", "TP"])
    out, js = bloc_dir / "kq" / "xh.xlsx", bloc_dir / "kq" / "r.json"
    r = invoke("collect", str(inbox), "--out", str(out), "--json", str(js), "--config", str(bloc_dir / "khoi.xlsx"))
    assert r.exit_code == 1, r.output
    assert out.exists() and js.exists()
    assert "chưa nộp" in r.output and "Còn 13 đơn vị chưa nộp." in r.output
    assert "Lỗi trong các tệp: 0 ·" in r.output  # units that sent nothing are counted apart
    library = collect(inbox, load_bloc(bloc_dir / "khoi.xlsx")).to_dict()
    assert json.loads(js.read_text(encoding="utf-8")) == library


def test_quiet_prints_nothing(bloc_dir: Path) -> None:
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox, codes=["VHTT"])
    r = invoke("collect", str(inbox), "--quiet", "--config", str(bloc_dir / "khoi.xlsx"))
    assert r.exit_code == 1 and r.output == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["collect", "khong-co"], "Không tìm thấy thư mục"),
        (["collect", "inbox", "--config", "khong-co.xlsx"], "Không tìm thấy tệp khối thi đua"),
        (["collect", "inbox", "--out", "inbox/xh.xlsx"], "thư mục nhận tệp"),
        (["collect", "inbox", "--review", "khong-co.xlsx"], "Không tìm thấy bảng bình xét"),
        (["templates", "--unit", "KHONGCO"], "Không có đơn vị mã KHONGCO"),
        (["templates"], "--force"),  # templates already there
        (["check", "khong-co.xlsx"], "Không tìm thấy tệp"),
    ],
)
def test_usage_errors_exit_2_with_a_message(bloc_dir: Path, args: list[str], words: str) -> None:
    (bloc_dir / "inbox").mkdir()
    r = invoke(*args, cwd=bloc_dir)
    assert r.exit_code == 2, r.output
    assert words in r.stderr and "Traceback" not in r.output
    assert not (bloc_dir / "xep_hang_2024.xlsx").exists()


def test_a_final_run_writes_the_dossier_beside_the_final_ranking(bloc_dir: Path) -> None:
    """collect --review also writes the dossier for the council: by default into ho_so_<Năm>/
    beside the final ranking, or into --dossier; the summary names the folder."""
    fill_all(bloc_dir, bloc_dir / "inbox", codes=["VHTT", "NV", "TP"])
    assert invoke("collect", "inbox", "--quiet", cwd=bloc_dir).exit_code == 1
    names = ["bien_ban_hop_binh_xet_2024.docx", "to_trinh_de_nghi_khen_thuong_2024.docx", "bao_cao_tong_ket_2024.docx"]
    r = invoke("collect", "inbox", "--review", "xep_hang_2024.xlsx", cwd=bloc_dir)
    assert r.exit_code == 1, r.output
    assert (bloc_dir / "xep_hang_2024_chinh_thuc.xlsx").exists()
    assert sorted(p.name for p in (bloc_dir / "ho_so_2024").iterdir()) == sorted(names)
    assert "Hồ sơ gửi Hội đồng (biên bản, tờ trình, báo cáo tổng kết): ho_so_2024" in r.output
    r = invoke("collect", "inbox", "--review", "xep_hang_2024.xlsx", "--out", "kq/final.xlsx", "--dossier", "gui_hd",
               "--quiet", cwd=bloc_dir)  # fmt: skip
    assert r.exit_code == 1 and r.output == ""
    assert sorted(p.name for p in (bloc_dir / "gui_hd").iterdir()) == sorted(names)
    assert not (bloc_dir / "kq" / "ho_so_2024").exists()
    assert not list((bloc_dir / "inbox").rglob("*.docx"))  # the inbox is never written
    # A provisional run writes no dossier.
    r = invoke("collect", "inbox", "--out", "tam.xlsx", "--quiet", cwd=bloc_dir)
    assert r.exit_code == 1 and sorted(p.name for p in bloc_dir.glob("ho_so_*")) == ["ho_so_2024"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--dossier", "hs"], "--dossier chỉ dùng cùng --review"),
        (["--review", "xep_hang_2024.xlsx", "--dossier", "inbox/hs"], "thư mục nhận tệp"),
        (["--review", "xep_hang_2024.xlsx", "--dossier", "inbox"], "thư mục nhận tệp"),
        (["--review", "xep_hang_2024.xlsx", "--dossier", "hs", "--json", "hs/bao_cao_tong_ket_2024.docx"],
         "trùng một tệp của hồ sơ"),
        (["--review", "xep_hang_2024.xlsx", "--dossier", "khoi.xlsx"], "là một tệp, cần một thư mục"),
    ],
)  # fmt: skip
def test_a_dossier_that_cannot_be_written_is_refused_before_anything_is_written(
    bloc_dir: Path, args: list[str], words: str
) -> None:
    fill_all(bloc_dir, bloc_dir / "inbox", codes=["VHTT"])
    assert invoke("collect", "inbox", "--quiet", cwd=bloc_dir).exit_code == 1
    before = sorted(p.relative_to(bloc_dir) for p in bloc_dir.rglob("*"))
    r = invoke("collect", "inbox", *args, cwd=bloc_dir)
    assert r.exit_code == 2, r.output
    assert words in r.stderr and "Traceback" not in r.output
    assert sorted(p.relative_to(bloc_dir) for p in bloc_dir.rglob("*")) == before


def test_config_is_found_beside_the_inbox(bloc_dir: Path, tmp_path_factory) -> None:
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox, codes=["VHTT"])
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    r = invoke("collect", str(inbox), cwd=elsewhere)
    assert r.exit_code == 1, r.output
    assert (bloc_dir / "xep_hang_2024.xlsx").exists() and not list(elsewhere.iterdir())


def test_broken_bloc_workbook_is_exit_2_and_nothing_written(bloc_dir: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(bloc_dir / "khoi.xlsx")
    ws = wb["Tiêu chí"]
    ws["C6"] = "mười lăm"
    wb["Thông tin khối"]["B8"] = "XYZ"
    wb.save(bloc_dir / "khoi.xlsx")
    (bloc_dir / "inbox").mkdir()
    r = invoke("collect", "inbox", cwd=bloc_dir)
    assert r.exit_code == 2
    assert "ô C6" in r.stderr and "'Tiêu chí'" in r.stderr
    assert not (bloc_dir / "xep_hang_2024.xlsx").exists()


def test_check_names_the_cell_and_exit_codes(bloc_dir: Path) -> None:
    bloc = load_bloc(bloc_dir / "khoi.xlsx")
    tpl = templates(bloc_dir)["VHTT"]
    good = fill(tpl, bloc_dir / "tra" / "good.xlsx", full_scores(bloc, "0.9"))
    bad_scores = full_scores(bloc, "0.9") | {"1.2": 11}
    bad = fill(tpl, bloc_dir / "tra" / "bad.xlsx", bad_scores)
    cell = template_cells(tpl)[0]["1.2"]
    r = invoke("check", str(good), "--config", str(bloc_dir / "khoi.xlsx"))
    assert r.exit_code == 0 and "không có lỗi" in r.output and "Tổng điểm: 90" in r.output
    r = invoke("check", str(good), str(bad), "--config", str(bloc_dir / "khoi.xlsx"))
    assert r.exit_code == 1 and f"Tự chấm điểm!{cell}" in r.output and "score-above-max" in r.output


def test_unexpected_errors_never_show_a_traceback(bloc_dir: Path, monkeypatch) -> None:
    import thidua_xlsx.cli as cli

    def boom(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(cli, "collect", boom)
    (bloc_dir / "inbox").mkdir()
    r = invoke("collect", "inbox", cwd=bloc_dir)
    assert r.exit_code == 2 and "Lỗi không mong đợi" in r.stderr and "Traceback" not in r.output


def test_collecting_the_bloc_folder_itself_passes_over_khoi_xlsx(bloc_dir: Path) -> None:
    fill_all(bloc_dir, bloc_dir / "tra_ve", codes=["VHTT"])
    report = collect(bloc_dir / "tra_ve", load_bloc(bloc_dir / "khoi.xlsx"))
    assert [f.path for f in report.files if "khoi" in f.path] == []
    import shutil

    shutil.copy(bloc_dir / "khoi.xlsx", bloc_dir / "tra_ve" / "khoi.xlsx")
    report = collect(bloc_dir / "tra_ve", load_bloc(bloc_dir / "tra_ve" / "khoi.xlsx"))
    entry = next(f for f in report.files if f.path.endswith("khoi.xlsx"))
    assert not entry.used and "tệp khối thi đua" in entry.reason
    assert not [i for i in report.issues if i.file and i.file.endswith("khoi.xlsx")]


def _console(*args: str, cwd: Path, stdout: int = subprocess.PIPE) -> subprocess.Popen:
    """The installed command's entry point (`run`), in its own process as a shell starts it."""
    code = "from thidua_xlsx.cli import run; run()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)


def test_the_console_command_keeps_exit_codes_and_every_line(bloc_dir: Path) -> None:
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox, codes=["VHTT", "NV"])
    proc = _console("collect", "inbox", "--json", "kq.json", cwd=bloc_dir)
    out, err = proc.communicate(timeout=300)
    text = out.decode("utf-8")
    assert proc.returncode == 1, err.decode("utf-8")  # units missing
    assert text.rstrip().endswith("Báo cáo JSON: kq.json")  # flushed to the last line before leaving
    assert json.loads((bloc_dir / "kq.json").read_text(encoding="utf-8"))["units"]
    proc = _console("collect", "khong-co", cwd=bloc_dir)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2 and "Không tìm thấy thư mục" in err.decode("utf-8")
    proc = _console("--version", cwd=bloc_dir)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and out.decode("utf-8") == f"thidua-xlsx, phiên bản {__version__}\n"


def test_a_reader_that_stops_early_gets_no_error_message(bloc_dir: Path) -> None:
    """`thidua-xlsx collect inbox | head -1`: the ranking is written, and no 'unexpected error'."""
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox, codes=["VHTT"])
    read, write = os.pipe()
    proc = _console("collect", "inbox", cwd=bloc_dir, stdout=write)
    os.close(write)
    os.close(read)  # nobody reads: the first line already breaks the pipe
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1 and err.decode("utf-8") == ""
    assert (bloc_dir / "xep_hang_2024.xlsx").exists()


# Outputs that would destroy an input, or cannot be written (issue 13, item 4) --------------------


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "khoi.xlsx"], "là tệp khối thi đua"),
        (["--json", "khoi.xlsx"], "là tệp khối thi đua"),
        (["--out", "./kq/../khoi.xlsx"], "là tệp khối thi đua"),  # another spelling of it
        (["--out", "lien_ket.xlsx"], "là tệp khối thi đua"),  # a link to it
        (["--out", "cung.xlsx", "--json", "cung.xlsx"], "--out và --json cùng chỉ tới"),
        (["--review", "xh.xlsx", "--out", "xh.xlsx"], "là bảng bình xét"),
        (["--review", "xh.xlsx", "--json", "xh.xlsx"], "là bảng bình xét"),
        (["--json", "ghi_chu.txt/kq.json"], "không phải là thư mục"),  # --json where no file can be made
        (["--out", "ghi_chu.txt/xh.xlsx"], "không phải là thư mục"),
    ],
)
def test_an_output_that_would_replace_an_input_or_cannot_be_written_is_refused_first(
    bloc_dir: Path, args: list[str], words: str
) -> None:
    inbox = bloc_dir / "inbox"
    fill_all(bloc_dir, inbox, codes=["VHTT"])
    assert invoke("collect", "inbox", "--out", "xh.xlsx", "--quiet", cwd=bloc_dir).exit_code == 1
    (bloc_dir / "lien_ket.xlsx").symlink_to(bloc_dir / "khoi.xlsx")
    (bloc_dir / "ghi_chu.txt").write_text("x")
    before = _listing(bloc_dir)
    r = invoke("collect", "inbox", *args, cwd=bloc_dir)
    assert r.exit_code == 2, r.output
    assert words in r.stderr and "Traceback" not in r.output
    assert _listing(bloc_dir) == before  # nothing written, nothing replaced, no temporary file left


# What a file holds never reaches the terminal raw (item 5) ---------------------------------------

HOSTILE_TEXT = "_x001B_c_x001B_]8;;http://evil.example_x0007_BẤM_x001B_]8;;_x0007_\u202eXYZ_x000D__x000A_LỖI GIẢ"


def _hostile_files(bloc_dir: Path, folder: Path) -> list[Path]:
    """Returns and files whose cells, `_thidua` values, sheet names and file and member names
    carry terminal controls, as a probe made them."""
    import openpyxl
    from helpers import raw_zip

    bloc = load_bloc(bloc_dir / "khoi.xlsx")
    tpl = templates(bloc_dir)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    # a score cell: ESC c (reset), OSC 8 (a link), BEL, U+202E, a forged line, and 70 KB of text
    scores = full_scores(bloc, "0.9") | {"1.1": HOSTILE_TEXT + "A" * 70_000}
    made.append(fill(tpl["VHTT"], folder / "VHTT.xlsx", scores))
    # a `_thidua` value: the bloc's name, shown in the other-bloc error
    nv = fill(tpl["NV"], folder / "NV.xlsx", full_scores(bloc, "0.9"))
    wb = openpyxl.load_workbook(nv)
    for row in wb["_thidua"].iter_rows():
        if row[0].value == "bloc":
            row[1].value = "_x001B_[2J_x001B_]0;tieu de_x0007_Khối khác"
    wb.save(nv)
    made.append(nv)
    # a sheet name: the scores sheet renamed with raw controls in the workbook's XML
    tp = fill(tpl["TP"], folder / "tp-src.xlsx", full_scores(bloc, "0.9") | {"1.2": "mười"})
    with zipfile.ZipFile(tp) as src, zipfile.ZipFile(folder / "TP.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in ("xl/workbook.xml", "docProps/app.xml"):
                data = data.replace("Tự chấm điểm".encode(), "Tự chấm\x1b[31m\x07".encode())
            out.writestr(info, data)
    tp.unlink()
    made.append(folder / "TP.xlsx")
    # file names on disk, and member names in a zip
    for name in ("x\x1b]8;;http:evil\x07y.xlsx", "a\r\nLỖI GIẢ.txt", "\u202egpj.xlsx"):
        (folder / name).write_bytes(b"khong phai bang tinh")
        made.append(folder / name)
    members = [("a\r\nLỖI GIẢ.txt".encode(), b"x"), (b"\x1bc.xlsx", b"x"),
               (b"\x1b]8;;http://evil\x07link\x1b]8;;\x07.xlsx", b"x"), ("\u202eslx.exe".encode(), b"x")]  # fmt: skip
    (folder / "nen.zip").write_bytes(raw_zip(members, utf8_flag=True))
    made.append(folder / "nen.zip")
    return made


def _through_a_terminal(args: list[str], cwd: Path, timeout: float = 300) -> tuple[int, bytes]:
    """Run the console command with a pseudo-terminal as its screen, as a user's terminal is:
    (exit code, every byte it wrote), under a watchdog."""
    import pty
    import select
    import signal
    import time

    from helpers import ROOT

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    code = "from thidua_xlsx.cli import run; run()"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env=env, stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True)  # fmt: skip
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            assert time.monotonic() < deadline, f"thidua-xlsx {args} did not end within {timeout} s"
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the other side is closed
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None and not select.select([master], [], [], 0.2)[0]:
                break
        return proc.wait(timeout=30), b"".join(chunks)
    finally:
        os.close(master)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def _assert_terminal_safe(data: bytes) -> str:
    import re

    for own in (b"\x1b[?25l", b"\x1b[?25h"):  # click's progress bar hides and shows the cursor
        data = data.replace(own, b"")
    assert b"\x1b" not in data and b"\x07" not in data
    text = data.decode("utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    lines = re.split("[\r\n]+", text)
    assert not [line for line in lines if line.lstrip().startswith("LỖI GIẢ")], "a forged line reached the screen"
    return text


def test_check_on_a_terminal_shows_no_control_a_file_holds_and_stays_short(bloc_dir: Path) -> None:
    files = _hostile_files(bloc_dir, bloc_dir / "tra")
    code, data = _through_a_terminal(["check", *map(str, files), "--config", "khoi.xlsx"], bloc_dir)
    assert code == 1
    text = _assert_terminal_safe(data)
    assert "␛c␛]8;;http://evil.example␇BẤM" in text  # the cell's value, its controls made visible
    assert "<U+202E>" in text and "Khối khác" in text and "Tự chấm␛[31m␇" in text
    assert "a␍␊LỖI GIẢ.txt" in text  # the member name on the line it belongs to
    assert len(data) < 40_000  # 70 KB in one cell; 142 KB for two such files before


def test_collect_on_a_terminal_shows_no_control_a_file_holds(bloc_dir: Path) -> None:
    _hostile_files(bloc_dir, bloc_dir / "inbox")
    code, data = _through_a_terminal(["collect", "inbox"], bloc_dir)
    assert code == 1
    text = _assert_terminal_safe(data)
    assert "Đang đọc các tệp" in text  # the progress bar of a terminal was there
    assert "Bảng xếp hạng:" in text and (bloc_dir / "xep_hang_2024.xlsx").exists()
    assert len(data) < 40_000


# Signals during the write, and the temporary file's name (item 11) -------------------------------

_PAUSED_WRITE = """
import pathlib, sys, time, xlsxwriter
real, marker = xlsxwriter.Workbook.close, pathlib.Path(sys.argv.pop(1))
def paused(self):
    real(self)
    marker.write_text(self.filename)  # the workbook is in its temporary file
    time.sleep(300)
xlsxwriter.Workbook.close = paused
from thidua_xlsx.cli import run
run()
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_signal_during_the_write_leaves_the_old_ranking_and_no_temporary_file(bloc_dir: Path, sig: str) -> None:
    import signal
    import time

    from helpers import ROOT

    fill_all(bloc_dir, bloc_dir / "inbox", codes=["VHTT"])
    (bloc_dir / "xh.xlsx").write_bytes(b"the ranking of yesterday")
    marker = bloc_dir / "writing.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    args = ["collect", "inbox", "--out", "xh.xlsx", "--quiet"]
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_WRITE, str(marker), *args], cwd=bloc_dir, env=env,
                            stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert time.monotonic() < deadline and proc.poll() is None, "the write was never reached"
            time.sleep(0.05)
        temporary = Path(marker.read_text())
        assert temporary.name.startswith(".xh.xlsx.dang-ghi-")  # its name says what it is
        proc.send_signal(getattr(signal, sig))
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert (bloc_dir / "xh.xlsx").read_bytes() == b"the ranking of yesterday"
    left = [p.name for p in bloc_dir.iterdir() if ".dang-ghi-" in p.name]
    if sig == "SIGKILL":  # nothing runs after SIGKILL: what stays says what it is
        assert left == [temporary.name]
        return
    assert left == []
    assert proc.returncode == 128 + getattr(signal, sig)
    assert "Đã dừng" in err.decode("utf-8") and "Traceback" not in err.decode("utf-8")


# Outputs get the permissions of a file made the usual way (issue 18, item 7) ----------------------


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_outputs_get_the_mode_the_umask_gives(tmp_path: Path, umask: int) -> None:
    from thidua_xlsx.writers.bloc_book import write_bloc_workbook
    from thidua_xlsx.writers.template import write_templates

    old = os.umask(umask)
    try:
        config = write_bloc_workbook(tmp_path / "khoi.xlsx")
        bloc = load_bloc(config)
        [tpl] = write_templates(bloc, tmp_path / "mau", units=["VHTT"], workers=1)
        fill(tpl, tmp_path / "inbox" / "VHTT.xlsx", full_scores(bloc, "0.9"))
        r = invoke("collect", "inbox", "--out", "xh.xlsx", "--json", "kq.json", "--quiet", cwd=tmp_path)
        assert r.exit_code == 1, r.output
    finally:
        os.umask(old)
    want = 0o666 & ~umask
    for path in (config, tpl, tmp_path / "xh.xlsx", tmp_path / "kq.json"):
        assert path.stat().st_mode & 0o777 == want, (path.name, oct(path.stat().st_mode & 0o777))


# Names that are not UTF-8 (item 2) ----------------------------------------------------------------


def test_check_reads_a_return_whose_name_is_not_utf8(bloc_dir: Path) -> None:
    from helpers import run_cli

    bloc = load_bloc(bloc_dir / "khoi.xlsx")
    made = fill(templates(bloc_dir)["VHTT"], bloc_dir / "v.xlsx", full_scores(bloc, "0.9"))
    raw = os.fsencode(bloc_dir) + b"/VHTT_b\xe1o_c\xe1o.xlsx"
    os.rename(made, raw)
    r = run_cli("check", b"VHTT_b\xe1o_c\xe1o.xlsx", "--config", "khoi.xlsx", cwd=bloc_dir, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "VHTT_b\\xe1o_c\\xe1o.xlsx — Phòng Văn hóa và Thông tin (VHTT): không có lỗi." in r.stdout
    assert "Tổng điểm: 90" in r.stdout


def _summary_of_samples(columns: int) -> list[str]:
    """`collect` on the samples as a terminal of `columns` characters shows it."""
    from helpers import SAMPLES

    env = dict(os.environ, COLUMNS=str(columns), PYTHONIOENCODING="utf-8")
    cmd = [sys.executable, "-c", "from thidua_xlsx.cli import run; run()", "collect", str(SAMPLES / "inbox")]
    with tempfile.TemporaryDirectory() as tmp:
        cmd += ["--config", str(SAMPLES / "khoi.xlsx"), "--out", str(Path(tmp) / "xh.xlsx")]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 1, done.stderr
    return done.stdout.splitlines()


def test_the_summary_fits_a_narrow_terminal_and_keeps_every_action_whole() -> None:
    lines = _summary_of_samples(80)
    assert max(len(line) for line in lines if not line.startswith("Bảng xếp hạng:")) < 80
    text = " ".join(" ".join(lines).split())  # the notes, wrapped under their rows, read whole
    assert "tỷ lệ LĐTT 65 % < 70 %" in text
    assert "khối bỏ phiếu suy tôn để quyết định" in text
    assert "Lỗi trong các tệp: 1 · Cảnh báo:" in text and "Còn 1 đơn vị chưa nộp." in text


def test_the_summary_uses_a_wide_terminal() -> None:
    lines = _summary_of_samples(250)
    bqlda = next(line for line in lines if " BQLDA " in line)
    assert "tỷ lệ LĐTT 65 % < 70 % (không đề nghị Cờ thi đua của UBND tỉnh)." in bqlda  # one line, uncut
    assert "Ban Quản lý dự án đầu tư xây dựng huyện" in bqlda
    at = next(i for i, line in enumerate(lines) if " GDDT " in line)
    tie = " ".join(" ".join(lines[at : at + 2]).split())  # a long note goes on under its row
    assert "khối bỏ phiếu suy tôn để quyết định, chưa đề nghị." in tie
    assert max(len(line) for line in lines) < 250
