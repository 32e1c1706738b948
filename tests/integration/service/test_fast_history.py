"""The order history answered below the framework: byte for byte the route's answer (body,
status, headers; the database outage's 503 too), still logged, counted and traced, and
anything it is not sure of left to the framework."""

from __future__ import annotations

import asyncio
import sqlite3

import httpx
import pytest

from jwtpizza.observability.log_store import LogQuery
from jwtpizza.service.fast_history import FastHistory, bearer_of, page_of
from jwtpizza.service.orders import service
from tests.integration.service.conftest import MakeShop, Shop

from .test_fast_reads import Inner
from .test_service_metrics import scrape, value

DINERS = [("d@jwt.com", "diner"), ("f@jwt.com", "franchisee"), ("a@jwt.com", "admin")]
# An extra query parameter the route ignores and the fast path declines: the same request,
# answered by the framework.
VIA_FRAMEWORK = "&via=framework"


def fast_only(shop: Shop) -> tuple[httpx.AsyncClient, Inner]:
    """A client of `FastHistory` alone over the shop's context, in front of an app that
    answers 299: what it answers, it answered itself."""
    inner = Inner()
    app = FastHistory(inner, context=shop.context, obs=shop.app.state.observability)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://shop.test"), inner


def headers_of(answer: httpx.Response) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in answer.headers.raw if k.lower() != b"x-request-id"]


def same_answer(fast: httpx.Response, framework: httpx.Response) -> None:
    assert fast.status_code == framework.status_code
    assert fast.content == framework.content
    assert headers_of(fast) == headers_of(framework)
    assert fast.headers["x-request-id"]


async def remembered(shop: Shop, token: str) -> None:
    """One framework read, so the principal cache holds `token`."""
    response = await shop.client.get("/api/order?via=framework", headers=shop.bearer(token))
    assert response.status_code == 200


async def test_the_fast_history_answers_as_the_route_byte_for_byte(make_shop: MakeShop) -> None:
    shop = await make_shop(list_per_page=3)
    fast_client, inner = fast_only(shop)
    for count, (email, password) in enumerate(DINERS):
        token = await shop.login(email, password)
        for items in range(count * 3 + 1):  # 1, 4 and 7 orders of 1, 2, 3... pizzas
            await shop.order(token, count=items % 3 + 1)
        await remembered(shop, token)
        for query in ("", "?page=1", "?page=2", "?page=3", "?page=999999", "?page=1000000"):
            fast = await fast_client.get(f"/api/order{query}", headers=shop.bearer(token))
            joiner = "&" if query else "?"
            framework = await shop.client.get(
                f"/api/order{query}{joiner}{VIA_FRAMEWORK[1:]}", headers=shop.bearer(token)
            )
            assert fast.status_code == 200, fast.text
            same_answer(fast, framework)
    assert inner.asked == 0
    await fast_client.aclose()


async def test_a_database_outage_is_the_routes_503(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await shop.login("d@jwt.com", "diner")
    await remembered(shop, token)

    async def unavailable(**_: object) -> bytes:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(service, "history_json", unavailable)
    fast_client, inner = fast_only(shop)
    fast = await fast_client.get("/api/order", headers=shop.bearer(token))
    framework = await shop.client.get("/api/order?via=framework", headers=shop.bearer(token))
    assert fast.status_code == 503 and inner.asked == 0
    same_answer(fast, framework)
    await fast_client.aclose()


async def test_the_fast_history_is_logged_and_counted_under_its_route(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    await shop.order(token)
    await remembered(shop, token)
    labels = {"method": "GET", "route": "/api/order", "status": "200"}
    before = value(await scrape(shop), "http_requests_total", **labels)
    headers = {**shop.bearer(token), "X-Request-Id": "fast-history-1"}
    answer = await shop.client.get("/api/order", headers=headers)
    assert answer.headers["x-request-id"] == "fast-history-1"
    assert value(await scrape(shop), "http_requests_total", **labels) == before + 1
    await asyncio.sleep(0.05)  # log events are written on the next turn of the loop
    logged = shop.app.state.observability.store.query(
        LogQuery(type="http", route="/api/order", limit=100)
    )
    mine = [r for r in logged if r.get("requestId") == "fast-history-1"]
    assert len(mine) == 1
    assert mine[0]["status"] == 200 and mine[0]["authorized"] is True
    assert mine[0]["sqlCount"] == 1 and "Veggie" in str(mine[0]["resBody"])


async def test_what_the_fast_history_is_not_sure_of_goes_the_framework_way(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    unseen = await shop.login("f@jwt.com", "franchisee")  # never read with: not remembered
    await remembered(shop, token)
    fast_client, inner = fast_only(shop)
    bearer = shop.bearer(token)
    declined = [
        ("GET", "/api/order", {}),
        ("GET", "/api/order", {"Authorization": "Bearer not-a-token"}),
        ("GET", "/api/order", {"Authorization": token}),  # no scheme
        ("GET", "/api/order", shop.bearer(unseen)),
        ("GET", "/api/order", {**bearer, "Origin": "http://localhost:5173"}),
        ("GET", "/api/order", {**bearer, "Content-Length": "2"}),
        ("GET", "/api/order?page=0", bearer),
        ("GET", "/api/order?page=01", bearer),
        ("GET", "/api/order?page=1000001", bearer),
        ("GET", "/api/order?page=1&page=2", bearer),
        ("HEAD", "/api/order", bearer),
        ("GET", "/api/order/", bearer),
    ]
    for method, path, headers in declined:
        answer = await fast_client.request(method, path, headers=headers)
        assert answer.status_code == 299, (method, path, headers)
    assert inner.asked == len(declined)
    await shop.client.delete("/api/auth", headers=bearer)  # logged out: no longer remembered
    assert (await fast_client.get("/api/order", headers=bearer)).status_code == 299
    await fast_client.aclose()


def test_pages_and_tokens_the_fast_path_reads() -> None:
    assert [page_of(q) for q in (b"", b"page=7", b"page=1000000")] == [1, 7, 1_000_000]
    assert [page_of(q) for q in (b"page=", b"page=-1", b"page=1%30", b"x=1")] == [None] * 4
    assert bearer_of([(b"authorization", b"bearer abc")]) == "abc"
    twice = [(b"authorization", b"Bearer abc"), (b"authorization", b"Bearer abc")]
    assert bearer_of(twice) is None
    assert bearer_of([(b"authorization", b"Bearer abc"), (b"content-length", b"0")]) == "abc"


async def test_a_cached_read_has_the_frameworks_headers(shop: Shop) -> None:
    """The menu's fast answer and the framework's (a GET with a body goes its way) carry the
    same headers, `Vary: Origin` among them."""
    fast = await shop.client.get("/api/order/menu")
    framework = await shop.client.request("GET", "/api/order/menu", content=b"{}")
    assert fast.content == framework.content
    assert sorted(headers_of(fast)) == sorted(headers_of(framework))
    assert fast.headers["vary"] == "Origin"
