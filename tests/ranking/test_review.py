"""The review round (bình xét, §9): a year-end meeting fills 'Bình xét' and 'Điều chỉnh điểm'
in the provisional ranking, and `collect --review` turns it into the final ranking, criterion by
criterion, in which every row adds up."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import GOOD_DATA, adjust_table, edit, fill, full_scores, locate, make_bloc, make_templates

from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ReviewError
from thidua_xlsx.core.report import Status
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.ranking.review import apply_review
from thidua_xlsx.writers.ranking_book import write_ranking

# Units and the share of the maximum they score (bonus 0): VHTT and NV tie at 90.
PLAN = {"VHTT": "0.9", "NV": "0.9", "TP": "0.95", "YT": "0.8", "GDDT": "0.85"}
D = Decimal


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


def absent(*codes: str) -> dict[str, dict]:
    """Every unit of the default bloc that sent nothing is marked absent, and these too."""
    others = ["VP", "TCKH", "KTHT", "TNMT", "NNPTNT", "LDTBXH", "TTRA", "TTVHTT", "BQLDA", "PTQD", "DVNN"]
    return {code: {L.V_ATTENDED: L.ABSENT} for code in (*others, *codes)}


RECORD = {
    L.M_TIME: "8 giờ 00, ngày 05/01/2025", L.M_PLACE: "Hội trường UBND huyện", L.M_CHAIR: "Nguyễn Hữu Hợp",
    L.M_SECRETARY: "Trần Thị Mai", L.NEXT_LEADER: "Phòng Tư pháp", L.LEADER_VOTES: 4, L.NEXT_DEPUTY: "NV",
    L.DEPUTY_VOTES: 3,
}  # fmt: skip


def run(meeting: dict, review: Path | None = None) -> tuple[int, dict, Path, str]:
    """collect --review through the command line: (exit code, JSON, final workbook, output)."""
    tmp = meeting["tmp"]
    out, js = tmp / "final.xlsx", tmp / "final.json"
    cmd = [
        "collect",
        str(meeting["inbox"]),
        "--config",
        str(meeting["config"]),
        "--review",
        str(review or meeting["review"]),
    ]
    r = CliRunner().invoke(main, [*cmd, "--out", str(out), "--json", str(js)])
    doc = json.loads(js.read_text(encoding="utf-8")) if js.exists() else {}
    return r.exit_code, doc, out, r.output  # stdout and stderr, as a terminal shows them


def test_the_meeting_scores_criterion_by_criterion_and_every_row_adds_up(meeting) -> None:
    """YT's 1.2 goes from 8 to 10 and its 7.1 deduction from 0 to 1; VHTT's bonus 6.1 from 0 to 2:
    the sums are recomputed from the criteria, on every row of every sheet and in the JSON."""
    votes = {"TP": 5, "VHTT": 3, "NV": 4, "GDDT": 4, "YT": 1}
    rows = {code: {L.V_VOTES: v} for code, v in votes.items()} | absent()
    adjust = [
        ("YT", "1.2", 10, "Bổ sung minh chứng cải cách hành chính được công nhận"),
        ("YT", "7.1", 1, "Nộp báo cáo năm chậm 2 lần"),
        ("VHTT", "6.1", 2, "Được UBND tỉnh tặng bằng khen"),
        ("YT", "1.2", 10, "Ghi lần nữa, cùng điểm"),  # the same agreed score twice is one change
    ]
    edit(meeting["review"], meeting=RECORD, rows=rows, adjust=adjust)
    code, doc, out, output = run(meeting)
    assert code == 1, output  # eleven units of the bloc never sent a file
    assert "KẾT QUẢ CHÍNH THỨC" in output
    assert doc["final"] is True
    units = {u["code"]: u for u in doc["units"]}
    yt, vhtt = units["YT"], units["VHTT"]
    # YT: self 80 = base 80; agreed 1.2 +2 (8 → 10), deduction +1 → 81
    assert (yt["self_total"], yt["base"], yt["bonus"], yt["deduction"], yt["total"]) == (80, 82, 0, 1, 81)
    assert yt["agreed_total"] == yt["total"]
    assert yt["adjustments"] == [
        {
            "criterion": "1.2",
            "self": 8,
            "agreed": 10,
            "reason": "Bổ sung minh chứng cải cách hành chính được công nhận",
        },
        {"criterion": "7.1", "self": 0, "agreed": 1, "reason": "Nộp báo cáo năm chậm 2 lần"},
    ]
    assert (vhtt["self_total"], vhtt["bonus"], vhtt["total"]) == (90, 2, 92)
    for u in doc["units"]:
        if u["status"] == "ranked":
            assert D(str(u["base"])) + D(str(u["bonus"])) - D(str(u["deduction"])) == D(str(u["total"])), u["code"]
            assert u["agreed_total"] == u["total"] and "votes" in u and "adjustments" in u
    # ranks: TP 95, VHTT 92, NV 90, GDDT 85, YT 81
    assert [units[c]["rank"] for c in ("TP", "VHTT", "NV", "GDDT", "YT")] == [1, 2, 3, 4, 5]
    assert "Khối chấm lại tiêu chí 6.1 (0 → 2)" in vhtt["note"]
    assert doc["meeting"] == {
        "time": "8 giờ 00, ngày 05/01/2025", "place": "Hội trường UBND huyện", "chair": "Nguyễn Hữu Hợp",
        "secretary": "Trần Thị Mai", "present": ["NV", "TP", "VHTT", "GDDT", "YT"], "next_leader": "TP",
        "next_leader_votes": 4, "next_deputy": "NV", "next_deputy_votes": 3,
    }  # fmt: skip
    # proposals need more than half of the 5 members present
    assert units["TP"]["proposal"] == "Cờ thi đua của UBND tỉnh"
    assert vhtt["proposal"] == "Bằng khen của Chủ tịch UBND tỉnh" and "3/5 phiếu" in vhtt["note"]
    assert units["GDDT"]["proposal"] == "Giấy khen của Chủ tịch UBND huyện"
    assert yt["proposal"] is None and "1/5 phiếu" in yt["note"]
    # the workbook says the same, row by row
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[: len(L.RANKING_SHEETS)] == list(L.RANKING_SHEETS)
    assert L.R_MINUTES in wb.sheetnames
    ws = wb[L.R_RANKING]
    title = " ".join(str(c.value) for row in ws.iter_rows(max_row=6) for c in row if c.value)
    assert "XẾP HẠNG THI ĐUA NĂM 2024 (CHÍNH THỨC)" in title
    head = next(r for r in range(1, 12) if ws.cell(r, 1).value == "STT")
    cols = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)}
    seen = {}
    for r in range(head + 1, ws.max_row + 1):
        code = ws.cell(r, cols["Mã đơn vị"]).value
        if code in units and units[code]["status"] == "ranked":
            base, bonus, ded, total = (D(str(ws.cell(r, cols[k]).value)) for k in
                                       ("Điểm chuẩn", "Điểm thưởng", "Điểm trừ", "Tổng điểm"))  # fmt: skip
            assert base + bonus - ded == total, code
            seen[code] = (D(str(ws.cell(r, cols["Tổng điểm tự chấm"]).value)), total)
            assert ws.cell(r, cols["Ghi chú"]).value == units[code]["note"]
    assert seen["YT"] == (D(80), D(81)) and seen["VHTT"] == (D(90), D(92))


def test_chi_tiet_diem_shows_self_agreed_and_difference(meeting) -> None:
    rows = {"TP": {L.V_VOTES: 5}} | absent()
    edit(meeting["review"], meeting=RECORD, rows=rows, adjust=[("YT", "1.2", 10, "Bổ sung minh chứng")])
    code, _, out, output = run(meeting)
    assert code == 1, output
    ws = openpyxl.load_workbook(out)[L.R_DETAIL]
    codes_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Mã đơn vị")
    col = next(c for c in range(4, ws.max_column + 1) if ws.cell(codes_row, c).value == "YT")
    head = next(r for r in range(codes_row, 20) if ws.cell(r, 1).value == "Mã")
    assert [ws.cell(head, col + i).value for i in range(3)] == ["Tự chấm", "Khối chấm", "Chênh lệch"]
    row = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, 1).value == "1.2")
    assert [ws.cell(row, col + i).value for i in range(3)] == [8, 10, 2]
    section = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, 1).value == "1")
    assert [ws.cell(section, col + i).value for i in range(3)] == [24, 26, 2]  # 12 + 8 + 4 → 12 + 10 + 4
    total = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, 1).value == L.TOTAL)
    assert [ws.cell(total, col + i).value for i in range(3)] == [80, 82, 2]


def test_votes_break_ties_and_the_note_says_so(meeting) -> None:
    """VHTT and NV both total 90: the one with more votes ranks above, and both notes say why."""
    rows = {"VHTT": {L.V_VOTES: 2}, "NV": {L.V_VOTES: 4}, "TP": {L.V_VOTES: 5}} | absent()
    edit(meeting["review"], meeting=RECORD, rows=rows)
    report = apply_review(collect(meeting["inbox"], meeting["bloc"]), meeting["review"])
    got = {u.code: u for u in report.units}
    assert (got["TP"].rank, got["NV"].rank, got["VHTT"].rank) == (1, 2, 3) and not got["NV"].tie
    assert "Đồng điểm 90: xếp trên Phòng Văn hóa và Thông tin nhờ số phiếu suy tôn 4/5." in got["NV"].note
    assert "xếp dưới Phòng Nội vụ vì ít phiếu suy tôn hơn (2/5)" in got["VHTT"].note


def test_units_keep_their_self_scores_when_the_meeting_changes_nothing(meeting) -> None:
    edit(meeting["review"], rows={"TP": {L.V_VOTES: 14}})
    report = apply_review(collect(meeting["inbox"], meeting["bloc"]), meeting["review"])
    tp = next(u for u in report.units if u.code == "TP")
    assert tp.agreed_total == tp.self_total == tp.total == D(95) and tp.votes == 14 and tp.adjustments == ()
    assert report.final and report.meeting.members == 16  # every unit is pre-filled present
    assert tp.proposal == "Cờ thi đua của UBND tỉnh"


def test_the_final_workbook_reviewed_again_gives_the_same_result(meeting) -> None:
    """The final ranking carries the meeting's record in its own input sheets: run again on it,
    the result is the same (a bloc that corrects one thing re-runs on the final workbook)."""
    rows = {"TP": {L.V_VOTES: 5}, "NV": {L.V_VOTES: 3}} | absent()
    edit(meeting["review"], meeting=RECORD, rows=rows, adjust=[("YT", "1.2", 10, "Bổ sung minh chứng")])
    code, first, out, _ = run(meeting)
    again = meeting["tmp"] / "again.xlsx"
    again.write_bytes(out.read_bytes())
    code2, second, _, output = run(meeting, again)
    assert code2 == code, output
    strip = ("file",)
    assert [{k: v for k, v in u.items() if k not in strip} for u in second["units"]] == [
        {k: v for k, v in u.items() if k not in strip} for u in first["units"]
    ]
    assert second["meeting"] == first["meeting"]


PROBLEMS = [
    # (edit, words in the problem, sheet, where: a meeting label, (sheet's column label, unit) or None)
    ({"adjust": [("YT", "1.2", 9, "")]}, "chưa ghi lý do", L.R_ADJUST, L.J_REASON),
    ({"adjust": [("XX", "1.2", 9, "x")]}, "không có trong khối", L.R_ADJUST, L.J_UNIT),
    ({"adjust": [("YT", "9.9", 9, "x")]}, "không phải tiêu chí chấm điểm", L.R_ADJUST, L.J_CRITERION),
    ({"adjust": [("YT", "1", 9, "x")]}, "là một mục", L.R_ADJUST, L.J_CRITERION),
    ({"adjust": [("YT", "1.2", 11, "x")]}, "ngoài thang điểm", L.R_ADJUST, L.J_AGREED),
    ({"adjust": [("YT", "1.2", "chín", "x")]}, "phải là số", L.R_ADJUST, L.J_AGREED),
    ({"adjust": [("YT", "1.2", "1.000,5", "x")]}, "1.000,5 ngoài thang điểm", L.R_ADJUST, L.J_AGREED),
    ({"rows": {"TP": {L.V_VOTES: "1.000"}}}, "TP (1000) nhiều hơn số thành viên", L.R_REVIEW, L.V_VOTES),
    ({"adjust": [("YT", "1.2", 9, "x"), ("YT", "1.2", 7, "y")]}, "hai điểm khối chấm khác nhau", L.R_ADJUST,
     L.J_AGREED),
    ({"rows": {"TP": {L.V_VOTES: 17}}}, "nhiều hơn số thành viên dự họp", L.R_REVIEW, L.V_VOTES),
    ({"rows": {"TP": {L.V_VOTES: 2.5}}}, "số nguyên", L.R_REVIEW, L.V_VOTES),
    ({"rows": {"TP": {L.V_ATTENDED: "có mặt"}}}, "phải là 'Có' hoặc 'Vắng'", L.R_REVIEW, L.V_ATTENDED),
    ({"meeting": {L.NEXT_LEADER: "Phòng Không Có"}}, "không phải đơn vị của khối", L.R_REVIEW, L.NEXT_LEADER),
    ({"meeting": {L.NEXT_DEPUTY: "ZZZ"}}, "không phải đơn vị của khối", L.R_REVIEW, L.NEXT_DEPUTY),
    ({"meeting": {L.LEADER_VOTES: 20}}, "nhiều hơn số thành viên dự họp", L.R_REVIEW, L.LEADER_VOTES),
    ({"meeting": {L.DEPUTY_VOTES: "ba"}}, "số nguyên không âm", L.R_REVIEW, L.DEPUTY_VOTES),
    ({"meeting": {L.NEXT_LEADER: "TP", L.NEXT_DEPUTY: "Phòng Tư pháp"}}, "hai đơn vị khác nhau", L.R_REVIEW,
     L.NEXT_DEPUTY),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "words", "sheet", "where"), PROBLEMS)
def test_review_problems_are_usage_errors_with_their_cell(meeting, changes, words, sheet, where) -> None:
    edit(meeting["review"], **changes)
    report = collect(meeting["inbox"], meeting["bloc"])
    with pytest.raises(ReviewError) as err:
        apply_review(report, meeting["review"])
    problems = [p for p in err.value.problems if words in p.message]
    assert problems, [str(p) for p in err.value.problems]
    p = problems[0]
    wb = openpyxl.load_workbook(meeting["review"])
    assert p.sheet == sheet
    if sheet == L.R_REVIEW:
        inputs, cols, head = locate(wb[L.R_REVIEW])
        if where in inputs:
            assert p.cell == inputs[where]
        else:
            assert p.cell.rstrip("0123456789") == openpyxl.utils.get_column_letter(cols[where])
    else:
        head, cols = adjust_table(wb[L.R_ADJUST])
        last_row = max(r for r in range(head + 1, head + 50) if wb[L.R_ADJUST].cell(r, cols[L.J_UNIT]).value)
        assert p.cell == wb[L.R_ADJUST].cell(last_row, cols[where]).coordinate


def test_every_problem_is_listed_at_once_and_nothing_written(meeting) -> None:
    edit(
        meeting["review"], meeting={L.NEXT_LEADER: "XX"}, rows={"TP": {L.V_VOTES: 30}},
        adjust=[("YT", "1.2", 99, "")],
    )  # fmt: skip
    code, doc, out, output = run(meeting)
    assert code == 2 and not out.exists() and not doc
    assert output.count("  - ") == 4 and "'Bình xét'" in output and "'Điều chỉnh điểm'" in output


@pytest.mark.parametrize(
    ("meta", "words"), [({"year": "2023"}, "năm 2023"), ({"bloc": "Khối trường học"}, "Khối trường học")]
)
def test_review_of_another_year_or_bloc_is_refused(meeting, meta, words) -> None:
    edit(meeting["review"], meta=meta)
    with pytest.raises(ReviewError) as err:
        apply_review(collect(meeting["inbox"], meeting["bloc"]), meeting["review"])
    assert any(words in p.message and p.sheet == "_thidua" and p.cell for p in err.value.problems)


def test_a_resubmission_after_the_meeting_keeps_the_agreed_scores(meeting) -> None:
    """NV sends again after the meeting, all at its maxima (1.1 from 13.5 to 15, 1.2 from 9 to
    10, …): its new self scores count, but 1.2, which the meeting scored 7, stays 7; every
    criterion that changed since the meeting is a warning on its cell."""
    edit(meeting["review"], rows={"NV": {L.V_VOTES: 3}}, adjust=[("NV", "1.2", 7, "Thống nhất")])
    templates, bloc = meeting["templates"], meeting["bloc"]
    path = fill(templates["NV"], meeting["inbox"] / "NV.xlsx", full_scores(bloc, "1"))
    os.utime(path, (2_000_000_000, 2_000_000_000))
    report = apply_review(collect(meeting["inbox"], bloc), meeting["review"])
    nv = next(u for u in report.units if u.code == "NV")
    assert nv.self_total == D(100) and nv.total == D(97)  # 100 − (10 − 7)
    warn = [i for i in report.issues if i.code == "review-self-changed"]
    base_leaves = [c for c in bloc.leaves if c.kind.value == "điểm"]
    assert len(warn) == len(base_leaves) and {i.unit for i in warn} == {"NV"}
    one = next(i for i in warn if "tiêu chí 1.2" in i.message)
    assert one.sheet == L.SHEET_SCORES and one.cell == nv.score_cells["1.2"] and "giữ điểm khối chấm" in one.message
    other = next(i for i in warn if "tiêu chí 1.1" in i.message)
    assert "13,5 (lúc họp) thành 15" in other.message and "dùng điểm mới" in other.message


def test_absent_rows_and_unusable_agreed_scores_are_warnings(meeting) -> None:
    review = meeting["review"]
    wb = openpyxl.load_workbook(review)
    ws = wb[L.R_REVIEW]
    _, cols, head = locate(ws)
    row = next(r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, cols[L.V_CODE]).value == "GDDT")
    ws.delete_rows(row)
    wb.save(review)
    edit(review, adjust=[("KTHT", "1.2", 8, "Đơn vị báo cáo bằng văn bản")])
    report = apply_review(collect(meeting["inbox"], meeting["bloc"]), review)
    missing_row = [i for i in report.issues if i.code == "review-unit-absent"]
    unused = [i for i in report.issues if i.code == "review-score-unused"]
    assert [i.unit for i in missing_row] == ["GDDT"] and [i.unit for i in unused] == ["KTHT"]
    assert unused[0].sheet == L.R_ADJUST and unused[0].cell and "1.2" in unused[0].message
    assert next(u for u in report.units if u.code == "KTHT").status is Status.MISSING


def test_only_the_inputs_are_editable_and_each_is_validated(meeting) -> None:
    from openpyxl.utils.cell import range_boundaries

    wb = openpyxl.load_workbook(meeting["review"])
    ws = wb[L.R_REVIEW]
    inputs, cols, head = locate(ws)
    assert ws.protection.sheet and wb[L.R_ADJUST].protection.sheet
    n = len(meeting["bloc"].units)
    rows = range(head + 1, head + 1 + n)
    typed = {label: cell for label, cell in inputs.items() if label != L.PRESENT}
    editable = set(typed.values()) | {ws.cell(r, cols[k]).coordinate for r in rows for k in (L.V_ATTENDED, L.V_VOTES)}
    for r in range(1, ws.max_row + 1):
        for c in range(1, ws.max_column + 1):
            cell = ws.cell(r, c)
            if cell.coordinate in editable:
                assert cell.protection.locked is False, cell.coordinate
            elif cell.value is not None:
                assert cell.protection.locked is not False, cell.coordinate
    assert str(ws[inputs[L.PRESENT]].value).startswith("=COUNTIF(")  # live, not typed
    assert all(str(ws.cell(r, cols[L.V_AGREED]).value).startswith("=IF(") for r in rows)

    def rules(sheet) -> dict:
        out = {}
        for dv in sheet.data_validations.dataValidation:
            for part in str(dv.sqref).split():
                lo_c, lo_r, hi_c, hi_r = range_boundaries(part)
                out.update({(r, c): dv for r in range(lo_r, hi_r + 1) for c in range(lo_c, hi_c + 1)})
        return out

    on = rules(ws)

    def rule(coordinate: str):
        return on[(ws[coordinate].row, ws[coordinate].column)]

    present = inputs[L.PRESENT].replace("$", "")
    for label in (L.NEXT_LEADER, L.NEXT_DEPUTY):
        assert rule(typed[label]).type == "list" and L.R_REVIEW not in rule(typed[label]).formula1
    for label in (L.LEADER_VOTES, L.DEPUTY_VOTES):
        v = rule(typed[label])
        assert (v.type, v.formula1, v.formula2.replace("$", "")) == ("whole", "0", present)
    for r in (rows[0], rows[-1]):
        assert rule(ws.cell(r, cols[L.V_ATTENDED]).coordinate).type == "list"
        votes = rule(ws.cell(r, cols[L.V_VOTES]).coordinate)
        assert (votes.type, votes.formula2.replace("$", "")) == ("whole", present)
    adj = wb[L.R_ADJUST]
    top, acols = adjust_table(adj)
    on = rules(adj)
    inputs_end = top + 5 * len(rows)  # five changed criteria a unit: 80 rows for the 16 units
    assert len(rows) == 16 and (inputs_end + 1, acols[L.J_UNIT]) not in on
    for r in (top + 1, inputs_end):
        assert on[(r, acols[L.J_UNIT])].type == "list" and on[(r, acols[L.J_CRITERION])].type == "list"
        agreed = on[(r, acols[L.J_AGREED])]
        assert agreed.type == "custom" and "VLOOKUP" in agreed.formula1
        for label in (L.J_UNIT, L.J_CRITERION, L.J_AGREED, L.J_REASON):
            assert adj.cell(r, acols[label]).protection.locked is False
        assert adj.cell(r, acols[L.J_SELF]).protection.locked is not False


def test_the_minutes_record_the_meeting(meeting) -> None:
    rows = {"TP": {L.V_VOTES: 4}, "NV": {L.V_VOTES: 3}} | absent("GDDT")
    edit(meeting["review"], meeting=RECORD, rows=rows, adjust=[("YT", "1.2", 10, "Bổ sung minh chứng CCHC")])
    code, _, out, output = run(meeting)
    assert code == 1, output
    ws = openpyxl.load_workbook(out)[L.R_MINUTES]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    minutes = " ".join(texts)
    for words in (
        "BIÊN BẢN", "Ý Yên, ngày …… tháng …… năm 2024", "Thời gian: 8 giờ 00, ngày 05/01/2025.",
        "Địa điểm: Hội trường UBND huyện.", "Chủ trì: Nguyễn Hữu Hợp. Thư ký: Trần Thị Mai.",
        "có mặt 4/16 đơn vị", "Phòng Nội vụ; Phòng Tư pháp; Phòng Văn hóa và Thông tin; Phòng Y tế",
        "Vắng mặt 12 đơn vị", "Phòng Giáo dục và Đào tạo", "Bổ sung minh chứng CCHC",
        "Khối trưởng năm 2025: Phòng Tư pháp, được 4/4 phiếu", "Khối phó năm 2025: Phòng Nội vụ, được 3/4 phiếu",
        "Cờ thi đua của UBND tỉnh",
    ):  # fmt: skip
        assert words in minutes, words
    # the signatures close the document: secretary left, chair right, names under, nothing after
    last = max(r for r in range(1, ws.max_row + 1) if any(ws.cell(r, c).value for c in range(1, 9)))
    assert {ws.cell(last, c).value for c in range(1, 9)} - {None} == {"Trần Thị Mai", "Nguyễn Hữu Hợp"}
    assert texts.count("(Ký, ghi rõ họ tên)") == 2 and "THƯ KÝ" in texts and "CHỦ TRÌ" in texts
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    assert area.endswith(f"${last}")


@pytest.mark.parametrize(
    ("units", "made", "final", "rows"),
    [
        (3, 0, False, 60),  # a small bloc still gets a long meeting's rows
        (16, 0, False, 80),  # five changed criteria a unit
        (16, 70, True, 90),  # the changes made, and room beyond them
        (16, 70, False, 80),  # a provisional ranking shows no changes
        (60, 0, False, 300),
        (1000, 0, False, 300),  # the rows stop growing
        (1000, 400, True, 420),
    ],
)
def test_adjustment_rows_follow_the_bloc_and_its_meeting(units: int, made: int, final: bool, rows: int) -> None:
    from types import SimpleNamespace

    from thidua_xlsx.writers.review_sheets import adjust_rows

    per_unit = [made // units + (1 if i < made % units else 0) for i in range(units)]
    report = SimpleNamespace(final=final, units=[SimpleNamespace(adjustments=[None] * n) for n in per_unit])
    assert adjust_rows(report) == rows  # type: ignore[arg-type]
