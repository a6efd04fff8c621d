"""Reports and signed scans sent with the returns (§5): whose each one is, never read as a return.

A PDF, a Word file (.doc, .docx) or an image (.jpg, .png) is matched to a unit the way a copied
table is: a labelled line (`Đơn vị: …`) first, then the file name, then a unit's name elsewhere
in the heading; an addressee (`Kính gửi: …`) is never the sender. Only a .docx is looked into,
and only its first paragraphs: at most MAX_DOCUMENT_BYTES of file and MAX_XML_BYTES of text are
ever unpacked, with no XML parser (no entity expansion). PDFs, images and .doc files are matched
by their names alone; their bytes are never opened. A document naming two units is not guessed.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from thidua_xlsx.core.grid import Grid
from thidua_xlsx.core.model import Bloc, Unit
from thidua_xlsx.core.numbers import megabytes
from thidua_xlsx.intake.identify import Claim, Evidence, file_claim, heading_claims
from thidua_xlsx.intake.inbox import Source, source_bytes

MAX_DOCUMENT_BYTES = 20 * 1024**2  # a .docx larger than this is matched by its name only
MAX_XML_BYTES = 256 * 1024  # of word/document.xml, unpacked: far more than a heading
MAX_PARAGRAPHS = 15  # non-empty paragraphs looked at: the heading, the title, the addressee

_PARAGRAPH_END = re.compile(r"</w:p>")
_BODY = re.compile(r"(?:I|1)\s*[.)]\s")  # the first section of the text: the heading is above it
_RUN_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(?:tab|br)\b[^>]*/>")


@dataclass(frozen=True, slots=True)
class Document:
    """A document found under INBOX and the unit it is matched to (None: no unit, or several)."""

    display: str
    mtime: float
    unit: str | None
    evidence: Evidence | None = None
    candidates: tuple[str, ...] = ()  # the units it names, when it names more than one
    note: str = ""  # why its content was not looked at, if it was not
    read_text: bool = False  # its first paragraphs were looked at (a .docx)

    @property
    def reason(self) -> str | None:
        """Why the document is on no unit (None when it is on one)."""
        if self.unit is not None:
            return None
        if self.candidates:
            return f"tài liệu ghi nhiều đơn vị ({', '.join(self.candidates)}): không đoán là của đơn vị nào"
        where = " hoặc ở đầu văn bản" if self.read_text else ""
        why_not = f" ({self.note})" if self.note else ""
        return f"tài liệu không ghi tên hay mã đơn vị nào trong tên tệp{where}{why_not}"


def match_documents(sources: tuple[Source, ...], bloc: Bloc, *, root: str = "") -> tuple[Document, ...]:
    """Each document with its unit, in the order found. `root` is how the paths of INBOX begin:
    a document whose name and text name nobody is placed by the folders and archives it came
    in ("GDDT/bao cao.pdf", "VHTT gui ve.zip/scan.jpg"), innermost first."""
    return tuple(_match(source, bloc, root) for source in sources)


def _match(source: Source, bloc: Bloc, root: str) -> Document:
    stem = PurePosixPath(source.name).stem
    paragraphs: list[str] = []
    note = ""
    if source.ext == ".docx":
        paragraphs, note = _first_paragraphs(source)
    lines: list[Claim] = []
    others: list[Claim] = []
    if paragraphs:
        lines, others = heading_claims(Grid("", [[p] for p in paragraphs]), len(paragraphs), bloc)
    named = file_claim(stem, bloc)
    unit, evidence, candidates = _decide(lines, named, others)
    prefix = root.rstrip("/") + "/"
    if unit is None and not candidates and root and source.display.startswith(prefix):
        unit, evidence, candidates = _by_folder(source.display[len(prefix) :], bloc)
    return Document(
        source.display, source.mtime, unit.code if unit else None, evidence, candidates if unit is None else (), note,
        read_text=source.ext == ".docx" and not note,
    )  # fmt: skip


def _decide(
    lines: list[Claim], named: Claim | None, others: list[Claim]
) -> tuple[Unit | None, Evidence | None, tuple[str, ...]]:
    """The sender in §5's order, or none and the codes of every unit named when the evidence
    disagrees (no code when nothing names a unit)."""
    strongest = lines or ([named] if named is not None else []) or others
    units = {u.code: u for c in strongest for u in c.units}
    if named is not None and lines:  # the file name must not name someone else
        units |= {u.code: u for u in named.units}
    if len(units) == 1:
        return next(iter(units.values())), strongest[0].evidence, ()
    return None, None, tuple(sorted(units))


def _by_folder(inside: str, bloc: Bloc) -> tuple[Unit | None, Evidence | None, tuple[str, ...]]:
    """The unit the innermost folder or archive naming units names (path inside INBOX)."""
    for part in reversed(PurePosixPath(inside).parts[:-1]):
        found = file_claim(PurePosixPath(part).stem if part.lower().endswith(".zip") else part, bloc)
        if found is not None:
            if len(found.units) == 1:
                return found.units[0], Evidence.FOLDER, ()
            return None, None, tuple(u.code for u in found.units)
    return None, None, ()


def _first_paragraphs(source: Source) -> tuple[list[str], str]:
    """The first non-empty paragraphs of a .docx, and a note when they could not be read."""
    if source.size > MAX_DOCUMENT_BYTES:
        return [], f"không mở để đọc: tệp {megabytes(source.size)}, lớn hơn {megabytes(MAX_DOCUMENT_BYTES)}"
    try:
        if source.members:
            book = zipfile.ZipFile(io.BytesIO(source_bytes(source, cap=MAX_DOCUMENT_BYTES)))
        else:
            book = zipfile.ZipFile(source.path)
        with book, book.open("word/document.xml") as fh:
            xml = fh.read(MAX_XML_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, RuntimeError, NotImplementedError, zlib.error):
        # not a Word file (a renamed PDF, a broken download), encrypted, or too large unpacked
        return [], "không đọc được nội dung như tệp Word (.docx)"
    return _paragraphs(xml.decode("utf-8", "replace")), ""


def _paragraphs(xml: str) -> list[str]:
    out: list[str] = []
    for chunk in _PARAGRAPH_END.split(xml):
        text = "".join(m.group(1) if m.group(1) is not None else " " for m in _RUN_TEXT.finditer(chunk))
        text = " ".join(html.unescape(text).split())
        if _BODY.match(text):
            break
        if text:
            out.append(text)
            if len(out) >= MAX_PARAGRAPHS:
                break
    return out
