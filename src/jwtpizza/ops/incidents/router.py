"""Admin API under /api/ops/incidents: declare, list, show, act, and draft the postmortem."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from jwtpizza.ops.admins import Admin
from jwtpizza.ops.deps import AdminUser, RowId
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.lifecycle import IncidentStatus
from jwtpizza.ops.incidents.oncall_bridge import pages_of
from jwtpizza.ops.incidents.reports import service as reports
from jwtpizza.ops.incidents.reports.markdown import render
from jwtpizza.ops.incidents.schemas import (
    EntryOut,
    IncidentCreate,
    IncidentOut,
    LinkIn,
    MoveIn,
    NoteIn,
    ReportOut,
    RoleIn,
)

STATUS_FILTER = "^(open|active|mitigated|resolved|postmortem_written)$"
router = APIRouter(prefix="/api/ops/incidents", tags=["incidents"])


async def get_desk(request: Request) -> IncidentDesk:
    desk = request.app.state.ops.incidents
    assert isinstance(desk, IncidentDesk)
    return desk


DeskDep = Annotated[IncidentDesk, Depends(get_desk)]


def actor(admin: Admin) -> str:
    return admin.name or f"admin {admin.id}"


async def _show(desk: IncidentDesk, incident_id: int) -> IncidentOut:
    async with desk.db.reader() as session:
        incident = await incidents.get(session=session, incident_id=incident_id)
        return IncidentOut.of(
            incident,
            roles=await incidents.roles(session=session, incident_id=incident_id),
            timeline=await incidents.timeline(session=session, incident_id=incident_id),
            pages=await pages_of(session=session, incident_id=incident_id),
        )


@router.get("", response_model_by_alias=True)
async def list_incidents(
    _admin: AdminUser,
    desk: DeskDep,
    status: Annotated[str | None, Query(pattern=STATUS_FILTER)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[IncidentOut]:
    """Incidents, newest first (`status=open` for active and mitigated ones)."""
    async with desk.db.reader() as session:
        found = await incidents.listing(session=session, status=status, limit=limit)
        return [IncidentOut.of(i) for i in found]


@router.post("", status_code=201, response_model_by_alias=True)
async def declare(body: IncidentCreate, admin: AdminUser, desk: DeskDep) -> IncidentOut:
    """Declare an incident by hand."""
    async with desk.db.writer() as session:
        incident = await incidents.declare(
            session=session,
            title=body.title,
            severity=body.severity,
            by=actor(admin),
            now=desk.now(),
            commander=body.commander,
        )
        incident_id = incident.id
    return await _show(desk, incident_id)


@router.get("/{incident_id}", response_model_by_alias=True)
async def show(incident_id: RowId, _admin: AdminUser, desk: DeskDep) -> IncidentOut:
    """One incident with its roles and timeline."""
    return await _show(desk, incident_id)


@router.post("/{incident_id}/ack", response_model_by_alias=True)
async def acknowledge(incident_id: RowId, admin: AdminUser, desk: DeskDep) -> IncidentOut:
    """Acknowledge: someone has it."""
    async with desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=incident_id)
        await incidents.acknowledge(
            session=session, incident=incident, by=actor(admin), now=desk.now()
        )
    if desk.pager is not None:
        await desk.pager.acknowledge(incident_id, actor(admin))
    return await _show(desk, incident_id)


async def _move(
    desk: DeskDep, admin: Admin, incident_id: int, target: IncidentStatus, why: str
) -> IncidentOut:
    async with desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=incident_id)
        await incidents.move(
            session=session,
            incident=incident,
            target=target,
            by=actor(admin),
            now=desk.now(),
            why=why,
        )
    return await _show(desk, incident_id)


@router.post("/{incident_id}/mitigate", response_model_by_alias=True)
async def mitigate(
    incident_id: RowId, admin: AdminUser, desk: DeskDep, body: MoveIn | None = None
) -> IncidentOut:
    """Impact has stopped; the cause may not be fixed yet."""
    return await _move(desk, admin, incident_id, IncidentStatus.MITIGATED, (body or MoveIn()).why)


@router.post("/{incident_id}/resolve", response_model_by_alias=True)
async def resolve(
    incident_id: RowId, admin: AdminUser, desk: DeskDep, body: MoveIn | None = None
) -> IncidentOut:
    """The incident is over."""
    return await _move(desk, admin, incident_id, IncidentStatus.RESOLVED, (body or MoveIn()).why)


@router.post("/{incident_id}/notes", status_code=201, response_model_by_alias=True)
async def add_note(incident_id: RowId, body: NoteIn, admin: AdminUser, desk: DeskDep) -> EntryOut:
    """A note (internal) or a status update (`public: true`, shown on the status page)."""
    async with desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=incident_id)
        entry = await incidents.note(
            session=session,
            incident=incident,
            text=body.text,
            by=actor(admin),
            now=desk.now(),
            public=body.public,
        )
    return EntryOut.of(entry)


@router.post("/{incident_id}/links", status_code=201, response_model_by_alias=True)
async def add_link(incident_id: RowId, body: LinkIn, admin: AdminUser, desk: DeskDep) -> EntryOut:
    """Link evidence (a dashboard, a ticket) to the incident."""
    async with desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=incident_id)
        entry = await incidents.link(
            session=session,
            incident=incident,
            url=body.url,
            title=body.title,
            by=actor(admin),
            now=desk.now(),
        )
    return EntryOut.of(entry)


@router.put("/{incident_id}/roles", response_model_by_alias=True)
async def assign_role(
    incident_id: RowId, body: RoleIn, admin: AdminUser, desk: DeskDep
) -> IncidentOut:
    """Give someone a role (commander, communications, scribe, operations)."""
    async with desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=incident_id)
        await incidents.assign(
            session=session,
            incident=incident,
            role=body.role,
            person=body.person,
            by=actor(admin),
            now=desk.now(),
        )
    return await _show(desk, incident_id)


@router.post("/{incident_id}/report", response_model_by_alias=True)
async def write_report(incident_id: RowId, _admin: AdminUser, desk: DeskDep) -> ReportOut:
    """Draft the postmortem from measured facts; a resolved incident becomes
    `postmortem_written`. The caller saves the Markdown as `incident-N.md`."""
    report = await desk.draft(incident_id, finish=True)
    async with desk.db.reader() as session:
        status = (await incidents.get(session=session, incident_id=incident_id)).status
    return ReportOut(
        incident_id=incident_id,
        file_name=f"incident-{incident_id}.md",
        markdown=render(report),
        status=status,
    )


@router.get("/{incident_id}/report.md", response_class=PlainTextResponse)
async def report_markdown(incident_id: RowId, _admin: AdminUser, desk: DeskDep) -> str:
    """The postmortem draft as Markdown (changes nothing)."""
    return render(await desk.draft(incident_id, finish=False))


@router.get("/{incident_id}/report.html", response_class=HTMLResponse)
async def report_html(incident_id: RowId, _admin: AdminUser, desk: DeskDep) -> str:
    """The postmortem draft as HTML, with the key metric's chart (changes nothing)."""
    report = await desk.draft(incident_id, finish=False)
    metric = desk.settings.chart_metric
    return reports.html(report, desk.samples, metric, desk.now())
