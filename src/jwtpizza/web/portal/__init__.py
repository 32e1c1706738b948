"""The vendor portal, served by the pizza factory: code login, details, chaos, partner,
badges, and for admins the vendor list and the class scoreboard."""

from __future__ import annotations

from fastapi import FastAPI

from jwtpizza.web.forms import PORTAL_COOKIES
from jwtpizza.web.pages import install_pages
from jwtpizza.web.portal import admin, vendor
from jwtpizza.web.portal.page import render_problem


def install_portal(app: FastAPI, *, version: str) -> None:
    """Add the portal's pages to the factory app; call before the API routers are included."""
    app.state.portal_version = version
    install_pages(app, cookies=PORTAL_COOKIES, render_problem=render_problem)
    app.include_router(vendor.router)
    app.include_router(admin.router)
