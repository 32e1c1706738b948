"""`jwtpizza up`: the whole stack on one machine, embedded SQLite, demo data, one command.

It checks its ports before anything else, prints the banner only once every component
answers its `/healthz`, then shows a live status panel (or, without a terminal, the first
error of each kind as it happens) until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from rich.console import Console
from rich.live import Live

from jwtpizza.cli import practice
from jwtpizza.cli.errors import CliError, fail, readable_errors
from jwtpizza.cli.service import prepare_database
from jwtpizza.cli.status import StatusWatch, render
from jwtpizza.edge import SERVER_OPTIONS
from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.ops.app import create_app as create_ops
from jwtpizza.ops.settings import OpsSettings, ScrapeTarget
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.settings import record_data_dir
from jwtpizza.traffic import TrafficConfig, parse_duration

DEMO_ACCOUNTS = [
    ("admin", "a@jwt.com", "admin"),
    ("diner", "d@jwt.com", "diner"),
    ("franchisee", "f@jwt.com", "franchisee"),
]
READY_TIMEOUT_SECONDS = 30.0
# After Ctrl-C: the simulator's visits, then each server's open requests, get this long.
STOP_TIMEOUT_SECONDS = 5


@dataclass
class Component:
    name: str
    app: FastAPI
    port: int


def check_ports(host: str, components: dict[str, int]) -> None:
    """Fail before starting anything if a port is taken, naming the component and option."""
    for name, port in components.items():
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
                option = f"--{name.split()[-1]}-port"
                raise CliError(
                    f"port {port} for the {name} {why}: stop what runs there (another "
                    f"`jwtpizza up`?) or choose another with {option}"
                ) from None


def use_data_dir() -> Path:
    """The data folder of this stack (JWTPIZZA_DATA_DIR, else ./var), made absolute and
    recorded so `jwtpizza` commands run from any folder find it."""
    folder = Path(os.environ.get("JWTPIZZA_DATA_DIR") or "var").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["JWTPIZZA_DATA_DIR"] = str(folder)
    record_data_dir(folder)
    return folder


async def _prepare(service: ServiceSettings, factory: FactorySettings) -> tuple[str, str]:
    vendor_key = await ensure_demo_vendor(factory)
    admin_key = await ensure_demo_admin(factory)
    await prepare_database(service, demo_data=True)
    return vendor_key, admin_key


def ops_settings(
    host: str, port: int, service: ServiceSettings, factory: FactorySettings
) -> OpsSettings:
    """Ops watching this service and factory: their `/metrics` are its scrape targets."""
    service_url = f"http://{service.host}:{service.port}"
    return OpsSettings(
        host=host,
        port=port,
        service_url=service_url,
        factory_url=factory.base_url(),
        targets=[
            ScrapeTarget(
                job="jwt-pizza-service",
                url=f"{service_url}/metrics",
                labels={"component": "service"},
            ),
            ScrapeTarget(
                job="jwt-pizza-factory",
                url=f"{factory.base_url()}/metrics",
                labels={"component": "factory"},
            ),
        ],
    )


def _banner(
    service: ServiceSettings,
    factory: FactorySettings,
    ops: OpsSettings,
    admin_key: str,
    folder: Path,
) -> None:
    typer.secho(f"JWT Pizza is up (demo mode, embedded SQLite in {folder})",
                fg=typer.colors.GREEN, bold=True)  # fmt: skip
    typer.echo(f"  pizza service   http://{service.host}:{service.port}  (API docs: /docs)")
    typer.echo(f"  pizza factory   {factory.base_url()}  (JWKS: /.well-known/jwks.json)")
    typer.echo(f"  ops             http://{ops.host}:{ops.port}  (alerts: /api/ops/alerts)")
    typer.echo(f"  status page     http://{ops.host}:{ops.port}/status")
    typer.echo("  demo logins     " + ", ".join(f"{e}/{p} ({r})" for r, e, p in DEMO_ACCOUNTS))
    typer.echo(f"  factory admin   API key {admin_key} (demo only)")
    typer.echo("Press Ctrl-C to stop.")


async def _until_ready(
    host: str, components: list[Component], tasks: list[asyncio.Task[None]]
) -> None:
    """Wait until every component answers `/healthz`; fail if one stops first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_SECONDS
    pending = {c.name: f"http://{host}:{c.port}/healthz" for c in components}
    async with httpx.AsyncClient(timeout=1.0) as client:
        while pending:
            for task in tasks:
                if task.done():
                    raise CliError("a component stopped while starting; see the lines above")
            for name, url in list(pending.items()):
                with suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200:
                        del pending[name]
            if loop.time() > deadline:
                raise CliError(f"{', '.join(pending)} did not answer within 30 s")
            await asyncio.sleep(0.05)


class _QuietStop(logging.Filter):
    """Drops uvicorn's report of a request cancelled because `up` is stopping (a deliberately
    slow answer, such as the factory's oven-full wait, cut after the graceful-shutdown bound):
    stopping on Ctrl-C is expected, so it must not print a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


class _Server(uvicorn.Server):
    """A uvicorn server that leaves Ctrl-C to `up`, which stops every component at once."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _watch(watch: StatusWatch, console: Console) -> None:
    """The live panel on a terminal; elsewhere, one line per new kind of error."""
    if console.is_terminal:
        snapshot = await watch.snapshot()
        with Live(render(snapshot), console=console, auto_refresh=False) as live:
            while True:
                await asyncio.sleep(1.0)
                # A reading that fails (a busy SQLite file) keeps the last panel up.
                with suppress(Exception):
                    snapshot = await watch.snapshot()
                live.update(render(snapshot), refresh=True)
    while True:
        await asyncio.sleep(1.0)
        for kind in watch.new_errors():
            typer.secho(f"first error: {kind}", err=True, fg=typer.colors.RED)


