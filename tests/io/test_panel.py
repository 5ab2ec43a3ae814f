"""Reading panels: encodings, layouts, headers, and a bad-input test for every error class."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from evalkit import io
from evalkit.errors import (
    ColumnError,
    DuplicateRowError,
    FileFormatError,
    InputFileError,
    OutOfRangeError,
    ParameterError,
    UnitConflictError,
    UnknownCodeError,
    ValueFormatError,
)

LONG = """region,year,indicator,value,source,status
210100,2019,dibao_urban_std,650,city bureau,official
210100,2020,dibao_urban_std,690.5,city bureau,official
210200,2020,beds_per_1000_elderly,31.2,city bureau,reported
"""


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_reads_csv_in_every_supported_encoding(write_text, encoding):
    text = LONG.replace("city bureau", "沈阳市统计局")
    path = write_text("panel.txt", text, encoding)  # the extension says nothing: detection is by content
    panel = io.read_panel(path)
    assert list(panel.columns) == ["region", "year", "indicator", "value", "source", "status", "note"]
    assert panel["source"].iloc[0] == "沈阳市统计局"
    assert panel.loc[(panel.region == "210100") & (panel.year == 2020), "value"].item() == 690.5
    assert panel["year"].dtype == np.int64 and panel["region"].iloc[0] == "210100"


def test_detect_encoding_distinguishes_gbk_from_utf8():
    assert io.detect_encoding("低保".encode()) == "utf-8"
    assert io.detect_encoding("低保".encode("gbk")) == "gb18030"
    assert io.detect_encoding(b"\xef\xbb\xbfa,b") == "utf-8-sig"
    with pytest.raises(FileFormatError, match="UTF-16"):
        io.detect_encoding("a,b".encode("utf-16"))


def test_chinese_headers_and_names_instead_of_codes(write_text):
    text = ("地区,年份,指标,数值,来源,状态,备注\n"
            "沈阳市,2020年,城市低保平均标准,\"1,234\",市民政局,官方,\n"
            "辽宁省,2020,每千名老年人口拥有养老床位数,２８．５,省民政厅,reported,季度数\n")
    panel = io.read_panel(write_text("zh.csv", text))
    assert set(panel.region) == {"210100", "210000"}
    row = panel.set_index("indicator").loc["dibao_urban_std"]
    assert row.value == 1234 and row.status == "official" and row.year == 2020
    assert panel.set_index("indicator").loc["beds_per_1000_elderly", "value"] == 28.5


def test_wide_yearbook_layout_with_units_and_not_available_marks(write_text):
    text = ("地区,指标,单位,2018,2019年,2020\n"
            "210100,pop_resident,万人,832.2,—,907.0093\n"
            "210100,dibao_urban_std,元/人·月,600,620,…\n")
    panel = io.read_panel(write_text("wide.csv", text))
    pop = panel[panel.indicator == "pop_resident"].set_index("year")["value"]
    assert pop[2018] == pytest.approx(8322000) and pop[2020] == pytest.approx(9070093)
    assert np.isnan(pop[2019])
    assert "not available" in panel[(panel.indicator == "pop_resident") & (panel.year == 2019)].note.item()
    assert len(panel.attrs["notes"]) == 2


def test_wide_layout_for_one_region_given_as_argument(write_text):
    text = "指标,2019,2020\ndibao_urban_std,600,650\n"
    panel = io.read_panel(write_text("one.csv", text), region="210300")
    assert set(panel.region) == {"210300"} and len(panel) == 2


def test_xlsx_sheet_by_name_and_first_sheet(tmp_path):
    path = tmp_path / "data.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"地区": ["210100"], "年份": [2020], "指标": ["dibao_urban_std"], "数值": [700]}).to_excel(
            writer, sheet_name="低保", index=False)
        pd.DataFrame({"地区": ["210200"], "指标": ["cremation_rate"], 2019: [80.5], 2020: [81.0]}).to_excel(
            writer, sheet_name="殡葬", index=False)
    assert io.read_panel(path)["indicator"].tolist() == ["dibao_urban_std"]
    second = io.read_panel(path, sheet="殡葬")
    assert second["year"].tolist() == [2019, 2020]
    with pytest.raises(FileFormatError, match="no sheet named"):
        io.read_panel(path, sheet="养老")


def test_template_round_trip(tmp_path):
    path = io.write_template(tmp_path / "template.xlsx")
    empty = io.read_panel(path)
    assert empty.empty
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    assert len(sheets) == 13  # instructions + 11 categories + context
    name = "社会救助"
    frame = sheets[name]
    frame.loc[frame["地区"] == "210100", "2020"] = 700
    with pd.ExcelWriter(path) as writer:
        for sheet, data in sheets.items():
            (frame if sheet == name else data).to_excel(writer, sheet_name=sheet, index=False)
    panel = io.read_panel(path)
    assert len(panel) == 3 and set(panel.indicator) == {"dibao_urban_std", "dibao_rural_std", "tekun_centralised_rate"}


def test_input_file_is_never_modified(write_text):
    path = write_text("bad.csv", "地区,年份,指标,数值\n210100,2020,dibao_urban_std,约3万\n", "gbk")
    before = _sha(path)
    with pytest.raises(ValueFormatError):
        io.read_panel(path)
    io_ok = write_text("ok.csv", LONG)
    ok_before = _sha(io_ok)
    io.read_panel(io_ok)
    assert _sha(path) == before and _sha(io_ok) == ok_before


# ---- one bad-input test per error class -------------------------------------------------------------
def test_missing_file_and_old_excel_are_file_format_errors(tmp_path):
    with pytest.raises(FileFormatError, match="not found"):
        io.read_panel(tmp_path / "nope.csv")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(FileFormatError, match=r"\.xlsx"):
        io.read_panel(old)
    empty = tmp_path / "empty.csv"
    empty.write_text("   \n")
    with pytest.raises(FileFormatError, match="empty"):
        io.read_panel(empty)


def test_missing_and_unknown_columns(write_text):
    with pytest.raises(ColumnError) as err:
        io.read_panel(write_text("a.csv", "region,year,value\n210100,2020,5\n"))
    assert "missing column 'indicator'" in str(err.value)
    with pytest.raises(ColumnError) as err:
        io.read_panel(write_text("b.csv", "region,year,indicator,value,colour\n210100,2020,cremation_rate,5,red\n"))
    assert err.value.problems[0].column == "colour" and "rename" in str(err.value)


def test_unknown_region_and_indicator_with_suggestions(write_text):
    text = "region,year,indicator,value\n219900,2020,cremation_rate,5\n210100,2020,cremation_rat,5\n"
    with pytest.raises(UnknownCodeError) as err:
        io.read_panel(write_text("c.csv", text))
    rows = {(p.row, p.column, p.value) for p in err.value.problems}
    assert rows == {(2, "region", "219900"), (3, "indicator", "cremation_rat")}
    assert "did you mean 'cremation_rate'" in str(err.value)


def test_duplicates_name_both_rows(write_text):
    text = LONG + "210100,2020,dibao_urban_std,691,other,official\n"
    with pytest.raises(DuplicateRowError) as err:
        io.read_panel(write_text("d.csv", text))
    assert "rows 3, 5" in str(err.value)


def test_non_numeric_values(write_text):
    text = "region,year,indicator,value\n210100,2020,pop_resident,约3万\n210100,2019,pop_resident,3万左右\n"
    with pytest.raises(ValueFormatError) as err:
        io.read_panel(write_text("e.csv", text))
    assert [(p.row, p.value) for p in err.value.problems] == [(2, "约3万"), (3, "3万左右")]


def test_unit_suffix_conflicting_with_the_catalogue(write_text):
    text = "region,year,indicator,value\n210100,2020,pop_resident,3.5亿元\n210100,2019,pop_resident,3.5万人\n"
    with pytest.raises(UnitConflictError) as err:
        io.read_panel(write_text("f.csv", text))
    assert len(err.value.problems) == 1 and err.value.problems[0].row == 2


def test_years_out_of_range_and_infinite_values(write_text):
    text = ("region,year,indicator,value\n210100,20200,pop_resident,5\n210100,2019,pop_resident,inf\n"
            "210100,2018,pop_resident,NaN\n")
    with pytest.raises(OutOfRangeError) as err:
        io.read_panel(write_text("g.csv", text))
    assert [p.row for p in err.value.problems] == [2, 3, 4]


def test_all_problems_of_mixed_kinds_are_reported_together(write_text):
    text = ("地区,年份,指标,数值\n"
            "210100,2020,dibao_urban_std,650\n"
            "210100,2020,dibao_urban_std,650\n"
            "210100,2019,dibao_urban_std,约3万\n"
            "299999,2019,dibao_urban_std,1\n")
    path = write_text("gbk.csv", text, "gbk")
    with pytest.raises(InputFileError) as err:
        io.read_panel(path)
    assert type(err.value) is InputFileError
    kinds = {type(p.kind).__name__ if False else p.kind.__name__ for p in err.value.problems}
    assert kinds == {"DuplicateRowError", "ValueFormatError", "UnknownCodeError"}
    message = str(err.value)
    assert "3 problems found" in message and "gbk.csv" in message
    assert "row 4, column 'value'" in message and "row 5, column 'region'" in message


def test_reference_tables_keep_codes_as_text():
    regions = io.read_reference("regions")
    assert regions["code"].iloc[0] == "000000"
    with pytest.raises(Exception, match="did you mean 'regions'"):
        io.read_reference("region")


def test_write_excel_is_atomic_and_formatted(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous good file")
    frame = pd.DataFrame({"指标": ["城市低保平均标准"], "year": [2020], "value": [677.6]})
    with pytest.raises(ParameterError):
        io.write_excel({"bad/name": frame}, target)
    assert target.read_bytes() == b"previous good file"
    io.write_excel({"表": frame}, target, sources=pd.DataFrame({"source": ["民政统计公报"]}))
    from openpyxl import load_workbook

    wb = load_workbook(target)
    assert wb.sheetnames == ["表", "sources"]
    ws = wb["表"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold and ws["C2"].number_format == "#,##0.00"
    assert ws["B2"].number_format == "0"
    assert not list(tmp_path.glob(".out.xlsx.*"))


def test_atomic_write_leaves_files_readable(tmp_path):
    path = io.write_csv(pd.DataFrame({"a": [1]}), tmp_path / "x.csv")
    assert path.stat().st_mode & 0o044 == 0o044
