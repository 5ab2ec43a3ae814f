"""Choropleths: legend, title, source line and illustrative mark, alt text, labels in the report's language."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from _data.documents import CITIES

from evalkit import maps
from evalkit.errors import EvalkitError


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _source_line(ax) -> str:
    return ax.figure._supxlabel.get_text()


def test_score_map_of_the_14_cities_has_title_legend_source_and_alt_text():
    scores = pd.Series(range(40, 54), index=CITIES, dtype=float)
    ranks = pd.Series(range(14, 0, -1), index=CITIES)
    ax = maps.score_map(scores, ranks=ranks, source="panel.csv", illustrative=True)
    assert ax.get_title(loc="left") == "各市综合得分分布图"
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "综合得分（分）"  # the colour bar
    assert "资料来源：panel.csv" in _source_line(ax) and "示例数据，非官方统计" in _source_line(ax)
    assert maps.alt_text(ax) == "地图：各市综合得分分布图"
    assert "沈阳市\n第14名" in _texts(ax) and "北" in _texts(ax)
    assert len(ax.patches) == 15  # 14 cities and the province outline


def test_page_weight_of_a_map_stays_small():
    ax = maps.score_map(pd.Series(1.0, index=CITIES), source="x")
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=110)
    assert len(buffer.getvalue()) < 400_000


def test_counties_of_a_city_in_english():
    counties = ["210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114",
                "210115", "210123", "210124", "210181"]
    ax = maps.choropleth(pd.Series(range(13), index=counties, dtype=float), title="Shenyang by county", unit="beds",
                         source="panel.csv", lang="en")
    assert ax.get_title(loc="left") == "Shenyang by county"
    assert ax.figure.axes[1].get_ylabel() == "beds"
    assert maps.alt_text(ax) == "Map: Shenyang by county"
    assert "N" in _texts(ax) and "Source: panel.csv" in _source_line(ax)
    assert len(ax.patches) == 14  # 13 counties and the city outline


def test_pilot_batches_are_categories_with_a_legend():
    ax = maps.pilot_map({"210100": 2016, "210200": "2016", "211000": 2018, "211100": "unknown"}, codes=CITIES,
                        source="pilots.csv")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["2016年批次", "2018年批次", "批次待核实", "未纳入试点"]
    assert ax.get_legend().get_title().get_text() == "试点批次"
    assert maps.alt_text(ax).startswith("地图")


def test_place_map_outlines_the_unit_and_missing_values_are_no_data():
    values = pd.Series([1.0, None, 3.0], index=["210100", "210200", "210300"])
    ax = maps.place_map("210300", values, unit="%", source="x")
    assert ax.get_title(loc="left") == "鞍山市在全省的位置"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["无数据"]
    assert ax.patches[-1].get_linewidth() > 2  # the highlighted city drawn last, thick


def test_indicator_map_reads_the_panel():
    panel = pd.DataFrame({"region": CITIES, "year": 2020, "indicator": "beds_per_1000_elderly",
                          "value": range(20, 34), "status": "illustrative"})
    ax = maps.indicator_map(panel, "beds_per_1000_elderly", year=2020, source="panel.csv")
    assert ax.get_title(loc="left") == "每千名老年人口拥有养老床位数（2020年）分布图"
    assert ax.figure.axes[1].get_ylabel() == "张"
    assert "示例数据，非官方统计" in _source_line(ax)
    assert "沈阳市\n20" in _texts(ax)
    ax = maps.indicator_map(panel, "beds_per_1000_elderly", year=2020, highlight="210500", source="panel.csv")
    assert ax.patches[-1].get_linewidth() > 2


def test_unknown_codes_and_bad_values_are_clear_errors():
    with pytest.raises(EvalkitError, match="219900"):
        maps.choropleth({"219900": 1.0}, title="x")
    with pytest.raises(EvalkitError, match="empty"):
        maps.choropleth({}, title="x")
    with pytest.raises(EvalkitError, match="highlight"):
        maps.choropleth({"210100": 1.0}, title="x", highlight="210200")
    with pytest.raises(EvalkitError, match="kind"):
        maps.choropleth({"210100": 1.0}, title="x", kind="bubbles")
