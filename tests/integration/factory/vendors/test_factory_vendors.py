"""Vendor accounts, the email-code login, and pen-test partners."""

from __future__ import annotations

from typing import Any

from tests.integration.factory.factory_kit import Factory, MakeFactory, auth


async def test_create_vendor_and_exists(factory: Factory) -> None:
    got = await factory.client.post("/api/vendor", json={"id": "abc", "name": "ABC", "apiKey": "x"})
    assert got.status_code == 200
    assert got.json()["email"] == "abc@byu.edu" and "apiKey" not in got.json()
    assert (await factory.client.get("/api/vendor/abc")).json() == {"exists": True}
    assert (await factory.client.get("/api/vendor/zzz")).json() == {"exists": False}


async def test_create_vendor_errors(factory: Factory) -> None:
    got = await factory.client.post("/api/vendor", json={"name": "no id"})
    assert (got.status_code, got.json()) == (400, {"message": "Missing param. Must have ID"})
    await factory.client.post("/api/vendor", json={"id": "abc"})
    got = await factory.client.post("/api/vendor", json={"id": "abc"})
    assert (got.status_code, got.json()) == (409, {"message": "Vendor already exists"})


async def test_get_me_needs_a_key(factory: Factory) -> None:
    key = await factory.vendor("abc")
    me = await factory.client.get("/api/vendor", headers=auth(key))
    assert me.json()["id"] == "abc" and me.json()["roles"] == ["vendor"]
    assert me.json()["chaos"] == {"type": "none"}
    assert (await factory.client.get("/api/vendor")).status_code == 401


async def test_code_login_sends_mail_and_returns_the_key(factory: Factory) -> None:
    await factory.client.post("/api/vendor", json={"id": "abc", "email": "abc@byu.edu"})
    got = await factory.client.post("/api/vendor/code", json={"id": "abc"})
    assert got.json() == {"email": "abc@byu.edu"}
    mail = factory.mailer.sent[-1]
    assert (mail.to, mail.subject) == ("abc@byu.edu", "BYU CS 329 JWT Pizza Factory")
    code = factory.mailer.last_code()
    got = await factory.client.post("/api/vendor/auth", json={"id": "abc", "code": code})
    assert got.status_code == 200 and len(got.json()["apiKey"]) == 32


async def test_codes_are_single_use(factory: Factory) -> None:
    await factory.client.post("/api/vendor", json={"id": "abc"})
    await factory.client.post("/api/vendor/code", json={"id": "abc"})
    code = factory.mailer.last_code()
    assert (
        await factory.client.post("/api/vendor/auth", json={"id": "abc", "code": code})
    ).status_code == 200
    got = await factory.client.post("/api/vendor/auth", json={"id": "abc", "code": code})
    assert (got.status_code, got.json()) == (401, {"message": "Invalid code"})


async def test_codes_expire(factory: Factory) -> None:
    await factory.client.post("/api/vendor", json={"id": "abc"})
    await factory.client.post("/api/vendor/code", json={"id": "abc"})
    factory.clock.advance(601)
    got = await factory.client.post(
        "/api/vendor/auth", json={"id": "abc", "code": factory.mailer.last_code()}
    )
    assert got.status_code == 401


async def test_attempts_are_limited(factory: Factory) -> None:
    await factory.client.post("/api/vendor", json={"id": "abc"})
    await factory.client.post("/api/vendor/code", json={"id": "abc"})
    for _ in range(5):
        got = await factory.client.post("/api/vendor/auth", json={"id": "abc", "code": "00000000"})
        assert got.status_code == 401
    got = await factory.client.post(
        "/api/vendor/auth", json={"id": "abc", "code": factory.mailer.last_code()}
    )
    assert got.status_code == 401  # the right code no longer works after 5 misses


async def test_code_for_unknown_vendor_is_404_and_mail_failure_is_500(factory: Factory) -> None:
    got = await factory.client.post("/api/vendor/code", json={"id": "ghost"})
    assert (got.status_code, got.json()) == (404, {"message": "Vendor not found"})
    await factory.client.post("/api/vendor", json={"id": "abc"})
    factory.mailer.fail = True
    got = await factory.client.post("/api/vendor/code", json={"id": "abc"})
    assert (got.status_code, got.json()) == (
        500,
        {"message": "Unable to send authorization code to abc@byu.edu"},
    )


