"""Tests of evalkit.plots.targets: the charts draw what the assessment computed.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import pandas as pd
import pytest
from _data.targets import R, meta_of, panel_of, targets_of, trow

from evalkit import targets as T
from evalkit.errors import ParameterError


def test_charts_draw_what_was_assessed():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.plots import targets as P

    panel = panel_of({"x": {2015: 100.0, 2016: 110.0, 2017: 121.0}, "y": {2015: 30.0, 2017: 33.0}})
    targets = targets_of(trow("x", "at_least", 133.1, target_year=2018),
                         trow("y", "range", low=35.0, high=40.0, target_year=2018))
    a = T.assess(panel, targets, region=R, end_year=2017, meta=meta_of(x=1, y=1), national=None)
    ax = P.bullet_chart(a, lang="zh", source="hand")
    assert ax.get_title(loc="left") == "规划目标完成情况"
    widths = sorted(p.get_width() for p in ax.patches if p.get_height() == pytest.approx(0.45))
    # the measure that set each status, in percent: shares of the change 21/33.1 and (33 − 30)/(35 − 30)
    assert widths == pytest.approx([60.0, 21 / 33.1 * 100])
    assert "变化完成率" in ax.get_xlabel()
    by_level = P.bullet_chart(T.assess(panel, targets, region=R, end_year=2017, meta=meta_of(x=1, y=1),
                                       national=None, basis="level"), lang="en")
    widths = sorted(p.get_width() for p in by_level.patches if p.get_height() == pytest.approx(0.45))
    assert widths == pytest.approx([121 / 133.1 * 100, 33 / 35 * 100])   # level ratios in percent, sorted
    assert "level ratio (actual/target)" in by_level.get_xlabel()
    fig = P.trend_multiples(panel, a, region=R, lang="en")
    titled = [ax for ax in fig.axes if ax.get_visible()]
    assert len(titled) == 2 and all(ax.get_title(loc="left") for ax in titled)
    required = next(line for line in titled[0].lines if line.get_linestyle() == "--")
    assert list(required.get_ydata()) == pytest.approx([100.0, 110.0, 121.0, 133.1])
    with pytest.raises(ParameterError, match="at least one assessed"):
        P.bullet_chart(a[a["status"] == T.NO_TARGET])
    plt.close("all")


def test_rank_strip_marks_the_focus_region():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.plots import targets as P

    panel = pd.DataFrame({"region": ["210100", "210200", "210300"], "year": 2020, "indicator": "x",
                          "value": [3.0, 1.0, 2.0], "source": "s", "status": "illustrative"})
    comp = T.compare_peers(panel, region="210300", meta=meta_of(x=1))
    ax = P.rank_strip(comp, lang="en", region_name="Anshan")
    focus = ax.collections[1].get_offsets()
    assert focus[0][0] == pytest.approx(0.5)               # rank 2 of 3: (3 − 2)/(3 − 1)
    assert any(t.get_text() == "2/3" for t in ax.texts)
    plt.close("all")


def test_bullet_chart_cuts_a_bar_far_past_the_target_and_labels_it():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.plots import targets as P

    # 24 → 46.1 against ≥ 27.5: share of the change (46.1 − 24)/(27.5 − 24) = 6.314…; 20 → 21 against ≥ 30: 0.1
    panel = panel_of({"x": {2015: 24.0, 2020: 46.1}, "y": {2015: 20.0, 2020: 21.0}})
    a = T.assess(panel, targets_of(trow("x", "at_least", 27.5), trow("y", "at_least", 30.0)), region=R,
                 national=None)
    ax = P.bullet_chart(a, lang="en")
    widths = [p.get_width() for p in ax.patches if p.get_height() == pytest.approx(0.45)]
    assert widths == pytest.approx([160.0, 10.0])          # cut at the 160 % edge; (21 − 20)/(30 − 20)
    assert any(t.get_text().startswith("631% · ") for t in ax.texts)
    plt.close("all")
