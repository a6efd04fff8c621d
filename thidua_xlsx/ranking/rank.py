"""Targets, title eligibility, competition ranking with real ties, and award proposals (§6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from thidua_xlsx.core.labels import DataCode
from thidua_xlsx.core.model import AwardRule, Bloc, Threshold, TitleRule
from thidua_xlsx.core.numbers import percent_text, vn
from thidua_xlsx.core.ratings import Rating
from thidua_xlsx.core.report import TARGET_KEYS, Meeting, Status, UnitResult
from thidua_xlsx.core.text import collation_key


def _exact_share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A unit's section-4 targets and title eligibility, from its data (exact arithmetic)."""

    rating: Rating | None
    party_rating: Rating | None
    ldtt_share: Decimal | None
    cstd_share: Decimal | None
    targets_met: Mapping[str, bool | None]
    eligible: Mapping[str, bool | None]
    eligibility_notes: Mapping[str, tuple[str, ...]]


def evaluate(bloc: Bloc, d: Mapping[str, Any]) -> Evaluation:
    """Targets and titles of a unit whose data sheet reads `d`."""
    ts, ldtt, cstd = d.get(DataCode.TS), d.get(DataCode.LDTT), d.get(DataCode.CSTD)
    rating, party = d.get(DataCode.XLDV), d.get(DataCode.XLTCD)
    rating = rating if isinstance(rating, Rating) else None
    party = party if isinstance(party, Rating) else None
    info = bloc.info
    met: dict[str, bool | None] = dict.fromkeys(TARGET_KEYS)
    if info.ldtt_min is not None and ts and ldtt is not None:
        met["ldtt"] = ldtt * 100 >= info.ldtt_min * ts
    if info.cstd_target is not None and ldtt is not None and cstd is not None:
        met["cstd"] = cstd * 100 >= info.cstd_target * ldtt if ldtt else info.cstd_target == 0
    if rating is not None:
        met["unit_rating"] = rating.at_least(Rating.HTTNV)
    if party is not None:
        met["party_rating"] = party.at_least(Rating.HTTNV)
    eligible, notes = titles_of(bloc, d)
    return Evaluation(
        rating=rating,
        party_rating=party,
        ldtt_share=_exact_share(ldtt, ts) if ts and ldtt is not None else None,
        cstd_share=_exact_share(cstd, ldtt) if ldtt and cstd is not None else None,
        targets_met=met,
        eligible=eligible,
        eligibility_notes=notes,
    )


def titles_of(bloc: Bloc, d: Mapping[str, Any]) -> tuple[dict[str, bool | None], dict[str, tuple[str, ...]]]:
    """Every title's eligibility with its reasons: a title's own conditions, and the titles it
    requires ('Phải đạt danh hiệu'), whose failing conditions are named."""
    own = {t.name: eligibility(t, d) for t in bloc.titles}
    eligible = {name: ok for name, (ok, _) in own.items()}
    notes = {name: why for name, (_, why) in own.items()}
    for name, lower in bloc.requirements:
        parts = [own[name], *(own[x] for x in lower)]
        if all(ok is True for ok, _ in parts):
            continue
        verdict = False if any(ok is False for ok, _ in parts) else None
        why = [w for w in own[name][1] if own[name][0] is verdict]
        lead = "chưa đủ điều kiện" if verdict is False else "chưa xét được"
        why += [f"{lead} {x}: {w}" for x in lower if own[x][0] is verdict for w in own[x][1]]
        eligible[name], notes[name] = verdict, tuple(why)
    return eligible, notes


def eligibility(title: TitleRule, d: Mapping[str, Any]) -> tuple[bool | None, tuple[str, ...]]:
    """A title's own conditions: (True/False/None when data is missing, the failing or missing
    conditions in words). The title it requires is `titles_of`'s to add."""
    fails: list[str] = []
    unknown: list[str] = []
    rating = d.get(DataCode.XLDV)
    if title.min_rating is not None:
        if not isinstance(rating, Rating):
            unknown.append("chưa có xếp loại đơn vị")
        elif not rating.at_least(title.min_rating):
            fails.append(f"xếp loại {rating.label.lower()}, chưa đạt {title.min_rating.label.lower()}")
    ts, ldtt = d.get(DataCode.TS), d.get(DataCode.LDTT)
    if title.ldtt_share is not None:
        if not ts or ldtt is None:
            unknown.append("thiếu số liệu TS hoặc LDTT")
        else:
            share = ldtt * 100 / ts
            if not title.ldtt_share.at_least(share):
                need = percent_text(title.ldtt_share.value)
                fails.append(
                    f"tỷ lệ LĐTT {percent_text(share)}, chưa trên {need}"
                    if title.ldtt_share.strict
                    else f"tỷ lệ LĐTT {percent_text(share)} < {need}"
                )
    counts = (
        (title.cstd_count, DataCode.CSTD, True, "số CSTĐ {v}, cần {op}{t}"),
        (title.khtnv_count, DataCode.KHTNV, False, "có {v} người không hoàn thành nhiệm vụ"),
        (title.kl_count, DataCode.KL, False, "có {v} người bị kỷ luật từ cảnh cáo trở lên"),
    )
    for threshold, code, lower, text in counts:
        if threshold is None:
            continue
        value = d.get(code)
        if value is None:
            unknown.append(f"thiếu số liệu {code.value}")
            continue
        ok = threshold.at_least(value) if lower else threshold.at_most(value)
        if not ok:
            fail = text.format(v=vn(value), t=vn(threshold.value), op=_op(threshold, lower))
            if not lower and (threshold.strict or threshold.value):  # "tối đa 0" goes without saying
                fail += f" (tối đa {_op(threshold, lower)}{vn(threshold.value)})"
            fails.append(fail)
    if fails:
        return False, tuple(fails)
    if unknown:
        return None, tuple(unknown)
    return True, ()


