"""Targets, title eligibility, competition ranking with real ties, and award proposals (§6)."""

from __future__ import annotations

from decimal import Decimal

from thidua_xlsx.core.model import AwardRule, Bloc, Threshold, TitleRule
from thidua_xlsx.core.numbers import vn
from thidua_xlsx.core.ratings import Rating
from thidua_xlsx.core.report import Meeting, Status, UnitResult
from thidua_xlsx.core.text import collation_key


def _exact_share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"))


def evaluate(bloc: Bloc, unit: UnitResult) -> None:
    """Fill a unit's section-4 targets and title eligibility from its data (exact arithmetic)."""
    d = unit.data
    ts, ldtt, cstd = d.get("TS"), d.get("LDTT"), d.get("CSTD")
    unit.rating, unit.party_rating = d.get("XLDV"), d.get("XLTCD")
    if ts and ldtt is not None:
        unit.ldtt_share = _exact_share(ldtt, ts)
    if ldtt and cstd is not None:
        unit.cstd_share = _exact_share(cstd, ldtt)
    info = bloc.info
    met: dict[str, bool | None] = {"ldtt": None, "cstd": None, "unit_rating": None, "party_rating": None}
    if info.ldtt_min is not None and ts and ldtt is not None:
        met["ldtt"] = ldtt * 100 >= info.ldtt_min * ts
    if info.cstd_target is not None and ldtt is not None and cstd is not None:
        met["cstd"] = cstd * 100 >= info.cstd_target * ldtt if ldtt else info.cstd_target == 0
    if isinstance(unit.rating, Rating):
        met["unit_rating"] = unit.rating.at_least(Rating.HTTNV)
    if isinstance(unit.party_rating, Rating):
        met["party_rating"] = unit.party_rating.at_least(Rating.HTTNV)
    unit.targets_met = met
    for title in bloc.titles:
        ok, notes = eligibility(title, d)
        unit.eligible[title.name] = ok
        unit.eligibility_notes[title.name] = notes


def _pct(x: Decimal) -> str:
    return f"{vn(x.quantize(Decimal('0.01')).normalize())} %"


def eligibility(title: TitleRule, d: dict) -> tuple[bool | None, list[str]]:
    """(True/False/None when data is missing, the failing or missing conditions in words)."""
    fails: list[str] = []
    unknown: list[str] = []
    rating = d.get("XLDV")
    if title.min_rating is not None:
        if not isinstance(rating, Rating):
            unknown.append("chưa có xếp loại đơn vị")
        elif not rating.at_least(title.min_rating):
            fails.append(f"xếp loại {rating.label.lower()}, chưa đạt {title.min_rating.label.lower()}")
    ts, ldtt = d.get("TS"), d.get("LDTT")
    if title.ldtt_share is not None:
        if not ts or ldtt is None:
            unknown.append("thiếu số liệu TS hoặc LDTT")
        else:
            share = ldtt * 100 / ts
            if not title.ldtt_share.at_least(share):
                need = _pct(title.ldtt_share.value)
                fails.append(
                    f"tỷ lệ LĐTT {_pct(share)}, chưa trên {need}"
                    if title.ldtt_share.strict
                    else f"tỷ lệ LĐTT {_pct(share)} < {need}"
                )
    counts = (
        (title.cstd_count, "CSTD", True, "số CSTĐ {v}, cần {op}{t}"),
        (title.khtnv_count, "KHTNV", False, "có {v} người không hoàn thành nhiệm vụ (tối đa {op}{t})"),
        (title.kl_count, "KL", False, "có {v} người bị kỷ luật (tối đa {op}{t})"),
    )
    for threshold, code, lower, text in counts:
        if threshold is None:
            continue
        value = d.get(code)
        if value is None:
            unknown.append(f"thiếu số liệu {code}")
            continue
        ok = threshold.at_least(value) if lower else threshold.at_most(value)
        if not ok:
            fails.append(text.format(v=vn(value), t=vn(threshold.value), op=_op(threshold, lower)))
    if fails:
        return False, fails
    if unknown:
        return None, unknown
    return True, []


def _op(t: Threshold, lower: bool) -> str:
    if t.strict:
        return "trên " if lower else "dưới "
    return "ít nhất " if lower else ""


def _rule_at(bloc: Bloc, position: int) -> AwardRule | None:
    return next((r for r in bloc.awards if r.rank_fits(position)), None)


