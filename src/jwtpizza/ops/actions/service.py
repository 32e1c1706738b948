"""Action items in the ops database: add, list, mark done, and create them from postmortems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import InvalidInput, NotFound
from jwtpizza.ops.actions.models import ActionItem
from jwtpizza.ops.actions.plan import PRIORITIES, Planned
from jwtpizza.ops.incidents import service as incidents

OPEN, DONE = "open", "done"


def as_json(item: ActionItem, today: date) -> dict[str, Any]:
    return {
        "id": item.id,
        "incident": item.incident_id,
        "title": item.title,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
        "priority": item.priority,
        "status": item.status,
        "link": item.link,
        "origin": item.origin,
        "createdAt": item.created_at.isoformat(),
        "doneAt": item.done_at.isoformat() if item.done_at else None,
        "overdue": overdue(item, today),
    }


def overdue(item: ActionItem, today: date) -> bool:
    return item.status == OPEN and item.due is not None and item.due < today


async def add(
    *, session: AsyncSession, plan: Planned, incident_id: int | None, origin: str, now: datetime
) -> ActionItem:
    if not plan.title.strip():
        raise InvalidInput("an action item needs a title")
    if plan.priority not in PRIORITIES:
        raise InvalidInput(f"priority must be one of {', '.join(PRIORITIES)}")
    if incident_id is not None:
        await incidents.get(session=session, incident_id=incident_id)  # 404 if unknown
    item = ActionItem(
        incident_id=incident_id,
        title=plan.title.strip()[:300],
        owner=plan.owner,
        due=plan.due,
        status=OPEN,
        priority=plan.priority,
        link=plan.link,
        origin=origin,
        created_at=now,
    )
    session.add(item)
    await session.flush()
    return item


async def add_many(
    *,
    session: AsyncSession,
    plans: Sequence[Planned],
    incident_id: int,
    origin: str,
    now: datetime,
) -> list[ActionItem]:
    """Items not already tracked for the incident (same title), added."""
    await incidents.get(session=session, incident_id=incident_id)  # 404 if unknown
    known = {i.title for i in await listing(session=session, incident_id=incident_id)}
    added = []
    for plan in plans:
        if plan.title not in known:
            known.add(plan.title)
            added.append(
                await add(
                    session=session, plan=plan, incident_id=incident_id, origin=origin, now=now
                )
            )
    return added


async def listing(
    *, session: AsyncSession, status: str | None = None, incident_id: int | None = None
) -> list[ActionItem]:
    query = select(ActionItem).order_by(ActionItem.id)
    if status is not None:
        query = query.where(ActionItem.status == status)
    if incident_id is not None:
        query = query.where(ActionItem.incident_id == incident_id)
    return list(await session.scalars(query))


async def done(*, session: AsyncSession, item_id: int, now: datetime) -> ActionItem:
    item = await session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(f"unknown action item {item_id}")
    if item.status != DONE:
        item.status, item.done_at = DONE, now
    return item
