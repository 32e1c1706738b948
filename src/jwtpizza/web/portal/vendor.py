"""Vendor login by emailed code, and the vendor dashboard's four panels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.forms import clear_session, field_errors, set_session
from jwtpizza.web.portal.page import PortalDep, PortalPage, portal_router

router = portal_router()
DETAILS = ("name", "email", "phone", "website", "gitHubUrl")
PURPOSE = "penetrationTest"
SCHEDULES = {  # the choices offered for "Initiate chaos", as the factory's API takes them
    "next-day": ("Tomorrow, at a random time in working hours (as the course does)", {}),
    "within": ("Within the next 5 minutes", {"withinSeconds": 300}),
    "now": ("Right now", {"start": "now"}),
}
CHAOS_TYPES = ("fail", "throttle", "badjwt", "outage", "flaky", "auth", "ratelimit")


def masked(email: str) -> str:
    user, _, domain = email.partition("@")
    return f"{user[:3]}…@{domain}"


def complete(vendor: dict[str, Any]) -> bool:
    return all(vendor.get(field) for field in DETAILS)


def dashboard(page: PortalPage, *, status: int = 200, **values: Any) -> Response:
    assert page.vendor is not None
    values.setdefault("errors", {})
    values.setdefault("values", page.vendor)
    return page.render(
        "dashboard.html",
        status=status,
        complete=complete(page.vendor),
        schedules=SCHEDULES,
        chaos_types=CHAOS_TYPES,
        purpose=PURPOSE,
        **values,
    )


@router.get("/")
async def home(page: PortalDep) -> Response:
    """Pizza Vendor Dashboard, or the code login."""
    if page.vendor is None:
        return page.render("login.html", step="id", values={}, errors={})
    return dashboard(page)


async def send_code(page: PortalPage, vendor_id: str, *, show_email: bool = False) -> Response:
    """Mail a login code; the page names the address masked, or whole to a vendor that just
    signed up (its own derived address)."""
    sent = await page.api.post("/api/vendor/code", {"id": vendor_id})
    email = sent["email"] if show_email else masked(sent["email"])
    return page.render("login.html", step="code", values={"id": vendor_id}, errors={}, email=email)


@router.post("/login/code")
async def get_code(page: PortalDep, vendor_id: Annotated[str, Form(alias="id")] = "") -> Response:
    """Get code: email a login code, or offer to create the vendor account."""
    vendor_id = vendor_id.strip()
    if not vendor_id:
        return page.render(
            "login.html", step="id", status=400, values={}, errors={"id": "Net ID is required"}
        )
    try:
        return await send_code(page, vendor_id)
    except ApiError as error:
        if error.status == 404:
            return page.render("login.html", step="create", values={"id": vendor_id}, errors={})
        return page.render(
            "login.html",
            step="id",
            status=error.status,
            values={"id": vendor_id},
            errors={"id": error.message},
        )


@router.post("/login/create")
async def create_vendor(
    page: PortalDep,
    vendor_id: Annotated[str, Form(alias="id")] = "",
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    github_url: Annotated[str, Form(alias="gitHubUrl")] = "",
    website: Annotated[str, Form()] = "",
) -> Response:
    """Create Vendor Account, then send its first code. The email is not asked: the factory
    derives it from the id (`<id>@<its vendor email domain>`) and sends the code there."""
    values = {
        "id": vendor_id,
        "name": name,
        "phone": phone,
        "gitHubUrl": github_url,
        "website": website,
    }
    missing = {k: f"{k} is required" for k, v in values.items() if not v.strip()}
    if missing:
        return page.render("login.html", step="create", status=400, values=values, errors=missing)
    try:
        await page.api.post("/api/vendor", values)
        return await send_code(page, vendor_id, show_email=True)
    except ApiError as error:
        errors = field_errors(error.message, tuple(values), "id")
        return page.render(
            "login.html", step="create", status=error.status, values=values, errors=errors
        )


@router.post("/login/validate")
async def validate_code(
    page: PortalDep,
    vendor_id: Annotated[str, Form(alias="id")] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    """Validate code: the vendor's API key becomes this browser's session."""
    try:
        vendor = await page.api.post("/api/vendor/auth", {"id": vendor_id, "code": code})
    except ApiError as error:
        return page.render(
            "login.html",
            step="code",
            status=error.status,
            values={"id": vendor_id},
            errors={"code": error.message},
            email=None,
        )
    response = page.redirect("/")
    set_session(page.request, response, vendor["apiKey"])
    return response


@router.post("/logout")
async def logout(page: PortalDep) -> Response:
    """Forget the API key in this browser."""
    response = page.redirect("/")
    clear_session(page.request, response)
    return response


@router.post("/vendor")
async def update_details(
    page: PortalDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
    github_url: Annotated[str, Form(alias="gitHubUrl")] = "",
) -> Response:
    """Update your vendor details."""
    if page.vendor is None:
        return page.redirect("/")
    values = {
        "name": name,
        "email": email,
        "phone": phone,
        "website": website,
        "gitHubUrl": github_url,
    }
    try:
        page.vendor = await page.api.put("/api/vendor", {"id": page.vendor["id"], **values})
    except ApiError as error:
        errors = field_errors(error.message, DETAILS, "name")
        return dashboard(page, status=error.status, values=values, errors=errors)
    return page.redirect("/")


@router.post("/chaos")
async def initiate_chaos(
    page: PortalDep,
    schedule: Annotated[str, Form()] = "next-day",
    chaos_type: Annotated[str, Form(alias="type")] = "fail",
) -> Response:
    """Initiate chaos of a type, on the chosen schedule."""
    if page.vendor is None:
        return page.redirect("/")
    body = SCHEDULES.get(schedule, SCHEDULES["next-day"])[1]
    try:
        await page.api.put(f"/api/vendor/chaos/{chaos_type}", body or None)
    except ApiError as error:
        return dashboard(page, status=error.status, chaos_problem=error.message)
    return page.redirect("/")


@router.post("/partner")
async def request_partner(page: PortalDep) -> Response:
    """Request a pen-test partner."""
    if page.vendor is None:
        return page.redirect("/")
    await page.api.post("/api/vendor/connect", {"purpose": PURPOSE})
    return page.redirect("/")


@router.post("/partner/rating")
async def rate_partner(page: PortalDep, rating: Annotated[int, Form(ge=1, le=5)]) -> Response:
    """Rate your pen-test partner."""
    if page.vendor is None:
        return page.redirect("/")
    partner = page.vendor["connections"].get(PURPOSE, {})
    await page.api.put(
        "/api/vendor/connect", {"id": partner.get("id"), "purpose": PURPOSE, "rating": rating}
    )
    return page.redirect("/")


@router.post("/badge")
async def make_badge(
    page: PortalDep,
    name: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "Coverage",
    value: Annotated[str, Form()] = "0.00%",
    color: Annotated[str, Form()] = "#ee0000",
) -> Response:
    """Badge demo: generate one of your badges and show it."""
    if page.vendor is None:
        return page.redirect("/")
    badge = {"name": name, "label": label, "value": value, "color": color}
    try:
        made = await page.api.call(
            "POST",
            f"/api/badge/{page.vendor['id']}/{name}",
            params={"label": label, "value": value, "color": color},
        )
    except ApiError as error:
        return dashboard(page, status=error.status, badge=badge, badge_problem=error.message)
    return dashboard(page, badge=badge, badge_url=made.body["url"])
