"""The official-document layout of GB/T 9704-2012 for Word drafts, and the parts every draft is built from.

GB/T 9704-2012 *Layout key for official documents of party and government organs* (党政机关公文格式):

* A4 paper; type area 156 mm × 225 mm: margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
* title in 小标宋 2号 (22 pt), body in 仿宋_GB2312 3号 (16 pt), level-1 headings 黑体, level-2 楷体 (3号);
* 22 lines of 28 characters a page: a fixed line pitch of 225 mm / 22 = 28.95 pt;
* page numbers in 4号 Arabic figures with a dash on each side (``— 1 —``) in the footer.

The East Asian font names are written into the styles (``w:rFonts w:eastAsia``) so Word on an official's PC
uses them; each is named with a free alternate (Noto Serif CJK SC / Noto Sans CJK SC) in the font table
(``w:altName``) for machines without them. Latin text and figures use Times New Roman.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.image.exceptions import UnrecognizedImageError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from evalkit import i18n
from evalkit._shared.files import atomic_write
from evalkit._shared.numbers import MISSING, format_figure, format_fixed, is_missing
from evalkit.errors import ParameterError
from evalkit.plots.render import figure_png

__all__ = ["FALLBACK_FONTS", "FONTS", "LINE_PITCH_PT", "MARGINS_MM", "Draft", "cell_text", "new_draft",
           "rank_interval"]

#: GB/T 9704 margins of the A4 page in millimetres
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
#: fixed line pitch: 22 lines in the 225 mm type area
LINE_PITCH_PT = 28.95
#: East Asian font of each role (the names Word knows on a government PC)
FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "heading1": "黑体", "heading2": "楷体_GB2312",
         "table": "仿宋_GB2312", "page": "宋体"}
#: the free font named as the alternate of each East Asian font
FALLBACK_FONTS = {"方正小标宋简体": "Noto Serif CJK SC", "仿宋_GB2312": "Noto Serif CJK SC",
                  "黑体": "Noto Sans CJK SC", "楷体_GB2312": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC"}
_CHART_DPI = 200  # resolution of a chart drawn into a draft (dots per inch)
_LATIN = "Times New Roman"
_SIZES = {"title": 22, "body": 16, "heading1": 16, "heading2": 16, "table": 10.5, "caption": 12, "page": 14}


def _set_fonts(style_or_run, east_asian: str, size: float | None = None, *, bold: bool | None = None) -> None:
    font = style_or_run.font
    font.name = _LATIN
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), _LATIN)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _fixed_pitch(fmt, pitch: float = LINE_PITCH_PT) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pitch)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _font_table_fallbacks(document) -> None:
    """Name the free alternate of every East Asian font in ``word/fontTable.xml`` (``w:altName``)."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:  # pragma: no cover - the default template has a font table
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in FALLBACK_FONTS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "roman" if "Serif" in alt else "modern")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal, FONTS["body"], _SIZES["body"])
    _fixed_pitch(normal.paragraph_format)
    normal.paragraph_format.first_line_indent = Pt(2 * _SIZES["body"])
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, role in (("Heading 1", "heading1"), ("Heading 2", "heading2")):
        style = styles[name]
        _set_fonts(style, FONTS[role], _SIZES[role], bold=False)
        style.font.italic = False
        _fixed_pitch(style.paragraph_format)
        style.paragraph_format.first_line_indent = Pt(2 * _SIZES["body"])
        style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    _set_fonts(title, FONTS["title"], _SIZES["title"], bold=False)
    _fixed_pitch(title.paragraph_format, 36)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    caption = styles["Caption"]
    _set_fonts(caption, FONTS["heading1"], _SIZES["caption"], bold=False)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)
    caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    caption.paragraph_format.space_before = Pt(3)
    caption.paragraph_format.space_after = Pt(6)
    caption.paragraph_format.keep_with_next = True
    for name in ("Header", "Footer"):
        _set_fonts(styles[name], FONTS["page"], _SIZES["page"])
    bullet = styles["List Bullet"]
    _set_fonts(bullet, FONTS["body"], _SIZES["body"])
    _fixed_pitch(bullet.paragraph_format)
    bullet.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _page_number(section) -> None:
    """``— PAGE —`` centred in the footer (GB/T 9704 §7.5: 4号 Arabic figures between dashes)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    paragraph.add_run(" —")


def _page(section, *, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28 - 7)  # the page number sits 7 mm below the type area
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))


def _image_bytes(image) -> bytes:
    """PNG bytes of a matplotlib Figure or Axes (200 dpi, tight bounding box), a path, or bytes."""
    if isinstance(image, bytes | bytearray):
        return bytes(image)
    if isinstance(image, str | Path):
        return Path(image).read_bytes()
    return figure_png(getattr(image, "figure", image), _CHART_DPI)


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height in pixels of PNG *data* (from its IHDR chunk); ``None`` for another format."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def rank_interval(low: float, high: float, lang: str = "zh") -> str:
    """``第3–5名`` / ``3–5``; a single rank when both ends agree."""
    low, high = round(float(low)), round(float(high))
    if low == high:
        return i18n.t("documents.interval_single", lang, rank=low)
    return i18n.t("documents.interval", lang, low=low, high=high)


def cell_text(value: object, decimals: int | None = 1) -> str:
    """A table cell as the report prints numbers.

    :func:`~evalkit._shared.numbers.format_fixed` with *decimals*, or
    :func:`~evalkit._shared.numbers.format_figure` (a reader's figure, no trailing zeros) when ``None``.
    """
    if is_missing(value):
        return MISSING
    if decimals is None and isinstance(value, int | float) and not isinstance(value, bool):
        return format_figure(value)
    return format_fixed(value, 1 if decimals is None else decimals)


def _no_grid(paragraph) -> None:
    """Let a paragraph keep its own line height (table cells, captions, pictures) instead of the page grid."""
    ppr = paragraph._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.append(snap)


def _display_width(text: str) -> int:
    """Width in half-width units: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _auto_widths(frame: pd.DataFrame, total_mm: float, decimals) -> list[float]:
    """Column widths in mm that fill *total_mm*: figures never wrap, long text columns share what is left."""
    unit_mm, padding_mm = 1.95, 4.0  # half-width character at 10.5 pt; cell margins
    needs, wraps = [], []
    for name in frame.columns:
        places = decimals.get(name, 1) if isinstance(decimals, dict) else decimals
        longest = max([_display_width(cell_text(v, places)) for v in frame[name]] or [0])
        header = _display_width(str(name))
        header = header if header <= 8 else -(-header // 2)  # a long header may wrap onto two lines
        units = max(longest, header, 5)
        wraps.append(longest > 12)
        needs.append(min(units, 40) * unit_mm + padding_mm)
    if sum(needs) <= total_mm or not any(wraps):
        scale = total_mm / sum(needs)
        return [n * scale for n in needs]
    fixed = sum(n for n, w in zip(needs, wraps, strict=True) if not w)
    left = max(total_mm - fixed, 18.0 * sum(wraps))
    flexible = sum(n for n, w in zip(needs, wraps, strict=True) if w)
    widths = [n * left / flexible if w else n for n, w in zip(needs, wraps, strict=True)]
    scale = total_mm / sum(widths)
    return [w * scale for w in widths]


@lru_cache(maxsize=4)
def _cell_format(bold: bool, left: bool):
    """The paragraph and run properties (``w:pPr``, ``w:rPr``) of a table cell, made once and copied into each.

    Single-spaced off the page grid, 1.5 pt above and below, no indent, centred (or left-aligned); 仿宋 (黑体 in
    the header, *bold*) 五号. Copying the two elements is several times faster than setting each property
    through python-docx in every cell, and writes the same XML.
    """
    paragraph = Paragraph(OxmlElement("w:p"), None)
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = fmt.space_after = Pt(1.5)
    _no_grid(paragraph)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_fonts(run, FONTS["heading1"] if bold else FONTS["table"], _SIZES["table"])
    return paragraph._p.pPr, run._r.rPr


@dataclass
class Draft:
    """A Word document being written: the python-docx document plus figure/table counters and an outline."""

    document: object
    lang: str = "zh"
    figures: int = 0
    tables: int = 0
    outline: list = field(default_factory=list)
    landscape: bool = False
    _style_ids: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def text_width_mm(self) -> float:
        """Width of the type area (156 mm on A4 portrait)."""
        return (297 if self.landscape else 210) - MARGINS_MM["left"] - MARGINS_MM["right"]

    def _styled(self, text: str, style: str):
        """``document.add_paragraph(text, style)``, the style's id looked up once a draft, not on every call."""
        if style not in self._style_ids:
            self._style_ids[style] = self.document.styles.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        paragraph = self.document.add_paragraph(text)
        paragraph._p.style = self._style_ids[style]
        return paragraph

    def title(self, text: str) -> None:
        """The document title (style Title: 小标宋 2号, centred)."""
        self._styled(text, "Title")

    def centred(self, text: str, *, size: float | None = None, east_asian: str | None = None) -> None:
        """A centred line without indent (title page lines)."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        run = paragraph.add_run(text)
        _set_fonts(run, east_asian or FONTS["body"], size)

    def new_section(self, *, landscape: bool) -> None:
        """Start a new page in portrait or landscape A4 (a wide table); page numbers continue."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=landscape)
        self.landscape = landscape

    def page_break(self) -> None:
        """Start a new page."""
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def heading(self, text: str, level: int = 1) -> None:
        """A Word built-in heading (Heading 1: 黑体, Heading 2: 楷体), listed in the outline."""
        self._styled(text, f"Heading {level}" if level else "Title")  # as document.add_heading
        self.outline.append((level, text))

    def paragraph(self, text: str) -> None:
        """A body paragraph (仿宋 3号, first line indented by two characters)."""
        self.document.add_paragraph(text)

    def bullets(self, items: Sequence[str]) -> None:
        """A bulleted list."""
        for item in items:
            self._styled(item, "List Bullet")

    def caption(self, kind: str, text: str) -> None:
        """``图n text`` (kind ``figure``) or ``表n text`` (kind ``table``), numbered in order."""
        if kind == "figure":
            self.figures += 1
            number = self.figures
        else:
            self.tables += 1
            number = self.tables
        paragraph = self._styled(i18n.t(f"documents.caption.{kind}", self.lang, n=number, text=text), "Caption")
        _no_grid(paragraph)

    def picture(self, image, caption: str, *, alt: str | None = None, width_mm: float = 150,
                max_height_mm: float = 120) -> None:
        """A chart as a picture, its caption below (图n), its alt text set to *alt* (default: the caption).

        The picture is *width_mm* wide unless that would make it taller than *max_height_mm* (a one-panel
        chart drawn tall): then it is scaled down to that height, so a chart and its caption share a page.
        """
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # a fixed pitch would clip the picture to one line
        fmt.keep_with_next = True
        _no_grid(paragraph)
        run = paragraph.add_run()
        data = _image_bytes(image)
        size = _png_size(data)
        if size is not None and size[0] > 0 and width_mm * size[1] / size[0] > max_height_mm:
            width_mm = max_height_mm * size[0] / size[1]
        try:
            shape = run.add_picture(io.BytesIO(data), width=Mm(width_mm))
        except UnrecognizedImageError:
            raise ParameterError(f"the chart for {caption!r} is not a picture: give a matplotlib Figure or Axes, "
                                 "PNG/JPEG bytes or the path of an image file") from None
        shape._inline.docPr.set("descr", alt or caption)
        self.caption("figure", caption)

    def table(self, frame: pd.DataFrame, caption: str, *, decimals: int | dict | None = 1,
              widths_mm: Sequence | None = None, align_left: Sequence[str] = ()) -> None:
        """A real Word table of *frame* (header row repeated on every page), its caption above (表n).

        *decimals* is the number of places of every number, or a mapping column → places; ``None`` prints
        figures as a reader writes them (``58``, ``25.5``, ``1,234``).
        """
        self.caption("table", caption)
        table = self.document.add_table(rows=1, cols=len(frame.columns))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        trpr = header._tr.get_or_add_trPr()
        for tag in ("w:tblHeader", "w:cantSplit"):
            el = OxmlElement(tag)
            el.set(qn("w:val"), "true")
            trpr.append(el)
        rows = [header.cells]
        for cell, name in zip(rows[0], frame.columns, strict=True):
            self._cell(cell, str(name), bold=True, left=False)
        places = [decimals.get(name, 1) if isinstance(decimals, dict) else decimals for name in frame.columns]
        left = [name in align_left for name in frame.columns]
        for _, row in frame.iterrows():
            added = table.add_row()
            no_split = OxmlElement("w:cantSplit")
            no_split.set(qn("w:val"), "true")
            added._tr.get_or_add_trPr().append(no_split)
            rows.append(added.cells)
            for cell, value, n, is_left in zip(rows[-1], row.to_numpy(), places, left, strict=True):
                self._cell(cell, cell_text(value, n), left=is_left)
        table.autofit = False
        widths = list(widths_mm) if widths_mm else _auto_widths(frame, self.text_width_mm, decimals)
        for column, width in zip(table.columns, widths, strict=False):
            column.width = Mm(width)
        for cells in rows:
            for cell, width in zip(cells, widths, strict=False):
                cell.width = Mm(width)
        spacer = self.document.add_paragraph()
        spacer.paragraph_format.line_spacing = Pt(12)

    @staticmethod
    def _cell(cell, text: str, *, bold: bool = False, left: bool = False) -> None:
        """*text* in a table cell, centred vertically, its paragraph and run formatted as :func:`_cell_format`."""
        paragraph_format, run_format = _cell_format(bold, left)
        paragraph = cell.paragraphs[0]._p
        paragraph.insert(0, copy.deepcopy(paragraph_format))
        run = paragraph.add_r()
        run.append(copy.deepcopy(run_format))
        if text:
            run.text = text
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def save(self, path: str | Path) -> Path:
        """Write the document atomically (a reader never sees half a file; a failed write keeps the old one)."""
        path = Path(path)
        with atomic_write(path, "wb") as fh:
            self.document.save(fh)
        return path


def new_draft(*, lang: str = "zh", title: str = "", landscape: bool = False) -> Draft:
    """An empty document in the GB/T 9704 layout (A4, margins, fonts, 22 lines a page, page numbers)."""
    document = Document()
    _page(document.sections[0], landscape=landscape)
    _styles(document)
    _font_table_fallbacks(document)
    _page_number(document.sections[0])
    props = document.core_properties
    props.title = title
    props.author = "evalkit"
    props.created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.language = "zh-CN" if lang == "zh" else "en-GB"
    return Draft(document, lang, landscape=landscape)
