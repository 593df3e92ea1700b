"""The `civic` command: check the data and list its figures without opening the dashboard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from civic.loading import Frames, load
from civic.metrics import all_figures

DEFAULT_DATA = Path("data")
CLI_COLUMNS = [
    "program", "metric", "value", "value_max", "unit", "qualifier", "reported", "date",
    "date_end", "department", "basis", "source", "locator",
]


def _validate(args: argparse.Namespace) -> int:
    loaded = load(args.data_dir)
    if loaded.problems:
        print(f"{len(loaded.problems)} problem(s) in {args.data_dir}:", file=sys.stderr)
        for problem in loaded.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    dataset = loaded.dataset
    print(
        f"{args.data_dir}: OK — {len(dataset.programs)} programs, {len(dataset.departments)} "
        f"departments, {len(dataset.sources)} sources, {len(dataset.figures)} figures"
    )
    frame = Frames(dataset).figures
    for column in ("program", "department"):
        counts = frame.groupby(column, observed=True).size().sort_values(ascending=False)
        print(f"\nfigures per {column}:")
        for key, count in counts.items():
            print(f"  {key:<28} {count}")
    return 0


def figures_table(data_dir: Path, program: str | None = None,
                  department: str | None = None) -> pd.DataFrame:
    """Reported and derived figures with the CLI's columns, optionally narrowed."""
    dataset = load(data_dir).dataset
    frame = Frames(dataset, all_figures(dataset)).figures
    if program:
        frame = frame[frame["program"] == program]
    if department:
        frame = frame[frame["department"] == department]
    frame = frame[CLI_COLUMNS].copy()
    for column in ("date", "date_end"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.reset_index(drop=True)


def _figures(args: argparse.Namespace) -> int:
    loaded = load(args.data_dir)
    for problem in loaded.problems:
        print(f"warning: {problem}", file=sys.stderr)
    frame = figures_table(args.data_dir, args.program, args.department)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(frame.drop(columns=["locator"]).to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check every data file, list every problem")
    validate.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    validate.set_defaults(run=_validate)

    figures = commands.add_parser("figures", help="list the normalized figures")
    figures.add_argument("--data", dest="data_dir", type=Path, default=DEFAULT_DATA)
    figures.add_argument("--program", help="program id, e.g. leaders_walk")
    figures.add_argument("--department", help="department id, e.g. zz_admin_approval")
    figures.add_argument("--format", choices=["table", "csv", "json"], default="table")
    figures.set_defaults(run=_figures)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
