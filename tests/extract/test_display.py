"""Tests for evalkit.extract — highlight_html: escaping and marks.

Expected values are written by hand from the sentences (invented for these tests; see
tests/data/extract/README.md) or taken from ../shared/research/zh_number_libraries.md §5.
"""
from __future__ import annotations

import pytest

from evalkit.errors import ParameterError
from evalkit.extract import (
    extract_figures,
    highlight_html,
)

# ------------------------------------------------------------------------------------------ display

def test_highlight_escapes_and_marks_every_figure():
    text = "<script>alert(1)</script>发放2.26亿元，\n惠及“残疾人”66.74万人次 & more。"
    figures = extract_figures(text)
    page = highlight_html(text, figures, lang="en")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; more" in page
    assert page.count("<mark") == len(figures) == 2
    assert 'title="value: 226000000 元' in page
    assert "subject: " in page
    with pytest.raises(ParameterError, match="lang"):
        highlight_html(text, figures, lang="fr")


