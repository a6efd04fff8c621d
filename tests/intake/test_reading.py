"""Reading you can trust (issue 12): every number read as the clerk meant it, every file on the
right unit. Each case is a real workbook made the way a clerk makes it (openpyxl, and LibreOffice
for .xls/.ods and error values), read through collect or check, with the unit, the total, the
rank, the issue's code, severity, sheet and cell asserted."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import (
    GOOD_DATA,
    expected_total,
    fill,
    full_scores,
    lo_batch,
    make_bloc,
    make_templates,
    read,
    saved_at,
    spec,
    template_cells,
)

from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Issue, Severity
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.core.report import Report, Status, UnitResult
from thidua_xlsx.intake import returns
from thidua_xlsx.intake.returns import Evidence, ReturnData
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.writers.json_report import write_json
from thidua_xlsx.writers.ranking_book import write_ranking

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
D = Decimal


def only(found: ReturnData | Report, code: str, file: str | None = None) -> Issue:
    hits = [i for i in found.issues if i.code == code and (file is None or i.file == file)]
    assert len(hits) == 1, f"{code}: {[(i.code, i.file, i.cell, i.message) for i in found.issues]}"
    return hits[0]


def unit_of(report: Report, code: str) -> UnitResult:
    return next(u for u in report.units if u.code == code)


def check(*files: Path, config: Path) -> tuple[int, str]:
    """`thidua-xlsx check FILE…` as the bloc leader runs it: exit code and what it prints."""
    r = CliRunner().invoke(main, ["check", *map(str, files), "--config", str(config)])
    return r.exit_code, r.output


def when(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2024, 12, day, hour, 0, tzinfo=dt.timezone.utc)


# The thousands dot, on a 1,010-point bloc ----------------------------------------------------

THOUSAND = [
    ["1", "Kết quả thực hiện nhiệm vụ chính trị", 1000, "điểm", ""],
    ["2", "Công tác thi đua, khen thưởng", 10, "điểm", ""],
    ["3", "Điểm thưởng", 20, "thưởng", ""],
    ["4", "Điểm trừ", 20, "trừ", ""],
]


@pytest.fixture(scope="module")
def thousand(tmp_path_factory) -> tuple[Path, Bloc, dict[str, Path]]:
    work = tmp_path_factory.mktemp("thousand")
    path, bloc = make_bloc(work, spec(criteria=THOUSAND, info={L.I_BASE_TOTAL: 1010}))
    return path, bloc, make_templates(bloc, work / "mau", units=["VHTT", "TCKH", "NV"])


def test_a_thousand_typed_as_1_000_is_asked_for_not_read_as_one(thousand, tmp_path) -> None:
    """VHTT meant 1000 (first place); read as 1 it fell to third with exit code 0. Now: an error
    on the cell, VHTT unranked, the others ranked on their exact totals."""
    config, bloc, tpl = thousand
    inbox = tmp_path / "inbox"
    fill(tpl["VHTT"], inbox / "VHTT.xlsx", {"1": "1.000", "2": 10, "3": 0, "4": 0})
    fill(tpl["TCKH"], inbox / "TCKH.xlsx", {"1": 950, "2": 9.5, "3": 5, "4": 0.5})
    fill(tpl["NV"], inbox / "NV.xlsx", {"1": "900,25", "2": "1.000", "3": 0, "4": 0})
    report = collect(inbox, bloc, shown_as="inbox")
    vhtt, tckh, nv = (unit_of(report, c) for c in ("VHTT", "TCKH", "NV"))
    cells = template_cells(tpl["VHTT"])[0]
    error = only(report, "number-ambiguous")
    assert (error.severity, error.unit, error.sheet, error.cell) == (ERR, "VHTT", L.SHEET_SCORES, cells["1"])
    assert '"1.000"' in error.message and "1 hoặc 1000" in error.message
    assert vhtt.status is Status.ERROR and vhtt.rank is None and not report.ok
    assert (tckh.rank, tckh.total) == (1, D("964"))
    # '1.000' in a max-10 criterion can only be 1; '900,25' reads one way: warnings, exact total
    assert (nv.rank, nv.total) == (2, D("901.25"))
    warned = {i.cell for i in report.issues if i.code == "score-text-number" and i.unit == "NV"}
    assert warned == {cells["1"], cells["2"]}
    code, out = check(inbox / "VHTT.xlsx", config=config)
    assert code == 1 and "đọc được hai cách: 1 hoặc 1000" in out and f"{L.SHEET_SCORES}!{cells['1']}" in out


def test_head_counts_group_thousands_with_a_dot(thousand, tmp_path) -> None:
    _, bloc, tpl = thousand
    data = GOOD_DATA | {"TS": "1.250", "LDTT": "1.000", "CSTD": "150"}
    out = fill(tpl["VHTT"], tmp_path / "VHTT.xlsx", {"1": 990, "2": 10, "3": 0, "4": 0}, data)
    result = read(out, bloc)
    assert not result.errors, [i.message for i in result.issues]
    assert (result.data["TS"], result.data["LDTT"], result.data["CSTD"]) == (D(1250), D(1000), D(150))
    cells = template_cells(tpl["VHTT"])[1]
    texts = {i.cell: i.message for i in result.issues if i.code == "data-text-number"}
    assert set(texts) == {cells["TS"], cells["LDTT"], cells["CSTD"]}
    assert "đã đọc là 1000" in texts[cells["LDTT"]]  # shown so that it reads one way only
    report = collect(tmp_path, bloc)
    assert unit_of(report, "VHTT").ldtt_share == D(80)


def test_a_head_count_with_a_comma_that_reads_two_ways_is_asked_for(thousand, tmp_path) -> None:
    _, bloc, tpl = thousand
    out = fill(tpl["VHTT"], tmp_path / "VHTT.xlsx", {"1": 990, "2": 10, "3": 0, "4": 0}, GOOD_DATA | {"TS": "1,000"})
    issue = only(read(out, bloc), "number-ambiguous")
    assert (issue.severity, issue.sheet, issue.cell) == (ERR, L.SHEET_DATA, template_cells(tpl["VHTT"])[1]["TS"])
    assert "Số liệu TS" in issue.message and "1 hoặc 1000" in issue.message


# What a cell that is not a number holds ------------------------------------------------------

NOT_NUMBERS = [
    # (criterion 1.1's cell holds, issue code, words the message must have, words it must not)
    ("#VALUE!", "score-not-number", ["giá trị lỗi #VALUE!", "Xóa công thức"], "chưa có điểm"),
    ("=B5*2", "score-not-number", ["công thức =B5*2", "chưa có kết quả", "lưu lại"], "chưa có điểm"),
    (dt.datetime(2024, 5, 9), "score-not-number", ["là ngày 09/05/2024", "Định dạng ô là Số"], "lớn hơn"),
    (45421, "score-above-max", ["là 45421", "lớn hơn điểm tối đa 15", "ngày 09/05/2024"], "45.421"),
    ("\u0663", "score-not-number", ['là chữ "\u0663"', "từ 0 đến 15"], "đã đọc"),
    ("\uff19", "score-not-number", ['là chữ "\uff19"'], "đã đọc"),
]


@pytest.mark.parametrize(("value", "code", "words", "not_words"), NOT_NUMBERS)
def test_a_cell_that_is_not_a_number_says_what_it_holds(
    default_bloc, default_templates, tmp_path, value, code, words, not_words
) -> None:
    config, bloc = default_bloc
    out = fill(default_templates["VHTT"], tmp_path / "VHTT.xlsx", full_scores(bloc, "0.9") | {"1.1": value})
    issue = only(read(out, bloc), code)
    assert (issue.severity, issue.sheet, issue.cell) == (ERR, L.SHEET_SCORES, template_cells(out)[0]["1.1"])
    assert all(w in issue.message for w in words) and not_words not in issue.message, issue.message
    assert not [i for i in read(out, bloc).issues if i.code == "score-missing"]
    exit_code, printed = check(out, config=config)
    assert exit_code == 1 and issue.message in printed


@pytest.mark.parametrize(
    ("value", "words"),
    [("#N/A", "giá trị lỗi #N/A"), ("=C9+1", "công thức =C9+1"), (dt.datetime(2024, 9, 5), "là ngày 05/09/2024"),
     (2_000_000, "là 2.000.000"), ("1" + "0" * 400, "là \"1000000"), (1.5e308, "số có 309 chữ số")],
)  # fmt: skip
def test_a_head_count_that_is_not_one_says_what_it_holds(default_bloc, default_templates, tmp_path, value, words):
    _, bloc = default_bloc
    out = fill(default_templates["VHTT"], tmp_path / "VHTT.xlsx", full_scores(bloc, "0.9"), GOOD_DATA | {"TS": value})
    issue = only(read(out, bloc), "data-invalid")
    assert (issue.severity, issue.sheet, issue.cell) == (ERR, L.SHEET_DATA, template_cells(out)[1]["TS"])
    assert words in issue.message and "từ 1 đến 1.000.000" in issue.message, issue.message


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_error_values_and_dates_saved_by_libreoffice(default_bloc, default_templates, tmp_path, fmt) -> None:
    """Formulas that LibreOffice computes to #VALUE! and #DIV/0!, and a date, in each format."""
    _, bloc = default_bloc
    scores = full_scores(bloc, "0.9") | {"1.1": '="a"+1', "1.2": dt.datetime(2024, 5, 9)}
    src = fill(default_templates["VHTT"], tmp_path / "src" / "VHTT.xlsx", scores, GOOD_DATA | {"TS": "=1/0"})
    (saved,) = lo_batch([src], fmt, tmp_path / fmt, tmp_path / "lo-profile")
    result = read(saved, bloc)
    score_cells, data_cells = template_cells(src)
    value = [i for i in result.issues if i.cell == score_cells["1.1"]]
    assert [(i.code, i.severity) for i in value] == [("score-not-number", ERR)]
    assert "giá trị lỗi #VALUE!" in value[0].message
    date = [i for i in result.issues if i.cell == score_cells["1.2"]]
    assert [i.code for i in date] == ["score-not-number"] and "là ngày 09/05/2024" in date[0].message
    ts = only(result, "data-invalid")
    assert ts.cell == data_cells["TS"] and "giá trị lỗi #DIV/0!" in ts.message
    assert not [i for i in result.issues if i.code in ("score-missing", "data-missing")]