def _op(t: Threshold, lower: bool) -> str:
    if t.strict:
        return "trên " if lower else "dưới "
    return "ít nhất " if lower else ""


def _rule_at(bloc: Bloc, position: int) -> AwardRule | None:
    return next((r for r in bloc.awards if r.rank_fits(position)), None)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a ranked unit stands and what it is proposed for, with the reason."""

    rank: int
    tie: bool
    tied_with: tuple[str, ...]
    proposal: str | None
    note: str
    needs_vote: bool = False


def rank_units(bloc: Bloc, units: Sequence[UnitResult], *, meeting: Meeting | None = None) -> list[UnitResult]:
    """Units in order (ranked first, by total then votes when final, ties in Vietnamese order),
    with competition ranks, ties, and a proposal or its absence explained for every unit."""
    ranked = [u for u in units if u.status is Status.RANKED and u.total is not None]
    others = [u for u in units if not (u.status is Status.RANKED and u.total is not None)]
    collation = {u.code: i for i, u in enumerate(sorted(units, key=lambda u: collation_key(u.name)))}

    def standing(u: UnitResult) -> tuple[Decimal, int]:
        assert u.total is not None
        return (u.total, (u.votes or 0) if meeting else 0)

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
    names = {u.code: u.name for u in ranked}
    same_total: dict[Decimal, list[UnitResult]] = {}
    for u in ranked:
        same_total.setdefault(u.total, []).append(u)  # type: ignore[arg-type]
    out: list[UnitResult] = []
    position = 1
    for group in groups:
        places = [_rule_at(bloc, p) for p in range(position, position + len(group))]  # once a group
        for u in group:
            tied = tuple(o.code for o in group if o is not u)
            s = _propose(bloc, u, position, tied, places, meeting, names)
            note = s.note
            if meeting is not None:
                note += _votes_decided(u, same_total[u.total], meeting)  # type: ignore[index]
            if u.adjustments:
                note += " " + changed_criteria(u)
            out.append(u.changed(rank=s.rank, tie=s.tie, tied_with=s.tied_with, proposal=s.proposal,
                                 note=note, needs_vote=s.needs_vote))  # fmt: skip
        position += len(group)
    unranked = [
        u.changed(status=Status.MISSING if u.status is Status.MISSING else Status.ERROR, rank=None, tie=False,
                  tied_with=(), proposal=None)
        for u in others
    ]  # fmt: skip
    errors = sorted((u for u in unranked if u.status is Status.ERROR), key=lambda u: collation[u.code])
    missing = sorted((u for u in unranked if u.status is Status.MISSING), key=lambda u: collation[u.code])
    return out + errors + missing


def changed_criteria(u: UnitResult) -> str:
    """'Khối chấm lại tiêu chí 1.2 (10 → 8), 4.4 (4 → 3).' for the criteria the meeting changed."""
    parts = [f"{a.criterion} ({vn(a.self) if a.self is not None else 'trống'} → {vn(a.agreed)})" for a in u.adjustments]
    return f"Khối chấm lại tiêu chí {', '.join(parts)}." if parts else ""


def _votes_decided(u: UnitResult, peers: list[UnitResult], meeting: Meeting) -> str:
    """' Đồng điểm … xếp trên nhờ số phiếu suy tôn 12/14.' when votes parted equal totals; else ''."""
    above = [o.name for o in peers if (o.votes or 0) < (u.votes or 0)]
    below = [o.name for o in peers if (o.votes or 0) > (u.votes or 0)]
    if not above and not below:
        return ""
    assert u.total is not None
    votes = f"{u.votes or 0}/{meeting.members}"
    parts = []
    if above:
        parts.append(f"xếp trên {_names(above)} nhờ số phiếu suy tôn {votes}")
    if below:
        parts.append(f"xếp dưới {_names(below)} vì ít phiếu suy tôn hơn ({votes})")
    return f" Đồng điểm {vn(u.total)}: " + "; ".join(parts) + "."


def _names(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" và {more} đơn vị khác" if more > 0 else "")


def _propose(
    bloc: Bloc,
    u: UnitResult,
    rank: int,
    tied: tuple[str, ...],
    rules: list[AwardRule | None],
    meeting: Meeting | None,
    names: Mapping[str, str],
) -> Standing:
    """The unit's proposal and its reason; `rules` are the awards of the places its tie group holds."""
    assert u.total is not None
    size = len(rules)
    proposal: str | None = None
    note = ""
    first_fit: tuple[AwardRule, list[str]] | None = None
    for rule in bloc.awards:
        if not rule.rank_fits(rank):
            continue
        if rule.min_total is not None and u.total < rule.min_total:  # not this row: a later one may match
            if first_fit is None:
                first_fit = (rule, [f"tổng điểm {vn(u.total)} < điểm tối thiểu {vn(rule.min_total)}"])
            continue
        fails: list[str] = []
        if rule.required_title and u.eligible.get(rule.required_title) is not True:
            notes = u.eligibility_notes.get(rule.required_title) or ("chưa đủ số liệu",)
            fails.append(f"chưa đủ điều kiện {rule.required_title}: " + "; ".join(notes))
        fails += _rating_and_years(bloc, u, rule)
        if meeting is not None:
            votes, share = u.votes or 0, bloc.info.vote_share_min
            if not votes * 100 > share * meeting.members:
                fails.append(
                    f"được {votes}/{meeting.members} phiếu suy tôn, chưa quá {vn(share)} % số thành viên dự họp"
                )
        if not fails:
            proposal = rule.name
            why = f", đủ điều kiện {rule.required_title}" if rule.required_title else ""
            why += f", {rule.years} năm liên tục" if rule.years > 1 else ""
            note = f"Hạng {rank}{why}: đề nghị {rule.name}."
            if meeting is not None:
                note += f" Được {u.votes or 0}/{meeting.members} phiếu suy tôn."
            break
        first_fit = (rule, fails)  # the unit's row decides: it never falls through to a later one
        break
    if proposal is None:
        if first_fit is not None:
            rule, fails = first_fit
            note = f"Hạng {rank} nhưng " + "; ".join(fails) + f" (không đề nghị {rule.name})."
        else:
            note = f"Hạng {rank}: ngoài các hạng được đề nghị khen thưởng."
    if size > 1 and len(set(rules)) > 1:
        # The tied units hold positions rank..rank+size-1, which belong to different awards: the
        # bloc votes to decide who takes the better places, so nobody is proposed yet.
        shown = [names[c] for c in tied[:5]]
        more = len(tied) - len(shown)
        others = ", ".join(shown) + (f" và {more} đơn vị khác" if more else "")
        places = ", ".join(
            f"{sum(1 for x in rules if x is rule)} " + (f"suất {rule.name}" if rule else "vị trí không có khen thưởng")
            for rule in dict.fromkeys(rules)
        )
        if proposal:
            title = _title_of(bloc, proposal)
            note = f"Hạng {rank}" + (f", đủ điều kiện {title}." if title else ".")
        note += (
            f" Đồng hạng {rank} với {others}: {size} đơn vị cho {places}; "
            "khối bỏ phiếu suy tôn để quyết định, chưa đề nghị."
        )
        return Standing(rank, True, tied, None, note, needs_vote=True)
    return Standing(rank, size > 1, tied, proposal, note)


