"""Action items in the console: the list with overdue ones marked, adding, marking done,
exports, and an incident's own items (loaded into the incident page, where ops' draft's
items can be tracked)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from starlette.responses import PlainTextResponse, Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import AdminPage, ConsolePage, console_router

router = console_router()
EXPORTS = {"csv": "text/csv", "md": "text/markdown"}


async def action_list(
    page: ConsolePage, *, status: int = 200, problem: str = "", show: str = ""
) -> Response:
    params = {"status": show} if show in ("open", "done") else {}
    items = await page.api.get("/api/ops/actions", **params)
    return page.render(
        "actions.html", title="Action items", items=items, status=status, problem=problem, show=show
    )


@router.get("/actions")
async def actions(page: AdminPage, status: str = "") -> Response:
    return await action_list(page, show=status)


@router.post("/actions")
async def add(
    page: AdminPage,
    title: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    priority: Annotated[str, Form()] = "medium",
    link: Annotated[str, Form()] = "",
    incident: Annotated[str, Form()] = "",
) -> Response:
    if not title.strip():
        return await action_list(page, status=400, problem="an action item needs a title")
    if incident.strip() and not incident.strip().isdigit():
        return await action_list(page, status=400, problem="the incident is a number")
    body: dict[str, Any] = {
        "title": title.strip(),
        "owner": owner.strip() or None,
        "due": due or None,
        "priority": priority,
        "link": link.strip() or None,
        "incident": int(incident) if incident.strip() else None,
    }
    try:
        await page.api.post("/api/ops/actions", body)
    except ApiError as error:
        return await action_list(page, status=error.status, problem=error.message)
    return page.redirect("/actions")


@router.post("/actions/{item_id}/done")
async def done(page: AdminPage, item_id: int) -> Response:
    try:
        await page.api.post(f"/api/ops/actions/{item_id}/done")
    except ApiError as error:
        return await action_list(page, status=error.status, problem=error.message)
    return page.redirect("/actions")


@router.get("/actions.{kind}")
async def export(page: AdminPage, kind: str) -> Response:
    if kind not in EXPORTS:
        return await action_list(page, status=404, problem="exports are .csv and .md")
    text = await page.api.get(f"/api/ops/actions.{kind}")
    name = f"action-items.{kind}"
    return PlainTextResponse(
        text or "",
        media_type=EXPORTS[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/incidents/{incident_id}/actions")
async def incident_items(page: AdminPage, incident_id: int) -> Response:
    """The incident's action items (a fragment the incident page loads), overdue first."""
    items = await page.api.get("/api/ops/actions", incident=incident_id)
    items.sort(key=lambda i: (not i["overdue"], i["status"] != "open", i["id"]))
    return page.render("incident_actions.html", items=items, incident_id=incident_id)


@router.post("/incidents/{incident_id}/actions/from-draft")
async def from_draft(page: AdminPage, incident_id: int) -> Response:
    """Track the action items ops' draft derives from the incident's measured gaps."""
    try:
        await page.api.post("/api/ops/actions/from-draft", {"incident": incident_id})
    except ApiError as error:
        return await action_list(page, status=error.status, problem=error.message)
    return page.redirect(f"/incidents/{incident_id}")
