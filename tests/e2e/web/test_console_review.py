"""A responder reviews their own postmortem in the console, in a real browser: the incident
page links to the review page, the report is uploaded as a file, and the verdicts show which
claims ops' record confirms and which it contradicts (with the measured value)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from jwtpizza.clock import FakeClock
from jwtpizza.ops.app import create_app
from tests.e2e.web.browser import look
from tests.integration.ops.incidents.kit import FACTORY, IncidentWorld, incident_settings
from tests.integration.ops.ops_kit import ADMIN_TOKEN, SERVICE, ops_settings
from tests.support.live import free_port, serving

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
REPORT = """# Incident: 2026-11-25 12-00-00

## Summary
On 2026-11-25 the order page failed for diners; we declared the incident at 12:00:00 UTC.

## Timeline
- 12:00:00 - incident declared by hand
- 12:09:00 - I acknowledged it
- 12:05:00 - incident resolved
"""


class ConsoleWorld(IncidentWorld):
    """The incident world whose service also signs the admin in."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == f"{SERVICE}/api/auth" and request.method == "PUT":
            body: dict[str, Any] = json.loads(request.content)
            if body.get("password") != "admin":
                return httpx.Response(404, json={"message": "unknown user"})
            return httpx.Response(200, json={"user": {"email": body["email"]},
                                             "token": ADMIN_TOKEN})  # fmt: skip
        return super().handle(request)


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[str]:
    """Ops served on a loopback port with one incident: declared 12:00, acked 12:01,
    resolved 12:05 (UTC)."""
    clock = FakeClock(START)
    app = create_app(
        ops_settings(tmp_path, factory_url=FACTORY), clock=clock,
        http_transport=ConsoleWorld().transport(), start_loops=False,
        incidents=incident_settings(),
    )  # fmt: skip
    with serving(app, free_port()) as url:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=url, headers=admin) as api:
            api.post("/api/ops/incidents", json={"title": "Orders failing"}).raise_for_status()
            clock.advance(60)
            api.post("/api/ops/incidents/1/ack").raise_for_status()
            clock.advance(240)
            api.post("/api/ops/incidents/1/resolve", json={"why": "fixed"}).raise_for_status()
        yield url


def test_upload_a_postmortem_and_read_the_verdicts(
    ops: str, context: BrowserContext, tmp_path: Path
) -> None:
    report = tmp_path / "my-postmortem.md"
    report.write_text(REPORT)
    page = context.new_page()
    page.goto(f"{ops}/login")
    page.get_by_label("Email address").fill("a@jwt.com")
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{ops}/incidents/1")
    page.get_by_role("link", name="Review a postmortem").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review a postmortem")
    look(page, "console-review-form")
    page.get_by_label("or its file").set_input_files(str(report))
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", name="Score")).to_be_visible()
    ack = page.locator("tr.verdict", has_text="acknowledgement")
    expect(ack).to_have_class("verdict contradicted")
    expect(ack).to_contain_text("12:01:00 UTC")
    expect(page.locator("tr.verdict", has_text="incident declared")).to_have_class(
        "verdict confirmed"
    )
    expect(page.locator("tr.verdict", has_text="incident resolved")).to_have_class(
        "verdict confirmed"
    )
    expect(page.locator("tr.verdict", has_text="page sent")).to_have_count(0)  # a web page
    expect(page.locator("ol.fixes")).to_contain_text("acknowledgement is 12:09:00")
    look(page, "console-review-verdicts")
