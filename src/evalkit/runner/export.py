"""Executed notebook → report page (or error page), with nbconvert's exporter run in-process.

The body uses nbconvert's small ``basic`` template (no 270 KB of inlined JupyterLab CSS per report)
inside evalkit's own page; code is hidden unless ``show_code``; images stay embedded as data URIs;
the glue outputs and papermill's error banner cells are dropped (the page shows both its own way).

One language per page: cells tagged ``lang-zh`` / ``lang-en`` are kept only in a report of that language
(in JupyterLab the analyst sees both), and the page's own text follows the same ``lang``. Text a cell
wrote to stderr (library warnings, logging) never reaches the page: :func:`stderr_messages` collects it
for the run's manifest record instead.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from evalkit.i18n import t
from evalkit.runner.contract import in_language, notebook_title
from evalkit.runner.pages import GLUE_MIME, figure_changes, render

__all__ = ["clean_for_html", "notebook_body", "report_page", "stderr_messages"]

_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
#: printed text a page shows per output (head and tail); the executed notebook keeps all of it
_STREAM_CHARS = 40_000


@lru_cache(maxsize=2)
def _exporter(show_code: bool):
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=not show_code, exclude_input_prompt=True,
                        exclude_output_prompt=True, embed_images=True)


def _is_stderr(output: Any) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def clean_for_html(nb: Any, lang: str | None = None) -> Any:
    """A copy of *nb* for the page, with only the cells of *lang*.

    Glue outputs, papermill's error-marker cells and stderr text (warnings go to the manifest) are dropped,
    long printed text is cut.
    """
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if _PAPERMILL_ERROR_TAG not in (c.get("metadata", {}).get("tags") or [])
                and in_language(c, lang)]
    coalesce = CoalesceStreamsPreprocessor()
    for index, cell in enumerate(nb.cells):
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs if GLUE_MIME not in (o.get("data") or {}) and not _is_stderr(o)]
            coalesce.preprocess_cell(cell, {}, index)  # a print loop arrives as many stream outputs
            cell.outputs = [_shorten_stream(o, lang or "zh") for o in cell.outputs]
    return nb


def stderr_messages(nb: Any, *, limit: int = 50) -> list[str]:
    """The distinct lines cells wrote to stderr (warnings, logging), in order, at most *limit*."""
    seen: dict[str, None] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            if _is_stderr(output):
                text = output.get("text") or ""
                for line in (text if isinstance(text, str) else "".join(text)).splitlines():
                    if line.strip():
                        seen.setdefault(line.strip()[:500])
    return list(seen)[:limit]


def _shorten_stream(output: Any, lang: str = "zh") -> Any:
    """Keep the head and tail of a long stream output: a print in a loop must not make a 100 MB page."""
    text = output.get("text") if output.get("output_type") == "stream" else None
    if not isinstance(text, str) or len(text) <= _STREAM_CHARS:
        return output
    half = _STREAM_CHARS // 2
    end = text.rfind("\n", 0, half) + 1 or half  # cut at line ends where there are any
    start = text.find("\n", len(text) - half) + 1 or len(text) - half
    output.text = f"{text[:end]}{t('runner.page.omitted', lang, n=f'{start - end:,}')}\n{text[start:]}"
    return output


def notebook_body(nb: Any, *, show_code: bool, resources_path: str | None = None,
                  failing_cell: int | None = None, lang: str | None = None) -> Markup:
    """The notebook as an HTML fragment (nbconvert ``basic`` template), with the cells of *lang*.

    With ``failing_cell`` set, that cell's code is shown even when code is hidden, so an error page
    points at the failing cell in place.
    """
    if failing_cell is not None and lang is not None:  # the index counts every cell; mark it before dropping
        nb = copy.deepcopy(nb)
        if 0 <= failing_cell < len(nb.cells):
            nb.cells[failing_cell].metadata.setdefault("tags", []).append("evalkit-failing-cell")
        failing_cell = None
    nb = clean_for_html(nb, lang)
    if failing_cell is not None and 0 <= failing_cell < len(nb.cells):
        cell = nb.cells[failing_cell]
        cell.metadata.setdefault("tags", []).append("evalkit-failing-cell")
    resources = {"metadata": {"path": resources_path}} if resources_path else {}
    body, _ = _exporter(show_code).from_notebook_node(nb, resources=resources)
    return Markup(body)


def _traceback_html(lines: list[str]) -> Markup:
    from nbconvert.filters.ansi import ansi2html  # escapes the text, keeps colours as spans

    return Markup(ansi2html("\n".join(lines)))


def report_page(*, nb: Any, status: str, title: str, notebook: str, slug: str, parameters: Mapping[str, Any],
                started: str, duration_s: float, show_code: bool, figures: Mapping[str, Any],
                previous: Mapping[str, Any] | None, error: Mapping[str, Any] | None, page: Mapping[str, Any],
                resources_path: str | None, lang: str = "zh", pdf_href: str | None = None) -> str:
    """The full HTML page of one run in *lang*: header, key figures and changes, error block, notebook body.

    The title is the notebook's first heading in *lang* (see :func:`~evalkit.runner.contract.notebook_title`),
    else *title*.
    """
    title = notebook_title(nb, lang) or title
    nb = _without_title(nb, title, lang)
    previous_figures = previous.get("figures") if previous else None
    changes = figure_changes(previous_figures, figures) if previous_figures is not None else []
    error_context = None
    if error is not None:
        error_context = {
            "headline": t(f"runner.page.{status if status in ('timeout', 'kernel_died') else 'failed'}", lang),
            "summary": error.get("summary", ""),
            "cell_source": error.get("source"),
            "cell_label": error.get("cell_label"),
            "traceback_html": _traceback_html(error.get("traceback") or []),
            "log_tail": error.get("log_tail") or "",
        }
    body = notebook_body(nb, show_code=show_code, resources_path=resources_path,
                         failing_cell=_cell_position(nb, error.get("cell_index")) if error else None, lang=lang)
    return render(
        "report.html.j2", title=title, notebook=notebook, slug=slug, parameters=dict(parameters), status=status,
        started=started, duration_s=duration_s, figures=dict(figures), changes=changes,
        changes_by_name={c["name"]: c for c in changes}, previous_figures=previous_figures,
        previous_success=(previous or {}).get("finished"), error=error_context,
        last_good_href=f"{slug}.html" if error is not None and previous and previous.get("report") else None,
        body=body, index_href="../index.html", manifest_href="../manifest.json", lang=lang,
        label=figures.get("label") if isinstance(figures.get("label"), str) else None, pdf_href=pdf_href,
        **page)


def _without_title(nb: Any, title: str, lang: str) -> Any:
    """*nb* without the heading line that repeats the page's title (the page header shows it)."""
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "markdown" or not in_language(cell, lang):
            continue
        head, _, rest = cell.source.partition("\n")
        if head.lstrip("# ").strip() != title or not head.startswith("# "):
            return nb
        nb = copy.copy(nb)
        nb.cells = list(nb.cells)
        nb.cells[i] = copy.deepcopy(cell)
        nb.cells[i].source = rest.lstrip("\n")
        return nb
    return nb


def _cell_position(nb: Any, index: int | None) -> int | None:
    """The position in *nb* of the *index*-th cell that is not a papermill error marker."""
    if index is None:
        return None
    real = [i for i, c in enumerate(nb.cells)
            if _PAPERMILL_ERROR_TAG not in (c.get("metadata", {}).get("tags") or [])]
    return real[index] if 0 <= index < len(real) else None
