"""`jwtpizza up`: the whole stack on one machine, embedded SQLite, demo data, one command.

It checks its ports before anything else, records its data folder and the components' URLs
(so every `jwtpizza` command finds them), prepares the databases and closes what a previous
run left open in ops, then runs the service, the factory and ops each in a process of its own
(cli/processes.py), whose output it relays above the live panel. It prints the banner once
every component answers its `/healthz`, then runs the traffic simulator and shows the live
status panel (or, without a terminal, the first error of each kind as it happens) until
Ctrl-C, which stops the simulator, then the service, the factory and ops in turn (a second
Ctrl-C stops them at once). Demo secrets are random, made once per data folder.

The command's modules are imported when it runs, so `jwtpizza up --help` stays quick.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jwtpizza.cli.errors import CliError, readable_errors
from jwtpizza.settings import demo_secret, record_data_dir

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess

    from rich.console import Console

    from jwtpizza.cli.processes import Component
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


def use_data_dir(urls: dict[str, str]) -> Path:
    """The data folder of this stack (JWTPIZZA_DATA_DIR, else ./var), made absolute and
    recorded with the components' `urls`, so `jwtpizza` commands run from any folder find
    both. A folder that cannot be written is one line, before anything starts."""
    from jwtpizza.cli.endpoints import record_endpoints

    folder = Path(os.environ.get("JWTPIZZA_DATA_DIR") or "var").resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        record_endpoints(folder, urls)
        record_data_dir(folder)
    except OSError as exc:
        raise CliError(
            f"cannot write to the data folder {folder} ({exc.strerror or exc}): make it "
            "writable or choose another with JWTPIZZA_DATA_DIR"
        ) from None
    os.environ["JWTPIZZA_DATA_DIR"] = str(folder)
    return folder


async def _prepare(
    service: ServiceSettings, factory: FactorySettings, ops_database_url: str
) -> tuple[str, str]:
    """The databases ready and the demo data in; returns the demo vendor's and the demo
    admin's API keys. What a previous run left open in ops (pages, incidents) is closed, so
    this run starts from a clean slate."""
    from jwtpizza.cli.service import prepare_database
    from jwtpizza.clock import SystemClock
    from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
    from jwtpizza.ops.leftovers import close_leftovers

    vendor_key = await ensure_demo_vendor(factory)
    admin_key = await ensure_demo_admin(factory)
    await prepare_database(service, demo_data=True)
    closed = await close_leftovers(ops_database_url, now=SystemClock().now(), by="jwtpizza up")
    if closed.pages or closed.incidents:
        typer.echo(f"closed what the last run left open: {closed.incidents} incident(s), "
                   f"{closed.pages} page(s)")  # fmt: skip
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


def _demo_ops_secrets() -> list[tuple[str, str]]:
    """The ops demo secrets of this data folder, unless set (labels and values, to print)."""
    from jwtpizza.ops.oncall.settings import (
        DEMO_ACK_SECRET_FILE,
        DEMO_INTAKE_TOKEN_FILE,
        OncallSettings,
    )
    from jwtpizza.settings import demo_secret

    settings = OncallSettings()
    found = []
    if settings.demo and settings.intake_token is None:
        found.append(("ops intake", f"bearer {demo_secret(DEMO_INTAKE_TOKEN_FILE)}"))
    if settings.demo and settings.ack_secret is None:
        found.append(("ack-link key", demo_secret(DEMO_ACK_SECRET_FILE)))
    return found


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
    typer.echo(f"  vendor portal   {factory.base_url()}  (demo vendor id "
               f"`{factory.demo_vendor_id}`: its login code is printed here)")  # fmt: skip
    typer.echo(f"  ops             http://{ops.host}:{ops.port}  (alerts: /api/ops/alerts)")
    typer.echo(f"  status page     http://{ops.host}:{ops.port}/status")
    typer.echo("  demo logins     " + ", ".join(f"{e}/{p} ({r})" for r, e, p in DEMO_ACCOUNTS))
    typer.echo(f"  factory admin   API key {admin_key} (demo only)")
    for label, secret in _demo_ops_secrets():
        typer.echo(f"  {label:15} {secret} (demo only, kept in {folder / 'secrets'})")


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


async def _watch(watch: StatusWatch, console: Console) -> None:
    """The live panel on a terminal; elsewhere, one line per new kind of error."""
    from rich.live import Live

    from jwtpizza.cli.status import Snapshot, render

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


def _printer(console: Console) -> Callable[[str], None]:
    """Prints a component's line as it is, above the live panel while one is shown."""

    def show(line: str) -> None:
        console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)

    return show


