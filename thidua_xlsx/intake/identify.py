"""Whose return is this file: the evidence a workbook and its name give, in PRODUCT.md §5's order.

The template's own `_thidua` sheet names its unit. A table copied into a new workbook is
named by a labelled line above it (`Đơn vị: …`, `Tên đơn vị: …`, `Cơ quan, đơn vị: …`), else by
the file name, else by the sheet's tab or a unit's name elsewhere in the heading; an addressee
(`Kính gửi: …`) is never the sender. Names are compared folded (case, diacritics, dashes,
spacing); a code is a whole word once the dashes, dots, `&` and spaces inside it are removed
(`TC-KH`, `P. TC-KH`, `Phòng TCKH` name TCKH; `TTYT` does not name YT). When the senders the
evidence names disagree, nobody is guessed: the file is a `unit-conflict`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import Bloc, Unit
from thidua_xlsx.core.text import clean

MAX_HEADING_ROWS = 40  # looked through above the table for a unit's name
MAX_HEADING_COLS = 12
MAX_TEXT = 400  # characters of one cell looked at


class Evidence(enum.Enum):
    """How a return was matched to its unit, strongest first."""

    FORM = "form"  # the template's own '_thidua' sheet
    LINE = "line"  # a labelled line above the table: "Đơn vị: …"
    FILE = "file"  # the unit's name in the file name
    CODE = "code"  # the unit's code in the file name
    SHEET_NAME = "sheet-name"  # the sheet's tab name
    HEADING = "heading"  # a unit's name elsewhere in the heading
    FOLDER = "folder"  # a document only: the folder or archive it came in

    @property
    def words(self) -> str:
        return _EVIDENCE_WORDS[self]


_EVIDENCE_WORDS = {
    Evidence.FORM: "mẫu của khối (trang '_thidua')",
    Evidence.LINE: "dòng ghi tên đơn vị trong bảng",
    Evidence.FILE: "tên đơn vị trong tên tệp",
    Evidence.CODE: "mã đơn vị trong tên tệp",
    Evidence.SHEET_NAME: "tên trang tính",
    Evidence.HEADING: "tên đơn vị ở đầu bảng",
    Evidence.FOLDER: "tên thư mục hoặc tệp nén chứa tệp",
}


@dataclass(frozen=True, slots=True)
class Claim:
    """Units one piece of evidence names (one: clear; several: it names more than one)."""

    evidence: Evidence
    units: tuple[Unit, ...]


@dataclass(frozen=True, slots=True)
class Identity:
    """The unit a file is from, how that is known, and any evidence against it."""

    unit: Unit | None
    evidence: Evidence | None = None
    conflict: tuple[Claim, ...] = ()  # two or more claims naming different units
    why_not: str = ""  # when unidentified


# Matching names and codes ---------------------------------------------------------------------

_PLACE_WORDS = ("huyen", "tinh", "thanh pho", "thi xa", "xa", "phuong", "quan")
# How offices shorten the kind of a unit in a file name: "TT Dịch vụ nông nghiệp", "P. Y tế".
_KIND_WORDS = {"phong": "p", "trung tam": "tt", "van phong": "vp", "ban quan ly": "bql"}
MIN_ACRONYM = 3  # "TP", "YT", "TT" are too short to stand for a name (thành phố, trung tâm …)


@dataclass(frozen=True)
class _Index:
    """A bloc's unit names (as folded word strings) and codes (compact), for fast lookups."""

    names: dict[str, tuple[Unit, ...]]
    longest: int  # words of the longest name
    first_words: frozenset[str]  # the words names start with: where a match can begin
    codes: dict[str, tuple[Unit, ...]]
    code_length: int  # characters of the longest compact code


_INDEXES: dict[int, tuple[Bloc, _Index]] = {}


