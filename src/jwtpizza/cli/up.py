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
import socket
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jwtpizza.cli.errors import CliError, readable_errors
from jwtpizza.settings import demo_secret, record_data_dir

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

    from jwtpizza.cli.processes import Component
    from jwtpizza.cli.status import StatusWatch
    from jwtpizza.factory.settings import FactorySettings
    from jwtpizza.ops.incidents.settings import IncidentSettings
    from jwtpizza.ops.oncall.settings import OncallSettings
    from jwtpizza.ops.settings import OpsSettings
    from jwtpizza.service.settings import ServiceSettings
    from jwtpizza.traffic import TrafficConfig

DEMO_ACCOUNTS = [
    ("admin", "a@jwt.com", "admin"),
    ("diner", "d@jwt.com", "diner"),
    ("franchisee", "f@jwt.com", "franchisee"),
]


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


def demo_defaults(settings: type[BaseSettings], **values: Any) -> dict[str, Any]:
    """`values` for the fields of `settings` that no environment variable sets: `up`'s demo
    defaults, under whatever the user set."""
    prefix = str(settings.model_config.get("env_prefix", "")).upper()
    present = {name.upper() for name in os.environ}
    return {key: value for key, value in values.items() if f"{prefix}{key}".upper() not in present}


@dataclass(frozen=True)
class DemoStack:
    """The settings of every component `up` runs, and what it prints about them."""

    service: ServiceSettings
    factory: FactorySettings
    ops: OpsSettings
    oncall: OncallSettings
    incidents: IncidentSettings
    admin_key: str
    folder: Path


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
        typer.echo(
            f"closed what the last run left open: {closed.incidents} incident(s), "
            f"{closed.pages} page(s)"
        )
    return vendor_key, admin_key


def ops_settings(
    host: str, port: int, service: ServiceSettings, factory: FactorySettings
) -> OpsSettings:
    """Ops watching this service and factory: their `/metrics` are its scrape targets."""
    from jwtpizza.ops.settings import OpsSettings, stack_targets

    service_url = f"http://{service.host}:{service.port}"
    return OpsSettings(
        **demo_defaults(OpsSettings, demo=True),
        host=host,
        port=port,
        service_url=service_url,
        factory_url=factory.base_url(),
        targets=stack_targets(service_url, factory.base_url()),
    )


def _demo_ops_secrets(settings: OncallSettings) -> list[tuple[str, str]]:
    """The ops demo secrets of this data folder, unless set (labels and values, to print)."""
    from jwtpizza.ops.oncall.settings import DEMO_ACK_SECRET_FILE, DEMO_INTAKE_TOKEN_FILE

    found = []
    if settings.demo and settings.intake_token is None:
        found.append(("ops intake", f"bearer {demo_secret(DEMO_INTAKE_TOKEN_FILE)}"))
    if settings.demo and settings.ack_secret is None:
        found.append(("ack-link key", demo_secret(DEMO_ACK_SECRET_FILE)))
    return found


def _banner(stack: DemoStack) -> None:
    service, factory, ops, folder = stack.service, stack.factory, stack.ops, stack.folder
    typer.secho(
        f"JWT Pizza is up (demo mode, embedded SQLite in {folder})",
        fg=typer.colors.GREEN,
        bold=True,
    )
    typer.echo(f"  pizza service   http://{service.host}:{service.port}  (API docs: /docs)")
    typer.echo(f"  pizza factory   {factory.base_url()}  (JWKS: /.well-known/jwks.json)")
    typer.echo(
        f"  vendor portal   {factory.base_url()}  (demo vendor id "
        f"`{factory.demo_vendor_id}`: its login code is printed here)"
    )
    typer.echo(f"  ops             http://{ops.host}:{ops.port}  (alerts: /api/ops/alerts)")
    typer.echo(f"  status page     http://{ops.host}:{ops.port}/status")
    typer.echo("  demo logins     " + ", ".join(f"{e}/{p} ({r})" for r, e, p in DEMO_ACCOUNTS))
    typer.echo(f"  factory admin   API key {stack.admin_key} (demo only)")
    for label, secret in _demo_ops_secrets(stack.oncall):
        typer.echo(f"  {label:15} {secret} (demo only, kept in {folder / 'secrets'})")


