"""One alerting rule's state, advanced exactly as Prometheus's `AlertingRule.Eval` does.

At each evaluation time `ts` the expression's result vector says which alerts are active:

- a new label set starts `pending` with `active_at = ts`; an existing one keeps its state
  and takes the new value and annotations;
- `pending` becomes `firing` once `ts - active_at >= for`;
- a label set missing from the result: `pending` is dropped (back to inactive); `firing`
  keeps firing while within `keep_firing_for` of the first miss, then becomes inactive
  with `resolved_at = ts` and is kept 15 minutes (so notifiers can send the resolution);
- the output is `ALERTS{alertstate=...}` = 1 and `ALERTS_FOR_STATE` = active_at (unix s)
  for every pending or firing alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from jwtpizza.ops.alerts.events import AlertState
from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql.values import NAME, Labels, Sample
from jwtpizza.ops.rules.loader import AlertRuleSpec

RESOLVED_RETENTION_MS = 15 * 60 * 1000


class DuplicateAlert(RuntimeError):
    """Two result samples map to one alert label set (as Prometheus reports it)."""


@dataclass
class Alert:
    """One alert of a rule: a label set and its lifecycle timestamps (ms)."""

    labels: Labels
    annotations: dict[str, str]
    value: float
    active_at: int
    state: AlertState = AlertState.PENDING
    fired_at: int | None = None
    resolved_at: int | None = None
    keep_firing_since: int | None = None


@dataclass(frozen=True)
class Change:
    """An alert entering `state` (from `previous`) at this evaluation."""

    alert: Alert
    previous: AlertState
    state: AlertState


class AlertingRule:
    def __init__(self, spec: AlertRuleSpec) -> None:
        self.spec = spec
        self.active: dict[Labels, Alert] = {}
        self.last_error: str | None = None
        self.last_evaluation_ms: int | None = None
        self.last_duration_seconds: float = 0.0

    def alerts_from(self, result: list[Sample]) -> dict[Labels, tuple[dict[str, str], float]]:
        """The alert label sets of a result vector, with their annotations and values."""
        found: dict[Labels, tuple[dict[str, str], float]] = {}
        for sample in result:
            series = dict(sample.labels)
            builder = {k: v for k, v in series.items() if k != NAME}
            for name, template in self.spec.labels.items():
                builder[name] = template.expand(series, sample.value)
            builder["alertname"] = self.spec.name
            labels = tuple(sorted((k, v) for k, v in builder.items() if v != ""))
            if labels in found:
                raise DuplicateAlert(
                    "vector contains metrics with the same labelset after applying alert labels"
                )
            annotations = {
                name: template.expand(series, sample.value)
                for name, template in self.spec.annotations.items()
            }
            found[labels] = (annotations, sample.value)
        return found

    def advance(self, ts: int, result: list[Sample]) -> list[Change]:
        """Apply one evaluation's result at `ts`; the state changes it caused."""
        found = self.alerts_from(result)
        changes: list[Change] = []
        for labels, (texts, value) in found.items():
            alert = self.active.get(labels)
            if alert is not None and alert.state is not AlertState.INACTIVE:
                alert.value, alert.annotations = value, texts
                continue
            self.active[labels] = Alert(labels, texts, value, active_at=ts)
            changes.append(Change(self.active[labels], AlertState.INACTIVE, AlertState.PENDING))
        hold_ms = int(self.spec.for_seconds * 1000)
        keep_ms = int(self.spec.keep_firing_for_seconds * 1000)
        for labels, alert in list(self.active.items()):
            if labels not in found:
                keep_firing, change = self._missing(ts, labels, alert, keep_ms)
                changes.extend(change)
                if not keep_firing:
                    continue
            else:
                alert.keep_firing_since = None
            if alert.state is AlertState.PENDING and ts - alert.active_at >= hold_ms:
                alert.state, alert.fired_at = AlertState.FIRING, ts
                changes.append(Change(alert, AlertState.PENDING, AlertState.FIRING))
        return changes

    def _missing(
        self, ts: int, labels: Labels, alert: Alert, keep_ms: int
    ) -> tuple[bool, list[Change]]:
        """An alert absent from the result: keep firing, resolve, or drop it."""
        keep_firing = False
        if alert.state is AlertState.FIRING and keep_ms > 0:
            if alert.keep_firing_since is None:
                alert.keep_firing_since = ts
            keep_firing = ts - alert.keep_firing_since < keep_ms
        if alert.state is AlertState.PENDING or (
            alert.resolved_at is not None and ts - alert.resolved_at > RESOLVED_RETENTION_MS
        ):
            del self.active[labels]
        if alert.state is AlertState.INACTIVE or keep_firing:
            return keep_firing, []
        previous = alert.state
        alert.state, alert.resolved_at = AlertState.INACTIVE, ts
        resolved = AlertState.RESOLVED if previous is AlertState.FIRING else AlertState.INACTIVE
        return False, [Change(alert, previous, resolved)]

    def series(self) -> list[tuple[Labels, Labels, float]]:
        """`ALERTS` and `ALERTS_FOR_STATE` label sets for the pending and firing alerts:
        (ALERTS labels, ALERTS_FOR_STATE labels, active_at in unix seconds)."""
        out = []
        for alert in self.active.values():
            if alert.state is AlertState.INACTIVE:
                continue
            base = dict(alert.labels)
            alerts = tuple(
                sorted({**base, NAME: "ALERTS", "alertstate": alert.state.value}.items())
            )
            for_state = tuple(sorted({**base, NAME: "ALERTS_FOR_STATE"}.items()))
            out.append((alerts, for_state, alert.active_at / 1000))
        return out

    def write_series(self, store: SampleStore, ts: int, previous: set[Labels]) -> set[Labels]:
        """Write this evaluation's ALERTS samples; stale-mark the ones that vanished."""
        written: set[Labels] = set()
        for alerts, for_state, active_at in self.series():
            store.add(alerts, ts, 1.0)
            store.add(for_state, ts, active_at)
            written |= {alerts, for_state}
        store.mark_stale(previous - written, ts)
        return written
