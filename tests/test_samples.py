"""The committed samples/ tell the story make_samples.py plans, and collect reads it as intended."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.report import Report, Status, UnitResult
from thidua_xlsx.ranking.assemble import collect

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


ms = _load_script()


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/ copied with the planned file times (git does not keep modification times)."""
    out = tmp_path_factory.mktemp("samples")
    shutil.copy2(SAMPLES / "khoi.xlsx", out / "khoi.xlsx")
    shutil.copytree(SAMPLES / "inbox", out / "inbox")
    ms.stamp_times(out)
    return out


@pytest.fixture(scope="module")
def report(copy: Path) -> Report:
    return collect(copy / "inbox", load_bloc(copy / "khoi.xlsx"), shown_as="inbox", workers=1)


def _units(report: Report) -> dict[str, UnitResult]:
    return {u.code: u for u in report.units}


def _cell(path: Path, code: str) -> str:
    """A1 of the 'Điểm tự chấm' cell of criterion `code`, found as a user finds it."""
    ws = openpyxl.load_workbook(path, read_only=True)[L.SHEET_SCORES]
    rows = list(ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True))
    head = next(i for i, r in enumerate(rows) if r and L.S_CODE in r and L.S_SCORE in r)
    code_col, score_col = rows[head].index(L.S_CODE), rows[head].index(L.S_SCORE)
    row = next(i for i, r in enumerate(rows) if i > head and str(r[code_col]).strip() == code)
    return openpyxl.utils.get_column_letter(score_col + 1) + str(row + 1)


def _file_of(code: str, *, index: int = -1) -> str:
    plan = next(p for p in ms.PLAN if p.code == code)
    return plan.returns[index].name


def test_statuses(report: Report) -> None:
    units = _units(report)
    assert set(units) == {p.code for p in ms.PLAN}
    assert {c for c, u in units.items() if u.status is Status.MISSING} == {ms.STORY["missing"]}
    assert {c for c, u in units.items() if u.status is Status.ERROR} == {ms.STORY["above_max"][0]}
    assert {c for c, u in units.items() if u.status is Status.RANKED} == set(ms.expected_totals())


def test_exactly_the_intended_issues(report: Report, copy: Path) -> None:
    text_unit, text_code = ms.STORY["text_number"]
    max_unit, max_code = ms.STORY["above_max"]
    got = {(i.severity.value, i.code, i.unit, i.file, i.cell) for i in report.issues}
    assert got == {
        ("warning", "score-text-number", text_unit, f"inbox/{_file_of(text_unit)}",
         _cell(copy / "inbox" / _file_of(text_unit), text_code)),
        ("error", "score-above-max", max_unit, f"inbox/{_file_of(max_unit)}",
         _cell(copy / "inbox" / _file_of(max_unit), max_code)),
        ("warning", "duplicate-return", ms.STORY["duplicate"], f"inbox/{_file_of('NV', index=0)}", None),
        ("error", "unit-missing", ms.STORY["missing"], None, None),
        ("warning", "report-missing", ms.STORY["no_report"], None, None),
        ("warning", "document-unmatched", None, f"inbox/{ms.STORY['unplaced_document']}", None),
    }  # fmt: skip
    text = next(i for i in report.issues if i.code == "score-text-number")
    assert '"9,5"' in text.message and "9,5" in text.message


def test_duplicate_newest_used(report: Report) -> None:
    nv = _units(report)[ms.STORY["duplicate"]]
    assert nv.file == f"inbox/{_file_of('NV')}"
    assert nv.unused == (f"inbox/{_file_of('NV', index=0)}",)
    entries = {e.path: e for e in report.files}
    assert entries[nv.unused[0]].used is False and entries[nv.file].used is True
    assert len(report.files) == sum(len(p.returns) for p in ms.PLAN) + len(ms.DOCUMENTS)


def test_reports_sent_with_the_returns(report: Report) -> None:
    """Every report of DOCUMENTS on its unit: by code, by name, by the Word file's heading (YT);
    KTHT sent none; the phone photo is nobody's."""
    units = _units(report)
    placed = {d.unit: f"inbox/{d.name}" for d in ms.DOCUMENTS if d.unit}
    assert {c: u.documents for c, u in units.items() if u.documents} == {c: (p,) for c, p in placed.items()}
    assert units[ms.STORY["no_report"]].documents == () and ms.STORY["report_by_heading"] in placed
    kinds = {f.path: f.kind.value for f in report.files}
    assert (
        sum(k == "document" for k in kinds.values()) == len(ms.DOCUMENTS)
        and kinds[f"inbox/{_file_of('KTHT')}"] == "return"
    )


def test_totals_and_scores_are_the_planned_ones(report: Report) -> None:
    """The committed inbox is what the (deterministic) script writes: every score, every total."""
    assert ms.expected_totals() == ms.expected_totals()
    units = _units(report)
    for plan in ms.PLAN:
        if plan.expect != "ranked":
            continue
        u = units[plan.code]
        base, bonus, ded, total = ms.planned_totals(plan)
        assert (u.base, u.bonus, u.deduction, u.total) == (base, bonus, ded, total), plan.code
        planned = {code: ms._value(v) for code, v in ms.planned_scores(plan).items()}
        assert {code: Decimal(v) for code, v in u.scores.items()} == planned, plan.code


