"""The ops migrations and the alert history work on SQLite, MariaDB and PostgreSQL: aware
UTC times with sub-second precision, label JSON, and a NaN value stored as null."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from jwtpizza.db import Database
from jwtpizza.ops.alerts import history
from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.migrations import upgrade

T0 = datetime(2026, 11, 25, 12, 0, 0, 250_000, tzinfo=UTC)


def transition(state: AlertState, at: datetime, value: float) -> AlertTransition:
    return AlertTransition(
        rule="FactoryUnreachable", labels={"alertname": "FactoryUnreachable", "job": "svc"},
        annotations={"summary": "the factory does not answer"}, state=state,
        previous=AlertState.INACTIVE, value=value, active_at=T0, fired_at=None,
        resolved_at=None, at=at,
    )  # fmt: skip


async def test_history_round_trips(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        await upgrade(db)  # idempotent
        record = history.record_transitions(db)
        await record(transition(AlertState.PENDING, T0, 3.5))
        await record(transition(AlertState.FIRING, T0 + timedelta(seconds=5), math.nan))
        async with db.reader() as session:
            events = await history.recent(session=session, limit=10, rule="FactoryUnreachable")
    finally:
        await db.dispose()
    assert [(e.state, e.at, e.value) for e in events] == [
        ("firing", T0 + timedelta(seconds=5), None),
        ("pending", T0, 3.5),
    ]
    assert events[0].labels == {"alertname": "FactoryUnreachable", "job": "svc"}
    assert events[0].active_at == T0
