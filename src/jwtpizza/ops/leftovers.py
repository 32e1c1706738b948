"""What a stopped ops run left open, closed before the next one starts.

The pages and incidents a previous run left open, and its saved alert state (which a
restarted `jwtpizza ops` takes up), are in its database. `jwtpizza up` closes them at start,
each with the reason, and forgets the alert state, so a new run pages and declares from a
clean slate while the history is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from jwtpizza.db import Database
from jwtpizza.ops.alerts.models import AlertStateRow
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.lifecycle import OPEN, IncidentStatus
from jwtpizza.ops.incidents.models import Incident, IncidentAlert
from jwtpizza.ops.migrations import upgrade
from jwtpizza.ops.oncall.models import Page
from jwtpizza.ops.oncall.service import OPEN as OPEN_PAGES
from jwtpizza.ops.oncall.service import PageStatus

WHY = "closed at start: the run that opened it stopped"


@dataclass(frozen=True)
class Closed:
    pages: int
    incidents: int


async def close_leftovers(database_url: str, *, now: datetime, by: str) -> Closed:
    """Migrate the ops database, then resolve every open page and incident in it."""
    db = Database(database_url, pooled=False)
    try:
        await upgrade(db)
        async with db.writer() as session:
            pages = await session.execute(
                update(Page)
                .where(Page.status.in_(OPEN_PAGES))
                .values(status=PageStatus.RESOLVED.value, resolved_at=now, next_step_at=None)
            )
            still_open = select(Incident).where(Incident.status.in_([s.value for s in OPEN]))
            found = list(await session.scalars(still_open))
            for incident in found:
                await incidents.move(
                    session=session,
                    incident=incident,
                    by=by,
                    now=now,
                    target=IncidentStatus.RESOLVED,
                    why=WHY,
                )
            await session.execute(
                update(IncidentAlert)
                .where(IncidentAlert.incident_id.in_([i.id for i in found]))
                .values(state="resolved")
            )
            await session.execute(delete(AlertStateRow))
            return Closed(pages=pages.rowcount or 0, incidents=len(found))  # type: ignore[attr-defined]
    finally:
        await db.dispose()
