"""`jwtpizza db`: migrate, seed, check and repair the service's database.

The service, database and migration modules are imported by the subcommand that runs, so
`jwtpizza db --help` stays quick (cli/main.py)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer

from jwtpizza.cli.errors import existing_database, fail, readable_errors

if TYPE_CHECKING:
    from jwtpizza.service import integrity

app = typer.Typer(help="The pizza service's database.", no_args_is_help=True, rich_markup_mode=None)


@app.command("migrate")
def migrate_command() -> None:
    """Bring the schema up to date."""
    from jwtpizza.cli.service import prepare_database, settings_with

    with readable_errors():
        asyncio.run(prepare_database(settings_with()))
    typer.echo("database schema is up to date")


@app.command("seed")
def seed_command(
    demo: Annotated[bool, typer.Option("--demo", help="Load the original's demo data")] = False,
) -> None:
    """Load the demo users, menu, franchise and store (only with --demo)."""
    if not demo:
        fail("nothing to seed: pass --demo to load the demo users, menu and franchise")
    from jwtpizza.cli.service import prepare_database, settings_with

    with readable_errors():
        settings = settings_with()
        asyncio.run(prepare_database(settings, demo_data=True))
    typer.echo("demo data loaded: a@jwt.com (admin), d@jwt.com (diner), f@jwt.com (franchisee)")


async def _check(url: str, fix: bool) -> tuple[integrity.IntegrityReport, list[str]]:
    from jwtpizza.clock import SystemClock
    from jwtpizza.db import Database
    from jwtpizza.service import integrity
    from jwtpizza.service.auth.cache import watch_revocations

    db = Database(url)
    watch_revocations(db)  # a repair that removes roles revokes them in running services
    try:
        actions: list[str] = []
        if fix:
            async with db.writer() as session:
                actions = await integrity.repair(session=session, now=SystemClock().now())
        async with db.snapshot() as session:
            return await integrity.check(session=session), actions
    finally:
        await db.dispose()


def _report(fix: bool, as_json: bool) -> None:
    from jwtpizza.cli.service import settings_with

    with readable_errors():
        url = existing_database(settings_with().database_url, setting="JWTPIZZA_DATABASE_URL")
        report, actions = asyncio.run(_check(url, fix))
    for action in actions:
        typer.echo(f"repaired: {action}")
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo(f"orders by status: {report.orders_by_status}")
        for name, ids in report.as_dict().items():
            if isinstance(ids, list) and ids:
                typer.echo(f"{name.replace('_', ' ')}: {len(ids)} {ids[:20]}")
    if not report.ok:
        fail("integrity problems found" + ("" if fix else " (try: jwtpizza db repair)"))
    typer.echo("ok: every order is in exactly one state and every reference resolves")


@app.command("check")
def check_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON")] = False,
) -> None:
    """Report lost or duplicated orders and referential-integrity problems."""
    _report(fix=False, as_json=as_json)


@app.command("repair")
def repair_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON")] = False,
) -> None:
    """Fix what can be fixed safely, then check again."""
    _report(fix=True, as_json=as_json)
