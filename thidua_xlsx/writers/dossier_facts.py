"""What the three documents of the dossier say in common, taken from the final report: dates
in words, the proposals, the titles, vote shares, when the returns came, the bloc's targets."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from thidua_xlsx.core.numbers import percent_text, vn
from thidua_xlsx.core.report import TARGET_KEYS, Adjustment, Meeting, Report, Status, UnitResult

DOTS = "……"
MINUTES = "bien_ban_hop_binh_xet_{year}.docx"
SUBMISSION = "to_trinh_de_nghi_khen_thuong_{year}.docx"
YEAR_END_REPORT = "bao_cao_tong_ket_{year}.docx"
FOLDER = "ho_so_{year}"  # the default folder, beside the final ranking


def dossier_paths(folder: Path | str, year: int) -> list[Path]:
    """The three files the dossier writes into `folder` (nothing else there is touched)."""
    return [Path(folder) / name.format(year=year) for name in (MINUTES, SUBMISSION, YEAR_END_REPORT)]


# A date in the meeting's time as secretaries type it: 08/01/2025, 8-1-2025, 8.1.2025, or
# "ngày 8 tháng 1 năm 2025".
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def vn_date(day: dt.date) -> str:
    """'ngày 05 tháng 01 năm 2025': a day below 10 and the months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP), so no one can add a digit."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def meeting_date(meeting: Meeting | None) -> dt.date | None:
    """The meeting's date, when its recorded time names exactly one valid date."""
    if meeting is None:
        return None
    found = set()
    for pattern in (_NUMERIC, _WORDS):
        for d, m, y in pattern.findall(meeting.time):
            try:
                found.add(dt.date(int(y), int(m), int(d)))
            except ValueError:
                return None  # 31/02: a date that reads wrong is no date to print
    return found.pop() if len(found) == 1 else None


def place_date(report: Report, *, dated: bool) -> str:
    """The place–date line: the meeting's date when `dated` and the record gives one, else
    dots for the signer (in the meeting's year when it is known)."""
    place = report.bloc.info.place.strip()
    prefix = f"{place}, " if place else ""
    day = meeting_date(report.meeting)
    if dated and day is not None:
        return prefix + vn_date(day)
    return f"{prefix}ngày {DOTS} tháng {DOTS} năm {day.year if day else DOTS}"


def unit_name(report: Report, code: str | None) -> str:
    """A unit's name as the bloc workbook writes it."""
    if not code:
        return ""
    unit = report.bloc.unit_by_code.get(code)
    return unit.name if unit else code


def number(value: Decimal | int | None) -> str:
    """A score or a count the Vietnamese way (98,75); '—' when unknown."""
    return vn(value)


def votes_count(u: UnitResult, report: Report) -> str:
    """'14/15': a unit's votes of the members present."""
    return f"{u.votes or 0}/{report.meeting.members if report.meeting else 0}"


def votes_text(u: UnitResult, report: Report) -> str:
    """'14/15 phiếu (93,33 %)'."""
    members = report.meeting.members if report.meeting else 0
    share = f" ({percent_text(Decimal(u.votes or 0) * 100 / members)})" if members else ""
    return f"{votes_count(u, report)} phiếu{share}"


def elected_votes(votes: int | None, report: Report) -> str:
    members = report.meeting.members if report.meeting else 0
    if votes is None:
        return ""
    share = f" ({percent_text(Decimal(votes) * 100 / members)})" if members else ""
    return f", được {votes}/{members} phiếu{share}"


def fewest_votes(report: Report) -> int:
    """The fewest votes that are more than the bloc's share of the members present."""
    members = report.meeting.members if report.meeting else 0
    need = report.bloc.info.vote_share_min * members / 100
    return int(need) + 1  # more than: a share of exactly 50 % of 14 (7) is not enough


def highest_title(report: Report, u: UnitResult) -> str | None:
    """The first title of the bloc's 'Danh hiệu' sheet (best first) the unit is eligible for."""
    return next((t.name for t in report.bloc.titles if u.eligible.get(t.name) is True), None)


