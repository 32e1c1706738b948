"""Admin API: the loaded rules (and reloading them), and the alerts with their history."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query

from jwtpizza.ops.alerts import history
from jwtpizza.ops.alerts.events import AlertState
from jwtpizza.ops.deps import AdminUser, ContextDep, ReaderDep
from jwtpizza.ops.rules.alerting import Alert, AlertingRule
from jwtpizza.ops.rules.deps import RulesDep
from jwtpizza.ops.rules.recording import RecordingRule
from jwtpizza.ops.rules.schemas import (
    AlertOut,
    AlertsOut,
    GroupOut,
    RuleOut,
    RulesOut,
    TransitionOut,
)
from jwtpizza.ops.rules.service import RuleGroup, RuleManager, to_datetime

router = APIRouter(prefix="/api/ops", tags=["alerts"])


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _health(rule: AlertingRule | RecordingRule) -> str:
    if rule.last_evaluation_ms is None:
        return "unknown"
    return "err" if rule.last_error else "ok"


def _rule_out(rule: AlertingRule | RecordingRule) -> RuleOut:
    if isinstance(rule, RecordingRule):
        return RuleOut(
            name=rule.spec.name,
            type="recording",
            expr=rule.spec.expr,
            for_seconds=0.0,
            keep_firing_for_seconds=0.0,
            labels=dict(rule.spec.labels),
            annotations={},
            health=_health(rule),
            last_error=rule.last_error,
            last_evaluation=to_datetime(rule.last_evaluation_ms),
            evaluation_seconds=rule.last_duration_seconds,
            alerts=0,
        )
    spec = rule.spec
    return RuleOut(
        name=spec.name,
        type="alerting",
        expr=spec.expr,
        for_seconds=spec.for_seconds,
        keep_firing_for_seconds=spec.keep_firing_for_seconds,
        labels={k: t.source for k, t in spec.labels.items()},
        annotations={k: t.source for k, t in spec.annotations.items()},
        health=_health(rule),
        last_error=rule.last_error,
        last_evaluation=to_datetime(rule.last_evaluation_ms),
        evaluation_seconds=rule.last_duration_seconds,
        alerts=sum(1 for a in rule.active.values() if a.state is not AlertState.INACTIVE),
    )


def _group_out(group: RuleGroup) -> GroupOut:
    return GroupOut(
        name=group.spec.name,
        file=group.spec.file,
        interval_seconds=group.interval_ms / 1000,
        last_evaluation=to_datetime(group.last_evaluation_ms),
        evaluation_seconds=group.last_duration_seconds,
        rules=[_rule_out(rule) for rule in group.rules],
    )


def rules_out(rules: RuleManager) -> RulesOut:
    return RulesOut(files=rules.files, groups=[_group_out(g) for g in rules.groups])


def alert_out(rule: AlertingRule, alert: Alert) -> AlertOut:
    state = alert.state
    if state is AlertState.INACTIVE:
        state = AlertState.RESOLVED
    return AlertOut(
        rule=rule.spec.name,
        state=state.value,
        labels=dict(alert.labels),
        annotations=alert.annotations,
        value=_finite(alert.value),
        active_at=to_datetime(alert.active_at),
        fired_at=to_datetime(alert.fired_at),
        resolved_at=to_datetime(alert.resolved_at),
    )


@router.get("/rules", response_model_by_alias=True)
async def list_rules(_admin: AdminUser, rules: RulesDep) -> RulesOut:
    """The loaded rule groups, with each rule's health and last evaluation."""
    return rules_out(rules)


@router.post("/rules/reload", response_model_by_alias=True)
async def reload_rules(_admin: AdminUser, context: ContextDep, rules: RulesDep) -> RulesOut:
    """Reload the rule files; a file that does not load is a 400 and changes nothing."""
    rules.load(context.settings.rule_files)
    return rules_out(rules)


@router.get("/alerts", response_model_by_alias=True)
async def list_alerts(
    _admin: AdminUser,
    rules: RulesDep,
    session: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    rule: Annotated[str | None, Query(max_length=200)] = None,
) -> AlertsOut:
    """Alerts now (pending, firing, recently resolved) and the newest state transitions."""
    events = await history.recent(session=session, limit=limit, rule=rule)
    alerts = [alert_out(r, a) for r, a in rules.alerts() if rule is None or r.spec.name == rule]
    return AlertsOut(
        alerts=alerts,
        history=[
            TransitionOut(
                rule=e.rule,
                state=e.state,
                previous=e.previous,
                labels=e.labels,
                annotations=e.annotations,
                value=e.value,
                active_at=e.active_at,
                at=e.at,
            )
            for e in events
        ],
    )
