import pandas as pd
import pytest

from evalkit import report
from evalkit.errors import ParameterError


def _panel(statuses):
    return pd.DataFrame({"value": [1.0] * len(statuses), "status": statuses, "source": ["s"] * len(statuses)})


def test_banner_says_illustrative_when_any_value_is():
    html = report.banner(_panel(["official", "illustrative", "illustrative"]), lang="zh").html
    assert "示例数据，非官方统计" in html and "67%" in html
    en = report.banner(_panel(["illustrative"]), lang="en").html
    assert "Illustrative data, not official statistics" in en


def test_banner_is_neutral_for_real_data():
    html = report.banner(_panel(["official", "reported"]), lang="zh").html
    assert "示例" not in html and "官方统计 1" in html


def test_missing_values_do_not_count_in_provenance():
    frame = pd.DataFrame({"value": [None, 1.0], "status": ["illustrative", "official"], "source": ["a", "b"]})
    assert not report.provenance(frame)["illustrative"]


def test_data_strings_are_escaped_everywhere():
    evil = "<script>alert(1)</script>"
    assert "<script>" not in report.title(evil).html
    assert "<script>" not in report.note(evil).html
    styled = report.table(pd.DataFrame({"地区": [evil], "value": [1.5]}), caption=evil).to_html()
    assert "<script>" not in styled and "&lt;script&gt;" in styled


def test_table_formats_numbers_years_and_percent():
    frame = pd.DataFrame({"year": [2020], "value": [12345.678], "share": [0.256], "n": [1200]})
    html = report.table(frame, decimals=2, percent=["share"]).to_html()
    assert ">2020<" in html and "12,345.68" in html and "25.6%" in html and "1,200" in html


def test_glue_emits_the_runner_mime_type(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    assert report.glue("beds", 31.5) == 31.5
    assert shown == [{report.GLUE_MIME: {"name": "beds", "value": 31.5}, "text/plain": ""}]
    with pytest.raises(ParameterError):
        report.glue("x", object())


def test_bad_lang_is_a_parameter_error():
    with pytest.raises(ParameterError):
        report.banner(_panel(["official"]), lang="fr")


def test_calendar_year_columns_by_role_name_print_without_separators():
    frame = pd.DataFrame({"group": [2018, 2019], "time": [2016, 2020], "n": [2018, 3000]})
    html = report.table(frame).to_html()
    assert ">2018<" in html and ">2016<" in html and "2,018" in html  # n is a count, not a year
    assert "2,019" not in html
