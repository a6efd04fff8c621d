"""Word documents in the administrative layout of Nghị định 30/2020/NĐ-CP, defined once.

A4 portrait, margins 20/20/30/15 mm, Times New Roman 14 pt; the two-column heading (issuer
left, national name and motto right, each with its short rule), the number and the place–date
line under them, the document type and summary in bold, `Nơi nhận:` and the signature block.
The heading and the signature block are borderless tables, as offices build them, so they stay
put when someone edits the text. No template file: python-docx's blank document, restyled here.

python-docx has no API for paragraph borders, table borders, repeated header rows or rows kept
whole; those few properties are written into the elements python-docx exposes (`element`, its
documented lxml element), in the order the schema requires (Word refuses a file otherwise).
"""

from __future__ import annotations

import copy
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from thidua_xlsx.core import labels as L
from thidua_xlsx.core.text import shown

FONT = "Times New Roman"
BODY_PT, TABLE_PT, HEAD_PT = 14, 12, 12
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165: every table spans at most this
LEFT_MM = 70  # heading and signatures: the issuer's column; the national name needs the other 95
NUMBER = "Số: ……/……"  # numbered by the office that registers the document
CELL_PAD_MM = 3.8  # Word's default left + right cell margins

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Children of w:pPr, w:tblPr and w:rPr in the order of the schema (WordprocessingML, ECMA-376 §17).
_PPR = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
    "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
    "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
    "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl",
    "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)  # fmt: skip
_TBLPR = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
    "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
    "tblDescription",
)  # fmt: skip
_RPR = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
    "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position",
    "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
    "eastAsianLayout", "specVanish", "oMath",
)  # fmt: skip

# Styles (name shown in Word, ASCII id): defined once per document by `_styles`.
BODY, HEADING, CELL, NOTE, RECIPIENTS, HEAD = "body", "heading", "cell", "note", "recipients", "head"
_STYLE_NAMES = {
    BODY: ("Thân văn bản", "ThanVanBan"), HEADING: ("Đề mục", "DeMuc"), CELL: ("Chữ trong bảng", "TrongBang"),
    NOTE: ("Phần cần viết", "PhanCanViet"), RECIPIENTS: ("Nơi nhận", "NoiNhan"), HEAD: ("Đầu văn bản", "DauVanBan"),
}  # fmt: skip

# Average advance of one character, in ems of Times New Roman (measured on LibreOffice's
# metric-compatible Liberation Serif): to size the short rules under a line of text.
_EM = {(True, True): 0.64, (True, False): 0.62, (False, True): 0.46, (False, False): 0.45}  # (capitals, bold)


def plain(value: object) -> str:
    """Text from a file or a workbook as a run's text: never a field, a control character
    (shown as its picture, ␛) or a bidi override (<U+202E>); a line break stays a line break."""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")  # not allowed in XML
    text = text.replace(" %", "\u00a0%")  # '65 %' never breaks before its sign
    return "\n".join(shown(part, 10**9) for part in text.split("\n"))


def text_mm(text: str, size: float, *, bold: bool = False) -> float:
    """The width a line of `text` takes, estimated."""
    caps = sum(1 for ch in text if ch.isupper()) > len(text) / 2
    return len(text) * _EM[(caps, bold)] * size * 25.4 / 72


def _child(parent: Any, tag: str, order: Sequence[str] = (), **attrs: str) -> Any:
    """The child `tag` of an element, made (in schema order) if missing; attributes set."""
    found = parent.find(W + tag)
    if found is None:
        found = parent.makeelement(W + tag, {})
        rank = order.index(tag) if tag in order else len(order)
        after = [c for c in parent if isinstance(c.tag, str) and c.tag.startswith(W)
                 and c.tag[len(W):] in order and order.index(c.tag[len(W):]) > rank]  # fmt: skip
        if after:
            after[0].addprevious(found)
        else:
            parent.append(found)
    for key, value in attrs.items():
        found.set(W + key, value)
    return found


def _properties(parent: Any, tag: str) -> Any:
    """The properties child of a paragraph, row or table (pPr, trPr, tblPr): always its first."""
    found = parent.find(W + tag)
    if found is None:
        found = parent.makeelement(W + tag, {})
        parent.insert(0, found)
    return found


def _ppr(paragraph: Paragraph) -> Any:
    return _properties(paragraph.paragraph_format.element, "pPr")


