"""Shared test data for evalkit.extract: the folder of test texts and a one-figure helper."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from evalkit.extract import extract_figures

__all__ = ["CORPUS", "DATA", "HELD_OUT", "REPORT_FIGURES", "REPORT_PARAGRAPHS", "REPORT_TABLE", "Score", "gold_rows",
           "locate", "make_docx", "make_pdf", "make_xlsx", "one", "score"]

DATA = Path(__file__).resolve().parents[1] / "data" / "extract"


def one(text: str, **kwargs) -> pd.Series:
    """The single figure of *text* (fails the test when there is not exactly one)."""
    figures = extract_figures(text, **kwargs)
    assert len(figures) == 1, figures[["surface", "value", "unit"]]
    return figures.iloc[0]


#: The public texts of the corpus by genre (tests/data/extract/README.md gives their sources).
CORPUS = {
    "bulletin_national_2020.txt": "national statistical bulletin",
    "bulletin_services_2013.txt": "national bulletin with a table",
    "monthly_beijing_2022_03.txt": "monthly statistics table",
    "plan_targets.txt": "plan targets",
    "summary_city_2018.txt": "city work summary",
    "gazetteer_county_2005.txt": "county gazetteer (relief)",
    "gazetteer_guangchang.txt": "county gazetteer (relief), held out",
    "research_taizhou.txt": "research report (elderly care), held out",
}
#: Texts annotated before any tuning and measured once: the figures that count.
HELD_OUT = ("gazetteer_guangchang.txt", "research_taizhou.txt")


@dataclass(frozen=True)
class Score:
    """Figures matched, predicted and annotated in one text."""

    matched: int
    predicted: int
    gold: int
    missed: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def precision(self) -> float:
        """Matched / predicted (1.0 when nothing is predicted)."""
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Matched / annotated."""
        return self.matched / self.gold if self.gold else 1.0


def gold_rows(name: str) -> list[dict]:
    """The hand-annotated figures of corpus text *name*, in text order."""
    with (DATA / "corpus_expected.csv").open(encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row["file"] == name]


def locate(text: str, rows: list[dict]) -> list[tuple[int, int]]:
    """Spans of the gold surfaces, each searched after the previous one (the annotation is in text order)."""
    spans, cursor = [], 0
    for row in rows:
        start = text.find(row["surface"], cursor)
        assert start >= 0, f"{row['file']}: gold surface {row['surface']!r} not found after offset {cursor}"
        spans.append((start, start + len(row["surface"])))
        cursor = start + len(row["surface"])
    return spans


def score(name: str, *, with_unit: bool = True) -> Score:
    """Precision and recall of ``extract_figures`` on corpus text *name*.

    A prediction matches a gold figure when their spans overlap and the values are equal (relative tolerance
    1e-6) and, with *with_unit*, the units are equal; matching is one-to-one and greedy in text order (the rule of
    tests/reference/test_seed_gold.py, with spans located in the text instead of sentence numbers).
    """
    text = (DATA / name).read_text(encoding="utf-8")
    rows = gold_rows(name)
    spans = locate(text, rows)
    figures = list(extract_figures(text).itertuples(index=False))
    used: set[int] = set()
    missed = []
    for row, (start, end) in zip(rows, spans, strict=True):
        value = Decimal(row["value"])
        for k, figure in enumerate(figures):
            if k in used or figure.end <= start or figure.start >= end:
                continue
            if abs(figure.value - value) <= abs(value) * Decimal("1e-6") and (
                    not with_unit or figure.unit == row["unit"]):
                used.add(k)
                break
        else:
            missed.append(f"{row['surface']}={row['value']} {row['unit']}")
    extra = tuple(f"{f.surface}={f.value} {f.unit}" for k, f in enumerate(figures) if k not in used)
    return Score(len(used), len(figures), len(rows), tuple(missed), extra)


#: A small work report with a table, written into real Word/PDF/Excel/CSV files by the builders below
#: (invented sentences and numbers: 示例文本，虚构材料).
REPORT_PARAGRAPHS = (
    "一、社会救助",
    "截至2020年底，全市共有养老机构586家，每千名老年人拥有养老床位31.2张，比上年增长2.1%。",
    "全年发放临时救助资金1,862.4万元，惠及困难群众2.3万余人次。",
)
REPORT_TABLE = (("指标", "单位", "数量"), ("城市低保人数", "万人", "7.1"), ("低保平均标准", "元/人·月", "1,245.0"))
#: What a reader must find in every format: (value, unit) of the figures above.
REPORT_FIGURES = {(Decimal(586), "家"), (Decimal("31.2"), "张/千人"), (Decimal("2.1"), "%"),
                  (Decimal(18624000), "元"), (Decimal(23000), "人次"), (Decimal(71000), "人"),
                  (Decimal(1245), "元/人·月")}


def make_docx(path: Path) -> Path:
    """The report as a Word file (python-docx): three paragraphs and a table."""
    import docx

    document = docx.Document()
    for text in REPORT_PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(REPORT_TABLE), cols=3)
    for i, row in enumerate(REPORT_TABLE):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("以上数据为示例。")
    document.save(str(path))
    return path


def make_pdf(path: Path) -> Path:
    """The report as a PDF made by reportlab with its built-in CJK font (STSong-Light), the table ruled."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")
    table = Table([list(row) for row in REPORT_TABLE])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(t, style) for t in REPORT_PARAGRAPHS] + [table])
    return path


def make_xlsx(path: Path) -> Path:
    """The table as an Excel sheet with a header row: 指标 | 单位 | 2019 | 2020 (numbers as numbers)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "社会救助"
    sheet.append(["指标", "单位", 2019, 2020])
    sheet.append(["城市低保人数", "万人", 6.9, 7.1])
    sheet.append(["低保平均标准", "元/人·月", 1180, 1245.0])
    sheet.append(["每千名老年人养老床位", "张", 30.4, 31.2])
    workbook.save(str(path))
    return path