# Huge numbers never crash a writer --------------------------------------------------------------


def test_huge_numbers_are_errors_with_their_cells_and_the_outputs_are_written(
    default_bloc, default_templates, tmp_path
) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    fill(default_templates["VHTT"], inbox / "VHTT.xlsx", full_scores(bloc, "0.9"),
         GOOD_DATA | {"TS": "1" + "0" * 400, "LDTT": 1.5e308, "CSTD": 1.5e308})  # fmt: skip
    fill(default_templates["TP"], inbox / "TP.xlsx", full_scores(bloc, "0.9") | {"1.1": 1.5e308})
    fill(default_templates["NV"], inbox / "NV.xlsx", full_scores(bloc, "0.9"), GOOD_DATA | {"KL": 1_000_001})
    report = collect(inbox, bloc, shown_as="inbox")
    data_cells = template_cells(default_templates["VHTT"])[1]
    bad = {(i.unit, i.cell) for i in report.issues if i.code == "data-invalid"}
    assert bad == {("VHTT", data_cells["TS"]), ("VHTT", data_cells["LDTT"]), ("VHTT", data_cells["CSTD"]),
                   ("NV", data_cells["KL"])}  # fmt: skip
    above = only(report, "score-above-max")
    assert above.unit == "TP" and "số có 309 chữ số" in above.message
    assert {u.code for u in report.units if u.status is Status.ERROR} == {"VHTT", "TP", "NV"}
    write_ranking(report, tmp_path / "xep_hang.xlsx")
    write_json(report, tmp_path / "report.json")
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["schema"]
    assert openpyxl.load_workbook(tmp_path / "xep_hang.xlsx", read_only=True).sheetnames[0] == L.R_RANKING