def _index(bloc: Bloc) -> _Index:
    hit = _INDEXES.get(id(bloc))
    if hit is not None and hit[0] is bloc:
        return hit[1]
    names: dict[str, list[Unit]] = {}
    for u in bloc.units:
        key = " ".join(_name_words(u.name))
        if key:
            names.setdefault(key, []).append(u)
    short: dict[str, list[Unit]] = {}
    for key, units in list(names.items()):
        for place in _PLACE_WORDS:  # "Thanh tra huyện" is often written "Thanh tra"
            if key.endswith(" " + place) and key.count(" ") - place.count(" ") >= 1:
                short.setdefault(key[: -len(place) - 1], []).extend(units)
    for key, units in [*names.items(), *short.items()]:
        for kind, abbreviation in _KIND_WORDS.items():  # "Trung tâm …" written "TT …"
            if key.startswith(kind + " "):
                short.setdefault(abbreviation + key[len(kind) :], []).extend(units)
    # A shortened name counts only when it is no unit's full name and names one unit.
    shortened = {k: tuple(v) for k, v in names.items()}
    shortened.update({k: tuple(dict.fromkeys(v)) for k, v in short.items() if k not in names and len(set(v)) == 1})
    codes: dict[str, list[Unit]] = {}
    for u in bloc.units:
        key = "".join(_plain_words(u.code))
        if key:
            codes.setdefault(key, []).append(u)
    acronyms: dict[str, list[Unit]] = {}
    for u in bloc.units:
        for key in _acronyms(u.name):
            acronyms.setdefault(key, []).append(u)
    # An acronym counts only when it is no unit's code and stands for one unit's name.
    codes.update({k: v for k, v in acronyms.items() if k not in codes and len(v) == 1})
    found = _Index(
        names=shortened,
        longest=max((k.count(" ") + 1 for k in shortened), default=1),
        first_words=frozenset(k.split(" ", 1)[0] for k in shortened),
        codes={k: tuple(v) for k, v in codes.items()},
        code_length=max((len(k) for k in codes), default=0),
    )
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[id(bloc)] = (bloc, found)
    return found


def _ascii_table() -> dict[int, str | None]:
    """Latin letters with diacritics (composed or not) to their base letter, đ to d, combining
    marks dropped: `fold` as one str.translate, for text seen once (file names, unit lines)."""
    table: dict[int, str | None] = dict.fromkeys(range(0x300, 0x370))
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = "".join(ch for ch in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(ch))
        base = base.lower().replace("đ", "d")
        if base.isascii() and base.isalnum():
            table[code] = base
    table[ord("đ")], table[ord("Đ")] = "d", "d"
    return table


_ASCII = _ascii_table()
_ALNUM = re.compile(r"[0-9a-z]+")


def _plain_words(text: str) -> list[str]:
    """The words of a text without case or diacritics: 'Phòng Y tế' → ['phong', 'y', 'te']."""
    return _ALNUM.findall(text.lower().translate(_ASCII))


def _name_words(text: str) -> list[str]:
    """A name's words for matching: 'và' is left out, as '-', '&' and ',' are ("HĐND-UBND" is
    "HĐND và UBND")."""
    return [w for w in _plain_words(clean(text)) if w != "va"]


def _acronyms(name: str) -> set[str]:
    """What a unit's name is shortened to, compact: "Phòng Giáo dục và Đào tạo" → GDDT and
    PGDDT ("PGD&ĐT"), "Trung tâm Văn hóa, Thể thao và Truyền thanh" → VHTTTT and TTVHTTTT; a word
    already in capitals stays whole ("HĐND và UBND" → HDNDUBND); the place word at the end goes."""
    raw = [w for w in re.split(r"[\s,;&\-–/()]+", clean(name)) if w]
    folded = [" ".join(_plain_words(w)) for w in raw]
    kind = ""
    for prefix, abbreviation in _KIND_WORDS.items():
        n = prefix.count(" ") + 1
        if " ".join(folded[:n]) == prefix:
            kind, raw, folded = abbreviation, raw[n:], folded[n:]
            break
    if folded and folded[-1] in _PLACE_WORDS:
        raw, folded = raw[:-1], folded[:-1]
    body = ""
    for word, plain in zip(raw, folded, strict=True):
        if plain in ("", "va"):
            continue
        capitals = len(word) > 1 and word == word.upper() and any(ch.isalpha() for ch in word)
        body += plain.replace(" ", "") if capitals else plain[0]
    return {a for a in (body, kind + body if kind else "") if len(a) >= MIN_ACRONYM}


def words(value: object) -> str:
    """Loose text for matching names: no case, no diacritics (whatever the tone placement or
    normal form), punctuation as spaces, padded so that a match is always of whole words."""
    return " " + " ".join(_plain_words(clean(value))) + " "


_WORD_SPLIT = re.compile(r"(?:[^\w.&\-]|_)+")
_LETTERS = re.compile(r"[^\W\d_]")


def _code_parts(text: str) -> list[tuple[str, int, bool]]:
    """A text's words cut for codes: (compact part, word number, word is in capitals).

    Dashes and `&` join (`TC-KH`, `NN&PTNT`); a dot cuts a word into parts that may be read
    together or apart (`P.TCKH`, `TC.KH`)."""
    out: list[tuple[str, int, bool]] = []
    for n, word in enumerate(w for w in _WORD_SPLIT.split(clean(text)) if w):
        capitals = bool(_LETTERS.search(word)) and word == word.upper()
        for part in word.split("."):
            compact = "".join(_plain_words(part))
            if compact:
                out.append((compact, n, capitals))
    return out


