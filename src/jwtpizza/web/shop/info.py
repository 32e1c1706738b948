"""Home, about, history and the API docs pages."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.shop.page import PageDep, ShopConfig, shop_router

router = shop_router()

TESTIMONIALS = [
    ("Best pizza I have ever verified. The signature alone is worth it.", "A happy diner"),
    ("I ordered twenty and the oven was full. Ordered two and it was perfect.", "Pat, Provo"),
    ("Crisp crust, valid claims, delivered before my token expired.", "Sam, Salt Lake"),
    ("My franchise pays for itself, one bitcoin fraction at a time.", "A proud franchisee"),
]


@router.get("/")
async def home(page: PageDep) -> Response:
    """The web's best pizza."""
    return page.render("home.html", testimonials=TESTIMONIALS)


@router.get("/about")
async def about(page: PageDep) -> Response:
    """The secret sauce."""
    return page.render("about.html")


@router.get("/history")
async def history(page: PageDep) -> Response:
    """Mama Rucci, my my."""
    return page.render("history.html")


async def factory_docs(config: ShopConfig) -> dict[str, Any]:
    async with config.factory() as client:
        response = await client.get("/api/docs")
    response.raise_for_status()
    docs: dict[str, Any] = response.json()
    return docs


@router.get("/docs/service")
@router.get("/docs/factory")
async def api_docs(page: PageDep) -> Response:
    """JWT Pizza API: the service's or the factory's endpoint list."""
    which = page.request.url.path.rsplit("/", 1)[-1]
    problem = None
    docs: dict[str, Any] = {"endpoints": []}
    try:
        docs = (
            await page.api.get("/api/docs")
            if which == "service"
            else await factory_docs(page.config)
        )
    except (ApiError, httpx.HTTPError):
        problem = f"The {which} did not answer; its docs are not available right now."
    return page.render("docs.html", which=which, docs=docs, problem=problem)
