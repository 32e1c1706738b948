"""Grouping and timing, as Alertmanager's dispatcher does it.

Each route an alert matches puts it in an aggregation group keyed by the route and the
route's `group_by` labels. A new group is flushed `group_wait` after it appears (at once
if its first alert is already older than that), then every `group_interval`; a flush
notifies only if a new alert fires, a notified one resolves, or `repeat_interval` has
passed. Silenced and inhibited alerts are left out, and a route inside a mute time
interval (or outside its active ones) sends nothing. Nothing here sleeps: the caller asks
for what is due at a time, so tests drive it with a fake clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jwtpizza.ops.notify.config import NotifyConfig
from jwtpizza.ops.notify.domain import Alert, Status
from jwtpizza.ops.notify.muting import SilenceWindow, inhibited
from jwtpizza.ops.notify.payload import WebhookMessage, build_message
from jwtpizza.ops.notify.routing import Route, group_key


@dataclass(frozen=True)
class Notification:
    receiver: str
    message: WebhookMessage


@dataclass
class _Group:
    route: Route
    labels: dict[str, str]
    key: str
    next_flush: datetime
    alerts: dict[str, Alert] = field(default_factory=dict)
    notified_firing: frozenset[str] = frozenset()
    last_sent: datetime | None = None

    def needs_update(self, firing: set[str], resolved: set[str], now: datetime) -> bool:
        if self.last_sent is None:
            return bool(firing)
        if not firing <= self.notified_firing:
            return True
        if self.notified_firing & resolved:
            return True
        if not firing:
            return False
        return self.last_sent + timedelta(seconds=self.route.timers.repeat_interval) <= now


class Dispatcher:
    """Alerts in, notifications out; `due(now)` is called by a ticker or a test."""

    def __init__(self, config: NotifyConfig) -> None:
        self.config = config
        self._alerts: dict[str, Alert] = {}
        self._groups: dict[str, _Group] = {}

    def reconfigure(self, config: NotifyConfig, now: datetime) -> None:
        """Take a new configuration; groups are rebuilt from the alerts held."""
        self.config = config
        self._groups.clear()
        for alert in self._alerts.values():
            self._route(alert, now)

    def ingest(self, alert: Alert, now: datetime) -> None:
        self._alerts[alert.fingerprint] = alert
        self._route(alert, now)

    def alerts(self) -> list[Alert]:
        return list(self._alerts.values())

    def next_flush(self) -> datetime | None:
        return min((g.next_flush for g in self._groups.values()), default=None)

    def _route(self, alert: Alert, now: datetime) -> None:
        for route in self.config.route.match(alert.labels):
            labels = route.group_labels(alert.labels)
            key = group_key(route, labels)
            group = self._groups.get(key)
            if group is None:
                wait = timedelta(seconds=route.timers.group_wait)
                started = alert.starts_at or now
                first = now if started + wait <= now else now + wait
                group = self._groups[key] = _Group(route, labels, key, first)
            group.alerts[alert.fingerprint] = alert

    def due(self, now: datetime, silences: list[SilenceWindow]) -> list[Notification]:
        """Flush every group whose time has come; forget what has resolved."""
        firing = [a for a in self._alerts.values() if a.status(now) is Status.FIRING]
        sent = [n for g in self._due_groups(now) if (n := self._flush(g, now, silences, firing))]
        self._forget_resolved(now)
        return sent

    def _due_groups(self, now: datetime) -> list[_Group]:
        return [g for g in self._groups.values() if g.next_flush <= now]

    def _flush(
        self, group: _Group, now: datetime, silences: list[SilenceWindow], firing: list[Alert]
    ) -> Notification | None:
        group.next_flush = now + timedelta(seconds=group.route.timers.group_interval)
        rules = self.config.inhibit_rules
        shown = [
            a
            for a in group.alerts.values()
            if not any(s.mutes(a.labels, now) for s in silences) and not inhibited(a, firing, rules)
        ]
        firing_now = {a.fingerprint for a in shown if a.status(now) is Status.FIRING}
        resolved_now = {a.fingerprint for a in shown if a.status(now) is Status.RESOLVED}
        for fp in [fp for fp, a in group.alerts.items() if a.status(now) is Status.RESOLVED]:
            del group.alerts[fp]
        if self.config.muted(group.route, now):  # held back; nothing counts as notified
            return None
        if not group.needs_update(firing_now, resolved_now, now):
            return None
        group.notified_firing = frozenset(firing_now)
        group.last_sent = now
        payload = [a for a in shown if a.fingerprint in firing_now | resolved_now]
        payload.sort(key=lambda a: sorted(a.labels.items()))
        message = build_message(
            receiver=group.route.receiver,
            group_key=group.key,
            group_labels=group.labels,
            alerts=payload,
            now=now,
            external_url=self.config.external_url,
        )
        return Notification(group.route.receiver, message)

    def _forget_resolved(self, now: datetime) -> None:
        for key in [k for k, g in self._groups.items() if not g.alerts]:
            del self._groups[key]
        held = {fp for g in self._groups.values() for fp in g.alerts}
        for fp in [fp for fp, a in self._alerts.items() if fp not in held]:
            if self._alerts[fp].status(now) is Status.RESOLVED:
                del self._alerts[fp]
