"""The diner's, the franchisee's and the admin's dashboards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Query
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.forms import field_errors, set_session
from jwtpizza.web.shop.page import Page, PageDep, shop_router

router = shop_router()
FRANCHISE_PAGE_SIZE = 3
USER_PAGE_SIZE = 10


def role_names(roles: list[dict[str, Any]]) -> list[str]:
    return [
        f"Franchisee on {r.get('objectId')}" if r["role"] == "franchisee" else r["role"]
        for r in roles
    ]


async def diner_view(page: Page, *, status: int = 200, **values: Any) -> Response:
    history = await page.api.get("/api/order", page=1)
    orders = [
        {**o, "total": round(sum(float(i["price"]) for i in o["items"]), 8)}
        for o in history["orders"]
    ]
    assert page.user is not None
    values.setdefault("errors", {})
    values.setdefault("values", {"name": page.user.name, "email": page.user.email})
    return page.render(
        "diner_dashboard.html",
        status=status,
        orders=orders,
        roles=role_names(page.user.roles),
        **values,
    )


@router.get("/diner-dashboard")
async def diner_dashboard(page: PageDep) -> Response:
    """Your pizza kitchen."""
    if page.user is None:
        return page.to_login()
    return await diner_view(page)


def profile_errors(message: str) -> dict[str, str]:
    """The API's message next to its field; the current-password ones name `currentPassword`."""
    if message.lower().startswith(("currentpassword", "current password")):
        return {"current_password": message}
    return field_errors(message, ("name", "email", "password"), "name")


@router.post("/diner-dashboard/edit")
async def edit_profile(
    page: PageDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    current_password: Annotated[str, Form()] = "",
) -> Response:
    """Update your name, email or password (an empty password keeps the old one); a new
    email or password needs your current password, as the API asks."""
    if page.user is None:
        return page.redirect("/diner-dashboard/login")
    change: dict[str, str] = {"name": name}
    if email != page.user.email:
        change["email"] = email
    if password:
        change["password"] = password
    if current_password:
        change["currentPassword"] = current_password
    try:
        body = await page.api.put(f"/api/user/{page.user.id}", change)
    except ApiError as error:
        return await diner_view(
            page,
            status=error.status,
            errors=profile_errors(error.message),
            editing=True,
            values={"name": name, "email": email},
        )
    response = page.redirect("/diner-dashboard")
    if body.get("token"):
        set_session(page.request, response, body["token"])
    return response


@router.get("/franchise-dashboard")
async def franchise_dashboard(page: PageDep) -> Response:
    """Your franchise's stores and revenue, or the pitch to become a franchisee."""
    franchises: list[dict[str, Any]] = []
    if page.user is not None:
        franchises = await page.api.get(f"/api/franchise/{page.user.id}")
    if not franchises:
        return page.render("franchise_pitch.html")
    return page.render("franchise_dashboard.html", franchise=franchises[0])


def wildcard(text: str) -> str:
    return f"*{text.strip()}*" if text.strip() else "*"


@router.get("/admin-dashboard")
async def admin_dashboard(
    page: PageDep,
    fpage: Annotated[int, Query(ge=0, le=100_000)] = 0,
    franchise: Annotated[str, Query(max_length=100)] = "",
    upage: Annotated[int, Query(ge=1, le=100_000)] = 1,
    user: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Mama Ricci's kitchen: franchises and users, each paged and filtered."""
    admin = page.admin_only()
    franchises = await page.api.get(
        "/api/franchise", page=fpage, limit=FRANCHISE_PAGE_SIZE, name=wildcard(franchise)
    )
    users = await page.api.get("/api/user", page=upage, limit=USER_PAGE_SIZE, name=wildcard(user))
    template = (
        "users_panel.html"
        if page.request.headers.get("hx-target") == "users"
        else ("admin_dashboard.html")
    )
    return page.render(
        template,
        franchises=franchises,
        users=users,
        fpage=fpage,
        upage=upage,
        franchise_filter=franchise,
        user_filter=user,
        me=admin,
        problem=None,
    )


@router.post("/admin-dashboard/delete-user")
async def delete_user(page: PageDep, user_id: Annotated[int, Form()]) -> Response:
    """Delete a user (admin)."""
    page.admin_only()
    try:
        await page.api.delete(f"/api/user/{user_id}")
    except ApiError as error:
        return page.render(
            "problem.html", status=error.status, title="Mama Ricci's kitchen", text=error.message
        )
    return page.redirect("/admin-dashboard")
