"""Reading a number as the clerk meant it (PRODUCT.md §5): one reading, or a question, never a guess.

The property tests compare the parser with an oracle written another way: every assignment of
a role (thousands separator or decimal point) to each separator character of the text, kept
when the grouping is valid. A text the parser accepts must have exactly one such reading in the
range it was read for.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_xlsx.core.numbers import ValueKind, parse_number, read_number, vn, vn_exact

D = Decimal
HEAD = {"low": D(0), "high": D(1_000_000), "whole": True}


def oracle(text: str) -> set[tuple[Decimal, bool]]:
    """Every (value, dot is a decimal point) the text can mean, by brute force over roles."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    m = re.fullmatch(r"([+-]?)([0-9., ]+)", text, re.ASCII)
    if not m or not re.search(r"[0-9]", text):
        return set()
    sign, body = m.groups()
    seps = sorted(set(body) - set("0123456789"))
    out: set[tuple[Decimal, bool]] = set()
    for roles in itertools.product(("group", "decimal"), repeat=len(seps)):
        role = dict(zip(seps, roles, strict=True))
        if role.get(" ") == "decimal":
            continue
        groups = [c for c in seps if role[c] == "group"]
        decimals = [c for c in seps if role[c] == "decimal"]
        if len(groups) > 1 or len(decimals) > 1:
            continue
        whole, frac = body, None
        if decimals:
            if body.count(decimals[0]) != 1:
                continue
            whole, frac = body.split(decimals[0])
            if not frac or not frac.isdigit():
                continue
        if groups:
            chunks = whole.split(groups[0])
            if not (1 <= len(chunks[0]) <= 3 and chunks[0][0] != "0") or any(len(c) != 3 for c in chunks[1:]):
                continue
            if not all(c.isdigit() for c in chunks):
                continue
            whole = "".join(chunks)
        elif whole and not whole.isdigit():
            continue
        if not whole and not frac:
            continue
        value = D(f"{sign}{whole or '0'}" + (f".{frac}" if frac else ""))
        out.add((value, role.get(".") == "decimal"))
    return out


def accepted_by_oracle(text: str, low: Decimal, high: Decimal, whole: bool) -> set[Decimal]:
    readings = oracle(text)
    if whole and any(not dot_decimal and "." in text for _v, dot_decimal in readings):
        readings = {r for r in readings if not r[1]}  # in a head count a dot groups thousands
    values = {v for v, _ in readings}
    if whole:
        values = {v for v in values if v == v.to_integral_value()} or values
    return {v for v in values if low <= v <= high}


TEXTS = st.text(alphabet="0123456789.,  \u00a0+-", min_size=1, max_size=12)
MAXIMA = st.sampled_from([D("0.5"), D(1), D(2), D(10), D(15), D(100), D(1000), D(1500), D(10_000)])


@settings(max_examples=1500, deadline=None)
@given(TEXTS, MAXIMA, st.booleans())
def test_every_accepted_text_has_exactly_one_reading_in_range(text, high, whole) -> None:
    low = D(0)
    if whole:
        high = D(1_000_000)
    parsed = read_number(text, low=low, high=high, whole=whole)
    possible = accepted_by_oracle(text, low, high, whole)
    if parsed.kind is ValueKind.TEXT_NUMBER and low <= parsed.value <= high:
        assert possible == {parsed.value}, (text, possible)
    elif parsed.kind is ValueKind.AMBIGUOUS:
        assert len(possible) == 2 and set(parsed.readings) == possible and parsed.value is None
    elif parsed.kind is ValueKind.TEXT_NUMBER:  # a single reading, out of range: the caller says so
        assert not possible
    else:
        assert not oracle(text) or parsed.kind is ValueKind.EMPTY, (text, parsed)


@settings(max_examples=500, deadline=None)
@given(st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False), MAXIMA)
def test_a_number_written_any_usual_way_reads_back_as_itself_or_asks(d, high) -> None:
    """Plain, with a decimal comma or point, or grouped the Vietnamese way (as the tool prints):
    a value within the range reads as itself, or the clerk is asked; never as another number.
    (A value beyond the range may read as the one reading within it: "1.000" in a max-10
    criterion is 1, as the rule says.)"""
    if d > high:
        d = d % (high + 1)
    plain_text = format(d, "f")
    for text in {plain_text, plain_text.replace(".", ","), vn(d)}:
        parsed = read_number(text, low=D(0), high=high)
        if parsed.kind is ValueKind.TEXT_NUMBER and parsed.value <= high:
            assert parsed.value == d, text
        if parsed.kind is ValueKind.AMBIGUOUS:
            assert d in parsed.readings


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-(10**14), max_value=10**14, places=4, allow_nan=False, allow_infinity=False))
def test_messages_show_numbers_that_read_back_one_way(d) -> None:
    """Below 10^15 (beyond, a number is cut short: a slip, not a score)."""
    shown = vn_exact(d)
    assert parse_number(shown).value == d, shown