# Identification ---------------------------------------------------------------------------------


def copied(src: Path, out: Path, heading: list[str]) -> Path:
    """The table of a filled template pasted (values only) into a new workbook, under the
    heading lines the clerk typed above it; the data sheet as it was."""
    wb = openpyxl.load_workbook(src)
    rows = [list(r) for r in wb[L.SHEET_SCORES].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[:2] == [L.S_CODE, L.S_TEXT])
    new = openpyxl.Workbook()
    new.active.title = "Trang 1"
    for line in heading:
        new.active.append([line])
    for r in rows[head:]:
        new.active.append([None if isinstance(v, str) and v.startswith("=") else v for v in r])
    data = new.create_sheet("Trang 2")
    for r in wb[L.SHEET_DATA].iter_rows(values_only=True):
        data.append(list(r))
    out.parent.mkdir(parents=True, exist_ok=True)
    new.save(out)
    return out


LEADER = "Kính gửi: Phòng Văn hóa và Thông tin (Khối trưởng khối thi đua)"


@pytest.mark.parametrize(
    ("heading", "name", "unit", "how"),
    [
        ([LEADER, "Đơn vị: Phòng Y tế"], "bang diem.xlsx", "YT", "dòng ghi tên đơn vị"),
        ([LEADER], "Phong Y te - bang diem.xlsx", "YT", "tên đơn vị trong tên tệp"),
        (["Kính gửi:", "- Phòng Văn hóa và Thông tin", "Đơn vị: Phòng Y tế"], "bang diem.xlsx", "YT", "dòng"),
        ([LEADER, "- Phòng Văn hóa và Thông tin"], "bang diem.xlsx", None, None),
    ],
)
def test_the_addressee_is_never_the_sender(default_bloc, default_templates, tmp_path, heading, name, unit, how):
    """YT's table addressed to the bloc leader VHTT: VHTT's own (older) return stays VHTT's."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    vhtt_plan, yt_plan = full_scores(bloc, "0.8"), full_scores(bloc, "0.9")
    saved_at(fill(default_templates["VHTT"], inbox / "VHTT.xlsx", vhtt_plan), when(20))
    src = fill(default_templates["YT"], tmp_path / "src.xlsx", yt_plan)
    copied(src, inbox / name, heading)
    report = collect(inbox, bloc, shown_as="inbox")
    vhtt = unit_of(report, "VHTT")
    assert vhtt.status is Status.RANKED and vhtt.file == "inbox/VHTT.xlsx"
    assert vhtt.total == expected_total(bloc, vhtt_plan)
    assert not [i for i in report.issues if i.code == "duplicate-return"]
    if unit is None:
        error = only(report, "unit-unidentified")
        assert (error.file, error.severity, error.unit) == (f"inbox/{name}", ERR, None)
        assert unit_of(report, "YT").status is Status.MISSING
    else:
        yt = unit_of(report, unit)
        assert yt.status is Status.RANKED and yt.file == f"inbox/{name}" and yt.total == expected_total(bloc, yt_plan)
        assert yt.rank == 1 and vhtt.rank == 2
        warning = only(report, "form-copied")
        assert warning.severity is WARN and warning.unit == unit and how in warning.message


def test_a_unit_that_filled_another_units_template_is_used_for_neither(default_bloc, default_templates, tmp_path):
    """DVNN filled YT's template and named it after itself: YT keeps its own return, DVNN is
    missing, and the file is an error naming both."""
    config, bloc = default_bloc
    inbox = tmp_path / "inbox"
    yt_plan = full_scores(bloc, "0.8")
    saved_at(fill(default_templates["YT"], inbox / "YT.xlsx", yt_plan), when(20))
    fill(default_templates["YT"], inbox / "DVNN_bang tu cham.xlsx", full_scores(bloc, "1"))
    report = collect(inbox, bloc, shown_as="inbox")
    error = only(report, "unit-conflict")
    assert (error.severity, error.unit, error.file) == (ERR, "YT", "inbox/DVNN_bang tu cham.xlsx")
    assert "YT (Phòng Y tế)" in error.message and "DVNN (Trung tâm Dịch vụ nông nghiệp huyện)" in error.message
    yt, dvnn = unit_of(report, "YT"), unit_of(report, "DVNN")
    assert yt.status is Status.RANKED and yt.file == "inbox/YT.xlsx" and yt.total == expected_total(bloc, yt_plan)
    assert dvnn.status is Status.MISSING and "DVNN_bang tu cham.xlsx" in dvnn.note
    entry = next(f for f in report.files if f.path == "inbox/DVNN_bang tu cham.xlsx")
    assert not entry.used and "hai đơn vị" in entry.reason
    assert not [i for i in report.issues if i.code == "duplicate-return"]
    code, out = check(inbox / "DVNN_bang tu cham.xlsx", config=config)
    assert code == 1 and "Tệp ghi hai đơn vị khác nhau" in out and "unit-conflict" in out


def test_two_units_that_swapped_templates_exchange_nothing(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    fill(default_templates["NV"], inbox / "TP.xlsx", full_scores(bloc, "0.9"))
    fill(default_templates["TP"], inbox / "NV.xlsx", full_scores(bloc, "0.8"))
    report = collect(inbox, bloc, shown_as="inbox")
    assert {(i.unit, i.file) for i in report.issues if i.code == "unit-conflict"} == {
        ("NV", "inbox/TP.xlsx"), ("TP", "inbox/NV.xlsx")}  # fmt: skip
    assert unit_of(report, "NV").status is Status.MISSING and unit_of(report, "TP").status is Status.MISSING


def test_a_unit_line_edited_in_the_form_is_a_conflict(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    out = fill(default_templates["YT"], tmp_path / "bang diem.xlsx", full_scores(bloc, "0.9"))
    wb = openpyxl.load_workbook(out)
    for row in wb[L.SHEET_SCORES].iter_rows(max_row=7):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("Đơn vị:"):
                cell.value = "Đơn vị: Trung tâm Dịch vụ nông nghiệp"
    wb.save(out)
    result = read(out, bloc)
    issue = only(result, "unit-conflict")
    assert result.unit == "YT" and result.conflict == ("YT", "DVNN") and issue.severity is ERR
    assert "dòng ghi tên đơn vị trong bảng ghi DVNN" in issue.message


@pytest.mark.parametrize(
    ("heading", "name", "units"),
    [
        (["Đơn vị: Phòng Y tế", "Đơn vị: Phòng Tư pháp"], "bang diem.xlsx", ("TP", "YT")),
        (["Đơn vị: Phòng Y tế"], "TP - bang diem.xlsx", ("YT", "TP")),
    ],
)
def test_a_copied_table_naming_two_senders_is_used_for_neither(
    default_bloc, default_templates, tmp_path, heading, name, units
) -> None:
    _, bloc = default_bloc
    src = fill(default_templates["YT"], tmp_path / "src.xlsx", full_scores(bloc, "0.9"))
    copied(src, tmp_path / "inbox" / name, heading)
    report = collect(tmp_path / "inbox", bloc, shown_as="inbox")
    issue = only(report, "unit-conflict")
    assert issue.severity is ERR and all(f"{u} (" in issue.message for u in units)
    assert all(unit_of(report, u).status is Status.MISSING for u in units)


@pytest.mark.parametrize(
    ("heading", "name", "unit", "evidence"),
    [
        (["Đơn vị: P. TC-KH"], "bang diem.xlsx", "TCKH", Evidence.LINE),
        (["Cơ quan, đơn vị: Phòng TCKH"], "bang diem.xlsx", "TCKH", Evidence.LINE),
        (["Tên đơn vị:", "x"], "bang diem.xlsx", None, None),
        (["BẢNG TỰ CHẤM ĐIỂM - Phòng TCKH"], "bang diem.xlsx", "TCKH", Evidence.HEADING),
        ([], "Bang tu cham P. TC-KH.xlsx", "TCKH", Evidence.CODE),
        ([], "TC KH - 2024.xlsx", "TCKH", Evidence.CODE),
        ([], "NN&PTNT.xlsx", "NNPTNT", Evidence.CODE),
        ([], "TTYT.xlsx", None, None),  # TTYT does not name YT
    ],
)
def test_codes_with_dashes_dots_and_spaces(default_bloc, default_templates, tmp_path, heading, name, unit, evidence):
    _, bloc = default_bloc
    src = fill(default_templates[unit or "YT"], tmp_path / "src.xlsx", full_scores(bloc, "0.9"))
    out = copied(src, tmp_path / name, heading)
    result = read(out, bloc)
    assert (result.unit, result.identified_by) == (unit, evidence), [i.message for i in result.issues]
    if unit is None:
        assert only(result, "unit-unidentified").severity is ERR


# Which of two files is newest: the workbook's own saved time ------------------------------------


def test_the_saved_time_decides_not_the_file_time(default_bloc, default_templates, tmp_path) -> None:
    """The corrected file was saved last but arrived first (its file time is older)."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    old = saved_at(fill(default_templates["NV"], inbox / "NV.xlsx", full_scores(bloc, "0.7")), when(28))
    plan = full_scores(bloc, "0.9")
    new = saved_at(fill(default_templates["NV"], inbox / "NV ban sua.xlsx", plan), when(30))
    os.utime(new, (1_700_000_000, 1_700_000_000))
    os.utime(old, (1_800_000_000, 1_800_000_000))
    report = collect(inbox, bloc, shown_as="inbox")
    nv = unit_of(report, "NV")
    assert nv.file == "inbox/NV ban sua.xlsx" and nv.total == expected_total(bloc, plan) and nv.rank == 1
    dup = only(report, "duplicate-return")
    assert (dup.file, dup.severity) == ("inbox/NV.xlsx", WARN) and "lưu sau" in dup.message


