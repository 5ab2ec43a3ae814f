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

from evalkit import paths
from evalkit._shared.files import atomic_write
from evalkit.errors import ReferenceDataMissing

__all__ = ["CASE_MODULES", "Reproduction", "collect", "main", "write_html", "write_json"]

#: Reference-check modules, in report order.
CASE_MODULES = [
    "evalkit.reproduce.targets_progress",
    "evalkit.reproduce.targets_direction",
    "evalkit.reproduce.asem",
    "evalkit.reproduce.ishigami",
    "evalkit.reproduce.mpdta",
    "evalkit.reproduce.sicily",
    "evalkit.reproduce.basque",
    "evalkit.reproduce.nile",
    "evalkit.reproduce.airline",
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
    payload = [{k: _clean(v) for k, v in rec.items()} for rec in records]
    with atomic_write(path, "w") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=1)
    return path


def _row(rec: dict) -> str:
    value, ref = rec["value"], rec["reference"]
    tol = rec.get("tolerance")
    if ref is None or value is None:
        diff, verdict = "", "—"
    else:
        d = abs(float(value) - float(ref))
        diff = f"{d:.3g}"
        verdict = "" if tol is None else ("✓" if d <= float(tol) else "✗")
    fmt = (lambda v: "—" if v is None else (f"{v:.6g}" if isinstance(v, (int, float)) else html.escape(str(v))))
    return (f"<tr><td>{html.escape(str(rec['case']))}</td><td>{html.escape(str(rec['quantity']))}</td>"
            f"<td class=n>{fmt(value)}</td><td class=n>{fmt(ref)}</td><td class=n>{diff}</td>"
            f"<td>{verdict}</td></tr>")


def _summary_row(case: str, rs: list[dict]) -> str:
    published = [r for r in rs if r["reference"] is not None and r["value"] is not None]
    diffs = [abs(float(r["value"]) - float(r["reference"])) for r in published]
    with_tol = [r for r in published if r.get("tolerance") is not None]
    within = sum(abs(float(r["value"]) - float(r["reference"])) <= float(r["tolerance"]) for r in with_tol)
    return (f"<tr><td>{html.escape(case)}</td><td class=n>{len(rs)}</td><td class=n>{len(published)}</td>"
            f"<td class=n>{f'{max(diffs):.3g}' if diffs else '—'}</td>"
            f"<td class=n>{f'{within} / {len(with_tol)}' if with_tol else '—'}</td></tr>")


def write_html(records: list[dict], skipped: list[str], path: Path) -> Path:
    cases: dict[str, list[dict]] = {}
    for rec in records:
        cases.setdefault(str(rec["case"]), []).append(rec)
    summary = "".join(_summary_row(case, rs) for case, rs in cases.items())
    body = "".join(_row(r) for r in records)
    skipped_html = "".join(f"<li>{html.escape(s)}</li>" for s in skipped)
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>evalkit 方法验证 · Validation against published results</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}th{{background:#1F3A5F;color:#fff;padding:5px 8px}}
td{{padding:3px 8px;border-bottom:1px solid #ddd}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}</style>
</head><body><h1>方法验证 · Validation against published results</h1>
<p>Generated {time.strftime('%Y-%m-%d %H:%M')}. Each row: what evalkit computes beside the published value
(reference) on the same public data. Tests in <code>tests/reference/</code> enforce the published precision.</p>
<h2>Summary</h2><table><tr><th>case</th><th>quantities</th><th>with a published value</th><th>max |difference|</th><th>within tolerance</th></tr>{summary}</table>
{f'<h2>Not run</h2><ul>{skipped_html}</ul>' if skipped else ''}
<h2>All quantities</h2><table><tr><th>case</th><th>quantity</th><th>evalkit</th><th>published</th><th>|difference|</th><th>within tolerance</th></tr>{body}</table>
</body></html>"""
    with atomic_write(path, "w") as fh:
        fh.write(page)
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


def main(output: str | None = None) -> Reproduction:
    """Run every case and write ``validation.json`` and ``validation.html`` into *output* (default reports/)."""
    folder = Path(output) if output else paths.reports_dir()
    records, skipped = collect()
    write_json(records, folder / "validation.json")
    write_html(records, skipped, folder / "validation.html")
    return Reproduction(records, skipped, folder / "validation.json")
