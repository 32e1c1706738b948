"""The login-code limiter: a sliding window per vendor id and per client address, counted in
the factory's database (every backend), so two limiters on one database, as two replicas
have, share one allowance."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.db import Database
from jwtpizza.errors import TooManyRequests
from jwtpizza.factory.migrations import upgrade
from jwtpizza.factory.vendors.ratelimit import CodeLimiter


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    try:
        yield database
    finally:
        await database.dispose()


def limiter(
    db: Database, clock: FakeClock, per_vendor: int = 2, per_address: int = 3
) -> CodeLimiter:
    return CodeLimiter(
        db=db, per_vendor=per_vendor, per_address=per_address, window_seconds=60, clock=clock
    )


async def test_a_vendor_gets_its_allowance_then_waits_for_the_oldest_to_leave_the_window(
    db: Database,
) -> None:
    clock = FakeClock()
    codes = limiter(db, clock)
    await codes.hit(vendor_id="a", address="1.1.1.1")
    clock.advance(20)
    await codes.hit(vendor_id="a", address="2.2.2.2")
    with pytest.raises(TooManyRequests) as refused:
        await codes.hit(vendor_id="a", address="3.3.3.3")
    assert refused.value.retry_after == pytest.approx(40)
    clock.advance(40)
    await codes.hit(vendor_id="a", address="3.3.3.3")


async def test_an_address_is_limited_across_vendors_and_a_refusal_is_not_counted(
    db: Database,
) -> None:
    clock = FakeClock()
    codes = limiter(db, clock)
    for vendor_id in "abc":
        await codes.hit(vendor_id=vendor_id, address="1.1.1.1")
    with pytest.raises(TooManyRequests):
        await codes.hit(vendor_id="d", address="1.1.1.1")
    await codes.hit(vendor_id="d", address="2.2.2.2")
    await codes.hit(vendor_id="d", address="2.2.2.2")  # "d" was not charged for the refusal


async def test_two_limiters_on_one_database_share_the_allowance(db: Database) -> None:
    clock = FakeClock()
    first, second = limiter(db, clock), limiter(db, clock)
    await first.hit(vendor_id="a", address="1.1.1.1")
    await second.hit(vendor_id="a", address="2.2.2.2")
    with pytest.raises(TooManyRequests):
        await first.hit(vendor_id="a", address="3.3.3.3")
    with pytest.raises(TooManyRequests):
        await second.hit(vendor_id="a", address="4.4.4.4")


async def test_expired_requests_leave_the_table(db: Database) -> None:
    clock = FakeClock()
    codes = limiter(db, clock)
    await codes.hit(vendor_id="a", address="x")
    clock.advance(61)
    await codes.hit(vendor_id="b", address="y")
    rows = await db.read_plain("SELECT COUNT(*) FROM code_limit_events")
    assert rows == [(2,)]  # "a" and "x" were dropped by the second request
