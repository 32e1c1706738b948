"""The order path's vendor cache: changes through the API apply at once, changes made to the
database directly (the `jwtpizza chaos` CLI, another replica) within `vendor_cache_seconds`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jwtpizza.factory import control
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.domain import ChaosType, Schedule
from jwtpizza.factory.chaos.schemas import ChaosRequest
from jwtpizza.factory.context import FactoryContext
from tests.integration.factory.factory_kit import Factory, MakeFactory, auth, order_body


async def order(factory: Factory, key: str) -> Any:
    return await factory.client.post("/api/order", json=order_body(), headers=auth(key))


async def status(factory: Factory, key: str) -> int:
    return int((await order(factory, key)).status_code)


async def cli_start(factory: Factory, kind: str = "fail", **request: Any) -> dict[str, Any]:
    return await control.start_chaos(
        factory.settings,
        vendor_id="pizzeria",
        chaos_type=kind,
        request=ChaosRequest(**({"start": "now"} | request)),
        clock=factory.clock,
    )


async def test_chaos_started_in_the_database_applies_within_the_refresh_period(
    factory: Factory,
) -> None:
    key = await factory.vendor()
    assert await status(factory, key) == 200  # the vendor is now cached, without chaos
    await cli_start(factory)
    factory.clock.advance(factory.settings.vendor_cache_seconds - 0.1)
    assert await status(factory, key) == 200  # still the cached state
    factory.clock.advance(0.1)
    assert await status(factory, key) == 500


async def test_chaos_stopped_in_the_database_ends_within_the_refresh_period(
    factory: Factory,
) -> None:
    key = await factory.vendor()
    await cli_start(factory)
    assert await status(factory, key) == 500
    await control.stop_chaos(factory.settings, vendor_id="pizzeria", clock=factory.clock)
    factory.clock.advance(factory.settings.vendor_cache_seconds)
    assert await status(factory, key) == 200


async def test_chaos_through_the_api_applies_and_ends_at_once(factory: Factory) -> None:
    key = await factory.vendor()
    assert await status(factory, key) == 200
    started = await factory.client.put(
        "/api/vendor/chaos/fail", json={"start": "now"}, headers=auth(key)
    )
    assert started.status_code == 200
    failed = await order(factory, key)
    assert failed.status_code == 500
    assert (await factory.client.get(failed.json()["reportUrl"])).status_code == 200
    assert await status(factory, key) == 200


async def test_admin_chaos_start_stop_and_vendor_delete_apply_at_once(factory: Factory) -> None:
    key = await factory.vendor()
    admin = auth(await factory.login("instructor"))
    assert await status(factory, key) == 200
    await factory.client.put("/api/admin/chaos/pizzeria/auth", json={"start": "now"}, headers=admin)
    assert await status(factory, key) == 401
    await factory.client.delete("/api/admin/chaos/pizzeria", headers=admin)
    assert await status(factory, key) == 200
    deleted = await factory.client.request(
        "DELETE", "/api/admin/vendor", json={"id": "pizzeria", "deleteType": "all"}, headers=admin
    )
    assert deleted.status_code == 204
    assert await status(factory, key) == 401


async def test_a_renamed_vendor_signs_with_its_new_name_at_once(factory: Factory) -> None:
    key = await factory.vendor()
    assert await status(factory, key) == 200
    renamed = await factory.client.put(
        "/api/vendor", json={"id": "pizzeria", "name": "Renamed"}, headers=auth(key)
    )
    assert renamed.status_code == 200
    token = (await order(factory, key)).json()["jwt"]
    verified = await factory.client.post("/api/order/verify", json={"jwt": token})
    assert verified.json()["payload"]["vendor"]["name"] == "Renamed"


async def test_a_scheduled_fault_starts_exactly_on_time_from_the_cache(
    make_factory: MakeFactory,
) -> None:
    factory = await make_factory(vendor_cache_seconds=3600)  # no refresh during this test
    key = await factory.vendor()
    at = factory.clock.now() + timedelta(seconds=10)
    await factory.client.put(
        "/api/vendor/chaos/fail", json={"at": at.isoformat()}, headers=auth(key)
    )
    assert await status(factory, key) == 200
    factory.clock.advance(9.9)
    assert await status(factory, key) == 200
    factory.clock.advance(0.1)
    assert await status(factory, key) == 500


async def test_an_order_during_a_change_does_not_keep_the_old_state(factory: Factory) -> None:
    """The order reads the rows before the change commits; the commit forgets them again."""
    key = await factory.vendor()
    context: FactoryContext = factory.app.state.context
    async with context.db.writer() as session:
        await chaos.start_fault(
            session=session,
            vendor_id="pizzeria",
            spec=chaos.FaultSpec(ChaosType.FAIL, Schedule("now")),
            now=factory.clock.now(),
            rng=context.rng,
            hours=context.hours,
            outage_seconds=60,
        )
        context.vendor_cache.forget_on_commit(session, "pizzeria")
        assert await status(factory, key) == 200  # not committed yet
    assert await status(factory, key) == 500
