"""Incidents end to end on real servers with traffic, in the 5 s game-day profile:
chaos -> alert fires -> incident opens -> page delivered to a local fake -> ack -> the report
link found in the logs and followed (by the runbook on autopilot, or by a person through the
CLI) -> alerts resolve -> the incident resolves -> the postmortem states what the order ledger
shows, an MTTD within one scrape interval of the one observed, and the root cause."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from markdown_it import MarkdownIt

from jwtpizza.ops.incidents.reports.draft import plural, was
from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.ops.notify.fakes import FakeHttp, fake_http
from tests.support.incidents import (
    SCRAPE,
    Traffic,
    admin_token,
    diners,
    incident_cli,
    ops_for,
    wait_for,
)
from tests.support.live import LivePair, live_pair

# The game days share one pytest-xdist worker, one after another: their compressed clocks and
# detection deadlines need the CPU that a second game day would take (see scripts/test).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("game-days")]


def get(url: str, token: str, **params: Any) -> Any:
    response = httpx.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def seconds(text: str) -> float:
    """`35 s`, `2 min`, `1 min 5 s` as seconds."""
    match = re.fullmatch(r"(?:(\d+) min)? ?(?:(-?\d+) s)?", text.strip())
    assert match, text
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Watch:
    """Polls ops until an incident opens, noting when the test first saw an alert firing."""

    def __init__(self, ops_url: str, token: str) -> None:
        self.ops_url, self.token = ops_url, token
        self.first_firing: float | None = None

    def incident(self) -> dict[str, Any] | None:
        self._note_firing()
        found = get(f"{self.ops_url}/api/ops/incidents", self.token)
        if not found:
            return None
        # The alert that opened it may have fired between the two reads: it is firing now.
        self._note_firing()
        opened: dict[str, Any] = found[0]
        return opened

    def _note_firing(self) -> None:
        if self.first_firing is None:
            alerts = get(f"{self.ops_url}/api/ops/alerts", self.token)["alerts"]
            if any(a["state"] == "firing" for a in alerts):
                self.first_firing = time.time()


def chaos_started(pair: LivePair) -> datetime:
    events = httpx.get(f"{pair.factory_url}/api/chaos/events", headers=pair.admin()).json()
    return when(next(e["time"] for e in events["events"] if e["event"] == "started"))


def run_to_resolution(
    tmp_path: Path, pair: LivePair, pager: FakeHttp, ops_url: str, *, by_cli: bool, fault: str,
    **chaos: Any,
) -> tuple[dict[str, Any], str, float]:  # fmt: skip
    """Inject the fault under traffic and respond; the resolved incident, its postmortem, and
    the MTTD the test observed."""
    admin = admin_token(pair)
    with Traffic(pair.service_url, diners(pair, 3)).running():
        time.sleep(2 * SCRAPE)  # a healthy baseline first
        injected = time.time()
        pair.start_chaos(fault, **chaos)
        watch = Watch(ops_url, admin)
        incident = wait_for(watch.incident, 120, "no incident opened")
        n = incident["id"]
        wait_for(lambda: [r for r in pager.requests if r.path == "/alice"], 60, "no page")
        incident_cli(ops_url, admin, "ack", str(n))
        if by_cli:
            out = incident_cli(ops_url, admin, "runbook", str(n), "FactoryChaosErrors")
            assert "followed the report link: HTTP 200" in out
        resolved = wait_for(
            lambda: (i := get(f"{ops_url}/api/ops/incidents/{n}", admin))["status"] == "resolved"
            and i, 300, "the incident did not resolve",
        )  # fmt: skip
    assert watch.first_firing is not None
    observed_mttd = watch.first_firing - injected
    out = incident_cli(ops_url, admin, "report", str(n), "--out", str(tmp_path / "reports"))
    assert "postmortem_written" in out
    text = (tmp_path / "reports" / f"incident-{n}.md").read_text()
    return resolved, text, observed_mttd


def check_postmortem(
    pair: LivePair, incident: dict[str, Any], text: str, observed: float
) -> dict[str, Any]:
    """The report's figures against the ledger, the chaos record and the observed MTTD."""
    tokens = MarkdownIt("commonmark").parse(text)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1"] + ["h2"] * 9
    start = chaos_started(pair)
    assert text.startswith(f"# Incident: {start:%Y-%m-%d %H-%M-%S}")
    end = when(incident["resolvedAt"]) + timedelta(seconds=1)
    ledger = get(f"{pair.service_url}/api/order/stats", admin_token(pair),
                 **{"from": start.isoformat(), "to": end.isoformat()})  # fmt: skip
    queued, lost, diners = ledger["queuedThenFulfilled"], ledger["lost"], ledger["affectedDiners"]
    assert f"{plural(ledger['failed'], 'order')} failed, {queued} {was(queued)} queued" in text
    assert f"and {lost} {was(lost)} lost; {plural(diners, 'diner')} {was(diners)} affected" in text
    mttd = re.search(r"MTTD was ([^a]+?) against", text)
    assert mttd, text
    assert abs(seconds(mttd.group(1)) - observed) <= SCRAPE, (mttd.group(1), observed)
    return ledger


