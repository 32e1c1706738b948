"""What the order ledger says about a time window, for the ops side's incident figures.

Counts and sums only: no names, no emails, no order contents. An order counts in the window
it was placed in; its status is the one it has now, so a queued order fulfilled later counts
as queued-then-fulfilled. Orders the factory refuses by design (the 22-pizza order it cannot
bake, an invalid order) are counted apart as `refused`: they are not an incident's impact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.service import integrity
from jwtpizza.service.auth.models import Session
from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderItem, OrderStatus
from jwtpizza.service.users.models import Role, UserRole

OPEN = frozenset({OrderStatus.PENDING, OrderStatus.QUEUED})
# Rejection reasons the factory gives by design (the first word of `Order.reason`).
REFUSED_BY_DESIGN = frozenset({"oven_full", "invalid_order"})


@dataclass
class WindowStats:
    by_status: dict[str, int] = field(default_factory=dict)
    queued_then_fulfilled: int = 0
    refused: int = 0
    lost: int = 0
    affected: set[int] = field(default_factory=set)
    active: set[int] = field(default_factory=set)
    revenue: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(
            ("fulfilled", "failed", "refused", "queued", "open"), Decimal(0)
        )
    )


def was_queued(*, status: str, attempts: int, seconds_to_finish: float, budget: float) -> bool:
    """Whether a fulfilled order went through the queue: a retry was scheduled (attempts),
    or it outlived the wait budget, which is when the diner was told it was queued."""
    return status == OrderStatus.FULFILLED and (attempts > 0 or seconds_to_finish >= budget)


async def _orders(session: AsyncSession, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    totals = (
        select(OrderItem.order_id, func.sum(OrderItem.price).label("total"))
        .group_by(OrderItem.order_id)
        .subquery()
    )
    query = (
        select(
            Order.id,
            Order.diner_id,
            Order.status,
            Order.created_at,
            Order.updated_at,
            func.coalesce(FulfilmentJob.attempts, 0),
            func.coalesce(totals.c.total, 0),
            Order.reason,
        )
        .outerjoin(FulfilmentJob, FulfilmentJob.order_id == Order.id)
        .outerjoin(totals, totals.c.order_id == Order.id)
        .where(Order.created_at >= start, Order.created_at < end)
    )
    return [tuple(row) for row in await session.execute(query)]


async def _active_diners(session: AsyncSession, start: datetime, end: datetime) -> set[int]:
    """Diners holding a login session at some moment of the window."""
    query = (
        select(Session.user_id)
        .join(UserRole, UserRole.user_id == Session.user_id)
        .where(UserRole.role == Role.DINER, Session.created_at < end, Session.expires_at > start)
        .distinct()
    )
    return {int(user_id) for user_id in await session.scalars(query)}


async def window_stats(
    *, session: AsyncSession, start: datetime, end: datetime, queue_wait_budget: float
) -> WindowStats:
    """The ledger's counts, affected and active diners, and revenue for orders in [start, end)."""
    stats = WindowStats(active=await _active_diners(session, start, end))
    lost = set((await integrity.check(session=session)).lost_orders)
    for order_id, diner_id, status, created, updated, attempts, total, reason in await _orders(
        session, start, end
    ):
        stats.by_status[status] = stats.by_status.get(status, 0) + 1
        stats.active.add(diner_id)
        seconds = (updated - created).total_seconds()
        queued = was_queued(
            status=status, attempts=attempts, seconds_to_finish=seconds, budget=queue_wait_budget
        )
        bucket = "refused" if refused(status, reason) else _bucket(status, queued)
        stats.revenue[bucket] += Decimal(str(total))
        stats.queued_then_fulfilled += queued
        stats.refused += bucket == "refused"
        stats.lost += order_id in lost
        if bucket not in ("fulfilled", "refused") or order_id in lost:
            stats.affected.add(diner_id)
    return stats


def refused(status: str, reason: str | None) -> bool:
    """A rejection the factory gives by design (`oven_full`, `invalid_order`), not a fault."""
    return status == OrderStatus.REJECTED and (reason or "").split(":")[0] in REFUSED_BY_DESIGN


def _bucket(status: str, queued: bool) -> str:
    if status == OrderStatus.REJECTED:
        return "failed"
    if status in OPEN:
        return "open"
    return "queued" if queued else "fulfilled"
