import numpy as np
import pandas as pd

from evalkit import audit


def _panel():
    rows = []
    for region in audit.expected_regions():
        for year in (2019, 2020):
            value = np.nan if (region == "210100" and year == 2020) else 1.0
            status = "official" if region == "210000" else "illustrative"
            rows.append((region, year, "cremation_rate", value, "s", status, ""))
    return pd.DataFrame(rows, columns=["region", "year", "indicator", "value", "source", "status", "note"])


def test_coverage_share_by_indicator_and_year():
    cov = audit.coverage(_panel(), lang="en")
    # 15 regions expected; one missing in 2020 → 14/15
    assert cov.loc["Cremation rate", 2019] == 1.0
    assert cov.loc["Cremation rate", 2020] == 14 / 15


def test_coverage_by_region_counts_assessment_indicator_years():
    cov = audit.coverage_by_region(_panel(), lang="zh")
    # social services has 2 indicators × 2 years = 4 cells; the province has 2 of them
    assert cov.loc["辽宁省", "殡葬、婚姻等社会事务"] == 2 / 4
    assert cov.loc["沈阳市", "殡葬、婚姻等社会事务"] == 1 / 4
    assert cov.loc["沈阳市", "社会救助"] == 0


def test_status_table_counts_non_missing_values():
    table = audit.status_table(_panel(), lang="en").set_index("status")
    assert table.loc["official", "values"] == 2 and table.loc["illustrative", "values"] == 27


def test_notes_table_keeps_the_source_note_out_of_the_page_table():
    panel = _panel()
    panel.loc[0, "note"] = "7th census, 2020-11-01"
    page = audit.notes_table(panel, lang="zh")
    assert list(page.columns) == ["地区", "指标", "年份", "数据性质"]
    assert page.iloc[0].tolist() == ["辽宁省", "火化率", 2019, "官方统计"]
    export = audit.notes_table(panel, lang="zh", source_note=True)
    assert export.columns[-1] == "数据文件原文备注（未翻译）"
    assert export.iloc[0, -1] == "7th census, 2020-11-01"  # the file's own words, untranslated
    assert audit.notes_table(panel, lang="en", source_note=True).columns[-1] == "the data file's own note (as written)"