async def _run(
    host: str,
    components: list[Component],
    watch: StatusWatch,
    on_ready: Callable[[], None],
    traffic: TrafficConfig | None = None,
) -> None:
    from rich.console import Console

    from jwtpizza.cli import practice
    from jwtpizza.cli.processes import STOP_TIMEOUT_SECONDS, any_ended, relay, start, stop

    console = Console()
    read_end, write_end = os.pipe()
    processes = start(components, host, write_end)
    os.close(write_end)  # the components hold it: the relay ends once they all have stopped
    relayed = asyncio.create_task(relay(read_end, _printer(console)))
    interrupted = asyncio.Event()

    def interrupt() -> None:
        # The first Ctrl-C stops the simulator, then the components; a second one at once.
        if interrupted.is_set():
            for process in processes:
                if process.is_alive():
                    process.kill()
        else:
            longest = max(c.stop_seconds for c in components)
            console.print(f"stopping: requests under way get up to {longest:.0f} s to end "
                          "(Ctrl-C again stops at once)", highlight=False)  # fmt: skip
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
        watcher = asyncio.create_task(_watch(watch, console))
        async with practice.traffic_alongside(traffic) as simulator:
            # Components keep answering while the simulator's visits under way end.
            waits = [
                asyncio.create_task(interrupted.wait()),
                asyncio.create_task(any_ended(processes)),
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
        await stop(processes, components)
        with suppress(TimeoutError):  # the last lines the components printed
            await asyncio.wait_for(relayed, timeout=1.0)
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
        from jwtpizza.cli.processes import Component
        from jwtpizza.cli.status import StatusWatch, Watched
        from jwtpizza.factory.app import create_app as create_factory
        from jwtpizza.factory.settings import FactorySettings
        from jwtpizza.ops.app import create_app as create_ops
        from jwtpizza.ops.settings import OpsSettings
        from jwtpizza.service.app import create_app as create_service
        from jwtpizza.service.settings import ServiceSettings
        from jwtpizza.traffic import TrafficConfig, parse_duration

        window = parse_duration(within, what="--within")
        check_ports(
            host,
            {"pizza service": service_port, "pizza factory": factory_port, "ops": ops_port},
        )
        base = f"http://{host}:{service_port}"
        ops_url = f"http://{host}:{ops_port}"
        factory = FactorySettings(host=host, port=factory_port)
        folder = use_data_dir({"service": base, "factory": factory.base_url(), "ops": ops_url})
        # The service signs its tokens with this folder's own secret, not a public one.
        os.environ.setdefault("JWTPIZZA_JWT_SECRET", demo_secret("service-jwt-secret", folder))
        ops_database = OpsSettings(host=host, port=ops_port).database_url
        vendor_key, admin_key = asyncio.run(
            _prepare(ServiceSettings(host=host, port=service_port), factory, ops_database)
        )
        service = ServiceSettings(
            host=host,
            port=service_port,
            factory_url=factory.base_url(),
            factory_api_key=SecretStr(vendor_key),
            # An order under way when `up` stops ends (the factory answers within its delay)
            # rather than waiting in the queue for the next start.
            stop_grace_seconds=factory.order_delay_seconds + 3,
        )
        ops = ops_settings(host, ops_port, service, factory)
        # Incidents read the service's logs and ledger and the chaos feed as the demo admins.
        os.environ.setdefault("JWTPIZZA_OPS_INCIDENTS_SERVICE_EMAIL", "a@jwt.com")
        os.environ.setdefault("JWTPIZZA_OPS_INCIDENTS_SERVICE_PASSWORD", "admin")
        os.environ.setdefault("JWTPIZZA_OPS_INCIDENTS_FACTORY_API_KEY", admin_key)
        components = [
            Component(
                "pizza service",
                partial(create_service, service),
                service_port,
                stop_seconds=service.stop_grace_seconds,
            ),
            Component("pizza factory", partial(create_factory, factory), factory_port),
            Component("ops", partial(create_ops, ops), ops_port),
        ]
        if surprise:
            asyncio.run(practice.schedule_surprise(factory, within_seconds=window))
        traffic = None if no_traffic else TrafficConfig(target=base, factory=factory.base_url())
        watch = StatusWatch(
            Watched("service", base),
            Watched("factory", factory.base_url(), bearer=admin_key),
            service_database_url=service.database_url,
            factory_database_url=factory.database_url,
            alerts_url=f"{ops_url}/api/ops/alerts",
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
            typer.echo("Press Ctrl-C to stop.")

        asyncio.run(_run(host, components, watch, ready, traffic))
