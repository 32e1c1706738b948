"""A diner written for the original (no `Prefer`) against the real factory: through `throttle`
it gets its pizza when it comes (200); through `fail` every 500 names the link that ends the
fault, an open breaker's too; and once the link is followed, with no further traffic, the
breaker closes by itself within seconds, so the next order gets its pizza at once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.resilience import ORDER, diner_headers, running_stack

pytestmark = pytest.mark.slow


def original_diner(shop: str) -> httpx.Client:
    headers = diner_headers(shop)
    del headers["Prefer"]  # the original's clients never send it
    return httpx.Client(base_url=shop, headers=headers, timeout=60)


def breaker_state(shop: str) -> float:
    for line in httpx.get(f"{shop}/metrics").text.splitlines():
        if line.startswith('breaker_state{dependency="factory"}'):
            return float(line.split()[-1])
    raise AssertionError("no breaker_state in /metrics")


def test_throttle_gives_the_original_diner_its_pizza_when_it_comes(tmp_path: Path) -> None:
    with running_stack(tmp_path) as stack, original_diner(stack.shop) as diner:
        stack.chaos("throttle", delaySeconds=1.5)  # beyond the attempt timeout and wait budget
        started = time.monotonic()
        answer = diner.post("/api/order", json=ORDER)
        assert answer.status_code == 200, answer.text
        assert answer.json()["jwt"] and time.monotonic() - started >= 1.5
        assert answer.json()["followLinkToEndChaos"]  # the original's throttle gives it too


def test_fail_names_its_link_in_every_500_and_recovery_needs_no_traffic(tmp_path: Path) -> None:
    with running_stack(tmp_path) as stack, original_diner(stack.shop) as diner:
        stack.chaos("fail")
        answers = [diner.post("/api/order", json=ORDER) for _ in range(8)]
        assert {a.status_code for a in answers} == {500}
        assert breaker_state(stack.shop) > 0  # the last orders met the open breaker
        links = {a.json().get("followLinkToEndChaos") for a in answers}
        assert len(links) == 1 and None not in links, links
        assert httpx.get(links.pop()).json()["message"].startswith("Problem resolved")
        ended = time.monotonic()
        while breaker_state(stack.shop) != 0:  # nobody orders: the breaker tries by itself
            assert time.monotonic() - ended < 10, "the breaker did not close by itself"
            time.sleep(0.05)
        answer = diner.post("/api/order", json=ORDER)
        assert answer.status_code == 200, answer.text
