"""`jwtpizza service`: run the pizza service alone."""

from __future__ import annotations

import asyncio
import functools
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


def serving_app(settings: ServiceSettings) -> FastAPI:
    """The app each uvicorn worker serves, its startup heap frozen. Each worker is a fresh
    process that gets the very settings the command built and checked (pickled with the
    server's configuration), not the environment read again."""
    from jwtpizza.cli.startup import freeze_startup_heap, quiet_cut_requests
    from jwtpizza.service.app import create_app

    quiet_cut_requests()
    app = create_app(settings)
    freeze_startup_heap()
    return app


STARTUP_FAILURE = 3  # the exit status `uvicorn` gives a server that did not start


def serve(settings: ServiceSettings, workers: int) -> None:
    """Serve the service with `workers` processes sharing one listening socket."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from jwtpizza.cli.startup import REQUEST_GRACE_SECONDS
    from jwtpizza.http.proxies import SERVER_OPTIONS

    config = uvicorn.Config(
        functools.partial(serving_app, settings),
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        loop="jwtpizza.workers:SharingLoop",
        log_level="warning",
        timeout_graceful_shutdown=REQUEST_GRACE_SECONDS,
        **SERVER_OPTIONS,
    )
    server = uvicorn.Server(config)
    try:
        if workers == 1:
            server.run()
        else:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:
        pass
    if workers == 1 and not server.started:  # uvicorn logged why (say, the port is taken)
        raise SystemExit(STARTUP_FAILURE)


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
    with readable_errors():
        settings = settings_with(host=host, port=port, demo=demo)
        settings.secret_key()
        asyncio.run(prepare_database(settings))
    # Workers share what must be shared: metrics through a folder, login and registration
    # limits and cache stamps through the database.
    workers = workers or os.cpu_count() or 1
    with shared_metrics(workers):
        serve(settings, workers)
