"""Starting, finding, ending and reporting faults; the events feed and the scoreboard.

Functions are keyword-only and take an explicit session. Times come from the caller's clock.
"""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import json_time
from jwtpizza.errors import InvalidInput, NotFound
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.chaos.domain import (
    ChaosType,
    EndReason,
    FaultState,
    Schedule,
    WorkingHours,
    check_can_end,
    natural_end,
    start_time,
    state_of,
)
from jwtpizza.factory.chaos.models import Fault
from jwtpizza.factory.chaos.schemas import ANNOUNCED, ChaosEvent, ScoreboardRow

BASE36 = string.digits + string.ascii_lowercase


def new_fix_code() -> str:
    """8 base-36 characters, as the original."""
    return "".join(secrets.choice(BASE36) for _ in range(8))


def parse_type(value: str) -> ChaosType:
    try:
        return ChaosType(value)
    except ValueError:
        raise InvalidInput("Invalid chaos type") from None


@dataclass(frozen=True)
class FaultSpec:
    type: ChaosType
    schedule: Schedule
    duration_seconds: float | None = None
    params: dict[str, Any] | None = None


def default_duration(spec: FaultSpec, outage_seconds: float) -> float | None:
    if spec.duration_seconds is not None:
        return spec.duration_seconds
    return outage_seconds if spec.type is ChaosType.OUTAGE else None


async def unended_faults(*, session: AsyncSession, vendor_id: str) -> list[Fault]:
    query = select(Fault).where(Fault.vendor_id == vendor_id, Fault.ended_at.is_(None))
    return list((await session.scalars(query)).all())


def end_fault(fault: Fault, *, now: datetime, reason: EndReason) -> None:
    """Record the end of a fault; a fault whose duration already ran out ends at that time."""
    natural = natural_end(fault)
    if natural is not None and natural <= now:
        fault.ended_at, fault.end_reason = natural, EndReason.EXPIRED
        return
    check_can_end(fault, now, reason)
    fault.ended_at, fault.end_reason = now, reason
    if reason is EndReason.REPORTED:
        fault.reported_at = now


async def settle(*, session: AsyncSession, vendor_id: str, now: datetime) -> None:
    """Write down the end of faults whose duration has run out."""
    for fault in await unended_faults(session=session, vendor_id=vendor_id):
        natural = natural_end(fault)
        if natural is not None and natural <= now:
            fault.ended_at, fault.end_reason = natural, EndReason.EXPIRED


async def start_fault(
    *,
    session: AsyncSession,
    vendor_id: str,
    spec: FaultSpec,
    now: datetime,
    rng: random.Random,
    hours: WorkingHours,
    outage_seconds: float,
) -> Fault:
    """Schedule a fault for a vendor, replacing any fault it has that has not ended."""
    if await session.get(Vendor, vendor_id) is None:
        raise NotFound("Vendor not found")
    await settle(session=session, vendor_id=vendor_id, now=now)
    for old in await unended_faults(session=session, vendor_id=vendor_id):
        end_fault(old, now=now, reason=EndReason.REPLACED)
    fault = Fault(
        vendor_id=vendor_id,
        type=spec.type.value,
        params=dict(spec.params or {}),
        fix_code=new_fix_code(),
        token=secrets.token_urlsafe(18),
        initiated_at=now,
        start_at=start_time(spec.schedule, now=now, rng=rng, hours=hours),
        duration_seconds=default_duration(spec, outage_seconds),
    )
    session.add(fault)
    await session.flush()
    return fault


async def stop_faults(*, session: AsyncSession, vendor_id: str, now: datetime) -> int:
    """Cancel the vendor's scheduled or active fault. Returns how many were stopped."""
    await settle(session=session, vendor_id=vendor_id, now=now)
    faults = await unended_faults(session=session, vendor_id=vendor_id)
    for fault in faults:
        end_fault(fault, now=now, reason=EndReason.CANCELLED)
    return len(faults)


