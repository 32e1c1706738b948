"""One console page: the admin (from the service token in the session cookie) and rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from jwtpizza.web.api import ApiClient, ApiError
from jwtpizza.web.forms import check_csrf, clear_session, cookies_of
from jwtpizza.web.pages import PageRouter, redirect, render

Login = Callable[[str, str], Awaitable[tuple[int, dict[str, Any]]]]


class SignInNeeded(Exception):
    """A console page was asked for without an admin session: go to the sign-in page."""


def console_router() -> PageRouter:
    return PageRouter(dependencies=[Depends(check_csrf)])


def epoch(value: Any) -> float | None:
    """A JSON date (epoch milliseconds or ISO 8601) as epoch seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        return None  # missing (None, or a template's undefined value)
    if isinstance(value, int | float):
        return float(value) / 1000
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def when(value: Any) -> str:
    """A JSON date as UTC `YYYY-MM-DD HH:MM:SS`, or an empty string."""
    seconds = epoch(value)
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class ConsolePage:
    request: Request
    api: ApiClient
    admin: dict[str, Any] | None
    forget_session: bool = False

    def render(self, template: str, *, status: int = 200, **values: Any) -> Response:
        context = {
            "admin": self.admin,
            "version": self.request.app.state.console_version,
            "when": when,
            "here": self.request.url.path,
            **values,
        }
        return self.finish(render(self.request, f"console/{template}", context, status=status))

    def redirect(self, url: str) -> Response:
        return self.finish(redirect(self.request, url))

    def finish(self, response: Response) -> Response:
        if self.forget_session:
            clear_session(self.request, response)
        return response

    def signed_in(self) -> dict[str, Any]:
        if self.admin is None:
            raise SignInNeeded
        return self.admin


async def current_page(request: Request) -> ConsolePage:
    token = request.cookies.get(cookies_of(request).session)
    api = ApiClient.for_request(request, token)
    if not token:
        return ConsolePage(request=request, api=api, admin=None)
    try:
        admin = await api.get("/api/ops/me")
    except ApiError:
        return ConsolePage(request, api.with_token(None), None, forget_session=True)
    return ConsolePage(request=request, api=api, admin=admin)


ConsoleDep = Annotated[ConsolePage, Depends(current_page)]


async def admin_page(page: ConsoleDep) -> ConsolePage:
    """A page only a signed-in admin sees; anyone else is sent to sign in."""
    page.signed_in()
    return page


AdminPage = Annotated[ConsolePage, Depends(admin_page)]


async def render_problem(request: Request, status: int, title: str, text: str) -> Response:
    page = await current_page(request)
    return page.render("problem.html", status=status, title=title, text=text)
