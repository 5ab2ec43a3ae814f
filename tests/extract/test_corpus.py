"""Precision and recall of extract_figures on public texts of eight genres (tests/data/extract/README.md).

The gold figures were annotated by hand (tests/data/extract/corpus_expected.csv); the two held-out texts were
annotated and committed before the grammar was tuned and measured once at the end (gazetteer: precision 0.952,
recall 0.976; research report: 1.000 / 1.000). Issue 16 asks for at least 0.90 on each text; the test prints every
score (run pytest with -s to see them).
"""
from __future__ import annotations

import pytest
from _data.extract import CORPUS, HELD_OUT, gold_rows, locate, score

from evalkit.extract import FIGURE_COLUMNS, Kind

AIM = 0.90


@pytest.mark.parametrize("name", list(CORPUS))
def test_precision_and_recall_per_text(name):
    value_unit = score(name)
    value_only = score(name, with_unit=False)
    tag = " (held out)" if name in HELD_OUT else ""
    print(f"\n{name}{tag} — {CORPUS[name]}: value+unit precision {value_unit.precision:.3f} recall "
          f"{value_unit.recall:.3f}; value only precision {value_only.precision:.3f} recall {value_only.recall:.3f}"
          f"\n  missed: {'; '.join(value_unit.missed) or '—'}\n  extra: {'; '.join(value_unit.extra) or '—'}")
    assert value_unit.precision >= AIM
    assert value_unit.recall >= AIM


def test_gold_surfaces_are_located_in_order_without_overlap():
    """Each gold surface is searched after the end of the one before (24.9万元 then 9万元 are two figures)."""
    rows = gold_rows("plan_targets.txt")
    assert len(rows) == 7 and rows[0]["unit"] == "张/千人"
    text = "下拨补助款24.9万元，政策优惠9万元。"
    assert locate(text, [{"file": "x", "surface": "24.9万元"}, {"file": "x", "surface": "9万元"}]) == [
        (5, 11), (16, 19)]


def test_gold_uses_only_known_kinds_and_columns():
    for name in CORPUS:
        for row in gold_rows(name):
            assert row["kind"] in Kind.__args__, row
            assert row["approx"] in ("True", "False"), row
    assert {"kind", "approx", "at_least", "at_most", "bound"} <= set(FIGURE_COLUMNS)