def test_ties(report: Report) -> None:
    units = _units(report)
    a, b = (units[c] for c in ms.STORY["boundary_tie"])
    assert a.total == b.total == Decimal("96.3") and a.rank == b.rank == 3 and a.tie and b.tie
    assert a.base != b.base  # equal only as exact decimals: 94.8 + 2 - 0.5 and 96.3
    for u in (a, b):
        assert "bỏ phiếu" in (u.note or "")
    c, d = (units[c] for c in ms.STORY["tie"])
    assert c.total == d.total and c.rank == d.rank == 5 and c.tie and d.tie
    assert c.proposal == d.proposal == "Giấy khen của Chủ tịch UBND huyện"
    assert "bỏ phiếu" not in (c.note or "")
    ranked = [u.code for u in report.units if u.rank is not None]
    assert ranked[2:6] == ["GDDT", "VP", "LDTBXH", "TCKH"]  # within a tie: Vietnamese order of names


def test_rank_one_without_the_title(report: Report) -> None:
    top = _units(report)[ms.STORY["rank1_no_proposal"]]
    assert top.rank == 1 and not top.tie and top.proposal is None
    assert "chưa đủ điều kiện Tập thể lao động xuất sắc" in top.note
    assert "65 % < 70 %" in top.note
    assert _units(report)["VHTT"].proposal == "Bằng khen của Chủ tịch UBND tỉnh"


def test_libreoffice_return_is_read() -> None:
    code = ms.STORY["libreoffice"]
    with zipfile.ZipFile(SAMPLES / "inbox" / _file_of(code)) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")


def test_file_names_are_valid_on_windows() -> None:
    for name in ms.file_times():
        for part in name.split("/"):
            assert not set(part) & set('<>:"\\|?*') and part == part.rstrip(" ."), name


def test_a_fresh_clone_tells_the_same_story_with_no_step(tmp_path: Path) -> None:
    """git keeps no file times: after a clone (or a copy, a download) every file is as new as
    the others. The time each workbook records as last saved still picks NV's corrected file."""
    out = tmp_path / "clone"
    out.mkdir()
    shutil.copy(SAMPLES / "khoi.xlsx", out / "khoi.xlsx")
    shutil.copytree(SAMPLES / "inbox", out / "inbox", copy_function=shutil.copy)
    for path in [out, *out.rglob("*")]:
        os.utime(path, (1_900_000_000, 1_900_000_000))  # all equally new
    report = collect(out / "inbox", load_bloc(out / "khoi.xlsx"), shown_as="inbox", workers=1)
    nv = _units(report)[ms.STORY["duplicate"]]
    assert nv.file == f"inbox/{_file_of('NV')}" and nv.total == ms.expected_totals()["NV"]
    dup = [i for i in report.issues if i.code == "duplicate-return"]
    assert [(i.file, i.severity.value, i.unit) for i in dup] == [(f"inbox/{_file_of('NV', index=0)}", "warning", "NV")]
    assert "lưu sau" in dup[0].message
    assert not [i for i in report.issues if i.code == "duplicate-conflict"]


def test_the_sample_meeting_gives_the_dossier(report: Report, tmp_path: Path) -> None:
    """samples/binh_xet_2024.xlsx (the meeting) turns the samples into the final ranking and its
    dossier: the submission lists the five units the meeting proposed, and not BQLDA (rank 1,
    short of the title)."""
    import docx

    from thidua_xlsx.ranking.review import apply_review
    from thidua_xlsx.writers.dossier import write_dossier

    final = apply_review(report, SAMPLES / "binh_xet_2024.xlsx")
    paths = write_dossier(final, tmp_path / "ho_so_2024")
    assert [p.name for p in paths] == [
        "bien_ban_hop_binh_xet_2024.docx", "to_trinh_de_nghi_khen_thuong_2024.docx", "bao_cao_tong_ket_2024.docx",
    ]  # fmt: skip
    table = next(t for t in docx.Document(str(paths[1])).tables if t.cell(0, 1).text == "Tên tập thể")
    listed = {row.cells[1].text: row.cells[2].text for row in table.rows[1:]}
    names = {u.code: u.name for u in final.units}
    assert listed == {
        names["VHTT"]: "Bằng khen của Chủ tịch UBND tỉnh", names["GDDT"]: "Bằng khen của Chủ tịch UBND tỉnh",
        names["VP"]: "Giấy khen của Chủ tịch UBND huyện", names["LDTBXH"]: "Giấy khen của Chủ tịch UBND huyện",
        names["TCKH"]: "Giấy khen của Chủ tịch UBND huyện",
    }  # fmt: skip
    minutes = "\n".join(p.text for p in docx.Document(str(paths[0])).paragraphs)
    assert "8 giờ 00, ngày 08/01/2025" in minutes and "Khối trưởng: Phòng Giáo dục và Đào tạo, được 14/15" in minutes
