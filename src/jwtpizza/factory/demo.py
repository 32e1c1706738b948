"""Demo vendors: `jwtpizza up` gets the demo vendor's API key to configure the service.

The demo vendor always exists once `ensure_demo_vendor` runs; the demo admin exists only in
demo mode, so no admin account appears on a real factory by itself.
"""

from __future__ import annotations

from datetime import datetime

from jwtpizza.clock import SystemClock
from jwtpizza.db import Database
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.migrations import upgrade
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.factory.vendors import service as vendors
from jwtpizza.factory.vendors.schemas import VendorCreate
from jwtpizza.settings import SettingsError


async def ensure_vendor(
    db: Database, vendor_in: VendorCreate, *, now: datetime, admin: bool = False
) -> str:
    """The vendor's API key, creating the vendor first if needed."""
    assert vendor_in.id is not None
    async with db.writer() as session:
        vendor = await session.get(Vendor, vendor_in.id)
        if vendor is None:
            vendor = await vendors.create(
                session=session, vendor_in=vendor_in, now=now, admin=admin
            )
        vendor.is_admin = vendor.is_admin or admin
        return vendor.api_key


def demo_vendor(settings: FactorySettings) -> VendorCreate:
    return VendorCreate(
        id=settings.demo_vendor_id,
        name="JWT Pizza (demo)",
        email="demo@jwt.com",
        phone="801-555-0100",
        website="http://localhost:3000",
        gitHubUrl="https://github.com/devops329/jwt-pizza",
    )


def demo_admin(settings: FactorySettings) -> VendorCreate:
    return VendorCreate(
        id=settings.demo_admin_id, name="Chaos instructor", email="instructor@jwt.com"
    )


async def seed(db: Database, settings: FactorySettings, *, now: datetime) -> tuple[str, str]:
    """Both demo accounts; returns (vendor API key, admin API key)."""
    if not settings.demo:
        raise SettingsError("the demo admin exists only in demo mode (JWTPIZZA_FACTORY_DEMO=true)")
    vendor_key = await ensure_vendor(db, demo_vendor(settings), now=now)
    admin_key = await ensure_vendor(db, demo_admin(settings), now=now, admin=True)
    return vendor_key, admin_key


async def ensure_demo_vendor(settings: FactorySettings) -> str:
    """Migrate the factory database if needed and return the demo vendor's API key."""
    db = Database(settings.database_url, pooled=False)
    try:
        await upgrade(db)
        return await ensure_vendor(db, demo_vendor(settings), now=SystemClock().now())
    finally:
        await db.dispose()


async def ensure_demo_admin(settings: FactorySettings) -> str:
    """The demo admin's API key (demo mode only)."""
    db = Database(settings.database_url, pooled=False)
    try:
        await upgrade(db)
        return (await seed(db, settings, now=SystemClock().now()))[1]
    finally:
        await db.dispose()
