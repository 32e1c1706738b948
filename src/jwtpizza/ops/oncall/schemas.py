"""API models of on-call: who is on call, escalation policies, pages and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.ops.oncall.models import Page


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, from_attributes=True)


class Shift(_Camel):
    starts_at: datetime = Field(alias="startsAt")
    user: str | None


class SchedulePublic(_Camel):
    name: str
    on_call: str | None = Field(alias="onCall")
    shifts: list[Shift]


class StepPublic(_Camel):
    notify: dict[str, str]
    wait_seconds: float = Field(alias="waitSeconds")


class PolicyPublic(_Camel):
    name: str
    steps: list[StepPublic]


class OncallPublic(_Camel):
    at: datetime
    schedules: list[SchedulePublic]
    policies: list[PolicyPublic]


class PageNotificationPublic(_Camel):
    step: int
    target: str
    receiver: str
    integration: str | None
    outcome: str
    attempts: int
    error: str | None
    at: datetime


class PagePublic(_Camel):
    id: int
    title: str
    status: str
    policy: str
    source: str
    group_key: str = Field(alias="groupKey")
    created_at: datetime = Field(alias="createdAt")
    acknowledged_at: datetime | None = Field(alias="acknowledgedAt")
    acknowledged_by: str | None = Field(alias="acknowledgedBy")
    resolved_at: datetime | None = Field(alias="resolvedAt")
    next_step: int = Field(alias="nextStep")
    next_step_at: datetime | None = Field(alias="nextStepAt")

    @classmethod
    def of(cls, page: Page) -> PagePublic:
        return cls.model_validate({**_columns(page), "group_key": page.dedup_key})


class PageDetail(PagePublic):
    message: dict[str, Any]
    notifications: list[PageNotificationPublic]


def _columns(page: Page) -> dict[str, Any]:
    return {c.key: getattr(page, c.key) for c in page.__table__.columns}


class Acknowledged(_Camel):
    message: str
    page: PagePublic


class LinkedPage(_Camel):
    """The page an acknowledge link is for, and who it was sent to."""

    page: PagePublic
    paged: str
