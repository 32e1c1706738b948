"""A responder in the ops console, in a real browser, on real servers (service, factory and
ops in the game-day profile, free ports): chaos `fail` started from the console through the
factory's admin API, traffic placing orders, the alert firing, the incident opened and
acknowledged, the report link found in the log explorer and followed, the incident resolved
and its postmortem downloaded."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from jwtpizza.service.resilience import ResilienceSettings
from tests.e2e.web.browser import SCREENSHOTS, look
from tests.integration.ops.notify.fakes import fake_http
from tests.support.incidents import Traffic, diners, ops_for
from tests.support.live import live_pair

pytestmark = pytest.mark.slow


def reload_until(page: Page, found: Callable[[], bool], seconds: float, what: str) -> None:
    """Reload the page (as a responder would) until `found`, within `seconds`."""
    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline, f"{what} did not show within {seconds:.0f} s"
        page.wait_for_timeout(1000)
        page.reload()


@pytest.fixture
def game_day(tmp_path: Path) -> Iterator[str]:
    """The stack under traffic (started before the browser, whose driver runs an event
    loop in this thread); the ops console's URL. The original's fragile service: diners get
    500s, so the alerts that fire are `high` and the game day declares on those too."""
    with (
        live_pair(tmp_path, resilience=ResilienceSettings.fragile()) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager, declare_severities=["critical", "high"]) as ops,
        Traffic(pair.service_url, diners(pair, 2)).running(),
    ):
        yield ops


def test_a_responder_works_an_incident_from_alert_to_postmortem(
    game_day: str, context: BrowserContext, tmp_path: Path
) -> None:
    ops = game_day
    page = context.new_page()
    page.goto(f"{ops}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    look(page, "console-login")
    page.get_by_label("Email address").fill("a@jwt.com")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ops console")

    # The fault starts: chaos `fail`, from the console through the factory's admin API.
    page.get_by_role("link", name="Chaos").click()
    page.get_by_label("Vendor (Net ID)").fill("demo")
    page.get_by_label("Type").select_option("fail")
    page.get_by_label("When").select_option(label="Right now")
    page.get_by_role("button", name="Start chaos").click()
    expect(page.locator("td .badge.active")).to_have_text("active")
    look(page, "console-chaos")

    page.goto(f"{ops}/alerts")
    reload_until(page, lambda: page.locator("td .badge.firing").count() > 0, 90, "an alert")
    look(page, "console-alerts")

    page.goto(f"{ops}/incidents")
    reload_until(page, lambda: page.locator("td a").count() > 0, 60, "an incident")
    page.locator("td a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Incident #")
    incident_url = page.url
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_text("Acknowledged", exact=True)).to_be_visible()
    look(page, "console-incident")

    page.goto(f"{ops}/")
    expect(page.get_by_role("heading", name=re.compile("Game day: incident"))).to_be_visible()
    expect(page.locator(".gameday")).to_contain_text("fail on demo")
    expect(page.locator(".gameday")).to_contain_text("Failed orders")
    page.locator(".plot canvas").first.wait_for()
    look(page, "console-overview")

    # The report link, found in the service's logs, ends the fault when followed.
    page.goto(f"{ops}/logs")
    page.get_by_role("searchbox", name="Search").fill("/api/support/")
    page.get_by_role("button", name="Search").click()
    reload_until(page, lambda: page.locator("a.report").count() > 0, 30, "a report link")
    look(page, "console-logs")
    report = page.locator("a.report").first.get_attribute("href")
    assert report is not None
    page.goto(report)
    expect(page.locator("body")).to_contain_text("resolved")

    page.goto(incident_url)
    page.get_by_label("Note").fill("followed the report link from the log explorer")
    page.get_by_role("button", name="Add note").click()
    page.get_by_label("Why resolved").fill("chaos reported through its link")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#incident-status")).to_have_text("resolved")
    expect(page.get_by_text("followed the report link from the log explorer")).to_be_visible()

    page.get_by_role("link", name="Postmortem", exact=True).click()
    # The report shows in the page's frame (same origin), not a refusal to be framed.
    report_frame = page.frame_locator("iframe.report").locator("body")
    expect(report_frame).to_contain_text("Incident:")
    look(page, "console-postmortem")
    link = page.get_by_role("link", name="Download Markdown")
    href = link.get_attribute("href")
    assert href is not None and link.get_attribute("download") is not None
    # What the browser gets for the link, with this session's cookies.
    answer = context.request.get(f"{ops}{href}", headers={"Accept": "text/html"})
    assert answer.ok
    assert re.search(
        r'attachment; filename="incident-\d+\.md"', answer.headers["content-disposition"]
    )
    assert answer.text().startswith("# Incident")
    (tmp_path / "incident.md").write_text(answer.text())

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(incident_url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the incident page scrolls sideways at phone width ({width}px)"
    page.screenshot(path=str(SCREENSHOTS / "console-incident-phone.png"), full_page=True)
