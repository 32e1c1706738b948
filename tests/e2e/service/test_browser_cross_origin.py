"""The original JWT Pizza site's cross-origin calls, played by a real browser (Debian's
Chromium, headless, driven by Playwright) from a page on another local origin: log in and
order on the service, Verify the pizza on the factory (a CORS preflight, then
`POST /api/order/verify`, with credentials and the bearer token as the site sends them), and
read `/api/docs` of both, as the site's docs page does. A page from an origin that is not on
the allow-lists is refused by the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from jwtpizza.observability.log_store import LogQuery
from tests.support.live import LivePair, free_port, live_pair

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
PAGE = b"<!doctype html><title>JWT Pizza</title><h1>JWT Pizza</h1>"

# What the original site does, in its own words (fetch with credentials: 'include').
SITE_CALLS = """
async ([service, factory]) => {
  const call = async (url, method, body, token) => {
    const headers = {'Content-Type': 'application/json'};
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url, {method, headers, credentials: 'include',
                                       body: body && JSON.stringify(body)});
    return {status: response.status, body: await response.json()};
  };
  const login = await call(`${service}/api/auth`, 'PUT',
                           {email: 'd@jwt.com', password: 'diner'});
  const token = login.body.token;
  const order = await call(`${service}/api/order`, 'POST',
      {franchiseId: 1, storeId: 1, items: [{menuId: 1, description: 'Veggie', price: 0.05}]},
      token);
  const verify = await call(`${factory}/api/order/verify`, 'POST', {jwt: order.body.jwt}, token);
  const serviceDocs = await call(`${service}/api/docs`, 'GET');
  const factoryDocs = await call(`${factory}/api/docs`, 'GET');
  return {login: login.status, order, verify, serviceDocs, factoryDocs};
}
"""
VERIFY_ONLY = """
async (factory) => {
  try {
    const response = await fetch(`${factory}/api/order/verify`, {method: 'POST',
        credentials: 'include', headers: {'Content-Type': 'application/json',
        Authorization: 'Bearer x'}, body: JSON.stringify({jwt: 'x'})});
    return `answered ${response.status}`;
  } catch (error) {
    return `refused: ${error.message}`;
  }
}
"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def site() -> Iterator[str]:
    """A tiny page on its own origin (`localhost`, its own port: not the APIs' origin)."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser(tmp_path: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def preflights(pair: LivePair, path: str) -> list[dict[str, Any]]:
    logs = pair.factory_obs.store.query(LogQuery(type="http", limit=1000))
    return [log for log in logs if log.get("method") == "OPTIONS" and log.get("path") == path]


def test_the_original_sites_cross_origin_calls_work_from_an_allowed_origin(
    tmp_path: Path,
) -> None:
    with site() as origin, site() as stranger:
        allowed = {"cors_origins": [origin]}
        with (
            live_pair(tmp_path, factory_overrides=allowed, **allowed) as pair,
            browser(tmp_path) as page,
        ):
            page.goto(origin)
            got = page.evaluate(SITE_CALLS, [pair.service_url, pair.factory_url])

            page.goto(stranger)
            refused = page.evaluate(VERIFY_ONLY, pair.factory_url)
            preflight = preflights(pair, "/api/order/verify")

    assert got["login"] == 200 and got["order"]["status"] == 200, got
    assert got["verify"] == {
        "status": 200,
        "body": {"message": "valid", "payload": got["verify"]["body"]["payload"]},
    }
    assert got["verify"]["body"]["payload"]["order"]["id"] == got["order"]["body"]["order"]["id"]
    assert preflight and preflight[0]["status"] == 200, preflight
    for docs in (got["serviceDocs"], got["factoryDocs"]):
        assert docs["status"] == 200
        for entry in docs["body"]["endpoints"]:
            assert {"method", "path", "description", "example", "response"} <= set(entry)
            assert "{" not in entry["path"], entry["path"]  # `:vendorId`, as the original
    assert refused.startswith("refused: "), refused  # not on the allow-list
