"""The yearly cycle (§12): this year's final ranking starts next year's bloc (`init --from`), whose
ranking then shows the year just closed among the earlier ones."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import GOOD_DATA, edit, fill, full_scores, lo_batch, make_bloc, make_templates, spec, template_cells

from thidua_xlsx.bloc.load import load_bloc
from thidua_xlsx.bloc.next_year import next_year
from thidua_xlsx.cli import main
from thidua_xlsx.core import labels as L
from thidua_xlsx.core.errors import ThiduaError
from thidua_xlsx.core.ratings import parse_rating
from thidua_xlsx.ranking.assemble import collect
from thidua_xlsx.ranking.review import apply_review
from thidua_xlsx.writers.ranking_book import write_ranking

# This year's returns: unit → (share of each maximum, data changes)
PLAN = {"VHTT": ("0.95", {}), "GDDT": ("0.9", {}), "YT": ("0.85", {"KL": 1}), "TP": ("0.8", {}), "NV": ("0.75", {})}
SETTINGS = {L.I_PASSWORD: "khoi2024", L.I_VOTE_SHARE: 60}


def cli(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(main, [str(a) for a in args])
    return r.exit_code, r.output


@pytest.fixture(scope="module")
def year_closed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """2024: five returns, the provisional ranking, the meeting's record, the final ranking."""
    tmp = tmp_path_factory.mktemp("cycle")
    config, bloc = make_bloc(tmp / "2024", spec(info=SETTINGS))
    templates = make_templates(bloc, tmp / "mau", units=list(PLAN))
    inbox = tmp / "inbox"
    for code, (share, changes) in PLAN.items():
        fill(templates[code], inbox / f"{code}.xlsx", full_scores(bloc, share), GOOD_DATA | changes)
    review = tmp / "2024" / "xep_hang_2024.xlsx"
    code, out = cli("collect", inbox, "--config", config, "--out", review)
    assert code == 1, out  # eleven units sent nothing
    rows = {u.code: {L.V_ATTENDED: L.ABSENT} for u in bloc.units if u.code not in PLAN}
    rows |= {c: {L.V_VOTES: 5} for c in PLAN}  # the five that sent returns meet, and vote for each other
    edit(review, meeting={L.NEXT_LEADER: "GDDT", L.NEXT_DEPUTY: "Phòng Y tế"}, rows=rows)
    final, final_json = tmp / "2024" / "xep_hang_2024_chinh_thuc.xlsx", tmp / "2024" / "final.json"
    code, out = cli("collect", inbox, "--config", config, "--review", review, "--out", final, "--json", final_json)
    assert code == 1 and "KẾT QUẢ CHÍNH THỨC" in out, out
    doc = json.loads(final_json.read_text(encoding="utf-8"))
    return {"tmp": tmp, "config": config, "bloc": bloc, "review": review, "final": final, "doc": doc}


def test_a_provisional_ranking_does_not_start_next_year(year_closed) -> None:
    code, out = cli("init", year_closed["tmp"] / "bad", "--from", year_closed["review"])
    assert code == 2
    assert "bảng xếp hạng tạm thời" in out and "--review" in out and "Traceback" not in out
    assert not (year_closed["tmp"] / "bad" / "khoi.xlsx").exists()
    code, out = cli("init", year_closed["tmp"] / "bad", "--from", year_closed["config"])
    assert code == 2 and "không phải bảng xếp hạng do thidua-xlsx tạo" in out


