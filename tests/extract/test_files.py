"""Tests for evalkit.extract — Report files: encodings, CSV/XLSX output, argument checks.

Expected values are written by hand from the sentences (invented for these tests; see
tests/data/extract/README.md) or taken from ../shared/research/zh_number_libraries.md §5.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from evalkit.errors import FileFormatError, ParameterError
from evalkit.extract import (
    extract_file,
)

# ------------------------------------------------------------------------------------------ files

SAMPLE = "截至5月底，发放补贴2.26亿元，惠及66.74万人次。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_extract_file_reads_the_usual_encodings(tmp_path, encoding):
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    figures = extract_file(path, report_year=2020)
    assert figures["value"].tolist() == [226000000, 667400]
    assert figures["as_of"].tolist() == ["2020-05", "2020-05"]


def test_extract_file_refuses_other_encodings(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode("utf-16"))
    with pytest.raises(FileFormatError, match="UTF-8"):
        extract_file(path)
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(FileFormatError, match=r"report\.txt"):
        extract_file(path)
    with pytest.raises(FileFormatError, match="not found"):
        extract_file(tmp_path / "missing.txt")


def test_extract_file_writes_csv_and_xlsx(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    extract_file(path, output=tmp_path / "figures.csv")
    extract_file(path, output=tmp_path / "figures.xlsx")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    written = pd.read_csv(tmp_path / "figures.csv", encoding="utf-8-sig", dtype=str)
    assert written["surface"].tolist() == ["2.26亿元", "66.74万人次"]
    assert written["value"].tolist() == ["226000000", "667400"]
    book = pd.read_excel(tmp_path / "figures.xlsx", sheet_name="figures")
    assert book["value"].tolist() == [226000000, 667400]
    assert not list(tmp_path.glob(".*.tmp"))


def test_extract_file_output_checks(tmp_path):
    path = tmp_path / "report.csv"  # a text report that happens to be named .csv
    path.write_text(SAMPLE, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"\.csv or \.xlsx"):
        extract_file(path, output=tmp_path / "figures.json")
    with pytest.raises(ParameterError, match="input file"):
        extract_file(path, output=path)
    assert path.read_text(encoding="utf-8") == SAMPLE


