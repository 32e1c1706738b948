"""One shop page being answered: the visitor (from the session cookie), the API client on
their behalf, and rendering with the layout's shared values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from jwtpizza.web.api import ApiClient, ApiError
from jwtpizza.web.forms import check_csrf, clear_session, cookies_of
from jwtpizza.web.pages import PageRouter, redirect, render
from jwtpizza.web.problems import NOT_FOUND_TEXT, PageRefused


@dataclass(frozen=True)
class ShopConfig:
    factory_url: str
    version: str
    factory_transport: httpx.AsyncBaseTransport | None = None

    def factory(self) -> httpx.AsyncClient:
        """A client on the factory, another component: reached over the network."""
        return httpx.AsyncClient(
            base_url=self.factory_url, timeout=5, transport=self.factory_transport
        )


def shop_router() -> PageRouter:
    """A router of page routes whose POSTs must carry the CSRF token."""
    return PageRouter(dependencies=[Depends(check_csrf)])


def initials(name: str) -> str:
    words = name.split()
    return (words[0][:1] + (words[-1][:1] if len(words) > 1 else "")).upper() if words else "?"


@dataclass
class Visitor:
    id: int
    name: str
    email: str
    roles: list[dict[str, Any]]

    @property
    def is_admin(self) -> bool:
        return any(r.get("role") == "admin" for r in self.roles)

    @property
    def franchise_ids(self) -> list[int]:
        return [r["objectId"] for r in self.roles if r.get("role") == "franchisee"]

    @property
    def initials(self) -> str:
        return initials(self.name)


@dataclass
class Page:
    request: Request
    api: ApiClient
    user: Visitor | None
    config: ShopConfig
    forget_session: bool = False

    def render(self, template: str, *, status: int = 200, **values: Any) -> Response:
        context = {
            "user": self.user,
            "version": self.config.version,
            "crumbs": [p for p in self.request.url.path.split("/") if p],
            **values,
        }
        return self.finish(render(self.request, f"shop/{template}", context, status=status))

    def redirect(self, url: str) -> Response:
        return self.finish(redirect(self.request, url))

    def finish(self, response: Response) -> Response:
        if self.forget_session:
            clear_session(self.request, response)
        return response

    def to_login(self) -> Response:
        """Send a logged-out visitor to this page's login, which comes back here after."""
        return self.redirect(self.request.url.path.rstrip("/") + "/login")

    def admin_only(self) -> Visitor:
        """Admin pages are not found for anyone else, as in the original."""
        if self.user is None or not self.user.is_admin:
            raise PageRefused(404, "Oops", NOT_FOUND_TEXT)
        return self.user


async def visitor(api: ApiClient) -> tuple[Visitor | None, bool]:
    """The logged-in user, and whether a stale session cookie should be dropped."""
    try:
        me = await api.get("/api/user/me")
    except ApiError:
        return None, True
    return Visitor(id=me["id"], name=me["name"], email=me["email"], roles=me["roles"]), False


async def current_page(request: Request) -> Page:
    token = request.cookies.get(cookies_of(request).session)
    api = ApiClient.for_request(request, token)
    user, stale = await visitor(api) if token else (None, False)
    config: ShopConfig = request.app.state.shop
    return Page(
        request=request,
        api=api if user else api.with_token(None),
        user=user,
        config=config,
        forget_session=stale,
    )


PageDep = Annotated[Page, Depends(current_page)]


async def render_problem(request: Request, status: int, title: str, text: str) -> Response:
    page = await current_page(request)
    return page.render("problem.html", status=status, title=title, text=text)
