"""The seam between rule evaluation and everything that reacts to alerts.

The rule evaluator publishes one `AlertTransition` per state change of one alert on the
app's `AlertBus`; notification, on-call and incidents subscribe to it in process:

    bus = app.state.ops.context.bus
    bus.subscribe(on_transition)          # sync or async callable(AlertTransition)
    bus.active()                          # the alerts pending or firing right now

The rule evaluator `post`s: transitions are delivered in order by a background task, so a
slow subscriber (a database write, a notification) never delays evaluation; `flush()`
waits until everything posted is delivered. `publish` delivers at once and returns when
every subscriber has run. A subscriber that raises is logged and skipped; it never stops
evaluation or other subscribers.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from jwtpizza.tasks import cancel_and_wait

log = logging.getLogger("jwtpizza.ops.alerts")


class AlertState(StrEnum):
    """An alert's lifecycle, as Prometheus computes it.

    inactive -> pending (expression true) -> firing (true for `for`) -> resolved (false again,
    kept 15 min for notifiers). Pending that turns false goes back to inactive.
    """

    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(sorted(mapping.items())))


@dataclass(frozen=True)
class AlertTransition:
    """One alert (a rule and a label set) entering `state` at evaluation time `at`."""

    rule: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    state: AlertState
    previous: AlertState
    value: float
    active_at: datetime | None
    fired_at: datetime | None
    resolved_at: datetime | None
    at: datetime
    fingerprint: str = field(default="")
    # Where the alert was evaluated: our rules, or a real Alertmanager through the intake.
    source: str = "rules"

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))
        object.__setattr__(self, "annotations", _frozen(self.annotations))
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint(self.labels))

    @property
    def severity(self) -> str:
        return self.labels.get("severity", "")


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable identity of an alert: its sorted label set, as text."""
    return ",".join(f"{name}={value!r}" for name, value in sorted(labels.items()))


Subscriber = Callable[[AlertTransition], Awaitable[None] | None]


class AlertBus:
    """Publishes alert transitions to subscribers and remembers the current active alerts."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._active: dict[str, AlertTransition] = {}
        self._queue: asyncio.Queue[AlertTransition] | None = None
        self._worker: asyncio.Task[None] | None = None

    def subscribe(self, callback: Subscriber) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        self._subscribers.remove(callback)

    def active(self) -> list[AlertTransition]:
        """The latest transition of every alert now pending or firing."""
        return list(self._active.values())

    def post(self, transition: AlertTransition) -> None:
        """Record a transition now and deliver it in the background, in posting order."""
        self._record(transition)
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._deliver_posted())
        self._queue.put_nowait(transition)

    async def flush(self) -> None:
        """Wait until every posted transition has been delivered."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        """Deliver what is posted, then stop the background delivery."""
        await self.flush()
        if self._worker is not None:
            await cancel_and_wait(self._worker)
            self._worker = None

    async def _deliver_posted(self) -> None:
        assert self._queue is not None
        while True:
            transition = await self._queue.get()
            try:
                await self._deliver(transition)
            finally:
                self._queue.task_done()

    def remember(self, transition: AlertTransition) -> None:
        """Hold a transition as current without delivering it (a restored alert state)."""
        self._record(transition)

    async def publish(self, transition: AlertTransition) -> None:
        """Record and deliver one transition now; subscriber failures are logged."""
        self._record(transition)
        await self._deliver(transition)

    def _record(self, transition: AlertTransition) -> None:
        if transition.state in (AlertState.PENDING, AlertState.FIRING):
            self._active[transition.fingerprint] = transition
        else:
            self._active.pop(transition.fingerprint, None)

    async def _deliver(self, transition: AlertTransition) -> None:
        for callback in list(self._subscribers):
            try:
                result = callback(transition)
                if inspect.isawaitable(result):
                    await result
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert subscriber %r failed on %s", callback, transition.rule)
