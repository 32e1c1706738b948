"""The `jwtpizza` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from jwtpizza.cli import admin as admin_cli
from jwtpizza.cli import alert as alert_cli
from jwtpizza.cli import alerts as alerts_cli
from jwtpizza.cli import chaos as chaos_cli
from jwtpizza.cli import classroom as classroom_cli
from jwtpizza.cli import db as db_cli
from jwtpizza.cli import factory as factory_cli
from jwtpizza.cli import incident as incident_cli
from jwtpizza.cli import scenario as scenario_cli
from jwtpizza.cli import silence as silence_cli
from jwtpizza.cli.errors import readable_errors
from jwtpizza.cli.logs import logs as logs_command
from jwtpizza.cli.oncall import oncall as oncall_command
from jwtpizza.cli.ops import ops as ops_command
from jwtpizza.cli.service import service as service_command
from jwtpizza.cli.traffic import traffic as traffic_command
from jwtpizza.cli.up import up as up_command

app = typer.Typer(
    name="jwtpizza",
    help="JWT Pizza: the pizza service, its factory, and the ops side around them.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help (no boxes that wrap words), and no rich tracebacks: expected failures are
    # one line (cli/errors.py).
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.command("up")(up_command)
app.command("service")(service_command)
app.command("ops")(ops_command)
app.add_typer(db_cli.app, name="db")
app.add_typer(admin_cli.app, name="admin")
app.add_typer(factory_cli.app, name="factory")
app.add_typer(chaos_cli.app, name="chaos")
app.add_typer(classroom_cli.app, name="class")
app.add_typer(incident_cli.app, name="incident")
app.add_typer(alert_cli.app, name="alert")
app.add_typer(alerts_cli.app, name="alerts")
app.add_typer(silence_cli.app, name="silence")
app.command("oncall")(oncall_command)
app.command("logs")(logs_command)
app.command("traffic")(traffic_command)
app.add_typer(scenario_cli.app, name="scenario")


def main() -> None:
    with readable_errors():
        app()
