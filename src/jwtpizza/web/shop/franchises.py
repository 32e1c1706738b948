"""Create and close franchises (admins) and stores (admins and the franchise's franchisees)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.forms import field_errors
from jwtpizza.web.shop.page import Page, PageDep, shop_router

router = shop_router()
DASHBOARDS = ("/admin-dashboard", "/franchise-dashboard")
IdQuery = Annotated[int, Query(ge=1, le=2_147_483_647)]
IdForm = Annotated[int, Form(ge=1, le=2_147_483_647)]


def back(page: Page) -> str:
    return page.request.url.path.rsplit("/", 1)[0] or "/"


def create_franchise_page(page: PageDep) -> Response:
    """Create franchise."""
    page.admin_only()
    return page.render("create_franchise.html", values={}, errors={})


async def create_franchise(
    page: PageDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> Response:
    page.admin_only()
    try:
        await page.api.post("/api/franchise", {"name": name, "admins": [{"email": email}]})
    except ApiError as error:
        errors = field_errors(error.message, ("name", "email", "admin"), "name")
        errors = {("email" if k == "admin" else k): v for k, v in errors.items()}
        return page.render(
            "create_franchise.html",
            status=error.status,
            values={"name": name, "email": email},
            errors=errors,
        )
    return page.redirect(back(page))


def close_franchise_page(page: PageDep, franchise: IdQuery, name: str = "") -> Response:
    """Sorry to see you go."""
    page.admin_only()
    return page.render("close.html", what="franchise", name=name, ids={"franchise": franchise})


async def close_franchise(page: PageDep, franchise: IdForm) -> Response:
    page.admin_only()
    await page.api.delete(f"/api/franchise/{franchise}")
    return page.redirect(back(page))


def create_store_page(page: PageDep, franchise: IdQuery) -> Response:
    """Create store."""
    if page.user is None:
        return page.to_login()
    return page.render("create_store.html", franchise=franchise, values={}, errors={})


async def create_store(
    page: PageDep, franchise: IdForm, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        await page.api.post(f"/api/franchise/{franchise}/store", {"name": name})
    except ApiError as error:
        return page.render(
            "create_store.html",
            status=error.status,
            franchise=franchise,
            values={"name": name},
            errors={"name": error.message},
        )
    return page.redirect(back(page))


def close_store_page(page: PageDep, franchise: IdQuery, store: IdQuery, name: str = "") -> Response:
    """Sorry to see you go."""
    return page.render(
        "close.html", what="store", name=name, ids={"franchise": franchise, "store": store}
    )


async def close_store(page: PageDep, franchise: IdForm, store: IdForm) -> Response:
    await page.api.delete(f"/api/franchise/{franchise}/store/{store}")
    return page.redirect(back(page))


for dashboard in DASHBOARDS:
    for path, show, act in (
        ("create-franchise", create_franchise_page, create_franchise),
        ("close-franchise", close_franchise_page, close_franchise),
        ("create-store", create_store_page, create_store),
        ("close-store", close_store_page, close_store),
    ):
        router.add_api_route(f"{dashboard}/{path}", show, methods=["GET"])
        router.add_api_route(f"{dashboard}/{path}", act, methods=["POST"])
