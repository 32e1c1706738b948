"""`jwtpizza service`: run the pizza service alone."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from jwtpizza.cli.errors import readable_errors

if TYPE_CHECKING:  # imported where used, so that `jwtpizza service --help` stays quick
    from fastapi import FastAPI

    from jwtpizza.service.settings import ServiceSettings


# uvicorn starts each worker afresh from an import string, so the options given on the command
# line reach the workers' `serving_app` as one JSON object in this variable: every worker then
# builds the very settings the command checked.
WORKER_OPTIONS = "JWTPIZZA_SERVICE_WORKER_OPTIONS"


def settings_with(**overrides: object) -> ServiceSettings:
    """Settings from the environment, with the CLI options that were given on top."""
    from jwtpizza.service.settings import ServiceSettings

    given = {key: value for key, value in overrides.items() if value is not None}
    return ServiceSettings(**given)  # type: ignore[arg-type]


async def prepare_database(settings: ServiceSettings, *, demo_data: bool = False) -> None:
    """Bring the schema up to date (creating an SQLite file's folder), and load the demo
    data if asked."""
    from jwtpizza.db import Database
    from jwtpizza.service.seed import migrate, seed_demo

    db = Database(settings.database_url)
    try:
        await migrate(db)
        if demo_data:
            await seed_demo(db, bcrypt_rounds=settings.bcrypt_rounds)
    finally:
        await db.dispose()


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """With several workers, a fresh folder where they share their metrics (prometheus_client's
    multi-process mode) for this run only, removed when the server stops."""
    if workers < 2:
        yield
        return
    folder = tempfile.mkdtemp(prefix="jwtpizza-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(folder, ignore_errors=True)


def serving_app() -> FastAPI:
    """The app each uvicorn worker serves, its startup heap frozen."""
    from jwtpizza.cli.startup import freeze_startup_heap
    from jwtpizza.service.app import create_app

    app = create_app(settings_with(**json.loads(os.environ.get(WORKER_OPTIONS) or "{}")))
    freeze_startup_heap()
    return app


def service(
    host: Annotated[
        str | None, typer.Option(metavar="HOST", help="Listen address (default 127.0.0.1)")
    ] = None,
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="Listen port (default 3000)")
    ] = None,
    demo: Annotated[bool | None, typer.Option("--demo/--no-demo", help="Demo mode")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Worker processes (default: one per core)"),
    ] = None,
) -> None:
    """Run the pizza service (migrates its database first)."""
    import uvicorn

    from jwtpizza.http.proxies import SERVER_OPTIONS

    given = {"host": host, "port": port, "demo": demo}
    with readable_errors():
        settings = settings_with(**given)
        settings.secret_key()
        asyncio.run(prepare_database(settings))
    os.environ[WORKER_OPTIONS] = json.dumps({k: v for k, v in given.items() if v is not None})
    # Workers share what must be shared: metrics through a folder, login and registration
    # limits and cache stamps through the database.
    workers = workers or os.cpu_count() or 1
    with shared_metrics(workers):
        uvicorn.run(
            "jwtpizza.cli.service:serving_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            loop="jwtpizza.workers:SharingLoop",
            log_level="warning",
            **SERVER_OPTIONS,
        )
