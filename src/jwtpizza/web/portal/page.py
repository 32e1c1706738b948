"""One portal page: the vendor (from the API key in the session cookie) and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from jwtpizza.web.api import ApiClient, ApiError
from jwtpizza.web.forms import check_csrf, clear_session, cookies_of
from jwtpizza.web.pages import PageRouter, redirect, render
from jwtpizza.web.problems import NOT_FOUND_TEXT, PageRefused


def portal_router() -> PageRouter:
    return PageRouter(dependencies=[Depends(check_csrf)])


@dataclass
class PortalPage:
    request: Request
    api: ApiClient
    vendor: dict[str, Any] | None
    forget_session: bool = False

    @property
    def is_admin(self) -> bool:
        return self.vendor is not None and "admin" in self.vendor.get("roles", [])

    def render(self, template: str, *, status: int = 200, **values: Any) -> Response:
        context = {
            "vendor": self.vendor,
            "is_admin": self.is_admin,
            "version": self.request.app.state.portal_version,
            **values,
        }
        return self.finish(render(self.request, f"portal/{template}", context, status=status))

    def redirect(self, url: str) -> Response:
        return self.finish(redirect(self.request, url))

    def finish(self, response: Response) -> Response:
        if self.forget_session:
            clear_session(self.request, response)
        return response

    def admin_only(self) -> dict[str, Any]:
        if self.vendor is None or not self.is_admin:
            raise PageRefused(404, "Oops", NOT_FOUND_TEXT)
        return self.vendor


async def current_page(request: Request) -> PortalPage:
    key = request.cookies.get(cookies_of(request).session)
    api = ApiClient.for_request(request, key)
    if not key:
        return PortalPage(request=request, api=api, vendor=None)
    try:
        vendor = await api.get("/api/vendor")
    except ApiError:
        return PortalPage(request, api.with_token(None), None, forget_session=True)
    return PortalPage(request=request, api=api, vendor=vendor)


PortalDep = Annotated[PortalPage, Depends(current_page)]


async def render_problem(request: Request, status: int, title: str, text: str) -> Response:
    page = await current_page(request)
    return page.render("problem.html", status=status, title=title, text=text)
