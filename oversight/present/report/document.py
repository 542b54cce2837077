"""The page as GB/T 9704 (党政机关公文格式) sets it out, as far as the reader's fonts allow.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm type area); body 三号
仿宋_GB2312, first line indented two characters, fixed line pitch 28.95 pt (22 lines a page); the title
二号 方正小标宋简体 centred; level-1 headings 三号 黑体 "一、"; level-2 三号 楷体_GB2312 "（一）"; page
numbers 四号 宋体 "— 1 —" under the type area, odd pages right and even pages left, each one character in;
the issuing unit and the date at the end. Tables repeat their header row on every page and never split a
row across pages, with widths set per column.

Fonts: Word picks the East Asian font from `w:eastAsia`, not from the Latin font name, so every style and
every run set here names it. The 公文 fonts are not on every computer: the font table names the Windows
font to use where one is missing (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
#: the Windows font Word uses where the 公文 font is missing (the font table's w:altName)
FALLBACK_FONTS: dict[str, str] = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", KAI_FONT: "楷体"}
#: 字号 in points: 二号, 三号, 四号, 小四, 五号
SIZE_2, SIZE_3, SIZE_4, SIZE_S4, SIZE_5 = 22.0, 16.0, 14.0, 12.0, 10.5
#: 22 lines on the 225 mm type area
LINE_PITCH = Pt(28.95)
TITLE_PITCH = Pt(36)
TEXT_WIDTH = Mm(210 - 28 - 26)
PICTURE_WIDTH = Cm(15)
#: full-width characters that fit one title line (156 mm at 22 pt, a little kept in hand)
TITLE_LINE_CHARS = 19.5


def _rfonts(rpr: Any, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Latin and East Asian fonts on an rPr; theme font attributes removed so ours win in Word."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def set_fonts(target: Any, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Fonts, size, weight and black on a style or a run (both have .font and an rPr)."""
    target.font.name = LATIN_FONT
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    target.font.color.rgb = RGBColor(0, 0, 0)
    element = target.element if hasattr(target, "element") else target._element
    rpr = element.get_or_add_rPr()
    color = rpr.find(qn("w:color"))
    if color is not None:  # the template's heading blue is a theme colour: drop it with its shade
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
    _rfonts(rpr, east_asian)


def _indent_chars(pf: Any, chars: int, size: float = SIZE_3) -> None:
    """A first-line indent of `chars` characters: in points, and in characters for Word's grid."""
    pf.first_line_indent = Pt(size * chars)
    ind = pf._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _paragraph_style(
    doc: DocumentType, name: str, font: str, size: float, *, indent: int = 2, pitch: Pt | None = LINE_PITCH
) -> Any:
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    set_fonts(style, font, size, False)
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    if pitch is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, pitch
    _indent_chars(pf, indent, size)
    return style


def _styles(doc: DocumentType) -> None:
    """Every style the document uses, GB/T 9704's fonts and sizes."""
    normal = _paragraph_style(doc, "Normal", BODY_FONT, SIZE_3)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.widow_control = True
    title = _paragraph_style(doc, "Title", TITLE_FONT, SIZE_2, indent=0, pitch=TITLE_PITCH)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.element.get_or_add_pPr().remove_all("w:pBdr")  # the template's title has a blue rule under it
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", KAI_FONT)):
        heading = _paragraph_style(doc, name, font, SIZE_3)
        heading.paragraph_format.keep_with_next = True
        heading.font.italic = False
    subtitle = _paragraph_style(doc, "Subtitle", KAI_FONT, SIZE_3, indent=0)
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.font.italic = False  # the template's subtitle is italic: 楷体 needs no slant
    caption = _paragraph_style(doc, "Caption", KAI_FONT, SIZE_4, indent=0, pitch=Pt(22))
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_style(
        doc, "Picture", BODY_FONT, SIZE_3, indent=0, pitch=None
    ).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, font in (("Table Text", BODY_FONT), ("Table Heading", HEADING_FONT)):
        _paragraph_style(doc, name, font, SIZE_5, indent=0, pitch=None)
    _paragraph_style(doc, "Footer", NUMBER_FONT, SIZE_4, indent=0, pitch=None)
    _rfonts(doc.styles["Footer"].element.get_or_add_rPr(), NUMBER_FONT, NUMBER_FONT)  # 半角宋体 digits


