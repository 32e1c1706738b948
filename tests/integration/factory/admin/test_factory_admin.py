"""Admin endpoints, badges, logs, docs, key rotation."""

from __future__ import annotations

from typing import Any

import jwt

from tests.integration.factory.factory_kit import Factory, auth, order_body


async def test_admin_endpoints_need_an_admin(factory: Factory) -> None:
    key = await factory.vendor()
    for method, path in (
        ("GET", "/api/admin/vendors"),
        ("PUT", "/api/admin/role"),
        ("DELETE", "/api/admin/vendor"),
    ):
        got = await factory.client.request(method, path, json={}, headers=auth(key))
        assert (got.status_code, got.json()) == (401, {"message": "invalid authentication"})


async def test_admin_lists_vendors_with_fix_codes(factory: Factory) -> None:
    key = await factory.vendor()
    admin = await factory.login("instructor")
    await factory.client.put("/api/vendor/chaos/fail", json={"start": "now"}, headers=auth(key))
    rows = (await factory.client.get("/api/admin/vendors", headers=auth(admin))).json()
    by_id = {row["id"]: row for row in rows}
    assert {"demo", "instructor", "pizzeria"} <= set(by_id)
    assert by_id["pizzeria"]["chaos"]["fixCode"]
    assert by_id["instructor"]["roles"] == ["admin", "vendor"]


async def test_admin_grants_and_revokes_admin(factory: Factory) -> None:
    key = await factory.vendor()
    admin = await factory.login("instructor")
    got = await factory.client.put(
        "/api/admin/role", json={"id": "pizzeria", "roles": ["admin"]}, headers=auth(admin)
    )
    assert got.json()["roles"] == ["admin", "vendor"]
    assert (await factory.client.get("/api/admin/vendors", headers=auth(key))).status_code == 200
    await factory.client.put(
        "/api/admin/role", json={"id": "pizzeria", "roles": []}, headers=auth(admin)
    )
    assert (await factory.client.get("/api/admin/vendors", headers=auth(key))).status_code == 401
    got = await factory.client.put("/api/admin/role", json={"id": "pizzeria"}, headers=auth(admin))
    assert (got.status_code, got.json()) == (400, {"message": "Missing required parameter"})


async def test_admin_deletes_connection_chaos_and_vendor(factory: Factory) -> None:
    one, two = await factory.vendor("one"), await factory.vendor("two")
    admin = await factory.login("instructor")
    for key in (one, two):
        await factory.client.post(
            "/api/vendor/connect", json={"purpose": "penetrationTest"}, headers=auth(key)
        )
    got = await factory.client.request(
        "DELETE",
        "/api/admin/vendor",
        json={"id": "one", "deleteType": "connection", "purpose": "penetrationTest"},
        headers=auth(admin),
    )
    assert got.status_code == 204
    assert (await factory.client.get("/api/vendor", headers=auth(one))).json()["connections"] == {}
    assert (await factory.client.get("/api/vendor", headers=auth(two))).json()["connections"][
        "penetrationTest"
    ]["id"] is None
    await factory.client.put("/api/vendor/chaos/fail", json={"start": "now"}, headers=auth(one))
    await factory.client.request(
        "DELETE",
        "/api/admin/vendor",
        json={"id": "one", "deleteType": "chaos"},
        headers=auth(admin),
    )
    assert (
        await factory.client.post("/api/order", json=order_body(), headers=auth(one))
    ).status_code == 200
    await factory.client.request(
        "DELETE", "/api/admin/vendor", json={"id": "one", "deleteType": "all"}, headers=auth(admin)
    )
    assert (await factory.client.get("/api/vendor/one")).json() == {"exists": False}
    assert (await factory.client.get("/api/vendor", headers=auth(one))).status_code == 401


async def test_badges_are_written_by_their_owner_only(factory: Factory) -> None:
    key = await factory.vendor("abc")
    other = await factory.vendor("other")
    params = {"label": "Coverage", "value": "91.5%", "color": "#00aa00"}
    got = await factory.client.post(
        "/api/badge/abc/jwtpizzacoverage", params=params, headers=auth(key)
    )
    assert got.json() == {"url": "http://factory.test/api/badge/abc/jwtpizzacoverage"}
    svg = await factory.client.get("/api/badge/abc/jwtpizzacoverage")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "91.5%" in svg.text
    got = await factory.client.post(
        "/api/badge/abc/jwtpizzacoverage", params={"value": "0%"}, headers=auth(other)
    )
    assert got.status_code == 403
    assert "91.5%" in (await factory.client.get("/api/badge/abc/jwtpizzacoverage")).text
    assert (await factory.client.post("/api/badge/abc/x")).status_code == 401


