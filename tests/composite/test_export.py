"""The assessment workbook: every unit in every table (the page shows only the two ends), in one language."""
import pandas as pd
from _data.composite import generated

from evalkit import composite


def test_export_excel_holds_every_unit_in_the_report_language(tmp_path):
    data, meta = generated(n_units=30)
    result = composite.build(data, meta, normalise="minmax", norm_range=(1, 100))
    sa = composite.sensitivity(data, meta, n_base=16, seed=1, steps=result.settings)
    names = {u: f"name {u}" for u in result.scores.index}
    path = composite.export_excel(tmp_path / "a.xlsx", result, sensitivity=sa, names=names, unit_label="county",
                                  lang="en")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["ranking", "weights", "rank intervals", "sensitivity", "category dropped", "steps"]
    ranking = sheets["ranking"]
    assert len(ranking) == 30  # the full table, not the top and bottom ten
    assert list(ranking.columns[:3]) == ["code", "rank", "county"]
    assert ranking["rank"].tolist() == sorted(ranking["rank"]) and ranking["rank"].iloc[0] == 1
    best = data.set_index("uCode").index[0]  # the unit named in row 1 is the one with the highest index score
    top = ranking.iloc[0]
    assert top["county"] == f"name {top['code']}" and best in set(ranking["code"])
    assert ranking.iloc[:, 3].max() == top.iloc[3]
    assert len(sheets["rank intervals"]) == 30 and "county" in sheets["rank intervals"].columns
    removal = sheets["category dropped"]
    assert len(removal) == 30 and removal["code"].tolist() == ranking["code"].tolist()  # in rank order
    assert len(sheets["weights"]) == 3 and len(sheets["sensitivity"]) == len(sa.indices)


def test_export_excel_zh_sheet_names(tmp_path):
    data, meta = generated(n_units=8)
    result = composite.build(data, meta)
    path = composite.export_excel(tmp_path / "b.xlsx", result, lang="zh")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["排名", "权重", "计算步骤"]
    assert sheets["排名"].columns[0] == "代码" and "名次" in sheets["排名"].columns
