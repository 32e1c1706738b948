"""The outbox queue of fulfilment jobs: leases, batches claimed past other replicas' leases,
and its depth (see `jwtpizza.service.orders.fulfilment` for how a job is worked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.service.orders import service as orders
from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderStatus
from jwtpizza.service.resilience.settings import LEASE_MARGIN_SECONDS


@dataclass(frozen=True)
class QueuePolicy:
    enabled: bool
    lease_seconds: float
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 10.0
    max_age_seconds: float = 3600.0
    max_items: int = 20
    oversize_timeout_seconds: float = 60.0


def _lease_open(now: datetime) -> Any:
    return or_(FulfilmentJob.lease_until.is_(None), FulfilmentJob.lease_until < now)


class JobQueue:
    """The fulfilment jobs of one database, leased to the worker that works them."""

    def __init__(self, *, db: Database, clock: Clock, policy: QueuePolicy) -> None:
        self._db = db
        self._clock = clock
        self.policy = policy

    def lease(self, *, owner: str, longest_call: float = 0.0) -> orders.Lease:
        """A lease from now, for a job stored already leased, outlasting a call of up to
        `longest_call` seconds as well as a queued job's."""
        return orders.Lease(owner, self.lease_end(self._clock.now(), longest_call))

    async def claim_batch(self, *, owner: str, limit: int) -> list[int]:
        """Lease up to `limit` due jobs, oldest first, skipping rows other replicas hold."""
        now = self._clock.now()
        async with self._db.writer() as session:
            query = (
                select(FulfilmentJob)
                .where(
                    FulfilmentJob.done.is_(False),
                    FulfilmentJob.available_at <= now,
                    _lease_open(now),
                )
                .order_by(FulfilmentJob.available_at, FulfilmentJob.order_id)
                .limit(limit)
            )
            if self._db.dialect != "sqlite":
                query = query.with_for_update(skip_locked=True)
            jobs = list(await session.scalars(query))
            for job in jobs:
                job.lease_owner = owner
                job.lease_until = self.lease_end(now)
            return [job.order_id for job in jobs]

    async def make_due(self) -> int:
        """Make every waiting job due now (the factory is back); how many."""
        now = self._clock.now()
        async with self._db.writer() as session:
            result = await session.execute(
                update(FulfilmentJob)
                .where(FulfilmentJob.done.is_(False), FulfilmentJob.available_at > now)
                .values(available_at=now)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0))

    async def queue_stats(self) -> tuple[int, float]:
        """Queued jobs, and the age in seconds of the oldest. A job whose first (inline)
        attempt is still within its lease is being made, not queued: the factory's slow
        refusal of an oversized order is not a queue that grows old."""
        now = self._clock.now()
        async with self._db.reader() as session:
            row = await session.execute(
                select(func.count(), func.min(Order.created_at))
                .select_from(FulfilmentJob)
                .join(Order, Order.id == FulfilmentJob.order_id)
                .where(
                    FulfilmentJob.done.is_(False),
                    or_(Order.status == OrderStatus.QUEUED, _lease_open(now)),
                )
            )
            depth, oldest = row.one()
        if not depth or oldest is None:
            return 0, 0.0
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=self._clock.now().tzinfo)
        return int(depth), max(0.0, (self._clock.now() - oldest).total_seconds())

    async def extend_lease(self, order_id: int, owner: str, longest_call: float) -> None:
        async with self._db.writer() as session:
            await session.execute(
                update(FulfilmentJob)
                .where(FulfilmentJob.order_id == order_id, FulfilmentJob.lease_owner == owner)
                .values(lease_until=self.lease_end(self._clock.now(), longest_call))
                .execution_options(synchronize_session=False)
            )

    def lease_end(self, now: datetime, longest_call: float = 0.0) -> datetime:
        seconds = max(self.policy.lease_seconds, longest_call + LEASE_MARGIN_SECONDS)
        return now + timedelta(seconds=seconds)