async def test_missing_badge_is_a_not_found_svg_and_markup_is_escaped(factory: Factory) -> None:
    key = await factory.vendor("abc")
    assert "Not Found" in (await factory.client.get("/api/badge/abc/nothing")).text
    await factory.client.post("/api/badge/abc/b", params={"value": "<script>"}, headers=auth(key))
    assert "<script>" not in (await factory.client.get("/api/badge/abc/b")).text


async def test_log_endpoints(factory: Factory) -> None:
    key = await factory.vendor()
    admin = await factory.login("instructor")
    assert (
        await factory.client.post("/api/log", json={"x": 1}, headers=auth(key))
    ).text == "Log received"
    await factory.client.put("/api/log", json={"message": "noted"}, headers=auth(admin))
    assert (await factory.client.post("/api/log", headers=auth(key))).text == "noted"
    assert (
        await factory.client.put("/api/log", json={"message": "x"}, headers=auth(key))
    ).status_code == 401


async def test_docs_and_unknown_endpoints(factory: Factory) -> None:
    docs = (await factory.client.get("/api/docs")).json()
    assert docs["message"] == "welcome to JWT Pizza Factory"
    paths = {(e["method"], e["path"]) for e in docs["endpoints"]}
    assert ("POST", "/api/order") in paths
    assert ("GET", "/api/support/:token/report/:fixCode") in paths
    assert ("GET", "/api/vendor/:vendorId") in paths
    # The service's shape (reference 1.1): every entry has an example and a sample response.
    for entry in docs["endpoints"]:
        assert {"method", "path", "requiresAuth", "description", "example", "response"} <= set(
            entry
        ), entry
        assert entry["example"].startswith("curl "), entry
        assert entry["method"] == "GET" or f"-X {entry['method']}" in entry["example"], entry
    got = await factory.client.get("/api/nothing")
    assert (got.status_code, got.json()) == (404, {"message": "unknown endpoint"})


async def jwks(factory: Factory) -> dict[str, Any]:
    body: dict[str, Any] = (await factory.client.get("/.well-known/jwks.json")).json()
    return body


async def test_key_rotation_keeps_old_keys_until_their_pizzas_expire(factory: Factory) -> None:
    key = await factory.vendor()
    admin = await factory.login("instructor")
    old = (await factory.client.post("/api/order", json=order_body(), headers=auth(key))).json()[
        "jwt"
    ]
    old_kid = jwt.get_unverified_header(old)["kid"]
    rotated = await factory.client.post("/api/admin/keys/rotate", headers=auth(admin))
    new_kid = rotated.json()["kid"]
    assert new_kid != old_kid
    new = (await factory.client.post("/api/order", json=order_body(), headers=auth(key))).json()[
        "jwt"
    ]
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    assert {k["kid"] for k in (await jwks(factory))["keys"]} == {old_kid, new_kid}
    keyset = jwt.PyJWKSet.from_dict(await jwks(factory))
    jwt.decode(old, keyset[old_kid], algorithms=["RS256"])  # independent check: still valid
    assert (await factory.client.post("/api/order/verify", json={"jwt": old})).status_code == 200
    factory.clock.advance(24 * 3600 + 1)
    assert {k["kid"] for k in (await jwks(factory))["keys"]} == {new_kid}
    assert (await factory.client.post("/api/order/verify", json={"jwt": old})).status_code == 403


async def test_keys_persist_across_restarts(make_factory: Any) -> None:
    first = await make_factory()
    kid = (await jwks(first))["keys"][0]["kid"]
    second = await make_factory()
    assert [k["kid"] for k in (await jwks(second))["keys"]] == [kid]


async def test_a_replica_picks_up_a_rotation_and_parses_each_key_once(make_factory: Any) -> None:
    first, second = await make_factory(), await make_factory()
    ring = second.app.state.context.keys
    (old,) = ring.published()
    admin = await first.login("instructor")
    new_kid = (await first.client.post("/api/admin/keys/rotate", headers=auth(admin))).json()["kid"]
    second.clock.advance(second.settings.key_refresh_seconds + 1)
    key = await second.vendor()
    pizza = await second.client.post("/api/order", json=order_body(), headers=auth(key))
    assert jwt.get_unverified_header(pizza.json()["jwt"])["kid"] == new_kid
    kept = ring.by_kid(old.kid)
    assert kept is not None and kept.retired is not None
    assert kept.private is old.private  # the refresh reused the parsed key
