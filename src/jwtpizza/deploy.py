"""`python -m jwtpizza.deploy`: prepare the databases of a deployment once, before replicas
serve (a compose one-shot service, a Kubernetes Job).

It migrates the service's, the factory's and ops' databases (each under its migration lock,
so replicas starting at the same time only wait), and registers the service as a vendor of
the factory with the API key the service is configured with (`JWTPIZZA_FACTORY_API_KEY`), so
both sides share one secret from the deployment's environment. Running it again changes
nothing. Settings come from the same environment variables the components read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import typer

from jwtpizza.cli.errors import readable_errors
from jwtpizza.clock import SystemClock
from jwtpizza.db import Database
from jwtpizza.factory import migrations as factory_migrations
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.demo import ensure_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.factory.vendors.schemas import VendorCreate
from jwtpizza.ops import migrations as ops_migrations
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.service.seed import migrate as service_migrate
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.settings import SettingsError

SERVICE_VENDOR = VendorCreate(id="jwt-pizza-service", name="JWT Pizza service")


async def _on(url: str, step: Callable[[Database], Awaitable[None]]) -> None:
    db = Database(url, pooled=False)
    try:
        await step(db)
    finally:
        await db.dispose()


async def register_service_vendor(db: Database, api_key: str) -> None:
    """The service's vendor in the factory, its API key the configured one."""
    await ensure_vendor(db, SERVICE_VENDOR, now=SystemClock().now())
    async with db.writer() as session:
        vendor = await session.get(Vendor, SERVICE_VENDOR.id)
        assert vendor is not None
        vendor.api_key = api_key


async def prepare() -> None:
    service, factory, ops = ServiceSettings(), FactorySettings(), OpsSettings()
    service.secret_key()  # a missing secret fails here, before anything is changed
    if service.factory_api_key is None or not service.factory_api_key.get_secret_value():
        raise SettingsError("JWTPIZZA_FACTORY_API_KEY must be set")
    api_key = service.factory_api_key.get_secret_value()
    await _on(service.database_url, service_migrate)
    await _on(factory.database_url, factory_migrations.upgrade)
    await _on(factory.database_url, lambda db: register_service_vendor(db, api_key))
    await _on(ops.database_url, ops_migrations.upgrade)


def command() -> None:
    """Migrate every database and register the service with the factory."""
    with readable_errors():
        asyncio.run(prepare())
    typer.echo("databases ready: service, factory and ops migrated; service vendor registered")


if __name__ == "__main__":
    typer.run(command)
