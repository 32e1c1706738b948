"""`jwtpizza factory`: run the pizza factory, or rotate its signing key."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from jwtpizza.cli.errors import existing_database, readable_errors

app = typer.Typer(
    help="The pizza factory: run it (no subcommand) or manage its keys.", rich_markup_mode=None
)


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(metavar="HOST", help="Listen address")] = None,
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="Listen port (default 4000)")
    ] = None,
    demo: Annotated[bool | None, typer.Option("--demo/--no-demo", help="Demo mode")] = None,
) -> None:
    """Run the factory with uvicorn (migrates its database on start)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from jwtpizza.cli.startup import (
        REQUEST_GRACE_SECONDS,
        freeze_startup_heap,
        migrate_first,
        quiet_cut_requests,
    )
    from jwtpizza.factory.app import create_app
    from jwtpizza.factory.migrations import upgrade
    from jwtpizza.factory.settings import FactorySettings
    from jwtpizza.http.proxies import SERVER_OPTIONS

    overrides = {
        k: v for k, v in {"host": host, "port": port, "demo": demo}.items() if v is not None
    }
    with readable_errors():
        settings = FactorySettings(**overrides)  # type: ignore[arg-type]
        migrate_first(settings.database_url, upgrade)
    app = create_app(settings)
    freeze_startup_heap()
    quiet_cut_requests()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # a line per request on stdout cost the factory more than its work
        timeout_graceful_shutdown=REQUEST_GRACE_SECONDS,
        **SERVER_OPTIONS,
    )


@app.command("rotate-key")
def rotate_key() -> None:
    """Sign new pizzas with a fresh key; old keys stay in the JWKS until their pizzas expire."""
    from jwtpizza.factory import control
    from jwtpizza.factory.settings import FactorySettings

    with readable_errors():
        settings = FactorySettings()
        existing_database(settings.database_url, setting="JWTPIZZA_FACTORY_DATABASE_URL")
        kid = asyncio.run(control.rotate_key(settings))
    typer.echo(f"new signing key {kid} (a running factory picks it up within its refresh period)")
