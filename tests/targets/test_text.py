"""Tests of evalkit.targets.text: narrative and method note in both languages.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import re

import pytest
from _data.targets import R, case_a, meta_of, panel_of, targets_of, trow

from evalkit import targets as T
from evalkit.errors import ParameterError


def test_narrative_carries_the_numbers_in_both_languages():
    a = case_a(basis="level")
    zh = T.narrative(a, lang="zh")
    text = zh["养老服务"]
    assert text.startswith("养老服务：共1项指标，其中有规划目标1项，基本完成1项。")
    assert "2017年为121张（2015年100张）" in text and "年均增长10.0%" in text
    assert "目标≥133.1张" in text and "完成率90.9%" in text           # 121/133.1
    assert "变化完成率63.4%" in text                                   # (121 − 100)/(133.1 − 100)
    assert "实际增速为所需增速的100%" in text
    assert "因灾损失占比：不可评估（无统计序列）" in zh["无统计序列的规划目标"]
    en = T.narrative(a, lang="en")["Elderly care"]
    assert "121 beds in 2017 (100 in 2015)" in en and "completion 90.9%" in en   # unit 张 in English
    assert "share of the required change 63.4%, nearly met" in en
    assert en.endswith(".") and "  " not in en
    with pytest.raises(ParameterError, match="lang"):
        T.narrative(a, lang="fr")


def test_method_note_states_the_thresholds_in_force():
    assert "'nearly met' at ≥ 80%" in T.method_note("en", T.Thresholds(nearly_met=0.8))
    assert "判定依据≥90%为“基本完成”" in T.method_note("zh")
    assert "2023" in T.method_note("zh")                    # the Eurostat edition cited


def test_method_note_says_which_convention_set_the_status():
    assert "按变化完成率判定，其余按完成率（实际/目标）判定" in T.method_note("zh")        # the default, auto
    assert "判定依据：完成率（实际/目标）" in T.method_note("zh", basis="level")
    assert "判定依据：变化完成率" in T.method_note("zh", basis="change")
    assert T.method_note("en", basis="gap") == T.method_note("en", basis="change")     # the old spelling
    assert "set by the level ratio (actual/target)" in T.method_note("en", basis="level")
    assert "(actual − baseline)/(target − baseline)" in T.method_note("en")           # both conventions defined
    assert "moved away from its target" in T.method_note("en")
    with pytest.raises(ParameterError, match="basis"):
        T.method_note("zh", basis="ratio")


def test_narrative_of_a_worsening_indicator_says_so_in_one_language():
    # at most: 4.0 → 4.8 against ≤ 4.5; target already met at baseline, then left.
    a = T.assess(panel_of({"x": {2015: 4.0, 2020: 4.8}}), targets_of(trow("x", "at_most", 4.5)), region=R,
                 meta=meta_of(x=-1), national=None)
    zh, en = T.narrative(a, lang="zh")["养老服务"], T.narrative(a, lang="en")["Elderly care"]
    assert "未完成（期内背离目标）" in zh and "not met (moved away from the target)" in en
    assert not re.search(r"[A-Za-z]{4,}", zh.replace("指标x", ""))     # no English word in the zh text
    assert not re.search(r"[\u4e00-\u9fff]", en)                  # not even the unit 张 (beds)
