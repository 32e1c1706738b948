"""The `jwtpizza` command: one Typer app, one module per command group.

A command's module is imported only when that command runs or shows its own help, so
`jwtpizza --help` and light commands do not pay for FastAPI, SQLAlchemy or Alembic. The
top-level help lists each command from `COMMANDS`; a test checks each summary against the
command's own help.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

# Typer carries its own copy of click; the group below overrides its methods with its types.
from typer import _click as click
from typer._click.utils import make_default_short_help
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo

from jwtpizza.cli.errors import readable_errors

# httpx loads its own command-line client (click, pygments, rich syntax) when imported unless
# that is missing; this command never runs it, and marking it missing saves each command that
# talks HTTP a third of its start-up.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

# name -> ("module:attribute" of its Typer app or command function, the first sentence of
# its help), in the order the help lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "up": (
        "jwtpizza.cli.up:up",
        "Run the service, the factory and ops with demo data; print "
        "the URLs and demo logins, then a live status panel.",
    ),
    "service": (
        "jwtpizza.cli.service:service",
        "Run the pizza service (migrates its database first).",
    ),
    "ops": (
        "jwtpizza.cli.ops:ops",
        "Run the ops component: scrape the targets, evaluate the alert rules.",
    ),
    "oncall": (
        "jwtpizza.cli.oncall:oncall",
        "Show who is on call and the pages still waiting for an acknowledgement.",
    ),
    "logs": ("jwtpizza.cli.logs:logs", "Show a running component's recent logs."),
    "traffic": (
        "jwtpizza.cli.traffic:traffic",
        "Simulate diners, franchisees and admins over the public API (or run a load test).",
    ),
    "db": ("jwtpizza.cli.db:app", "The pizza service's database."),
    "admin": ("jwtpizza.cli.admin:app", "Admin accounts of the pizza service."),
    "factory": (
        "jwtpizza.cli.factory:app",
        "The pizza factory: run it (no subcommand) or manage its keys.",
    ),
    "chaos": ("jwtpizza.cli.chaos:app", "Factory chaos: start, status, stop, scoreboard."),
    "class": (
        "jwtpizza.cli.classroom:app",
        "Instructor mode: a class of vendors with surprise faults, and a scoreboard.",
    ),
    "incident": (
        "jwtpizza.cli.incident:app",
        "Incidents: declare, act on, and write their postmortems.",
    ),
    "action": (
        "jwtpizza.cli.action:app",
        "Action items: list, add, mark done, export, create from postmortems.",
    ),
    "alert": ("jwtpizza.cli.alert:app", "Act on alerts: acknowledge their pages."),
    "alerts": (
        "jwtpizza.cli.alerts:app",
        "Alerts: what is pending or firing, history, rules, rule tests.",
    ),
    "slo": (
        "jwtpizza.cli.slo:app",
        "SLOs: error budget and burn rate; generate the burn-rate rules.",
    ),
    "silence": (
        "jwtpizza.cli.silence:app",
        "Silences: mute matching alerts until they expire.",
    ),
    "scenario": (
        "jwtpizza.cli.scenario:app",
        "Replay the real incidents: list the scenarios, run one with a scorecard",
    ),
}

# Commands that start components (which read their settings from the environment): they name
# unknown JWTPIZZA_* variables when they run (not for --help).
STARTS_COMPONENTS = frozenset({"up", "service", "factory", "ops"})


def warn_unknown_variables() -> None:
    # Imported only now: it imports every component's settings (about a second).
    from jwtpizza.cli.variables import warn_unknown_variables as warn

    warn()


class StartsComponentCommand(TyperCommand):
    """A command that starts a component: first names unknown `JWTPIZZA_*` variables."""

    def invoke(self, ctx: click.Context) -> Any:
        warn_unknown_variables()
        return super().invoke(ctx)


class StartsComponentGroup(TyperGroup):
    """A group that starts a component (or acts on its data): as `StartsComponentCommand`."""

    def invoke(self, ctx: click.Context) -> Any:
        warn_unknown_variables()
        return super().invoke(ctx)


def load_command(name: str) -> click.Command:
    """Import the module of command `name` and build its click command."""
    module, _, attribute = COMMANDS[name][0].partition(":")
    found = getattr(importlib.import_module(module), attribute)
    starts = name in STARTS_COMPONENTS
    # Plain help (no boxes that wrap words), as for the top level.
    if isinstance(found, typer.Typer):
        return typer.main.get_group_from_info(
            TyperInfo(found, name=name, cls=StartsComponentGroup if starts else TyperGroup),
            pretty_exceptions_short=True,
            suggest_commands=True,
            rich_markup_mode=None,
        )
    cls = StartsComponentCommand if starts else TyperCommand
    return typer.main.get_command_from_info(
        CommandInfo(name=name, callback=found, cls=cls),
        pretty_exceptions_short=True,
        rich_markup_mode=None,
    )


class LazyCommands(TyperGroup):
    """The top-level group: lists `COMMANDS` without importing them, loads one when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, make_default_short_help(summary, limit))
            for name, (_, summary) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="jwtpizza",
    cls=LazyCommands,
    help="JWT Pizza: the pizza service, its factory, and the ops side around them.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help (no boxes that wrap words), and no rich tracebacks: expected failures are
    # one line (cli/errors.py).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def _top_level() -> None:
    """JWT Pizza: the pizza service, its factory, and the ops side around them."""


def main() -> None:
    with readable_errors():
        app()