async def _run(
    host: str,
    components: list[Component],
    on_ready: Callable[[], None],
    traffic: TrafficConfig | None = None,
) -> None:
    servers = [
        _Server(
            uvicorn.Config(
                c.app,
                host=host,
                port=c.port,
                log_level="warning",
                timeout_graceful_shutdown=STOP_TIMEOUT_SECONDS,
                **SERVER_OPTIONS,
            )
        )
        for c in components
    ]
    interrupted = asyncio.Event()

    def stop(*, force: bool = False) -> None:
        for server in servers:
            server.force_exit = force or server.should_exit
            server.should_exit = True

    def interrupt() -> None:
        # The first Ctrl-C stops the simulator, then the servers; a second one stops at once.
        if interrupted.is_set():
            stop(force=True)
        interrupted.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    logging.getLogger("uvicorn.error").addFilter(_QuietStop())
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    watch = StatusWatch(components[0].app, components[1].app)
    watcher: asyncio.Task[None] | None = None
    try:
        await _until_ready(host, components, tasks)
        on_ready()
        watcher = asyncio.create_task(_watch(watch, Console()))
        async with practice.traffic_alongside(servers, traffic) as simulator:
            # Servers keep answering while the simulator's visits under way end.
            asked = asyncio.create_task(interrupted.wait())
            await asyncio.wait([*tasks, asked], return_when=asyncio.FIRST_COMPLETED)
            asked.cancel()
            await simulator.stop(grace_seconds=STOP_TIMEOUT_SECONDS)
        stop()
        await asyncio.gather(*tasks)
    finally:
        stop()
        if watcher is not None:
            watcher.cancel()
        await asyncio.gather(*tasks, *([watcher] if watcher else []), return_exceptions=True)
        await watch.aclose()


def up(
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Listen address for every component")
    ] = "127.0.0.1",
    service_port: Annotated[int, typer.Option(metavar="PORT", help="Pizza service port")] = 3000,
    factory_port: Annotated[int, typer.Option(metavar="PORT", help="Pizza factory port")] = 4000,
    ops_port: Annotated[
        int, typer.Option(metavar="PORT", help="Ops (monitor, alerts) port")
    ] = 3300,
    no_traffic: Annotated[
        bool, typer.Option("--no-traffic", help="Do not run the traffic simulator")
    ] = False,
    surprise: Annotated[
        bool, typer.Option("--surprise", help="A random chaos type at a random time, to practise")
    ] = False,
    within: Annotated[
        str, typer.Option(metavar="DURATION", help="--surprise: start within 90s/10m/1h")
    ] = "10m",
) -> None:
    """Run the service, the factory and ops with demo data; print the URLs and demo logins, then
    a live status panel. The data folder is JWTPIZZA_DATA_DIR, else ./var; other
    `jwtpizza` commands find it from any folder."""
    os.environ.setdefault("JWTPIZZA_DEMO", "true")
    os.environ.setdefault("JWTPIZZA_FACTORY_DEMO", "true")
    os.environ.setdefault("JWTPIZZA_OPS_DEMO", "true")  # demo ack-link secret and intake token
    with readable_errors():
        window = parse_duration(within, what="--within")
        check_ports(
            host,
            {"pizza service": service_port, "pizza factory": factory_port, "ops": ops_port},
        )
        folder = use_data_dir()
        factory = FactorySettings(host=host, port=factory_port)
        vendor_key, admin_key = asyncio.run(
            _prepare(ServiceSettings(host=host, port=service_port), factory)
        )
        service = ServiceSettings(
            host=host,
            port=service_port,
            factory_url=factory.base_url(),
            factory_api_key=SecretStr(vendor_key),
        )
        ops = ops_settings(host, ops_port, service, factory)
        # Incidents read the service's logs and ledger and the chaos feed as the demo admins.
        os.environ.setdefault("JWTPIZZA_OPS_INCIDENTS_SERVICE_EMAIL", "a@jwt.com")
        os.environ.setdefault("JWTPIZZA_OPS_INCIDENTS_SERVICE_PASSWORD", "admin")
        os.environ.setdefault("JWTPIZZA_OPS_INCIDENTS_FACTORY_API_KEY", admin_key)
        components = [
            Component("pizza service", create_service(service), service_port),
            Component("pizza factory", create_factory(factory), factory_port),
            Component("ops", create_ops(ops), ops_port),
        ]
        if surprise:
            asyncio.run(practice.schedule_surprise(factory, within_seconds=window))
        base = f"http://{host}:{service_port}"
        traffic = None if no_traffic else TrafficConfig(target=base, factory=factory.base_url())

        def ready() -> None:
            _banner(service, factory, ops, admin_key, folder)
            if traffic is not None:
                typer.echo(
                    "  traffic         the original's mix and more (`--no-traffic` turns it off)"
                )
            if surprise:
                typer.echo(
                    f"  surprise        a random fault starts within {within}: watch for the page"
                )

        try:
            asyncio.run(_run(host, components, ready, traffic))
        except SystemExit:  # uvicorn exits when it cannot start, after logging why
            fail("a component could not start; see the line above")