def rule(paragraph: Paragraph, width_mm: float, column_mm: float) -> None:
    """Make an empty paragraph a short centred rule (a bottom border between indents)."""
    side = max(0.0, (column_mm - CELL_PAD_MM - width_mm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(side)
    fmt.first_line_indent = Mm(0)
    fmt.line_spacing = Pt(3)  # exactly: the rule sits just under the line above
    fmt.space_before = fmt.space_after = Pt(0)
    borders = _child(_ppr(paragraph), "pBdr", _PPR)
    _child(borders, "bottom", val="single", sz="6", space="1", color="000000")


def _table_element(table: Table) -> Any:
    """The w:tbl of a new table, reached through its first paragraph's element (cheap while
    the table has one row: python-docx looks a cell up through every cell of the table)."""
    return next(table.cell(0, 0).paragraphs[0].paragraph_format.element.iterancestors(W + "tbl"))


def _fix_table(table: Table, widths_mm: Sequence[float], *, borders: bool) -> Any:
    """Fixed column widths summing to at most the text width, borders or none; call it on a
    new table of one row (rows added later take the widths). Returns the w:tbl."""
    assert sum(widths_mm) <= TEXT_MM + 0.01, widths_mm
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    tbl = _table_element(table)
    props = _properties(tbl, "tblPr")
    _child(props, "tblW", _TBLPR, w=str(round(sum(widths_mm) * 56.6929)), type="dxa")
    _child(props, "tblLayout", _TBLPR, type="fixed")
    edges = _child(props, "tblBorders", _TBLPR)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        look = {"val": "single", "sz": "4", "space": "0", "color": "000000"} if borders else {"val": "nil"}
        _child(edges, edge, **look)
    return tbl


def _put_text(t: Any, text: str) -> None:
    """A run's text into its w:t, a line break as w:br (as python-docx writes them)."""
    run = t.getparent()
    first, *more = text.split("\n")
    t.text = first
    t.set(XML_SPACE, "preserve")
    for part in more:
        run.append(run.makeelement(W + "br", {}))
        t = run.makeelement(W + "t", {XML_SPACE: "preserve"})
        t.text = part
        run.append(t)


def _keep_rows(tbl: Any, header_rows: int = 0) -> None:
    """Every row kept whole on a page; the first `header_rows` repeated on every page."""
    for i, tr in enumerate(tbl.findall(W + "tr")):
        props = _properties(tr, "trPr")  # its children are a choice: any order
        _child(props, "cantSplit")
        if i < header_rows:
            _child(props, "tblHeader")


@dataclass(frozen=True)
class Signer:
    """One side of a signature block: its title lines (bold capitals) and the signer's name."""

    titles: Sequence[str]
    name: str = ""


class Doc:
    """A document in the administrative layout, written from top to bottom."""

    def __init__(self, title: str, author: str) -> None:
        self.doc = docx.Document()
        self._after_table = False
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = plain(title), plain(author), plain(author)
        props.comments, props.keywords, props.subject = "", "", ""
        self._page()
        self._styles()

    # Page and styles ------------------------------------------------------------------------

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        for side, mm in MARGINS_MM.items():
            setattr(section, f"{side}_margin", Mm(mm))
        section.header_distance, section.footer_distance = Mm(10), Mm(10)
        # Page numbers: top centre, from the second page on (the first page's header is empty).
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
        number = section.header.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = number.paragraph_format.element
        field = p.makeelement(W + "fldSimple", {W + "instr": "PAGE"})
        run = field.makeelement(W + "r", {})
        shown_number = run.makeelement(W + "t", {})
        shown_number.text = "2"
        run.append(shown_number)
        field.append(run)
        p.append(field)

    def _styles(self) -> None:
        styles = self.doc.styles
        # The defaults every style inherits: Times New Roman for every script (the blank
        # document's theme fonts would win over a font name), Vietnamese for spelling.
        defaults = styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        fonts = _child(defaults, "rFonts", _RPR)
        for key in list(fonts.attrib):
            del fonts.attrib[key]
        for key in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(W + key, FONT)
        for tag in ("sz", "szCs"):
            _child(defaults, tag, _RPR, val=str(BODY_PT * 2))
        _child(defaults, "lang", _RPR, val="vi-VN", eastAsia="vi-VN", bidi="ar-SA")
        normal = styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        fmt = normal.paragraph_format
        fmt.space_before, fmt.space_after, fmt.line_spacing, fmt.widow_control = Pt(0), Pt(0), 1.0, True

        def add(key: str, **look: Any) -> Any:
            name, style_id = _STYLE_NAMES[key]
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.style_id = style_id
            style.base_style = normal
            style.quick_style = True
            return style

        body = add(BODY)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.paragraph_format.first_line_indent = Mm(10)
        body.paragraph_format.space_after = Pt(6)  # at least 6 pt between paragraphs
        heading = add(HEADING)
        heading.base_style = body
        heading.font.bold = True
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(6)
        note = add(NOTE)
        note.base_style = body
        note.font.italic = True
        cell = add(CELL)
        cell.font.size = Pt(TABLE_PT)
        cell.paragraph_format.space_before = cell.paragraph_format.space_after = Pt(2)
        recipients = add(RECIPIENTS)
        recipients.font.size = Pt(11)
        head = add(HEAD)
        head.font.size = Pt(HEAD_PT)
        head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    @staticmethod
    def _set_style(paragraph: Paragraph, key: str) -> None:
        """The paragraph's style, by id (python-docx's own setter scans all styles every time:
        quadratic over a document of thousands of table cells)."""
        _child(_ppr(paragraph), "pStyle", _PPR, val=_STYLE_NAMES[key][1])

    # Writing --------------------------------------------------------------------------------

    def para(
        self,
        *parts: str | tuple[str, dict[str, Any]],
        style: str = BODY,
        where: Any = None,
        align: WD_ALIGN_PARAGRAPH | None = None,
        keep_next: bool = False,
        **look: Any,
    ) -> Paragraph:
        """A paragraph of runs: each part a text, or (text, run look); `look` applies to all.
        Looks: bold, italic, size (points), caps (the text upper-cased), highlight."""
        container = where if where is not None else self.doc
        paragraph = container.add_paragraph()
        self._set_style(paragraph, style)
        if where is None and self._after_table:  # room between a table and the text under it
            paragraph.paragraph_format.space_before = Pt(6)
            self._after_table = False
        if align is not None:
            paragraph.alignment = align
        if keep_next:
            paragraph.paragraph_format.keep_with_next = True
        for part in parts:
            text, own = (part, {}) if isinstance(part, str) else part
            self._run(paragraph, text, **{**look, **own})
        return paragraph

    @staticmethod
    def _run(paragraph: Paragraph, text: str, **look: Any) -> None:
        text = plain(text)
        run = paragraph.add_run(text.upper() if look.get("caps") else text)
        if look.get("bold"):
            run.bold = True
        if look.get("italic"):
            run.italic = True
        if look.get("size"):
            run.font.size = Pt(look["size"])
        if look.get("highlight"):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def heading(self, text: str) -> Paragraph:
        return self.para(text, style=HEADING)

    def item(self, *parts: str | tuple[str, dict[str, Any]], keep_next: bool = False) -> Paragraph:
        """A line of a list, as administrative texts write them: '- ' and the text."""
        return self.para("- ", *parts, keep_next=keep_next)

    def to_write(self, instruction: str) -> Paragraph:
        """A part a person must write: the instruction in brackets, italic and highlighted."""
        return self.para(f"[{instruction}]", style=NOTE, highlight=True)

    def heading_block(self, *, governing: str, issuer: str, place_date: str) -> None:
        """Issuer (governing body above it) left, national name and motto right, each with its
        rule; the number under the issuer and the place–date line under the motto."""
        table = self.doc.add_table(rows=2, cols=2)
        right_mm = TEXT_MM - LEFT_MM
        _keep_rows(_fix_table(table, (LEFT_MM, right_mm), borders=False))
        left, right = table.cell(0, 0), table.cell(0, 1)
        first = left.paragraphs[0]
        self._set_style(first, HEAD)
        if governing.strip():
            self._run(first, governing, caps=True)
            self.para(issuer, style=HEAD, where=left, caps=True, bold=True)
        else:
            self._run(first, issuer, caps=True, bold=True)
        line = min(text_mm(plain(issuer).upper(), HEAD_PT, bold=True), LEFT_MM - CELL_PAD_MM)
        rule(self.para(style=HEAD, where=left), line * 0.4, LEFT_MM)  # a third to a half of the line
        national = right.paragraphs[0]
        self._set_style(national, HEAD)
        self._run(national, L.NATIONAL_NAME, bold=True)
        self.para(L.NATIONAL_MOTTO, style=HEAD, where=right, bold=True, size=13)
        rule(self.para(style=HEAD, where=right), text_mm(L.NATIONAL_MOTTO, 13, bold=True), right_mm)
        for cell in (left, right):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        number, date = table.cell(1, 0).paragraphs[0], table.cell(1, 1).paragraphs[0]
        for paragraph in (number, date):
            self._set_style(paragraph, HEAD)
            paragraph.paragraph_format.space_before = Pt(6)
        self._run(number, NUMBER, size=13)
        self._run(date, place_date, italic=True, size=13)

    def title_block(self, kind: str, *summary: str) -> None:
        """The document type in bold capitals, its summary in bold, a short rule under it."""
        self.para(kind, style=HEAD, bold=True, size=BODY_PT, caps=True).paragraph_format.space_before = Pt(18)
        for line in summary:
            self.para(line, style=HEAD, bold=True, size=BODY_PT)
        longest = max((text_mm(plain(line), BODY_PT, bold=True) for line in summary), default=40.0)
        last = self.para(style=HEAD)
        rule(last, min(longest, TEXT_MM) * 0.4, TEXT_MM)
        last.paragraph_format.space_after = Pt(12)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths_mm: Sequence[float],
        *,
        centred: Sequence[int] = (),
        bold_rows: Sequence[int] = (),
    ) -> Table:
        """A ruled table: the header row bold and repeated on every page, rows never split;
        `centred` columns centred, `bold_rows` (indexes into rows) bold, as a total row is."""
        table = self.doc.add_table(rows=1, cols=len(header))
        self._after_table = True
        tbl = _fix_table(table, widths_mm, borders=True)
        for cell, value in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, value, bold=True, centre=True)
        # One row of each look made through python-docx, then copied for every row: python-docx
        # makes each element by parsing XML, about a millisecond a cell, a minute for a bloc of
        # thousands of units; a copied row costs microseconds.
        looks = {}
        for strong in (False, True):
            row = table.add_row()
            for c, cell in enumerate(row.cells):
                self._cell(cell, "x", bold=strong, centre=c in centred)  # its text is replaced
            tr = next(row.cells[0].paragraphs[0].paragraph_format.element.iterancestors(W + "tr"))
            looks[strong] = tr
            tbl.remove(tr)
        bold = set(bold_rows)
        for r, values in enumerate(rows):
            tr = copy.deepcopy(looks[r in bold])
            for tc, value in zip(tr.iterchildren(W + "tc"), values, strict=True):
                _put_text(tc.find(f".//{W}t"), plain(value))
            tbl.append(tr)
        _keep_rows(tbl, header_rows=1)
        return table

    def _cell(self, cell: _Cell, value: str, *, bold: bool, centre: bool) -> None:
        paragraph = cell.paragraphs[0]
        self._set_style(paragraph, CELL)
        if centre:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(paragraph, value, bold=bold)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def signatures(self, right: Signer, *, recipients: Sequence[str], left: Signer | None = None) -> None:
        """The block that closes the document: the signer right; `Nơi nhận:` and its lines
        left, or under a second signer there (the minutes' secretary). Kept whole on one
        page and with the paragraph before it: a signature never starts a page alone."""
        if self.doc.paragraphs:
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=2 if left else 1, cols=2)
        _keep_rows(_fix_table(table, (LEFT_MM, TEXT_MM - LEFT_MM), borders=False))
        self._signer(table.cell(0, 1), right)
        if left is not None:
            self._signer(table.cell(0, 0), left)
            for cell in table.rows[0].cells:  # the recipients' row stays with the signatures
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
        cell = table.cell(1 if left else 0, 0)
        first = cell.paragraphs[0]
        self._set_style(first, RECIPIENTS)
        first.paragraph_format.space_before = Pt(12)
        self._run(first, "Nơi nhận:", bold=True, italic=True, size=12)
        for line in recipients:
            self.para(line, style=RECIPIENTS, where=cell)

    def _signer(self, cell: _Cell, signer: Signer) -> None:
        first = cell.paragraphs[0]
        self._set_style(first, HEAD)
        first.paragraph_format.space_before = Pt(12)
        for i, title in enumerate(signer.titles):
            paragraph = first if i == 0 else self.para(style=HEAD, where=cell)
            self._run(paragraph, title, bold=True, size=BODY_PT, caps=True)
        for _ in range(4):  # room to sign and stamp
            self.para(style=HEAD, where=cell, size=BODY_PT).paragraph_format.space_after = Pt(6)
        self.para(signer.name, style=HEAD, where=cell, bold=True, size=BODY_PT)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