_FONT_ENTRY = (
    '<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
    '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
)


def _font_table(doc: DocumentType) -> None:
    """Name the 公文 fonts in the font table with the Windows font to use where they are missing."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    entries = "".join(_FONT_ENTRY.format(name=n, alt=a) for n, a in FALLBACK_FONTS.items())
    part._blob = re.sub(r"</w:fonts>\s*$", entries + "</w:fonts>", xml).encode("utf-8")


def new_document(title: str, author: str) -> DocumentType:
    """An empty A4 document set up as GB/T 9704 sets a page, with page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # the number's line sits about 7 mm under the type area
    section.footer_distance = Mm(23)
    _styles(doc)
    _font_table(doc)
    page_numbers(doc)
    doc.core_properties.title = title
    doc.core_properties.author = author
    return doc


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A field (PAGE) as fldChar runs: Word and LibreOffice fill in the value, `shown` until they do."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", shown),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = f" {text} "
        elif kind == "text":
            node = OxmlElement("w:t")
            node.text = text or ""
        else:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        run._r.append(node)


def _number_line(paragraph: Paragraph, *, odd: bool) -> None:
    paragraph.style = "Footer"
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    pf = paragraph.paragraph_format
    pf.right_indent, pf.left_indent = (Pt(SIZE_4), None) if odd else (None, Pt(SIZE_4))
    paragraph.add_run("— ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")


def page_numbers(doc: DocumentType) -> None:
    """'— 1 —' in the footer: odd pages right, even pages left, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        _number_line(footer.paragraphs[0], odd=odd)


def title_lines(scope: str, year: object) -> list[str]:
    """The title in lines that fit 二号 without one character left alone: after the system's name, or,
    when the scope is long, after the scope and year."""
    head, tail = f"{scope}{year}年党组织领导的校长负责制", "落实情况总结"
    if text_width(head + tail) <= TITLE_LINE_CHARS:
        return [head + tail]
    if text_width(head) <= TITLE_LINE_CHARS:
        return [head, tail]
    return [f"{scope}{year}年", "党组织领导的校长负责制" + tail]


def text_width(text: str) -> float:
    """Width in full-width characters: digits and Latin letters are half as wide."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def title(doc: DocumentType, lines: Sequence[str], *, style: str = "Title") -> Paragraph:
    """A centred title, its lines broken where `lines` says."""
    para = doc.add_paragraph(style=style)
    for n, line in enumerate(lines):
        run = para.add_run(line)
        if n < len(lines) - 1:
            run.add_break()
    return para


def body(doc: DocumentType, text: str, *, indent: bool = True) -> Paragraph:
    para = doc.add_paragraph(text)
    if not indent:
        _indent_chars(para.paragraph_format, 0)
    return para


def lead(doc: DocumentType, first: str, rest: str, *, font: str = BODY_FONT, bold: bool = True) -> Paragraph:
    """A paragraph opening with its point set apart ('一是…' bold, '（一）…' in 楷体), then the text."""
    para = doc.add_paragraph()
    set_fonts(para.add_run(first), font, SIZE_3, bold)
    para.add_run(rest)
    return para


def heading(doc: DocumentType, text: str, level: int) -> Paragraph:
    return doc.add_paragraph(text, style=f"Heading {level}")


def label(doc: DocumentType, text: str, *, page_break: bool = False) -> Paragraph:
    """'附件1' on its own line, 黑体 flush left (a new page when `page_break`)."""
    para = doc.add_paragraph()
    set_fonts(para.add_run(text), HEADING_FONT, SIZE_3, False)
    _indent_chars(para.paragraph_format, 0)
    para.paragraph_format.page_break_before = page_break
    return para


def picture(doc: DocumentType, png: bytes, caption: str) -> None:
    """A chart across the type area (single spacing: a fixed pitch would clip it), its caption under it
    and half a line before the text goes on."""
    para = doc.add_paragraph(style="Picture")
    para.paragraph_format.keep_with_next = True
    para.paragraph_format.space_before = Pt(6)
    para.add_run().add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
    doc.add_paragraph(caption, style="Caption").paragraph_format.space_after = Pt(14)


