"""Admin API under /api/ops/actions: track action items, export them, create them from a
postmortem (ops' draft of an incident, or a report written by hand)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import Field

from jwtpizza.ops.actions import service as actions
from jwtpizza.ops.actions.plan import Planned, as_csv, as_markdown, planned
from jwtpizza.ops.deps import AdminUser
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.router import DeskDep
from jwtpizza.ops.incidents.schemas import CamelModel
from jwtpizza.ops.reviews.sections import split

router = APIRouter(prefix="/api/ops/actions", tags=["actions"])


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


Priority = Annotated[str, Field(pattern="^(high|medium|low)$")]


class ActionIn(CamelModel):
    title: str = Field(min_length=1, max_length=300)
    owner: str | None = Field(default=None, max_length=200)
    due: date | None = None
    priority: Priority = "medium"
    link: str | None = Field(default=None, max_length=2000)
    incident: int | None = Field(default=None, ge=1)


class FromDraftIn(CamelModel):
    incident: int = Field(ge=1)


class FromReportIn(FromDraftIn):
    markdown: str = Field(min_length=1, max_length=200_000)


async def _items(
    desk: IncidentDesk, status: str | None, incident: int | None, only_overdue: bool
) -> list[dict[str, Any]]:
    today = desk.now().date()
    async with desk.db.reader() as session:
        found = await actions.listing(session=session, status=status, incident_id=incident)
        items = [actions.as_json(i, today) for i in found]
    return [i for i in items if i["overdue"]] if only_overdue else items


Status = Annotated[str | None, Query(pattern="^(open|done)$")]
IncidentQ = Annotated[int | None, Query(ge=1)]


@router.get("")
async def list_items(
    _admin: AdminUser,
    desk: DeskDep,
    status: Status = None,
    incident: IncidentQ = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    """Action items, oldest first (`overdue=true`: open ones past their due date)."""
    return await _items(desk, status, incident, overdue)


@router.get(".csv", response_class=CsvResponse)
async def export_csv(
    _admin: AdminUser,
    desk: DeskDep,
    status: Status = None,
    incident: IncidentQ = None,
    overdue: bool = False,
) -> CsvResponse:
    return CsvResponse(as_csv(await _items(desk, status, incident, overdue)))


@router.get(".md", response_class=MarkdownResponse)
async def export_markdown(
    _admin: AdminUser,
    desk: DeskDep,
    status: Status = None,
    incident: IncidentQ = None,
    overdue: bool = False,
) -> MarkdownResponse:
    return MarkdownResponse(as_markdown(await _items(desk, status, incident, overdue)))


@router.post("", status_code=201)
async def add_item(body: ActionIn, _admin: AdminUser, desk: DeskDep) -> dict[str, Any]:
    plan = Planned(body.title, body.owner, body.due, body.priority, body.link)
    async with desk.db.writer() as session:
        item = await actions.add(
            session=session, plan=plan, incident_id=body.incident, origin="hand", now=desk.now()
        )
        return actions.as_json(item, desk.now().date())


@router.post("/{item_id}/done")
async def mark_done(item_id: int, _admin: AdminUser, desk: DeskDep) -> dict[str, Any]:
    async with desk.db.writer() as session:
        item = await actions.done(session=session, item_id=item_id, now=desk.now())
        return actions.as_json(item, desk.now().date())


async def _add_all(
    desk: IncidentDesk, plans: list[Planned], incident: int, origin: str
) -> list[dict[str, Any]]:
    async with desk.db.writer() as session:
        added = await actions.add_many(
            session=session, plans=plans, incident_id=incident, origin=origin, now=desk.now()
        )
        return [actions.as_json(i, desk.now().date()) for i in added]


@router.post("/from-draft", status_code=201)
async def from_draft(body: FromDraftIn, _admin: AdminUser, desk: DeskDep) -> list[dict[str, Any]]:
    """Track the action items ops' draft derives from the incident's measured gaps."""
    draft = await desk.draft(body.incident, finish=False)
    plans = [Planned(f"{i.title} ({i.why})") for i in draft.action_items]
    return await _add_all(desk, plans, body.incident, "draft")


@router.post("/from-report", status_code=201)
async def from_report(body: FromReportIn, _admin: AdminUser, desk: DeskDep) -> list[dict[str, Any]]:
    """Track the items listed in a written report's Action items section."""
    return await _add_all(desk, planned(split(body.markdown)), body.incident, "report")
