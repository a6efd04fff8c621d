"""The result of a collect run: units in ranking order, issues, files; and its JSON form."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from thidua_xlsx.core.issues import Issue, Severity
from thidua_xlsx.core.model import Bloc, PastResult
from thidua_xlsx.core.numbers import json_number
from thidua_xlsx.core.ratings import Rating

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = "thidua-xlsx/report@1"
TARGET_KEYS = ("ldtt", "cstd", "unit_rating", "party_rating")  # JSON keys of targets_met, in order
HISTORY_KEYS = ("total", "rank", "rating", "title", "award")  # a year's fields, JSON keys and table columns


def past_dict(p: PastResult) -> dict[str, Any]:
    """A year of a unit's history as the JSON report writes it (§8)."""
    return {
        "year": p.year,
        "total": json_number(p.total),
        "rank": p.rank,
        "rating": p.rating.label if p.rating else None,
        "title": p.title,
        "award": p.award or None,
    }


def _fields(p: PastResult) -> dict[str, Any]:
    """A year's fields of 'Qua các năm': as the JSON writes them, but the total exact."""
    return past_dict(p) | {"total": p.total}


class Status(enum.Enum):
    RANKED = "ranked"
    ERROR = "error"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {"ranked": "Đã xếp hạng", "error": "Có lỗi, chưa xếp hạng", "missing": "Chưa nộp"}[self.value]