CASES = [
    # text, keyword arguments, kind, value
    ("1.000", {"low": D(0), "high": D(10)}, ValueKind.TEXT_NUMBER, "1"),  # 1000 is out of a max-10 range
    ("1.000", {"low": D(0), "high": D(1000)}, ValueKind.AMBIGUOUS, None),  # both fit a 1000-point criterion
    ("1.000", HEAD, ValueKind.TEXT_NUMBER, "1000"),  # a head count: the dot groups thousands
    ("1.250", HEAD, ValueKind.TEXT_NUMBER, "1250"),
    ("1,000", HEAD, ValueKind.AMBIGUOUS, None),  # one (decimal comma) or a thousand (English grouping)
    ("1,500", HEAD, ValueKind.TEXT_NUMBER, "1500"),  # 1,5 people is no head count
    ("1.000,5", {}, ValueKind.TEXT_NUMBER, "1000.5"),
    ("1,000.5", {}, ValueKind.TEXT_NUMBER, "1000.5"),
    ("1.000.000", {}, ValueKind.TEXT_NUMBER, "1000000"),
    ("1 000", {}, ValueKind.TEXT_NUMBER, "1000"),
    ("1\u00a0000,5", {}, ValueKind.TEXT_NUMBER, "1000.5"),  # a no-break space as Excel groups
    ("9,5", {}, ValueKind.TEXT_NUMBER, "9.5"),
    (" 9.5 ", {}, ValueKind.TEXT_NUMBER, "9.5"),
    (",5", {}, ValueKind.TEXT_NUMBER, "0.5"),
    ("0.500", {}, ValueKind.TEXT_NUMBER, "0.5"),  # no group starts with 0
    ("12.500", {"low": D(0), "high": D(15)}, ValueKind.TEXT_NUMBER, "12.5"),
    ("46.270", {"low": D(0), "high": D(100)}, ValueKind.TEXT_NUMBER, "46.27"),
    ("1.000", {}, ValueKind.AMBIGUOUS, None),  # with no range known (bloc workbook, review): asked
    ("\u0663", {}, ValueKind.NOT_NUMBER, None),  # Arabic-Indic three
    ("\uff11", {}, ValueKind.NOT_NUMBER, None),  # full-width one
    ("1\uff10", {}, ValueKind.NOT_NUMBER, None),
    ("9,5 điểm", {}, ValueKind.NOT_NUMBER, None),
    ("1e5", {}, ValueKind.NOT_NUMBER, None),
    ("1.000.5", {}, ValueKind.NOT_NUMBER, None),
    ("1,2,3", {}, ValueKind.NOT_NUMBER, None),
    ("'9.5", {}, ValueKind.NOT_NUMBER, None),
    ("", {}, ValueKind.EMPTY, None),
    ("\u00a0 ", {}, ValueKind.EMPTY, None),
    (None, {}, ValueKind.EMPTY, None),
    (True, {}, ValueKind.NOT_NUMBER, None),
    (9.5, {}, ValueKind.NUMBER, "9.5"),
    (33.3, {}, ValueKind.NUMBER, "33.3"),
    (float("inf"), {}, ValueKind.NOT_NUMBER, None),
    (float("nan"), {}, ValueKind.NOT_NUMBER, None),
    ("10", {}, ValueKind.TEXT_NUMBER, "10"),
]


@pytest.mark.parametrize(("raw", "kwargs", "kind", "value"), CASES)
def test_reading_rules(raw, kwargs, kind, value) -> None:
    parsed = read_number(raw, **kwargs)
    assert parsed.kind is kind
    assert parsed.value == (D(value) if value is not None else None)


def test_ambiguous_readings_are_both_named() -> None:
    assert read_number("1.000", low=D(0), high=D(1000)).readings == (D(1), D(1000))


def test_huge_numbers_are_values_not_crashes() -> None:
    """'1' and 400 zeros, 1.5e308: read, then refused by their range; never infinite."""
    huge = read_number("1" + "0" * 400, **HEAD)
    assert huge.kind is ValueKind.TEXT_NUMBER and huge.value == D(10) ** 400
    assert read_number(1.5e308, **HEAD).value == D("1.5E308")
    assert vn_exact(D(10) ** 400) == "100000… (số có 401 chữ số)"


@given(st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
def test_text_numbers_with_comma_or_dot_read_exactly(d) -> None:
    """Two decimals never read two ways: exact, with a comma or a dot, and as a stored double."""
    text = format(d, "f")
    assert parse_number(text).value == d
    assert parse_number(text.replace(".", ",")).value == d
    assert parse_number(float(text)).value == d
