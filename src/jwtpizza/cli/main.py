"""The `jwtpizza` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from jwtpizza.cli import chaos as chaos_cli
from jwtpizza.cli import factory as factory_cli

app = typer.Typer(
    name="jwtpizza",
    help="JWT Pizza: the pizza service, its factory, and the ops side around them.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(factory_cli.app, name="factory")
app.add_typer(chaos_cli.app, name="chaos")


def main() -> None:
    app()
