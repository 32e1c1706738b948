"""Clients written for the original, as the course's own API tests are, get its answers:
a one-letter password registers, `GET /api/auth` is an unknown endpoint, `PUT /api/auth {}`
an unknown user, and a store for franchise -1 is refused as not the caller's (403)."""

from __future__ import annotations

from tests.integration.service.conftest import MakeShop, Shop


async def test_registering_with_the_password_a_is_accepted_by_default(shop: Shop) -> None:
    body = {"name": "pizza tester", "email": "tester@test.com", "password": "a"}
    registered = await shop.client.post("/api/auth", json=body)
    assert registered.status_code == 200, registered.text
    login = await shop.client.put("/api/auth", json={"email": body["email"], "password": "a"})
    assert login.status_code == 200 and login.json()["token"]


async def test_a_stricter_password_policy_is_a_setting(make_shop: MakeShop) -> None:
    shop = await make_shop(password_min_length=4)
    body = {"name": "pizza tester", "email": "tester@test.com", "password": "a"}
    refused = await shop.client.post("/api/auth", json=body)
    assert refused.status_code == 400
    assert refused.json() == {"message": "password: must be at least 4 characters"}


async def test_get_on_the_auth_endpoint_is_an_unknown_endpoint(shop: Shop) -> None:
    answer = await shop.client.get("/api/auth")
    assert answer.status_code == 404
    assert answer.json() == {"message": "unknown endpoint"}


async def test_a_login_with_nothing_is_an_unknown_user(shop: Shop) -> None:
    answer = await shop.client.put("/api/auth", json={})
    assert answer.status_code == 404
    assert answer.json() == {"message": "unknown user"}


async def test_a_store_for_franchise_minus_one_is_refused_with_403(shop: Shop) -> None:
    for email, password in (("d@jwt.com", "diner"), ("f@jwt.com", "franchisee")):
        auth = shop.bearer(await shop.login(email, password))
        created = await shop.client.post(
            "/api/franchise/-1/store", json={"name": "nowhere"}, headers=auth
        )
        assert created.status_code == 403, (email, created.text)
        assert created.json() == {"message": "unable to create a store"}
        deleted = await shop.client.delete("/api/franchise/-1/store/1", headers=auth)
        assert deleted.status_code == 403
        assert deleted.json() == {"message": "unable to delete a store"}


async def test_an_admin_asking_for_franchise_minus_one_finds_none(shop: Shop) -> None:
    auth = shop.bearer(await shop.login("a@jwt.com", "admin"))
    answer = await shop.client.post("/api/franchise/-1/store", json={"name": "x"}, headers=auth)
    assert answer.status_code == 404
