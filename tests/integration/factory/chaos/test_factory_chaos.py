"""Every chaos type's effect on an order, every scheduling mode, and the report link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jwt
import pytest

from jwtpizza.factory.chaos.domain import ChaosType
from tests.integration.factory.factory_kit import Factory, auth, order_body


async def chaos(factory: Factory, key: str, kind: str, **body: Any) -> None:
    got = await factory.client.put(
        f"/api/vendor/chaos/{kind}", json={"start": "now", **body}, headers=auth(key)
    )
    assert (got.status_code, got.json()) == (200, {"message": "Chaos initiated"}), got.text


async def order(factory: Factory, key: str, order_id: int = 1) -> Any:
    return await factory.client.post("/api/order", json=order_body(order_id), headers=auth(key))


async def verify(factory: Factory, token: str) -> int:
    return (await factory.client.post("/api/order/verify", json={"jwt": token})).status_code


async def test_fail_answers_500_chaos_monkey_with_a_report_url(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "fail")
    got = await order(factory, key)
    assert got.status_code == 500
    assert got.json()["message"] == "chaos monkey"
    url = got.json()["reportUrl"]
    assert url.startswith("http://factory.test/api/support/") and "/report/" in url
    assert key not in url


async def test_the_report_link_resolves_and_orders_work_again(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "fail")
    url = (await order(factory, key)).json()["reportUrl"]
    got = await factory.client.get(url)
    assert (got.status_code, got.json()) == (
        200,
        {"message": "Problem resolved. Pizza is back on the menu!"},
    )
    assert (await order(factory, key)).status_code == 200
    again = await factory.client.get(url)
    assert (again.status_code, again.json()) == (200, {"message": "No chaos currently executing"})


async def test_a_wrong_fix_code_is_problem_unresolved(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "fail")
    url = (await order(factory, key)).json()["reportUrl"]
    got = await factory.client.get(url.rsplit("/", 1)[0] + "/wrongcode")
    assert (got.status_code, got.json()) == (400, {"message": "Problem unresolved"})
    assert (await order(factory, key)).status_code == 500


async def test_an_unknown_token_is_no_chaos(factory: Factory) -> None:
    got = await factory.client.get("/api/support/nope/report/abc")
    assert (got.status_code, got.json()) == (200, {"message": "No chaos currently executing"})


async def test_throttle_is_slow_but_successful(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "throttle")
    before = factory.clock.monotonic()
    got = await order(factory, key)
    assert factory.clock.monotonic() - before == 32
    assert got.status_code == 200 and got.json()["reportUrl"]
    assert await verify(factory, got.json()["jwt"]) == 200


async def test_throttle_delay_is_a_parameter(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "throttle", delaySeconds=4)
    before = factory.clock.monotonic()
    await order(factory, key)
    assert factory.clock.monotonic() - before == 4


async def test_badjwt_is_200_with_a_pizza_that_does_not_verify(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "badjwt")
    got = await order(factory, key)
    assert got.status_code == 200 and got.json()["reportUrl"]
    assert await verify(factory, got.json()["jwt"]) == 403


async def test_jwt_expired_is_well_signed_but_expired(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "jwt-expired")
    token = (await order(factory, key)).json()["jwt"]
    assert await verify(factory, token) == 403
    jwks = jwt.PyJWKSet.from_dict((await factory.client.get("/.well-known/jwks.json")).json())
    signing_key = jwks[jwt.get_unverified_header(token)["kid"]]
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, signing_key, algorithms=["RS256"])
    claims = jwt.decode(token, signing_key, algorithms=["RS256"], options={"verify_exp": False})
    assert claims["order"]["id"] == 1


async def test_jwt_unknown_kid_is_signed_by_a_key_not_in_the_jwks(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "jwt-unknown-kid")
    token = (await order(factory, key)).json()["jwt"]
    kids = [k["kid"] for k in (await factory.client.get("/.well-known/jwks.json")).json()["keys"]]
    assert jwt.get_unverified_header(token)["kid"] not in kids
    assert await verify(factory, token) == 403


async def test_jwt_wrong_order_verifies_but_names_another_order(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "jwt-wrong-order")
    got = await factory.client.post(
        "/api/order/verify", json={"jwt": (await order(factory, key, 77)).json()["jwt"]}
    )
    assert got.status_code == 200
    assert got.json()["payload"]["order"]["id"] != 77


async def test_auth_rejects_the_key_with_401_and_a_report_url(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "auth")
    got = await order(factory, key)
    assert got.status_code == 401
    assert got.json()["message"] == "invalid authentication" and got.json()["reportUrl"]
    assert (await factory.client.get("/api/vendor", headers=auth(key))).status_code == 200


async def test_ratelimit_is_429_with_retry_after(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "ratelimit", retryAfterSeconds=12)
    got = await order(factory, key)
    assert got.status_code == 429
    assert got.headers["Retry-After"] == "12"
    assert got.json()["reportUrl"]


async def test_flaky_fails_the_given_percentage(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "flaky", percent=30)
    statuses = [(await order(factory, key, n)).status_code for n in range(200)]
    failed = statuses.count(500)
    assert set(statuses) == {200, 500}
    assert 40 <= failed <= 80  # 30% of 200, seeded random source


async def test_flaky_at_100_percent_always_fails(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "flaky", percent=100)
    assert {(await order(factory, key, n)).status_code for n in range(10)} == {500}


async def test_outage_hang_holds_the_order_until_it_ends_by_itself(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "outage", durationSeconds=720)
    before = factory.clock.monotonic()
    got = await order(factory, key)
    assert factory.clock.monotonic() - before == pytest.approx(720)
    assert got.status_code == 200  # the outage ended by itself while the request waited
    events = (await factory.client.get("/api/chaos/events", headers=auth(key))).json()["events"]
    assert [e["event"] for e in events] == ["initiated", "started", "ended"]
    assert events[-1]["reason"] == "expired"


async def test_outage_defaults_to_twelve_minutes(factory: Factory) -> None:
    # `mode=reset` drops the connection; tests/e2e/test_factory_outage_reset.py checks it
    # over a real socket, since an in-process transport cannot represent a dropped exchange.
    key = await factory.vendor()
    await chaos(factory, key, "outage")
    before = factory.clock.monotonic()
    assert (await order(factory, key)).status_code == 200
    assert factory.clock.monotonic() - before == pytest.approx(720)


async def test_a_fault_with_a_duration_ends_by_itself(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "fail", durationSeconds=30)
    assert (await order(factory, key)).status_code == 500
    factory.clock.advance(31)
    assert (await order(factory, key)).status_code == 200


async def test_every_type_is_accepted_and_unknown_types_are_400(factory: Factory) -> None:
    key = await factory.vendor()
    for kind in ChaosType:
        got = await factory.client.put(f"/api/vendor/chaos/{kind.value}", headers=auth(key))
        assert got.status_code == 200
    got = await factory.client.put("/api/vendor/chaos/meteor", headers=auth(key))
    assert (got.status_code, got.json()) == (400, {"message": "Invalid chaos type"})


async def test_default_schedule_is_tomorrow_between_8_and_14_mountain(factory: Factory) -> None:
    key = await factory.vendor()
    assert (
        await factory.client.put("/api/vendor/chaos/fail", headers=auth(key))
    ).status_code == 200
    start = datetime.fromisoformat(
        (await factory.client.get("/api/vendor", headers=auth(key))).json()["chaos"]["startDate"]
    )
    local = start.astimezone(timezone(timedelta(hours=-7)))
    today = factory.clock.now().astimezone(timezone(timedelta(hours=-7))).date()
    assert local.date() == today + timedelta(days=1)
    assert 8 <= local.hour < 14
    assert (await order(factory, key)).status_code == 200  # not yet
    # JSON dates are whole milliseconds (as the original's), so the start is at most 1 ms later.
    factory.clock.advance((start - factory.clock.now()).total_seconds() + 0.001)
    assert (await order(factory, key)).status_code == 500


async def test_schedule_at_a_time(factory: Factory) -> None:
    key = await factory.vendor()
    at = factory.clock.now() + timedelta(minutes=10)
    got = await factory.client.put(
        "/api/vendor/chaos/fail", json={"at": at.isoformat()}, headers=auth(key)
    )
    assert got.status_code == 200
    factory.clock.advance(599)
    assert (await order(factory, key)).status_code == 200
    factory.clock.advance(1)
    assert (await order(factory, key)).status_code == 500


async def test_schedule_within_n_seconds(factory: Factory) -> None:
    key = await factory.vendor()
    await factory.client.put(
        "/api/vendor/chaos/fail", json={"withinSeconds": 120}, headers=auth(key)
    )
    start = datetime.fromisoformat(
        (await factory.client.get("/api/vendor", headers=auth(key))).json()["chaos"]["startDate"]
    )
    assert factory.clock.now() <= start <= factory.clock.now() + timedelta(seconds=120)
    factory.clock.advance(120)
    assert (await order(factory, key)).status_code == 500


async def test_schedule_in_a_window(factory: Factory) -> None:
    key = await factory.vendor()
    now = factory.clock.now()
    window = {
        "start": (now + timedelta(hours=1)).isoformat(),
        "end": (now + timedelta(hours=2)).isoformat(),
    }
    await factory.client.put("/api/vendor/chaos/fail", json={"window": window}, headers=auth(key))
    start = datetime.fromisoformat(
        (await factory.client.get("/api/vendor", headers=auth(key))).json()["chaos"]["startDate"]
    )
    assert now + timedelta(hours=1) <= start <= now + timedelta(hours=2)
    factory.clock.advance(3600 - 1)
    assert (await order(factory, key)).status_code == 200
    factory.clock.advance(3601)
    assert (await order(factory, key)).status_code == 500


async def test_conflicting_schedules_are_400(factory: Factory) -> None:
    key = await factory.vendor()
    got = await factory.client.put(
        "/api/vendor/chaos/fail", json={"start": "now", "withinSeconds": 5}, headers=auth(key)
    )
    assert got.status_code == 400
    assert "at most one" in got.json()["message"]


async def test_the_vendor_never_sees_the_fix_code(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "fail")
    url = (await order(factory, key)).json()["reportUrl"]
    code = url.rsplit("/", 1)[1]
    me = await factory.client.get("/api/vendor", headers=auth(key))
    assert me.json()["chaos"]["type"] == "fail"
    assert code not in me.text and "fixCode" not in me.text
    events = await factory.client.get("/api/chaos/events", headers=auth(key))
    assert code not in events.text


async def test_a_new_fault_replaces_the_old_one(factory: Factory) -> None:
    key = await factory.vendor()
    await chaos(factory, key, "fail")
    old_url = (await order(factory, key)).json()["reportUrl"]
    await chaos(factory, key, "ratelimit")
    assert (await order(factory, key)).status_code == 429
    assert (await factory.client.get(old_url)).json() == {"message": "No chaos currently executing"}


async def test_chaos_is_per_vendor(factory: Factory) -> None:
    one, two = await factory.vendor("one"), await factory.vendor("two")
    await chaos(factory, one, "fail")
    assert (await order(factory, one)).status_code == 500
    assert (await order(factory, two)).status_code == 200


async def test_events_feed_records_every_step_and_filters(factory: Factory) -> None:
    one, two = await factory.vendor("one"), await factory.vendor("two")
    admin = await factory.login("instructor")
    t0 = factory.clock.now()
    await chaos(factory, one, "fail")
    factory.clock.advance(90)
    url = (await order(factory, one)).json()["reportUrl"]
    await factory.client.get(url)
    await chaos(factory, two, "throttle", durationSeconds=10)
    factory.clock.advance(11)
    mine = (await factory.client.get("/api/chaos/events", headers=auth(one))).json()["events"]
    assert [(e["event"], e["vendorId"]) for e in mine] == [
        ("initiated", "one"),
        ("started", "one"),
        ("reported", "one"),
        ("ended", "one"),
    ]
    assert datetime.fromisoformat(mine[2]["time"]) == t0 + timedelta(seconds=90)
    everyone = (await factory.client.get("/api/chaos/events", headers=auth(admin))).json()["events"]
    assert {e["vendorId"] for e in everyone} == {"one", "two"} and len(everyone) == 7
    since = (t0 + timedelta(seconds=91)).isoformat()
    later = await factory.client.get(
        "/api/chaos/events", params={"since": since}, headers=auth(admin)
    )
    assert [(e["event"], e["vendorId"]) for e in later.json()["events"]] == [("ended", "two")]


async def test_scoreboard_ranks_vendors_by_time_to_resolve(factory: Factory) -> None:
    fast, slow = await factory.vendor("fast"), await factory.vendor("slow")
    admin = await factory.login("instructor")
    await chaos(factory, fast, "fail")
    await chaos(factory, slow, "fail")
    factory.clock.advance(60)
    await factory.client.get((await order(factory, fast)).json()["reportUrl"])
    factory.clock.advance(240)
    await factory.client.get((await order(factory, slow)).json()["reportUrl"])
    board = (await factory.client.get("/api/chaos/scoreboard", headers=auth(admin))).json()
    assert [(r["vendorId"], r["meanSecondsToResolve"]) for r in board] == [
        ("fast", 60),
        ("slow", 300),
    ]
    assert (
        await factory.client.get("/api/chaos/scoreboard", headers=auth(fast))
    ).status_code == 401


async def test_admin_starts_and_stops_chaos_for_a_vendor(factory: Factory) -> None:
    key = await factory.vendor()
    admin = await factory.login("instructor")
    got = await factory.client.put(
        "/api/admin/chaos/pizzeria/fail", json={"start": "now"}, headers=auth(admin)
    )
    assert got.status_code == 200 and got.json()["fixCode"] and got.json()["state"] == "active"
    status = (await factory.client.get("/api/admin/chaos", headers=auth(admin))).json()
    assert [row["type"] for row in status if row["vendorId"] == "pizzeria"] == ["fail"]
    assert (await order(factory, key)).status_code == 500
    stopped = await factory.client.delete("/api/admin/chaos/pizzeria", headers=auth(admin))
    assert stopped.json()["stopped"] == 1
    assert (await order(factory, key)).status_code == 200
    ended = (await factory.client.get("/api/chaos/events", headers=auth(key))).json()["events"][-1]
    assert (ended["event"], ended["reason"]) == ("ended", "cancelled")
    assert (
        await factory.client.put("/api/admin/chaos/pizzeria/fail", headers=auth(key))
    ).status_code == 401


async def test_events_since_must_have_a_timezone(factory: Factory) -> None:
    key = await factory.vendor()
    naive = datetime.now(UTC).replace(tzinfo=None).isoformat()
    got = await factory.client.get("/api/chaos/events", params={"since": naive}, headers=auth(key))
    assert got.status_code == 400
