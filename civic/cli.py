"""The `civic` command: check a data folder, list the store's figures and export a view without
opening the dashboard; `civic db` and `civic history` (in `store_cli`) look after the store,
`civic user` (in `user_cli`) its accounts, `civic due` the reports the calendar expects,
`civic subscribe` and `civic deliver` (in `delivery_cli`) what officials receive."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import DBAPIError

import civic
from civic import database, delivery_cli, intake_cli, reads, review_cli, store
from civic.catalog import DEFAULT_DATA_DIR, Catalog
from civic.departments import with_units
from civic.extraction import (
    NOT_PROPOSED_KEYS,
    RECORD_KEYS,
    ReportError,
    extract,
    read_report,
    report_day,
)
from civic.filters import Filters, Options
from civic.frames import Frames
from civic.i18n import DEFAULT_LANG, LANGS, t
from civic.loading import load
from civic.models import Category
from civic.reporting import beijing_today
from civic.store_cli import add_commands, database_option, engine, iso_date, write_output
from civic.text import csv_safe
from civic.user_cli import add_commands as add_user_commands
from civic.view import View

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
    if args.database:  # the folder as a write into that store would find it
        store.load_folder(engine(args), args.data_dir, who=store.cli_user(), dry_run=True)
    dataset = loaded.dataset
    print(
        f"{args.data_dir}: OK — {len(dataset.programs)} programs, {len(dataset.departments)} "
        f"departments, {len(dataset.sources)} sources, {len(dataset.figures)} figures"
    )
    frame = Frames(dataset).figures
    frame = frame[frame["basis"] == "reported"]
    for column in ("program", "department"):
        counts = frame.groupby(column, observed=True).size().sort_values(ascending=False)
        print(f"\nfigures per {column}:")
        for key, count in counts.items():
            print(f"  {key:<28} {count}")
    return 0


def figures_table(catalog: Catalog, program: str | None = None,
                  department: str | None = None) -> pd.DataFrame:
    """Reported and derived figures with the CLI's columns, optionally narrowed."""
    frame = catalog.frames.figures
    if program:
        frame = frame[frame["program"] == program]
    if department:
        frame = frame[frame["department"] == department]
    frame = frame[CLI_COLUMNS].copy()
    for column in ("date", "date_end"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.reset_index(drop=True)


def stored_catalog(args: argparse.Namespace) -> Catalog:
    """The store's catalog; a new store is migrated and filled from data/ first, as the
    dashboard does."""
    found = engine(args)
    store.prepare(found, DEFAULT_DATA_DIR)
    return Catalog.read(found)


def _figures(args: argparse.Namespace) -> int:
    catalog = stored_catalog(args)
    dataset = catalog.dataset
    unknown = [
        f"unknown {kind} {key!r}; known: {', '.join(sorted(known))}"
        for kind, key, known in (
            ("program", args.program, {p.id for p in dataset.programs}),
            ("department", args.department, {d.id for d in dataset.departments}),
        )
        if key and key not in known
    ]
    if unknown:
        print("\n".join(unknown), file=sys.stderr)
        return 2
    frame = figures_table(catalog, args.program, args.department)
    if args.format == "csv":  # escaped as the exports' CSV is: a spreadsheet runs no formula
        csv_safe(frame).to_csv(sys.stdout, index=False)
    elif args.format == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    else:
        print(frame.to_string(index=False))
    return 0


def due_table(catalog: Catalog, as_of: dt.date, department: str | None = None) -> pd.DataFrame:
    """The reports due and overdue on `as_of` (`civic.reporting`), of a department and its units
    where given, dates as YYYY-MM-DD."""
    frame = catalog.calendar.due(as_of)
    if department:
        frame = frame[frame["department"].isin(with_units(catalog.frames.departments,
                                                          [department]))]
    frame = frame.copy()
    for column in ("period_end", "due", "last_reported"):
        frame[column] = frame[column].map(lambda d: d.isoformat())
    return frame.reset_index(drop=True)


def _due(args: argparse.Namespace) -> int:
    catalog = stored_catalog(args)
    if args.department and args.department not in catalog.departments:
        print(f"civic due: error: unknown department {args.department!r}; known: "
              f"{', '.join(sorted(catalog.departments))}", file=sys.stderr)
        return 2
    frame = due_table(catalog, args.as_of or beijing_today(), args.department)
    if args.format == "csv":
        csv_safe(frame).to_csv(sys.stdout, index=False)
    elif args.format == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    elif frame.empty:
        print("no report is due or overdue")
    else:
        print(frame.to_string(index=False))
    return 0


def _filter_errors(args: argparse.Namespace, options: Options) -> list[str]:
    """What is wrong with the filters asked for, in words; empty when they all name something."""
    errors = [f"unknown department {d!r} (known: {', '.join(options.departments)})"
              for d in args.dept if d not in options.departments]
    if args.district and args.district not in options.districts:
        errors.append(f"unknown district {args.district!r} (known: {', '.join(options.districts)})")
    if args.date_from and args.date_to and args.date_to < args.date_from:
        errors.append(f"--to {args.date_to} is before --from {args.date_from}")
    return errors


def _output_error(output: Path) -> str | None:
    """Why `-o` cannot be written, found before any export work; None when it can."""
    if output.is_dir():
        return f"-o {output} is a folder; name a file in it"
    folder = output.parent
    if not folder.is_dir():
        return f"-o {output}: folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        return f"-o {output}: not writable"
    return None


def _export(args: argparse.Namespace) -> int:
    if (error := _output_error(args.output)) is not None:
        print(f"civic export: error: {error}", file=sys.stderr)
        return 2
    # The export stack (plotly, kaleido, openpyxl) loads only for this command.
    from civic import export, tables

    catalog = stored_catalog(args)
    errors = _filter_errors(args, Options.of(catalog.dataset))
    for error in errors:
        print(f"civic export: error: {error}", file=sys.stderr)
    if errors:
        return 2
    view = View(catalog, Filters(lang=args.lang, departments=tuple(dict.fromkeys(args.dept)),
                                 district=args.district, category=args.category,
                                 date_from=args.date_from, date_to=args.date_to))
    builders = {
        "pdf": export.briefing_pdf,
        "brief": export.brief_pdf,
        "zip": export.zip_bytes,
        "csv": lambda v: export.csv_bytes(tables.figures(v)),
        "xlsx": export.figures_xlsx,
    }
    try:
        data = builders[args.format](view)
    except export.BrowserMissing as error:
        print(f"civic export: error: {error}", file=sys.stderr)
        return 1
    except export.ExportFailed as error:
        print(f"civic export: error: {args.format} export failed: {error}; check that the "
              "browser runs (chromium --headless --version) or set BROWSER_PATH to one that "
              "does", file=sys.stderr)
        return 1
    if not write_output("export", args.output, data):
        return 1
    print(f"{args.output}: {args.format}, {len(data)} bytes — {view.context()}")
    return 0


def _extract(args: argparse.Namespace) -> int:
    try:
        report = read_report(args.file)
    except (ReportError, OSError) as error:
        shown = error.message(args.lang) if isinstance(error, ReportError) else error
        print(f"civic extract: error: {shown}", file=sys.stderr)
        return 2
    date, found_in = report_day(report.text, args.date, report.date)
    if date is None:  # never today: the periods would be made up
        print(f"civic extract: error: {t('report.date_missing', args.lang, name=args.file)}",
              file=sys.stderr)
        return 2
    found = engine(args)
    store.prepare(found, DEFAULT_DATA_DIR)
    result = extract(report.text, reads.dataset(found), date)
    figures = [p.record(args.lang) for p in result.figures]
    skipped = [s.record(args.lang) for s in result.not_proposed]
    if args.format == "json":
        json.dump({"report_date": date.isoformat(), "report_date_from": found_in,
                   "figures": figures, "not_proposed": skipped,
                   "not_in_catalogue": result.unknown_units},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"civic extract: {args.file}: report date {date} ({found_in}); {len(figures)} "
          f"figures proposed, {len(skipped)} numbers not proposed"
          + ("" if args.not_proposed or args.format == "table" else " (--not-proposed lists them)"),
          file=sys.stderr)
    for name in result.unknown_units:
        print(f"civic extract: {t('extract.note.not_in_catalogue', args.lang, name=name)}",
              file=sys.stderr)
    tables = {"figures": (figures, RECORD_KEYS), "not_proposed": (skipped, NOT_PROPOSED_KEYS)}
    shown = ["not_proposed"] if args.not_proposed else ["figures"]
    if args.format == "table" and not args.not_proposed:
        shown.append("not_proposed")
    for name in shown:
        records, keys = tables[name]
        frame = pd.json_normalize(records) if records else pd.DataFrame(columns=keys)
        if "notes" in frame:
            frame["notes"] = frame["notes"].map("; ".join)
        if args.format == "csv":
            csv_safe(frame).to_csv(sys.stdout, index=False)
        else:
            if name == "not_proposed":
                print(f"\nnot proposed ({len(records)}):")
            print(frame.to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description=__doc__)
    parser.add_argument("--version", action="version", version=f"civic {civic.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check every data file, list every problem")
    validate.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    database_option(validate)
    validate.set_defaults(run=_validate)

    figures = commands.add_parser("figures", help="list the normalized figures")
    database_option(figures)
    figures.add_argument("--program", help="program id, e.g. leaders_walk")
    figures.add_argument("--department", help="department id, e.g. zz_admin_approval")
    figures.add_argument("--format", choices=["table", "csv", "json"], default="table")
    figures.set_defaults(run=_figures)

    export = commands.add_parser(
        "export", help="write the two-page brief or the full briefing PDF, a ZIP of the charts, "
                       "or the figures as XLSX/CSV")
    export.add_argument("--format", required=True, choices=["brief", "pdf", "zip", "xlsx", "csv"])
    export.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    export.add_argument("--dept", nargs="+", action="extend", default=[], metavar="ID",
                        help="department id (lead or participant); repeatable")
    export.add_argument("--district", metavar="ID", help="district id, e.g. lusong")
    export.add_argument("--category", choices=[str(c) for c in Category])
    export.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE",
                        help="first date, YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE",
                        help="last date, YYYY-MM-DD")
    export.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    database_option(export)
    export.set_defaults(run=_export)

    due = commands.add_parser(
        "due", help="the reports due and overdue by the reporting calendar, most overdue first")
    due.add_argument("--as-of", type=iso_date, metavar="DATE",
                     help="the day to judge by, YYYY-MM-DD (default: today in Beijing time)")
    due.add_argument("--department", metavar="ID",
                     help="the reports a department (or one of its units) owns")
    due.add_argument("--format", choices=["table", "csv", "json"], default="table")
    database_option(due)
    due.set_defaults(run=_due)

    extract = commands.add_parser(
        "extract", help="propose the figures a .txt, .docx or .pdf report states")
    extract.add_argument("file", type=Path, help="the report")
    extract.add_argument("--date", type=iso_date, help="the report's date, YYYY-MM-DD "
                         "(default: the date the text gives itself, else the file's "
                         "properties; without any, exit 2)")
    extract.add_argument("--format", choices=["table", "csv", "json"], default="table")
    extract.add_argument("--not-proposed", action="store_true",
                         help="list the numbers not proposed, with the reason, instead")
    extract.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                         help="the language of reasons and notes")
    database_option(extract)
    extract.set_defaults(run=_extract)
    add_commands(commands)
    add_user_commands(commands)
    intake_cli.add_commands(commands)
    delivery_cli.add_commands(commands)
    review_cli.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except store.Refused as refused:
        print(f"{len(refused.problems)} problem(s); nothing was written:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except (database.StoreError, FileExistsError) as error:
        print(f"civic: error: {error}", file=sys.stderr)
        return 2
    except DBAPIError as error:  # wherever it was raised: what it says about the store
        found = database.failure(database.database_url(getattr(args, "database", None)), error)
        if not isinstance(found, database.StoreError):
            raise
        print(f"civic: error: {found}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
