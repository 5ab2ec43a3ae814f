"""``reports/index.html``: every report of the batch, grouped by notebook, with status and changes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.runner.manifest import Manifest, write_atomic
from evalkit.runner.pages import FAILED_STATUSES, render

__all__ = ["index_html", "write_index"]


def index_html(manifest: Manifest, lang: str = "zh") -> str:
    """The index page of *manifest* in *lang* (records in runs.yml order, grouped by notebook)."""
    groups: dict[str, dict[str, Any]] = {}
    counts = {"success": 0, "cached": 0, "failed": 0, "skipped": 0, "other": 0}
    for record in manifest.records:
        group = groups.setdefault(record["notebook"], {"title": record.get("title"), "notebook": record["notebook"],
                                                       "runs": [], "title_lang": record.get("lang")})
        if record.get("lang") == lang and group["title_lang"] != lang and record.get("title"):
            # the notebook's title as a report in the index's own language gives it
            group["title"], group["title_lang"] = record["title"], lang
        status = record["status"]
        if not record.get("in_batch"):
            counts["other"] += 1
        elif status in FAILED_STATUSES:
            counts["failed"] += 1
        elif status in counts:
            counts[status] += 1
        last = record.get("last_success") or {}
        group["runs"].append({
            # a notebook may glue a human-readable "label" for its report (a city's name for a city code)
            "slug": record["slug"], "label": (record.get("figures") or {}).get("label"), "status": status,
            # a report in another language keeps its own label, marked with its language (HTML lang)
            "lang": record.get("lang") if record.get("lang") in ("zh", "en") and record.get("lang") != lang else None,
            "in_batch": record.get("in_batch", False),
            "stale": record.get("stale", False), "parameters": record.get("parameters") or {},
            "report_href": record.get("report"), "error_href": record.get("error_page"), "pdf_href": record.get("pdf"),
            "duration_s": record.get("duration_s"), "last_success": last.get("finished"),
            "changes": record.get("changes") or [], "had_previous": bool(record.get("had_previous")),
            "error_summary": (record.get("error") or {}).get("summary"), "skip_reason": record.get("skip_reason"),
        })
    for group in groups.values():
        _split_shared_parameters(group)
    env = manifest.environment
    return render("index.html.j2", groups=list(groups.values()), counts=counts, batch=manifest.batch,
                  evalkit_version=env.get("evalkit_version"), commit=env.get("git_commit"),
                  dirty=env.get("git_dirty"), generated=manifest.batch.get("finished"),
                  index_href="index.html", manifest_href="manifest.json", lang=lang,
                  validation_href="validation.html" if (manifest.path.parent / "validation.html").is_file() else None)


def _split_shared_parameters(group: dict[str, Any]) -> None:
    """Show parameters every run of a notebook shares once, above its table, and only the rest per row."""
    runs = group["runs"]
    shared: dict[str, Any] = {}
    if len(runs) > 1:
        first = runs[0]["parameters"]
        shared = {k: v for k, v in first.items() if all(k in r["parameters"] and r["parameters"][k] == v
                                                          for r in runs[1:])}
    group["shared"] = shared
    for run in runs:
        run["parameters"] = {k: v for k, v in run["parameters"].items() if k not in shared}


def write_index(manifest: Manifest, lang: str = "zh") -> Path:
    """Write ``reports/index.html`` for *manifest* atomically; return its path."""
    path = manifest.path.parent / "index.html"
    write_atomic(path, index_html(manifest, lang))
    return path
