"""`ivr agents add|list|disable`: console accounts from the command line.

A password is asked for twice at a terminal, or read from the first line of standard input
when that is not a terminal (so provisioning scripts can pipe it in); it never appears in the
command line, where other users of the machine could read it.
"""

from __future__ import annotations

import argparse
import getpass
from typing import TextIO

from ivr.config import Settings
from ivr.errors import IvrError
from ivr.store import open_store
from ivr.store.accounts import AccountStore, Role


def add_agents_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(required=True, metavar="ACTION", dest="action")
    add = actions.add_parser(
        "add", help="add a console account (password prompted, or one line on stdin)")
    add.add_argument("name")
    add.add_argument("--supervisor", action="store_true",
                     help="may also see the dashboard and the audit log")
    actions.add_parser("list", help="list console accounts")
    disable = actions.add_parser("disable", help="stop an account from logging in")
    disable.add_argument("name")


def run_agents(settings: Settings, args: argparse.Namespace, stdin: TextIO,
               out: TextIO) -> int:
    accounts = AccountStore(open_store(settings.database_url))
    match args.action:
        case "add":
            role = Role.SUPERVISOR if args.supervisor else Role.AGENT
            agent = accounts.add(args.name, _password(stdin), role)
            print(f"{agent.role} {agent.name!r} added; log in at /console/login", file=out)
        case "list":
            for agent in accounts.all():
                state = "disabled" if agent.disabled else "active"
                print(f"{agent.name}\t{agent.role}\t{state}\tsince {agent.created_at[:10]}",
                      file=out)
        case "disable":
            accounts.disable(args.name)
            print(f"{args.name!r} can no longer log in", file=out)
    return 0


def _password(stdin: TextIO) -> str:
    if not stdin.isatty():
        line = stdin.readline()
        if not line.strip():
            raise IvrError("no password on standard input (pipe it in, one line)")
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != first:
        raise IvrError("the two passwords differ; nothing was changed")
    return first