async def test_update_self_and_clear_a_field(factory: Factory) -> None:
    key = await factory.vendor("abc", phone="801-555-0000")
    got = await factory.client.put(
        "/api/vendor", json={"id": "abc", "name": "New", "phone": None}, headers=auth(key)
    )
    assert got.status_code == 200
    assert (got.json()["name"], got.json()["phone"]) == ("New", None)


async def test_update_rules(factory: Factory) -> None:
    key = await factory.vendor("abc")
    await factory.vendor("other")
    admin = await factory.login("instructor")
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        (key, {"name": "x"}, 400, "Missing required parameter: id"),
        (key, {"id": "other", "name": "x"}, 401, "Unauthorized"),
        (admin, {"id": "ghost", "name": "x"}, 404, "Vendor not found"),
    ]
    for who, body, status, message in cases:
        got = await factory.client.put("/api/vendor", json=body, headers=auth(who))
        assert (got.status_code, got.json()["message"]) == (status, message)
    got = await factory.client.put(
        "/api/vendor", json={"id": "other", "name": "by admin"}, headers=auth(admin)
    )
    assert got.json()["name"] == "by admin"


async def test_partners_pair_by_purpose_and_rate(factory: Factory) -> None:
    one, two = await factory.vendor("one", website="https://one"), await factory.vendor("two")
    got = await factory.client.post(
        "/api/vendor/connect", json={"purpose": "penetrationTest"}, headers=auth(one)
    )
    assert got.json()["connections"]["penetrationTest"]["id"] is None
    got = await factory.client.post(
        "/api/vendor/connect", json={"purpose": "penetrationTest"}, headers=auth(two)
    )
    partner = got.json()["connections"]["penetrationTest"]
    assert (partner["id"], partner["website"]) == ("one", "https://one")
    me = await factory.client.get("/api/vendor", headers=auth(one))
    assert me.json()["connections"]["penetrationTest"]["id"] == "two"
    rated = await factory.client.put(
        "/api/vendor/connect",
        json={"id": "two", "purpose": "penetrationTest", "rating": 4},
        headers=auth(one),
    )
    assert rated.status_code == 200 and rated.content == b""
    me = await factory.client.get("/api/vendor", headers=auth(one))
    assert me.json()["connections"]["penetrationTest"]["rating"] == 4


async def test_connect_rejects_unknown_purposes_and_bad_ratings(factory: Factory) -> None:
    key = await factory.vendor()
    got = await factory.client.post(
        "/api/vendor/connect", json={"purpose": "party"}, headers=auth(key)
    )
    assert (got.status_code, got.json()) == (400, {"message": "Invalid purpose"})
    got = await factory.client.put(
        "/api/vendor/connect",
        json={"id": "x", "purpose": "penetrationTest", "rating": 9},
        headers=auth(key),
    )
    assert got.status_code == 400


async def test_code_requests_are_limited_per_vendor_and_per_address(
    make_factory: MakeFactory,
) -> None:
    factory = await make_factory(
        code_requests_per_vendor=2, code_requests_per_address=3, code_requests_window_seconds=60
    )
    for vendor_id in ("abc", "xyz"):
        await factory.client.post("/api/vendor", json={"id": vendor_id})
    for _ in range(2):
        assert (
            await factory.client.post("/api/vendor/code", json={"id": "abc"})
        ).status_code == 200
    factory.clock.advance(10)
    got = await factory.client.post("/api/vendor/code", json={"id": "abc"})
    assert (got.status_code, got.headers["Retry-After"]) == (429, "50")
    assert got.json()["message"] == "too many code requests; try again later"
    assert (await factory.client.post("/api/vendor/code", json={"id": "xyz"})).status_code == 200
    got = await factory.client.post("/api/vendor/code", json={"id": "xyz"})
    assert got.status_code == 429  # this address has used its three
    factory.clock.advance(50)
    assert (await factory.client.post("/api/vendor/code", json={"id": "abc"})).status_code == 200
    assert len(factory.mailer.sent) == 4
