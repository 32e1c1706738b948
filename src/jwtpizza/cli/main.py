"""The `jwtpizza` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="jwtpizza",
    help="JWT Pizza: the pizza service, its factory, and the ops side around them.",
    no_args_is_help=True,
    add_completion=False,
)


def main() -> None:
    app()
