"""The surprise game day played by a person through the ops console only, in a real browser
on real servers (service, factory and ops in the game-day profile, free ports).

A game master schedules chaos `fail` for a moment the responder is not told, and diners
order meanwhile. The person signs in, switches page alerts on and waits on the overview,
which refreshes by itself. Then: the page is seen (banner, browser notification, sound),
acknowledged from the banner, the incident found, the log explorer searched for the report
link, the breaker seen open in the query box, the link followed (the fault ends), orders
succeed again within seconds with no further traffic, the incident is resolved and its
postmortem downloaded. Each step's time, from the fault's start, is written to
`tests/artifacts/game-day-steps.json`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.web.browser import SCREENSHOTS, look
from tests.integration.ops.notify.fakes import fake_http
from tests.support.incidents import ORDER, Traffic, diners, ops_for
from tests.support.live import LivePair, live_pair

pytestmark = pytest.mark.slow
SURPRISE_IN = 25.0  # seconds from the scheduling to the fault's start
# Seconds after the fix by which a lone diner's order must succeed: the breaker's open time
# (10 s) and a trial or probe call.
RECOVERED_WITHIN = 12.0
STEPS = Path(__file__).parents[2] / "artifacts" / "game-day-steps.json"
# Records the browser notifications the console raises (Chromium shows none headless).
NOTIFICATIONS = """(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notified = [];
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__notified.push(title); }
  };
})();"""


@dataclass
class GameDay:
    pair: LivePair
    ops: str
    traffic: Traffic
    fault_at: datetime
    steps: dict[str, float] = field(default_factory=dict)

    def step(self, name: str) -> None:
        """Record that the person reached `name` now (seconds since the fault's start)."""
        self.steps[name] = round((datetime.now(UTC) - self.fault_at).total_seconds(), 1)


def schedule_surprise(pair: LivePair) -> datetime:
    """The game master's chaos, through the factory's admin API (not the console)."""
    at = datetime.now(UTC) + timedelta(seconds=SURPRISE_IN)
    answer = httpx.put(
        f"{pair.factory_url}/api/admin/chaos/demo/fail",
        json={"at": at.isoformat()},
        headers={"Authorization": f"Bearer {pair.admin_key}"},
    )
    assert answer.status_code == 200, answer.text
    return at


@pytest.fixture
def game_day(tmp_path: Path) -> Iterator[GameDay]:
    """The stack (started before the browser, whose driver runs an event loop in this
    thread), the surprise scheduled and two diners ordering. Ops as `up` runs it: no
    declaration rule given, so the shipped one decides whether the fault's alert declares."""
    with (
        live_pair(tmp_path) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager) as ops,
    ):
        traffic = Traffic(pair.service_url, diners(pair, 2))
        fault_at = schedule_surprise(pair)
        with traffic.running():
            yield GameDay(pair=pair, ops=ops, traffic=traffic, fault_at=fault_at)


def sign_in(page: Page, ops: str) -> None:
    page.goto(f"{ops}/")
    page.get_by_label("Email address").fill("a@jwt.com")
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ops console")


def lone_order(pair: LivePair, token: str) -> httpx.Response:
    """One diner's order as the original site sends it (no `Prefer`: it waits for its pizza)."""
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{pair.service_url}/api/order", json=ORDER, headers=headers, timeout=60)


