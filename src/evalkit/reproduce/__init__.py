"""Reference reproductions: every published result evalkit is checked against (``make validate``).

Each module named in :data:`CASE_MODULES` exposes ``records() -> list[dict]`` with keys ``case``,
``quantity``, ``value`` (what evalkit computes) and ``reference`` (the published value, or ``None``
where none is published), optionally ``tolerance``. :func:`main` collects them into
``reports/validation.json`` and a readable ``reports/validation.html``. The same functions back the
tests in ``tests/reference/``, which enforce the published precision.
"""
from __future__ import annotations

import html
import importlib
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from evalkit import i18n, paths
from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.files import write_atomic
from evalkit.errors import ReferenceDataMissing

__all__ = ["CASE_MODULES", "Reproduction", "collect", "main", "render_html", "write_html", "write_json"]

#: Reference-check modules, in report order.
CASE_MODULES = [
    "evalkit.reproduce.targets_progress",
    "evalkit.reproduce.targets_direction",
    "evalkit.reproduce.asem",
    "evalkit.reproduce.ishigami",
    "evalkit.reproduce.sobol_vs_salib",
    "evalkit.reproduce.mpdta",
    "evalkit.reproduce.sicily",
    "evalkit.reproduce.basque",
    "evalkit.reproduce.nile",
    "evalkit.reproduce.airline",
    "evalkit.reproduce.wildboot_vs_wildboottest",
    "evalkit.reproduce.did_anticipation",
    "evalkit.reproduce.its_hac",
    "evalkit.reproduce.projection_methods",
]


def collect(modules: list[str] | None = None) -> tuple[list[dict], list[str]]:
    """Run every case module; returns (records, messages about cases that could not run)."""
    records: list[dict] = []
    skipped: list[str] = []
    for name in modules or CASE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                skipped.append(f"{name}: not available in this version")
                continue
            raise
        try:
            got = module.records()
        except ReferenceDataMissing as exc:
            skipped.append(f"{name}: {exc}")
            continue
        for rec in got:
            missing = {"case", "quantity", "value", "reference"} - set(rec)
            if missing:
                raise ValueError(f"{name}.records() returned a record without {sorted(missing)}: {rec}")
            records.append(rec)
    return records, skipped


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def write_json(records: list[dict], path: Path) -> Path:
    """Write *records* as JSON (NaN and infinities as ``null``) atomically; returns *path*."""
    payload = [{k: _clean(v) for k, v in rec.items()} for rec in records]
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=1))
    return path


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.6g}" if isinstance(value, (int, float)) else html.escape(str(value))


def _row(rec: dict, lang: Lang) -> str:
    value, ref = rec["value"], rec["reference"]
    tol = rec.get("tolerance")
    if ref is None or value is None:
        diff, verdict = "", "—"
    else:
        d = abs(float(value) - float(ref))
        diff = f"{d:.3g}"
        verdict = "" if tol is None else i18n.t("reproduce.within" if d <= float(tol) else "reproduce.outside", lang)
    return (f"<tr><td>{html.escape(str(rec['case']))}</td><td>{html.escape(str(rec['quantity']))}</td>"
            f"<td class=n>{_fmt(value)}</td><td class=n>{_fmt(ref)}</td><td class=n>{diff}</td>"
            f"<td>{verdict}</td></tr>")


def _summary_row(case: str, rs: list[dict]) -> str:
    published = [r for r in rs if r["reference"] is not None and r["value"] is not None]
    diffs = [abs(float(r["value"]) - float(r["reference"])) for r in published]
    with_tol = [r for r in published if r.get("tolerance") is not None]
    within = sum(abs(float(r["value"]) - float(r["reference"])) <= float(r["tolerance"]) for r in with_tol)
    return (f"<tr><td>{html.escape(case)}</td><td class=n>{len(rs)}</td><td class=n>{len(published)}</td>"
            f"<td class=n>{f'{max(diffs):.3g}' if diffs else '—'}</td>"
            f"<td class=n>{f'{within} / {len(with_tol)}' if with_tol else '—'}</td></tr>")


def _header(keys: tuple[str, ...], lang: Lang) -> str:
    return "<tr>" + "".join(f"<th>{html.escape(i18n.t(f'reproduce.col.{k}', lang))}</th>" for k in keys) + "</tr>"


_STYLE = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th{background:#1F3A5F;color:#fff;padding:5px 8px}
td{padding:3px 8px;border-bottom:1px solid #ddd}td.n{text-align:right;font-variant-numeric:tabular-nums}"""


def render_html(records: list[dict], skipped: list[str], *, lang: Lang = "zh") -> str:
    """The validation page: a summary per case, what did not run, and every quantity, in *lang*."""
    check_lang(lang)
    t = i18n.t
    cases: dict[str, list[dict]] = {}
    for rec in records:
        cases.setdefault(str(rec["case"]), []).append(rec)
    summary = "".join(_summary_row(case, rs) for case, rs in cases.items())
    body = "".join(_row(r, lang) for r in records)
    skipped_html = "".join(f"<li>{html.escape(s)}</li>" for s in skipped)
    not_run = f"<h2>{html.escape(t('reproduce.not_run', lang))}</h2><ul>{skipped_html}</ul>" if skipped else ""
    title = html.escape(t("reproduce.title", lang))
    return f"""<!DOCTYPE html><html lang="{t('reproduce.html_lang', lang)}"><head><meta charset="utf-8">
<title>{title}</title><style>{_STYLE}</style></head><body><h1>{title}</h1>
<p>{html.escape(t("reproduce.intro", lang, generated=time.strftime('%Y-%m-%d %H:%M')))}</p>
<h2>{html.escape(t("reproduce.summary", lang))}</h2>
<table>{_header(("case", "quantities", "published", "max_difference", "within_tolerance"), lang)}{summary}</table>
{not_run}
<h2>{html.escape(t("reproduce.all", lang))}</h2>
<table>{_header(("case", "quantity", "evalkit", "reference", "difference", "verdict"), lang)}{body}</table>
</body></html>"""


def write_html(records: list[dict], skipped: list[str], path: Path, *, lang: Lang = "zh") -> Path:
    """Write :func:`render_html` to *path* atomically; returns *path*."""
    write_atomic(path, render_html(records, skipped, lang=lang))
    return path


@dataclass(frozen=True)
class Reproduction:
    """What :func:`main` wrote: the records, the cases that could not run, and the JSON file."""

    records: list[dict]
    skipped: list[str]
    path: Path

    @property
    def n_published(self) -> int:
        """How many quantities have a published reference value."""
        return sum(r["reference"] is not None for r in self.records)

    @property
    def n_cases(self) -> int:
        """How many cases the records come from."""
        return len({r["case"] for r in self.records})


def main(output: str | None = None, *, lang: Lang = "zh") -> Reproduction:
    """Run every case and write ``validation.json`` and ``validation.html`` (in *lang*) into *output*.

    *output* defaults to the project's ``reports/``. Nothing is printed: the CLI reports the result.
    """
    check_lang(lang)
    folder = Path(output) if output else paths.reports_dir()
    records, skipped = collect()
    write_json(records, folder / "validation.json")
    write_html(records, skipped, folder / "validation.html", lang=lang)
    return Reproduction(records, skipped, folder / "validation.json")