def _codes_named(text: str, index: _Index) -> set[Unit]:
    """Units whose code is a whole word of `text`; longest run of parts first, so `TT YT` is
    TTYT when the bloc has one. Parts of different words join only when both are in capitals."""
    parts = _code_parts(text)
    found: set[Unit] = set()
    i = 0
    while i < len(parts):
        key, best, end = "", None, i + 1
        for j in range(i, min(len(parts), i + 4)):
            before, part = parts[j - 1], parts[j]
            if j > i and not (before[1] == part[1] or (before[2] and part[2])):
                break
            key += part[0]
            if len(key) > index.code_length:
                break
            if key in index.codes:
                best, end = index.codes[key], j + 1
        if best:
            found.update(best)
        i = end
    return found


def _names_named(text: str, index: _Index) -> set[Unit]:
    """Units whose name is in `text` as whole words; a name inside a longer one found there
    ("Phòng Y tế" within "Phòng Y tế dự phòng") does not count."""
    ws = _name_words(text)
    hits: list[tuple[int, int, tuple[Unit, ...]]] = []
    for i, first in enumerate(ws):
        if first not in index.first_words:
            continue
        key = first
        for n in range(1, min(index.longest, len(ws) - i) + 1):
            if n > 1:
                key += " " + ws[i + n - 1]
            units = index.names.get(key)
            if units:
                hits.append((i, i + n, units))
    kept = [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)]
    return {u for h in kept for u in h[2]}


def named(text: str, index: _Index) -> tuple[Unit, ...]:
    """Every unit a text names, by name or code, in the bloc's order."""
    text = text[:MAX_TEXT]
    found = _names_named(text, index) | _codes_named(text, index)
    return tuple(sorted(found, key=lambda u: u.code))


# The evidence of one file ---------------------------------------------------------------------

# The words before the colon of a unit line, and of an addressee line.
_LABEL = re.compile(
    r"(?:(?:ten|ma) )?(?:co quan(?: va)? don vi|ten co quan|co quan|don vi(?: (?:bao cao|gui|tu cham))?)"
)
_ADDRESSEE = ("kinh gui", "noi nhan")
MAX_LABEL = 40  # characters before the colon that can be a label


def heading_claims(grid: Grid, top: int, bloc: Bloc, *, others: bool = True) -> tuple[list[Claim], list[Claim]]:
    """(labelled lines, other cells) above row `top` that name units; addressees left out.
    Without `others`, only labelled lines are looked at (a template's own heading)."""
    index = _index(bloc)
    lines: list[Claim] = []
    elsewhere: list[Claim] = []
    addressee_col: int | None = None
    for r in range(min(top, MAX_HEADING_ROWS, grid.height)):
        row = grid.rows[r]
        texts = [(c, clean(row[c])) for c in range(min(MAX_HEADING_COLS, len(row))) if row[c] not in (None, "")]
        texts = [(c, t) for c, t in texts if t]
        if not texts:
            continue
        if addressee_col is not None and texts[0][0] >= addressee_col and texts[0][1].startswith(("-", "+", "•")):
            continue  # the addressee list goes on: "- Phòng Văn hóa và Thông tin"
        addressee_col = None
        for k, (c, text) in enumerate(texts):
            lead = " ".join(_plain_words(text.split(":", 1)[0][:MAX_LABEL]))
            if lead.startswith(_ADDRESSEE):
                addressee_col = c
                break  # the rest of the row is the addressee too
            if (":" in text or len(text) <= MAX_LABEL) and _LABEL.fullmatch(lead):
                rest = text.split(":", 1)[1] if ":" in text else ""
                if not rest.strip() and k + 1 < len(texts):
                    rest = texts[k + 1][1]  # "Đơn vị:" | "Phòng Y tế" in the next cell
                units = named(rest, index)
                if units:
                    lines.append(Claim(Evidence.LINE, units))
                break
            if others:
                units = named(text, index)
                if units:
                    elsewhere.append(Claim(Evidence.HEADING, units))
    return lines, elsewhere


def file_claim(stem: str, bloc: Bloc) -> Claim | None:
    """The units a file name names, by name or code (evidence: by name when a name is there)."""
    index = _index(bloc)
    by_name = _names_named(stem[:MAX_TEXT], index)
    units = by_name | _codes_named(stem[:MAX_TEXT], index)
    if not units:
        return None
    return Claim(Evidence.FILE if by_name else Evidence.CODE, tuple(sorted(units, key=lambda u: u.code)))


