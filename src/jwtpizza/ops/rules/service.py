"""Rule groups evaluated on the monitor's samples, publishing alert transitions on the bus.

`RuleManager.load(paths)` replaces the loaded groups only when every file loads; alerts of
a rule that survives a reload (same group, name and expression) keep their state.
`evaluate(t_ms)` runs every group whose interval has elapsed, in file order; within a group
the rules run in order, so a recording rule's result is seen by the rules after it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from jwtpizza.ops.alerts.events import AlertBus, AlertState, AlertTransition
from jwtpizza.ops.monitor.store import LOOKBACK_MS, SampleStore
from jwtpizza.ops.promql.plan import EvaluationError
from jwtpizza.ops.promql.selectors import long_range_selectors
from jwtpizza.ops.promql.values import Labels
from jwtpizza.ops.rules.alerting import Alert, AlertingRule, Change, DuplicateAlert
from jwtpizza.ops.rules.loader import AlertRuleSpec, GroupSpec, RuleSpec, load_files
from jwtpizza.ops.rules.recording import DuplicateSeries, RecordingRule
from jwtpizza.ops.telemetry import MonitorMetrics

log = logging.getLogger("jwtpizza.ops.rules")


def to_datetime(t_ms: int | None) -> datetime | None:
    return None if t_ms is None else datetime.fromtimestamp(t_ms / 1000, UTC)


def alert_transition(rule: str, change: Change, at: datetime) -> AlertTransition:
    """An alert's change of state, as the bus carries it."""
    alert: Alert = change.alert
    return AlertTransition(
        rule=rule,
        labels=dict(alert.labels),
        annotations=alert.annotations,
        state=change.state,
        previous=change.previous,
        value=alert.value,
        active_at=to_datetime(alert.active_at),
        fired_at=to_datetime(alert.fired_at),
        resolved_at=to_datetime(alert.resolved_at),
        at=at,
    )


@dataclass
class RuleGroup:
    spec: GroupSpec
    interval_ms: int
    rules: list[AlertingRule | RecordingRule]
    last_evaluation_ms: int | None = None
    last_duration_seconds: float = 0.0
    series: dict[str, set[Labels]] = field(default_factory=dict)

    def due(self, t_ms: int) -> bool:
        """An interval has passed since the last evaluation (give or take the loop's jitter,
        so a round a few milliseconds early does not skip a whole interval)."""
        last = self.last_evaluation_ms
        slack = min(1000, self.interval_ms // 10)
        return last is None or t_ms - last + slack >= self.interval_ms


class RuleManager:
    """The loaded rule groups, evaluated against one sample store."""

    def __init__(
        self,
        *,
        store: SampleStore,
        bus: AlertBus,
        default_interval_seconds: float,
        max_for_seconds: float | None = None,
        metrics: MonitorMetrics | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.default_interval_seconds = default_interval_seconds
        self.max_for_seconds = max_for_seconds
        self.metrics = metrics
        self.groups: list[RuleGroup] = []
        self.files: list[str] = []

    def load(self, paths: list[str]) -> None:
        """Load `paths`; on any error raise `RuleFileInvalid` and keep the current rules."""
        specs = load_files(paths, max_for_seconds=self.max_for_seconds)
        self.install(specs)
        self.files = list(paths)

    def install(self, specs: list[GroupSpec]) -> None:
        """Replace the groups, carrying alert state over to unchanged rules."""
        old = {
            (g.spec.file, g.spec.name, r.spec.name, r.spec.expr): r
            for g in self.groups
            for r in g.rules
        }
        groups = []
        for spec in specs:
            rules = []
            for rule_spec in spec.rules:
                rule = _rule(rule_spec)
                before = old.get((spec.file, spec.name, rule_spec.name, rule_spec.expr))
                if isinstance(rule, AlertingRule) and isinstance(before, AlertingRule):
                    rule.active = before.active
                if isinstance(rule, RecordingRule) and isinstance(before, RecordingRule):
                    rule.written = before.written
                rules.append(rule)
            interval = spec.interval_seconds or self.default_interval_seconds
            groups.append(RuleGroup(spec, int(interval * 1000), rules))
        self.groups = groups
        self._keep_history(specs)

    def _keep_history(self, specs: list[GroupSpec]) -> None:
        """The store keeps thinned history of what the rules read past its raw window."""
        reach = self.store.retention_ms - LOOKBACK_MS
        selectors = [
            selector
            for spec in specs
            for rule in spec.rules
            for selector in long_range_selectors(rule.expr, reach)
        ]
        self.store.keep_history_of(lambda labels: any(s.matches(labels) for s in selectors))

    async def evaluate(self, t_ms: int) -> None:
        """Evaluate every due group at `t_ms`."""
        for group in self.groups:
            if group.due(t_ms):
                await self.evaluate_group(group, t_ms)

    async def evaluate_group(self, group: RuleGroup, t_ms: int) -> None:
        """Evaluate one group and post its transitions on the bus (delivered in order in the
        background, so subscribers never hold up the next evaluation)."""
        for transition in self.step(group, t_ms):
            self.bus.post(transition)

    def step(self, group: RuleGroup, t_ms: int) -> list[AlertTransition]:
        """Evaluate one group's rules in order at `t_ms`; the transitions they caused."""
        started = time.perf_counter()
        transitions = [
            alert_transition(rule.spec.name, change, to_datetime(t_ms) or datetime.now(UTC))
            for rule in group.rules
            for change in self._evaluate_rule(group, rule, t_ms)
        ]
        group.last_evaluation_ms = t_ms
        group.last_duration_seconds = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.group_evaluated(group.spec.name, group.last_duration_seconds)
        return transitions

    def _evaluate_rule(
        self, group: RuleGroup, rule: AlertingRule | RecordingRule, t_ms: int
    ) -> list[Change]:
        started = time.perf_counter()
        rule.last_evaluation_ms = t_ms
        changes: list[Change] = []
        try:
            result = rule.spec.plan.vector(self.store, t_ms)
            if isinstance(rule, RecordingRule):
                rule.record(self.store, t_ms, result)
            else:
                changes = rule.advance(t_ms, result)
        except (EvaluationError, DuplicateAlert, DuplicateSeries) as error:
            rule.last_error = str(error)
            log.warning("rule %s failed: %s", rule.spec.name, error)
            if self.metrics is not None:
                self.metrics.rule_failed(rule.spec.name)
            return []
        rule.last_error = None
        if isinstance(rule, AlertingRule):
            before = group.series.get(rule.spec.name, set())
            group.series[rule.spec.name] = rule.write_series(self.store, t_ms, before)
        rule.last_duration_seconds = time.perf_counter() - started
        return changes

    def alerts(self) -> list[tuple[AlertingRule, Alert]]:
        """Every alert held: pending, firing, and resolved within the last 15 minutes."""
        return [
            (rule, alert)
            for g in self.groups
            for rule in g.rules
            if isinstance(rule, AlertingRule)
            for alert in rule.active.values()
        ]

    def firing(self) -> list[tuple[AlertingRule, Alert]]:
        return [(r, a) for r, a in self.alerts() if a.state is AlertState.FIRING]


def _rule(spec: RuleSpec) -> AlertingRule | RecordingRule:
    return AlertingRule(spec) if isinstance(spec, AlertRuleSpec) else RecordingRule(spec)
