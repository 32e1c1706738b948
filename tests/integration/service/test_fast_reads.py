"""Cached reads answered in front of the framework: the same answers as the framework's path
(body, status, ETag and 304, security headers), still logged, counted and traced."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from jwtpizza.observability import Observability
from jwtpizza.observability.log_store import LogQuery
from jwtpizza.service.fast_reads import CachedReads, Read
from tests.integration.service.conftest import Shop

from .test_service_metrics import scrape, value

# A browser's cross-origin request (not allowed here): the fast path leaves it to the
# framework, which answers it as any other, so the two paths can be compared.
ELSEWHERE = {"Origin": "http://elsewhere.test"}
SAME_EITHER_WAY = ("content-type", "content-length", "etag", "cache-control",
                   "x-content-type-options", "referrer-policy", "x-frame-options",
                   "content-security-policy")  # fmt: skip


def same_answer(fast: httpx.Response, framework: httpx.Response) -> None:
    assert fast.status_code == framework.status_code
    assert fast.content == framework.content
    for name in SAME_EITHER_WAY:
        assert fast.headers.get(name) == framework.headers.get(name), name
    assert fast.headers["x-request-id"]


@pytest.mark.parametrize("path", ["/api/order/menu", "/api/franchise",
                                  "/api/franchise?page=0&limit=10&name=*"])  # fmt: skip
async def test_a_cached_read_answers_as_the_framework_does(shop: Shop, path: str) -> None:
    fast = await shop.client.get(path)
    same_answer(fast, await shop.client.get(path, headers=ELSEWHERE))
    etag = {"If-None-Match": fast.headers["etag"]}
    not_modified = await shop.client.get(path, headers=etag)
    assert not_modified.status_code == 304
    same_answer(not_modified, await shop.client.get(path, headers={**etag, **ELSEWHERE}))


async def test_a_cached_read_is_logged_and_counted_under_its_route(shop: Shop) -> None:
    before = value(await scrape(shop), "http_requests_total", method="GET",
                   route="/api/order/menu", status="200")  # fmt: skip
    answer = await shop.client.get("/api/order/menu", headers={"X-Request-Id": "fast-read-1"})
    assert answer.headers["x-request-id"] == "fast-read-1"
    after = value(await scrape(shop), "http_requests_total", method="GET",
                  route="/api/order/menu", status="200")  # fmt: skip
    assert after == before + 1
    await asyncio.sleep(0.05)  # log events are written on the next turn of the loop
    logged = shop.app.state.observability.store.query(
        LogQuery(type="http", route="/api/order/menu", limit=100)
    )
    mine = [r for r in logged if r.get("requestId") == "fast-read-1"]
    assert len(mine) == 1 and mine[0]["status"] == 200 and "Veggie" in str(mine[0]["resBody"])


async def test_a_menu_write_is_seen_by_the_next_cached_read(shop: Shop) -> None:
    admin = await shop.login("a@jwt.com", "admin")
    item = {"title": "Student", "description": "carbs", "image": "pizza9.png", "price": 0.0001}
    before = await shop.client.get("/api/order/menu")
    await shop.client.put("/api/order/menu", json=item, headers=shop.bearer(admin))
    after = await shop.client.get(
        "/api/order/menu", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200 and after.json()[-1]["title"] == "Student"


class Inner:
    """The app behind `CachedReads`: it answers 299 and records that it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.asked += 1
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def fast_app(answer: tuple[bytes, str] | Exception | None) -> tuple[CachedReads, Inner]:
    async def read(_scope: Scope, _headers: dict[bytes, bytes]) -> tuple[bytes, str] | None:
        if isinstance(answer, Exception):
            raise answer
        return answer

    reads: dict[str, Read] = {"/cached": read}
    inner = Inner()
    return CachedReads(inner, reads=reads, obs=Observability(component="service")), inner


async def status_of(app: CachedReads, method: str, path: str, headers: dict[str, str]) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        return (await client.request(method, path, headers=headers)).status_code


@pytest.mark.parametrize(
    ("method", "path", "headers", "answer"),
    [
        ("POST", "/cached", {}, (b"[]", '"e"')),
        ("GET", "/other", {}, (b"[]", '"e"')),
        ("GET", "/cached", {"Origin": "http://site.test"}, (b"[]", '"e"')),
        ("GET", "/cached", {"Content-Length": "2"}, (b"[]", '"e"')),
        ("GET", "/cached", {}, None),  # the read declines (credentials, unusual paging)
        ("GET", "/cached", {}, RuntimeError("database down")),
    ],
)
async def test_what_the_fast_path_cannot_answer_goes_the_framework_way(
    method: str, path: str, headers: dict[str, str], answer: tuple[bytes, str] | Exception | None
) -> None:
    app, inner = fast_app(answer)
    assert await status_of(app, method, path, headers) == 299
    assert inner.asked == 1


async def test_the_fast_path_answers_without_the_framework() -> None:
    app, inner = fast_app((b"[]", '"e"'))
    assert await status_of(app, "GET", "/cached", {}) == 200
    assert await status_of(app, "GET", "/cached", {"If-None-Match": '"x", "e"'}) == 304
    assert inner.asked == 0
