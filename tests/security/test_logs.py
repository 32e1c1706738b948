"""Findings 11-13: the log window a responder searches survives hostile traffic, and
`jwtpizza logs` prints what it found without obeying it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.observability import ObservabilitySettings
from tests.security.kit import ADMIN, bearer, login
from tests.support.live import LivePair, live_pair


def logs(pair: LivePair, token: str, **params: str) -> list[dict[str, object]]:
    response = pair.shop.get("/api/ops/logs", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["logs"]
    return found


def test_11_a_deeply_nested_body_is_still_logged(pair: LivePair) -> None:
    deep = "[" * 600 + "]" * 600
    response = pair.shop.put(
        "/api/auth", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    _, admin = login(pair.shop, ADMIN)
    events = logs(pair, admin, type="http", route="/api/auth", status="400")
    assert len(events) == 1
    assert "cut" in str(events[0]["reqBody"])


def test_12_probes_and_static_reads_do_not_flush_the_window(tmp_path: Path) -> None:
    with live_pair(tmp_path, observability=ObservabilitySettings(log_store_size=200)) as pair:
        marker = pair.shop.put("/api/auth", json={"email": "trace@jwt.com", "password": "x"})
        assert marker.status_code == 404
        for _ in range(300):
            pair.shop.get("/healthz")
            pair.shop.get("/")
        for _ in range(300):
            pair.shop.get("/api/order/menu")  # real reads: stored, but warnings keep their share
        _, admin = login(pair.shop, ADMIN)
        found = logs(pair, admin, q="trace@jwt.com", type="http")
        assert [event["status"] for event in found] == [404]
        assert logs(pair, admin, route="/healthz") == []


def test_13_logs_cli_escapes_control_characters_in_every_field(pair: LivePair) -> None:
    forged = "/%1b[2J%0a2026-01-01T00:00:00 INFO  http      PUT /api/auth -> 200 0.1ms"
    pair.shop.get(forged)
    _, admin = login(pair.shop, ADMIN)
    result = CliRunner().invoke(
        cli, ["logs", "--url", pair.service_url, "--token", admin, "--status", "404"]
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, lines
    assert "\\x1b[2J\\n2026-01-01" in lines[0]
