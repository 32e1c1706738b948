"""Swagger UI at `/docs` from assets shipped in the package (swagger-ui-dist), so the page
works on a machine without internet. Both components install it the same way. The page
starts Swagger UI from a script file (`swagger-init.js`), since the pages' CSP allows no
inline script."""

from __future__ import annotations

from html import escape
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from jwtpizza.errors import NotFound

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-init.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
# Starts Swagger UI on the spec the page's `data-openapi` names.
INIT_JS = b"""window.addEventListener("load", function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi, dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout", showExtensions: true, showCommonExtensions: true,
  });
});
"""


def asset(name: str) -> bytes:
    """One vendored Swagger UI file, or the script that starts it."""
    if name == "swagger-init.js":
        return INIT_JS
    return resources.files("jwtpizza.swagger_ui").joinpath(name).read_bytes()


def install_swagger_ui(app: FastAPI, *, title: str) -> None:
    """`GET /docs` (the page) and `GET /docs/assets/{name}` (its script, style and icon)."""

    @app.get("/docs", include_in_schema=False)
    async def swagger_page() -> HTMLResponse:
        return HTMLResponse(swagger_html(f"{title} - API docs", app.openapi_url or "/openapi.json"))

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def swagger_asset(name: str) -> Response:
        if name not in ASSETS:
            raise NotFound("unknown endpoint")
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(asset(name), media_type=ASSETS[name], headers=headers)


def swagger_html(title: str, openapi_url: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">'
        '<link rel="icon" href="/docs/assets/favicon-32x32.png"></head><body>'
        f'<div id="swagger-ui" data-openapi="{escape(openapi_url)}"></div>'
        '<script src="/docs/assets/swagger-ui-bundle.js"></script>'
        '<script src="/docs/assets/swagger-init.js"></script></body></html>'
    )