def test_the_yearly_cycle_round_trip(year_closed) -> None:
    tmp, bloc, doc = year_closed["tmp"], year_closed["bloc"], year_closed["doc"]
    folder = tmp / "2025"
    code, out = cli("init", folder, "--from", year_closed["final"])
    assert code == 0, out
    assert "Khối trưởng: GDDT (theo kết quả bầu" in out and "Khối phó: YT (theo kết quả bầu" in out
    assert "Đã thêm 16 dòng kết quả năm 2024" in out
    assert cli("init", folder, "--from", year_closed["final"])[0] == 2  # never over an existing file
    config = folder / "khoi.xlsx"
    nxt = load_bloc(config)

    # year + 1, the elected units leading, the deadline a year on, everything else carried over
    assert nxt.info.year == 2025
    assert (nxt.info.leader, nxt.info.deputy) == ("GDDT", "YT")
    ws = openpyxl.load_workbook(config)[L.SHEET_INFO]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(5, ws.max_row + 1)}
    assert (settings[L.I_LEADER], settings[L.I_DEPUTY]) == ("GDDT", "YT")
    assert nxt.info.deadline == dt.date(2025, 12, 30)
    # every setting carries over but the template password: the final ranking goes to the council
    assert nxt.info.template_password == "" and nxt.info.vote_share_min == 60
    carried = openpyxl.load_workbook(year_closed["final"])[L.SHEET_CARRY]
    assert "khoi2024" not in {c.value for row in carried.iter_rows() for c in row}
    assert "Mật khẩu bảo vệ mẫu" in out
    same = ("name", "governing_body", "place", "base_total", "ldtt_min", "cstd_target", "signer", "signer_title")
    assert all(getattr(nxt.info, key) == getattr(bloc.info, key) for key in same)
    assert nxt.fingerprint == bloc.fingerprint and nxt.criteria == bloc.criteria
    assert nxt.units == bloc.units and nxt.titles == bloc.titles
    assert [(a.name, a.rank_from, a.rank_to, a.required_title) for a in nxt.awards] == [
        (a.name, a.rank_from, a.rank_to, a.required_title) for a in bloc.awards
    ]

    # 'Kết quả các năm trước': the earlier years as they were, then 2024's final results
    def rows(history):
        return [(p.year, p.unit, p.total, p.rank, p.rating, p.title, p.award) for p in history]

    assert rows(nxt.history[: len(bloc.history)]) == rows(bloc.history)
    added = {p.unit: p for p in nxt.history if p.year == 2024}
    assert set(added) == {u.code for u in bloc.units}
    final = {u["code"]: u for u in doc["units"]}
    for unit_code, p in added.items():
        u = final[unit_code]
        assert p.total == (Decimal(str(u["total"])) if u["total"] is not None else None), unit_code
        assert p.rank == u["rank"] and p.award == (u["proposal"] or "")
        assert p.rating == (parse_rating(u["rating"]) if u["rating"] else None)
    assert added["VHTT"].title == "Tập thể lao động xuất sắc"
    assert added["YT"].title is None  # one member disciplined: neither title
    assert (added["PTQD"].total, added["PTQD"].rank, added["PTQD"].title) == (None, None, None)  # sent nothing

    # next year's templates, two returns, and next year's ranking shows four years
    code, out = cli("templates", "--config", config, "--unit", "GDDT", "--unit", "NV")
    assert code == 0, out
    forms = {p.name.split("_", 1)[0]: p for p in (folder / "mau_tu_cham").glob("*.xlsx")}
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(forms["GDDT"])[L.SHEET_META].iter_rows(values_only=True)}
    assert str(meta[L.MetaKey.YEAR.value]) == "2025"
    for unit_code, share in (("GDDT", "0.97"), ("NV", "0.9")):
        fill(forms[unit_code], tmp / "inbox2025" / f"{unit_code}.xlsx", full_scores(nxt, share))
    out_book, out_json = folder / "xep_hang_2025.xlsx", folder / "r.json"
    code, out = cli("collect", tmp / "inbox2025", "--config", config, "--out", out_book, "--json", out_json)
    assert code == 1, out
    wb = openpyxl.load_workbook(out_book)
    ws = wb[L.R_HISTORY]
    groups = [c.value for row in ws.iter_rows(max_row=8) for c in row if str(c.value).startswith("Năm ")]
    assert groups == ["Năm 2022", "Năm 2023", "Năm 2024", "Năm 2025 (năm nay)"]
    report = json.loads(out_json.read_text(encoding="utf-8"))
    gddt = next(u for u in report["units"] if u["code"] == "GDDT")
    assert [h["year"] for h in gddt["history"]] == [2022, 2023, 2024]
    assert gddt["history"][-1] == {
        "year": 2024, "total": final["GDDT"]["total"], "rank": final["GDDT"]["rank"], "rating": final["GDDT"]["rating"],
        "title": "Tập thể lao động xuất sắc", "award": final["GDDT"]["proposal"],
    }  # fmt: skip


