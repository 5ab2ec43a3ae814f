"""Files as analysts really bring them: Excel/WPS quirks, hand-made CSVs, yearbook conventions.

Each test is a case that once went wrong (a traceback, a wrong row number, or a silently wrong value).
"""
from __future__ import annotations

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from evalkit import i18n, io
from evalkit.errors import (
    ColumnError,
    DuplicateRowError,
    FileFormatError,
    InputFileError,
    OutOfRangeError,
    UnitConflictError,
    UnknownCodeError,
    ValueFormatError,
)

HEADER = "region,year,indicator,value\n"


def _xlsx(path, rows, *, merges=(), formats=None):
    """A one-sheet workbook; ``formats`` maps a cell such as ``"D2"`` to an Excel number format."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for cell, fmt in (formats or {}).items():
        sheet[cell].number_format = fmt
    book.save(path)
    return path


# ---- CSV as hand-made or exported -------------------------------------------------------------------
def test_unquoted_thousands_separator_is_a_clear_error_not_a_traceback(write_text):
    # 1,234 without quotes splits into two fields: the row has one more cell than the header
    path = write_text("ragged.csv", HEADER + "210100,2020,pop_resident,5\n210100,2019,pop_resident,1,234\n")
    with pytest.raises(ColumnError) as err:
        io.read_panel(path)
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "E", "234")
    assert "without a header" in problem.message and '"1,234"' in problem.fix


def test_row_numbers_count_blank_lines(write_text):
    path = write_text("blank.csv", HEADER + "\n210100,2020,pop_resident,5\n\n210100,2019,pop_resident,x\n")
    with pytest.raises(ValueFormatError) as err:
        io.read_panel(path)
    assert err.value.problems[0].row == 5


def test_trailing_separators_left_by_excel_are_ignored(write_text):
    path = write_text("trail.csv", "region,year,indicator,value,,\n210100,2020,pop_resident,5,,\n")
    assert io.read_panel(path)["value"].tolist() == [5.0]


def test_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(write_text, tmp_path):
    csv_path = write_text("title.csv", "2020年辽宁省民政统计,,,\n,,,\n地区,年份,指标,数值\n"
                                       "210100,2020,pop_resident,5\n210100,2019,pop_resident,约3万\n")
    with pytest.raises(ValueFormatError) as err:
        io.read_panel(csv_path)
    assert err.value.problems[0].row == 5
    xlsx = _xlsx(tmp_path / "title.xlsx", [["2020年辽宁省民政统计"], ["单位：人"], ["地区", "年份", "指标", "数值"],
                                           [210100, 2020, "pop_resident", 5]])
    assert io.read_panel(xlsx)["value"].tolist() == [5.0]


def test_semicolon_separated_csv_with_a_title_line(write_text):
    path = write_text("semi.csv", "辽宁省民政统计\nregion;year;indicator;value\n210100;2020;pop_resident;5\n"
                                  "210100;2019;pop_resident;6\n")
    assert io.read_panel(path)["value"].tolist() == [6.0, 5.0]


def test_digits_split_by_a_line_break_or_stray_space_are_not_joined(write_text):
    path = write_text("split.csv", HEADER + '210100,2020,pop_resident,"5\n6"\n210100,2019,pop_resident,1 2\n')
    with pytest.raises(ValueFormatError) as err:
        io.read_panel(path)
    assert [p.row for p in err.value.problems] == [2, 3]


def test_utf16_without_byte_order_mark_is_named():
    with pytest.raises(FileFormatError, match="UTF-16"):
        io.detect_encoding("region,year\n".encode("utf-16-le"))


# ---- Excel / WPS --------------------------------------------------------------------------------------
def test_wps_two_row_header_with_merged_year_cell(tmp_path):
    path = _xlsx(tmp_path / "merged.xlsx", [["地区", "指标", "年份", None], [None, None, 2019, 2020],
                                            ["沈阳市", "常住人口", 9000000, "—"]],
                 merges=["A1:A2", "B1:B2", "C1:D1"])
    panel = io.read_panel(path)
    assert panel["year"].tolist() == [2019, 2020] and panel["value"].iloc[0] == 9000000
    assert panel.attrs["notes"] == ["row 3, 2020: marked not available (—)"]


def test_percent_formatted_excel_cells_are_read_as_shown(tmp_path):
    # Excel stores 12.5% as 0.125; read as 0.125 it would silently be a 100 times too small rate
    path = _xlsx(tmp_path / "pct.xlsx", [["地区", "年份", "指标", "数值"], [210100, 2020, "cremation_rate", 0.125],
                                         [210100, 2020, "pop_resident", 0.5]], formats={"D2": "0.0%", "D3": "0%"})
    with pytest.raises(UnitConflictError) as err:
        io.read_panel(path)
    assert [(p.row, p.value) for p in err.value.problems] == [(3, "50%")]
    book = load_workbook(path)
    book.active.delete_rows(3)
    book.save(path)
    assert io.read_panel(path)["value"].tolist() == [12.5]


def test_excel_error_cells_are_not_read_as_empty(tmp_path):
    path = _xlsx(tmp_path / "err.xlsx", [["地区", "年份", "指标", "数值"], [210100, 2020, "pop_resident", "#DIV/0!"],
                                         [210100, 2019, "pop_resident", "#REF!"]])
    with pytest.raises(InputFileError) as err:
        io.read_panel(path)
    assert {(p.row, p.kind) for p in err.value.problems} == {(2, OutOfRangeError), (3, ValueFormatError)}


def test_national_code_typed_as_a_number_loses_its_zeros(tmp_path):
    path = _xlsx(tmp_path / "nat.xlsx", [["地区", "年份", "指标", "数值"], [0, 2020, "pop_resident", 5],
                                         [210100.0, 2020, "pop_resident", 6]])
    assert io.read_panel(path)["region"].tolist() == ["000000", "210100"]


def test_empty_sheet_is_a_file_format_error(tmp_path):
    path = _xlsx(tmp_path / "empty.xlsx", [])
    with pytest.raises(FileFormatError, match="empty"):
        io.read_panel(path)


def test_header_with_a_line_break_is_recognised(tmp_path):
    path = _xlsx(tmp_path / "nl.xlsx", [["地区\n代码", "年份", "指标", "数值"], ["210100", 2020, "pop_resident", 5]])
    assert io.read_panel(path)["region"].tolist() == ["210100"]


# ---- yearbook conventions ---------------------------------------------------------------------------
def test_yearbook_region_names_padded_or_short(write_text):
    text = "地区,2019,2020年度\n全省,1,2\n沈　阳,3,4\n大  连,5,6\nAnshan,7,8\n"
    panel = io.read_panel(write_text("yb.csv", text), indicator="pop_resident")
    assert sorted(set(panel.region)) == ["210000", "210100", "210200", "210300"]


def test_wide_layout_reports_a_bad_row_label_once(write_text):
    text = "地区,指标,单位,2019,2020\n合计,pop_resident,人,1,2\n210100,pop_resident,亿元,1,2\n"
    with pytest.raises(InputFileError) as err:
        io.read_panel(write_text("w.csv", text))
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "region"), (3, "unit")]


def test_status_words_the_workbook_itself_uses_are_accepted(write_text):
    shown = i18n.labels("audit.status", "zh")  # the words the audit tables print
    text = HEADER.strip() + ",status\n" + "".join(
        f"210100,{2015 + i},pop_resident,5,{w}\n" for i, w in enumerate(shown.values()))
    panel = io.read_panel(write_text("st.csv", text))
    assert panel["status"].tolist() == list(shown)


def test_code_and_name_columns_that_disagree(write_text):
    text = "地区,地区名称,年份,指标,指标名称,数值\n210100,大连市,2020,pop_resident,常住人口,5\n"
    with pytest.raises(UnknownCodeError) as err:
        io.read_panel(write_text("cn.csv", text))
    problem = err.value.problems[0]
    assert problem.column == "region_name" and problem.value == "大连市" and "210100 is 沈阳市" in problem.message


# ---- the template workbook --------------------------------------------------------------------------
def test_duplicate_across_template_sheets_names_both_sheets(tmp_path):
    path = io.write_template(tmp_path / "t.xlsx")
    book = load_workbook(path)
    first, second = book["社会救助"], book["儿童福利"]
    header = [c.value for c in first[1]]
    first.cell(2, header.index("2020") + 1).value = 650
    second.append([first.cell(2, i + 1).value for i in range(len(header))])
    book.save(path)
    with pytest.raises(DuplicateRowError) as err:
        io.read_panel(path)
    message = str(err.value)
    assert "社会救助 row 2" in message and f"儿童福利 row {second.max_row}" in message


def test_template_values_with_units_and_not_available_marks(tmp_path):
    path = io.write_template(tmp_path / "t.xlsx")
    book = load_workbook(path)
    sheet = book["背景指标"]
    header = [c.value for c in sheet[1]]
    rows = {(r[0].value, r[2].value): r[0].row for r in sheet.iter_rows(min_row=2)}
    sheet.cell(rows["210100", "pop_resident"], header.index("2020") + 1).value = "907.0093万"
    sheet.cell(rows["210100", "pop_resident"], header.index("2019") + 1).value = "—"
    sheet.cell(rows["210100", "pop_resident"], header.index("状态") + 1).value = "官方统计"
    book.save(path)
    panel = io.read_panel(path)
    assert panel["value"].iloc[-1] == pytest.approx(9070093) and np.isnan(panel["value"].iloc[0])
    assert set(panel["status"]) == {"official"}


def test_region_merged_over_several_rows_says_to_fill_it_down(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", [["地区", "指标", 2019, 2020], ["沈阳市", "常住人口", 1, 2],
                                       [None, "孤儿", 3, 4]], merges=["A2:A3"])
    with pytest.raises(UnknownCodeError) as err:
        io.read_panel(path)
    problem, = err.value.problems
    assert (problem.row, problem.column, problem.message) == (3, "region", "no region")
    assert "merged cell" in problem.fix


def test_a_footnote_row_names_its_empty_cells(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", [["地区", "年份", "指标", "数值"], [210100, 2020, "pop_resident", 5],
                                       ["注：数据来源于统计局"]])
    with pytest.raises(InputFileError) as err:
        io.read_panel(path)
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [
        (3, "region", "注：数据来源于统计局"), (3, "indicator", "(empty)"), (3, "year", "(empty)")]
