"""Fulfilment: turning a stored order into a verified pizza through its outbox job.

A job is worked only under a lease (`lease_owner`, `lease_until`), taken when the order is
stored (for the inline attempt), or with `FOR UPDATE SKIP LOCKED` for a batch on PostgreSQL
and MariaDB, so several replicas can drain one queue. A lease outlasts the longest call made
under it, so no worker takes a job whose call is still in flight. The factory call carries
the database's identifier and the order id as its `Idempotency-Key` (`identity.py`), so a
retry after a crash or an expired lease returns the same pizza.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jwtpizza.clock import Clock
from jwtpizza.db import Database, PlainWrite
from jwtpizza.observability.logging import EventLogger
from jwtpizza.observability.metrics import Metrics
from jwtpizza.service import identity
from jwtpizza.service.factory_client import FactoryError, Pizza
from jwtpizza.service.orders import service as orders
from jwtpizza.service.orders.failures import Failure, failure_from, link_field
from jwtpizza.service.orders.jobs import JobQueue, QueuePolicy
from jwtpizza.service.orders.models import TERMINAL, Order, OrderStatus
from jwtpizza.service.resilience import Rejected, ResilientCaller, RetryLater
from jwtpizza.service.resilience.retry import exponential_cap

QUEUE = "orders"

FactoryCall = Callable[[dict[str, Any], dict[str, Any], str], Awaitable[Pizza]]


@dataclass(frozen=True)
class Outcome:
    status: OrderStatus
    jwt: str | None = None
    report_url: str | None = None
    reason: str | None = None


class Fulfiller:
    """Works fulfilment jobs: claim under a lease, call the factory, record the outcome."""

    def __init__(
        self,
        *,
        db: Database,
        call: FactoryCall,
        caller: ResilientCaller,
        clock: Clock,
        policy: QueuePolicy,
        metrics: Metrics,
        log: EventLogger | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._call = call
        self.caller = caller
        self._clock = clock
        self.policy = policy
        self.jobs = JobQueue(db=db, clock=clock, policy=policy)
        self._metrics = metrics
        self._log = log
        self._rng = rng or random.Random()
        # The report link of each order's latest failed attempt while one is in flight, so
        # an answer given before the attempts end (queued, or rejected) can carry it.
        self._report_urls: dict[int, str] = {}
        # The last report link the factory gave, until a pizza comes without one: a failure
        # that names none (the breaker open) still tells the diner how to end the fault.
        self.last_report_url: str | None = None
        self._database_id: str | None = None

    async def work(self, *, order_id: int, owner: str) -> Outcome:
        """Call the factory for a leased job and record what happened."""
        async with self._db.reader() as session:
            ticket = await orders.load_ticket(session=session, order_id=order_id)
        if self.oversized(ticket.item_count):
            await self.jobs.extend_lease(order_id, owner, self.policy.oversize_timeout_seconds)
        return await self.attempt(ticket, owner=owner)

    async def attempt(
        self, ticket: orders.Ticket, *, owner: str, wait: float | None = None
    ) -> Outcome:
        """Call the factory for a leased job whose ticket is at hand; record what happened.

        With `wait` (a client without `Prefer: respond-async`), the factory may take that many
        seconds to make the pizza, and an order it does not make is rejected, never queued."""
        try:
            pizza = await self._attempt(ticket, wait)
        except (FactoryError, Rejected, RetryLater) as error:
            failure = failure_from(error, self.last_report_url)
            return await self._record_failure(ticket.order_id, owner, failure, queue=wait is None)
        finally:
            self._report_urls.pop(ticket.order_id, None)
        if pizza.report_url is None:
            self.last_report_url = None
        return await self._record_pizza(ticket, pizza)

    async def _noting_report(self, ticket: orders.Ticket, key: str) -> Pizza:
        try:
            return await self._call(ticket.diner, ticket.order, key)
        except FactoryError as error:
            if error.report_url:
                self._report_urls[ticket.order_id] = error.report_url
                self.last_report_url = error.report_url
            raise

    async def _idempotency_key(self, order_id: int) -> str:
        if self._database_id is None:
            self._database_id = await identity.database_id(self._db)
        return identity.idempotency_key(self._database_id, order_id)

    def oversized(self, item_count: int) -> bool:
        """Whether the factory will refuse an order of this size (after its oven delay)."""
        return not 1 <= item_count <= self.policy.max_items

    async def _attempt(self, ticket: orders.Ticket, wait: float | None) -> Pizza:
        key = await self._idempotency_key(ticket.order_id)
        if not self.oversized(ticket.item_count):
            return await self.caller.call(lambda: self._noting_report(ticket, key), within=wait)
        # The factory refuses such orders only after its oven delay; wait for that answer once,
        # outside the breaker, so a deliberate oversized order is rejected, not retried forever.
        async with asyncio.timeout(self.policy.oversize_timeout_seconds):
            return await self._call(ticket.diner, ticket.order, key)

    async def mark_queued(self, *, order_id: int) -> Outcome:
        """Tell the ledger a still-pending order is queued (the diner was told so)."""
        async with self._db.plain_writer() as write:
            line = await orders.entry(write=write, order_id=order_id)
            queued = line.status == OrderStatus.PENDING
            line = await orders.settle(
                write=write,
                line=line,
                now=self._clock.now(),
                status=OrderStatus.QUEUED if queued else None,
                report_url=self._report_urls.get(order_id),
            )
        if queued:  # once it is so in the ledger
            self._metrics.order_queued("wait_budget")
            self.log_event(
                "order queued",
                order_id=order_id,
                why="wait budget spent",
                **link_field(line.report_url),
            )
        return self._outcome(line)

    async def give_up(self, *, order_id: int) -> Outcome:
        """Reject an order the diner was told failed (no `respond-async`, wait budget spent).

        Its job ends with it, so no worker makes it later; an attempt still in flight finds
        the order rejected and does not fulfil it. If the pizza arrived meanwhile, the order
        stays fulfilled and the diner gets it."""
        failure = Failure(
            reason="wait_budget",
            message="no pizza within the wait budget",
            permanent=True,
            report_url=self._report_urls.get(order_id) or self.last_report_url,
        )

        async def reject() -> tuple[orders.Entry, bool]:
            async with self._db.plain_writer() as write:
                line = await orders.entry(write=write, order_id=order_id)
                rejected = line.status not in TERMINAL
                if rejected:
                    line = await self._reject(write, line, failure, self._clock.now())
                else:
                    line = await orders.settle(
                        write=write,
                        line=line,
                        now=self._clock.now(),
                        report_url=failure.report_url,
                    )
            return line, rejected

        line, rejected = await self._db.retrying(reject)
        if rejected:
            self._failed(line, failure)
        return self._outcome(line)

    def _failed(self, line: orders.Entry, failure: Failure) -> None:
        """Count and log an order rejected just now, with the link that ends its fault."""
        self._metrics.pizza_failed(count=line.item_count)
        self._metrics.order_failed(failure.reason)
        self.log_event(
            "order failed",
            level="warn",
            order_id=line.order_id,
            why=failure.reason,
            **link_field(failure.report_url),
        )

    async def _record_pizza(self, ticket: orders.Ticket, pizza: Pizza) -> Outcome:
        """Fulfil the order and end its job (`orders.fulfil`), in a transaction run again if
        the database picks it as a deadlock's victim."""
        now = self._clock.now()
        order_id = ticket.order_id

        async def record() -> bool:
            async with self._db.plain_writer() as write:
                return await orders.fulfil(
                    write=write,
                    order_id=order_id,
                    jwt=pizza.jwt,
                    report_url=pizza.report_url,
                    now=now,
                )

        if not await self._db.retrying(record):
            # Fulfilled or rejected elsewhere, for good: say what the ledger says.
            async with self._db.reader() as session:
                settled = await orders.get_for(session=session, order_id=order_id, diner_id=None)
            return self._outcome(settled)
        self._metrics.pizza_sold(float(ticket.total), count=ticket.item_count)
        if ticket.attempts:
            self._metrics.relay_lag((now - ticket.created_at).total_seconds())
        return Outcome(OrderStatus.FULFILLED, jwt=pizza.jwt, report_url=pizza.report_url)

    async def _record_failure(
        self, order_id: int, owner: str, failure: Failure, *, queue: bool = True
    ) -> Outcome:
        """Record a failed attempt: the order is rejected if the failure is for good or
        `queue` is false, else queued to be tried again."""
        now = self._clock.now()

        async def record() -> tuple[orders.Entry, bool, bool]:
            """The order's line, whether it was rejected, and whether it was queued just now."""
            async with self._db.plain_writer() as write:
                line = await orders.entry(write=write, order_id=order_id)
                rejected = queued = False
                if line.status in TERMINAL:
                    await orders.finish_job(write=write, order_id=order_id)
                    line = await orders.settle(
                        write=write, line=line, now=now, report_url=failure.report_url
                    )
                elif rejected := not queue or self._gives_up(failure, line, now):
                    line = await self._reject(write, line, failure, now)
                else:
                    queued = line.status == OrderStatus.PENDING
                    line = await self._requeue(write, line, owner, failure, now)
            return line, rejected, queued

        # Told once the transaction that did it has committed: a deadlock's victim runs again.
        line, rejected, queued = await self._db.retrying(record)
        if queued:
            self._metrics.order_queued(failure.reason)
            self.log_event(
                "order queued",
                order_id=order_id,
                why=failure.reason,
                **link_field(failure.report_url),
            )
        if rejected:
            self._failed(line, failure)
        return self._outcome(line, reason=failure.reason, report_url=failure.report_url)

    def _gives_up(self, failure: Failure, line: orders.Entry, now: datetime) -> bool:
        age = (now - line.created_at).total_seconds()
        return failure.permanent or not self.policy.enabled or age > self.policy.max_age_seconds

    @staticmethod
    async def _reject(
        write: PlainWrite, line: orders.Entry, failure: Failure, now: datetime
    ) -> orders.Entry:
        await orders.finish_job(write=write, order_id=line.order_id)
        return await orders.settle(
            write=write,
            line=line,
            now=now,
            status=OrderStatus.REJECTED,
            report_url=failure.report_url,
            reason=f"{failure.reason}: {failure.message}"[:512],
        )

    async def _requeue(
        self, write: PlainWrite, line: orders.Entry, owner: str, failure: Failure, now: datetime
    ) -> orders.Entry:
        """Try the job again later (a pending order becomes queued)."""
        due = now + timedelta(seconds=self._backoff(line.attempts + 1, failure))
        await orders.requeue_job(
            write=write,
            order_id=line.order_id,
            owner=owner,
            error=f"{failure.reason}: {failure.message}",
            available_at=due,
        )
        queued = OrderStatus.QUEUED if line.status == OrderStatus.PENDING else None
        return await orders.settle(
            write=write, line=line, now=now, status=queued, report_url=failure.report_url
        )

    @staticmethod
    def _outcome(
        line: orders.Entry | Order, *, reason: str | None = None, report_url: str | None = None
    ) -> Outcome:
        return Outcome(
            status=OrderStatus(line.status),
            jwt=line.jwt,
            report_url=report_url or line.report_url,
            reason=reason or line.reason,
        )

    def log_event(self, message: str, *, level: str = "info", **fields: Any) -> None:
        if self._log is not None:
            self._log.event("resilience", message, level=level, queue=QUEUE, **fields)

    def _backoff(self, attempts: int, failure: Failure) -> float:
        """Full-jitter exponential backoff between queue passes, at least any Retry-After."""
        policy = self.policy
        ceiling = exponential_cap(policy.backoff_base_seconds, policy.backoff_max_seconds, attempts)
        return max(self._rng.uniform(0, ceiling), failure.retry_after or 0.0)
