"""One test per issue code a return's content can trigger: the code, severity, sheet and cell."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import FILES, GOOD_DATA, fill, full_scores, make_bloc, make_templates, saved_at, spec, template_cells

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.issues import Issue, Severity
from thidua_xlsx.core.model import Bloc
from thidua_xlsx.intake.inbox import Source
from thidua_xlsx.intake.returns import ReturnData, read_return
from thidua_xlsx.ranking.assemble import collect


def read(path: Path, bloc: Bloc) -> ReturnData:
    return read_return(Source(str(path), path, (), path.stat().st_mtime, path.stat().st_size), bloc)


def only(result: ReturnData, code: str) -> Issue:
    hits = [i for i in result.issues if i.code == code]
    assert len(hits) == 1, f"{code}: {[(i.code, i.cell) for i in result.issues]}"
    return hits[0]


@pytest.fixture()
def unit(default_bloc, default_templates, tmp_path) -> Callable[..., ReturnData]:
    """Fill VHTT's template (scores, data, then an optional openpyxl edit) and read it back."""
    _, bloc = default_bloc

    def make(scores=None, data=None, edit=None, name="VHTT.xlsx") -> ReturnData:
        out = fill(default_templates["VHTT"], tmp_path / name, full_scores(bloc, "0.9") | (scores or {}), data)
        if edit is not None:
            wb = openpyxl.load_workbook(out)
            edit(wb)
            wb.save(out)
        return read(out, bloc)

    return make


def cells(default_templates) -> tuple[dict[str, str], dict[str, str]]:
    return template_cells(default_templates["VHTT"])


SCORE_CASES = [
    # (code, value typed into criterion 1.1 whose max is 15, expected severity)
    ("score-missing", None, Severity.ERROR),
    ("score-not-number", "mười", Severity.ERROR),
    ("score-not-number", "9,5 điểm", Severity.ERROR),
    ("score-negative", -1, Severity.ERROR),
    ("score-above-max", 15.5, Severity.ERROR),
    ("score-text-number", "9,5", Severity.WARNING),
    ("score-text-number", " 9.5 ", Severity.WARNING),
]


@pytest.mark.parametrize(("code", "value", "severity"), SCORE_CASES)
def test_score_issues_name_the_cell(unit, default_templates, code, value, severity) -> None:
    result = unit({"1.1": value})
    issue = only(result, code)
    assert issue.severity is severity
    assert (issue.sheet, issue.cell) == (L.SHEET_SCORES, cells(default_templates)[0]["1.1"])
    assert issue.unit == "VHTT" and "1.1" in issue.message


def test_text_number_is_accepted_exactly(unit) -> None:
    result = unit({"1.1": "9,5"})
    assert result.scores["1.1"] == Decimal("9.5") and not result.errors


DATA_CASES = [
    ("data-missing", "TS", None, Severity.ERROR),
    ("data-invalid", "TS", 0, Severity.ERROR),
    ("data-invalid", "LDTT", 2.5, Severity.ERROR),
    ("data-invalid", "KL", "không", Severity.ERROR),
    ("data-text-number", "CSTD", "3", Severity.WARNING),
    ("rating-invalid", "XLDV", "Xuất sắc", Severity.ERROR),
    ("data-missing", "XLTCD", "", Severity.ERROR),
]


@pytest.mark.parametrize(("code", "field", "value", "severity"), DATA_CASES)
def test_data_issues_name_the_cell(unit, default_templates, code, field, value, severity) -> None:
    result = unit(data=GOOD_DATA | {field: value})
    issue = only(result, code)
    assert issue.severity is severity
    assert (issue.sheet, issue.cell) == (L.SHEET_DATA, cells(default_templates)[1][field])


@pytest.mark.parametrize(
    ("data", "field"),
    [({"LDTT": 21}, "LDTT"), ({"CSTD": 20}, "CSTD"), ({"KHTNV": 25}, "KHTNV"), ({"KL": 30}, "KL")],
)
def test_inconsistent_data(unit, default_templates, data, field) -> None:
    issue = only(unit(data=GOOD_DATA | data), "data-inconsistent")
    assert issue.cell == cells(default_templates)[1][field] and issue.severity is Severity.ERROR


