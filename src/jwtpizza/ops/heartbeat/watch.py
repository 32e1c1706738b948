"""Heartbeats of the `Watchdog` alert, and a page when one stops.

Two sources beat:

- `rules`: our own evaluator. Every evaluation that finds the Watchdog firing is a beat
  (read from the rule itself, so a stuck or dead evaluation loop stops the beats even though
  the alert, once notified, never resolves);
- `alertmanager`: a real Alertmanager's webhook to `POST /api/ops/heartbeat`, sent on every
  `repeat_interval` while Prometheus keeps the Watchdog firing.

A source is watched from its first beat on. When `timeout` passes without a beat, the
on-call is paged (alert `DeadMansSwitch`, one page per source); a beat after that resolves
the page. So a page goes out at most `timeout` plus one check interval after the last beat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jwtpizza.clock import Clock
from jwtpizza.ops.notify.domain import Alert, Status
from jwtpizza.ops.notify.payload import WebhookMessage, build_message
from jwtpizza.ops.rules.service import RuleManager

log = logging.getLogger("jwtpizza.ops.heartbeat")

WATCHDOG = "Watchdog"
DEAD_MANS_SWITCH = "DeadMansSwitch"
RULES = "rules"
ALERTMANAGER = "alertmanager"

# Opens (firing) or resolves (resolved) the page of a stopped heartbeat.
PageFn = Callable[[WebhookMessage], Awaitable[object]]


@dataclass
class Heartbeat:
    source: str
    last: datetime
    paged: bool = False


class HeartbeatWatch:
    def __init__(
        self, *, clock: Clock, timeout: float, page: PageFn, rules: RuleManager | None = None
    ) -> None:
        self.clock = clock
        self.timeout = timedelta(seconds=timeout)
        self._page = page
        self._rules = rules
        self.beats: dict[str, Heartbeat] = {}

    def beat(self, source: str, at: datetime) -> None:
        known = self.beats.get(source)
        if known is None:
            self.beats[source] = Heartbeat(source, at)
            log.warning("heartbeat of %s arrived: watching it", source)
        elif at > known.last:
            known.last = at

    def _read_rules(self) -> None:
        if self._rules is None:
            return
        for rule, _alert in self._rules.firing():
            if rule.spec.name == WATCHDOG and rule.last_evaluation_ms is not None:
                self.beat(RULES, datetime.fromtimestamp(rule.last_evaluation_ms / 1000, UTC))

    async def check(self) -> None:
        """Page for every source silent longer than the timeout; resolve the page of a
        source that beats again."""
        self._read_rules()
        now = self.clock.now()
        for beat in self.beats.values():
            stopped = now - beat.last > self.timeout
            if stopped != beat.paged:
                beat.paged = stopped
                log.error("heartbeat of %s %s", beat.source, "stopped" if stopped else "is back")
                await self._page(self.message(beat, now))

    def message(self, beat: Heartbeat, now: datetime) -> WebhookMessage:
        labels = {"alertname": DEAD_MANS_SWITCH, "source": beat.source, "severity": "critical"}
        summary = (
            f"No Watchdog heartbeat from {beat.source} since {beat.last.isoformat()}: "
            "alerting itself may be down"
        )
        alert = Alert(
            labels=labels,
            annotations={"summary": summary, "runbook_url": "docs/runbooks/Watchdog.md"},
            starts_at=beat.last + self.timeout,
            ends_at=None if beat.paged else now,
        )
        return build_message(
            receiver="heartbeat",
            group_key=f"heartbeat:{beat.source}",
            group_labels=labels,
            alerts=[alert],
            now=now,
            external_url="",
        )

    def status(self) -> list[dict[str, object]]:
        return [
            {"source": b.source, "lastBeat": b.last.isoformat(), "stopped": b.paged}
            for b in self.beats.values()
        ]


def beats_in(message: WebhookMessage) -> bool:
    """Whether an Alertmanager notification carries a firing Watchdog (a beat)."""
    return any(
        a.status is Status.FIRING and a.labels.get("alertname") == WATCHDOG for a in message.alerts
    )


def take_heartbeats(
    watch: HeartbeatWatch, message: WebhookMessage, now: datetime
) -> WebhookMessage | None:
    """Record the notification's beat (of `alertmanager`); the notification without its
    Watchdog alerts, or None if nothing else is left."""
    if beats_in(message):
        watch.beat(ALERTMANAGER, now)
    rest = [a for a in message.alerts if a.labels.get("alertname") != WATCHDOG]
    if len(rest) == len(message.alerts):
        return message
    return message.model_copy(update={"alerts": rest}) if rest else None
