from pathlib import Path

import pytest

from evalkit import errors, paths


def test_project_root_and_env_overrides(monkeypatch, tmp_path):
    root = paths.project_root()
    assert (root / "pyproject.toml").is_file()
    monkeypatch.setenv("EVALKIT_DATA", str(tmp_path))
    assert paths.data_dir() == tmp_path.resolve()
    assert paths.sample_panel_path() == tmp_path.resolve() / "sample" / "panel.csv"
    monkeypatch.setenv("EVALKIT_REFERENCE_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(errors.ReferenceDataMissing, match="EVALKIT_REFERENCE_DATA"):
        paths.require_reference_data("mpdta", "mpdta.csv")


def test_resolve_relative_to_cwd_then_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert paths.resolve("data/sample/panel.csv") == paths.project_root() / "data" / "sample" / "panel.csv"
    (tmp_path / "mine.csv").write_text("x")
    assert paths.resolve("mine.csv") == (tmp_path / "mine.csv").resolve()
    assert paths.resolve(Path("/abs/file.csv")) == Path("/abs/file.csv")


def test_errors_list_problems_with_location_and_fix():
    problems = [errors.Problem(f"bad {i}", file="f.csv", row=i + 2, column="value", value="x", fix="do y",
                               kind=errors.ValueFormatError) for i in range(errors.MAX_LISTED + 3)]
    with pytest.raises(errors.ValueFormatError) as err:
        errors.raise_problems(problems, path="f.csv")
    text = str(err.value)
    assert text.startswith(f"{errors.MAX_LISTED + 3} problems found in f.csv")
    assert "f.csv, row 2, column 'value': bad 0 (value 'x') — fix: do y" in text
    assert "… and 3 more" in text
    assert len(err.value.problems) == errors.MAX_LISTED + 3
    errors.raise_problems([], path="f.csv")  # nothing to raise


def test_a_huge_value_is_shortened_in_the_message():
    # an unclosed quote in a CSV makes the rest of the file one cell
    text = str(errors.Problem("not a number", file="f.csv", row=2, value="5" + "x" * 10_000))
    assert len(text) < 200 and "…" in text


def test_config_error_names_file_line_and_key():
    err = errors.ConfigError("unknown key", file="runs.yml", key="jobs[0].gird", line=7, fix="did you mean grid?")
    assert str(err) == "runs.yml, line 7, key 'jobs[0].gird': unknown key — fix: did you mean grid?"
    assert isinstance(err, errors.EvalkitError)


def test_unit_errors_are_evalkit_errors_and_keep_their_old_home():
    from evalkit import errors, units

    assert units.NotANumber is errors.NotANumber and units.UnitMismatch is errors.UnitMismatch
    assert issubclass(errors.NotANumber, errors.EvalkitError) and issubclass(errors.UnitMismatch, ValueError)
    with pytest.raises(errors.EvalkitError, match="not a number"):
        units.parse_quantity("约3万")


def test_io_keeps_its_public_names():
    from evalkit import io
    from evalkit._shared import files

    assert io.atomic_write is files.atomic_write and io.file_sha256 is files.sha256_file
    for name in ("read_panel", "read_reference", "reference_panel", "write_csv", "write_excel", "write_template",
                 "detect_encoding", "TEMPLATE_MARKER"):
        assert name in io.__all__ and hasattr(io, name)


def test_report_files_of_other_languages_carry_a_suffix():
    from evalkit import paths

    assert paths.report_file("fyp13_evaluation", "210000", ".docx", "zh") == (
        paths.reports_dir() / "fyp13_evaluation" / "210000.docx")
    assert paths.report_file("fyp13_evaluation", "210000", ".docx", "en").name == "210000_en.docx"
    assert paths.report_file("city_assessment", "equal", "", "en").name == "equal_en"
