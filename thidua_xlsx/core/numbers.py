"""Exact decimal handling of spreadsheet values and Vietnamese number display."""

from __future__ import annotations

import enum
import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_TEXT_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")
_INVISIBLE = str.maketrans("", "", "\u00a0\u202f\u2009\u200b\ufeff'")


class ValueKind(enum.Enum):
    NUMBER = "number"
    TEXT_NUMBER = "text-number"  # "9,5" typed as text: accepted with a warning
    EMPTY = "empty"
    NOT_NUMBER = "not-number"


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    kind: ValueKind
    value: Decimal | None


@functools.lru_cache(maxsize=4096)  # scores repeat across returns: 13.5, 9.25 …
def float_to_decimal(x: float) -> Decimal:
    """A stored double as the decimal a user typed: 15 significant digits, as Excel keeps."""
    return Decimal(format(x, ".15g")).normalize() + Decimal(0)


def parse_number(raw: object) -> ParsedNumber:
    """Classify a cell value: a number, a number typed as text, empty, or not a number."""
    if raw is None or raw == "":
        return ParsedNumber(ValueKind.EMPTY, None)
    if isinstance(raw, bool):
        return ParsedNumber(ValueKind.NOT_NUMBER, None)
    if isinstance(raw, int):
        return ParsedNumber(ValueKind.NUMBER, Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return ParsedNumber(ValueKind.NOT_NUMBER, None)
        return ParsedNumber(ValueKind.NUMBER, float_to_decimal(raw))
    if isinstance(raw, str):
        text = raw.translate(_INVISIBLE).strip()
        if not text:
            return ParsedNumber(ValueKind.EMPTY, None)
        if _TEXT_NUMBER.match(text):
            try:
                return ParsedNumber(ValueKind.TEXT_NUMBER, Decimal(text.replace(",", ".")) + 0)
            except InvalidOperation:  # pragma: no cover - the pattern admits only digits
                pass
    return ParsedNumber(ValueKind.NOT_NUMBER, None)


def plain(value: Decimal) -> str:
    """Decimal without exponent or trailing zeros: Decimal('90.50') → '90.5'."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def vn(value: Decimal | int | None, *, places: int | None = None) -> str:
    """Vietnamese display: decimal comma, dot thousands: 1234.5 → '1.234,5'."""
    if value is None:
        return "—"
    d = Decimal(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    text = plain(d) if places is None else format(d, "f")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    return sign + (out + "," + frac if frac else out)


def percent_text(value: Decimal) -> str:
    """A share in words' form: Decimal('65') → '65 %', 87.5 → '87,5 %' (two places at most)."""
    return f"{vn(value.quantize(Decimal('0.01')).normalize())} %"


def megabytes(size: int) -> str:
    """A byte count as whole megabytes the Vietnamese way: '1.024 MB'."""
    return f"{vn(round(size / 1024**2))} MB"


def json_number(value: Decimal | None) -> int | float | None:
    """Decimal as a JSON number: int when whole, else the float with the same digits."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)
