"""Against both apps running on loopback ports: every metric a Grafana panel queries exists in
a real scrape (factory panels in the factory's, the rest in the service's), and
`jwtpizza logs` reads a running service's log window with its filters."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.observability.dashboard import (
    dashboard_metric_names,
    scraped_metric_names,
)
from tests.support.live import LivePair, live_pair

pytestmark = pytest.mark.slow

DASHBOARD = Path(__file__).parents[3] / "deploy" / "grafana" / "jwt-pizza-dashboard.json"
ORDER = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "description": "Veggie"}]}
FAST_RETRIES = {"backoff_base_seconds": 0.01, "backoff_max_seconds": 0.02}


def diner(pair: LivePair) -> dict[str, str]:
    login = pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
    return {"Authorization": f"Bearer {login.json()['token']}"}


def missing_series(pair: LivePair) -> dict[str, set[str]]:
    wanted = dashboard_metric_names(DASHBOARD)
    service = scraped_metric_names(pair.shop.get("/metrics").text)
    factory = scraped_metric_names(httpx.get(f"{pair.factory_url}/metrics").text)
    return {
        name: panels
        for name, panels in wanted.items()
        if name not in (factory if all(p.startswith("Factory:") for p in panels) else service)
    }


def test_every_dashboard_metric_exists_in_a_scrape_of_the_running_apps(tmp_path: Path) -> None:
    with live_pair(tmp_path, resilience=FAST_RETRIES) as pair:
        headers = diner(pair)
        pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "wrong"})
        assert pair.shop.post("/api/order", json=ORDER, headers=headers).status_code == 200
        pair.start_chaos("fail")
        failed = pair.shop.post("/api/order", json=ORDER, headers=headers)
        assert failed.status_code in (202, 500), failed.text  # retried, then queued or rejected
        deadline = time.monotonic() + 10
        while (missing := missing_series(pair)) and time.monotonic() < deadline:
            time.sleep(0.1)  # the queue worker publishes its depth on its next pass
    assert missing == {}


def run_logs(pair: LivePair, *args: str, password: str | None = None) -> str:
    result = CliRunner().invoke(
        cli, ["logs", "--url", pair.service_url, *args], input=password, env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_jwtpizza_logs_reads_a_running_service(tmp_path: Path) -> None:
    with live_pair(tmp_path) as pair:
        pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "wrong"})
        headers = diner(pair)
        pair.shop.get("/api/order/menu")
        pair.shop.post("/api/order", json=ORDER, headers=headers)
        login = pair.shop.put("/api/auth", json={"email": "a@jwt.com", "password": "admin"})
        token = login.json()["token"]

        lines = run_logs(pair, "--token", token, "--type", "http", "--status", "4xx").splitlines()
        assert lines and all(" WARN  http " in line for line in lines), lines
        assert any("PUT /api/auth -> 404" in line for line in lines)

        menu = run_logs(pair, "--token", token, "--route", "/api/order/menu", "--since", "5m")
        assert "GET /api/order/menu -> 200" in menu and "PUT /api/auth" not in menu

        factory = run_logs(pair, "--token", token, "--type", "factory", "--grep", "jwt")
        assert "POST http://127.0.0.1" in factory and "/api/order -> 200" in factory
        assert token not in factory and pair.vendor_key not in factory

        by_email = run_logs(pair, "--email", "a@jwt.com", "--type", "http", "--limit", "3",
                            password="admin\n")  # fmt: skip
        assert len([line for line in by_email.splitlines() if " http " in line]) == 3

        refused = CliRunner().invoke(
            cli, ["logs", "--url", pair.service_url, "--token", "not-a-token"]
        )
        assert refused.exit_code == 1 and "answered 401" in refused.output
