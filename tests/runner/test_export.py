"""The report page without a kernel: one language per page, warnings kept off it, titles by language."""
from __future__ import annotations

import nbformat
import pytest

from evalkit.runner.contract import notebook_title, report_language
from evalkit.runner.export import clean_for_html, notebook_body, stderr_messages
from evalkit.runner.pages import fmt_value, render


def _notebook():
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    stream = nbformat.v4.new_output
    return nbformat.v4.new_notebook(cells=[
        md("# 城市概况", metadata={"tags": ["lang-zh"]}),
        md("# City profile", metadata={"tags": ["lang-en"]}),
        md("Shared table of codes: `210100`"),
        code("import warnings", outputs=[
            stream("stream", name="stderr", text="findfont: Failed to find font weight bold\nfindfont: again\n"),
            stream("stream", name="stdout", text="总计 18\n"),
            stream("stream", name="stderr", text="findfont: Failed to find font weight bold\n")]),
    ])


def test_the_exporter_keeps_the_cells_of_the_report_language_only():
    nb = _notebook()
    zh = clean_for_html(nb, "zh")
    assert [c.source for c in zh.cells[:2]] == ["# 城市概况", "Shared table of codes: `210100`"]
    en = clean_for_html(nb, "en")
    assert [c.source for c in en.cells[:2]] == ["# City profile", "Shared table of codes: `210100`"]
    assert len(clean_for_html(nb).cells) == 4  # no language given: every cell (JupyterLab shows both)
    assert len(nb.cells) == 4 and len(nb.cells[3].outputs) == 3  # the executed notebook is not changed


def test_stderr_never_reaches_the_page_and_is_collected_once_per_line():
    nb = _notebook()
    body = str(notebook_body(nb, show_code=False, lang="zh"))
    assert "总计 18" in body and "findfont" not in body and "City profile" not in body
    assert stderr_messages(nb) == ["findfont: Failed to find font weight bold", "findfont: again"]


def test_titles_and_languages():
    nb = _notebook()
    assert (notebook_title(nb, "zh"), notebook_title(nb, "en")) == ("城市概况", "City profile")
    assert notebook_title({"metadata": {"evalkit": {"title": {"zh": "甲", "en": "A"}}}, "cells": []}, "en") == "A"
    assert report_language({"lang": "en"}) == "en" and report_language({}) == "zh"


@pytest.mark.parametrize("lang, words, absent", [
    ("zh", ["参数", "已更新", "运行于", "用时"], "Parameters"),
    ("en", ["Parameters", "re-run", "took"], "参数"),
])
def test_the_page_chrome_speaks_the_report_language(lang, words, absent):
    from markupsafe import Markup

    page = render("report.html.j2", title="T", notebook="notebooks/x.ipynb", slug="s", parameters={"lang": lang},
                  status="success", started="2026-01-01T00:00:00", duration_s=1.5, figures={"n_met": 3},
                  changes=[], changes_by_name={}, previous_figures=None, previous_success=None, error=None,
                  last_good_href=None, body=Markup(""), index_href="../index.html", manifest_href="../m.json",
                  lang=lang, pdf_href="s.pdf")
    assert all(w in page for w in words) and absent not in page
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page and 'href="s.pdf"' in page
    assert fmt_value(True, lang) == ("是" if lang == "zh" else "yes")


def test_the_page_header_carries_the_title_and_the_body_does_not_repeat_it():
    from evalkit.runner.export import report_page

    page = report_page(nb=_notebook(), status="success", title="fallback", notebook="notebooks/x.ipynb", slug="s",
                       parameters={"lang": "en"}, started="2026-01-01T00:00:00", duration_s=1.0, show_code=False,
                       figures={}, previous=None, error=None, page={}, resources_path=None, lang="en")
    assert page.count("City profile") == 3  # <title>, the crumb and the header; not again in the body
    assert "<title>City profile · s</title>" in page and "城市概况" not in page
