"""The service's edge: welcome, docs, unknown routes, errors and CORS."""

from __future__ import annotations

from tests.integration.service.conftest import MakeShop, Shop


async def test_welcome_and_docs(shop: Shop) -> None:
    root = (await shop.client.get("/")).json()
    assert root["message"] == "welcome to JWT Pizza" and root["version"]
    docs = (await shop.client.get("/api/docs")).json()
    assert docs["version"] == root["version"]
    paths = {(e["method"], e["path"]) for e in docs["endpoints"]}
    assert ("PUT", "/api/auth") in paths and ("POST", "/api/order") in paths
    assert all({"requiresAuth", "description", "example", "response"} <= e.keys()
               for e in docs["endpoints"])  # fmt: skip
    assert "config" not in docs
    assert (await shop.client.get("/docs")).status_code == 200
    assert (await shop.client.get("/openapi.json")).json()["paths"]["/api/order"]


async def test_docs_never_show_the_database_or_secrets(make_shop: MakeShop) -> None:
    shop = await make_shop(docs_show_config=True)
    text = (await shop.client.get("/api/docs")).text
    assert "factory.test" in text
    assert "sqlite" not in text and "vendor-api-key" not in text


async def test_unknown_endpoint(shop: Shop) -> None:
    response = await shop.client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json() == {"message": "unknown endpoint"}


async def test_malformed_json_gets_a_plain_400(shop: Shop) -> None:
    response = await shop.client.put(
        "/api/auth", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "request body is not valid JSON"}


async def test_errors_carry_no_stack(shop: Shop) -> None:
    response = await shop.client.put("/api/auth", json={"email": 5, "password": []})
    assert response.status_code == 400
    assert set(response.json()) == {"message"}


async def test_cors_allows_listed_origins_only(shop: Shop) -> None:
    preflight = {"Access-Control-Request-Method": "PUT"}
    allowed = await shop.client.options(
        "/api/auth", headers={"Origin": "http://localhost:5173", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    evil = await shop.client.options(
        "/api/auth", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in evil.headers
    simple = await shop.client.get("/api/order/menu", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_health_endpoints(shop: Shop) -> None:
    assert (await shop.client.get("/healthz")).json() == {"status": "ok"}
    assert (await shop.client.get("/readyz")).json()["database"] == "ok"


async def test_out_of_range_ids_and_overlong_fields_are_400s_on_every_backend(shop: Shop) -> None:
    """Inputs a driver would overflow on (a 500 on MariaDB or PostgreSQL) are refused first."""
    admin = await shop.login("a@jwt.com", "admin")
    huge = 99999999999999999999
    path = await shop.client.get(f"/api/franchise/{huge}", headers=shop.bearer(admin))
    assert path.status_code == 400 and path.json()["message"].startswith("user_id")
    order = await shop.order(admin, storeId=huge)
    assert order.status_code == 400 and order.json()["message"].startswith("storeId")
    name = await shop.client.post(
        "/api/auth", json={"name": "x" * 256, "email": "long@jwt.com", "password": "abcdef"}
    )
    assert name.status_code == 400 and name.json()["message"].startswith("name")
    price = await shop.client.put(
        "/api/order/menu",
        json={"title": "Gold", "description": "", "image": "", "price": 10000},
        headers=shop.bearer(admin),
    )
    assert price.status_code == 400 and price.json()["message"].startswith("price")
    users = await shop.client.get("/api/user?name=*long*", headers=shop.bearer(admin))
    assert users.json()["users"] == []