def test_fail_chaos_on_autopilot_from_alert_to_postmortem(tmp_path: Path) -> None:
    with (
        live_pair(tmp_path) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager, autopilot=True) as ops_url,
    ):
        incident, text, observed = run_to_resolution(
            tmp_path, pair, pager, ops_url, by_cli=False, fault="fail"
        )
        check_postmortem(pair, incident, text, observed)
    kinds = [e["kind"] for e in incident["timeline"]]
    for kind in ("chaos-started", "report-link", "alert-firing", "page", "ack",
                 "runbook-step", "chaos-reported", "chaos-ended", "status-resolved"):  # fmt: skip
        assert kind in kinds, (kind, kinds)
    steps = [e["text"] for e in incident["timeline"] if e["kind"] == "runbook-step"]
    assert any("followed the report link: HTTP 200 Problem resolved" in s for s in steps)
    assert "the pizza factory's `fail` chaos fault" in text
    assert "runbook" in text and "autopilot (FactoryChaosErrors)" in text


def test_fail_chaos_resolved_by_a_person_through_the_cli(tmp_path: Path) -> None:
    # The original's fragile service: diners get 500s, so orders fail and the alerts that
    # fire are `high`; the game day declares on those too.
    with (
        live_pair(tmp_path, resilience=ResilienceSettings.fragile()) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager, declare_severities=["critical", "high"]) as ops_url,
    ):
        incident, text, observed = run_to_resolution(
            tmp_path, pair, pager, ops_url, by_cli=True, fault="fail"
        )
        ledger = check_postmortem(pair, incident, text, observed)
    assert ledger["failed"] > 0 and ledger["affectedDiners"] > 0
    assert "autopilot" not in text and "the pizza factory's `fail` chaos fault" in text


def test_outage_with_resilience_loses_nothing_and_counts_the_queued(tmp_path: Path) -> None:
    # `reset`: the factory drops connections, which the service counts as `outage` calls.
    # (A `hang` outage's timeouts are not counted as factory calls at present, so
    # FactoryUnreachable would not fire.)
    with (
        live_pair(tmp_path) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager, autopilot=True) as ops_url,
    ):
        incident, text, observed = run_to_resolution(
            tmp_path,
            pair,
            pager,
            ops_url,
            by_cli=False,
            fault="outage",
            durationSeconds=15,
            mode="reset",
        )
        ledger = check_postmortem(pair, incident, text, observed)
    assert ledger["lost"] == 0 and ledger["queuedThenFulfilled"] > 0
    assert "Orders lost: 0" in text
    assert f"Orders queued and later fulfilled: {ledger['queuedThenFulfilled']}" in text
    assert "`outage` chaos fault" in text and "its duration ran out" in text
    public = [e["text"] for e in incident["timeline"] if e["kind"] == "status-update"]
    assert public and "queued" in public[0]
