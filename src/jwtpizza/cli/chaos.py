"""`jwtpizza chaos`: start, inspect and stop factory chaos, and show the scoreboard.

These commands work directly on the factory database named by the factory settings
(`JWTPIZZA_FACTORY_DATABASE_URL`), so they need no admin API key and no running server.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jwtpizza.cli.endpoints import recorded_endpoints
from jwtpizza.cli.errors import existing_database, readable_errors
from jwtpizza.factory.chaos.domain import ChaosType
from jwtpizza.factory.chaos.schemas import ChaosRequest, Window
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.traffic.stages import parse_duration

app = typer.Typer(
    help="Factory chaos: start, status, stop, scoreboard.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
console = Console()


def aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{text!r} needs a timezone, e.g. 2026-01-02T08:00:00-07:00")
    return moment


def build_request(
    *, now: bool, at: str | None, within: str | None, window: str | None, options: dict[str, Any]
) -> ChaosRequest:
    if sum([now, at is not None, within is not None, window is not None]) > 1:
        raise typer.BadParameter("give at most one of --now, --at, --within, --window")
    values: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if now:
        values["start"] = "now"
    if at:
        values["at"] = aware(at)
    if within:
        values["within_seconds"] = parse_duration(within, what="--within")
    if window:
        start, _, end = window.partition("/")
        values["window"] = Window(start=aware(start), end=aware(end))
    return ChaosRequest(**values)


def factory_settings() -> FactorySettings:
    """The factory's settings, once its database is known to exist; report links start where
    `jwtpizza up` runs the factory unless its public URL is set."""
    settings = FactorySettings()
    existing_database(settings.database_url, setting="JWTPIZZA_FACTORY_DATABASE_URL")
    if settings.public_base_url is None and (running := recorded_endpoints().get("factory")):
        return settings.model_copy(update={"public_base_url": running})
    return settings


Vendor = Annotated[
    str | None,
    typer.Option("--vendor", metavar="ID", help="Vendor id (default: the demo vendor)"),
]


@app.command()
def start(
    chaos_type: Annotated[
        ChaosType, typer.Argument(metavar="TYPE", show_choices=False, hidden=True)
    ],
    vendor: Vendor = None,
    now: Annotated[bool, typer.Option("--now", help="Start now")] = False,
    at: Annotated[
        str | None, typer.Option(metavar="TIME", help="Start at an ISO time with zone")
    ] = None,
    within: Annotated[
        str | None, typer.Option(metavar="DURATION", help="Start at a random time within it")
    ] = None,
    window: Annotated[
        str | None, typer.Option(metavar="START/END", help="Random start in it (ISO times)")
    ] = None,
    duration: Annotated[
        str | None, typer.Option(metavar="DURATION", help="End by itself after 90s/5m/1h")
    ] = None,
    percent: Annotated[
        int | None, typer.Option(metavar="N", help="flaky: percent of orders that fail")
    ] = None,
    delay: Annotated[
        str | None, typer.Option(metavar="DURATION", help="throttle: delay per order")
    ] = None,
    retry_after: Annotated[
        str | None, typer.Option(metavar="DURATION", help="ratelimit: Retry-After")
    ] = None,
    mode: Annotated[str | None, typer.Option(metavar="MODE", help="outage: hang or reset")] = None,
    show_fix: Annotated[bool, typer.Option("--show-fix", help="Print the report URL")] = False,
    announce: Annotated[
        bool, typer.Option("--announce", help="Announce it: ops pages nobody for its alerts")
    ] = False,
) -> None:
    """Schedule chaos of TYPE: fail, throttle, badjwt, outage, flaky, auth, ratelimit,
    jwt-expired, jwt-unknown-kid or jwt-wrong-order.

    Without --now, --at, --within or --window it starts at a random time tomorrow
    08:00-14:00 in the chaos timezone, as the original. Durations: 90, 90s, 5m, 1m30s, 1h.
    With --announce the chaos feed publishes it as announced, and ops holds back the pages
    of the alerts it causes while it runs (they still reach the incident timeline).
    """
    with readable_errors():
        options: dict[str, Any] = {
            "duration_seconds": parse_duration(duration, what="--duration") if duration else None,
            "percent": percent,
            "delay_seconds": parse_duration(delay, what="--delay") if delay else None,
            "retry_after_seconds": (
                parse_duration(retry_after, what="--retry-after") if retry_after else None
            ),
            "mode": mode,
            "announce": announce or None,
        }
        _start(chaos_type, vendor, now, at, within, window, show_fix, options)


def _start(
    chaos_type: ChaosType,
    vendor: str | None,
    now: bool,
    at: str | None,
    within: str | None,
    window: str | None,
    show_fix: bool,
    options: dict[str, Any],
) -> None:
    from jwtpizza.factory import control  # the database: only when a command runs

    settings = factory_settings()
    request = build_request(now=now, at=at, within=within, window=window, options=options)
    fault = asyncio.run(
        control.start_chaos(
            settings,
            vendor_id=vendor or settings.demo_vendor_id,
            chaos_type=chaos_type.value,
            request=request,
        )
    )
    console.print(
        f"chaos [bold]{fault['type']}[/bold] for {fault['vendorId']} starts {fault['startDate']}"
        + (" (announced)" if request.announce else "")
    )
    if show_fix:
        console.print(f"report URL: {fault['reportUrl']}")


@app.command()
def status(vendor: Vendor = None) -> None:
    """Each vendor's latest fault."""
    from jwtpizza.factory import control  # the database: only when a command runs

    with readable_errors():
        rows = asyncio.run(control.chaos_status(factory_settings(), vendor_id=vendor))
    table = Table("vendor", "type", "state", "start", "ended", "reason")
    for row in rows:
        table.add_row(
            row["vendorId"],
            row.get("type", "none"),
            row.get("state", "calm"),
            row.get("startDate", ""),
            row.get("fixDate", ""),
            row.get("endReason", ""),
        )
    console.print(table)


@app.command()
def stop(vendor: Vendor = None) -> None:
    """Cancel the vendor's scheduled or active fault."""
    from jwtpizza.factory import control  # the database: only when a command runs

    with readable_errors():
        settings = factory_settings()
        vendor_id = vendor or settings.demo_vendor_id
        stopped = asyncio.run(control.stop_chaos(settings, vendor_id=vendor_id))
    console.print("chaos stopped" if stopped else "No chaos currently executing")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"


@app.command()
def scoreboard() -> None:
    """Each vendor's time to resolve, fastest mean first."""
    from jwtpizza.factory import control  # the database: only when a command runs

    with readable_errors():
        rows = asyncio.run(control.scoreboard(factory_settings()))
    table = Table("vendor", "faults", "resolved", "open", "best", "mean", "last")
    for row in rows:
        table.add_row(
            row.vendor_id,
            str(row.faults),
            str(row.resolved),
            str(row.open),
            _fmt(row.best_seconds_to_resolve),
            _fmt(row.mean_seconds_to_resolve),
            _fmt(row.last_seconds_to_resolve),
        )
    console.print(table)
