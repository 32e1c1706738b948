"""Incidents: the list, one incident's live timeline and actions, and its postmortem."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from jwtpizza.edge import SAME_ORIGIN_FRAME_HEADERS
from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import AdminPage, ConsolePage, console_router
from jwtpizza.web.problems import PageRefused

router = console_router()
ACTIONS = {"ack": "Acknowledge", "mitigate": "Mitigated", "resolve": "Resolve"}


@router.get("/incidents")
async def incident_list(page: AdminPage) -> Response:
    incidents = await page.api.get("/api/ops/incidents")
    return page.render("incidents.html", title="Incidents", incidents=incidents)


async def incident_page(
    page: ConsolePage, incident_id: int, *, status: int = 200, problem: str = ""
) -> Response:
    incident = await page.api.get(f"/api/ops/incidents/{incident_id}")
    return page.render(
        "incident.html", title=f"Incident #{incident_id}", incident=incident, status=status,
        problem=problem, actions=ACTIONS,
    )  # fmt: skip


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


@router.get("/incidents/{incident_id}/postmortem.md")
async def postmortem_markdown(page: AdminPage, incident_id: int) -> Response:
    markdown = await page.api.get(f"/api/ops/incidents/{incident_id}/report.md")
    name = f"incident-{incident_id}.md"
    return PlainTextResponse(
        markdown,
        media_type="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
