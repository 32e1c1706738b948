"""The console's error-budget chart in a real browser, on real servers: ops evaluates the
shipped SLO rules on the live service under diners' traffic, and the responder sees each
SLO's budget left and burn rate drawn as SVG bars (no script, no inline style: the CSP)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.web.browser import look
from tests.integration.ops.notify.fakes import fake_http
from tests.support.incidents import ROOT, Traffic, diners, ops_for
from tests.support.live import live_pair

pytestmark = pytest.mark.slow
SLO_RULES = str(ROOT / "deploy" / "prometheus" / "rules" / "slo.yml")


@pytest.fixture
def ops_with_slos(tmp_path: Path) -> Iterator[str]:
    with (
        live_pair(tmp_path) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager, ops={"rule_files": [SLO_RULES]}) as ops,
        Traffic(pair.service_url, diners(pair, 2)).running(),
    ):
        yield ops


def test_the_console_draws_each_slos_budget_and_burn(
    ops_with_slos: str, context: BrowserContext
) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{ops_with_slos}/slo")
    page.get_by_label("Email address").fill("a@jwt.com")
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Error budgets")
    order = page.locator('g.slo[data-slo="order-success"]')
    deadline = time.monotonic() + 60
    while order.count() == 0 or "no data" in order.locator("text.value").first.text_content() or "":
        assert time.monotonic() < deadline, "no order-success budget within 60 s"
        page.wait_for_timeout(2000)
        page.reload()
    chart = page.get_by_role("img", name="Per SLO")
    expect(chart).to_be_visible()
    assert page.locator("g.slo").count() == 4  # the four SLOs of deploy/slo/
    # Orders succeed: the whole budget is left, drawn as a full bar, and the burn is 0x.
    expect(order.locator("text.value").first).to_have_text("100.0% left")
    budget = order.locator("rect.budget")
    track = order.locator("rect.track").first
    assert budget.bounding_box()["width"] == pytest.approx(track.bounding_box()["width"], rel=0.01)  # type: ignore[index]
    expect(order.locator("text.value").nth(1)).to_have_text("0.00x now")
    # Coloured by the stylesheet (classes), not by inline style.
    fill = budget.evaluate("e => getComputedStyle(e).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)"), fill
    assert page.locator("[style]").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e], errors
    look(page, "console-error-budget")
