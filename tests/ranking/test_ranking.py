"""Ranking (§6): competition ranks with real ties, Vietnamese order, targets, titles, proposals."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest
from helpers import make_bloc, spec
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_xlsx.core.numbers import parse_number
from thidua_xlsx.core.ratings import Rating
from thidua_xlsx.core.report import Meeting, Status, UnitResult
from thidua_xlsx.core.text import collation_key
from thidua_xlsx.ranking.rank import eligibility, evaluate, rank_units

NAMES = ["An", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Hòa", "Hoà", "Lan", "Mai", "Mạnh", "Nga", "Ơn", "Ưng", "Yến"]

totals = st.decimals(min_value=0, max_value=110, places=2, allow_nan=False, allow_infinity=False)


def units_from(values: list[Decimal]) -> list[UnitResult]:
    return [
        UnitResult(code=f"U{i}", name=f"{NAMES[i % len(NAMES)]} {i}", status=Status.RANKED, total=t, base=t)
        for i, t in enumerate(values)
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(totals, min_size=1, max_size=40))
def test_competition_ranking_properties(default_bloc, values) -> None:
    _, bloc = default_bloc
    ranked = rank_units(bloc, units_from(values))
    assert [u.total for u in ranked] == sorted(values, reverse=True)  # order consistent with totals
    for u in ranked:
        assert u.rank == 1 + sum(1 for v in values if v > u.total)  # standard competition ranking
        assert u.tie == (sum(1 for v in values if v == u.total) > 1)
        assert u.note  # every unit's proposal or its absence is explained
    for a, b in itertools.pairwise(ranked):
        if a.total == b.total:  # a real tie: same rank, Vietnamese alphabetical order
            assert a.rank == b.rank and collation_key(a.name) <= collation_key(b.name)


def test_exact_decimals_make_real_ties(default_bloc) -> None:
    _, bloc = default_bloc
    parts = [parse_number(x).value for x in (33.3, 33.3, 33.4)]
    assert sum(parts) == Decimal(100)
    assert parse_number(0.1).value + parse_number(0.2).value == Decimal("0.3")
    ranked = rank_units(bloc, units_from([sum(parts), Decimal(100), Decimal("99.99")]))
    assert [(u.rank, u.tie) for u in ranked] == [(1, True), (1, True), (3, False)]


def test_vietnamese_collation() -> None:
    words = ["mạ", "má", "mã", "mả", "mà", "ma"]
    assert sorted(words, key=collation_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(["đa", "da", "ea"], key=collation_key) == ["da", "đa", "ea"]
    assert sorted(["ân", "ăn", "an", "bàn"], key=collation_key) == ["an", "ăn", "ân", "bàn"]
    assert sorted(["ơ", "ô", "o"], key=collation_key) == ["o", "ô", "ơ"]
    assert sorted(["ư", "u", "v"], key=collation_key) == ["u", "ư", "v"]
    assert sorted(["Phòng Y tế", "Phòng Tư pháp", "Phòng Tài chính"], key=collation_key) == [
        "Phòng Tài chính",
        "Phòng Tư pháp",
        "Phòng Y tế",
    ]
    assert collation_key("hoà") == collation_key("hòa")  # old and new tone placement compare equal


def data(**kw) -> dict:
    base = {"TS": Decimal(20), "LDTT": Decimal(19), "CSTD": Decimal(3), "KHTNV": Decimal(0), "KL": Decimal(0)}
    base.update({"XLDV": Rating.HTXSNV, "XLTCD": Rating.HTTNV})
    base.update(kw)
    return base


ELIGIBILITY = [
    # title index, data changes, expected, words expected in the reason
    (0, {}, True, ""),
    (0, {"LDTT": Decimal(13)}, False, "tỷ lệ LĐTT 65 % < 70 %"),
    (0, {"LDTT": Decimal(14)}, True, ""),  # exactly 70 % is enough ("ít nhất")
    (0, {"CSTD": Decimal(0)}, False, "số CSTĐ 0, cần ít nhất 1"),
    (0, {"KHTNV": Decimal(1)}, False, "không hoàn thành nhiệm vụ"),
    (0, {"XLDV": Rating.HTTNV}, False, "chưa đạt hoàn thành xuất sắc nhiệm vụ"),
    (0, {"XLDV": None}, None, "chưa có xếp loại"),
    (1, {"LDTT": Decimal(10)}, False, "tỷ lệ LĐTT 50 %, chưa trên 50 %"),  # Art. 28: more than half
    (1, {"LDTT": Decimal(11)}, True, ""),
    (1, {"KL": Decimal(1)}, False, "bị kỷ luật"),
    (1, {"XLDV": Rating.HTNV}, False, "chưa đạt hoàn thành tốt nhiệm vụ"),
]


@pytest.mark.parametrize(("title", "changes", "expected", "words"), ELIGIBILITY)
def test_title_eligibility(default_bloc, title, changes, expected, words) -> None:
    _, bloc = default_bloc
    ok, notes = eligibility(bloc.titles[title], data(**changes))
    assert ok is expected
    assert words in "; ".join(notes)


def test_targets(default_bloc) -> None:
    _, bloc = default_bloc
    u = evaluate(bloc, data(LDTT=Decimal(18), CSTD=Decimal(2)))
    # 18/20 = 90 % meets "≥ 90 %"; 2/18 = 11.11 % misses 15 %
    assert u.targets_met == {"ldtt": True, "cstd": False, "unit_rating": True, "party_rating": True}
    assert u.ldtt_share == Decimal("90.00") and u.cstd_share == Decimal("11.11")
    u = evaluate(bloc, data(TS=None, XLTCD=Rating.HTNV))
    assert u.targets_met["ldtt"] is None and u.targets_met["party_rating"] is False


def ranked_unit(code: str, name: str, total: str, *, votes: int | None = None, **changes) -> tuple[str, ...]:
    return (code, name, total, votes, changes)


def run(bloc, units, meeting=None):
    """Rank units given as ranked_unit(...), each evaluated from its data as collect does."""
    made = []
    for code, name, total, votes, changes in units:
        ev = evaluate(bloc, data(**changes))
        u = UnitResult(code, name, Status.RANKED, total=Decimal(total), votes=votes, data=data(**changes))
        made.append(replace(u, rating=ev.rating, eligible=ev.eligible, eligibility_notes=ev.eligibility_notes))
    return {u.code: u for u in rank_units(bloc, made, meeting=meeting)}


def test_proposals_follow_rank_and_title(default_bloc) -> None:
    _, bloc = default_bloc
    units = [
        ranked_unit("A", "Phòng A", "98", LDTT=Decimal(13)),  # first, but 65 % LĐTT
        ranked_unit("B", "Phòng B", "97"),
        ranked_unit("C", "Phòng C", "96"),
        ranked_unit("D", "Phòng D", "95", XLDV=Rating.HTTNV),  # 4th: Giấy khen needs only LĐTT tiên tiến
        ranked_unit("E", "Phòng E", "90"),
        ranked_unit("F", "Phòng F", "89", KL=Decimal(1)),  # 6th, disciplined: not "tiên tiến"
        ranked_unit("G", "Phòng G", "80"),
    ]
    got = run(bloc, units)
    assert got["A"].proposal is None
    assert got["A"].note.startswith("Hạng 1 nhưng chưa đủ điều kiện Tập thể lao động xuất sắc: tỷ lệ LĐTT 65 % < 70 %")
    assert got["B"].proposal == got["C"].proposal == "Bằng khen của Chủ tịch UBND tỉnh"
    assert got["D"].proposal == got["E"].proposal == "Giấy khen của Chủ tịch UBND huyện"
    assert got["F"].proposal is None and "bị kỷ luật" in got["F"].note
    assert got["G"].proposal is None and "ngoài các hạng" in got["G"].note
    assert not any(u.needs_vote for u in got.values())


def test_tie_across_a_proposal_boundary_is_flagged_for_a_vote(default_bloc) -> None:
    _, bloc = default_bloc
    units = [ranked_unit("A", "Phòng A", "98"), ranked_unit("B", "Phòng B", "97"), ranked_unit("C", "Phòng Cờ", "96")]
    units += [ranked_unit("D", "Phòng Dương", "96"), ranked_unit("E", "Phòng E", "90")]
    got = run(bloc, units)
    # C and D share rank 3; positions 3 and 4 belong to different awards
    assert got["C"].rank == got["D"].rank == 3 and got["E"].rank == 5
    assert got["C"].needs_vote and got["D"].needs_vote and not got["B"].needs_vote
    assert "bỏ phiếu" in got["C"].note and "Phòng Dương" in got["C"].note
    assert got["C"].proposal is None and got["D"].proposal is None  # not decided before the vote
    assert "2 đơn vị cho 1 suất Bằng khen của Chủ tịch UBND tỉnh, 1 suất Giấy khen" in got["C"].note
    # a tie inside one award's ranks needs no vote
    units = [ranked_unit("A", "A", "98"), ranked_unit("B", "B", "97"), ranked_unit("C", "C", "97")]
    got = run(bloc, units)
    assert got["B"].tie and not got["B"].needs_vote


def test_final_ranking_breaks_ties_by_votes_and_gates_proposals(default_bloc) -> None:
    _, bloc = default_bloc
    units = [
        ranked_unit("A", "A", "96", votes=5),
        ranked_unit("B", "B", "96", votes=9),
        ranked_unit("C", "C", "90", votes=4),
    ]
    got = run(bloc, units, Meeting(present=tuple(f"M{i}" for i in range(10))))
    assert (got["B"].rank, got["A"].rank, got["C"].rank) == (1, 2, 3)
    assert not got["A"].tie
    assert got["B"].proposal == "Cờ thi đua của UBND tỉnh"
    assert got["A"].proposal is None and "5/10 phiếu" in got["A"].note  # 5 of 10 is not more than half
    assert got["C"].proposal is None


def test_a_large_tie_names_a_few_units_and_counts_the_rest(default_bloc) -> None:
    _, bloc = default_bloc
    units = [ranked_unit("A", "Phòng A", "99")] + [ranked_unit(f"T{i}", f"Trường {i:02d}", "95") for i in range(12)]
    got = run(bloc, units)
    note = got["T0"].note
    assert got["T0"].needs_vote and "và 6 đơn vị khác" in note and note.count("Trường") == 5
    assert "12 đơn vị cho 2 suất Bằng khen của Chủ tịch UBND tỉnh, 3 suất Giấy khen" in note
    assert "7 vị trí không có khen thưởng" in note


# The law's chain of titles (Art. 27 chooses among the holders of Art. 28's title) ----------------

XS, TT = "Tập thể lao động xuất sắc", "Tập thể lao động tiên tiến"
KL_NOTE = "có 1 người bị kỷ luật từ cảnh cáo trở lên"


def test_one_disciplined_member_loses_both_titles(default_bloc) -> None:
    _, bloc = default_bloc
    ev = evaluate(bloc, data(KL=Decimal(1)))
    assert ev.eligible == {XS: False, TT: False}
    assert ev.eligibility_notes[TT] == (KL_NOTE,)
    assert ev.eligibility_notes[XS] == (f"chưa đủ điều kiện {TT}: {KL_NOTE}",)
    # its own conditions are met: the chain alone makes it ineligible
    assert eligibility(bloc.titles[0], data(KL=Decimal(1))) == (True, ())
    # a missing KL leaves both unknown, and says why
    ev = evaluate(bloc, data(KL=None))
    assert ev.eligible == {XS: None, TT: None}
    assert ev.eligibility_notes[XS] == (f"chưa xét được {TT}: thiếu số liệu KL",)
    # a failure of its own and of the chain are both named
    ev = evaluate(bloc, data(KL=Decimal(2), CSTD=Decimal(0)))
    assert ev.eligibility_notes[XS] == (
        "số CSTĐ 0, cần ít nhất 1",
        f"chưa đủ điều kiện {TT}: có 2 người bị kỷ luật từ cảnh cáo trở lên",
    )


def test_a_disciplined_unit_is_proposed_for_no_award_needing_either_title(default_bloc) -> None:
    _, bloc = default_bloc
    units = [
        ranked_unit("A", "Phòng A", "98", KL=Decimal(1)),  # rank 1: Cờ thi đua needs xuất sắc
        ranked_unit("B", "Phòng B", "97"),
        ranked_unit("C", "Phòng C", "96"),
        ranked_unit("D", "Phòng D", "95", KL=Decimal(1)),  # rank 4: Giấy khen needs tiên tiến
        ranked_unit("E", "Phòng E", "94"),
    ]
    got = run(bloc, units)
    assert got["A"].proposal is None and got["D"].proposal is None
    assert got["A"].note == (
        f"Hạng 1 nhưng chưa đủ điều kiện {XS}: chưa đủ điều kiện {TT}: {KL_NOTE} "
        "(không đề nghị Cờ thi đua của UBND tỉnh)."
    )
    assert (
        got["D"].note
        == f"Hạng 4 nhưng chưa đủ điều kiện {TT}: {KL_NOTE} (không đề nghị Giấy khen của Chủ tịch UBND huyện)."
    )
    assert (
        got["B"].proposal == "Bằng khen của Chủ tịch UBND tỉnh"
        and got["E"].proposal == "Giấy khen của Chủ tịch UBND huyện"
    )


def test_the_highest_title_held_is_the_top_of_the_chain(default_bloc) -> None:
    _, bloc = default_bloc
    assert bloc.highest_title({XS: True, TT: True}) == XS
    assert bloc.highest_title({XS: False, TT: True}) == TT
    assert bloc.highest_title({XS: None, TT: False}) is None


# A unit's row of 'Khen thưởng', and conditions held over years ---------------------------------

UNITS = [[c, f"Phòng {c}", ""] for c in "ABCDE"]
BK, GK = "Bằng khen của Chủ tịch UBND tỉnh", "Giấy khen của Chủ tịch UBND huyện"


def _bloc(tmp_path, awards, history=()):
    return make_bloc(tmp_path, spec(units=UNITS, info={"Khối trưởng": "A"}, awards=awards, history=list(history)))[1]


def test_a_unit_never_falls_through_to_a_later_row(tmp_path) -> None:
    awards = [
        ["Cờ thi đua", 1, 1, 99, XS, None, None],
        [BK, 1, 3, None, XS, None, None],
        [GK, 1, 6, None, TT, None, None],
    ]
    bloc = _bloc(tmp_path, awards)
    got = run(bloc, [ranked_unit("A", "Phòng A", "98", XLDV=Rating.HTTNV), ranked_unit("B", "Phòng B", "97")])
    # A: below the flag's minimum score, so the flag's row is not its row; Bằng khen's row is, and
    # its title fails: no Giấy khen from the third row, though A holds "tiên tiến"
    assert got["A"].eligible == {XS: False, TT: True}
    assert got["A"].proposal is None
    assert got["A"].note == (
        f"Hạng 1 nhưng chưa đủ điều kiện {XS}: xếp loại hoàn thành tốt nhiệm vụ, chưa đạt hoàn thành xuất sắc "
        f"nhiệm vụ (không đề nghị {BK})."
    )
    assert got["B"].proposal == BK
    # a minimum score no row lets the unit pass is named in the note
    bloc = _bloc(tmp_path / "b", [["Cờ thi đua", 1, 1, 99, XS, None, None]])
    got = run(bloc, [ranked_unit("A", "Phòng A", "98")])
    assert got["A"].note == "Hạng 1 nhưng tổng điểm 98 < điểm tối thiểu 99 (không đề nghị Cờ thi đua)."


def _past(year, unit, rating, title):
    return [year, unit, 95, 2, rating, title, None]


HTXS, HTT = "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ"


def test_conditions_held_over_consecutive_years(tmp_path) -> None:
    """'Số năm liên tục' 2: the rating and the title this year and last year (2023)."""
    awards = [[BK, 1, 3, None, XS, HTXS, 2], [GK, 4, 6, None, TT, None, 2]]
    history = [
        _past(2023, "A", HTXS, XS),  # held both years
        _past(2023, "B", HTT, TT),  # a lower rating and title last year
        _past(2022, "C", HTXS, XS),  # nothing for 2023
        _past(2023, "D", HTXS, XS),  # rank 4 needs "tiên tiến": "xuất sắc" holds it (the chain)
        _past(2023, "E", HTXS, None),  # no title recorded last year
    ]
    bloc = _bloc(tmp_path, awards, history)
    units = [ranked_unit(c, f"Phòng {c}", str(99 - i)) for i, c in enumerate("ABCDE")]
    got = run(bloc, units)
    assert got["A"].proposal == BK
    assert got["A"].note == f"Hạng 1, đủ điều kiện {XS}, 2 năm liên tục: đề nghị {BK}."
    assert got["B"].proposal is None
    assert got["B"].note == (
        "Hạng 2 nhưng năm 2023 xếp loại hoàn thành tốt nhiệm vụ, chưa đạt hoàn thành xuất sắc nhiệm vụ; "
        f"năm 2023 không đạt {XS} (đạt {TT}) (không đề nghị {BK})."
    )
    assert got["C"].proposal is None
    assert got["C"].note == (
        f"Hạng 3 nhưng chưa có kết quả năm 2023 trong trang 'Kết quả các năm trước' để xét 2 năm liên tục "
        f"(không đề nghị {BK})."
    )
    assert got["D"].proposal == GK
    assert got["E"].proposal is None and f"năm 2023 không đạt {TT}" in got["E"].note


def test_a_lower_rating_this_year_fails_the_row(tmp_path) -> None:
    bloc = _bloc(tmp_path, [[GK, 1, 6, None, None, HTXS, None]])
    got = run(bloc, [ranked_unit("A", "Phòng A", "98", XLDV=Rating.HTTNV), ranked_unit("B", "Phòng B", "97")])
    assert got["A"].proposal is None and "xếp loại hoàn thành tốt nhiệm vụ, chưa đạt" in got["A"].note
    assert got["B"].proposal == GK
