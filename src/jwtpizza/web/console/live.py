"""What keeps a responder's console current: the open pages (for the banner, the browser
notification and the sound), acknowledging a page, and the live log tail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Query
from starlette.responses import JSONResponse, Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.logs import log_rows
from jwtpizza.web.console.page import AdminPage, console_router
from jwtpizza.web.console.session import safe_next

router = console_router()
TAIL_LINES = 15


async def open_pages(page: AdminPage) -> list[dict[str, Any]]:
    """Pages that still ring or are being handled, newest first."""
    found: list[dict[str, Any]] = await page.api.get("/api/ops/pages", limit=20)
    return [p for p in found if p["status"] in ("triggered", "acknowledged")]


@router.get("/pages/open.json")
async def pages_json(page: AdminPage) -> Response:
    """The open pages, for the script that notifies of a new one."""
    shown = ("id", "title", "status", "createdAt")
    return JSONResponse([{k: p.get(k) for k in shown} for p in await open_pages(page)])


@router.post("/pages/{page_id}/ack")
async def ack_page(
    page: AdminPage, page_id: int, next_: Annotated[str, Form(alias="next")] = "/"
) -> Response:
    """Acknowledge a page as the signed-in admin: its escalation stops."""
    try:
        await page.api.post(f"/api/ops/pages/{page_id}/ack")
    except ApiError as error:
        return page.render("problem.html", title="Sorry", text=error.message, status=error.status)
    return page.redirect(safe_next(next_))


@router.get("/logs/tail")
async def tail(
    page: AdminPage,
    component: Annotated[str, Query(pattern="^(service|factory)$")] = "service",
) -> Response:
    """The newest log lines of a component (the fragment the log page polls); a refusal
    shows in the pane."""
    try:
        answer = await page.api.get(
            f"/api/ops/components/{component}/logs", since="5m", limit=TAIL_LINES
        )
    except ApiError as error:
        return page.render("tail.html", records=[], component=component, problem=error.message)
    return page.render("tail.html", records=log_rows(answer), component=component, problem="")
