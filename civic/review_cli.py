"""`civic review list|approve|return`: the queue of submissions, and the review steps an approver
takes from the shell, as the account named by `--as`."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from civic import accounts, reads, review
from civic.frames import Frames
from civic.i18n import plural
from civic.store_cli import _current, database_option, refusing
from civic.text import printable


def _reviewer(args: argparse.Namespace, engine) -> accounts.Account:
    found = accounts.current(engine, args.as_user)
    if found is None:
        raise accounts.Unknown(f"--as {args.as_user}: no enabled account has this name "
                               "(civic user add adds one)")
    return found


def _departments(engine) -> pd.DataFrame:
    return Frames(reads.dataset(engine, with_figures=False)).departments


def _list(args: argparse.Namespace) -> int:
    engine = _current(args)
    found = review.listed(engine, None if args.status == "all" else args.status)
    if args.as_user:  # what this account may review
        account = _reviewer(args, engine)
        found = [s for s in found if review.reviewable(account, s, _departments(engine))]
    if args.format == "json":
        json.dump([s.public() for s in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not found:
        print(f"no submissions {args.status}" if args.status != "all" else "no submissions")
        return 0
    frame = pd.DataFrame([{
        "batch": s.batch, "status": s.status, "kind": s.kind, "submitter": s.submitter,
        "departments": ", ".join(s.departments), "rows": s.rows, "label": s.label,
        "submitted": s.created_at.isoformat(timespec="seconds"), "comment": s.comment or ""}
        for s in found]).map(lambda v: printable(v) if isinstance(v, str) else v)
    print(frame.to_string(index=False))
    return 0


def _approve(args: argparse.Namespace) -> int:
    engine = _current(args)
    account = _reviewer(args, engine)
    done, written = review.approve(engine, args.batch, account=account,
                                   departments=_departments(engine), why=args.why or "")
    for change in written.changes:
        print(f"  {change.action:<7} {change.table} {printable(change.key)}")
    published = f"; published as batch {written.batch}, data version {written.version}" \
        if written.batch else "; nothing left to change"
    print(f"approved {done.batch} by {done.submitter}: {plural(len(written.changes), 'change')}"
          f"{published}")
    return 0


def _return(args: argparse.Namespace) -> int:
    engine = _current(args)
    account = _reviewer(args, engine)
    done = review.send_back(engine, args.batch, account=account,
                            departments=_departments(engine), comment=args.why)
    print(f"returned {done.batch} to {done.submitter}: {printable(done.comment)}")
    return 0


def add_commands(commands) -> None:
    parser = commands.add_parser("review", help="submissions waiting for review: list, approve "
                                                "(publish) or return them")
    steps = parser.add_subparsers(dest="step", required=True)
    listed = steps.add_parser("list", help="submissions, newest first")
    listed.add_argument("--status", choices=[*review.STATUSES, "all"], default=review.PENDING)
    listed.add_argument("--as", dest="as_user", metavar="USER",
                        help="only those this account may approve or return")
    listed.add_argument("--format", choices=["table", "json"], default="table")
    approved = steps.add_parser("approve", help="publish a pending submission")
    approved.add_argument("batch")
    approved.add_argument("--as", dest="as_user", metavar="USER", required=True,
                          help="the approver (not the submitter)")
    approved.add_argument("--why", metavar="TEXT", help="recorded with the review step")
    returned = steps.add_parser("return", help="send a pending submission back with a comment")
    returned.add_argument("batch")
    returned.add_argument("--as", dest="as_user", metavar="USER", required=True,
                          help="the approver (not the submitter)")
    returned.add_argument("--why", metavar="TEXT", required=True,
                          help="what to correct: the comment the submitter reads")
    for step, run in ((listed, _list), (approved, _approve), (returned, _return)):
        database_option(step)
        step.set_defaults(run=refusing(accounts.AccountError)(run))
