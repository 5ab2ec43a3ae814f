"""Impact charts render with titles and Chinese labels."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest
from _data.impact import PILOTS, REGIONS, ROLES, donor_panel, staggered

from evalkit.impact import att_gt, event_study, its, pilot_cohorts, randomization_inference, synth
from evalkit.plots import impact as ip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_render(tmp_path, lang):
    df = staggered(noise=0.2)
    res = att_gt(df, **ROLES, n_boot=199)
    axes = [
        ip.adoption_timeline(pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="exclude"), years=range(2015, 2021),
                             title="试点时间线", lang=lang),
        ip.event_study_chart(res.aggregate("dynamic"), twfe=event_study(df, **ROLES), title="事件研究", unit="张",
                             illustrative=True, lang=lang),
        ip.randomization_chart(randomization_inference(df, **ROLES, statistic="twfe", n_perm=99), title="随机化推断",
                               lang=lang),
        ip.its_chart(its(pd.DataFrame({"t": np.arange(20), "y": np.arange(20) + 3.0 * (np.arange(20) >= 10)}),
                         time="t", outcome="y", start=10), title="中断时间序列", unit="张", lang=lang),
        ip.synth_chart(synth(donor_panel(), unit="unit", time="year", outcome="y", treated="T", start=2010,
                             leave_one_out=False), placebos=True, title="合成控制", lang=lang),
    ]
    for i, ax in enumerate(axes):
        assert ax.get_title(loc="left")
        path = tmp_path / f"chart{i}.png"
        ax.figure.savefig(path)
        assert path.stat().st_size > 5000
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert ("甲" in labels) if lang == "zh" else ("a" in labels)
    # Legend entries come from the catalogue in the chart's language.
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in axes]
    expected = {"zh": ["试点（批次年份已确认）", "Callaway–Sant'Anna（一致置信带）", "实际估计", "反事实（无干预）",
                       "安慰剂（其他单位）"],
                "en": ["pilot (batch year confirmed)", "Callaway–Sant'Anna (uniform band)", "actual estimate",
                       "counterfactual (no intervention)", "placebos (other units)"]}[lang]
    for entries, text in zip(legends, expected):
        assert any(e.startswith(text) for e in entries), (text, entries)
    assert axes[1].get_xlabel() == ("相对试点年份（年）" if lang == "zh" else "Years since pilot start")
