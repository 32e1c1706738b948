"""`jwtpizza service`: run the pizza service alone."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from jwtpizza.cli.errors import readable_errors
from jwtpizza.db import Database
from jwtpizza.edge import SERVER_OPTIONS
from jwtpizza.service.seed import migrate, seed_demo
from jwtpizza.service.settings import ServiceSettings


def settings_with(**overrides: object) -> ServiceSettings:
    """Settings from the environment, with the CLI options that were given on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return ServiceSettings(**given)  # type: ignore[arg-type]


async def prepare_database(settings: ServiceSettings, *, demo_data: bool = False) -> None:
    """Bring the schema up to date (creating an SQLite file's folder), and load the demo
    data if asked."""
    db = Database(settings.database_url)
    try:
        await migrate(db)
        if demo_data:
            await seed_demo(db, bcrypt_rounds=settings.bcrypt_rounds)
    finally:
        await db.dispose()


def service(
    host: Annotated[
        str | None, typer.Option(metavar="HOST", help="Listen address (default 127.0.0.1)")
    ] = None,
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="Listen port (default 3000)")
    ] = None,
    demo: Annotated[bool | None, typer.Option("--demo/--no-demo", help="Demo mode")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1, metavar="N", help="Worker processes (each keeps its own metrics; default 1)"
        ),
    ] = 1,
) -> None:
    """Run the pizza service (migrates its database first)."""
    import uvicorn

    given = {"host": host, "port": port, "demo": demo}
    with readable_errors():
        settings = settings_with(**given)
        settings.secret_key()
        asyncio.run(prepare_database(settings))
    # Workers build the app from the environment, so the options given travel there.
    for key, value in given.items():
        if value is not None:
            os.environ[f"JWTPIZZA_{key.upper()}"] = (
                str(value).lower() if key == "demo" else str(value)
            )
    uvicorn.run(
        "jwtpizza.service.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        # One worker unless asked: each worker keeps its own in-memory metrics, limits and
        # caches, so a scrape would see whichever worker answered and counters would seem to
        # reset (prometheus_client's multi-process mode is the way to lift this).
        workers=workers,
        log_level="warning",
        **SERVER_OPTIONS,
    )
