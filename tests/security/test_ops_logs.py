"""Findings 4, 7 and 8 on the log-search proxy: report links only to the configured factory,
a refused filter is an error, and repeated searches cost the component little."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.security.kit import ADMIN, DINER, at_once, bearer, login
from tests.security.ops_stack import LiveOps
from tests.support.live import LivePair

ORDER = {"franchiseId": 1, "storeId": 1,
         "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}]}  # fmt: skip
FOREIGN = "http://evil.example/api/support/tok/report/CODE"


def searches_served(pair: LivePair) -> float:
    text = pair.service_obs.metrics.exposition().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_requests_total{") and 'route="/api/ops/logs"' in line
    )


def logs(ops: LiveOps, token: str, **params: Any) -> dict[str, Any]:
    answer = ops.client.get("/api/ops/components/service/logs", params=params,
                            headers=bearer(token))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_4_only_report_links_to_the_configured_factory_are_offered(
    pair: LivePair, ops: LiveOps
) -> None:
    _, admin = login(pair.shop, ADMIN)
    _, diner = login(pair.shop, DINER)
    pair.shop.get(f"/api/franchise?next={FOREIGN}")
    pair.start_chaos("fail")
    failed = pair.shop.post("/api/order", json=ORDER, headers=bearer(diner))
    assert failed.status_code >= 500, failed.text
    body = logs(ops, admin, since="5m", limit="200")
    links = [link for found in body["reportLinks"] for link in found]
    assert links and all(link.startswith(f"{pair.factory_url}/api/support/") for link in links)
    assert any(FOREIGN in str(record) for record in body["logs"])  # shown, but not as a link


def test_4_the_runbook_follows_no_link_to_another_host(ops: LiveOps) -> None:
    feeds = ops.app.state.ops.incidents.feeds
    status, message = asyncio.run(feeds.follow(FOREIGN))
    assert status == 0 and "not on the configured factory" in message


def test_8_a_filter_the_component_refuses_is_an_error(pair: LivePair, ops: LiveOps) -> None:
    _, admin = login(pair.shop, ADMIN)
    answer = ops.client.get("/api/ops/components/service/logs", params={"since": "99999999d"},
                            headers=bearer(admin))  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("service: since:")


def test_7_repeated_log_searches_reach_the_component_rarely(pair: LivePair, ops: LiveOps) -> None:
    _, admin = login(pair.shop, ADMIN)
    before = searches_served(pair)
    path = "/api/ops/components/service/logs?since=15m&limit=1000"
    statuses = at_once(ops.url, [("GET", path, {"headers": bearer(admin)})] * 40)
    assert statuses == [200] * 40
    assert searches_served(pair) - before <= 3
    distinct = [ops.client.get(f"{path}&q=x{i}", headers=bearer(admin)).status_code
                for i in range(40)]  # fmt: skip
    assert 429 in distinct and distinct.count(200) <= 30