def sheet_claim(name: str, bloc: Bloc) -> Claim | None:
    units = named(name, _index(bloc))
    return Claim(Evidence.SHEET_NAME, units) if units else None


def check_form(unit: Unit, grid: Grid | None, top: int, stem: str, bloc: Bloc) -> Identity:
    """A template's own form names `unit`: does its unit line or the file name name another?

    The common case costs a few string comparisons: the template's own unit line, unchanged,
    and its own file name (`CODE_slug`), which names the unit by its code."""
    claims: list[Claim] = []
    if grid is not None and not _own_line(grid, top, unit):
        claims += heading_claims(grid, top, bloc, others=False)[0]
    rest = stem[len(unit.code) + 1 :] if stem.startswith(unit.code + "_") else None
    if rest is None or not (rest == "" or rest[0].islower() or rest[0].isdigit()):  # else: names `unit`
        found = file_claim(stem, bloc)
        if found is not None:
            claims.append(found)
    against = [c for c in claims if len(c.units) == 1 and c.units[0].code != unit.code]
    if against:
        return Identity(unit, Evidence.FORM, (Claim(Evidence.FORM, (unit,)), *against))
    return Identity(unit, Evidence.FORM)


def _own_line(grid: Grid, top: int, unit: Unit) -> bool:
    """The heading holds the unit line exactly as the template wrote it for `unit`."""
    line = L.UNIT_LINE.format(name=unit.name)
    return any(line in row[:MAX_HEADING_COLS] for row in grid.rows[: min(top, MAX_HEADING_ROWS)])


def identify_copy(grid: Grid, top: int, stem: str, bloc: Bloc) -> Identity:
    """A table without its form: the labelled line, the file name, the tab, the heading."""
    lines, others = heading_claims(grid, top, bloc)
    found = file_claim(stem, bloc)
    ambiguous = any(len(c.units) > 1 for c in [*lines, *others]) or (found is not None and len(found.units) > 1)
    clear_lines = [c for c in lines if len(c.units) == 1]
    senders = {c.units[0].code for c in clear_lines}
    if len(senders) > 1:  # two labelled lines name two senders
        return Identity(clear_lines[0].units[0], Evidence.LINE, tuple(_distinct(clear_lines)))
    if clear_lines:
        unit = clear_lines[0].units[0]
        if found is not None and len(found.units) == 1 and found.units[0].code != unit.code:
            return Identity(unit, Evidence.LINE, (clear_lines[0], found))
        return Identity(unit, Evidence.LINE)
    if lines:  # a labelled line naming several units: not guessed from weaker evidence
        return Identity(None, why_not="tên hoặc mã khớp với nhiều đơn vị")
    if found is not None and len(found.units) == 1:
        return Identity(found.units[0], found.evidence)
    tab = sheet_claim(grid.name, bloc)
    if tab is not None and len(tab.units) == 1:
        return Identity(tab.units[0], Evidence.SHEET_NAME)
    heading = {u.code: u for c in others for u in c.units}
    if len(heading) == 1:
        return Identity(next(iter(heading.values())), Evidence.HEADING)
    if heading or ambiguous or (tab is not None):
        return Identity(None, why_not="tên hoặc mã khớp với nhiều đơn vị")
    return Identity(None, why_not="không thấy tên hoặc mã đơn vị trong bảng và trong tên tệp")


def name_only(stem: str, bloc: Bloc) -> Unit | None:
    """The one unit a file name names (a file that could not be read: whose was it?)."""
    found = file_claim(stem, bloc)
    return found.units[0] if found is not None and len(found.units) == 1 else None


def _distinct(claims: list[Claim]) -> list[Claim]:
    seen: set[str] = set()
    out = []
    for c in claims:
        if c.units[0].code not in seen:
            seen.add(c.units[0].code)
            out.append(c)
    return out


def describe(claims: tuple[Claim, ...]) -> str:
    """'mẫu của khối (trang '_thidua') ghi YT (Phòng Y tế); tên tệp ghi DVNN (…)'."""
    parts = []
    for c in claims:
        where = {Evidence.FILE: "tên tệp", Evidence.CODE: "tên tệp"}.get(c.evidence, c.evidence.words)
        who = ", ".join(f"{u.code} ({u.name})" for u in c.units)
        parts.append(f"{where} ghi {who}")
    return "; ".join(parts)
