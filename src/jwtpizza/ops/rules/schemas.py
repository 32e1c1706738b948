"""API models of the rules and alerts views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class RuleOut(CamelModel):
    """An alerting rule, or a recording rule (no `for`, annotations or alerts)."""

    name: str
    type: str
    expr: str
    for_seconds: float
    keep_firing_for_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]
    health: str
    last_error: str | None
    last_evaluation: datetime | None
    evaluation_seconds: float
    alerts: int


class GroupOut(CamelModel):
    name: str
    file: str
    interval_seconds: float
    last_evaluation: datetime | None
    evaluation_seconds: float
    rules: list[RuleOut]


class RulesOut(CamelModel):
    files: list[str]
    groups: list[GroupOut]


class AlertOut(CamelModel):
    """An alert the evaluator holds now: pending, firing, or resolved (kept 15 minutes)."""

    rule: str
    state: str
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None
    active_at: datetime | None
    fired_at: datetime | None
    resolved_at: datetime | None


class TransitionOut(CamelModel):
    rule: str
    state: str
    previous: str
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None
    active_at: datetime | None
    at: datetime


class AlertsOut(CamelModel):
    alerts: list[AlertOut]
    history: list[TransitionOut]
