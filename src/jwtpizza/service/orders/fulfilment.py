"""Fulfilment: turning a stored order into a verified pizza through its outbox job.

A job is worked only under a lease (`lease_owner`, `lease_until`), taken with one atomic
UPDATE for a given order, or with `FOR UPDATE SKIP LOCKED` for a batch on PostgreSQL and
MariaDB, so several replicas can drain one queue. The factory call carries the order id as
its `Idempotency-Key`, so a retry after a crash or an expired lease returns the same pizza.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.service.factory_client import FactoryError, Pizza
from jwtpizza.service.orders import service as orders
from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderStatus

# Outcomes about the order itself: retrying cannot help, so the order is rejected.
PERMANENT_REASONS = frozenset({"invalid_order", "oven_full"})

FactoryCall = Callable[[dict[str, Any], dict[str, Any], str], Awaitable[Pizza]]


@dataclass(frozen=True)
class Outcome:
    status: OrderStatus
    jwt: str | None = None
    report_url: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class QueuePolicy:
    enabled: bool
    lease_seconds: float
    backoff_base_seconds: float
    backoff_max_seconds: float


def _lease_open(now: datetime) -> Any:
    return or_(FulfilmentJob.lease_until.is_(None), FulfilmentJob.lease_until < now)


class Fulfiller:
    """Works fulfilment jobs: claim under a lease, call the factory, record the outcome."""

    def __init__(
        self,
        *,
        db: Database,
        call: FactoryCall,
        clock: Clock,
        policy: QueuePolicy,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._call = call
        self._clock = clock
        self.policy = policy
        self._rng = rng or random.Random()

    async def claim(self, *, order_id: int, owner: str) -> bool:
        """Take the lease on one order's job; False if it is done or leased elsewhere."""
        now = self._clock.now()
        async with self._db.writer() as session:
            result = await session.execute(
                update(FulfilmentJob)
                .where(
                    FulfilmentJob.order_id == order_id,
                    FulfilmentJob.done.is_(False),
                    _lease_open(now),
                )
                .values(lease_owner=owner, lease_until=self._lease_end(now))
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(result, "rowcount", 0))

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
                job.lease_until = self._lease_end(now)
            return [job.order_id for job in jobs]

    async def work(self, *, order_id: int, owner: str) -> Outcome:
        """Call the factory for a leased job and record what happened."""
        async with self._db.reader() as session:
            order = await orders.get_for(session=session, order_id=order_id, diner_id=None)
            diner, body = await orders.factory_request(session=session, order=order)
        try:
            pizza = await self._call(diner, body, str(order_id))
        except FactoryError as error:
            return await self._record_failure(order_id, owner, error)
        return await self._record_pizza(order_id, owner, pizza)

    async def mark_queued(self, *, order_id: int) -> Outcome:
        """Tell the ledger a still-pending order is queued (the diner was told so)."""
        async with self._db.writer() as session:
            order = await orders.get_for(session=session, order_id=order_id, diner_id=None)
            if order.status == OrderStatus.PENDING:
                orders.move(order, OrderStatus.QUEUED, now=self._clock.now())
            return self._outcome(order)

    async def _record_pizza(self, order_id: int, owner: str, pizza: Pizza) -> Outcome:
        async with self._db.writer() as session:
            order, job = await self._load(session, order_id)
            if order.status not in (OrderStatus.FULFILLED, OrderStatus.REJECTED):
                orders.move(order, OrderStatus.FULFILLED, now=self._clock.now())
                order.jwt = pizza.jwt
                order.report_url = pizza.report_url
            self._finish(job)
            return self._outcome(order)

    async def _record_failure(self, order_id: int, owner: str, error: FactoryError) -> Outcome:
        now = self._clock.now()
        async with self._db.writer() as session:
            order, job = await self._load(session, order_id)
            order.report_url = error.report_url or order.report_url
            if order.status in (OrderStatus.FULFILLED, OrderStatus.REJECTED):
                self._finish(job)
            elif error.reason in PERMANENT_REASONS or not self.policy.enabled:
                orders.move(order, OrderStatus.REJECTED, now=now)
                order.reason = f"{error.reason}: {error.message}"[:512]
                self._finish(job)
            else:
                if order.status == OrderStatus.PENDING:
                    orders.move(order, OrderStatus.QUEUED, now=now)
                job.attempts += 1
                job.last_error = f"{error.reason}: {error.message}"[:512]
                job.available_at = now + timedelta(seconds=self._backoff(job.attempts, error))
                if job.lease_owner == owner:
                    job.lease_owner = None
                    job.lease_until = None
            return self._outcome(order, reason=error.reason, report_url=error.report_url)

    async def _load(self, session: AsyncSession, order_id: int) -> tuple[Order, FulfilmentJob]:
        order = await orders.get_for(session=session, order_id=order_id, diner_id=None)
        job = await session.get(FulfilmentJob, order_id)
        assert job is not None, f"order {order_id} has no fulfilment job"
        return order, job

    @staticmethod
    def _finish(job: FulfilmentJob) -> None:
        job.done = True
        job.lease_owner = None
        job.lease_until = None

    @staticmethod
    def _outcome(
        order: Order, *, reason: str | None = None, report_url: str | None = None
    ) -> Outcome:
        return Outcome(
            status=OrderStatus(order.status),
            jwt=order.jwt,
            report_url=report_url or order.report_url,
            reason=reason or order.reason,
        )

    def _lease_end(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.policy.lease_seconds)

    def _backoff(self, attempts: int, error: FactoryError) -> float:
        """Full-jitter exponential backoff between queue passes, at least any Retry-After."""
        ceiling = min(
            self.policy.backoff_max_seconds, self.policy.backoff_base_seconds * 2 ** (attempts - 1)
        )
        return max(self._rng.uniform(0, ceiling), error.retry_after or 0.0)
