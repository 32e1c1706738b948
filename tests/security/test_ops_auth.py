"""Finding 6 and `/metrics`: ops learns of a logout within seconds (at once through its own
logout), a garbage token costs the service no call, and ops' metrics need the scrape token."""

from __future__ import annotations

import time

from tests.security.kit import ADMIN, bearer, login
from tests.security.ops_stack import SCRAPE_TOKEN, LiveOps
from tests.support.live import LivePair


def me_calls(pair: LivePair) -> float:
    """How many `/api/user/me` calls the service has answered."""
    text = pair.service_obs.metrics.exposition().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_requests_total{") and 'route="/api/user/me"' in line
    )


def test_6_a_token_logged_out_at_the_service_stops_working_at_ops(
    pair: LivePair, ops: LiveOps
) -> None:
    _, token = login(pair.shop, ADMIN)
    assert ops.client.get("/api/ops/me", headers=bearer(token)).status_code == 200
    assert pair.shop.delete("/api/auth", headers=bearer(token)).status_code == 200
    time.sleep(2.5)
    assert ops.client.get("/api/ops/me", headers=bearer(token)).status_code == 401


def test_6_logging_out_through_ops_revokes_everywhere_at_once(pair: LivePair, ops: LiveOps) -> None:
    _, token = login(pair.shop, ADMIN)
    assert ops.client.get("/api/ops/me", headers=bearer(token)).status_code == 200
    assert ops.client.delete("/api/ops/session", headers=bearer(token)).status_code == 200
    assert ops.client.get("/api/ops/me", headers=bearer(token)).status_code == 401
    assert pair.shop.get("/api/user/me", headers=bearer(token)).status_code == 401


def test_6_garbage_tokens_cost_the_service_no_call_per_request(
    pair: LivePair, ops: LiveOps
) -> None:
    before = me_calls(pair)
    for token in ["garbage"] * 20 + ["a.b.c"] * 20 + [f"x{i}" for i in range(20)]:
        assert ops.client.get("/api/ops/me", headers=bearer(token)).status_code == 401
    assert me_calls(pair) - before <= 1


def test_8_ops_metrics_need_the_scrape_token(ops: LiveOps) -> None:
    assert ops.client.get("/metrics").status_code == 401
    assert ops.client.get("/metrics", headers=bearer("wrong")).status_code == 401
    answer = ops.client.get("/metrics", headers=bearer(SCRAPE_TOKEN))
    assert answer.status_code == 200 and "http_requests_total" in answer.text
