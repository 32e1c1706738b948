"""`jwtpizza up` starts each run from a clean slate: the pages and incidents a stopped run
left open are closed, with the reason on the timeline, and the history is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from jwtpizza.db import Database
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.lifecycle import Severity
from jwtpizza.ops.incidents.models import Incident, IncidentAlert, IncidentEntry
from jwtpizza.ops.leftovers import WHY, close_leftovers
from jwtpizza.ops.migrations import upgrade
from jwtpizza.ops.oncall.models import Page

THEN = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)


def page(status: str) -> Page:
    return Page(
        dedup_key=f"k-{status}", policy="default", title="FactoryDown", source="rules",
        status=status, message={}, next_step=1, next_step_at=THEN, created_at=THEN,
    )  # fmt: skip


async def test_open_pages_and_incidents_are_closed_and_closed_ones_untouched(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}"
    db = Database(url, pooled=False)
    await upgrade(db)
    async with db.writer() as session:
        session.add_all([page("triggered"), page("acknowledged"), page("resolved")])
        left = await incidents.declare(session=session, title="left open", by="rules",
                                       severity=Severity.CRITICAL, now=THEN)  # fmt: skip
        await incidents.track_alert(session=session, incident=left, rule="FactoryDown",
                                    fingerprint="a", state="firing", now=THEN)  # fmt: skip
    await db.dispose()

    now = THEN + timedelta(hours=1)
    closed = await close_leftovers(url, now=now, by="jwtpizza up")
    assert (closed.pages, closed.incidents) == (2, 1)
    assert (await close_leftovers(url, now=now, by="jwtpizza up")).incidents == 0

    db = Database(url, pooled=False)
    async with db.reader() as session:
        pages = list(await session.scalars(select(Page)))
        incident = (await session.scalars(select(Incident))).one()
        alert = (await session.scalars(select(IncidentAlert))).one()
        entries = [e.text for e in await session.scalars(select(IncidentEntry))]
    await db.dispose()
    assert {p.status for p in pages} == {"resolved"}
    assert all(p.next_step_at is None for p in pages if p.dedup_key != "k-resolved")
    assert incident.status == "resolved" and alert.state == "resolved"
    assert any(WHY in text for text in entries), entries
