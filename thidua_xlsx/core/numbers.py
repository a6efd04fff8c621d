"""Exact decimal handling of spreadsheet values and Vietnamese number display.

Reading a number a clerk typed as text follows PRODUCT.md §5: ASCII digits, `,` or `.` as the
decimal separator, and the dot (or comma, or a space) grouping thousands. A text that can be
read two ways ("1.000": one, or one thousand) is taken only when the range of the value, or its
kind (a head count is a whole number), leaves one reading; otherwise it is ambiguous and the
clerk is asked for a plain number. Nothing is ever guessed.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal

# What Excel and Word leave around a typed number: no-break and thin spaces, zero-width marks.
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_SPACES = str.maketrans("\u00a0\u202f\u2009\u2007", "    ")
# A sign, then ASCII digits with separators; anything else (other scripts' digits, letters,
# exponents, units) is not a number. Classified further by _readings.
_SHAPE = re.compile(r"[+-]?[0-9., ]*[0-9][0-9., ]*", re.ASCII)
_PLAIN = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"([+-]?)([0-9]*)([.,])([0-9]+)", re.ASCII)
# Thousands grouped by one separator (first group 1-3 digits, then groups of 3), then an
# optional decimal part after the other separator.
_GROUPED = re.compile(r"([+-]?)([1-9][0-9]{0,2}(?:([., ])[0-9]{3})(?:\3[0-9]{3})*)(?:([.,])([0-9]+))?", re.ASCII)
MAX_TEXT = 1000  # longer texts are not numbers anyone typed (a cell holds 32,767 characters)


class ValueKind(enum.Enum):
    NUMBER = "number"
    TEXT_NUMBER = "text-number"  # "9,5" typed as text: accepted with a warning
    AMBIGUOUS = "ambiguous"  # "1.000" typed as text, and both 1 and 1000 fit: asked again
    EMPTY = "empty"
    NOT_NUMBER = "not-number"


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    kind: ValueKind
    value: Decimal | None
    readings: tuple[Decimal, ...] = ()  # what a text could mean, when it reads two ways


@functools.lru_cache(maxsize=4096)  # scores repeat across returns: 13.5, 9.25 …
def float_to_decimal(x: float) -> Decimal:
    """A stored double as the decimal a user typed: 15 significant digits, as Excel keeps."""
    return Decimal(format(x, ".15g")).normalize() + Decimal(0)


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a text: its value, and whether a dot in it is a decimal point."""

    value: Decimal
    dot_decimal: bool


@functools.lru_cache(maxsize=4096)
def text_readings(raw: str) -> tuple[Reading, ...] | None:
    """Every way the text can be read as a number (one or two), () if it is blank, None if it
    is not a number at all. The readings differ in value."""
    text = raw.translate(_INVISIBLE).translate(_SPACES).strip()
    if not text:
        return ()
    if len(text) > MAX_TEXT or not _SHAPE.fullmatch(text):
        return None
    if _PLAIN.fullmatch(text):
        return (Reading(Decimal(text) + 0, False),)
    found: list[Reading] = []
    m = _DECIMAL.fullmatch(text)
    if m:
        sign, whole, sep, frac = m.groups()
        found.append(Reading(Decimal(f"{sign}{whole or '0'}.{frac}") + 0, sep == "."))
    g = _GROUPED.fullmatch(text)
    if g:
        sign, grouped, group_sep, dec_sep, frac = g.groups()
        if dec_sep is None or dec_sep != group_sep:
            digits = grouped.replace(group_sep, "")
            value = Decimal(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}") + 0
            if not found or found[0].value != value:
                found.append(Reading(value, dec_sep == "."))
    return tuple(found) or None


def parse_number(raw: object) -> ParsedNumber:
    """Classify a cell value without knowing what it is for: a number, a number typed as text,
    text that reads two ways, empty, or not a number."""
    return read_number(raw)


def read_number(
    raw: object, *, low: Decimal | None = None, high: Decimal | None = None, whole: bool = False
) -> ParsedNumber:
    """A cell value as the number the clerk meant, knowing what it is for.

    A number cell is itself (the caller checks its range). A text is read every way it can be
    (`text_readings`); a head count (`whole`) is a whole number, so its dot groups thousands and
    a fraction is not one of its readings; then only readings within [low, high] stay. One
    reading left is taken; two are AMBIGUOUS; none keeps the first reading (out of range or
    not whole: the caller says why).
    """
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
    if not isinstance(raw, str):
        return ParsedNumber(ValueKind.NOT_NUMBER, None)
    found = text_readings(raw)
    if found is None:
        return ParsedNumber(ValueKind.NOT_NUMBER, None)
    if not found:
        return ParsedNumber(ValueKind.EMPTY, None)
    if len(found) == 1:
        return ParsedNumber(ValueKind.TEXT_NUMBER, found[0].value)
    values = [r.value for r in found]
    if whole:
        grouped_dot = any(not r.dot_decimal and "." in raw for r in found)
        kept = [r.value for r in found if not (grouped_dot and r.dot_decimal)]
        kept = [v for v in kept if v == v.to_integral_value()] or kept
    else:
        kept = values
    in_range = [v for v in kept if (low is None or v >= low) and (high is None or v <= high)]
    if len(in_range) == 1:
        return ParsedNumber(ValueKind.TEXT_NUMBER, in_range[0])
    if not in_range:
        return ParsedNumber(ValueKind.TEXT_NUMBER, kept[0])
    return ParsedNumber(ValueKind.AMBIGUOUS, None, tuple(in_range))


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


def vn_exact(value: Decimal) -> str:
    """`vn` in a form that reads back one way only, for messages about numbers read from text:
    1000 is '1000' (not '1.000'), 1.125 is '1,1250' (not '1,125'); an absurdly large number is
    cut short with its count of digits."""
    if value.is_finite() and value.adjusted() >= 15:
        digits = value.adjusted() + 1
        return f"{plain(value)[:6]}… (số có {vn(digits)} chữ số)"
    text = vn(value)
    found = text_readings(text)
    if found is not None and len(found) > 1:
        whole, _, frac = plain(value).partition(".")
        text = whole.lstrip("-") if not frac else whole.lstrip("-") + "," + frac + "0"
        text = ("-" if value < 0 else "") + text
    return text


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
