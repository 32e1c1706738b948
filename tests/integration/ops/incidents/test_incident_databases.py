"""Incidents on every database backend (SQLite, MariaDB, PostgreSQL): the migration, the
lifecycle moves, the timeline's one-entry-per-fact key and JSON data, joined alerts, and
earlier incidents with the same root cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jwtpizza.db import Database
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.lifecycle import IllegalTransition, IncidentStatus, Severity
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.migrations import upgrade

T0 = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)


async def test_incidents_on_every_backend(database_url: str) -> None:
    db = Database(database_url)
    await upgrade(db)
    try:
        async with db.writer() as session:
            first = await incidents.declare(session=session, title="earlier", by="a",
                                            severity=Severity.HIGH, now=T0)  # fmt: skip
            first.root_cause = "chaos:fail"
            second = await incidents.declare(
                session=session, title="now", by="a", severity=Severity.CRITICAL,
                now=T0 + timedelta(hours=1), group_key="jwt-pizza", commander="alice",
            )  # fmt: skip
            n = second.id
            fact = Entry(T0 + timedelta(seconds=5), Source.LOG, "report-link", "link",
                         "report-link:service", "http://x", data={"url": "http://l"})  # fmt: skip
            assert await incidents.record(session=session, incident=second, entries=[fact]) == 1
            assert await incidents.record(session=session, incident=second, entries=[fact]) == 0
            await incidents.track_alert(session=session, incident=second, rule="A",
                                        fingerprint="x" * 3000, state="firing", now=T0)  # fmt: skip
        async with db.writer() as session:
            incident = await incidents.get(session=session, incident_id=n)
            later = T0 + timedelta(hours=2)
            await incidents.track_alert(
                session=session, incident=incident, rule="A", fingerprint="x" * 3000,
                state="resolved", now=later,
            )  # fmt: skip
            await incidents.move(session=session, incident=incident,
                                 target=IncidentStatus.RESOLVED, by="a", now=later)  # fmt: skip
            with pytest.raises(IllegalTransition):
                await incidents.move(session=session, incident=incident,
                                     target=IncidentStatus.RESOLVED, by="a", now=later)  # fmt: skip
            earlier = await incidents.earlier_with_cause(
                session=session, incident=incident, root_cause="chaos:fail"
            )
            assert [i.title for i in earlier] == ["earlier"]
        async with db.reader() as session:
            found = await incidents.open_in_group(session=session, group_key="jwt-pizza")
            assert found is None
            entries = await incidents.timeline(session=session, incident_id=n)
            assert [e.kind for e in entries] == [
                "report-link",
                "declared",
                "role",
                "status-resolved",
            ]
            assert entries[0].data == {"url": "http://l"} and entries[0].at == fact.at
            [alert] = await incidents.alerts_of(session=session, incident_id=n)
            assert alert.state == "resolved"
            assert await incidents.roles(session=session, incident_id=n) == {"commander": "alice"}
    finally:
        await db.dispose()
