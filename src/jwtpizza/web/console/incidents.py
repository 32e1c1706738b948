"""Incidents: the list, one incident's live timeline and actions, and its postmortem."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from jwtpizza.http.headers import SAME_ORIGIN_FRAME_HEADERS
from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import AdminPage, ConsolePage, console_router
from jwtpizza.web.forms import check_csrf
from jwtpizza.web.problems import PageRefused

router = console_router()
# Downloads: a browser fetching a link with `download` does not say it accepts HTML, so
# these routes match any request (they still need the admin's session cookie).
downloads = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
ACTIONS = {"ack": "Acknowledge", "mitigate": "Mitigated", "resolve": "Resolve"}
SEVERITIES = ("critical", "high", "moderate", "low")


async def incidents_page(
    page: ConsolePage, *, status: int = 200, problem: str = "", values: dict[str, str] | None = None
) -> Response:
    incidents = await page.api.get("/api/ops/incidents")
    return page.render(
        "incidents.html",
        title="Incidents",
        incidents=incidents,
        status=status,
        problem=problem,
        severities=SEVERITIES,
        values=values or {},
    )


@router.get("/incidents")
async def incident_list(page: AdminPage) -> Response:
    return await incidents_page(page)


@router.post("/incidents")
async def declare(
    page: AdminPage,
    title: Annotated[str, Form()] = "",
    severity: Annotated[str, Form()] = "high",
) -> Response:
    """Declare an incident by hand (the alert that paged may not have declared one)."""
    values = {"title": title, "severity": severity}
    if not title.strip():
        return await incidents_page(page, status=400, problem="title is required", values=values)
    try:
        made = await page.api.post(
            "/api/ops/incidents", {"title": title.strip(), "severity": severity}
        )
    except ApiError as error:
        return await incidents_page(page, status=error.status, problem=error.message, values=values)
    return page.redirect(f"/incidents/{made['id']}")


async def incident_page(
    page: ConsolePage, incident_id: int, *, status: int = 200, problem: str = ""
) -> Response:
    incident = await page.api.get(f"/api/ops/incidents/{incident_id}")
    return page.render(
        "incident.html",
        title=f"Incident #{incident_id}",
        incident=incident,
        status=status,
        problem=problem,
        actions=ACTIONS,
    )


@router.get("/incidents/{incident_id}")
async def incident(page: AdminPage, incident_id: int) -> Response:
    """The incident with its live timeline (the page refreshes its timeline every 5 s)."""
    return await incident_page(page, incident_id)


@router.get("/incidents/{incident_id}/timeline")
async def timeline(page: AdminPage, incident_id: int) -> Response:
    """The timeline fragment htmx polls."""
    incident = await page.api.get(f"/api/ops/incidents/{incident_id}")
    return page.render("timeline.html", incident=incident)


@router.post("/incidents/{incident_id}/notes")
async def add_note(
    page: AdminPage, incident_id: int, text: Annotated[str, Form()] = ""
) -> Response:
    if not text.strip():
        return await incident_page(page, incident_id, status=400, problem="a note needs text")
    try:
        await page.api.post(f"/api/ops/incidents/{incident_id}/notes", {"text": text.strip()})
    except ApiError as error:
        return await incident_page(page, incident_id, status=error.status, problem=error.message)
    return page.redirect(f"/incidents/{incident_id}")


@router.post("/incidents/{incident_id}/{action}")
async def act(
    page: AdminPage, incident_id: int, action: str, why: Annotated[str, Form()] = ""
) -> Response:
    """Acknowledge, mark mitigated, or resolve."""
    if action not in ACTIONS:
        raise PageRefused(404, "Oops", "There is no such incident action.")
    body = None if action == "ack" else {"why": why}
    try:
        await page.api.post(f"/api/ops/incidents/{incident_id}/{action}", body)
    except ApiError as error:
        return await incident_page(page, incident_id, status=error.status, problem=error.message)
    return page.redirect(f"/incidents/{incident_id}")


@router.get("/incidents/{incident_id}/postmortem")
async def postmortem(page: AdminPage, incident_id: int) -> Response:
    """The postmortem draft, rendered, with its Markdown to download."""
    incident = await page.api.get(f"/api/ops/incidents/{incident_id}")
    return page.render(
        "postmortem.html", title=f"Postmortem of incident #{incident_id}", incident=incident
    )


@router.get("/incidents/{incident_id}/postmortem.html")
async def postmortem_html(page: AdminPage, incident_id: int) -> Response:
    html = await page.api.get(f"/api/ops/incidents/{incident_id}/report.html")
    return HTMLResponse(html, headers=SAME_ORIGIN_FRAME_HEADERS)  # shown in the page's frame


@downloads.get("/incidents/{incident_id}/postmortem.md")
async def postmortem_markdown(page: AdminPage, incident_id: int) -> Response:
    markdown = await page.api.get(f"/api/ops/incidents/{incident_id}/report.md")
    name = f"incident-{incident_id}.md"
    return PlainTextResponse(
        markdown,
        media_type="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
