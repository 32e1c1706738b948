"""The page an acknowledge link opens: what the page is about and a button that acknowledges
it by POST. Opening the link changes nothing, so a link previewer or a mail scanner that
fetches it cannot stop an escalation. No sign-in: the link itself is the credential."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import ConsoleDep, ConsolePage, console_router

router = console_router()


def refused(page: ConsolePage, error: ApiError) -> Response:
    return page.render(
        "ack.html",
        title="Acknowledge a page",
        status=error.status,
        problem=error.message,
        linked=None,
        acked=None,
    )


@router.get("/api/ops/ack/{token}")
async def ack_page(page: ConsoleDep, token: str) -> Response:
    """The page behind the link, with the Acknowledge button."""
    try:
        linked: dict[str, Any] = await page.api.get(f"/api/ops/ack/{token}")
    except ApiError as error:
        return refused(page, error)
    return page.render(
        "ack.html",
        title="Acknowledge a page",
        linked=linked,
        acked=None,
        problem="",
        action=page.request.url.path,
    )


@router.post("/api/ops/ack/{token}")
async def ack(page: ConsoleDep, token: str) -> Response:
    """The button: acknowledge once, then say so."""
    try:
        acked: dict[str, Any] = await page.api.post(f"/api/ops/ack/{token}")
    except ApiError as error:
        return refused(page, error)
    return page.render("ack.html", title="Page acknowledged", linked=None, acked=acked, problem="")
