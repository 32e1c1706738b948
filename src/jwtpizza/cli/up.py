"""`jwtpizza up`: the whole stack on one machine, embedded SQLite, demo data, one command."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
import uvicorn
from pydantic import SecretStr

from jwtpizza.cli.errors import readable_errors
from jwtpizza.cli.service import prepare_database
from jwtpizza.edge import SERVER_OPTIONS
from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.settings import data_dir

DEMO_ACCOUNTS = [
    ("admin", "a@jwt.com", "admin"),
    ("diner", "d@jwt.com", "diner"),
    ("franchisee", "f@jwt.com", "franchisee"),
]


async def _prepare(service: ServiceSettings, factory: FactorySettings) -> tuple[str, str]:
    vendor_key = await ensure_demo_vendor(factory)
    admin_key = await ensure_demo_admin(factory)
    await prepare_database(service, demo_data=True)
    return vendor_key, admin_key


def _banner(service: ServiceSettings, factory: FactorySettings, admin_key: str) -> None:
    typer.secho("JWT Pizza is up (demo mode, embedded SQLite in "
                f"{data_dir().resolve()})", fg=typer.colors.GREEN, bold=True)  # fmt: skip
    typer.echo(f"  pizza service   http://{service.host}:{service.port}  (API docs: /docs)")
    typer.echo(f"  pizza factory   {factory.base_url()}  (JWKS: /.well-known/jwks.json)")
    typer.echo("  demo logins     " + ", ".join(f"{e}/{p} ({r})" for r, e, p in DEMO_ACCOUNTS))
    typer.echo(f"  factory admin   API key {admin_key} (demo only)")
    typer.echo("Press Ctrl-C to stop.")


async def _serve(*servers: uvicorn.Server) -> None:
    await asyncio.gather(*(server.serve() for server in servers))


def up(
    host: Annotated[str, typer.Option(help="Listen address for every component")] = "127.0.0.1",
    service_port: Annotated[int, typer.Option(help="Pizza service port")] = 3000,
    factory_port: Annotated[int, typer.Option(help="Pizza factory port")] = 4000,
) -> None:
    """Run the service and the factory with demo data; print the URLs and demo logins."""
    os.environ.setdefault("JWTPIZZA_DEMO", "true")
    os.environ.setdefault("JWTPIZZA_FACTORY_DEMO", "true")
    with readable_errors():
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
        apps = [(create_factory(factory), factory_port), (create_service(service), service_port)]
    servers = [
        uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", **SERVER_OPTIONS)
        )
        for app, port in apps
    ]
    _banner(service, factory, admin_key)
    asyncio.run(_serve(*servers))
