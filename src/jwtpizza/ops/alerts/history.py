"""The alert history: every transition on the bus, stored; read back newest first."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.db import Database
from jwtpizza.ops.alerts.events import AlertTransition
from jwtpizza.ops.alerts.models import AlertEvent


def record_transitions(db: Database) -> Callable[[AlertTransition], Awaitable[None]]:
    """A bus subscriber that stores each transition."""

    async def record(transition: AlertTransition) -> None:
        async with db.writer() as session:
            session.add(
                AlertEvent(
                    rule=transition.rule,
                    fingerprint=transition.fingerprint,
                    labels=dict(transition.labels),
                    annotations=dict(transition.annotations),
                    state=transition.state.value,
                    previous=transition.previous.value,
                    value=transition.value if math.isfinite(transition.value) else None,
                    active_at=transition.active_at,
                    at=transition.at,
                )
            )

    return record


async def recent(*, session: AsyncSession, limit: int, rule: str | None = None) -> list[AlertEvent]:
    """The newest transitions first, optionally of one rule."""
    query = select(AlertEvent).order_by(AlertEvent.at.desc(), AlertEvent.id.desc()).limit(limit)
    if rule is not None:
        query = query.where(AlertEvent.rule == rule)
    return list((await session.scalars(query)).all())
