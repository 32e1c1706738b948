"""On call (the schedule, who is paged) and chaos control through the factory's admin API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import AdminPage, ConsolePage, console_router

router = console_router()
CHAOS_TYPES = ("fail", "throttle", "badjwt", "outage", "flaky", "auth", "ratelimit")
SCHEDULES: dict[str, tuple[str, dict[str, Any]]] = {
    "now": ("Right now", {"start": "now"}),
    "within": ("Within the next 5 minutes", {"withinSeconds": 300}),
    "next-day": ("Tomorrow, at a random time in working hours", {}),
}


@router.get("/oncall")
async def oncall(page: AdminPage) -> Response:
    """Who is on call, the coming handoffs, escalation policies, and the pages sent."""
    schedule = await page.api.get("/api/ops/oncall")
    pages = await page.api.get("/api/ops/pages", limit=20)
    for sent in pages:
        detail = await page.api.get(f"/api/ops/pages/{sent['id']}")
        sent["paged"] = sorted({n["target"] for n in detail.get("notifications", [])})
    return page.render("oncall.html", title="On call", schedule=schedule, pages=pages)


def unrevealed(fault: dict[str, Any]) -> dict[str, Any]:
    """A fault as the page shows it: a scheduled one is a surprise, so neither its type nor
    its start shows until it starts (the responder may be the one looking)."""
    if fault.get("state") != "scheduled":
        return fault
    return {**fault, "type": "surprise", "startDate": None, "surprise": True}


async def chaos_page(
    page: ConsolePage, *, status: int = 200, problem: str = "", values: dict[str, str] | None = None
) -> Response:
    try:
        faults = [unrevealed(f) for f in await page.api.get("/api/ops/chaos")]
    except ApiError as error:
        faults, problem = [], problem or error.message
    return page.render(
        "chaos.html",
        title="Chaos control",
        status=status,
        faults=faults,
        problem=problem,
        types=CHAOS_TYPES,
        schedules=SCHEDULES,
        values=values or {},
    )


@router.get("/chaos")
async def chaos(page: AdminPage) -> Response:
    return await chaos_page(page)


@router.post("/chaos")
async def start_chaos(
    page: AdminPage,
    vendor: Annotated[str, Form()] = "",
    chaos_type: Annotated[str, Form(alias="type")] = "fail",
    schedule: Annotated[str, Form()] = "now",
    minutes: Annotated[str, Form()] = "",
) -> Response:
    """Start or schedule a fault for a vendor."""
    values = {"vendor": vendor, "type": chaos_type, "schedule": schedule, "minutes": minutes}
    if not vendor.strip():
        return await chaos_page(page, status=400, problem="vendor is required", values=values)
    body = dict(SCHEDULES.get(schedule, SCHEDULES["now"])[1])
    if minutes.strip():
        try:
            body["durationSeconds"] = float(minutes) * 60
        except ValueError:
            return await chaos_page(
                page, status=400, problem="minutes must be a number", values=values
            )
    try:
        await page.api.put(f"/api/ops/chaos/{vendor.strip()}/{chaos_type}", body)
    except ApiError as error:
        return await chaos_page(page, status=error.status, problem=error.message, values=values)
    return page.redirect("/chaos")


@router.post("/chaos/{vendor_id}/stop")
async def stop_chaos(page: AdminPage, vendor_id: str) -> Response:
    try:
        await page.api.delete(f"/api/ops/chaos/{vendor_id}")
    except ApiError as error:
        return await chaos_page(page, status=error.status, problem=error.message)
    return page.redirect("/chaos")