def caption(doc: DocumentType, text: str) -> None:
    """A table's caption, above it and kept with it."""
    para = doc.add_paragraph(text, style="Caption")
    para.paragraph_format.keep_with_next = True
    para.paragraph_format.space_before = Pt(6)


def _row_properties(row: Any, *, header: bool) -> None:
    """Never split across pages; the header row repeats at the top of every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


#: cell padding in twips: 0.1 cm left and right (Word's 0.19 cm made a two-character 序号 wrap), a
#: little above and below so a one-line row does not touch its borders
CELL_MARGINS = {"top": 28, "bottom": 28, "left": 57, "right": 57}


def _fixed_layout(table: Table, widths: Sequence[float]) -> None:
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = tblpr.get_or_add_tblLayout()  # in its place in the schema's order: Word is strict about it
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side, twips in CELL_MARGINS.items():
        node = OxmlElement(f"w:{side}")
        node.set(qn("w:w"), str(twips))
        node.set(qn("w:type"), "dxa")
        margins.append(node)
    layout.addnext(margins)  # tblCellMar follows tblLayout
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)


def table(
    doc: DocumentType,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    left: Sequence[int] = (),
    keep_together: bool = False,
) -> Table:
    """A grid table, widths in cm (summing to the type area's 15.6), header row repeated on every page,
    no row split across pages; columns in `left` left-aligned (long text), the others centred. A value
    with a newline is several lines in its cell (one item a line, never broken inside an item).
    `keep_together`: a short table is not split at all (its first row alone at the foot of a page read
    as a mistake), by keeping each row with the next."""
    grid = doc.add_table(rows=len(rows) + 1, cols=len(header))
    # the style ids, looked up once: python-docx's `paragraph.style = name` scans every style of the
    # document per cell (half a second for the 需关注 table)
    heading_id, text_id = doc.styles["Table Heading"].style_id, doc.styles["Table Text"].style_id
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_layout(grid, widths)
    for r, values in enumerate([list(header), *rows]):
        row = grid.rows[r]
        _row_properties(row, header=r == 0)
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Cm(widths[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para = cell.paragraphs[0]
            para._p.style = heading_id if r == 0 else text_id
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if r and c in left else WD_ALIGN_PARAGRAPH.CENTER
            para.paragraph_format.keep_with_next = keep_together and r < len(rows)
            para.add_run("" if value is None else str(value))
    return grid


def _kept(para: Paragraph) -> Paragraph:
    para.paragraph_format.keep_with_next = True
    return para


def signature(doc: DocumentType, issuer: str, date_text: str) -> None:
    """The issuing unit and the date, right-aligned: the date four characters in from the right, the
    unit centred over it. Kept with what comes before (attachments_note), so the date never starts a
    page of its own."""
    _kept(doc.add_paragraph())
    _kept(doc.add_paragraph())
    date_width = text_width(date_text) * SIZE_3
    for text, indent in (
        (issuer, 4 * SIZE_3 + max(0.0, (date_width - text_width(issuer) * SIZE_3) / 2)),
        (date_text, 4 * SIZE_3),
    ):
        para = body(doc, text, indent=False)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(indent)
        para.paragraph_format.keep_with_next = text != date_text


def attachments_note(doc: DocumentType, names: Sequence[str]) -> None:
    """'附件：1. …' under the body, the further names aligned under the first; kept with the body's last
    paragraph and the signature after it (GB/T 9704: no page with only the 落款 on it)."""
    _kept(doc.paragraphs[-1])
    _kept(doc.add_paragraph())
    for n, name in enumerate(names, start=1):
        numbered = f"{n}. {name}" if len(names) > 1 else name
        if n == 1:
            _kept(body(doc, f"附件：{numbered}"))
        else:
            para = _kept(body(doc, numbered, indent=False))
            para.paragraph_format.left_indent = Pt(5 * SIZE_3)


def to_bytes(doc: DocumentType) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
