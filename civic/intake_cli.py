"""`civic import` (an upload checked and saved without the dashboard) and `civic template`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from civic import (
    accounts,
    effects,
    intake,
    project_intake,
    reads,
    review,
    store,
    templates,
    uploads,
)
from civic.accounts import Account
from civic.frames import Frames
from civic.i18n import DEFAULT_LANG, LANGS, plural
from civic.store_cli import _current, database_option, iso_date, write_output
from civic.text import printable

UNUSABLE = 2


def _account(args: argparse.Namespace, engine) -> Account:
    """`--as USER` writes as that account, with its departments; without it, the shell user
    (recorded as `cli:<user>`), who holds the database itself and so may write all."""
    if args.as_user:
        found = accounts.current(engine, args.as_user)
        if found is None:
            raise uploads.Unusable("entry.no_such_account")
        return found
    return Account(name=store.cli_user(), role="admin")


def _source(args: argparse.Namespace):
    if args.source:
        return args.source
    if not (args.source_title and args.source_date):
        raise uploads.Unusable("entry.source_missing")
    return intake.new_source(args.source_title, args.source_date, args.source_publisher,
                             args.source_url)


def _submit(engine, kind, checked, source, account, departments, why, replace, args) -> int:
    """An editor's import becomes a submission that waits for an approver."""
    shown = printable(args.file)
    submitted = review.submit_save(engine, kind, [r.record for r in checked.rows], source,
                                   account=account, departments=departments, why=why,
                                   label=printable(args.file.name), replace=replace)
    if submitted is None:
        print(f"{shown}: nothing to submit: the store holds every row as it is")
    else:
        print(f"{shown}: submitted {plural(submitted.rows, kind[:-1])} for review as "
              f"{account.name}; batch {submitted.batch} (pending: `civic review approve "
              f"{submitted.batch} --as APPROVER` publishes it)")
    return 0


def _import(args: argparse.Namespace) -> int:
    if args.correction and not (args.why or "").strip():
        print("civic: error: --correction needs --why TEXT: the note saying why the rows break "
              "their running totals", file=sys.stderr)
        return UNUSABLE
    shown = printable(args.file)  # a file name may hold terminal escapes
    try:
        kind, sheet = uploads.read_any(args.file.name, args.file.read_bytes(), templates.KINDS)
        source = _source(args)
    except OSError as error:
        print(f"civic: error: {shown}: {error.strerror or error}", file=sys.stderr)
        return UNUSABLE
    except uploads.Unusable as error:
        print(f"civic: error: {shown}: {printable(error)}", file=sys.stderr)
        return UNUSABLE
    except ValidationError as error:  # the new source described by the options
        for problem in intake.source_problems(error, "en"):
            print(f"civic: error: {problem}", file=sys.stderr)
        return UNUSABLE
    engine = _current(args)
    try:
        account = _account(args, engine)
    except uploads.Unusable as error:
        print(f"civic: error: --as {args.as_user}: {error}", file=sys.stderr)
        return UNUSABLE
    dataset = reads.dataset(engine, with_figures=False)
    departments = Frames(dataset).departments
    names = {m.id: m.label.en for m in dataset.metrics}
    if kind == "figures":
        checked = intake.check(engine, sheet, source, account, departments,
                               correction=args.why if args.correction else None)
    else:
        checked = project_intake.check(engine, sheet, source, account, departments)
    entry = intake if kind == "figures" else project_intake
    problems = entry.problems_text(checked, account, names)
    duplicates = [r for r in checked.duplicates if not r.unchanged]
    if duplicates and args.on_duplicate == "fail":
        problems += [f"row {r.number}: already stored as "
                     f"{r.stored if kind == 'figures' else r.stored.name.en}; --on-duplicate "
                     "skip or replace" for r in duplicates]
    if problems:
        print(f"{len(problems)} problem(s) in {shown}; nothing was written:", file=sys.stderr)
        for problem in problems:
            print(f"  {printable(problem)}", file=sys.stderr)
        return 1
    for warning in getattr(checked, "warnings", []):
        print(f"warning: {warning.text('en', names)}", file=sys.stderr)
    for effect in effects.lines(getattr(checked, "effects", []), dataset, "en"):
        print(effect)
    replace = {r.key for r in duplicates} if args.on_duplicate == "replace" else set()
    notes = "; ".join(n for n in dict.fromkeys(getattr(r, "note", "") for r in checked.rows) if n)
    why = args.why or f"import {printable(args.file.name)}" + (f": {printable(notes)}"
                                                               if notes else "")
    if args.as_user and not args.dry_run:  # an editor's import waits for an approver
        return _submit(engine, kind, checked, source, account, departments, why, replace, args)
    if not args.as_user:
        why += store.DIRECT
    saved = entry.save(engine, [r.record for r in checked.rows], source, account=account,
                       departments=departments, why=why, replace=replace,
                       dry_run=args.dry_run)
    verb = "would add" if args.dry_run else "added"
    batch = f"; batch {saved.batch}" if saved.batch else ""
    print(f"{shown}: {verb} {saved.inserted}, replaced {saved.replaced}, skipped "
          f"{saved.skipped} {kind} citing {saved.source}{batch}")
    return 0


def _template(args: argparse.Namespace) -> int:
    engine = _current(args)
    content = templates.template(args.kind, args.format, reads.dataset(engine), args.lang)
    if not write_output("template", args.output, content):
        return 1
    print(f"{args.output}: {args.kind} template ({args.format}, {args.lang})")
    return 0


def add_commands(commands) -> None:
    imported = commands.add_parser("import",
                                   help="check an upload of figures or projects and save it")
    imported.add_argument("file", type=Path, help=".csv, .xlsx, .json or .yaml")
    imported.add_argument("--source", metavar="ID", help="the stored source the upload cites")
    imported.add_argument("--source-title", metavar="TEXT", help="a new source's title")
    imported.add_argument("--source-date", type=iso_date, metavar="DATE",
                          help="a new source's date, YYYY-MM-DD")
    imported.add_argument("--source-publisher", metavar="TEXT", help="a new source's publisher")
    imported.add_argument("--source-url", metavar="URL", help="a new source's link")
    imported.add_argument("--dry-run", action="store_true", help="check and count, write none")
    imported.add_argument("--correction", action="store_true",
                          help="the rows correct their running totals on purpose (a smaller "
                               "total, another start): saved with --why as their note")
    imported.add_argument("--why", metavar="TEXT",
                          help="why, recorded in the audit trail (and, with --correction, with "
                               "each row)")
    imported.add_argument("--as", dest="as_user", metavar="USER",
                          help="the editor submitting it: held for review until an approver "
                               "publishes it (without --as it is published directly)")
    imported.add_argument("--on-duplicate", choices=intake.ON_DUPLICATE, default="skip",
                          help="rows matching stored figures or projects: skip (default), "
                               "replace or fail")
    database_option(imported)
    imported.set_defaults(run=_import)

    template = commands.add_parser("template", help="write an upload template")
    template.add_argument("kind", choices=sorted(templates.KINDS))
    template.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    template.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    template.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    database_option(template)
    template.set_defaults(run=_template)

