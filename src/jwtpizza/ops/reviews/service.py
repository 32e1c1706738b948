"""Reviewing a posted postmortem: find its incident, draft ops' record of it, check the claims."""

from __future__ import annotations

from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.reviews.check import Review, first_time, review
from jwtpizza.ops.reviews.claims import all_claims
from jwtpizza.ops.reviews.match import Window, describes
from jwtpizza.ops.reviews.record import record_of
from jwtpizza.ops.reviews.sections import split


async def windows(desk: IncidentDesk) -> list[Window]:
    """Every recorded incident's window: declared to resolved (or now)."""
    async with desk.db.reader() as session:
        found = await incidents.listing(session=session, limit=1000)
    now = desk.now()
    return [Window(i.id, i.declared_at, i.resolved_at or now) for i in found]


async def review_report(
    desk: IncidentDesk, markdown: str, *, incident_id: int | None, tolerance: float
) -> Review:
    doc = split(markdown)
    first_time(doc)  # a report with no times is refused before its incident is looked up
    if incident_id is None:
        incident_id = describes(doc, all_claims(doc), await windows(desk))
    draft = await desk.draft(incident_id, finish=False)
    return review(doc, record_of(draft), tolerance=tolerance)