def rank_units(bloc: Bloc, units: list[UnitResult], *, meeting: Meeting | None = None) -> list[UnitResult]:
    """Order units (ranked first, by total then votes when final, ties in Vietnamese order),
    set competition ranks and ties, and propose awards with a reason for every unit."""
    ranked = [u for u in units if u.status is Status.RANKED and u.total is not None]
    others = [u for u in units if not (u.status is Status.RANKED and u.total is not None)]
    for u in others:
        u.status = Status.MISSING if u.status is Status.MISSING else Status.ERROR
        u.rank, u.tie, u.proposal = None, False, None
    collation = {u.code: i for i, u in enumerate(sorted(units, key=lambda u: collation_key(u.name)))}

    def standing(u: UnitResult) -> tuple[Decimal, int]:
        return (u.total, (u.votes or 0) if meeting else 0)  # type: ignore[return-value]

    # Exact Decimal keys: equal totals are equal, whatever their digits; a tie is listed in
    # Vietnamese order. Competition ranking: a unit's rank is one more than the units above it.
    ranked.sort(key=lambda u: collation[u.code])
    ranked.sort(key=standing, reverse=True)
    groups: list[list[UnitResult]] = []
    for u in ranked:
        if groups and standing(groups[-1][0]) == standing(u):
            groups[-1].append(u)
        else:
            groups.append([u])
    by_code = {u.code: u for u in ranked}
    position = 1
    for group in groups:
        for u in group:
            u.rank, u.tie = position, len(group) > 1
            u.tied_with = [o.code for o in group if o is not u]
        position += len(group)
    for group in groups:
        first = group[0].rank or 1
        places = [_rule_at(bloc, p) for p in range(first, first + len(group))]  # once a group
        for u in group:
            _propose(bloc, u, places, meeting, by_code)
    errors = sorted((u for u in others if u.status is Status.ERROR), key=lambda u: collation[u.code])
    missing = sorted((u for u in others if u.status is Status.MISSING), key=lambda u: collation[u.code])
    return ranked + errors + missing


def _propose(
    bloc: Bloc, u: UnitResult, rules: list[AwardRule | None], meeting: Meeting | None, by_code: dict[str, UnitResult]
) -> None:
    """The unit's proposal and its reason; `rules` are the awards of the places its tie group holds."""
    size = len(rules)
    assert u.rank is not None and u.total is not None
    r = u.rank
    first_fit: tuple[AwardRule, list[str]] | None = None
    for rule in bloc.awards:
        if not rule.rank_fits(r):
            continue
        fails: list[str] = []
        if rule.min_total is not None and u.total < rule.min_total:
            fails.append(f"tổng điểm {vn(u.total)} < điểm tối thiểu {vn(rule.min_total)}")
        if rule.required_title:
            ok = u.eligible.get(rule.required_title)
            if ok is not True:
                notes = u.eligibility_notes.get(rule.required_title) or ["chưa đủ số liệu"]
                fails.append(f"chưa đủ điều kiện {rule.required_title}: " + "; ".join(notes))
        if meeting is not None:
            votes, share = u.votes or 0, bloc.info.vote_share_min
            if not votes * 100 > share * meeting.present:
                fails.append(
                    f"được {votes}/{meeting.present} phiếu suy tôn, chưa quá {vn(share)} % số thành viên dự họp"
                )
        if not fails:
            u.proposal = rule.name
            why = f", đủ điều kiện {rule.required_title}" if rule.required_title else ""
            u.note = f"Hạng {r}{why}: đề nghị {rule.name}."
            if meeting is not None:
                u.note += f" Được {u.votes or 0}/{meeting.present} phiếu suy tôn."
            break
        if first_fit is None:
            first_fit = (rule, fails)
    else:
        u.proposal = None
        if first_fit is not None:
            rule, fails = first_fit
            u.note = f"Hạng {r} nhưng " + "; ".join(fails) + f" (không đề nghị {rule.name})."
        else:
            u.note = f"Hạng {r}: ngoài các hạng được đề nghị khen thưởng."
    if size > 1 and len(set(rules)) > 1:
        # The tied units hold positions r..r+size-1, which belong to different awards: the bloc
        # votes to decide who takes the better places, so nobody is proposed yet.
        u.needs_vote = True
        shown = [by_code[c].name for c in u.tied_with[:5]]
        more = len(u.tied_with) - len(shown)
        others = ", ".join(shown) + (f" và {more} đơn vị khác" if more else "")
        places = ", ".join(
            f"{sum(1 for x in rules if x is rule)} " + (f"suất {rule.name}" if rule else "vị trí không có khen thưởng")
            for rule in dict.fromkeys(rules)
        )
        if u.proposal:
            title = _title_of(bloc, u.proposal)
            u.note = f"Hạng {r}" + (f", đủ điều kiện {title}." if title else ".")
        u.proposal = None
        u.note += (
            f" Đồng hạng {r} với {others}: {size} đơn vị cho {places}; "
            "khối bỏ phiếu suy tôn để quyết định, chưa đề nghị."
        )


def _title_of(bloc: Bloc, award: str) -> str | None:
    return next((r.required_title for r in bloc.awards if r.name == award), None)
