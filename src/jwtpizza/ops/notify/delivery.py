"""Delivery in background tasks: retried with backoff, logged, counted, never awaited by
the rule evaluator. Each attempt's outcome can be reported back (pages record theirs)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter

from jwtpizza.clock import Clock
from jwtpizza.ops.notify.receivers import DeliveryFailed, Notice, Sender

log = logging.getLogger("jwtpizza.ops.notify")


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class Backoff:
    """Attempts per notification and the exponential wait between them, in seconds."""

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0

    def delay(self, failed_attempts: int) -> float:
        return min(self.cap, self.base * 2.0 ** (failed_attempts - 1))


@dataclass(frozen=True)
class Delivered:
    """How one sender's delivery ended, after all its attempts."""

    receiver: str
    kind: str
    outcome: Outcome
    attempts: int
    error: str | None = None


OnDelivered = Callable[[Delivered], Awaitable[None]]


class NotifyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.notifications = Counter(
            "notifications",
            "Notifications by receiver, integration and final outcome",
            ("receiver", "integration", "outcome"),
            registry=registry,
        )
        self.retries = Counter(
            "notification_retries",
            "Notification attempts that failed and were retried",
            ("receiver", "integration"),
            registry=registry,
        )


class Deliverer:
    """Starts one task per sender and keeps it until it ends; `drain()` waits for them."""

    def __init__(self, *, clock: Clock, metrics: NotifyMetrics, backoff: Backoff) -> None:
        self._clock = clock
        self._metrics = metrics
        self._backoff = backoff
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(
        self,
        receiver: str,
        senders: list[Sender],
        notice: Notice,
        on_delivered: OnDelivered | None = None,
    ) -> None:
        for sender in senders:
            task = asyncio.get_running_loop().create_task(
                self._deliver(receiver, sender, notice, on_delivered)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def expect(self, receiver: str, kind: str) -> None:
        """Start the receiver's series at 0, so rates and dashboards work before a send."""
        for outcome in Outcome:
            self._metrics.notifications.labels(receiver, kind, outcome.value)
        self._metrics.retries.labels(receiver, kind)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(
        self, receiver: str, sender: Sender, notice: Notice, on_delivered: OnDelivered | None
    ) -> None:
        result = await self._attempts(receiver, sender, notice)
        self._metrics.notifications.labels(receiver, sender.kind, result.outcome.value).inc()
        if on_delivered is not None:
            try:
                await on_delivered(result)
            except Exception:
                log.exception("recording a delivery of %s failed", receiver)

    async def _attempts(self, receiver: str, sender: Sender, notice: Notice) -> Delivered:
        error = "not attempted"
        for attempt in range(1, self._backoff.attempts + 1):
            try:
                await sender.send(notice)
            except DeliveryFailed as exc:
                error = str(exc)
            except Exception as exc:  # a sender bug must not kill the loop either
                error = f"unexpected {type(exc).__name__}"
                log.exception("receiver %s (%s) raised", receiver, sender.kind)
            else:
                return Delivered(receiver, sender.kind, Outcome.SUCCESS, attempt)
            log.warning(
                "receiver %s (%s) attempt %d failed: %s", receiver, sender.kind, attempt, error
            )
            if attempt < self._backoff.attempts:
                self._metrics.retries.labels(receiver, sender.kind).inc()
                await self._clock.sleep(self._backoff.delay(attempt))
        return Delivered(receiver, sender.kind, Outcome.FAILURE, self._backoff.attempts, error)
