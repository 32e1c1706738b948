"""`jwtpizza ops`: run the ops component (monitor, alert rules) alone."""

from __future__ import annotations

from typing import Annotated

import typer

from jwtpizza.cli.errors import readable_errors


def ops(
    host: Annotated[str | None, typer.Option(help="Listen address (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default 3300)")] = None,
    game_day: Annotated[
        bool, typer.Option("--game-day", help="Scrape and evaluate every 5 s, short `for`")
    ] = False,
    autopilot: Annotated[
        bool, typer.Option("--autopilot", help="Let opted-in runbooks act on their own")
    ] = False,
) -> None:
    """Run the ops component: scrape the targets, evaluate the alert rules."""
    import uvicorn

    from jwtpizza.cli.startup import (
        REQUEST_GRACE_SECONDS,
        freeze_startup_heap,
        migrate_first,
        quiet_cut_requests,
    )
    from jwtpizza.http.proxies import SERVER_OPTIONS
    from jwtpizza.ops.app import create_app
    from jwtpizza.ops.incidents.settings import IncidentSettings
    from jwtpizza.ops.migrations import upgrade
    from jwtpizza.ops.settings import OpsSettings

    given = {"host": host, "port": port, "profile": "game-day" if game_day else None}
    with readable_errors():
        settings = OpsSettings(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
        incidents = IncidentSettings()
        if autopilot:  # the flag turns autopilot on; without it the setting decides
            incidents = incidents.model_copy(update={"autopilot": True})
        migrate_first(settings.database_url, upgrade)
        app = create_app(settings, incidents=incidents)
    freeze_startup_heap()
    quiet_cut_requests()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=REQUEST_GRACE_SECONDS,
        **SERVER_OPTIONS,
    )
