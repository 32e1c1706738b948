"""Alerts with their state and history; silences (list, add, expire)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import AdminPage, ConsolePage, console_router

router = console_router()


async def alerts_page(
    page: ConsolePage, *, status: int = 200, problem: str = "", values: dict[str, str] | None = None
) -> Response:
    answer = await page.api.get("/api/ops/alerts", limit=50)
    silences = await page.api.get("/api/ops/silences")
    return page.render(
        "alerts.html",
        title="Alerts",
        status=status,
        alerts=answer["alerts"],
        history=answer["history"],
        silences=silences,
        problem=problem,
        values=values or {},
    )


@router.get("/alerts")
async def alerts(page: AdminPage) -> Response:
    return await alerts_page(page)


@router.post("/silences")
async def add_silence(
    page: AdminPage,
    matchers: Annotated[str, Form()] = "",
    minutes: Annotated[str, Form()] = "60",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """A silence of matchers (`alertname="X"`, comma separated) for some minutes."""
    values = {"matchers": matchers, "minutes": minutes, "comment": comment}
    parts = [p.strip() for p in matchers.split(",") if p.strip()]
    if not parts:
        return await alerts_page(page, status=400, problem="matchers are required", values=values)
    try:
        seconds = float(minutes) * 60
    except ValueError:
        return await alerts_page(
            page, status=400, problem="minutes must be a number", values=values
        )
    body = {"matchers": parts, "durationSeconds": seconds, "comment": comment}
    try:
        await page.api.post("/api/ops/silences", body)
    except ApiError as error:
        return await alerts_page(page, status=error.status, problem=error.message, values=values)
    return page.redirect("/alerts")


@router.post("/silences/{silence_id}/expire")
async def expire_silence(page: AdminPage, silence_id: int) -> Response:
    await page.api.delete(f"/api/ops/silences/{silence_id}")
    return page.redirect("/alerts")
