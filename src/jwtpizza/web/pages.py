"""What every area shares: browser-only routes, the template environment, static files,
and HTML answers for "not found" and "refused" instead of JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match
from starlette.types import Scope

from jwtpizza.edge import on_http_error
from jwtpizza.web.api import ApiError
from jwtpizza.web.forms import csrf_token, remember_csrf
from jwtpizza.web.problems import NOT_FOUND_TEXT, PageRefused

TEMPLATES = Jinja2Templates(
    env=Environment(
        loader=PackageLoader("jwtpizza.web", "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


def bitcoin(amount: float | str | None, digits: int | None = None) -> Markup:
    """A price with the ₿ sign drawn by CSS (few fonts have the glyph) and spoken as text."""
    value = float(amount or 0)
    shown = f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    return Markup('<span class="btc"><span class="sr-only">₿</span></span>') + shown


TEMPLATES.env.filters["btc"] = bitcoin
API_PREFIXES = ("/api/", "/.well-known/", "/metrics", "/openapi.json")


def wants_html(headers: dict[str, str] | Any) -> bool:
    """A browser navigating (Accept names text/html) or htmx fetching a fragment."""
    accept = headers.get("accept", "")
    return "text/html" in accept or headers.get("hx-request") == "true"


class BrowserRoute(APIRoute):
    """A page route: it matches only requests that ask for HTML, so an API client at the same
    path falls through to the API's route (or its JSON 404)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if not wants_html(headers):
                return Match.NONE, {}
        return super().matches(scope)


Renderer = Callable[[Request, int, str, str], Awaitable[Response]]


def install_pages(app: FastAPI, *, render_problem: Renderer) -> None:
    """Static files, and HTML problem pages for browsers on non-API paths."""
    app.mount("/static", StaticFiles(packages=[("jwtpizza.web", "static")]), name="static")

    async def on_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefused)
        return await render_problem(request, exc.status, exc.title, exc.text)

    async def on_not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        if (
            exc.status_code == 404
            and wants_html(request.headers)
            and not path.startswith(API_PREFIXES)
        ):
            return await render_problem(request, 404, "Oops", NOT_FOUND_TEXT)
        return await on_http_error(request, exc)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return await render_problem(request, exc.status, "Sorry", exc.message)

    app.add_exception_handler(PageRefused, on_refused)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_not_found)


def render(
    request: Request, template: str, values: dict[str, Any], *, status: int = 200
) -> Response:
    """A page of any area, with the CSRF token its forms and htmx calls carry."""
    context = {"csrf": csrf_token(request), **values}
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    remember_csrf(request, response)
    return response


def redirect(request: Request, url: str) -> Response:
    """See other: where a form post goes next (keeping a new CSRF cookie)."""
    response = RedirectResponse(url, status_code=303)
    remember_csrf(request, response)
    return response
