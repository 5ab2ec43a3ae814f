"""File formats at the edges: Excel's Unicode Text, header-only files, Parquet, the fast and the careful reader."""
import numpy as np
import pandas as pd
import pytest

from evalkit import io
from evalkit.errors import ColumnError, FileFormatError

LONG = "地区\t年份\t指标\t数值\n210100\t2020\tdibao_urban_std\t690.5\n210200\t2019\t常住人口\t7450000\n"


def test_excel_unicode_text_export_is_read(tmp_path):
    # Excel's "Unicode Text" (*.txt) is UTF-16 little-endian with a byte-order mark, tab-separated
    path = tmp_path / "export.txt"
    path.write_bytes(LONG.encode("utf-16"))
    assert path.read_bytes()[:2] == b"\xff\xfe"
    panel = io.read_panel(path)
    assert panel["value"].tolist() == [690.5, 7450000.0]


def test_a_csv_with_a_header_and_no_rows_is_an_error(write_text):
    with pytest.raises(FileFormatError, match="header but no rows"):
        io.read_panel(write_text("empty.csv", "region,year,indicator,value\n"))


def test_an_xlsx_with_a_header_and_no_rows_is_an_error(tmp_path):
    path = tmp_path / "empty.xlsx"
    pd.DataFrame(columns=["地区", "年份", "指标", "数值"]).to_excel(path, index=False)
    with pytest.raises(FileFormatError, match="header but no rows"):
        io.read_panel(path)


def test_parquet_round_trip(tmp_path):
    panel = io.read_panel("data/sample/panel.csv")
    path = io.write_panel(panel, tmp_path / "panel.parquet")
    assert path.read_bytes()[:4] == b"PAR1"
    back = io.read_panel(path)
    pd.testing.assert_frame_equal(back[["region", "year", "indicator", "status"]],
                                  panel[["region", "year", "indicator", "status"]])
    np.testing.assert_array_equal(back["value"].to_numpy(), panel["value"].to_numpy())


def test_parquet_problems_name_the_row_as_in_the_csv(tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"region": ["210100", "219999"], "year": [2020, 2020], "indicator": ["pop_resident"] * 2,
                  "value": [1.0, 2.0]}).to_parquet(path)
    with pytest.raises(Exception) as err:
        io.read_panel(path)
    (problem,) = err.value.problems
    assert problem.row == 3 and problem.value == "219999"


def _big_csv(tmp_path, extra: str = "") -> str:
    rows = "".join(f"{r},{y},pop_resident,{y * 10}\n" for r in ("210100", "210200", "210300")
                   for y in range(2001, 2021))
    path = tmp_path / "big.csv"
    path.write_text("region,year,indicator,value\n" + rows + extra, encoding="utf-8")
    return path


def test_the_fast_reader_gives_the_careful_readers_panel(tmp_path):
    path = _big_csv(tmp_path)
    fast = io.read_panel(path)
    careful = io.read_panel(_big_csv(tmp_path, extra='210400,2020,pop_resident,"1\n"\n'))
    assert len(fast) == 60 and len(careful) == 61  # a quoted line break: read by the careful reader
    pd.testing.assert_frame_equal(careful[careful.region != "210400"].reset_index(drop=True), fast)


def test_a_ragged_row_falls_back_and_is_reported_with_its_row(tmp_path):
    path = _big_csv(tmp_path, extra="210400,2020,pop_resident,1,stray\n")
    with pytest.raises(ColumnError) as err:
        io.read_panel(path)
    assert err.value.problems[0].row == 62 and err.value.problems[0].value == "stray"


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(write_text):
    path = write_text("b.csv", "region,year,indicator,value\n210100,2020,pop_resident,1\n,,,\n"
                               "210200,2020,pop_resident,x\n")
    with pytest.raises(Exception) as err:
        io.read_panel(path)
    assert [p.row for p in err.value.problems] == [4]
