"""The acknowledge link of a page, opened in a real browser: a page that says what it would
acknowledge, with a button that does it by POST (the link itself acknowledges nothing)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.web.browser import look
from tests.integration.ops.notify.fakes import FakeHttp, fake_http
from tests.support.incidents import INTAKE, alert, ops_for
from tests.support.live import live_pair


@pytest.fixture
def pager(tmp_path: Path) -> Iterator[FakeHttp]:
    with (
        live_pair(tmp_path) as pair,
        fake_http() as paging,
        ops_for(tmp_path, pair, paging, oncall={"intake_token": INTAKE}) as ops,
    ):
        headers = {"Authorization": f"Bearer {INTAKE}"}
        sent = httpx.post(f"{ops}/api/ops/alertmanager", json=alert("Orders fail"), headers=headers)
        assert sent.status_code == 200, sent.text
        yield paging


def link_to_alice(pager: FakeHttp) -> str:
    deadline = time.monotonic() + 30
    while not (sent := [r.json() for r in pager.requests if r.path.endswith("/alice")]):
        assert time.monotonic() < deadline, "alice was not paged"
        time.sleep(0.3)
    return str(sent[0]["ackURL"])


def test_the_link_opens_a_page_whose_button_acknowledges(
    pager: FakeHttp, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(link_to_alice(pager))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledge a page")
    expect(page.locator(".facts")).to_contain_text("alice")
    expect(page.locator(".facts .badge")).to_have_text("triggered")
    look(page, "console-ack-link")
    page.reload()  # opening it again still acknowledges nothing
    page.get_by_role("button", name="Acknowledge page").click()
    expect(page.get_by_role("status")).to_contain_text("acknowledged by alice")
    look(page, "console-ack-done")
    page.go_back()
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("already been used")
