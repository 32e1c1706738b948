"""Vendors by API key, with their faults, kept in memory for the order path.

Reading the vendor and its fault on every order cost the factory more than signing the pizza.
An entry is forgotten as soon as this process changes a vendor or a fault (once the change
commits), and is read again at most `refresh_seconds` after it was loaded, so changes made
elsewhere (the `jwtpizza chaos` CLI, another replica) show up within that period. Whether a
fault is in effect is decided at each order from its schedule and the clock, never from the
time it was cached, so a scheduled fault starts exactly on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.chaos.domain import FaultState, state_of
from jwtpizza.factory.chaos.models import Fault


@dataclass(frozen=True)
class CachedFault:
    """What an order needs of a fault that has not ended (it may still be scheduled)."""

    type: str
    params: dict[str, Any]
    fix_code: str
    token: str
    start_at: datetime
    duration_seconds: float | None
    ended_at: datetime | None

    @classmethod
    def of(cls, fault: Fault) -> CachedFault:
        return cls(
            type=fault.type,
            params=dict(fault.params or {}),
            fix_code=fault.fix_code,
            token=fault.token,
            start_at=fault.start_at,
            duration_seconds=fault.duration_seconds,
            ended_at=fault.ended_at,
        )


@dataclass(frozen=True)
class CachedVendor:
    id: str
    name: str | None
    faults: tuple[CachedFault, ...]
    loaded_at: float

    def fault_at(self, now: datetime) -> CachedFault | None:
        """The fault in effect at `now`, if any."""
        return next((f for f in self.faults if state_of(f, now) is FaultState.ACTIVE), None)


async def load(*, session: AsyncSession, api_key: str, loaded_at: float) -> CachedVendor | None:
    """The vendor with this API key and its unended faults, in one round trip."""
    query = (
        select(Vendor.id, Vendor.name, Fault)
        .outerjoin(Fault, (Fault.vendor_id == Vendor.id) & Fault.ended_at.is_(None))
        .where(Vendor.api_key == api_key)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    faults = tuple(CachedFault.of(fault) for _, _, fault in rows if fault is not None)
    return CachedVendor(rows[0].id, rows[0].name, faults, loaded_at)


class VendorCache:
    """Vendors by API key; unknown keys are not cached (a new vendor can log in at once)."""

    def __init__(self, db: Database, clock: Clock, *, refresh_seconds: float) -> None:
        self._db, self._clock, self._refresh = db, clock, refresh_seconds
        self._entries: dict[str, CachedVendor] = {}
        self._generation = 0  # bumped by every forget, so a load it overtook is not kept

    async def get(self, api_key: str) -> CachedVendor | None:
        entry = self._entries.get(api_key)
        if entry is not None and self._clock.monotonic() - entry.loaded_at < self._refresh:
            return entry
        generation = self._generation
        async with self._db.reader() as session:
            entry = await load(session=session, api_key=api_key, loaded_at=self._clock.monotonic())
        if entry is None:
            self._entries.pop(api_key, None)
        elif generation == self._generation:
            self._entries[api_key] = entry
        return entry

    def forget(self, vendor_id: str | None = None) -> None:
        """Drop the entries of one vendor (or all), so the next order reads them again."""
        self._generation += 1
        if vendor_id is None:
            self._entries.clear()
            return
        for key in [k for k, v in self._entries.items() if v.id == vendor_id]:
            del self._entries[key]

    def forget_on_commit(self, session: AsyncSession, vendor_id: str | None = None) -> None:
        """Forget now and again when `session` commits: an order between the two would have
        read, and cached, the rows as they were before the change."""
        self.forget(vendor_id)
        event.listen(
            session.sync_session, "after_commit", lambda _s: self.forget(vendor_id), once=True
        )