def test_without_an_election_the_leadership_stays_and_a_deputy_made_leader_leaves_the_post(tmp_path) -> None:
    """The meeting elected this year's deputy (TCKH) as leader and no deputy: the deputy's post
    is left blank, not given to the leader twice. A deadline of 29/02 moves to 28/02."""
    _, bloc = make_bloc(tmp_path, spec(info={L.I_DEADLINE: "29/02/2024"}))
    assert bloc.info.deputy == "TCKH"
    templates = make_templates(bloc, tmp_path / "mau", units=["VHTT"])
    fill(templates["VHTT"], tmp_path / "inbox" / "VHTT.xlsx", full_scores(bloc, "0.9"))
    report = collect(tmp_path / "inbox", bloc)
    review = write_ranking(report, tmp_path / "review.xlsx")
    edit(review, meeting={L.NEXT_LEADER: "TCKH"}, rows={"VHTT": {L.V_VOTES: 3}})
    final = write_ranking(apply_review(report, review), tmp_path / "final.xlsx")
    nxt = next_year(final)
    assert (nxt.leader, nxt.deputy, nxt.leader_elected, nxt.deputy_elected) == ("TCKH", "", True, False)
    assert nxt.spec["info"][L.I_DEADLINE] == "28/02/2025"
    edit(review, meeting={L.NEXT_LEADER: ""}, rows={"VHTT": {L.V_VOTES: 3}})
    nxt = next_year(write_ranking(apply_review(report, review), tmp_path / "final2.xlsx"))
    assert (nxt.leader, nxt.deputy, nxt.leader_elected) == ("VHTT", "TCKH", False)


@pytest.mark.libreoffice
def test_a_final_ranking_saved_again_in_libreoffice_starts_the_same_year(year_closed, tmp_path) -> None:
    """Council staff open the final ranking in LibreOffice to print it, and save it: the hidden
    sheet keeps every value as the text it was."""
    resaved = lo_batch([year_closed["final"]], "xlsx", tmp_path / "lo", tmp_path / "profile")[0]
    assert next_year(resaved) == next_year(year_closed["final"])


def test_a_final_ranking_someone_tampered_with_is_refused_with_a_reason(year_closed, tmp_path) -> None:
    book = openpyxl.load_workbook(year_closed["final"])
    book[L.SHEET_CARRY]["A1"].value = "định dạng"
    broken = tmp_path / "final.xlsx"
    book.save(broken)
    with pytest.raises(ThiduaError, match="không đọc được"):
        next_year(broken)
    del book[L.SHEET_CARRY]
    book.save(broken)
    with pytest.raises(ThiduaError, match="collect INBOX --review"):
        next_year(broken)


def test_the_template_asks_for_discipline_from_cancao_up(default_templates) -> None:
    """'KL' counts members disciplined from "cảnh cáo" up (a reprimand, "khiển trách", does not count)."""
    _, data = template_cells(default_templates["VHTT"])
    ws = openpyxl.load_workbook(default_templates["VHTT"])[L.SHEET_DATA]
    row = int(data["KL"][1:])
    assert ws.cell(row, 2).value == "Số cá nhân bị kỷ luật từ hình thức cảnh cáo trở lên"
    guide = next(dv for dv in ws.data_validations.dataValidation if data["KL"] in str(dv.sqref))
    assert "cảnh cáo" in guide.prompt and "khiển trách" in guide.prompt
