"""The shop: every page of the original JWT Pizza site, served by the pizza service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from jwtpizza.web import pizzas
from jwtpizza.web.forms import SHOP_COOKIES
from jwtpizza.web.pages import install_pages
from jwtpizza.web.shop import account, dashboards, franchises, info, ordering
from jwtpizza.web.shop.page import ShopConfig, render_problem


def install_shop(
    app: FastAPI,
    *,
    factory_url: str,
    version: str,
    factory_transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Add the shop's pages to the service app; call before the API routers are included.
    `factory_transport` replaces the network to the factory in tests: an `ASGITransport`,
    which stays usable after each call's client closes it."""
    app.state.shop = ShopConfig(
        factory_url=factory_url.rstrip("/"), version=version, factory_transport=factory_transport
    )
    install_pages(app, cookies=SHOP_COOKIES, render_problem=render_problem)
    app.include_router(pizzas.router)
    for module in (info, ordering, account, dashboards, franchises):
        app.include_router(module.router)
