"""`jwtpizza up`: the whole stack on one machine, embedded SQLite, demo data, one command.

It checks its ports before anything else, prepares the databases, then runs the service, the
factory and ops each in a process of its own, so the stack uses every core. They are forked
once their code is imported, so that code is in memory once. This process prints the banner
only once every component answers its `/healthz`, then runs the traffic simulator and shows a
live status panel (or, without a terminal, the first error of each kind as it happens) until
Ctrl-C, which stops the simulator, then the components (a second Ctrl-C stops them at once).

The command's modules are imported when it runs, so `jwtpizza up --help` stays quick.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import gc
import importlib
import logging
import multiprocessing
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jwtpizza.cli.errors import CliError, readable_errors
from jwtpizza.settings import record_data_dir

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess

    from jwtpizza.cli.status import StatusWatch
    from jwtpizza.factory.settings import FactorySettings
    from jwtpizza.ops.settings import OpsSettings
    from jwtpizza.service.settings import ServiceSettings
    from jwtpizza.traffic import TrafficConfig

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
    """A component to run in a process of its own: `build` makes its ASGI app there."""

    name: str
    build: Callable[[], Any]
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
    from jwtpizza.cli.service import prepare_database
    from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor

    vendor_key = await ensure_demo_vendor(factory)
    admin_key = await ensure_demo_admin(factory)
    await prepare_database(service, demo_data=True)
    return vendor_key, admin_key


def ops_settings(
    host: str, port: int, service: ServiceSettings, factory: FactorySettings
) -> OpsSettings:
    """Ops watching this service and factory: their `/metrics` are its scrape targets."""
    from jwtpizza.ops.settings import OpsSettings, ScrapeTarget

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
    host: str,
    components: list[Component],
    processes: list[ForkProcess],
    interrupted: asyncio.Event,
) -> None:
    """Wait until every component answers `/healthz` (or Ctrl-C); fail if one stops first."""
    import httpx

    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_SECONDS
    pending = {c.name: f"http://{host}:{c.port}/healthz" for c in components}
    async with httpx.AsyncClient(timeout=1.0) as client:
        while pending and not interrupted.is_set():
            if not all(process.is_alive() for process in processes):
                raise CliError("a component could not start; see the lines above")
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


def _die_with_parent() -> None:
    """On Linux, the kernel sends this process SIGTERM if `up` dies without stopping it."""
    pr_set_pdeathsig = 1
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _serve(component: Component, host: str) -> None:
    """A component's process: its app on an event loop of its own until SIGTERM."""
    import uvicorn

    from jwtpizza.edge import SERVER_OPTIONS

    class Server(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            # Ctrl-C reaches every process of the terminal: `up` alone acts on it, and stops
            # the components with SIGTERM once the simulator is done.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, self.handle_exit)
            yield

    _die_with_parent()
    logging.getLogger("uvicorn.error").addFilter(_QuietStop())
    config = uvicorn.Config(
        component.build(),
        host=host,
        port=component.port,
        log_level="warning",
        timeout_graceful_shutdown=STOP_TIMEOUT_SECONDS,
        **SERVER_OPTIONS,
    )
    Server(config).run()


# What uvicorn loads when it starts (uvloop, httptools, lifespan): imported before the
# components are forked, so no component spends its start on them and they are in memory once.
SERVER_MODULES = (
    "uvicorn",
    "uvicorn.lifespan.on",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
)


def _start(components: list[Component], host: str) -> list[ForkProcess]:
    """One process per component, forked from this one with the code already imported."""
    for module in SERVER_MODULES:
        with suppress(ImportError):  # uvloop and httptools are optional to uvicorn
            importlib.import_module(module)
    gc.freeze()  # objects made so far stay untouched, so their pages stay shared
    processes = [
        multiprocessing.get_context("fork").Process(
            target=_serve, args=(c, host), name=c.name, daemon=True
        )
        for c in components
    ]
    for process in processes:
        process.start()
    gc.unfreeze()
    return processes


async def _stopped(processes: list[ForkProcess], seconds: float) -> None:
    """Wait up to `seconds` for the processes to end; kill those still running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while any(p.is_alive() for p in processes) and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    for process in processes:
        if process.is_alive():
            process.kill()
        process.join()


async def _any_ended(processes: list[ForkProcess]) -> None:
    # A process's end has no event to await here, so its liveness is polled.
    while all(p.is_alive() for p in processes):  # noqa: ASYNC110
        await asyncio.sleep(0.2)


async def _watch(watch: StatusWatch) -> None:
    """The live panel on a terminal; elsewhere, one line per new kind of error."""
    from rich.console import Console
    from rich.live import Live

    from jwtpizza.cli.status import Snapshot, render

    console = Console()
    if console.is_terminal:
        snapshot = Snapshot()
        with Live(render(snapshot), console=console, auto_refresh=False) as live:
            while True:
                # A reading that fails (a busy SQLite file) keeps the last panel up.
                with suppress(Exception):
                    snapshot = await watch.snapshot()
                live.update(render(snapshot), refresh=True)
                await asyncio.sleep(1.0)
    while True:
        await asyncio.sleep(1.0)
        kinds: list[str] = []
        with suppress(Exception):  # a component that does not answer this second
            kinds = await watch.new_errors()
        for kind in kinds:
            typer.secho(f"first error: {kind}", err=True, fg=typer.colors.RED)


async def _run(
    host: str,
    components: list[Component],
    watch: StatusWatch,
    on_ready: Callable[[], None],
    traffic: TrafficConfig | None = None,
) -> None:
    from jwtpizza.cli import practice

    processes = _start(components, host)
    interrupted = asyncio.Event()

    def interrupt() -> None:
        # The first Ctrl-C stops the simulator, then the components; a second one at once.
        if interrupted.is_set():
            for process in processes:
                if process.is_alive():
                    process.kill()
        interrupted.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    watcher: asyncio.Task[None] | None = None
    try:
        await _until_ready(host, components, processes, interrupted)
        if interrupted.is_set():
            return
        on_ready()
        watcher = asyncio.create_task(_watch(watch))
        async with practice.traffic_alongside(traffic) as simulator:
            # Components keep answering while the simulator's visits under way end.
            waits = [
                asyncio.create_task(interrupted.wait()),
                asyncio.create_task(_any_ended(processes)),
            ]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()
            await simulator.stop(grace_seconds=STOP_TIMEOUT_SECONDS)
        ended = [p.name for p in processes if not p.is_alive()]
        if ended and not interrupted.is_set():
            raise CliError(f"the {ended[0]} stopped; see the lines above")
    finally:
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        # Each component gets the graceful-shutdown bound for its open requests, then a second.
        await _stopped(processes, STOP_TIMEOUT_SECONDS + 1)
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
        # Imported here, before the components are forked, so their code is shared.
        from functools import partial

        from pydantic import SecretStr

        from jwtpizza.cli import practice
        from jwtpizza.cli.status import StatusWatch, Watched
        from jwtpizza.factory.app import create_app as create_factory
        from jwtpizza.factory.settings import FactorySettings
        from jwtpizza.ops.app import create_app as create_ops
        from jwtpizza.service.app import create_app as create_service
        from jwtpizza.service.settings import ServiceSettings
        from jwtpizza.traffic import TrafficConfig, parse_duration

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
            Component("pizza service", partial(create_service, service), service_port),
            Component("pizza factory", partial(create_factory, factory), factory_port),
            Component("ops", partial(create_ops, ops), ops_port),
        ]
        if surprise:
            asyncio.run(practice.schedule_surprise(factory, within_seconds=window))
        base = f"http://{host}:{service_port}"
        traffic = None if no_traffic else TrafficConfig(target=base, factory=factory.base_url())
        watch = StatusWatch(
            Watched("service", base),
            Watched("factory", factory.base_url(), bearer=admin_key),
            service_database_url=service.database_url,
            factory_database_url=factory.database_url,
            alerts_url=f"http://{host}:{ops_port}/api/ops/alerts",
            admin_login={"email": "a@jwt.com", "password": "admin"},
        )

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

        asyncio.run(_run(host, components, watch, ready, traffic))
