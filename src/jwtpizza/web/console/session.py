"""Sign in with the service's admin email and password; the token becomes the session."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import Form, Query
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.console.page import ConsoleDep, console_router
from jwtpizza.web.forms import clear_session, set_session

router = console_router()


def safe_next(target: str) -> str:
    """Only a path of this site (no `//host`), so a link cannot send a person elsewhere."""
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    return target if local else "/"


@router.get("/login")
async def login_form(
    page: ConsoleDep, next_: Annotated[str, Query(alias="next", max_length=200)] = "/"
) -> Response:
    """The sign-in form (an admin who is signed in goes on)."""
    if page.admin is not None:
        return page.redirect(safe_next(next_))
    return page.render("login.html", title="Sign in", values={}, errors={}, next=next_)


@router.post("/login")
async def login(
    page: ConsoleDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Log in through the service's API; only an admin's token is kept."""
    values = {"email": email}

    def refused(status: int, field: str, message: str) -> Response:
        return page.render(
            "login.html",
            title="Sign in",
            status=status,
            values=values,
            errors={field: message},
            next=next_,
        )

    if not email.strip():
        return refused(400, "email", "email is required")
    if not password:
        return refused(400, "password", "password is required")
    status, body = await page.request.app.state.console_login(email.strip(), password)
    if status != 200 or "token" not in body:
        return refused(
            status if status >= 400 else 401, "password", str(body.get("message") or "unknown user")
        )
    try:
        await page.api.with_token(str(body["token"])).get("/api/ops/me")
    except ApiError as error:
        message = (
            "only service admins may use the ops console" if error.status == 403 else error.message
        )
        return refused(error.status, "email", message)
    response = page.redirect(safe_next(next_))
    set_session(page.request, response, str(body["token"]))
    return response


@router.post("/logout")
async def logout(page: ConsoleDep) -> Response:
    """Revoke the token (at the service, through ops) and forget it in this browser."""
    with contextlib.suppress(ApiError):
        await page.api.delete("/api/ops/session")
    response = page.redirect("/login")
    clear_session(page.request, response)
    return response
