"""The bloc: its settings, member units, scoring criteria, title conditions and award rules."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from thidua_xlsx.core.numbers import plain
from thidua_xlsx.core.ratings import Rating


class Kind(enum.Enum):
    """How a criterion counts towards the total."""

    BASE = "điểm"
    BONUS = "thưởng"
    DEDUCTION = "trừ"


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    text: str
    max: Decimal  # a section's is the sum of its children when the bloc left it blank
    kind: Kind
    guide: str = ""
    is_leaf: bool = True
    parent: str | None = None
    depth: int = 0
    row: int = 0  # row in the bloc workbook, for messages


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A bound of a title condition; `strict` for 'trên 50 %' (more than) versus 'ít nhất'."""

    value: Decimal
    strict: bool = False

    def at_least(self, x: Decimal) -> bool:
        return x > self.value if self.strict else x >= self.value

    def at_most(self, x: Decimal) -> bool:
        return x < self.value if self.strict else x <= self.value


@dataclass(frozen=True, slots=True)
class TitleRule:
    """Measurable conditions of a collective title (blank: no condition)."""

    name: str
    min_rating: Rating | None = None
    ldtt_share: Threshold | None = None  # percent of staff holding "Lao động tiên tiến"
    cstd_count: Threshold | None = None
    khtnv_count: Threshold | None = None  # most staff not completing their tasks
    kl_count: Threshold | None = None  # most staff disciplined from "cảnh cáo" up
    basis: str = ""
    requires: str | None = None  # another title the unit must also be eligible for (the law's chain)


@dataclass(frozen=True, slots=True)
class AwardRule:
    """A row of 'Khen thưởng'. The first row whose rank range and minimum score a unit meets is
    its row; the row's other conditions then decide whether the unit is proposed."""

    name: str
    rank_from: int | None = None
    rank_to: int | None = None
    min_total: Decimal | None = None
    required_title: str | None = None
    row: int = 0
    min_rating: Rating | None = None
    years: int = 1  # consecutive years, ending with this one, the rating and the title must have held

    def rank_fits(self, rank: int) -> bool:
        lo = self.rank_from if self.rank_from is not None else 1
        return rank >= lo and (self.rank_to is None or rank <= self.rank_to)


@dataclass(frozen=True, slots=True)
class PastResult:
    """A row of 'Kết quả các năm trước': a unit's result in an earlier year (blank: None)."""

    year: int
    unit: str
    total: Decimal | None = None
    rank: int | None = None
    rating: Rating | None = None
    title: str | None = None  # a title of the 'Danh hiệu' sheet
    award: str = ""
    row: int = 0  # row in the bloc workbook, for messages


@dataclass(frozen=True, slots=True)
class BlocInfo:
    name: str
    year: int
    governing_body: str = ""
    leader: str = ""
    deputy: str = ""
    place: str = ""
    deadline: dt.date | None = None
    base_total: Decimal = Decimal(100)
    ldtt_min: Decimal | None = None  # percent; None: the bloc set no target
    cstd_target: Decimal | None = None
    signer: str = ""
    signer_title: str = ""
    vote_share_min: Decimal = Decimal(50)
    template_password: str = ""


class Totals(NamedTuple):
    """A unit's sums (§6): base + bonus − deduction = total."""

    base: Decimal | None
    bonus: Decimal | None
    deduction: Decimal | None
    total: Decimal | None


UNKNOWN_TOTALS = Totals(None, None, None, None)


@dataclass(frozen=True)
class Bloc:
    info: BlocInfo
    units: tuple[Unit, ...]
    criteria: tuple[Criterion, ...]
    titles: tuple[TitleRule, ...] = ()
    awards: tuple[AwardRule, ...] = ()
    history: tuple[PastResult, ...] = ()  # earlier years, as the bloc workbook lists them
    source: Path | None = field(default=None, compare=False)

    @cached_property
    def past(self) -> dict[str, dict[int, PastResult]]:
        """Earlier results by unit code, then year."""
        out: dict[str, dict[int, PastResult]] = {}
        for p in self.history:
            out.setdefault(p.unit, {})[p.year] = p
        return out

    @cached_property
    def _title_by_name(self) -> dict[str, TitleRule]:
        return {t.name: t for t in self.titles}

    def chain(self, title: str) -> tuple[str, ...]:
        """`title` and every title it requires, in turn (the loader refuses cycles; stop at one anyway)."""
        out: list[str] = []
        name: str | None = title
        while name is not None and name not in out:
            out.append(name)
            rule = self._title_by_name.get(name)
            name = rule.requires if rule else None
        return tuple(out)

    @cached_property
    def requirements(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(title, the titles below it in its chain) for each title that requires another."""
        known = self._title_by_name
        chains = ((t.name, self.chain(t.name)[1:]) for t in self.titles if t.requires)
        return tuple((name, tuple(x for x in lower if x in known)) for name, lower in chains)

    def highest_title(self, eligible: Mapping[str, bool | None]) -> str | None:
        """The title a unit holds at the top of its chain: eligible, and required by no other
        title it is eligible for; the first such in the sheet's order."""
        held = [t.name for t in self.titles if eligible.get(t.name) is True]
        below = {lower for name in held for lower in self.chain(name)[1:]}
        return next((name for name in held if name not in below), None)

    @cached_property
    def leaves(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.is_leaf)

    @cached_property
    def by_code(self) -> dict[str, Criterion]:
        return {c.code: c for c in self.criteria}

    @cached_property
    def max_as_float(self) -> dict[str, float]:
        """Maxima as the number a template cell holds, to compare a return's cells quickly."""
        return {c.code: float(c.max) for c in self.criteria}

    @cached_property
    def unit_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def unit_by_upper_code(self) -> dict[str, Unit]:
        """Codes compared without case, as units and Excel may change it."""
        return {u.code.upper(): u for u in self.units}

    @cached_property
    def _children(self) -> dict[str | None, tuple[Criterion, ...]]:
        out: dict[str | None, list[Criterion]] = {}
        for c in self.criteria:
            out.setdefault(c.parent, []).append(c)
        return {k: tuple(v) for k, v in out.items()}

    def children(self, code: str) -> tuple[Criterion, ...]:
        return self._children.get(code, ())

    def kind_max(self, kind: Kind) -> Decimal:
        return sum((c.max for c in self.leaves if c.kind is kind), Decimal(0))

    @cached_property
    def _leaf_codes(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Leaf codes by kind (base, bonus, deduction): the sums run over these, per unit."""
        return tuple(tuple(c.code for c in self.leaves if c.kind is k) for k in Kind)  # type: ignore[return-value]

    def totals(self, scores: Mapping[str, Decimal | None]) -> Totals:
        """(base, bonus, deduction, total) of a unit's leaf scores, exact; all None when a leaf is unknown."""
        sums = []
        for codes in self._leaf_codes:
            acc = Decimal(0)
            for code in codes:
                value = scores.get(code)
                if value is None:
                    return UNKNOWN_TOTALS
                acc += value
            sums.append(acc)
        base, bonus, deduction = sums
        return Totals(base, bonus, deduction, base + bonus - deduction)

    @cached_property
    def fingerprint(self) -> str:
        """Hash of codes, maxima and kinds: changes whenever the scoring scheme does."""
        text = "\n".join(f"{c.code}|{plain(c.max)}|{c.kind.name}" for c in self.criteria)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
