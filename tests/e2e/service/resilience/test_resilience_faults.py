"""Each factory chaos type against the real factory: a burst of orders during the fault gets
pizzas or the friendly queued answer (never a raw 500), and once the fault ends every order
is fulfilled exactly once with a pizza that verifies, and none is lost."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.resilience import (
    Stack,
    assert_exactly_once,
    assert_friendly,
    burst,
    diner_headers,
    fulfilled_pizzas,
    running_stack,
    wait_until_drained,
)

pytestmark = pytest.mark.slow

BURST = 20
FAULT_SECONDS = 2.0


def prove_exactly_once(stack: Stack, headers: dict[str, str], ids: list[int]) -> None:
    health = wait_until_drained(stack.shop, len(ids))
    assert health["ok"], health
    assert_exactly_once(stack, fulfilled_pizzas(stack.shop, headers, ids))


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("throttle", {"delaySeconds": 1.0}),  # beyond the 0.5 s attempt timeout
        ("badjwt", {}),
        ("outage", {"mode": "reset"}),
        ("outage", {"mode": "hang"}),
        ("flaky", {"percent": 60}),
        ("auth", {}),
        ("ratelimit", {"retryAfterSeconds": 0.5}),
    ],
    ids=["throttle", "badjwt", "outage-reset", "outage-hang", "flaky", "auth", "ratelimit"],
)
def test_a_burst_during_a_timed_fault_is_fulfilled_exactly_once(
    tmp_path: Path, kind: str, params: dict[str, Any]
) -> None:
    with running_stack(tmp_path) as stack:
        headers = diner_headers(stack.shop)
        stack.chaos(kind, durationSeconds=FAULT_SECONDS, **params)
        ids = assert_friendly(burst(stack.shop, headers, BURST))
        prove_exactly_once(stack, headers, ids)
        assert sum(stack.delivery.requests.values()) > BURST  # the fault was felt: retries


def test_fail_chaos_ends_when_the_report_link_is_followed(tmp_path: Path) -> None:
    with running_stack(tmp_path) as stack:
        headers = diner_headers(stack.shop)
        stack.chaos("fail")
        responses = burst(stack.shop, headers, BURST)
        ids = assert_friendly(responses)
        assert all(r.status_code == 202 for r in responses)  # fail chaos never makes a pizza
        links = {r.json().get("followLinkToEndChaos") for r in responses} - {None}
        assert len(links) == 1
        resolved = httpx.get(links.pop())
        assert resolved.json()["message"].startswith("Problem resolved")
        prove_exactly_once(stack, headers, ids)


def test_a_stopped_factory_refuses_connections_and_the_queue_drains_on_restart(
    tmp_path: Path,
) -> None:
    with running_stack(tmp_path) as stack:
        headers = diner_headers(stack.shop)
        stack.stop_factory()
        responses = burst(stack.shop, headers, BURST)
        ids = assert_friendly(responses)
        assert all(r.status_code == 202 for r in responses)
        time.sleep(1.0)  # the breaker opens; the queue holds the orders
        assert not stack.signed.signed
        stack.start_factory()
        prove_exactly_once(stack, headers, ids)
