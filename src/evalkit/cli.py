"""The ``evalkit`` command.

    evalkit run [--only PATTERN] [--force] [--workers N] [--show-code] [--scheduler URL | --dask-local N]
    evalkit params NOTEBOOK
    evalkit validate PATH [PATH ...] [--sheet NAME] [--layout auto|long|wide] [--catalogue FILE [--replace]]
    evalkit template [--region R --level L] [-o data/template.xlsx | --split DIR] [--force] [--catalogue FILE]
    evalkit extract REPORT.txt [-o figures.csv|figures.xlsx] [--year 2020]
    evalkit sample [--region R --level L] [-o data/sample/panel.csv] [--seed N] [--catalogue FILE]
    evalkit reproduce            (the reference reproductions; same as `make validate`)

Errors evalkit raises on purpose are printed as their message (no traceback) and give exit code 2;
``evalkit validate`` exits 1 when the file has problems.
"""
from __future__ import annotations

import argparse
import sys

from evalkit.errors import EvalkitError, ParameterError

__all__ = ["main"]


def _use_catalogue(args: argparse.Namespace) -> None:
    """Apply ``--catalogue FILE [--replace]`` (a project indicator catalogue) before anything reads it."""
    if getattr(args, "catalogue", None):
        from evalkit import catalogue

        catalogue.use(args.catalogue, mode="replace" if args.replace else "extend")


def _validate(args: argparse.Namespace) -> int:
    from evalkit import audit, io

    _use_catalogue(args)
    paths = args.path if len(args.path) > 1 else args.path[0]
    shown = ", ".join(args.path)
    try:
        panel = io.read_panel(paths, sheet=args.sheet, layout=args.layout)
    except EvalkitError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    years = sorted(panel["year"].unique())
    print(f"✓ {shown}: {len(panel)} values, {panel['region'].nunique()} regions, "
          f"{panel['indicator'].nunique()} indicators, years {years[0]}–{years[-1]}" if years else
          f"✓ {shown}: no values (empty template?)")
    files = panel.attrs.get("files")
    if files is not None:
        for row in files.itertuples():
            lacking = f"; lacks {row.missing} assessment values ({row.missing_indicators})" if row.missing else ""
            print(f"  {row.file}: {row.regions} regions, {row.values} values{lacking}")
    for line in panel.attrs.get("notes", [])[:20]:
        print(f"  note: {line}")
    status = audit.status_table(panel, lang="en")
    print("  by status: " + ", ".join(f"{s} {n}" for s, n in zip(status["status"], status["values"])))
    return 0


def _template(args: argparse.Namespace) -> int:
    from pathlib import Path

    from evalkit import io

    _use_catalogue(args)
    if args.split:
        written = io.write_templates(args.split, region=args.region or "210000", level=args.level or "city",
                                     force=args.force)
        print(f"wrote {len(written)} workbooks to {args.split}: send each unit its own, then run "
              f"`evalkit validate {args.split}` on the folder they come back in")
        return 0
    if Path(args.output).exists() and not args.force:
        # the workbook at this path may be one an analyst has already filled in
        raise ParameterError(f"{args.output} exists (filled in already?); choose another file with -o, "
                             "or add --force to replace it with an empty template")
    path = io.write_template(args.output, region=args.region, level=args.level)
    print(f"wrote {path}: fill in the year columns, then run `evalkit validate {path}`")
    return 0


def _extract(args: argparse.Namespace) -> int:
    from evalkit import extract

    figures = extract.extract_file(args.path, output=args.output, report_year=args.year)
    if args.output:
        print(f"wrote {len(figures)} figures to {args.output}")
    else:
        print(figures.to_csv(index=False), end="")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from evalkit import sample

    _use_catalogue(args)
    path = sample.write_sample(args.output, seed=args.seed, region=args.region, level=args.level)
    print(f"wrote the illustrative sample panel to {path}")
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from evalkit import reproduce

    done = reproduce.main(args.output)
    print(f"validation: {len(done.records)} quantities ({done.n_published} with a published value) in "
          f"{done.n_cases} cases → {done.path}")
    for line in done.skipped:
        print(f"  not run: {line}", file=sys.stderr)
    return 0


def _runner(name: str, argv: list[str]) -> int:
    from evalkit.runner import cli as runner_cli

    return (runner_cli.run_command if name == "run" else runner_cli.params_command)(argv)


def _area_options(p: argparse.ArgumentParser, region_default: str | None) -> None:
    p.add_argument("--region", default=region_default, help="the area: a GB/T 2260 code (default 210000)")
    p.add_argument("--level", default=None if region_default is None else "city",
                   choices=["province", "city", "county"], help="the level of the units compared (default city)")


def _catalogue_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--catalogue", default=None, metavar="FILE",
                   help="a project indicator catalogue (columns of data/reference/indicators.csv)")
    p.add_argument("--replace", action="store_true", help="the project catalogue replaces the built-in one")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evalkit", description="Evaluate a Five-Year Plan and draft the next one.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the batch in runs.yml (see `evalkit run --help`)", add_help=False)
    sub.add_parser("params", help="print a notebook's parameter contract", add_help=False)
    p = sub.add_parser("validate", help="check panel files (or a folder of them) and explain every problem")
    p.add_argument("path", nargs="+", help="a file, a folder, or several files: merged into one panel")
    p.add_argument("--sheet", default=None)
    p.add_argument("--layout", choices=["auto", "long", "wide"], default="auto")
    _catalogue_options(p)
    p.set_defaults(func=_validate)
    p = sub.add_parser("template", help="write the fill-in Excel workbook for real data")
    p.add_argument("-o", "--output", default="data/template.xlsx")
    _area_options(p, region_default=None)
    p.add_argument("--split", default=None, metavar="DIR", help="one workbook per unit (its own rows) in DIR")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    _catalogue_options(p)
    p.set_defaults(func=_template)
    p = sub.add_parser("extract", help="extract the figures from a work-report text")
    p.add_argument("path")
    p.add_argument("-o", "--output", default=None, help="CSV or XLSX file to write")
    p.add_argument("--year", type=int, default=None, help="the report's year (for 截至5月底 → 2020-05)")
    p.set_defaults(func=_extract)
    p = sub.add_parser("sample", help="generate the illustrative sample panel (any area and level)")
    p.add_argument("-o", "--output", default=None, help="CSV or .parquet file (default data/sample/panel.csv)")
    p.add_argument("--seed", type=int, default=20200630)
    _area_options(p, region_default="210000")
    _catalogue_options(p)
    p.set_defaults(func=_sample)
    p = sub.add_parser("reproduce", help="run the reference reproductions (reports/validation.json)")
    p.add_argument("-o", "--output", default=None, help="folder for validation.json/html (default reports/)")
    p.set_defaults(func=_reproduce)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``evalkit`` command with *argv* (default: the process arguments); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in ("run", "params"):
            return _runner(argv[0], argv[1:])
        args = _parser().parse_args(argv)
        return args.func(args)
    except EvalkitError as exc:
        print(f"evalkit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
