"""The ops console, served by the ops component: live charts, alerts and silences, the log
explorer, incidents and postmortems, on-call, chaos control and the game-day view."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from jwtpizza.web.console import (
    ack,
    actions,
    alerts,
    budget,
    incidents,
    live,
    logs,
    overview,
    progress,
    query,
    reviews,
    session,
    team,
)
from jwtpizza.web.console.page import Login, SignInNeeded, render_problem
from jwtpizza.web.forms import CONSOLE_COOKIES
from jwtpizza.web.pages import install_pages


def install_console(app: FastAPI, *, version: str, login: Login) -> None:
    """Add the console's pages to the ops app; call before the API routers are included.
    `login(email, password)` is the service's answer to a login: its status and body."""
    app.state.console_version = version
    app.state.console_login = login
    install_pages(app, cookies=CONSOLE_COOKIES, render_problem=render_problem)

    async def sign_in(request: Request, _exc: Exception) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    app.add_exception_handler(SignInNeeded, sign_in)
    for area in (
        session,
        overview,
        alerts,
        logs,
        reviews,
        actions,
        progress,
        budget,
        incidents,
        team,
        ack,
        live,
        query,
    ):
        app.include_router(area.router)
    app.include_router(incidents.downloads)
