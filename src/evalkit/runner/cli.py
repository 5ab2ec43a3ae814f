"""``evalkit run`` and ``evalkit params``: argument parsing and the printed summary.

The top-level ``evalkit.cli`` dispatches ``evalkit run …`` to :func:`run_command` and ``evalkit params …``
to :func:`params_command`. Exit codes: 0 all runs succeeded or were cached; 1 a run failed, timed
out or lost its kernel (the others still ran); 2 the batch file or a parameter is invalid (nothing
ran); 130 interrupted with Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import sys

from evalkit.errors import EvalkitError

__all__ = ["params_command", "run_command"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit run",
        description="Run the notebooks listed in runs.yml with their parameters and publish HTML reports to "
                    "reports/ (index.html, manifest.json). Runs whose notebook, parameters, data, evalkit code "
                    "and package versions are unchanged since their last success are skipped.")
    parser.add_argument("batch", nargs="?", metavar="BATCH.yml",
                        help="the batch file (default: runs.yml); the same as --config")
    parser.add_argument("--config", help="the batch file (default: runs.yml)")
    parser.add_argument("--only", action="append", metavar="PATTERN",
                        help="run only matching runs: a job name, notebook name or NOTEBOOK/REPORT, * wildcards "
                             "allowed; repeat for several")
    parser.add_argument("--force", action="store_true", help="re-run even when nothing changed")
    parser.add_argument("--workers", type=_positive, metavar="N", help="local worker processes (default: one per core)")
    parser.add_argument("--show-code", action="store_true", help="show code cells in the HTML reports")
    parser.add_argument("--no-pdf", action="store_true",
                        help="do not print the PDF beside each report (made with headless Chromium when installed)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask cluster")
    where.add_argument("--dask-local", type=_positive, metavar="N", help="start a Dask LocalCluster of N workers")
    return parser


def _summary(manifest) -> str:
    counts = manifest.batch["counts"]
    lines = [f"evalkit run: {counts['success']} re-run, {counts['cached']} unchanged (cached), "
             f"{counts['failed']} failed, {counts['skipped']} skipped in {manifest.batch['duration_s']:.1f} s"]
    reports = manifest.path.parent
    for record in manifest.records:
        if record.get("in_batch") and record["status"] in ("failed", "timeout", "kernel_died"):
            error = (record.get("error") or {}).get("summary", "")
            stale = " — last good report kept (stale)" if record.get("stale") else ""
            lines.append(f"  ✗ {record['id']} [{record['status']}]: {error}{stale}")
            lines.append(f"      error page: {reports / record['error_page']}")
    lines.append(f"  index: {reports / 'index.html'}")
    return "\n".join(lines)


def run_command(argv: list[str]) -> int:
    """Run a batch: ``evalkit run [BATCH.yml | --config runs.yml] [--only P] [--force] [--workers N] …``.

    Further options: ``--show-code``, ``--no-pdf``, ``--scheduler A`` or ``--dask-local N``.
    """
    parser = _run_parser()
    args = parser.parse_args(argv)
    if args.batch and args.config and args.batch != args.config:
        parser.error(f"two batch files given ({args.batch} and --config {args.config}); give one")
    config = args.batch or args.config or "runs.yml"
    from evalkit.runner.batch import run_batch

    try:
        manifest = run_batch(config, only=args.only, workers=args.workers, force=args.force,
                             show_code=args.show_code, scheduler=args.scheduler, dask_local=args.dask_local,
                             pdf=not args.no_pdf)
    except EvalkitError as exc:
        print(f"evalkit run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("evalkit run: interrupted — finished runs are published and recorded; nothing is half-written",
              file=sys.stderr)
        return 130
    print(_summary(manifest))
    return 0 if manifest.ok else 1


def params_command(argv: list[str]) -> int:
    """``evalkit params NOTEBOOK [--json]``: print the notebook's parameter contract."""
    parser = argparse.ArgumentParser(prog="evalkit params",
                                     description="Print the parameters a notebook declares in its 'parameters' cell.")
    parser.add_argument("notebook", nargs="+", help="path of a .ipynb notebook")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    from evalkit.runner.contract import notebook_parameters

    try:
        contracts = [notebook_parameters(path) for path in args.notebook]
    except EvalkitError as exc:
        print(f"evalkit params: {exc}", file=sys.stderr)
        return 2
    if args.json:
        out = {c.notebook: {"title": c.title, "parameters": c.to_json()} for c in contracts}
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n\n".join(c.to_text() for c in contracts))
    return 0
