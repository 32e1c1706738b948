"""The login-code limiter: a sliding window per vendor id and per client address."""

from __future__ import annotations

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.errors import TooManyRequests
from jwtpizza.factory.vendors.ratelimit import CodeLimiter


def limiter(clock: FakeClock, per_vendor: int = 2, per_address: int = 3) -> CodeLimiter:
    return CodeLimiter(
        per_vendor=per_vendor, per_address=per_address, window_seconds=60, clock=clock
    )


def test_a_vendor_gets_its_allowance_then_waits_for_the_oldest_to_leave_the_window() -> None:
    clock = FakeClock()
    codes = limiter(clock)
    codes.hit(vendor_id="a", address="1.1.1.1")
    clock.advance(20)
    codes.hit(vendor_id="a", address="2.2.2.2")
    with pytest.raises(TooManyRequests) as refused:
        codes.hit(vendor_id="a", address="3.3.3.3")
    assert refused.value.retry_after == 40
    clock.advance(40)
    codes.hit(vendor_id="a", address="3.3.3.3")


def test_an_address_is_limited_across_vendors_and_a_refusal_is_not_counted() -> None:
    clock = FakeClock()
    codes = limiter(clock)
    for vendor_id in "abc":
        codes.hit(vendor_id=vendor_id, address="1.1.1.1")
    with pytest.raises(TooManyRequests):
        codes.hit(vendor_id="d", address="1.1.1.1")
    codes.hit(vendor_id="d", address="2.2.2.2")
    codes.hit(vendor_id="d", address="2.2.2.2")  # "d" was not charged for the refusal


def test_keys_whose_window_passed_are_pruned() -> None:
    clock = FakeClock()
    codes = CodeLimiter(per_vendor=2, per_address=2, window_seconds=60, clock=clock, prune_at=4)
    codes.hit(vendor_id="a", address="x")
    clock.advance(61)
    codes.hit(vendor_id="b", address="y")
    assert len(codes) == 2  # "a" and "x" were dropped when the table reached four keys