class FileKind(enum.Enum):
    """What a file found under INBOX is (§8 `files[].kind`)."""

    RETURN = "return"  # a spreadsheet read as a return
    DOCUMENT = "document"  # a report or a scan sent with a return
    ARCHIVE = "archive"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A criterion the review meeting scored differently from the unit ("điểm khối chấm")."""

    criterion: str
    self: Decimal | None  # the unit's own score (None when it had none)
    agreed: Decimal
    reason: str

    @property
    def change(self) -> Decimal:
        return self.agreed - (self.self or Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "self": json_number(self.self),
            "agreed": json_number(self.agreed),
            "reason": self.reason,
        }


@dataclass(frozen=True, eq=False)  # a unit's result is itself: compared by identity, never field by field
class UnitResult:
    """One unit's standing, made once a stage: submission, then evaluation, ranking, review."""

    code: str
    name: str
    status: Status
    file: str | None = None
    unused: tuple[str, ...] = ()
    base: Decimal | None = None
    bonus: Decimal | None = None
    deduction: Decimal | None = None
    total: Decimal | None = None
    rank: int | None = None
    tie: bool = False
    tied_with: tuple[str, ...] = ()
    rating: Rating | None = None
    party_rating: Rating | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    ldtt_share: Decimal | None = None
    cstd_share: Decimal | None = None
    targets_met: Mapping[str, bool | None] = field(default_factory=dict)
    eligible: Mapping[str, bool | None] = field(default_factory=dict)
    eligibility_notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    proposal: str | None = None
    note: str = ""
    needs_vote: bool = False
    scores: Mapping[str, Decimal | None] = field(default_factory=dict)
    score_cells: Mapping[str, str] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    # Review round (bình xét): the self-scored sums, the meeting's changes and votes
    self_total: Decimal | None = None
    self_scores: Mapping[str, Decimal | None] = field(default_factory=dict)
    agreed_total: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    votes: int | None = None
    present: bool | None = None  # the unit attended the meeting
    documents: tuple[str, ...] = ()  # reports and scans matched to the unit (paths as shown)

    def changed(self, **changes: Any) -> UnitResult:
        """A copy with these fields changed (what dataclasses.replace does, without re-running
        __init__ for every field: ranking makes one per unit, ten thousand in a large bloc)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"UnitResult has no field {sorted(unknown)}")
        new = object.__new__(UnitResult)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def to_dict(self, *, final: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "status": self.status.value,
            "file": self.file,
            "base": json_number(self.base),
            "bonus": json_number(self.bonus),
            "deduction": json_number(self.deduction),
            "total": json_number(self.total),
            "rank": self.rank,
            "tie": self.tie,
            "rating": self.rating.label if self.rating else None,
            "targets_met": {k: self.targets_met.get(k) for k in TARGET_KEYS},
            "eligible": dict(self.eligible),
            "proposal": self.proposal,
            "note": self.note,
            "documents": list(self.documents),
        }
        if final:
            out["self_total"] = json_number(self.self_total)
            out["agreed_total"] = json_number(self.agreed_total)
            out["votes"] = self.votes
            out["adjustments"] = [a.to_dict() for a in self.adjustments]
        return out


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    unit: str | None
    used: bool
    reason: str | None
    mtime: float | None = None
    read: bool = True  # False: passed over without reading
    kind: FileKind = FileKind.RETURN

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "unit": self.unit, "used": self.used, "reason": self.reason, "kind": self.kind.value}

    @property
    def time_text(self) -> str:
        if not self.mtime:
            return ""
        return dt.datetime.fromtimestamp(self.mtime).strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True, slots=True)
class Meeting:
    """The year-end review meeting as its record says (§9): who met, and whom it elected."""

    time: str = ""
    place: str = ""
    chair: str = ""
    secretary: str = ""
    present: tuple[str, ...] = ()  # codes of the units present, in the bloc's order
    next_leader: str | None = None
    next_leader_votes: int | None = None
    next_deputy: str | None = None
    next_deputy_votes: int | None = None
    source: str = ""  # the review workbook, as given

    @property
    def members(self) -> int:
        """Members present: the base of every vote share."""
        return len(self.present)

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "place": self.place,
            "chair": self.chair,
            "secretary": self.secretary,
            "present": list(self.present),
            "next_leader": self.next_leader,
            "next_leader_votes": self.next_leader_votes,
            "next_deputy": self.next_deputy,
            "next_deputy_votes": self.next_deputy_votes,
        }


@dataclass(frozen=True)
class Report:
    """A collect run's result; never changed once made (a review makes a new one)."""

    bloc: Bloc
    units: tuple[UnitResult, ...]
    issues: tuple[Issue, ...]
    files: tuple[FileEntry, ...]
    final: bool = False
    meeting: Meeting | None = None
    read_count: int = 0  # files opened as workbooks (archives and passed-over files aside)
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())

    @property
    def ranked(self) -> list[UnitResult]:
        return [u for u in self.units if u.status is Status.RANKED]

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.issues if i.severity is severity)

    @property
    def ok(self) -> bool:
        """Nothing to fix: every unit ranked and no error anywhere (exit code 0)."""
        return all(u.status is Status.RANKED for u in self.units) and not self.count(Severity.ERROR)

    @property
    def ranking(self) -> pd.DataFrame:
        """One row per unit in ranking order, scores as exact Decimals."""
        rows = [
            {
                "code": u.code,
                "name": u.name,
                "status": u.status.value,
                "rank": u.rank,
                "tie": u.tie,
                "base": u.base,
                "bonus": u.bonus,
                "deduction": u.deduction,
                "total": u.total,
                "rating": u.rating.label if u.rating else None,
                "proposal": u.proposal,
                "note": u.note,
                "file": u.file,
            }
            for u in self.units
        ]
        import pandas as pd

        frame = pd.DataFrame(rows)
        frame["rank"] = frame["rank"].astype("Int64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "bloc": {"name": self.bloc.info.name, "year": self.bloc.info.year},
        }
        if self.final:
            out["final"] = True
            if self.meeting is not None:
                out["meeting"] = self.meeting.to_dict()
        out["units"] = [u.to_dict(final=self.final) for u in self.units]
        out["issues"] = [i.to_dict() for i in self.issues]
        out["files"] = [f.to_dict() for f in self.files]
        if self.bloc.history:  # §12: each unit's earlier years, oldest first
            for entry, u in zip(out["units"], self.units, strict=True):
                entry["history"] = [past_dict(p) for p in self.history_of(u.code)]
        return out

    def history_of(self, code: str) -> list[PastResult]:
        """A unit's results of earlier years, oldest first."""
        return sorted(self.bloc.past.get(code, {}).values(), key=lambda p: p.year)

    def this_year(self, u: UnitResult) -> PastResult:
        """This year's result of a unit as 'Kết quả các năm trước' records it: total and rank
        (blank when unranked), rating, the highest title found eligible for, the award proposed."""
        ranked = u.status is Status.RANKED
        return PastResult(
            year=self.bloc.info.year,
            unit=u.code,
            total=u.total if ranked else None,
            rank=u.rank if ranked else None,
            rating=u.rating,
            title=self.bloc.highest_title(u.eligible),
            award=u.proposal or "",
        )

    def history_years(self) -> list[int]:
        """The years of 'Qua các năm': every earlier year of the bloc's history, then this one."""
        return sorted({p.year for p in self.bloc.history} | {self.bloc.info.year})

    def history_rows(self) -> list[tuple[UnitResult, dict[int, dict[str, Any]]]]:
        """Units × years in plain Python (what the writer needs, without importing pandas): units
        in ranking order, each with its fields (HISTORY_KEYS, totals exact) by year; a year
        without a result for the unit is absent."""
        this = self.bloc.info.year
        return [
            (u, {p.year: _fields(p) for p in self.history_of(u.code)} | {this: _fields(self.this_year(u))})
            for u in self.units
        ]

    @property
    def history(self) -> pd.DataFrame:
        """Units × years (§12) as a table: one row per unit in ranking order; columns (year,
        field) for every earlier year of the bloc's history, then this year, fields as
        HISTORY_KEYS. Values are as recorded (Decimal totals); a year without a result is NA."""
        import pandas as pd

        years = self.history_years()
        columns = pd.MultiIndex.from_product([years, HISTORY_KEYS], names=["year", "field"])
        rows = [
            [by_year.get(year, {}).get(key, pd.NA) for year in years for key in HISTORY_KEYS]
            for _, by_year in self.history_rows()
        ]
        return pd.DataFrame(rows, index=[u.code for u in self.units], columns=columns, dtype=object)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
