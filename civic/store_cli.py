"""The `civic db` and `civic history` commands: migrate, load, dump and back up the store, and
print its audit trail."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from civic import database, dump, reads, store
from civic.catalog import DEFAULT_DATA_DIR
from civic.dates import parse_date
from civic.problems import Coded
from civic.text import csv_safe, printable


def database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help=f"the store (default ${database.URL_ENV}, else var/civic.sqlite3)")


def engine(args: argparse.Namespace):
    return database.connect(args.database)


def prepared(args: argparse.Namespace):
    """The store, migrated and filled from data/ when new, as the dashboard does."""
    found = engine(args)
    store.prepare(found, DEFAULT_DATA_DIR)
    return found


def refusing(*errors: type[Exception]):
    """A command whose refusal (one of `errors`) is one line on stderr and exit 1."""
    def wrap(run):
        def checked(args: argparse.Namespace) -> int:
            try:
                return run(args)
            except errors as error:
                print(f"civic: error: {error}", file=sys.stderr)
                return 1
        return checked
    return wrap


def listing(rows: list[dict], lists: str) -> pd.DataFrame:
    """Rows to print as a table: the column of lists `lists` joined by commas, none as blank."""
    frame = pd.DataFrame(rows)
    frame[lists] = frame[lists].map(", ".join)
    return frame.fillna("")


def write_output(command: str, output: Path, data: bytes) -> bool:
    """Write a command's file; on failure say why (naming `-o`) and return False."""
    try:
        output.write_bytes(data)
    except OSError as error:
        print(f"civic {command}: error: -o {output}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


def _current(args: argparse.Namespace):
    """The engine, once the store is known to be at the latest schema."""
    found = engine(args)
    if not database.is_current(found):
        raise database.StoreError(f"the store at {database.shown(str(found.url))} is not at the "
                                  "latest schema; run `civic db upgrade` first")
    return found


def _upgrade(args: argparse.Namespace) -> int:
    found = engine(args)
    before = database.check(found)
    after = database.upgrade(found)
    print(f"{database.shown(str(found.url))}: schema {before or '(empty)'} → {after}")
    return 0


def _status(args: argparse.Namespace) -> int:
    found = engine(args)
    revision = database.check(found)
    print(f"database: {database.shown(str(found.url))}")
    print(f"schema:   {revision or '(empty; run civic db upgrade)'} (latest {database.head()})")
    if revision:
        for table, count in reads.counts(found).items():
            print(f"  {table:<14} {count} rows")
        print(f"data version: {reads.version(found)}")
    return 0


def _load(args: argparse.Namespace) -> int:
    why = (args.why or f"load {args.data_dir.name}") + store.DIRECT
    written = store.load_folder(_current(args), args.data_dir, who=store.cli_user(), why=why,
                                dry_run=args.dry_run)
    counts = written.counts()
    for change in written.changes:
        print(f"  {change.action:<7} {change.table} {change.key}")
    verb = "would change" if args.dry_run else "changed"
    summary = ", ".join(f"{n} {action}s" for action, n in counts.items())
    version = f"; data version {written.version}" if written.version else ""
    print(f"{args.data_dir}: {verb} {len(written.changes)} records ({summary}){version}")
    return 0


def _dump(args: argparse.Namespace) -> int:
    files = dump.dump(_current(args), args.data_dir)
    print(f"{args.data_dir}: wrote {len(files)} files")
    return 0


def _backup(args: argparse.Namespace) -> int:
    print(dump.backup(_current(args), args.file))
    return 0


def iso_date(text: str) -> dt.date:
    """An option's date as officials write it (2024-01-31, 2024/1/31, 2024年1月31日); argparse
    names the option when it is not one."""
    try:
        return parse_date(text)
    except Coded as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _history(args: argparse.Namespace) -> int:
    frame = reads.history(_current(args), args.since)
    frame["at"] = frame["at"].map(lambda at: at.isoformat(timespec="seconds"))
    if args.format == "json":
        json.dump(frame.to_dict(orient="records"), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for column in ("before", "after"):
        frame[column] = frame[column].map(
            lambda v: "" if v is None else json.dumps(v, ensure_ascii=False))
    # Names and reasons are whoever wrote them: no terminal escape reaches the screen, and no
    # formula a spreadsheet would run reaches the CSV.
    frame = frame.map(lambda v: printable(v) if isinstance(v, str) else v)
    if args.format == "csv":
        csv_safe(frame).to_csv(sys.stdout, index=False)
    else:
        short = frame.drop(columns=["before", "after", "batch"])
        print(short.to_string(index=False) if len(short) else "no changes recorded")
    return 0


def _undo(args: argparse.Namespace) -> int:
    written = store.undo(_current(args), args.batch, who=store.cli_user(),
                         why=args.why or f"undo batch {args.batch}")
    for change in written.changes:
        print(f"  {change.action:<7} {change.table} {printable(change.key)}")
    print(f"undid batch {args.batch}: {len(written.changes)} changes; new batch {written.batch}")
    return 0


def add_commands(commands) -> None:
    db = commands.add_parser("db", help="migrate, load, dump or back up the store")
    steps = db.add_subparsers(dest="step", required=True)
    upgrade = steps.add_parser("upgrade", help="migrate the store to the latest schema")
    upgrade.set_defaults(run=_upgrade)
    status = steps.add_parser("status", help="schema revision, rows per table, data version")
    status.set_defaults(run=_status)
    load = steps.add_parser("load", help="upsert a data folder, all or nothing, audited")
    load.add_argument("data_dir", type=Path)
    load.add_argument("--dry-run", action="store_true", help="check and list changes, write none")
    load.add_argument("--why", help="the reason recorded in the audit trail")
    load.set_defaults(run=_load)
    dumped = steps.add_parser("dump", help="write the store out as a data folder")
    dumped.add_argument("data_dir", type=Path)
    dumped.set_defaults(run=_dump)
    backup = steps.add_parser("backup", help="SQLite: online backup; PostgreSQL: the pg_dump "
                                             "command")
    backup.add_argument("file", type=Path)
    backup.set_defaults(run=_backup)
    for step in (upgrade, status, load, dumped, backup):
        database_option(step)

    history = commands.add_parser("history", help="the audit trail of every change")
    history.add_argument("--since", type=iso_date, metavar="DATE", help="changes from, YYYY-MM-DD")
    history.add_argument("--format", choices=["table", "csv", "json"], default="table")
    database_option(history)
    history.set_defaults(run=_history)
    undo = history.add_subparsers(dest="step").add_parser(
        "undo", help="restore the state before a batch, as a new audited change")
    undo.add_argument("batch", help="the batch id (civic history --format json shows it)")
    undo.add_argument("--why", help="the reason recorded in the audit trail")
    database_option(undo)
    undo.set_defaults(run=_undo)
