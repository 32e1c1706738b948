"""The shop in process (httpx over ASGI): content negotiation at `/`, CSRF, sessions, HTML
problem pages, and the delivery page's Verify with a factory that calls the pizza invalid."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from jwtpizza.db import Database
from jwtpizza.service.app import create_app
from jwtpizza.service.seed import migrate, seed_demo
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.testing.stub_factory import create_stub_factory

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


def doubting_factory() -> FastAPI:
    """The stub factory makes pizzas, and this one then calls every pizza invalid."""
    factory = create_stub_factory()

    @factory.post("/api/order/verify")
    async def verify() -> JSONResponse:
        return JSONResponse({"message": "invalid"}, status_code=403)

    return factory


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    db = Database(url)
    await migrate(db)
    await seed_demo(db, bcrypt_rounds=4)
    await db.dispose()
    settings = ServiceSettings(database_url=url, demo=True, bcrypt_rounds=4)
    app = create_app(settings, factory_transport=httpx.ASGITransport(app=doubting_factory()))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as c,
    ):
        yield c


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def log_in(shop: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await shop.get("/login", headers=BROWSER)
    return await shop.post(
        "/login",
        headers=BROWSER,
        data={"email": email, "password": password, "csrf_token": csrf_of(form)},
    )


async def test_the_root_answers_json_to_api_clients_and_the_shop_to_browsers(
    shop: httpx.AsyncClient,
) -> None:
    api = await shop.get("/")
    assert api.json()["message"] == "welcome to JWT Pizza"
    page = await shop.get("/", headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html")
    assert "The web&#39;s best pizza" in page.text or "The web's best pizza" in page.text


async def test_api_errors_stay_json_and_unknown_pages_are_html(shop: httpx.AsyncClient) -> None:
    assert (await shop.get("/api/auth")).json() == {"message": "unknown endpoint"}
    missing = await shop.get("/api/nope", headers=BROWSER)
    assert missing.json() == {"message": "unknown endpoint"}
    oops = await shop.get("/no/such/page", headers=BROWSER)
    assert oops.status_code == 404 and "dropped a pizza on the floor" in oops.text


async def test_a_post_without_the_csrf_token_is_refused(shop: httpx.AsyncClient) -> None:
    await shop.get("/login", headers=BROWSER)
    forged = await shop.post(
        "/login", headers=BROWSER, data={"email": "d@jwt.com", "password": "diner"}
    )
    assert forged.status_code == 403
    assert "jwtpizza_session" not in forged.headers.get("set-cookie", "")
    wrong = await shop.post(
        "/login",
        headers=BROWSER,
        data={"email": "d@jwt.com", "password": "diner", "csrf_token": "x"},
    )
    assert wrong.status_code == 403


async def test_login_sets_an_httponly_samesite_session_and_logout_revokes_it(
    shop: httpx.AsyncClient,
) -> None:
    answer = await log_in(shop, "d@jwt.com", "diner")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "jwtpizza_session" in c)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = shop.cookies["jwtpizza_session"]
    assert (await shop.get("/api/user/me", headers={"Authorization": f"Bearer {token}"})).is_success
    page = await shop.get("/logout", headers=BROWSER)
    await shop.post("/logout", headers=BROWSER, data={"csrf_token": csrf_of(page)})
    assert (
        await shop.get("/api/user/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401


async def test_verify_shows_invalid_when_the_factory_says_so(shop: httpx.AsyncClient) -> None:
    await log_in(shop, "d@jwt.com", "diner")
    menu = await shop.get("/menu", headers=BROWSER)
    token = csrf_of(menu)
    await shop.post(
        "/menu/cart", headers=BROWSER, data={"store": "1:1", "add": "1", "csrf_token": token}
    )
    paid = await shop.post("/payment", headers=BROWSER, data={"csrf_token": token})
    assert paid.status_code == 303, paid.text
    delivery = await shop.get(paid.headers["location"], headers=BROWSER)
    assert "eyJ" in delivery.text
    verdict = await shop.post(
        f"{paid.headers['location']}/verify",
        headers={**BROWSER, "HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "JWT Pizza - invalid" in verdict.text
    assert "jwt invalid" in verdict.text
    assert "invalid JWT. Looks like you have a bad pizza!" in verdict.text


async def test_robots_keep_out_of_the_dashboards(shop: httpx.AsyncClient) -> None:
    robots = await shop.get("/robots.txt")
    assert "Disallow: /admin-dashboard/" in robots.text


async def test_pizza_pictures_are_svg_and_always_the_same(shop: httpx.AsyncClient) -> None:
    first, again = await shop.get("/pizzas/pizza3.png"), await shop.get("/pizzas/pizza3.svg")
    assert first.headers["content-type"] == "image/svg+xml"
    assert first.text == again.text and "<circle" in first.text
    assert first.text != (await shop.get("/pizzas/pizza4.svg")).text


async def test_bad_page_addresses_are_explained_in_html(shop: httpx.AsyncClient) -> None:
    await log_in(shop, "d@jwt.com", "diner")
    bad = await shop.get("/delivery/not-a-number", headers=BROWSER)
    assert bad.status_code == 400 and "This page cannot be shown: order_id" in bad.text
    someone_elses = await shop.get("/delivery/999999", headers=BROWSER)
    assert someone_elses.status_code == 404 and "<h1>Sorry</h1>" in someone_elses.text
    for answer in (bad, someone_elses):
        assert "Traceback" not in answer.text


async def test_names_are_escaped_in_pages_and_in_the_delete_confirmation(
    shop: httpx.AsyncClient,
) -> None:
    hostile = "<script>alert(1)</script>');alert(2);('"
    registered = await shop.post(
        "/api/auth", json={"name": hostile, "email": "evil@jwt.com", "password": "pizza-pass"}
    )
    assert registered.is_success, registered.text
    await log_in(shop, "a@jwt.com", "admin")
    page = await shop.get("/admin-dashboard", params={"user": "script"}, headers=BROWSER)
    assert "evil@jwt.com" in page.text
    assert "<script>alert(1)" not in page.text and "');alert(2)" not in page.text
