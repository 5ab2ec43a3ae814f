"""Tests for evalkit.extract.readers and extract_file on real files: Word, PDF, Excel, CSV, and the CLI.

The files are built in the test by python-docx, reportlab (its built-in STSong-Light CJK font) and openpyxl from
the invented report in tests/_data/extract.py; the expected figures are written by hand there
(REPORT_FIGURES).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from _data.extract import REPORT_FIGURES, REPORT_TABLE, make_docx, make_pdf, make_xlsx

from evalkit.cli import main
from evalkit.errors import FileFormatError
from evalkit.extract import extract_file, read_report
from evalkit.extract.readers import _unwrap


def _found(figures) -> set[tuple[Decimal, str]]:
    return set(zip(figures["value"], figures["unit"], strict=True))


def test_docx_paragraphs_and_table_rows(tmp_path):
    path = make_docx(tmp_path / "report.docx")
    text = read_report(path)
    assert "每千名老年人拥有养老床位31.2张" in text
    assert "城市低保人数\t万人\t7.1" in text  # a table row is one line of tab-separated cells
    figures = extract_file(path)
    assert _found(figures) == REPORT_FIGURES
    row = figures.set_index("surface").loc["7.1"]
    assert (row["subject"], row["kind"]) == ("城市低保人数", "level")


def test_pdf_text_and_table_rows(tmp_path):
    path = make_pdf(tmp_path / "report.pdf")
    text = read_report(path)
    assert "比上年增长2.1%" in text.replace("\n", "")
    assert any(line.startswith("城市低保人数\t") for line in text.splitlines())
    assert _found(extract_file(path)) == REPORT_FIGURES


def test_xlsx_cells_take_row_name_unit_column_and_year_header(tmp_path):
    figures = extract_file(make_xlsx(tmp_path / "table.xlsx"))
    got = {(r.subject, r.as_of, r.value, r.unit) for r in figures.itertuples()}
    assert got == {
        ("城市低保人数", "2019", Decimal(69000), "人"), ("城市低保人数", "2020", Decimal(71000), "人"),
        ("低保平均标准", "2019", Decimal(1180), "元/人·月"), ("低保平均标准", "2020", Decimal(1245), "元/人·月"),
        ("每千名老年人养老床位", "2019", Decimal("30.4"), "张/千人"),
        ("每千名老年人养老床位", "2020", Decimal("31.2"), "张/千人"),
    }


def test_csv_table_with_gbk_encoding(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes("\n".join(",".join(f'"{c}"' for c in row) for row in REPORT_TABLE).encode("gb18030"))
    figures = extract_file(path)
    assert _found(figures) == {(Decimal(71000), "人"), (Decimal(1245), "元/人·月")}


def test_old_and_damaged_files_say_how_to_fix(tmp_path):
    for name, fix in (("report.doc", "docx"), ("table.xls", "xlsx")):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0")
        with pytest.raises(FileFormatError, match=fix):
            extract_file(tmp_path / name)
    for name in ("broken.docx", "broken.pdf", "broken.xlsx"):
        (tmp_path / name).write_bytes(b"not really")
        with pytest.raises(FileFormatError, match=name.replace(".", r"\.")):
            extract_file(tmp_path / name)


def test_input_files_are_never_modified(tmp_path):
    path = make_docx(tmp_path / "report.docx")
    before = path.read_bytes()
    extract_file(path, output=tmp_path / "figures.csv")
    assert path.read_bytes() == before


def test_pdf_lines_wrapped_inside_a_paragraph_are_joined():
    lines = ["一、社会救助", "全市共有养老机构586家，每千名老年人拥有养老床位31.2张，比上年增",
             "长2.1%。", "2.完善制度。"]
    assert _unwrap(lines) == ["一、社会救助", "全市共有养老机构586家，每千名老年人拥有养老床位31.2张，比上年增长2.1%。",
                              "2.完善制度。"]


@pytest.mark.parametrize("maker, name", [(make_docx, "report.docx"), (make_pdf, "report.pdf")])
def test_cli_extracts_word_and_pdf(tmp_path, capsys, maker, name):
    path = maker(tmp_path / name)
    assert main(["extract", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("sentence_index,start,end,surface,value,unit")
    assert ",31.2,张/千人," in out and ",1245,元/人·月," in out
    target = tmp_path / "figures.xlsx"
    assert main(["extract", str(path), "-o", str(target)]) == 0
    assert target.is_file()
