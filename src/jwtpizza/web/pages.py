"""What every area shares: browser-only routes, the template environment, static files,
and HTML answers for "not found" and "refused" instead of JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Match
from starlette.types import Scope

from jwtpizza.http.errors import (
    describe_validation_error,
    on_http_error,
    on_unexpected_error,
    on_validation_error,
)
from jwtpizza.web.api import ApiError
from jwtpizza.web.forms import SiteCookies, csrf_token, remember_csrf
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


BROWSER_KEY = "jwtpizza.browser"


def from_browser(scope: Scope) -> bool:
    """`wants_html` for a raw request, decided once and remembered in its scope."""
    decided: bool | None = scope.get(BROWSER_KEY)
    if decided is None:
        wanted = (b"accept", b"hx-request")
        headers = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in wanted}
        decided = scope[BROWSER_KEY] = wants_html(headers)
    return decided


class BrowserRoute(APIRoute):
    """A page route: it matches only requests that ask for HTML, so an API client at the same
    path falls through to the API's route (or its JSON 404). An API request is turned away
    by one remembered flag, without trying the page's path."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not from_browser(scope):
            return Match.NONE, {}
        return super().matches(scope)


class PageRouter(APIRouter):
    """A router of page routes. FastAPI keeps an included router as one branch; an API
    request skips the whole branch on one check instead of trying each page."""

    def __init__(self, **options: Any) -> None:
        super().__init__(route_class=BrowserRoute, include_in_schema=False, **options)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not from_browser(scope):
            return Match.NONE, {}
        return super().matches(scope)


Renderer = Callable[[Request, int, str, str], Awaitable[Response]]
Handler = Callable[[Request, Exception], Awaitable[Response]]
Text = Callable[[Exception], str]
CRASH_TEXT = "Something went wrong in our kitchen. Please try again in a moment."


def install_pages(app: FastAPI, *, cookies: SiteCookies, render_problem: Renderer) -> None:
    """Static files, the site's cookie names, and HTML problem pages for browsers on non-API
    paths."""
    app.state.site_cookies = cookies
    app.mount("/static", StaticFiles(packages=[("jwtpizza.web", "static")]), name="static")
    app.add_route("/robots.txt", robots, include_in_schema=False)

    async def on_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefused)
        return await render_problem(request, exc.status, exc.title, exc.text)

    def for_browsers(api_answer: Handler, status: int, title: str, text: Text) -> Handler:
        """A browser on a page path gets an HTML page; anyone else the API's JSON answer."""

        async def handle(request: Request, exc: Exception) -> Response:
            answer = await api_answer(request, exc)  # also logs what it must
            page_path = not request.url.path.startswith(API_PREFIXES)
            if not (wants_html(request.headers) and page_path and answer.status_code == status):
                return answer
            return await render_problem(request, status, title, text(exc))

        return handle

    on_not_found = for_browsers(on_http_error, 404, "Oops", lambda _exc: NOT_FOUND_TEXT)
    on_bad_request = for_browsers(on_validation_error, 400, "Sorry", validation_text)
    on_crash = for_browsers(on_unexpected_error, 500, "Sorry", lambda _exc: CRASH_TEXT)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return await render_problem(request, exc.status, "Sorry", exc.message)

    app.add_exception_handler(PageRefused, on_refused)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_not_found)
    app.add_exception_handler(RequestValidationError, on_bad_request)
    app.add_exception_handler(Exception, on_crash)


async def robots(_request: Request) -> Response:
    """Crawlers keep out of dashboards and docs (as the original site asks)."""
    return PlainTextResponse("User-agent: *\nDisallow: /admin-dashboard/\nDisallow: /docs/\n")


def validation_text(exc: Exception) -> str:
    assert isinstance(exc, RequestValidationError)
    return f"This page cannot be shown: {describe_validation_error(exc)}."


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
