"""Instructor mode: a class of vendors, each with its own API key and a surprise fault."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.errors import Conflict
from jwtpizza.factory import control
from jwtpizza.factory.chaos.domain import ChaosType
from jwtpizza.factory.chaos.models import Fault
from jwtpizza.factory.chaos.schemas import ChaosRequest, ScoreboardRow
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.factory.vendors import service as vendors
from jwtpizza.factory.vendors.schemas import VendorCreate


@dataclass(frozen=True)
class Student:
    vendor_id: str
    api_key: str
    fault_starts: str


def student_id(prefix: str, number: int) -> str:
    return f"{prefix}-{number:02d}"


async def create_class(
    settings: FactorySettings,
    *,
    students: int,
    prefix: str,
    request: ChaosRequest,
    rng: random.Random,
    clock: Clock | None = None,
) -> list[Student]:
    """Create the vendors (all or none), then schedule each one's fault of a random type."""
    now = (clock or SystemClock()).now()
    keys: dict[str, str] = {}
    async with control.database(settings) as db, db.writer() as session:
        for number in range(1, students + 1):
            vendor_in = VendorCreate(id=student_id(prefix, number), name=f"Student {number}")
            try:
                vendor = await vendors.create(session=session, vendor_in=vendor_in, now=now)
            except Conflict:
                raise Conflict(
                    f"vendor {vendor_in.id} already exists; choose another prefix"
                ) from None
            keys[vendor.id] = vendor.api_key
    roster = []
    for vendor_id, key in keys.items():
        fault = await control.start_chaos(
            settings,
            vendor_id=vendor_id,
            chaos_type=rng.choice(list(ChaosType)).value,
            request=request,
            clock=clock,
        )
        starts = datetime.fromisoformat(fault["startDate"]).replace(microsecond=0)
        roster.append(Student(vendor_id, key, starts.isoformat()))
    return roster


async def class_scoreboard(
    settings: FactorySettings, *, prefix: str, clock: Clock | None = None
) -> list[ScoreboardRow]:
    """The factory's scoreboard (fastest mean time to resolve first), this class only."""
    rows = await control.scoreboard(settings, clock=clock)
    return [row for row in rows if row.vendor_id.startswith(f"{prefix}-")]


@dataclass(frozen=True)
class StudentFault:
    """One fault a student was given, as the factory recorded it."""

    fault_id: int
    vendor_id: str
    type: str
    start_at: datetime
    ended_at: datetime | None
    end_reason: str | None


async def student_faults(settings: FactorySettings, *, prefix: str) -> list[StudentFault]:
    """Every fault of the class's vendors, oldest first."""
    async with control.database(settings) as db, db.reader() as session:
        rows = await session.scalars(
            select(Fault).where(Fault.vendor_id.like(f"{prefix}-%")).order_by(Fault.start_at)
        )
        return [
            StudentFault(f.id, f.vendor_id, f.type, f.start_at, f.ended_at, f.end_reason)
            for f in rows
        ]
