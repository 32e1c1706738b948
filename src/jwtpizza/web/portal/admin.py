"""Pizza Admin Dashboard: every vendor (filterable) and the class scoreboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from jwtpizza.web.portal.page import PortalDep, portal_router

router = portal_router()


@router.get("/admin")
async def admin_dashboard(
    page: PortalDep,
    text: Annotated[str, Query(alias="filter", max_length=100)] = "",
) -> Response:
    """Vendors by name or id, and each vendor's time to resolve chaos."""
    page.admin_only()
    vendors = await page.api.get("/api/admin/vendors")
    wanted = text.strip().lower()
    shown = [v for v in vendors if wanted in f"{v.get('id')} {v.get('name') or ''}".lower()]
    scoreboard = await page.api.get("/api/chaos/scoreboard")
    return page.render("admin.html", vendors=shown, scoreboard=scoreboard, filter=text)