def test_a_person_plays_the_surprise_game_day_through_the_console(
    game_day: GameDay, context: BrowserContext, tmp_path: Path
) -> None:
    day, ops = game_day, game_day.ops
    context.grant_permissions(["notifications"], origin=ops)
    context.add_init_script(NOTIFICATIONS)
    page = context.new_page()
    sign_in(page, ops)
    page.get_by_role("button", name="Turn on page alerts").click()
    expect(page.get_by_role("button", name="Page alerts on")).to_be_visible()

    # The surprise stays one: the Chaos page names neither its type nor its start.
    page.get_by_role("link", name="Chaos").click()
    chaos = page.locator("tbody")
    if datetime.now(UTC) < day.fault_at - timedelta(seconds=3):
        expect(chaos).to_contain_text("surprise")
        expect(chaos).to_contain_text("hidden until it starts")
        expect(chaos).not_to_contain_text("fail")
    page.get_by_role("link", name="Overview").click()
    page.locator("#alerts-on").click()  # a new document: its sound needs a click again

    # The page arrives in the open console: banner, notification and sound, no reload.
    banner = page.locator("#paged")
    expect(banner).to_contain_text("Paged:", timeout=150_000)
    day.step("page seen")
    assert page.evaluate("window.__notified.length") >= 1, "no browser notification"
    assert int(banner.get_attribute("data-beeps") or 0) >= 1, "no sound"
    look(page, "game-day-paged")
    banner.get_by_role("button", name="Acknowledge page").first.click()
    expect(page.locator("#live")).to_contain_text("acknowledged by a@jwt.com")
    day.step("acknowledged")

    # The incident opened at the first page: it is listed already (the list refreshes).
    page.get_by_role("link", name="Incidents").click()
    expect(page.locator("td a").first).to_be_visible(timeout=20_000)
    day.step("incident found")
    page.locator("td a").first.click()
    incident_url = page.url
    take = page.get_by_role("button", name="Acknowledge", exact=True)
    if take.count():  # the incident may have been acknowledged with its page
        take.click()
    expect(page.locator("#live")).to_contain_text("Acknowledged")

    # The report link, found in the service's logs, ends the fault when followed.
    page.get_by_role("link", name="Logs").click()
    page.get_by_role("searchbox", name="Search").fill("/api/support/")
    found = page.locator("section[aria-labelledby=found-h] a.report").first
    deadline = time.monotonic() + 30
    while not found.count():  # the search answers once: search again, as a person would
        assert time.monotonic() < deadline, "no report link in the service's logs"
        page.get_by_role("button", name="Search").click()
        page.wait_for_timeout(1000)
    day.step("log searched")
    tail = page.locator(".tail li.log")  # the live tail beside the search fills by itself
    expect(tail.first).to_be_visible(timeout=10_000)
    look(page, "game-day-logs")
    report = found.get_attribute("href")
    assert report is not None

    # Before ending the fault the person looks at the breaker in the query box: open (2).
    page.get_by_role("link", name="Query").click()
    page.get_by_label("PromQL").fill("max(breaker_state)")
    page.get_by_role("button", name="Run").click()
    latest = page.locator("#series-names")
    deadline = time.monotonic() + 90
    while "= 2" not in latest.inner_text():  # the chart refreshes every 10 s
        assert time.monotonic() < deadline, f"the breaker never opened: {latest.inner_text()}"
        page.wait_for_timeout(2000)
    day.step("breaker seen open")
    look(page, "game-day-query")
    page.goto(report)
    expect(page.locator("body")).to_contain_text("resolved")
    day.step("fault ended")
    fixed = time.monotonic()

    # No further traffic: a lone diner, a few seconds later, gets a pizza; and again later.
    day.traffic.stop()
    token = day.traffic.tokens[0]
    time.sleep(max(0.0, RECOVERED_WITHIN - (time.monotonic() - fixed)))
    first = lone_order(day.pair, token)
    assert first.status_code == 200, f"{RECOVERED_WITHIN:.0f} s after the fix: {first.text}"
    day.step("an order succeeds")
    time.sleep(15)
    second = lone_order(day.pair, token)
    assert second.status_code == 200, f"the breaker did not stay closed: {second.text}"
    day.step("orders keep succeeding")

    page.goto(incident_url)
    page.get_by_role("button", name="Mark mitigated").click()
    expect(page.locator("#incident-status")).to_have_text("mitigated")
    day.step("incident mitigated")
    page.get_by_label("Why resolved").fill("chaos ended through its report link")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#incident-status")).to_have_text("resolved")
    day.step("incident resolved")

    page.get_by_role("link", name="Postmortem", exact=True).click()
    expect(page.frame_locator("iframe.report").locator("body")).to_contain_text("Incident:")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Markdown").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("incident-") and saved.read_text().startswith("# Incident")
    day.step("postmortem downloaded")
    page.screenshot(path=str(SCREENSHOTS / "game-day-postmortem.png"), full_page=True)

    STEPS.parent.mkdir(parents=True, exist_ok=True)
    STEPS.write_text(json.dumps(day.steps, indent=1) + "\n")
    print("game day, seconds since the fault started:", day.steps)
    assert list(day.steps.values()) == sorted(day.steps.values())
