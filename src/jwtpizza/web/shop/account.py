"""Login, register and logout; each comes back to the page it was reached from."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

from fastapi import Form
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.forms import clear_session, field_errors, set_session
from jwtpizza.web.shop.page import Page, PageDep, shop_router

router = shop_router()
# The pages a login or register may sit under (`/payment/login` returns to `/payment`).
PARENTS = ("", "/payment", "/franchise-dashboard", "/diner-dashboard", "/admin-dashboard", "/menu")


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def signed_in(page: Page, token: str) -> Response:
    response = page.redirect(parent_of(page.request.url.path))
    set_session(page.request, response, token)
    return response


def login_page(page: PageDep) -> Response:
    """Welcome back."""
    return page.render("login.html", values={}, errors={})


async def login(
    page: PageDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Log in through the API and keep its token in the session cookie."""
    try:
        body = await page.api.put("/api/auth", {"email": email, "password": password})
    except ApiError as error:
        errors = field_errors(error.message, ("email", "password"), "password")
        return page.render(
            "login.html", status=error.status, values={"email": email}, errors=errors
        )
    return signed_in(page, body["token"])


def register_page(page: PageDep) -> Response:
    """Welcome to the party."""
    return page.render("register.html", values={}, errors={})


async def register(
    page: PageDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Register through the API; the new diner is logged in."""
    try:
        body = await page.api.post(
            "/api/auth", {"name": name, "email": email, "password": password}
        )
    except ApiError as error:
        errors = field_errors(error.message, ("name", "email", "password"), "name")
        return page.render(
            "register.html",
            status=error.status,
            values={"name": name, "email": email},
            errors=errors,
        )
    return signed_in(page, body["token"])


for parent in PARENTS:
    router.add_api_route(f"{parent}/login", login_page, methods=["GET"])
    router.add_api_route(f"{parent}/login", login, methods=["POST"])
    router.add_api_route(f"{parent}/register", register_page, methods=["GET"])
    router.add_api_route(f"{parent}/register", register, methods=["POST"])


@router.get("/logout")
async def logout_page(page: PageDep) -> Response:
    """Logout."""
    return page.render("logout.html")


@router.post("/logout")
async def logout(page: PageDep) -> Response:
    """Revoke the token at the API, forget the cookie, and go home."""
    if page.user is not None:
        with suppress(ApiError):  # the token is gone either way; the cookie goes next
            await page.api.delete("/api/auth")
    response = page.redirect("/")
    clear_session(page.request, response)
    return response