def _rating_and_years(bloc: Bloc, u: UnitResult, rule: AwardRule) -> list[str]:
    """The row's rating this year, and its rating and title in each earlier year it asks for
    ('Số năm liên tục'), from 'Kết quả các năm trước'. A missing year leaves the condition
    unknown: it fails, and the note names the year."""
    fails: list[str] = []
    if rule.min_rating is not None:
        if u.rating is None:
            fails.append("chưa có xếp loại đơn vị")
        elif not u.rating.at_least(rule.min_rating):
            fails.append(f"xếp loại {u.rating.label.lower()}, chưa đạt {rule.min_rating.label.lower()}")
    year = bloc.info.year
    past = bloc.past.get(u.code, {})
    missing: list[int] = []
    for y in range(year - rule.years + 1, year):
        p = past.get(y)
        if p is None:
            missing.append(y)
            continue
        if rule.min_rating is not None:
            if p.rating is None:
                fails.append(f"năm {y} chưa ghi xếp loại đơn vị")
            elif not p.rating.at_least(rule.min_rating):
                fails.append(f"năm {y} xếp loại {p.rating.label.lower()}, chưa đạt {rule.min_rating.label.lower()}")
        title = rule.required_title
        if title is not None and (p.title is None or title not in bloc.chain(p.title)):
            fails.append(f"năm {y} không đạt {title}" + (f" (đạt {p.title})" if p.title else ""))
    if missing:
        years = ", ".join(str(y) for y in missing)
        fails.append(
            f"chưa có kết quả năm {years} trong trang 'Kết quả các năm trước' để xét {rule.years} năm liên tục"
        )
    return fails


def _title_of(bloc: Bloc, award: str) -> str | None:
    return next((r.required_title for r in bloc.awards if r.name == award), None)
