"""A vendor and an instructor in the factory's portal, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.web.browser import look
from tests.e2e.web.stack import Stack


def log_in_by_code(page: Page, stack: Stack, vendor_id: str) -> None:
    page.goto(f"{stack.portal_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("JWT Pizza Factory login")
    page.get_by_label("BYU Net ID").fill(vendor_id)
    page.get_by_role("button", name="Get code").click()
    expect(page.get_by_text("Provide the code sent to")).to_be_visible()
    page.get_by_label("Code").fill(stack.new_login_code())
    page.get_by_role("button", name="Validate code").click()


def test_a_vendor_logs_in_by_code_and_initiates_chaos(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.portal_url}/")
    look(page, "portal-login")
    page.get_by_label("BYU Net ID").fill("demo")
    page.get_by_role("button", name="Get code").click()
    page.get_by_label("Code").fill("wrong123")
    page.get_by_role("button", name="Validate code").click()
    expect(page.get_by_text("Invalid code")).to_be_visible()
    log_in_by_code(page, stack, "demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pizza Vendor Dashboard")
    expect(page.get_by_label("API Key")).to_have_value(re.compile(r"^[0-9a-f]{32}$"))
    expect(page.locator("#chaos-state")).to_have_text("calm")
    look(page, "portal-dashboard")
    page.get_by_label("Kind of chaos").select_option("fail")
    page.get_by_label("When").select_option(label="Right now")
    page.get_by_role("button", name="Initiate chaos").click()
    expect(page.locator("#chaos-state")).to_have_text("chaotic")
    look(page, "portal-chaotic")


def test_a_new_vendor_creates_an_account_and_asks_for_a_partner(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.portal_url}/")
    page.get_by_label("BYU Net ID").fill("newbie7")
    page.get_by_role("button", name="Get code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create Vendor Account")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Name").fill("Newbie Pizza")
    page.get_by_label("Phone (xxx-xxx-xxxx)").fill("801-555-0199")
    page.get_by_label("Frontend GitHub URL").fill("https://github.com/newbie7/jwt-pizza")
    page.get_by_label("Pizza website").fill("https://pizza.newbie7.click")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Provide the code sent to newbie7@byu.edu")).to_be_visible()
    page.get_by_label("Code").fill(stack.new_login_code())
    page.get_by_role("button", name="Validate code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pizza Vendor Dashboard")
    page.get_by_role("button", name="Request partner").click()
    expect(page.get_by_text("Waiting for available partner")).to_be_visible()
    page.get_by_label("Badge name (letters and dashes)").fill("coverage")
    page.get_by_label("Value").fill("91%")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("img", name="Badge Coverage: 91%")).to_be_visible()
    look(page, "portal-partner-badge")


def test_the_instructor_sees_vendors_and_the_scoreboard(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    log_in_by_code(page, stack, "instructor")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pizza Admin Dashboard")
    page.get_by_label("Filter vendors by name or id").fill("demo")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table").first).to_contain_text("JWT Pizza (demo)")
    expect(page.get_by_role("heading", name="Class scoreboard")).to_be_visible()
    look(page, "portal-admin")


def test_the_factory_still_answers_json_clients_at_the_root(
    stack: Stack, context: BrowserContext
) -> None:
    answer = context.request.get(f"{stack.portal_url}/", headers={"Accept": "application/json"})
    assert answer.json()["message"] == "welcome to JWT Pizza Factory"
