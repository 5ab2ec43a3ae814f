"""The evalkit command as an analyst uses it: validate, template, sample, clear errors without tracebacks."""
import subprocess
import sys

from evalkit import cli


def test_validate_good_file(capsys):
    assert cli.main(["validate", "data/sample/panel.csv"]) == 0
    out = capsys.readouterr().out
    assert "3600 values" in out and "illustrative" in out


def test_validate_gbk_file_lists_each_problem_with_file_row_and_column(write_text, capsys):
    text = ("地区,年份,指标,数值\n"
            "210100,2020,dibao_urban_std,650\n"
            "210100,2020,dibao_urban_std,650\n"
            "210200,2020,pop_resident,约3万\n")
    path = write_text("city.csv", text, "gbk")
    assert cli.main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "city.csv" in err
    assert "row 3" in err and "column 'region/year/indicator'" in err and "appears 2 times (rows 2, 3)" in err
    assert "row 4, column 'value'" in err and "约3万" in err
    assert "Traceback" not in err


def test_template_then_validate(tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    assert cli.main(["template", "-o", str(path)]) == 0
    assert path.exists()
    assert cli.main(["validate", str(path)]) == 0
    assert "no values" in capsys.readouterr().out


def test_template_does_not_overwrite_a_workbook_without_force(tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"an analyst's filled-in workbook")
    assert cli.main(["template", "-o", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert path.read_bytes() == b"an analyst's filled-in workbook"
    assert cli.main(["template", "-o", str(path), "--force"]) == 0
    assert path.read_bytes().startswith(b"PK")


def test_sample_writes_a_valid_panel(tmp_path):
    path = tmp_path / "panel.csv"
    assert cli.main(["sample", "-o", str(path)]) == 0
    assert cli.main(["validate", str(path)]) == 0


def test_console_script_reports_errors_without_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "evalkit.cli", "validate", str(tmp_path / "missing.csv")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "file not found" in result.stderr and "Traceback" not in result.stderr


def test_sample_for_another_area_then_validate(tmp_path, capsys):
    x, y = tmp_path / "x.csv", tmp_path / "y.parquet"
    assert cli.main(["sample", "--region", "220000", "--level", "city", "-o", str(x)]) == 0
    assert cli.main(["sample", "--region", "210000", "--level", "county", "-o", str(y)]) == 0
    assert cli.main(["validate", str(x)]) == 0
    assert "10 regions" in capsys.readouterr().out
    assert cli.main(["validate", str(y)]) == 0
    assert "101 regions" in capsys.readouterr().out


def test_template_split_writes_one_workbook_per_unit_and_never_overwrites(tmp_path, capsys):
    folder = tmp_path / "out"
    assert cli.main(["template", "--region", "211100", "--level", "county", "--split", str(folder)]) == 0
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["211102_双台子区.xlsx", "211103_兴隆台区.xlsx", "211104_大洼区.xlsx", "211122_盘山县.xlsx"]
    from evalkit import io

    rows = io.read_panel(folder / files[0], layout="wide")  # empty: the template has no values yet
    assert rows.empty
    import pandas as pd

    sheet = pd.read_excel(folder / files[0], sheet_name=1, dtype=str)
    assert set(sheet["地区"]) == {"211102"}  # each unit's workbook has its own rows only
    assert cli.main(["template", "--region", "211100", "--level", "county", "--split", str(folder)]) == 2
    assert "exist already" in capsys.readouterr().err


def test_validate_several_files_reports_each_and_conflicts(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("region,year,indicator,value\n210102,2020,dibao_urban_std,800\n", encoding="utf-8")
    b.write_text("region,year,indicator,value\n220100,2020,dibao_urban_std,780\n", encoding="utf-8")
    assert cli.main(["validate", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "2 regions" in out and "a.csv: 1 regions, 1 values; lacks 23 assessment values" in out
    b.write_text("region,year,indicator,value\n210102,2020,dibao_urban_std,801\n", encoding="utf-8")
    assert cli.main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "800 in a.csv and 801 in b.csv" in err