def test_abbreviated_ratings_are_accepted(unit) -> None:
    result = unit(data=GOOD_DATA | {"XLDV": "htxsnv", "XLTCD": "Hoan thanh tot nhiem vu"})
    assert not result.errors, result.issues


def _row_of(ws, code: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == code)


def test_criterion_missing(unit) -> None:
    def drop(wb):
        ws = wb[L.SHEET_SCORES]
        ws.delete_rows(_row_of(ws, "2.2"))

    issue = only(unit(edit=drop), "criterion-missing")
    assert issue.severity is Severity.ERROR and issue.sheet == L.SHEET_SCORES and "2.2" in issue.message


def test_criterion_extra_and_duplicate(unit) -> None:
    def extra(wb):
        ws = wb[L.SHEET_SCORES]
        r = _row_of(ws, "7.3") + 1
        ws.insert_rows(r, 2)
        ws.cell(r, 1).value, ws.cell(r, 3).value, ws.cell(r, 4).value = "7.4", 2, 1
        ws.cell(r + 1, 1).value, ws.cell(r + 1, 3).value, ws.cell(r + 1, 4).value = "1.2", 10, 3

    result = unit(edit=extra)
    ex = only(result, "criterion-extra")
    dup = only(result, "criterion-duplicate")
    assert ex.severity is Severity.WARNING and dup.severity is Severity.ERROR
    assert ex.cell.startswith("A") and dup.cell.startswith("A") and int(dup.cell[1:]) == int(ex.cell[1:]) + 1


def test_rows_are_found_by_code_not_position(unit) -> None:
    """Rows moved and inserted by the unit still read to the same scores."""

    def shuffle(wb):
        ws = wb[L.SHEET_SCORES]
        r = _row_of(ws, "1.1")
        ws.insert_rows(r, 3)  # blank rows inside the table
        r45 = _row_of(ws, "4.5")
        ws.move_range(f"A{r45}:E{r45}", rows=ws.max_row + 3 - r45)  # to the very bottom, below the totals

    plain = unit()
    moved = unit(edit=shuffle, name="moved.xlsx")
    assert moved.scores == plain.scores and not moved.errors, moved.issues


def test_max_edited(unit) -> None:
    def edit(wb):
        ws = wb[L.SHEET_SCORES]
        ws.cell(_row_of(ws, "1.2"), 3).value = 12

    issue = only(unit(edit=edit), "max-edited")
    assert issue.severity is Severity.WARNING and issue.cell.startswith("C")


def test_total_mismatch_reports_a_typed_over_total(unit) -> None:
    """A unit overwrote the 'Tổng điểm' formula with a number: recomputed, reported as info."""

    def edit(wb):
        ws = wb[L.SHEET_SCORES]
        r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == L.TOTAL)
        ws.cell(r, 4).value = 99

    result = unit(edit=edit)
    issue = only(result, "total-mismatch")
    assert issue.severity is Severity.INFO and not result.errors


def test_sheet_missing(unit) -> None:
    def drop(wb):
        del wb[L.SHEET_DATA]

    issue = only(unit(edit=drop), "sheet-missing")
    assert issue.severity is Severity.ERROR and L.SHEET_DATA in issue.message


def _meta(wb, key: str, value) -> None:
    ws = wb[L.SHEET_META]
    for row in ws.iter_rows():
        if row[0].value == key:
            row[1].value = value


def test_other_year_and_other_bloc(unit) -> None:
    result = unit(edit=lambda wb: _meta(wb, "year", 2023))
    issue = only(result, "other-year")
    assert (issue.severity, issue.sheet) == (Severity.ERROR, L.SHEET_META) and "2023" in issue.message
    result = unit(edit=lambda wb: _meta(wb, "bloc", "Khối trường học"), name="b.xlsx")
    assert only(result, "other-bloc").severity is Severity.ERROR


def test_unit_unknown(unit) -> None:
    issue = only(unit(edit=lambda wb: _meta(wb, "unit_code", "XYZ")), "unit-unknown")
    assert issue.severity is Severity.ERROR and "XYZ" in issue.message


