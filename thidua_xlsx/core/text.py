"""Vietnamese text helpers: normalisation, loose matching, slugs and collation."""

from __future__ import annotations

import functools
import re
import unicodedata

# Dash look-alikes units type or paste from Word.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"), "-")
_SPACES = re.compile(r"\s+")

# Combining marks that make a distinct letter (ă â ê ô ơ ư) versus tone marks.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tone order of Vietnamese collation: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
_LETTER_WEIGHT = {letter: 1000 + i for i, letter in enumerate(_ALPHABET)}


@functools.lru_cache(maxsize=16384, typed=True)  # returns repeat the same labels and codes
def clean(value: object) -> str:
    """Cell value as NFC text, trimmed, inner whitespace collapsed; '' for blanks."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).translate(_DASHES)
    return _SPACES.sub(" ", text).strip()


@functools.lru_cache(maxsize=16384, typed=True)  # returns repeat the same labels and codes
def fold(value: object) -> str:
    """Loose key: no case, no diacritics (đ→d), one kind of dash, single spaces.

    Old and new tone placement ("hoà"/"hòa") fold to the same key because tones go.
    """
    text = clean(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = re.sub(r"\s*-\s*", " - ", bare)
    return _SPACES.sub(" ", bare).strip()


@functools.lru_cache(maxsize=16384, typed=True)  # returns repeat the same labels and codes
def fold_compact(value: object) -> str:
    """`fold` without spaces or punctuation: for matching codes and names in file names."""
    return re.sub(r"[^0-9a-z]", "", fold(value))


def slug(value: object, *, limit: int = 60) -> str:
    """Unaccented ASCII slug for file names: 'Phòng Văn hóa' → 'phong-van-hoa'."""
    text = re.sub(r"[^0-9a-z]+", "-", fold(value)).strip("-")
    return text[:limit].rstrip("-")


def _letters(text: str) -> list[tuple[str, int]]:
    """Split NFD text into (base letter with its letter marks, tone) pairs."""
    out: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            base, tone = out[-1]
            if ch in _TONES:
                out[-1] = (base, _TONES[ch])
            elif ch in _LETTER_MARKS:
                out[-1] = (unicodedata.normalize("NFC", base + ch), tone)
            continue
        out.append((ch, 0))
    return out


@functools.lru_cache(maxsize=4096)
def _weights(ch: str) -> tuple[int, int, int, bool]:
    """(primary weight, tone, case, is a letter) of one NFC character."""
    pairs = _letters(ch)
    if not pairs:  # a lone combining mark: no weight of its own
        return (0, _TONES.get(ch, 0), 0, False)
    base, tone = pairs[0]
    lower = base.lower()
    case = 0 if base == lower else 1
    if lower in _LETTER_WEIGHT:
        return (_LETTER_WEIGHT[lower], tone, case, True)
    if lower.isdigit():
        return (500 + int(lower) if lower.isascii() else 600, 0, case, False)
    if lower.isspace():
        return (1, 0, case, False)
    return (100 + ord(lower) if ord(lower) < 400 else 5000 + ord(lower), 0, case, False)


def collation_key(value: object) -> tuple:
    """Sort key in Vietnamese dictionary order (CLDR vi).

    Letters first (a < ă < â, d < đ, …), then tones as a secondary difference, one per
    syllable (ngang < huyền < hỏi < ngã < sắc < nặng, so "hoà" and "hòa" are equal),
    then case (lower first).
    """
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    tone = 0
    for ch in clean(value):
        weight, mark, case, letter = _weights(ch)
        if letter:
            primary.append(weight)
            tone = max(tone, mark)
        elif weight == 0:  # a combining tone left apart from its letter
            tone = max(tone, mark)
            continue
        else:
            secondary.append(tone)  # a syllable ends at anything that is not a letter
            tone = 0
            primary.append(weight)
        tertiary.append(case)
    secondary.append(tone)
    return (tuple(primary), tuple(secondary), tuple(tertiary))


# Showing text that came from a file on a terminal ------------------------------------------

# Characters that reorder or hide text: bidi embeddings, overrides and isolates, the marks,
# and the line and paragraph separators some terminals treat as a new line.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
_VISIBLE = {
    **{c: chr(0x2400 + c) for c in range(0x20)},  # C0 controls as their pictures: ESC is ␛, CR is ␍
    0x7F: "\u2421",  # DEL: ␡
    **{c: "\ufffd" for c in range(0x80, 0xA0)},  # C1 controls (CSI 0x9B, OSC 0x9D…): �
    **{ord(ch): f"<U+{ord(ch):04X}>" for ch in _BIDI},
}
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + "\ud800-\udfff]")
SHOWN_LIMIT = 300  # characters of one value on the terminal


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """Text from a file, safe to print on a terminal and short enough to read.

    Control characters (ESC, BEL, CR, LF…) are shown as their pictures (␛, ␇, ␍, ␊) and bidi
    controls as <U+202E>, so nothing a file holds can move the cursor, reset the terminal,
    make a link or reverse a line; bytes of a file name that are not UTF-8 show as �. A text
    longer than `limit` keeps its head and its tail, where messages say what to do.
    """
    text = str(value)
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(lambda m: _VISIBLE.get(ord(m.group()), "\ufffd"), text)
    if len(text) > limit:
        tail = limit // 3
        text = text[: limit - tail - 1] + "…" + text[-tail:]
    return text


def name_from_os(name: str) -> str:
    """A file name as the OS gave it (bytes that are not UTF-8 smuggled as surrogates), made
    valid text: each such byte is written as its escape (`ghi_ch\\xfa.txt`), which finds the
    file again and never reads as a letter it is not. The file is still opened by its real name."""
    if name.isascii() or not _has_surrogates(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
