"""Collecting data from the units: a folder or several files merged, conflicts named with both files."""
import pytest

from evalkit import io
from evalkit.errors import FileFormatError, InputFileError

HEAD = "region,year,indicator,value\n"


def _files(tmp_path, **texts):
    folder = tmp_path / "returned"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.csv").write_text(HEAD + text, encoding="utf-8")
    return folder


def test_a_folder_is_read_and_merged_with_a_line_per_file(tmp_path):
    folder = _files(tmp_path, shenyang="210100,2020,dibao_urban_std,800\n210100,2019,dibao_urban_std,760\n",
                    dalian="210200,2020,dibao_urban_std,810\n")
    (folder / "~$shenyang.xlsx").write_bytes(b"lock")  # Excel's lock file is not a panel
    panel = io.read_panel(folder)
    assert panel["region"].tolist() == ["210100", "210100", "210200"] and panel["year"].tolist() == [2019, 2020, 2020]
    files = panel.attrs["files"]
    assert files["file"].str.endswith(("dalian.csv", "shenyang.csv")).all()
    assert files["values"].tolist() == [1, 2]  # sorted by name: dalian, shenyang
    # 24 assessment indicators × 2 years for one region each: dalian has 1 value, shenyang 2
    assert files["missing"].tolist() == [24 * 2 - 1, 24 * 2 - 2]
    assert "dibao_urban_std" in files["missing_indicators"].iloc[0]
    assert "dibao_urban_std" not in files["missing_indicators"].iloc[1]
    assert len(panel.attrs["sha256"]) == 2


def test_two_files_with_different_values_are_an_error_naming_both(tmp_path):
    folder = _files(tmp_path, a="210100,2020,pop_resident,9070093\n", b="210100,2020,pop_resident,9070000\n")
    with pytest.raises(InputFileError) as err:
        io.read_panel(folder)
    (problem,) = err.value.problems
    assert "a.csv" in problem.message and "b.csv" in problem.message
    assert "9070093" in problem.message and "9070000" in problem.message
    assert problem.file.endswith("b.csv") and "a.csv" in problem.fix


def test_the_same_value_in_two_files_is_kept_once_with_a_note(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(HEAD + "210100,2020,pop_resident,5\n", encoding="utf-8")
    b.write_text(HEAD + "210100,2020,pop_resident,5\n210200,2020,pop_resident,6\n", encoding="utf-8")
    panel = io.read_panel([a, b])
    assert panel["value"].tolist() == [5.0, 6.0]
    assert any("kept once" in n for n in panel.attrs["notes"])


def test_problems_of_every_file_are_reported_together(tmp_path):
    folder = _files(tmp_path, a="219999,2020,pop_resident,1\n", b="210100,2020,pop_resident,约3万\n")
    with pytest.raises(InputFileError) as err:
        io.read_panel(folder)
    assert sorted(p.file.rsplit("/", 1)[-1] for p in err.value.problems) == ["a.csv", "b.csv"]


def test_an_empty_folder_is_a_file_format_error(tmp_path):
    with pytest.raises(FileFormatError, match="no panel files"):
        io.read_panel(tmp_path)