def test_fingerprint_mismatch_when_the_scheme_changed(tmp_path) -> None:
    """A template made before the bloc edited a criterion's maximum."""
    crit = spec()["criteria"]
    _, old = make_bloc(tmp_path / "old")
    changed = [list(c) for c in crit]
    for c in changed:  # move one point from 1.2 to 1.3: same total, different scheme
        if c[0] == "1.2":
            c[2] = 9
        if c[0] == "1.3":
            c[2] = 6
    _, new = make_bloc(tmp_path / "new", spec(criteria=changed))
    tpl = make_templates(old, tmp_path / "mau", units=["VHTT"])["VHTT"]
    out = fill(tpl, tmp_path / "in" / "VHTT.xlsx", full_scores(old, "0.9"))
    result = read(out, new)
    assert only(result, "fingerprint-mismatch").severity is Severity.WARNING
    edited = [i for i in result.issues if i.code == "max-edited"]
    assert {i.message.split()[5] for i in edited} == {"1.2", "1.3"} or len(edited) == 2


def test_unidentified_and_copied_forms(default_bloc, default_templates, tmp_path) -> None:
    _, bloc = default_bloc
    src = fill(default_templates["TP"], tmp_path / "x.xlsx", full_scores(bloc, "0.9"))
    wb = openpyxl.load_workbook(src)
    del wb[L.SHEET_META]
    wb.save(tmp_path / "copy.xlsx")
    result = read(tmp_path / "copy.xlsx", bloc)
    assert result.unit == "TP" and only(result, "form-copied").severity is Severity.WARNING
    for r in range(1, 10):  # no unit name in the sheet (heading and issuer) and a meaningless file name
        for c in range(1, 6):
            cell = wb[L.SHEET_SCORES].cell(r, c)
            if isinstance(cell.value, str) and "tư pháp" in cell.value.lower():
                cell.value = "Đơn vị: ……"
    wb.save(tmp_path / "bang diem.xlsx")
    result = read(tmp_path / "bang diem.xlsx", bloc)
    assert result.unit is None and only(result, "unit-unidentified").severity is Severity.ERROR


def test_duplicate_and_missing_through_collect(default_bloc, default_templates, tmp_path) -> None:
    import os

    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    old = fill(default_templates["NV"], inbox / "NV cu.xlsx", full_scores(bloc, "0.8"))
    new = fill(default_templates["NV"], inbox / "NV moi.xlsx", full_scores(bloc, "0.9"))
    saved_at(old, dt.datetime(2023, 11, 14))  # saved (the workbook records it) a day apart
    saved_at(new, dt.datetime(2023, 11, 15))
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_100_000, 1_700_100_000))
    report = collect(inbox, bloc)
    dup = [i for i in report.issues if i.code == "duplicate-return"]
    assert len(dup) == 1 and dup[0].file.endswith("NV cu.xlsx") and dup[0].severity is Severity.WARNING
    nv = next(u for u in report.units if u.code == "NV")
    assert nv.file.endswith("NV moi.xlsx") and nv.unused == (str(inbox / "NV cu.xlsx"),)
    missing = {i.unit for i in report.issues if i.code == "unit-missing"}
    assert missing == {u.code for u in bloc.units} - {"NV"}
    assert all(i.severity is Severity.ERROR for i in report.issues if i.code == "unit-missing")
    shutil.rmtree(inbox)


def test_an_unreadable_file_named_after_a_unit_makes_that_unit_an_error(default_bloc, tmp_path) -> None:
    """TP sent only a password-protected workbook: TP is not 'missing', it has an error."""
    _, bloc = default_bloc
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FILES / "encrypted-ooxml.xlsx", inbox / "TP - tự chấm.xlsx")
    (inbox / "khong ro.xlsx").write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    report = collect(inbox, bloc)
    tp = next(u for u in report.units if u.code == "TP")
    assert tp.status.value == "error" and "mật khẩu" in tp.note
    assert [i.unit for i in report.issues if i.code == "file-password"] == ["TP"]
    stray = [i for i in report.issues if i.code == "file-not-spreadsheet"]
    assert len(stray) == 1 and stray[0].unit is None
