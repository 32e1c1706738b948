"""The kitchen: answers a diner within a wait budget, and drains the queue in the background.

An order is first worked inline under a lease. A client that sends `Prefer: respond-async`
gets the pizza (or the rejection) if the factory answers within the wait budget; otherwise
the order is marked queued, the inline attempt carries on, and the background worker retries
queued jobs until they end. A client written for the original waits for a slow factory's
pizza, up to the longer sync budget, as the original made it wait; a failure is its 500.
While the breaker is open the worker waits instead of failing every job fast; when it
closes, every waiting job becomes due and the queue drains oldest first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from contextlib import suppress
from functools import cached_property
from typing import Any

from jwtpizza.observability.metrics import Metrics
from jwtpizza.service.orders.fulfilment import QUEUE, Fulfiller, Outcome
from jwtpizza.service.orders.models import OrderStatus
from jwtpizza.service.orders.service import Lease, Ticket
from jwtpizza.service.resilience import BreakerState

log = logging.getLogger("jwtpizza.kitchen")

# A client without `Prefer` is answered this long after its sync budget at the latest, if
# recording the attempt's outcome is slow (the attempt itself ends at the budget).
SYNC_SLACK_SECONDS = 2.0


def replica_id() -> str:
    """A name for this process that is unique across replicas and restarts."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Kitchen:
    def __init__(
        self,
        *,
        fulfiller: Fulfiller,
        metrics: Metrics,
        wait_budget_seconds: float | None,
        sync_wait_seconds: float | None = None,
        poll_seconds: float = 0.5,
        batch_size: int = 20,
    ) -> None:
        self.fulfiller = fulfiller
        self._metrics = metrics
        self._wait_budget = wait_budget_seconds
        self._sync_wait = sync_wait_seconds
        self._poll = poll_seconds
        self._batch = batch_size
        self._inline: set[asyncio.Task[Any]] = set()
        self._worker: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._depth = 0
        self._stopping = False

    @cached_property
    def owner(self) -> str:
        """This process's name on the jobs it works, taken when first needed: `jwtpizza up`
        builds the app before forking the process that serves it."""
        return replica_id()

    @cached_property
    def _inline_owner(self) -> str:
        return f"{self.owner}-inline"

    def inline_lease(self, *, respond_async: bool, item_count: int) -> Lease:
        """The lease a just-placed order's job is stored with, for `submit` to work it: it
        outlasts the inline call, which for a client without `respond_async` may wait the
        sync budget, and for an oversized order the factory's slow refusal."""
        longest = 0.0 if respond_async else self._sync_wait or 0.0
        if self.fulfiller.oversized(item_count):
            longest = self.fulfiller.policy.oversize_timeout_seconds
        return self.fulfiller.jobs.lease(owner=self._inline_owner, longest_call=longest)

    async def submit(self, ticket: Ticket, *, respond_async: bool = True) -> Outcome:
        """Work a just-placed order, stored with `inline_lease()`; the outcome the diner
        should see.

        With `respond_async` (RFC 7240 `Prefer: respond-async`) an order not made within the
        wait budget is queued and made later. Without it the client expects the original's
        synchronous answer: the pizza, however slow the factory (up to the sync budget), or
        the original's 500, the order rejected and never made later.
        An order the factory will refuse for its size is answered only after the factory's
        own (slow) refusal, as the original did, rather than queued and rejected later.
        """
        queues = self.fulfiller.policy.enabled
        wait = None if respond_async or not queues else self._sync_wait
        task = asyncio.create_task(
            self.fulfiller.attempt(ticket, owner=self._inline_owner, wait=wait)
        )
        self._inline.add(task)
        task.add_done_callback(self._inline.discard)
        if not queues or self.fulfiller.oversized(ticket.item_count):
            return await task
        budget = self._wait_budget if wait is None else wait + SYNC_SLACK_SECONDS
        try:
            outcome = await asyncio.wait_for(asyncio.shield(task), budget)
        except TimeoutError:
            if respond_async:
                return await self.fulfiller.mark_queued(order_id=ticket.order_id)
            return await self.fulfiller.give_up(order_id=ticket.order_id)
        if outcome.status == OrderStatus.QUEUED and not respond_async:
            return await self.fulfiller.give_up(order_id=ticket.order_id)
        return outcome

    def start(self) -> None:
        """Start the background worker (only when the queue is on)."""
        if self.fulfiller.policy.enabled and self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="jwtpizza-kitchen-worker")

    def breaker_changed(self, new: BreakerState) -> None:
        """Breaker listener: when the factory is back, make waiting jobs due and wake up."""
        if new is BreakerState.CLOSED and self._worker is not None:
            task = asyncio.get_running_loop().create_task(self._release())
            self._inline.add(task)
            task.add_done_callback(self._inline.discard)

    async def _release(self) -> None:
        await self.fulfiller.jobs.make_due()
        self._wake.set()

    def _factory_refusing(self) -> bool:
        breaker = self.fulfiller.caller.breaker
        return breaker is not None and breaker.state is BreakerState.OPEN

    async def drain_once(self) -> int:
        """Claim and work one batch of due jobs; how many were worked."""
        if self._factory_refusing():
            return 0
        order_ids = await self.fulfiller.jobs.claim_batch(owner=self.owner, limit=self._batch)
        results = await asyncio.gather(
            *(self.fulfiller.work(order_id=i, owner=self.owner) for i in order_ids),
            return_exceptions=True,
        )
        for order_id, result in zip(order_ids, results, strict=True):
            if isinstance(result, BaseException):
                log.error("fulfilment of order %s failed", order_id, exc_info=result)
        return len(order_ids)

    async def report_queue(self) -> int:
        """Publish queue depth and oldest age; note when the queue has drained."""
        depth, oldest = await self.fulfiller.jobs.queue_stats()
        self._metrics.queue(QUEUE, depth=depth, oldest_age_seconds=oldest)
        if self._depth and not depth:
            self.fulfiller.log_event("queue drained", previous_depth=self._depth)
        self._depth = depth
        return depth

    async def _run(self) -> None:
        while not self._stopping:
            try:
                worked = await self.drain_once()
                await self.report_queue()
            except Exception:
                log.exception("the kitchen worker could not claim jobs")
                worked = 0
            if worked == 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)
                self._wake.clear()

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Let the worker finish its batch and inline attempts end, within a grace period;
        cancel what is left (its leases lapse and another worker retakes the jobs).

        Cancelling mid-statement would leave a database driver thread finishing work for an
        event loop that may be gone, so stopping waits first."""
        self._stopping = True
        self._wake.set()
        tasks = [*self._inline, *([self._worker] if self._worker else [])]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self._worker = None
