"""`civic subscribe add|list|remove` and `civic deliver`: subscriptions kept from the command
line, and the run a timer starts every few minutes to send what is due."""

from __future__ import annotations

import argparse
import json
import sys

from civic import channels, delivery, documents, schedule, store, subscriptions
from civic.catalog import Catalog
from civic.i18n import LANGS
from civic.store_cli import database_option, listing, prepared, refusing
from civic.text import csv_safe


def _add(args: argparse.Namespace) -> int:
    found = prepared(args)
    settings = channels.config()
    added = subscriptions.add(
        found, Catalog.read(found), view=args.view, document=args.document, every=args.every,
        at=args.at, who=store.cli_user(), email=args.email, account=args.account,
        webhook=args.webhook, lang=args.lang, alerts=args.alerts, metrics=args.metric,
        webhooks=settings.webhooks, why=args.why)
    print(f"subscription {added.id}: {added.document} of {added.view} to {added.recipient}, "
          f"{added.every} at {added.at} (Beijing time)"
          + ("" if added.alerts else ", no alerts"))
    return 0


def _list(args: argparse.Namespace) -> int:
    listed = [s.public() for s in subscriptions.listed(prepared(args))]
    if args.format == "json":
        json.dump(listed, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not listed:
        print("no subscriptions")
        return 0
    frame = listing(listed, "metrics")
    if args.format == "csv":  # a view or an address is whoever typed it: no formula runs
        csv_safe(frame).to_csv(sys.stdout, index=False)
    else:
        print(frame.to_string(index=False))
    return 0


def _remove(args: argparse.Namespace) -> int:
    removed = subscriptions.remove(prepared(args), args.id, who=store.cli_user(), why=args.why)
    print(f"removed subscription {removed.id} ({removed.document} to {removed.recipient})")
    return 0


def _deliver(args: argparse.Namespace) -> int:
    found = prepared(args)
    run = delivery.deliver(found, args.now or schedule.now(), dry_run=args.dry_run,
                           settings=channels.config())
    for note in run.notes:
        print(f"note: {note}", file=sys.stderr)
    at = run.now.astimezone(schedule.BEIJING).strftime("%Y-%m-%d %H:%M")
    if args.dry_run:
        for planned in run.planned:
            print(f"would send  {planned.kind:<9} {planned.document:<8} to {planned.recipient} "
                  f"({planned.channel}) — {planned.view}")
        print(f"{at} (Beijing time): {len(run.planned)} to send, {len(run.alerts)} new alerts; "
              "nothing sent or recorded (--dry-run)")
        return 0
    for outcome in run.outcomes:
        retry = (f"; next try {outcome.next_attempt.astimezone(schedule.BEIJING):%Y-%m-%d %H:%M}"
                 if outcome.next_attempt else "")
        print(f"{outcome.status:<9} {outcome.kind:<9} {outcome.document:<8} to "
              f"{outcome.recipient} ({outcome.channel}, attempt {outcome.attempts}) — "
              f"{outcome.said}{retry}")
    sent = sum(o.status == delivery.SENT for o in run.outcomes)
    print(f"{at} (Beijing time): {sent} sent, {len(run.failed)} failed, {len(run.alerts)} new "
          "alerts")
    return 1 if run.failed else 0


def _now(text: str):
    try:
        return schedule.parse_now(text)
    except schedule.ScheduleError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# A refused subscription or a bad configuration is one line on stderr and exit 1.
_refused = refusing(subscriptions.Invalid, documents.DocumentError, schedule.ScheduleError,
                    channels.ConfigError)


def add_commands(commands) -> None:
    subscribe = commands.add_parser("subscribe", help="add, list or remove subscriptions")
    steps = subscribe.add_subparsers(dest="step", required=True)
    added = steps.add_parser("add", help="a view delivered on a schedule, and its alerts")
    whom = added.add_mutually_exclusive_group(required=True)
    whom.add_argument("--email", metavar="ADDRESS", help="an e-mail address")
    whom.add_argument("--account", metavar="NAME", help="an account (its e-mail when sent)")
    whom.add_argument("--webhook", metavar="NAME", help="a group bot configured by this name")
    added.add_argument("--view", required=True, metavar="URL_QUERY",
                       help="the dashboard link or its query, e.g. dept=zz_civil_affairs")
    added.add_argument("--document", required=True, choices=list(documents.DOCUMENTS))
    added.add_argument("--every", required=True, metavar="daily|weekly:MON|monthly:1")
    added.add_argument("--at", required=True, metavar="HH:MM", help="Beijing time")
    added.add_argument("--lang", choices=LANGS, help="the language (default: the view's, else zh)")
    added.add_argument("--no-alerts", dest="alerts", action="store_false",
                       help="no alerts about the view's indicators, only the schedule")
    added.add_argument("--metric", nargs="+", action="extend", default=[], metavar="ID",
                       help="alerts about these indicators only; repeatable")
    added.add_argument("--why", help="the reason recorded in the audit trail")
    listed = steps.add_parser("list", help="every subscription")
    listed.add_argument("--format", choices=["table", "csv", "json"], default="table")
    removed = steps.add_parser("remove", help="end a subscription (its deliveries stay on "
                                              "record)")
    removed.add_argument("id", type=int)
    removed.add_argument("--why", help="the reason recorded in the audit trail")
    for step, run in ((added, _add), (listed, _list), (removed, _remove)):
        database_option(step)
        step.set_defaults(run=_refused(run))

    deliver = commands.add_parser("deliver", help="send the subscriptions and alerts due now")
    deliver.add_argument("--now", type=_now, metavar="DATETIME",
                         help="the time to deliver as of, e.g. 2026-12-07T08:00 (Beijing time "
                              "unless it carries a zone); default now")
    deliver.add_argument("--dry-run", action="store_true",
                         help="list what would be sent; send and record nothing")
    database_option(deliver)
    deliver.set_defaults(run=_refused(_deliver))