async def latest_fault(*, session: AsyncSession, vendor_id: str) -> Fault | None:
    query = (
        select(Fault)
        .where(Fault.vendor_id == vendor_id)
        .order_by(Fault.initiated_at.desc(), Fault.id.desc())
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def active_fault(*, session: AsyncSession, vendor_id: str, now: datetime) -> Fault | None:
    """The vendor's fault in effect now, if any (read-only: it does not write expiries)."""
    query = select(Fault).where(
        Fault.vendor_id == vendor_id, Fault.ended_at.is_(None), Fault.start_at <= now
    )
    for fault in (await session.scalars(query)).all():
        if state_of(fault, now) is FaultState.ACTIVE:
            return fault
    return None


RESOLVED = "Problem resolved. Pizza is back on the menu!"
NOTHING = "No chaos currently executing"


async def report(
    *, session: AsyncSession, token: str, fix_code: str, now: datetime
) -> tuple[str, str | None]:
    """Follow a report link: end the fault if the code is right. The message, and the vendor
    whose fault this link ended (None if it ended none)."""
    fault = (await session.scalars(select(Fault).where(Fault.token == token))).first()
    if fault is None or state_of(fault, now) is not FaultState.ACTIVE:
        if fault is not None:
            await settle(session=session, vendor_id=fault.vendor_id, now=now)
        return NOTHING, None
    if not secrets.compare_digest(fault.fix_code.encode(), fix_code.encode()):
        raise InvalidInput("Problem unresolved")
    end_fault(fault, now=now, reason=EndReason.REPORTED)
    return RESOLVED, fault.vendor_id


def fault_events(fault: Fault, now: datetime) -> list[ChaosEvent]:
    """The initiated/started/reported/ended events of one fault that have happened by `now`."""
    base = {
        "fault_id": fault.id,
        "vendor_id": fault.vendor_id,
        "type": fault.type,
        "announced": bool((fault.params or {}).get(ANNOUNCED)),
    }
    times: list[tuple[str, datetime | None, str | None]] = [
        ("initiated", fault.initiated_at, None),
        ("started", fault.start_at, None),
        ("reported", fault.reported_at, None),
    ]
    ended = fault.ended_at or natural_end(fault)
    reason = fault.end_reason or (EndReason.EXPIRED.value if ended else None)
    times.append(("ended", ended, reason))
    events = []
    for kind, moment, why in times:
        if moment is None or moment > now:
            continue
        if kind == "started" and fault.ended_at is not None and fault.ended_at < moment:
            continue  # cancelled before it began
        events.append(
            ChaosEvent(id=f"{fault.id}:{kind}", event=kind, time=moment, reason=why, **base)
        )
    return events


ORDER = {"initiated": 0, "started": 1, "reported": 2, "ended": 3}


async def events(
    *, session: AsyncSession, now: datetime, vendor_id: str | None, since: datetime | None
) -> list[ChaosEvent]:
    """Chaos events in time order, optionally for one vendor and after `since`."""
    query = select(Fault)
    if vendor_id is not None:
        query = query.where(Fault.vendor_id == vendor_id)
    if since is not None:
        query = query.where(
            or_(Fault.initiated_at > since, Fault.ended_at.is_(None), Fault.ended_at > since)
        )
    found = [e for f in (await session.scalars(query)).all() for e in fault_events(f, now)]
    if since is not None:
        found = [e for e in found if e.time > since]
    return sorted(found, key=lambda e: (e.time, e.fault_id, ORDER[e.event]))


def seconds_to_resolve(fault: Fault) -> float | None:
    if fault.reported_at is None:
        return None
    return (fault.reported_at - fault.start_at).total_seconds()


async def scoreboard(*, session: AsyncSession, now: datetime) -> list[ScoreboardRow]:
    """Each vendor's time to resolve its faults, best mean first."""
    rows = (await session.execute(select(Fault, Vendor.name).join(Vendor))).all()
    by_vendor: dict[str, tuple[str | None, list[Fault]]] = {}
    for fault, name in rows:
        by_vendor.setdefault(fault.vendor_id, (name, []))[1].append(fault)
    board = [
        _score(vendor_id, name, faults, now) for vendor_id, (name, faults) in by_vendor.items()
    ]
    return sorted(
        board, key=lambda r: (r.mean_seconds_to_resolve is None, r.mean_seconds_to_resolve or 0)
    )


def _score(vendor_id: str, name: str | None, faults: list[Fault], now: datetime) -> ScoreboardRow:
    started = [
        f for f in faults if f.start_at <= now and not (f.ended_at and f.ended_at < f.start_at)
    ]
    solved = sorted((f for f in started if f.reported_at), key=lambda f: f.reported_at or now)
    times = [t for t in (seconds_to_resolve(f) for f in solved) if t is not None]
    return ScoreboardRow(
        vendor_id=vendor_id,
        name=name,
        faults=len(started),
        resolved=len(times),
        open=sum(state_of(f, now) is FaultState.ACTIVE for f in faults),
        best_seconds_to_resolve=min(times) if times else None,
        mean_seconds_to_resolve=fmean(times) if times else None,
        last_seconds_to_resolve=times[-1] if times else None,
    )


def describe(fault: Fault, now: datetime, *, secrets_visible: bool) -> dict[str, Any]:
    """A fault as JSON; the fix code and report token only for admins."""
    body: dict[str, Any] = {
        "id": fault.id,
        "vendorId": fault.vendor_id,
        "type": fault.type,
        "state": state_of(fault, now).value,
        "params": fault.params,
        "initiatedDate": json_time(fault.initiated_at),
        "startDate": json_time(fault.start_at),
        "durationSeconds": fault.duration_seconds,
    }
    ended = fault.ended_at or natural_end(fault)
    if ended is not None and ended <= now:
        body["fixDate"] = json_time(ended)
        body["endReason"] = fault.end_reason or EndReason.EXPIRED.value
    if fault.reported_at is not None:
        body["reportedDate"] = json_time(fault.reported_at)
    if secrets_visible:
        body["fixCode"], body["token"] = fault.fix_code, fault.token
    return body