def demo_stack(host: str, service_port: int, factory_port: int, ops_port: int) -> DemoStack:
    """Every component's settings in demo mode (unless the environment says otherwise), its
    data folder recorded and its databases ready with the demo data."""
    from pydantic import SecretStr

    from jwtpizza.factory.settings import FactorySettings
    from jwtpizza.ops.oncall.settings import OncallSettings
    from jwtpizza.ops.settings import OpsSettings
    from jwtpizza.service.settings import ServiceSettings

    check_ports(
        host, {"pizza service": service_port, "pizza factory": factory_port, "ops": ops_port}
    )
    factory = FactorySettings(
        **demo_defaults(FactorySettings, demo=True), host=host, port=factory_port
    )
    urls = {
        "service": f"http://{host}:{service_port}",
        "factory": factory.base_url(),
        "ops": f"http://{host}:{ops_port}",
    }
    folder = use_data_dir(urls)
    # The service signs its tokens with this folder's own secret, not a public one.
    secret = demo_secret("service-jwt-secret", folder)
    service_demo = demo_defaults(ServiceSettings, demo=True, jwt_secret=SecretStr(secret))
    ops_database = OpsSettings(host=host, port=ops_port).database_url
    vendor_key, admin_key = asyncio.run(
        _prepare(
            ServiceSettings(**service_demo, host=host, port=service_port), factory, ops_database
        )
    )
    service = ServiceSettings(
        **service_demo,
        host=host,
        port=service_port,
        factory_url=factory.base_url(),
        factory_api_key=SecretStr(vendor_key),
        # An order under way when `up` stops ends (the factory answers within its delay)
        # rather than waiting in the queue for the next start.
        stop_grace_seconds=factory.order_delay_seconds + 3,
    )
    incidents = _demo_incidents(admin_key)
    oncall = OncallSettings(**demo_defaults(OncallSettings, demo=True))  # demo ack and intake
    ops = ops_settings(host, ops_port, service, factory)
    return DemoStack(service, factory, ops, oncall, incidents, admin_key, folder)


def _demo_incidents(admin_key: str) -> IncidentSettings:
    """Incidents read the service's logs and ledger and the chaos feed as the demo admins."""
    from pydantic import SecretStr

    from jwtpizza.ops.incidents.settings import IncidentSettings

    return IncidentSettings(
        **demo_defaults(
            IncidentSettings,
            service_email="a@jwt.com",
            service_password=SecretStr("admin"),
            factory_api_key=SecretStr(admin_key),
        )
    )


def _components(stack: DemoStack) -> list[Component]:
    """Each component's process and its app, built here, before the fork: the apps' objects
    are then in memory once, shared by the processes, instead of each process copying the
    framework code it runs while building its own (about 15 MB less after load)."""
    from jwtpizza.cli.processes import Component
    from jwtpizza.factory.app import create_app as create_factory
    from jwtpizza.ops.app import create_app as create_ops
    from jwtpizza.service.app import create_app as create_service

    service, factory = stack.service, stack.factory
    ops = create_ops(stack.ops, oncall=stack.oncall, incidents=stack.incidents)
    return [
        Component(
            "pizza service",
            create_service(service),
            service.port,
            stop_seconds=service.stop_grace_seconds,
        ),
        Component("pizza factory", create_factory(factory), factory.port),
        Component("ops", ops, stack.ops.port),
    ]


def _status_watch(stack: DemoStack) -> StatusWatch:
    from jwtpizza.cli.status import StatusWatch, Watched

    service, factory = stack.service, stack.factory
    return StatusWatch(
        Watched("service", f"http://{service.host}:{service.port}"),
        Watched("factory", factory.base_url(), bearer=stack.admin_key),
        service_database_url=service.database_url,
        factory_database_url=factory.database_url,
        alerts_url=f"http://{stack.ops.host}:{stack.ops.port}/api/ops/alerts",
        admin_login={"email": "a@jwt.com", "password": "admin"},
    )


def _announce(
    stack: DemoStack, traffic: TrafficConfig | None, surprise_within: str | None
) -> Callable[[], None]:
    """What `up` prints once every component answers."""

    def ready() -> None:
        _banner(stack)
        if traffic is not None:
            typer.echo(
                "  traffic         the original's mix and more (`--no-traffic` turns it off)"
            )
        if surprise_within is not None:
            typer.echo(
                f"  surprise        a random fault starts within {surprise_within}: "
                "watch for the page"
            )
        typer.echo("Press Ctrl-C to stop.")

    return ready


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
    with readable_errors():
        # Imported here, before the components are forked, so their code is shared.
        from jwtpizza.cli import practice
        from jwtpizza.cli.up_run import run
        from jwtpizza.traffic import TrafficConfig, parse_duration

        window = parse_duration(within, what="--within")
        stack = demo_stack(host, service_port, factory_port, ops_port)
        components = _components(stack)
        if surprise:
            asyncio.run(practice.schedule_surprise(stack.factory, within_seconds=window))
        service_url = f"http://{host}:{service_port}"
        factory_url = stack.factory.base_url()
        traffic = None if no_traffic else TrafficConfig(target=service_url, factory=factory_url)
        ready = _announce(stack, traffic, within if surprise else None)
        asyncio.run(run(host, components, _status_watch(stack), ready, traffic))
