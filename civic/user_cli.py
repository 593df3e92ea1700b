"""The `civic user` commands: add, list, disable an account and set its password.

A password is read twice from the terminal without echo, or once from standard input with
`--password-stdin` (for scripts); it is never an argument, so it stays out of shell history and
process lists.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from civic import accounts, store
from civic.store_cli import database_option, listing, prepared, refusing


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if first != getpass.getpass("the same password again: "):
        raise accounts.Invalid("the two passwords differ; nothing was changed")
    return first


def _add(args: argparse.Namespace) -> int:
    account = accounts.add(prepared(args), args.name, _password(args), args.role,
                           args.department, email=args.email, who=store.cli_user())
    where = ", ".join(account.departments) or "all departments"
    print(f"added {account.role} {account.name} ({where})")
    return 0


def _list(args: argparse.Namespace) -> int:
    listed = accounts.list_accounts(prepared(args))
    if not listed:
        print("no accounts: editing is off until one is added with `civic user add`")
        return 0
    frame = listing(listed, "departments")
    print(frame.to_string(index=False))
    return 0


def _disable(args: argparse.Namespace) -> int:
    accounts.disable(prepared(args), args.name, who=store.cli_user())
    print(f"disabled {args.name}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    found = prepared(args)
    accounts.set_password(found, args.name, _password(args), who=store.cli_user())
    print(f"new password for {args.name}")
    return 0


def add_commands(commands) -> None:
    user = commands.add_parser("user", help="add, list or disable the accounts that may write")
    steps = user.add_subparsers(dest="step", required=True)
    added = steps.add_parser("add", help="a new account (prompts twice for its password)")
    added.add_argument("name")
    added.add_argument("--role", required=True, choices=accounts.ROLES)
    added.add_argument("--department", nargs="+", action="extend", default=[], metavar="ID",
                       help="a department the editor writes for (its units included); repeatable")
    added.add_argument("--email", help="the e-mail single sign-on matches")
    listed = steps.add_parser("list", help="every account, its role, departments and state")
    disabled = steps.add_parser("disable", help="the account signs in no more")
    disabled.add_argument("name")
    passwd = steps.add_parser("passwd", help="a new password (also lifts a lock)")
    passwd.add_argument("name")
    for step, run in ((added, _add), (listed, _list), (disabled, _disable), (passwd, _passwd)):
        if step in (added, passwd):
            step.add_argument("--password-stdin", action="store_true",
                              help="read the password from the first line of standard input")
        database_option(step)
        step.set_defaults(run=refusing(accounts.AccountError)(run))
