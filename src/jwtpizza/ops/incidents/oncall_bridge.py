"""Incidents and on-call together: acknowledging an incident acknowledges its pages, and a
runbook that misses its deadline pages a person through the escalation chain."""

from __future__ import annotations

import contextlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.errors import JwtPizzaError
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.notify.domain import Status
from jwtpizza.ops.notify.payload import WebhookAlert, WebhookMessage
from jwtpizza.ops.oncall.models import Page
from jwtpizza.ops.oncall.service import (
    Escalator,
    IncidentOf,
    IncidentRef,
    PageStatus,
    alert_names,
)

RUNBOOK_ALERT = "RunbookDeadlineMissed"


class OncallPager:
    """The incidents' `Pager` through on-call's escalator: a runbook that misses its deadline
    pages a person, and acknowledging an incident acknowledges its pages."""

    def __init__(self, *, db: Database, clock: Clock, escalator: Escalator) -> None:
        self._db = db
        self._clock = clock
        self._escalator = escalator

    async def page(self, incident_id: int, text: str) -> None:
        now = self._clock.now()
        labels = {"alertname": RUNBOOK_ALERT, "incident": str(incident_id), "severity": "critical"}
        alert = WebhookAlert(
            status=Status.FIRING, labels=labels, annotations={"summary": text}, starts_at=now
        )
        message = WebhookMessage(
            group_key=f"incident-{incident_id}-runbook",
            status=Status.FIRING,
            receiver="ops",
            group_labels=labels,
            common_labels=labels,
            common_annotations={"summary": text},
            alerts=[alert],
        )
        policy = next(iter(self._escalator.config.policies), "default")
        await self._escalator.page(message, policy=policy, source="runbook")

    async def acknowledge(self, incident_id: int, by: str) -> None:
        async with self._db.reader() as session:
            alerts = await incidents.alerts_of(session=session, incident_id=incident_id)
            rules = {a.rule for a in alerts}
            triggered = select(Page).where(Page.status == PageStatus.TRIGGERED.value)
            pages = list(await session.scalars(triggered))
        for page in pages:
            if page.incident_id == incident_id or alert_names(page.message) & rules:
                with contextlib.suppress(JwtPizzaError):  # resolved meanwhile
                    await self._escalator.acknowledge(page.id, by=by)


def incident_finder(db: Database) -> IncidentOf:
    """For the escalator: the open incident an alert group's alerts joined, if any."""

    async def incident_of(message: WebhookMessage) -> IncidentRef | None:
        names = {a.labels.get("alertname") for a in message.alerts}
        async with db.reader() as session:
            for incident in await incidents.listing(session=session, status="open"):
                alerts = await incidents.alerts_of(session=session, incident_id=incident.id)
                rules = frozenset(a.rule for a in alerts)
                if names & rules:
                    return IncidentRef(incident.id, rules)
        return None

    return incident_of


async def pages_of(*, session: AsyncSession, incident_id: int) -> int:
    """How many pages escalated the incident's alerts (one when they were grouped well)."""
    query = select(func.count()).select_from(Page).where(Page.incident_id == incident_id)
    return int(await session.scalar(query) or 0)
