"""Tests for evalkit.plots.audit: the coverage heat map."""
import numpy as np
import pandas as pd


def test_coverage_heatmap_fits_a_page_so_its_labels_stay_legible():
    import matplotlib

    matplotlib.use("Agg")
    from evalkit.plots import audit as audit_plots

    share = pd.DataFrame(np.full((11, 15), 0.5), index=[f"类别{i}" for i in range(11)],
                         columns=[f"地区{j}" for j in range(15)])
    ax = audit_plots.coverage_heatmap(share, title="覆盖率", lang="zh", years_on_x=False)
    width, _ = ax.figure.get_size_inches()
    # a page is about 10 inches wide: a wider figure is shown scaled down and its 7 pt labels shrink below 3 pt
    assert width <= 10.0
    assert min(t.get_fontsize() for t in ax.texts) >= 7
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["地区0", "地区1"]
    small = audit_plots.coverage_heatmap(share.iloc[:3, :6], title="覆盖率", lang="zh")
    assert small.figure.get_size_inches()[0] == 6.5  # 0.5 in per column + 3.5 in for labels
    matplotlib.pyplot.close("all")
