"""Figure extraction on the seed work report against the hand-annotated gold list.

Reference: ``../shared/research/seed_gold.csv`` (41 figures in 25 sentences of
``../shared/seed/000_094b9a3db5cf8248.txt``, annotated by the library survey
``../shared/research/zh_number_libraries.md`` §2, before evalkit existed). The scoring rule is the survey's
(§2 "Scoring"): a prediction matches a gold figure when it is in the same sentence, the spans overlap and
the value is equal (relative tolerance 1e-6); at the value+unit level the unit must match too (money in 元;
an ``ordinal:<classifier>`` gold unit matches ``kind == "ordinal"`` with that classifier). Matching is
one-to-one and greedy, and precision counts every figure evalkit emits.

The issue (#8) asks for precision and recall ≥ 0.95 at the value+unit level. The gold row ``2020版``
(unit ``edition-year``) is a document edition, which issue #8 lists under "not figures", so evalkit
deliberately leaves it out: recall can be at most 40/41.
"""
from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from evalkit import paths
from evalkit.extract import extract_figures

SEED_NAME = "000_094b9a3db5cf8248.txt"
REPORT_YEAR = 2020  # the seed is the department's summary of the first half of 2020 (seed README)


def _inputs():
    seed = paths.seed_dir() / SEED_NAME
    gold = paths.seed_dir().parent / "research" / "seed_gold.csv"
    if not seed.is_file() or not gold.is_file():
        pytest.skip(f"seed text or gold list absent ({seed}, {gold}); they live in ../shared/ next to the project")
    with gold.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return seed.read_text(encoding="utf-8"), rows


def _unit_ok(gold_unit: str, figure) -> bool:
    if gold_unit.startswith("ordinal:"):
        return figure.kind == "ordinal" and figure.unit == gold_unit.split(":", 1)[1]
    return figure.unit == gold_unit


def _score(text: str, gold: list[dict], *, with_unit: bool) -> tuple[int, int, int]:
    figures = list(extract_figures(text, report_year=REPORT_YEAR).itertuples(index=False))
    used: set[int] = set()
    matched = 0
    for g in gold:
        value = Decimal(g["value"])
        sentence = int(g["sentence_index"])
        # The gold list gives the surface, not offsets: locate it inside the figure's sentence.
        for k, f in enumerate(figures):
            if k in used or f.sentence_index != sentence:
                continue
            overlap = g["surface"] in f.surface or f.surface in g["surface"]
            same_value = abs(f.value - value) <= abs(value) * Decimal("1e-6")
            if overlap and same_value and (not with_unit or _unit_ok(g["unit"], f)):
                used.add(k)
                matched += 1
                break
    return matched, len(figures), len(gold)


@pytest.mark.parametrize("with_unit", [False, True], ids=["value", "value+unit"])
def test_seed_precision_recall(with_unit):
    text, gold = _inputs()
    matched, n_pred, n_gold = _score(text, gold, with_unit=with_unit)
    precision, recall = matched / n_pred, matched / n_gold
    level = "value+unit" if with_unit else "value"
    print(f"\nseed {level}: {matched} matched, {n_pred} predicted, {n_gold} gold — "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95
    assert recall >= 0.95
    # issue 16 must not make the seed worse than it was (40 of 41 found, nothing extra: 1.000 / 0.976)
    assert (matched, n_pred) == (40, 40)


def test_seed_core_figures_all_found():
    """The survey's "core" 36 (gold minus ordinals and the edition year) are all found with their unit."""
    text, gold = _inputs()
    core = [g for g in gold if not g["unit"].startswith("ordinal:") and g["unit"] != "edition-year"]
    assert len(core) == 36
    matched, _, _ = _score(text, core, with_unit=True)
    assert matched == 36


def test_seed_issue_examples():
    """The worked examples in issue #8: 2.26亿元 → 226000000 元 for 残疾人“两项补贴” as of 2020-05, and
    66.74万人次 → 667400 人次."""
    text, _ = _inputs()
    figures = extract_figures(text, report_year=REPORT_YEAR).set_index("surface")
    subsidy = figures.loc["2.26亿元"]
    assert (subsidy["value"], subsidy["unit"], subsidy["as_of"]) == (Decimal(226000000), "元", "2020-05")
    assert subsidy["subject"] == "残疾人“两项补贴”"
    persons = figures.loc["66.74万人次"]
    assert (persons["value"], persons["unit"]) == (Decimal(667400), "人次")
    assert figures.loc["第五批", "kind"] == "ordinal"
    assert "2020版" not in figures.index