def proposal_title(report: Report, u: UnitResult) -> str | None:
    """The title that goes with a unit's proposal: the one its award rule requires, else the
    highest it is eligible for."""
    rule = next((r for r in report.bloc.awards if r.name == u.proposal and u.rank and r.rank_fits(u.rank)), None)
    if rule is not None and rule.required_title:
        return rule.required_title
    return highest_title(report, u)


def ranked(report: Report) -> list[UnitResult]:
    return [u for u in report.units if u.status is Status.RANKED]


def proposed(report: Report) -> list[UnitResult]:
    """Units proposed for an award, in ranking order."""
    return [u for u in ranked(report) if u.proposal]


def by_award(report: Report) -> dict[str, list[UnitResult]]:
    """Proposed units grouped by award, the awards in the order of the bloc's rules."""
    order = {rule.name: i for i, rule in reversed(list(enumerate(report.bloc.awards)))}
    out: dict[str, list[UnitResult]] = {}
    for u in sorted(proposed(report), key=lambda u: order.get(u.proposal or "", len(order))):
        out.setdefault(u.proposal or "", []).append(u)
    return out


def noteworthy(report: Report) -> list[UnitResult]:
    """Ranked units whose note says more than their rank: in an award's ranks, tied or parted
    by votes, or scored differently by the meeting (the others' note is 'outside the ranks')."""
    ranks = ranked(report)
    totals: dict[Decimal | None, int] = {}
    for u in ranks:
        totals[u.total] = totals.get(u.total, 0) + 1
    return [
        u for u in ranks
        if u.adjustments or u.tie or totals[u.total] > 1 or any(r.rank_fits(u.rank or 0) for r in report.bloc.awards)
    ]  # fmt: skip


def adjustments(report: Report) -> list[tuple[UnitResult, Adjustment]]:
    """Every criterion the meeting scored differently, unit by unit in ranking order."""
    return [(u, a) for u in ranked(report) for a in u.adjustments]


def in_bloc_order(report: Report) -> list[UnitResult]:
    order = {x.code: i for i, x in enumerate(report.bloc.units)}
    return sorted(report.units, key=lambda u: order.get(u.code, len(order)))


@dataclass(frozen=True)
class Received:
    """When a unit's return came (the time of the file used for it) and whether by the deadline."""

    unit: UnitResult
    time: dt.datetime | None
    on_time: bool | None  # None: no deadline, or no file


def received(report: Report) -> list[Received]:
    """Each unit, in the bloc's order: the time of the file used for it."""
    times = {f.path: f.mtime for f in report.files if f.used}
    deadline = report.bloc.info.deadline
    out = []
    for u in in_bloc_order(report):
        stamp = times.get(u.file or "")
        when = dt.datetime.fromtimestamp(stamp) if stamp else None
        on_time = when.date() <= deadline if when is not None and deadline is not None else None
        out.append(Received(u, when, on_time))
    return out


@dataclass(frozen=True)
class BlocTargets:
    """The section-4 targets for the bloc as a whole, over the units that sent a return (as
    the ranking's 'Chỉ tiêu' sheet counts them)."""

    units: int
    ts: Decimal
    ldtt: Decimal
    cstd: Decimal
    met: dict[str, int]

    @property
    def ldtt_share(self) -> Decimal | None:
        return (self.ldtt * 100 / self.ts).quantize(Decimal("0.01")) if self.ts else None

    @property
    def cstd_share(self) -> Decimal | None:
        return (self.cstd * 100 / self.ldtt).quantize(Decimal("0.01")) if self.ldtt else None


def bloc_targets(report: Report) -> BlocTargets:
    units = [u for u in report.units if u.status is not Status.MISSING]
    sums = {k: sum((u.data.get(k) or Decimal(0) for u in units), Decimal(0)) for k in ("TS", "LDTT", "CSTD")}
    met = {key: sum(1 for u in units if u.targets_met.get(key) is True) for key in TARGET_KEYS}
    return BlocTargets(len(units), sums["TS"], sums["LDTT"], sums["CSTD"], met)


def share_text(value: Decimal | None) -> str:
    return percent_text(value) if value is not None else "—"
