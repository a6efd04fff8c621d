"""The review round (bình xét, §9): a simulated year-end meeting edits 'Bình xét' → final ranking."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import GOOD_DATA, edit, fill, full_scores, locate, make_bloc, make_templates

from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ReviewError
from thidua_xlsx.core.labels import NEXT_DEPUTY, NEXT_LEADER, PRESENT, V_AGREED, V_CODE, V_REASON, V_VOTES
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.ranking.review import apply_review
from thidua_xlsx.writers.ranking_book import write_ranking

# Units and the share of the maximum they score (bonus 0): VHTT and NV tie at 90.
PLAN = {"VHTT": "0.9", "NV": "0.9", "TP": "0.95", "YT": "0.8", "GDDT": "0.85"}


@pytest.fixture()
def meeting(tmp_path: Path) -> dict:
    """A bloc, five returns, and the provisional ranking workbook the meeting will edit."""
    config, bloc = make_bloc(tmp_path)
    templates = make_templates(bloc, tmp_path / "mau", units=list(PLAN))
    inbox = tmp_path / "inbox"
    for code, share in PLAN.items():
        fill(templates[code], inbox / f"{code}.xlsx", full_scores(bloc, share), GOOD_DATA)
    report = collect(inbox, bloc)
    review = write_ranking(report, tmp_path / "xep_hang_2024.xlsx")
    return {"tmp": tmp_path, "config": config, "bloc": bloc, "inbox": inbox, "review": review, "templates": templates}


def test_the_meeting_decides_the_final_ranking(meeting) -> None:
    tmp, review = meeting["tmp"], meeting["review"]
    votes = {"TP": 5, "VHTT": 3, "NV": 4, "GDDT": 4, "YT": 1}
    rows = {code: {V_VOTES: v} for code, v in votes.items()}
    rows["YT"] |= {V_AGREED: 95.5, V_REASON: "Bổ sung minh chứng cải cách hành chính được công nhận"}
    edit(review, present=5, leader="Phòng Tư pháp", deputy="NV", rows=rows)

    runner = CliRunner()
    out, js = tmp / "final.xlsx", tmp / "final.json"
    cmd = ["collect", str(meeting["inbox"]), "--config", str(meeting["config"]), "--review", str(review)]
    r = runner.invoke(main, [*cmd, "--out", str(out), "--json", str(js)])
    assert r.exit_code == 1, r.output  # eleven units of the bloc never sent a file
    assert "KẾT QUẢ CHÍNH THỨC" in r.output
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["final"] is True
    units = {u["code"]: u for u in doc["units"]}
    # YT's agreed 95.5 replaces its self score of 80 and decides its rank
    assert units["YT"]["agreed_total"] == 95.5 and units["YT"]["total"] == 95.5 and units["YT"]["rank"] == 1
    assert (units["TP"]["rank"], units["GDDT"]["rank"]) == (2, 5)
    # NV and VHTT tied on 90: votes break the tie
    assert (units["NV"]["rank"], units["VHTT"]["rank"], units["NV"]["tie"]) == (3, 4, False)
    assert all("votes" in u and "agreed_total" in u for u in doc["units"])
    # proposals need more than half of the 5 members present: 1 vote for YT is not enough
    assert units["YT"]["proposal"] is None and "1/5 phiếu" in units["YT"]["note"]
    assert units["TP"]["proposal"] == "Bằng khen của Chủ tịch UBND tỉnh"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[: len(L.RANKING_SHEETS) + 2] == [*L.RANKING_SHEETS, L.R_HISTORY, L.R_MINUTES]
    title = " ".join(str(c.value) for row in wb[L.R_RANKING].iter_rows(max_row=6) for c in row if c.value)
    assert "XẾP HẠNG THI ĐUA NĂM 2024 (CHÍNH THỨC)" in title and "chính thức" in title
    minutes = " ".join(str(c.value) for row in wb[L.R_MINUTES].iter_rows() for c in row if c.value)
    for words in (
        "BIÊN BẢN",
        "5/16",
        "Bổ sung minh chứng",
        "Khối trưởng năm sau: Phòng Tư pháp",
        "Phòng Nội vụ",
        "THƯ KÝ",
    ):
        assert words in minutes, words


def test_units_keep_the_self_score_when_the_meeting_leaves_it_blank(meeting) -> None:
    edit(meeting["review"], present=4, rows={"TP": {V_VOTES: 4}})
    report = apply_review(collect(meeting["inbox"], meeting["bloc"]), meeting["review"])
    tp = next(u for u in report.units if u.code == "TP")
    assert tp.agreed_total == tp.self_total == Decimal("95") and tp.votes == 4
    assert report.final and report.meeting.present == 4
    assert tp.proposal == "Cờ thi đua của UBND tỉnh"


PROBLEMS = [
    # (edit, words in the problem, the cell's column label or meeting label)
    ({"rows": {"YT": {V_AGREED: 90}}}, "chưa ghi lý do", V_REASON),
    ({"rows": {"YT": {V_AGREED: 130, V_REASON: "x"}}}, "ngoài thang điểm", V_AGREED),
    ({"rows": {"YT": {V_AGREED: "chín mươi", V_REASON: "x"}}}, "phải là số", V_AGREED),
    ({"present": 3, "rows": {"TP": {V_VOTES: 4}}}, "nhiều hơn số thành viên dự họp", V_VOTES),
    ({"rows": {"TP": {V_VOTES: 2.5}}}, "số nguyên", V_VOTES),
    ({"leader": "Phòng Không Có"}, "không phải đơn vị của khối", NEXT_LEADER),
    ({"deputy": "ZZZ"}, "không phải đơn vị của khối", NEXT_DEPUTY),
    ({"present": 0}, "số nguyên từ 1", PRESENT),
]


@pytest.mark.parametrize(("changes", "words", "where"), PROBLEMS)
def test_review_problems_are_usage_errors_with_their_cell(meeting, changes, words, where) -> None:
    base = {"present": 5}
    inputs, cols, _ = edit(meeting["review"], **(base | changes))
    report = collect(meeting["inbox"], meeting["bloc"])
    with pytest.raises(ReviewError) as err:
        apply_review(report, meeting["review"])
    problems = [p for p in err.value.problems if words in p.message]
    assert problems, [str(p) for p in err.value.problems]
    p = problems[0]
    assert p.sheet == L.R_REVIEW
    if where in inputs:
        assert p.cell == inputs[where]
    else:
        assert p.cell.rstrip("0123456789") == openpyxl.utils.get_column_letter(cols[where])


def test_every_problem_is_listed_and_nothing_written(meeting) -> None:
    edit(meeting["review"], present=2, leader="XX", rows={"YT": {V_AGREED: 99}, "TP": {V_VOTES: 3}})
    runner = CliRunner()
    out = meeting["tmp"] / "final.xlsx"
    cmd = ["collect", str(meeting["inbox"]), "--config", str(meeting["config"]), "--review", str(meeting["review"])]
    r = runner.invoke(main, [*cmd, "--out", str(out)])
    assert r.exit_code == 2 and not out.exists()
    assert r.stderr.count("  - ") == 3 and "'Bình xét'" in r.stderr


@pytest.mark.parametrize(
    ("meta", "words"), [({"year": "2023"}, "năm 2023"), ({"bloc": "Khối trường học"}, "Khối trường học")]
)
def test_review_of_another_year_or_bloc_is_refused(meeting, meta, words) -> None:
    edit(meeting["review"], present=5, meta=meta)
    with pytest.raises(ReviewError) as err:
        apply_review(collect(meeting["inbox"], meeting["bloc"]), meeting["review"])
    assert any(words in p.message and p.sheet == "_thidua" for p in err.value.problems)


def test_a_resubmission_after_the_meeting_keeps_the_agreed_score(meeting) -> None:
    edit(meeting["review"], present=5, rows={"NV": {V_VOTES: 3}, "YT": {V_AGREED: 85, V_REASON: "Thống nhất"}})
    path = fill(meeting["templates"]["NV"], meeting["inbox"] / "NV.xlsx", full_scores(meeting["bloc"], "1"))
    os.utime(path, (2_000_000_000, 2_000_000_000))  # sent again after the meeting: 100 now
    report = apply_review(collect(meeting["inbox"], meeting["bloc"]), meeting["review"])
    nv = next(u for u in report.units if u.code == "NV")
    assert nv.agreed_total == Decimal(90) and nv.total == Decimal(90) and nv.self_total == Decimal(100)
    warn = [i for i in report.issues if i.code == "review-self-changed"]
    assert len(warn) == 1 and warn[0].unit == "NV" and "90" in warn[0].message and "100" in warn[0].message


def test_absent_rows_and_unusable_agreed_scores_are_warnings(meeting) -> None:
    review = meeting["review"]
    wb = openpyxl.load_workbook(review)
    ws = wb[L.R_REVIEW]
    _, cols, head = locate(ws)
    row = next(r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, cols[V_CODE]).value == "GDDT")
    ws.delete_rows(row)
    wb.save(review)
    edit(review, present=5, rows={"KTHT": {V_AGREED: 80, V_REASON: "Đơn vị báo cáo bằng văn bản"}})
    report = apply_review(collect(meeting["inbox"], meeting["bloc"]), review)
    absent = [i for i in report.issues if i.code == "review-unit-absent"]
    unused = [i for i in report.issues if i.code == "review-score-unused"]
    assert [i.unit for i in absent] == ["GDDT"] and [i.unit for i in unused] == ["KTHT"]
    assert next(u for u in report.units if u.code == "KTHT").status.value == "missing"


def test_only_the_meeting_inputs_are_editable_and_each_is_validated(meeting) -> None:
    """§9: the three meeting inputs and three inputs per unit, unlocked and validated; the rest locked."""
    from openpyxl.utils.cell import absolute_coordinate, range_boundaries

    ws = openpyxl.load_workbook(meeting["review"])[L.R_REVIEW]
    inputs, cols, head = locate(ws)
    assert ws.protection.sheet
    rows = range(head + 1, head + 1 + len(meeting["bloc"].units))
    editable = set(inputs.values()) | {
        ws.cell(r, cols[label]).coordinate for r in rows for label in (V_AGREED, V_REASON, V_VOTES)
    }
    for r in range(1, ws.max_row + 1):
        for c in range(1, ws.max_column + 1):
            cell = ws.cell(r, c)
            if cell.coordinate in editable:
                assert cell.protection.locked is False, cell.coordinate
            elif cell.value is not None:
                assert cell.protection.locked is not False, cell.coordinate
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for part in str(dv.sqref).split():
            lo_c, lo_r, hi_c, hi_r = range_boundaries(part)
            rules.update({(r, c): dv for r in range(lo_r, hi_r + 1) for c in range(lo_c, hi_c + 1)})

    def rule(coordinate: str):
        cell = ws[coordinate]
        return rules[(cell.row, cell.column)]

    present = rule(inputs[PRESENT])
    assert (present.type, present.formula1, present.formula2) == ("whole", "1", str(len(meeting["bloc"].units)))
    names_range = f"$C${head + 1}:$C${rows[-1]}"
    for label in (NEXT_LEADER, NEXT_DEPUTY):
        assert (rule(inputs[label]).type, rule(inputs[label]).formula1) == ("list", names_range)
    for r in (rows[0], rows[-1]):
        agreed = rule(ws.cell(r, cols[V_AGREED]).coordinate)
        # the scale: 100 points of criteria and up to 5 of bonus in the test bloc
        assert (agreed.type, agreed.formula1, float(agreed.formula2)) == ("decimal", "0", 105.0)
        votes = rule(ws.cell(r, cols[V_VOTES]).coordinate)
        assert (votes.type, votes.formula1, votes.formula2) == ("whole", "0", absolute_coordinate(inputs[PRESENT]))
        assert agreed.showErrorMessage and agreed.errorTitle and agreed.promptTitle == V_AGREED
