"""Operator actions on a factory database, used by the CLI (no HTTP server needed).

A running factory caches vendors and their faults for `vendor_cache_seconds` (1 s), so chaos
started or stopped here takes effect within that period (a scheduled fault still starts at its
start time); a key rotated here is picked up within `key_refresh_seconds`.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.db import Database
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.domain import WorkingHours
from jwtpizza.factory.chaos.schemas import ChaosRequest, ScoreboardRow
from jwtpizza.factory.keys import KeyRing
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.factory.vendors import service as vendors


@asynccontextmanager
async def database(settings: FactorySettings) -> AsyncIterator[Database]:
    from jwtpizza.factory.migrations import upgrade

    db = Database(settings.database_url, pooled=False)
    try:
        await upgrade(db)
        yield db
    finally:
        await db.dispose()


async def start_chaos(
    settings: FactorySettings,
    *,
    vendor_id: str,
    chaos_type: str,
    request: ChaosRequest,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Schedule a fault; returns it with its report URL (operators may see the fix)."""
    clock = clock or SystemClock()
    hours = WorkingHours(
        settings.timezone(), settings.chaos_window_start_hour, settings.chaos_window_end_hour
    )
    spec = chaos.FaultSpec(
        chaos.parse_type(chaos_type), request.schedule(), request.duration_seconds, request.params()
    )
    async with database(settings) as db, db.writer() as session:
        fault = await chaos.start_fault(
            session=session,
            vendor_id=vendor_id,
            spec=spec,
            now=clock.now(),
            rng=random.Random(),
            hours=hours,
            outage_seconds=settings.outage_default_seconds,
        )
        body = chaos.describe(fault, clock.now(), secrets_visible=True)
    body["reportUrl"] = (
        f"{settings.base_url()}/api/support/{body['token']}/report/{body['fixCode']}"
    )
    return body


async def stop_chaos(
    settings: FactorySettings, *, vendor_id: str, clock: Clock | None = None
) -> int:
    now = (clock or SystemClock()).now()
    async with database(settings) as db, db.writer() as session:
        await vendors.get(session=session, vendor_id=vendor_id)
        return await chaos.stop_faults(session=session, vendor_id=vendor_id, now=now)


async def chaos_status(
    settings: FactorySettings, *, vendor_id: str | None, clock: Clock | None = None
) -> list[dict[str, Any]]:
    """Each vendor's latest fault (or only `vendor_id`'s)."""
    from jwtpizza.factory.admin.service import list_vendors

    now = (clock or SystemClock()).now()
    async with database(settings) as db, db.reader() as session:
        rows = await list_vendors(session=session, now=now)
    return [
        {"vendorId": row["id"], **row["chaos"]} for row in rows if vendor_id in (None, row["id"])
    ]


async def scoreboard(
    settings: FactorySettings, *, clock: Clock | None = None
) -> list[ScoreboardRow]:
    now = (clock or SystemClock()).now()
    async with database(settings) as db, db.reader() as session:
        return await chaos.scoreboard(session=session, now=now)


async def rotate_key(settings: FactorySettings, *, clock: Clock | None = None) -> str:
    clock = clock or SystemClock()
    async with database(settings) as db:
        ring = KeyRing(
            db,
            clock,
            bits=settings.key_bits,
            ttl_seconds=settings.pizza_ttl_seconds,
            refresh_seconds=0,
        )
        await ring.ensure()
        return await ring.rotate()
