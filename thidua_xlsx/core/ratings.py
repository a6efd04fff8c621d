"""The four quality ratings of a unit or Party organisation (Nghị định 90/2020/NĐ-CP)."""

from __future__ import annotations

import enum

from thidua_xlsx.core.text import fold, fold_compact


class Rating(enum.IntEnum):
    """Best first: a lower value is a better rating."""

    HTXSNV = 1
    HTTNV = 2
    HTNV = 3
    KHTNV = 4

    @property
    def label(self) -> str:
        return _LABELS[self]

    def at_least(self, other: Rating) -> bool:
        """True when this rating is `other` or better."""
        return self.value <= other.value


_LABELS = {
    Rating.HTXSNV: "Hoàn thành xuất sắc nhiệm vụ",
    Rating.HTTNV: "Hoàn thành tốt nhiệm vụ",
    Rating.HTNV: "Hoàn thành nhiệm vụ",
    Rating.KHTNV: "Không hoàn thành nhiệm vụ",
}
RATING_LABELS: tuple[str, ...] = tuple(_LABELS[r] for r in Rating)
# Short forms offices write, each naming one rating only ("HT" alone is not one: it could be any).
_SHORT = {
    Rating.HTXSNV: ("HTXSNV", "HTXS", "Hoàn thành xuất sắc"),
    Rating.HTTNV: ("HTTNV", "HTT", "Hoàn thành tốt"),
    Rating.HTNV: ("HTNV",),
    Rating.KHTNV: ("KHTNV", "KHT", "Không hoàn thành"),
}
# "Hoàn thành xuất sắc nhiệm vụ (HTXSNV, HTXS)": how a message lists what is accepted.
RATING_CHOICES: tuple[str, ...] = tuple(
    f"{_LABELS[r]} ({', '.join(s for s in _SHORT[r] if s.isupper())})" for r in Rating
)

_BY_KEY: dict[str, Rating] = {}
for _r in Rating:
    _BY_KEY[fold(_r.label)] = _r
    _BY_KEY[fold_compact(_r.label)] = _r
    _BY_KEY[_r.name.lower()] = _r
    for _s in _SHORT[_r]:
        _BY_KEY[fold(_s)] = _r
        _BY_KEY[fold_compact(_s)] = _r


def parse_rating(value: object) -> Rating | None:
    """Full label or abbreviation, any case, with or without diacritics; None if unknown."""
    key = fold(value)
    if not key:
        return None
    return _BY_KEY.get(key) or _BY_KEY.get(fold_compact(value))