def test_equal_saved_times_and_the_same_content_use_one_and_say_so(default_bloc, default_templates, tmp_path):
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    plan = full_scores(bloc, "0.9")
    a = saved_at(fill(default_templates["NV"], inbox / "b" / "NV.xlsx", plan), when(30))
    shutil.copy(a, inbox / "a.xlsx")  # a copy downloaded again: same record, a fresh file time
    report = collect(inbox, bloc, shown_as="inbox")
    nv = unit_of(report, "NV")
    assert nv.status is Status.RANKED and nv.file == "inbox/a.xlsx" and nv.total == expected_total(bloc, plan)
    dup = only(report, "duplicate-return")
    assert dup.file == "inbox/b/NV.xlsx" and "giống hệt" in dup.message


def test_equal_saved_times_with_different_scores_are_a_conflict(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    saved_at(fill(default_templates["NV"], inbox / "NV 1.xlsx", full_scores(bloc, "0.9")), when(30))
    saved_at(fill(default_templates["NV"], inbox / "NV 2.xlsx", full_scores(bloc, "0.8")), when(30))
    report = collect(inbox, bloc, shown_as="inbox")
    error = only(report, "duplicate-conflict")
    assert error.severity is ERR and error.unit == "NV"
    assert "inbox/NV 1.xlsx" in error.message and "inbox/NV 2.xlsx" in error.message
    nv = unit_of(report, "NV")
    assert nv.status is Status.ERROR and nv.rank is None and nv.total is None and "NV 1.xlsx" in nv.note
    assert not [f for f in report.files if f.used] and not report.ok


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_the_saved_time_of_ods_and_xls(default_bloc, default_templates, tmp_path, fmt) -> None:
    """LibreOffice keeps the document's record when it saves another format: meta.xml of an
    .ods, the summary information of an .xls. The later one is used whatever the file times."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    later = full_scores(bloc, "0.9")
    src = saved_at(fill(default_templates["NV"], tmp_path / "src" / "NV sua.xlsx", later), when(30, 16))
    (converted,) = lo_batch([src], fmt, inbox, tmp_path / "lo-profile")
    older = saved_at(fill(default_templates["NV"], inbox / "NV.xlsx", full_scores(bloc, "0.7")), when(28))
    os.utime(converted, (1_700_000_000, 1_700_000_000))
    os.utime(older, (1_800_000_000, 1_800_000_000))
    assert read(converted, bloc).saved == when(30, 16).timestamp()
    report = collect(inbox, bloc, shown_as="inbox")
    nv = unit_of(report, "NV")
    assert nv.file == f"inbox/NV sua.{fmt}" and nv.total == expected_total(bloc, later)
    assert only(report, "duplicate-return").file == "inbox/NV.xlsx"


# A reader that crashes or hangs on a file named after a unit -------------------------------------


def _crash_or_hang(real):
    def open_book(source):
        if source.name.startswith("VHTT"):
            os.abort()  # what calamine does when an allocation fails
        if source.name.startswith("TP"):
            time.sleep(120)
        return real(source)

    return open_book


def test_a_file_the_reader_died_on_is_still_its_units(default_bloc, default_templates, tmp_path, monkeypatch):
    """The unit sent something: it is an error with the reason, not 'chưa nộp'."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    for code in ("VHTT", "TP", "NV"):
        fill(default_templates[code], inbox / f"{code} - tu cham.xlsx", full_scores(bloc, "0.9"))
    monkeypatch.setattr(returns, "open_book", _crash_or_hang(returns.open_book))  # inherited by forked workers
    report = collect(inbox, bloc, shown_as="inbox", workers=2, timeout=5)
    vhtt, tp, nv = (unit_of(report, c) for c in ("VHTT", "TP", "NV"))
    assert vhtt.status is Status.ERROR and "Không đọc được tệp: trình đọc bảng tính dừng bất thường" in vhtt.note
    assert tp.status is Status.ERROR and "đọc quá lâu" in tp.note
    assert nv.status is Status.RANKED
    failed = {(i.unit, i.file) for i in report.issues if i.code == "file-unreadable"}
    assert failed == {("VHTT", "inbox/VHTT - tu cham.xlsx"), ("TP", "inbox/TP - tu cham.xlsx")}
    assert not {"VHTT", "TP"} & {i.unit for i in report.issues if i.code == "unit-missing"}


# Smaller ----------------------------------------------------------------------------------------


def _row_of(ws, code: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == code)


def test_a_score_on_a_row_without_a_code_is_reported(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    out = fill(default_templates["VHTT"], tmp_path / "VHTT.xlsx", full_scores(bloc, "0.9"))
    wb = openpyxl.load_workbook(out)
    ws = wb[L.SHEET_SCORES]
    r = _row_of(ws, "4.5") + 1
    ws.insert_rows(r)
    ws.cell(r, 2).value, ws.cell(r, 4).value = "Tổ chức hội thao chào mừng ngày thành lập", 2
    wb.save(out)
    issue = only(read(out, bloc), "score-without-code")
    assert (issue.severity, issue.sheet, issue.cell) == (WARN, L.SHEET_SCORES, f"D{r}")
    assert f"ô A{r}" in issue.message and "không được tính" in issue.message


def test_a_missing_criterion_gives_its_whole_text_and_where_it_belongs(default_bloc, default_templates, tmp_path):
    _, bloc = default_bloc
    out = fill(default_templates["VHTT"], tmp_path / "VHTT.xlsx", full_scores(bloc, "0.9"))
    wb = openpyxl.load_workbook(out)
    ws = wb[L.SHEET_SCORES]
    r = _row_of(ws, "2.2")
    ws.delete_rows(r)
    wb.save(out)
    issue = only(read(out, bloc), "criterion-missing")
    text = bloc.by_code["2.2"].text
    assert len(text) > 80 and f'"{text}"' in issue.message
    assert (issue.severity, issue.sheet, issue.cell) == (ERR, L.SHEET_SCORES, f"A{r}")
    assert f"ngay dưới dòng tiêu chí 2.1 (dòng {r - 1})" in issue.message


def test_ratings_in_short_form(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    out = fill(default_templates["VHTT"], tmp_path / "VHTT.xlsx", full_scores(bloc, "0.9"),
               GOOD_DATA | {"XLDV": "HTXS", "XLTCD": "HTT"})  # fmt: skip
    result = read(out, bloc)
    assert not result.errors and (result.data["XLDV"].name, result.data["XLTCD"].name) == ("HTXSNV", "HTTNV")
    out = fill(default_templates["VHTT"], tmp_path / "b.xlsx", full_scores(bloc, "0.9"), GOOD_DATA | {"XLDV": "Tốt"})
    issue = only(read(out, bloc), "rating-invalid")
    assert "Hoàn thành xuất sắc nhiệm vụ (HTXSNV, HTXS)" in issue.message and "(KHTNV, KHT)" in issue.message


@pytest.mark.libreoffice
def test_text_scores_leave_the_forms_own_total_short_and_the_clerk_is_told(
    default_bloc, default_templates, tmp_path
) -> None:
    """Saved by LibreOffice, the form's 'Tổng điểm' leaves out a score typed as text; the bloc
    counts it, and both messages tell the clerk to retype it as a number."""
    _, bloc = default_bloc
    plan = full_scores(bloc, "0.9") | {"1.2": "9,5"}
    src = fill(default_templates["TP"], tmp_path / "src" / "TP.xlsx", plan)
    (saved,) = lo_batch([src], "xlsx", tmp_path / "lo", tmp_path / "lo-profile")
    result = read(saved, bloc)
    cell = template_cells(src)[0]["1.2"]
    text = only(result, "score-text-number")
    assert text.cell == cell and "gõ lại ô này bằng số" in text.message
    total = only(result, "total-mismatch")
    assert total.severity is INFO and f"ô {cell}" in total.message and "gõ lại" in total.message
    assert result.cached_total == expected_total(bloc, plan) - D("9.5")
