"""Orders, verify, JWKS and idempotency, checked with an independent PyJWT call."""

from __future__ import annotations

from typing import Any

import jwt

from tests.integration.factory.factory_kit import Factory, auth, order_body


async def jwks_set(factory: Factory) -> jwt.PyJWKSet:
    got = await factory.client.get("/.well-known/jwks.json")
    assert got.status_code == 200
    return jwt.PyJWKSet.from_dict(got.json())


async def independent_verify(factory: Factory, token: str) -> dict[str, Any]:
    """Verify with PyJWT and the published JWKS only, no factory code."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = (await jwks_set(factory))[kid]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], issuer="cs329.click")
    return claims


async def test_a_pizza_is_an_rs256_jwt_with_kid_and_standard_claims(factory: Factory) -> None:
    key = await factory.vendor("pizzeria")
    got = await factory.client.post("/api/order", json=order_body(278), headers=auth(key))
    assert got.status_code == 200
    assert set(got.json()) == {"jwt"}
    token = got.json()["jwt"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"]
    claims = await independent_verify(factory, token)
    assert claims["exp"] - claims["iat"] == 24 * 3600
    assert claims["iat"] == int(factory.clock.now().timestamp())
    assert claims["vendor"] == {"id": "pizzeria", "name": "pizzeria pizza"}
    assert claims["diner"] == order_body()["diner"]
    assert claims["order"]["id"] == 278


async def test_jwks_publishes_rsa_public_keys_only(factory: Factory) -> None:
    keys = (await factory.client.get("/.well-known/jwks.json")).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["e"] == "AQAB" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]


async def test_verify_answers_valid_with_the_payload(factory: Factory) -> None:
    key = await factory.vendor()
    token = (await factory.client.post("/api/order", json=order_body(), headers=auth(key))).json()[
        "jwt"
    ]
    got = await factory.client.post("/api/order/verify", json={"jwt": token})
    assert got.status_code == 200
    assert got.json()["message"] == "valid"
    assert got.json()["payload"]["order"]["id"] == 1


async def test_verify_rejects_garbage_tampering_and_expiry(factory: Factory) -> None:
    key = await factory.vendor()
    token = (await factory.client.post("/api/order", json=order_body(), headers=auth(key))).json()[
        "jwt"
    ]
    head, _body, sig = token.split(".")
    other = (await factory.client.post("/api/order", json=order_body(2), headers=auth(key))).json()[
        "jwt"
    ]
    for bad in ("bogus", "", f"{head}.{other.split('.')[1]}.{sig}"):
        got = await factory.client.post("/api/order/verify", json={"jwt": bad})
        assert (got.status_code, got.json()) == (403, {"message": "invalid"})
    factory.clock.advance(24 * 3600 + 1)
    got = await factory.client.post("/api/order/verify", json={"jwt": token})
    assert got.status_code == 403


async def test_order_needs_a_valid_api_key(factory: Factory) -> None:
    await factory.vendor()
    for headers in ({}, auth("not-a-key"), {"Authorization": "Basic xyz"}):
        got = await factory.client.post("/api/order", json=order_body(), headers=headers)
        assert (got.status_code, got.json()) == (401, {"message": "invalid authentication"})


async def test_bearer_prefix_is_optional_and_case_insensitive(factory: Factory) -> None:
    key = await factory.vendor()
    for value in (key, f"bearer {key}", f"BEARER {key}"):
        got = await factory.client.post(
            "/api/order", json=order_body(), headers={"Authorization": value}
        )
        assert got.status_code == 200


async def test_missing_diner_or_order_is_400(factory: Factory) -> None:
    key = await factory.vendor()
    for body in ({}, {"diner": {"id": 1}}, {"order": {"items": []}}):
        got = await factory.client.post("/api/order", json=body, headers=auth(key))
        assert (got.status_code, got.json()) == (400, {"message": "Missing required parameters"})


async def test_empty_or_over_twenty_items_fill_the_oven_after_the_delay(factory: Factory) -> None:
    key = await factory.vendor()
    for items in (0, 21):
        before = factory.clock.monotonic()
        got = await factory.client.post(
            "/api/order", json=order_body(items=items), headers=auth(key)
        )
        assert got.status_code == 503
        assert got.json() == {"message": "Unable to satisfy pizza order. The oven is full."}
        assert factory.clock.monotonic() - before == 32
    got = await factory.client.post("/api/order", json=order_body(items=20), headers=auth(key))
    assert got.status_code == 200


async def test_oven_delay_is_configurable(make_factory: Any) -> None:
    factory = await make_factory(order_delay_seconds=1.5)
    key = await factory.vendor()
    before = factory.clock.monotonic()
    await factory.client.post("/api/order", json=order_body(items=0), headers=auth(key))
    assert factory.clock.monotonic() - before == 1.5


async def test_an_idempotency_key_returns_the_same_pizza(factory: Factory) -> None:
    key = await factory.vendor()
    headers = {**auth(key), "Idempotency-Key": "order-42"}
    first = await factory.client.post("/api/order", json=order_body(42), headers=headers)
    factory.clock.advance(5)
    again = await factory.client.post("/api/order", json=order_body(42), headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["jwt"] == again.json()["jwt"]
    fresh = await factory.client.post("/api/order", json=order_body(42), headers=auth(key))
    assert fresh.json()["jwt"] != first.json()["jwt"]


async def test_an_idempotency_key_reused_for_another_order_is_409(factory: Factory) -> None:
    key = await factory.vendor()
    headers = {**auth(key), "Idempotency-Key": "order-42"}
    await factory.client.post("/api/order", json=order_body(42), headers=headers)
    got = await factory.client.post("/api/order", json=order_body(43), headers=headers)
    assert got.status_code == 409


async def test_idempotency_keys_are_per_vendor(factory: Factory) -> None:
    one, two = await factory.vendor("one"), await factory.vendor("two")
    a = await factory.client.post(
        "/api/order", json=order_body(), headers={**auth(one), "Idempotency-Key": "k"}
    )
    b = await factory.client.post(
        "/api/order", json=order_body(), headers={**auth(two), "Idempotency-Key": "k"}
    )
    assert a.json()["jwt"] != b.json()["jwt"]
    assert (await independent_verify(factory, b.json()["jwt"]))["vendor"]["id"] == "two"


async def test_a_pizza_made_during_chaos_is_not_replayed_after_the_fix(factory: Factory) -> None:
    key = await factory.vendor()
    headers = {**auth(key), "Idempotency-Key": "order-9"}
    await factory.client.put("/api/vendor/chaos/badjwt", json={"start": "now"}, headers=auth(key))
    bad = await factory.client.post("/api/order", json=order_body(9), headers=headers)
    assert (await factory.client.get(bad.json()["reportUrl"])).status_code == 200
    good = await factory.client.post("/api/order", json=order_body(9), headers=headers)
    assert good.json()["jwt"] != bad.json()["jwt"]
    await independent_verify(factory, good.json()["jwt"])
