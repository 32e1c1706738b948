"""A diner in a real browser: register, order two pizzas, verify, history; a busy kitchen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.web.browser import look
from tests.e2e.web.stack import Stack, running_stack


def register(page: Page, base: str, name: str, email: str, password: str = "pizza-pass") -> None:
    page.goto(f"{base}/register")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the party")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The web's best pizza")


def order_two(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name="Order now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Awesome is a click away")
    checkout = page.get_by_role("link", name="Checkout")
    expect(checkout).to_have_attribute("aria-disabled", "true")
    page.get_by_label("Store").select_option(label="pizzaPocket - SLC")
    page.get_by_role("button", name=re.compile("^Add Veggie")).click()
    expect(page.get_by_text("Selected pizzas: 1")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Add Pepperoni")).click()
    expect(page.get_by_text("Selected pizzas: 2")).to_be_visible()
    look(page, "menu")
    page.get_by_role("link", name="Checkout").click()


def pay(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("So worth it")
    expect(page.get_by_text("Send me those 2 pizzas right now!")).to_be_visible()
    look(page, "payment")
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Here is your JWT Pizza!")


def test_a_diner_orders_two_pizzas_and_the_factory_says_valid(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.shop_url}/")
    look(page, "home")
    register(page, stack.shop_url, "Pat Diner", "pat@jwt.com")
    expect(page.get_by_role("link", name="PD (your pizza kitchen)")).to_be_visible()
    order_two(page, stack.shop_url)
    pay(page)
    expect(page.locator(".facts")).to_contain_text("pie count:2")
    expect(page.get_by_label("pizza JWT")).to_contain_text("eyJ")
    page.get_by_role("button", name="Verify").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("JWT Pizza - valid")
    expect(dialog).to_contain_text("pat@jwt.com")
    expect(page.get_by_label("pizza JWT")).to_have_class(re.compile(r"\bvalid\b"))
    look(page, "delivery-verified")
    dialog.get_by_role("button", name="Close").click()
    order_id = page.locator(".facts dd").first.inner_text()
    page.get_by_role("link", name="PD (your pizza kitchen)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your pizza kitchen")
    history = page.get_by_role("table")
    expect(history).to_contain_text(order_id)
    expect(history).to_contain_text("fulfilled")
    look(page, "diner-dashboard")


def test_payment_sends_a_logged_out_diner_to_login_and_keeps_the_cart(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    order_two(page, stack.shop_url)
    expect(page).to_have_url(f"{stack.shop_url}/payment/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back")
    page.get_by_label("Email address").fill("d@jwt.com")
    page.get_by_label("Password").fill("diner")
    page.get_by_role("button", name="Login").click()
    expect(page).to_have_url(f"{stack.shop_url}/payment")
    expect(page.get_by_text("Send me those 2 pizzas right now!")).to_be_visible()


@pytest.fixture
def quick_queue_stack(tmp_path: Path) -> Iterator[Stack]:
    """A stack whose service gives up waiting for the factory after a second and retries
    queued orders every second (set up before the browser, which runs its own event loop)."""
    quick_queue = {
        "JWTPIZZA_RESILIENCE_TIMEOUT_SECONDS": "1",
        "JWTPIZZA_RESILIENCE_QUEUE_WAIT_BUDGET_SECONDS": "1",
        "JWTPIZZA_QUEUE_BACKOFF_MAX_SECONDS": "1",
    }
    with running_stack(tmp_path / "outage", **quick_queue) as stack:
        yield stack


def test_with_the_factory_down_the_order_waits_then_becomes_a_pizza(
    quick_queue_stack: Stack, context: BrowserContext
) -> None:
    stack = quick_queue_stack
    page = context.new_page()
    register(page, stack.shop_url, "Olly Outage", "olly@jwt.com")
    order_two(page, stack.shop_url)
    stack.start_chaos("outage", durationSeconds=6, mode="reset")
    pay(page)
    expect(page.locator(".status")).to_have_text("queued")
    expect(page.get_by_role("status")).to_contain_text("The kitchen is busy")
    look(page, "delivery-queued")
    expect(page.locator(".status")).to_have_text("fulfilled", timeout=40_000)
    expect(page.get_by_label("pizza JWT")).to_contain_text("eyJ")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("dialog")).to_contain_text("JWT Pizza - valid")
