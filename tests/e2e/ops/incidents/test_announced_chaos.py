"""Announced chaos windows on real processes: the factory, the service under diners'
traffic, and ops reading the chaos feed and paging through a local fake.

A `fail` fault started with `announce` pages nobody, yet its alert fires, opens the
incident and is on the incident's timeline next to the announced fault; the same fault
unannounced pages the on-call."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.ops.incidents.test_incident_game_day import get
from tests.integration.ops.notify.fakes import FakeHttp, fake_http
from tests.support.incidents import SCRAPE, Traffic, admin_token, diners, ops_for, wait_for
from tests.support.live import LivePair, live_pair

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("game-days")]

RULE = "FactoryChaosErrors"


def pages(pager: FakeHttp) -> list[str]:
    return [r.path for r in pager.requests]


def incident_with_firing_alert(ops_url: str, token: str) -> dict[str, Any] | None:
    """The open incident once its timeline shows the fault's alert firing."""
    for listed in get(f"{ops_url}/api/ops/incidents", token):
        incident: dict[str, Any] = get(f"{ops_url}/api/ops/incidents/{listed['id']}", token)
        kinds = {(e["kind"], e.get("data", {}).get("rule")) for e in incident["timeline"]}
        if ("alert-firing", RULE) in kinds and any(
            e["kind"] == "chaos-started" for e in incident["timeline"]
        ):
            return incident
    return None


def run_fault(tmp_path: Path, pair: LivePair, pager: FakeHttp, *, announce: bool) -> dict[str, Any]:
    token = admin_token(pair)
    with (
        ops_for(tmp_path, pair, pager) as ops_url,
        Traffic(pair.service_url, diners(pair, 3)).running(),
    ):
        time.sleep(SCRAPE)  # a healthy baseline first
        pair.start_chaos("fail", announce=announce)
        incident = wait_for(
            lambda: incident_with_firing_alert(ops_url, token), 120, "no incident with the alert"
        )
        if announce:
            time.sleep(4 * SCRAPE)  # a page held back would have been sent by now
        else:
            wait_for(lambda: pages(pager), 60, "the unannounced fault paged nobody")
        return incident


def test_an_announced_fault_pages_nobody_and_is_still_on_the_timeline(tmp_path: Path) -> None:
    with live_pair(tmp_path) as pair, fake_http() as pager:
        incident = run_fault(tmp_path, pair, pager, announce=True)
    assert pages(pager) == []
    chaos = [e["text"] for e in incident["timeline"] if e["kind"] == "chaos-started"]
    assert chaos and all("[announced: its alerts paged nobody]" in text for text in chaos)
    firing = [e for e in incident["timeline"] if e["kind"] == "alert-firing"]
    assert {e["data"]["rule"] for e in firing} >= {RULE}


def test_the_same_fault_unannounced_pages_the_on_call(tmp_path: Path) -> None:
    with live_pair(tmp_path) as pair, fake_http() as pager:
        incident = run_fault(tmp_path, pair, pager, announce=False)
    assert "/alice" in pages(pager)
    chaos = [e["text"] for e in incident["timeline"] if e["kind"] == "chaos-started"]
    assert chaos and not any("announced" in text for text in chaos)
