"""Swagger UI at `/docs` from assets shipped in the package (swagger-ui-dist), so the page
works on a machine without internet. Both components install it the same way."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from jwtpizza.errors import NotFound

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def asset(name: str) -> bytes:
    """One vendored Swagger UI file."""
    return resources.files("jwtpizza.swagger_ui").joinpath(name).read_bytes()


def install_swagger_ui(app: FastAPI, *, title: str) -> None:
    """`GET /docs` (the page) and `GET /docs/assets/{name}` (its script, style and icon)."""

    @app.get("/docs", include_in_schema=False)
    async def swagger_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} - API docs",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def swagger_asset(name: str) -> Response:
        if name not in ASSETS:
            raise NotFound("unknown endpoint")
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(asset(name), media_type=ASSETS[name], headers=headers)
