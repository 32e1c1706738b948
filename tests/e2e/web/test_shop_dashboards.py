"""A franchisee and an admin in a real browser: stores, revenue, franchises and users."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.web.browser import look
from tests.e2e.web.stack import Stack
from tests.e2e.web.test_shop_diner import register


def login(page: Page, base: str, email: str, password: str, under: str = "") -> None:
    page.goto(f"{base}{under}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Welcome back")


def order_at(page: Page, base: str, store_label: str) -> None:
    page.goto(f"{base}/menu")
    page.get_by_label("Store").select_option(label=store_label)
    expect(page.get_by_role("option", name=store_label)).to_be_attached()
    page.get_by_role("button", name=re.compile("^Add Charred Leopard")).click()
    expect(page.get_by_text("Selected pizzas: 1")).to_be_visible()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_role("button", name="Pay now").click()
    expect(page.locator(".status")).to_have_text("fulfilled")


def test_a_franchisee_creates_a_store_sees_its_revenue_and_closes_it(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.shop_url}/franchise-dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("So you want a piece of the pie?")
    look(page, "franchise-pitch")
    login(page, stack.shop_url, "f@jwt.com", "franchisee", under="/franchise-dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("pizzaPocket")
    page.get_by_role("link", name="Create store").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create store")
    page.get_by_label("Store name").fill("Ogden")
    page.get_by_role("button", name="Create").click()
    row = page.get_by_role("row").filter(has_text="Ogden")
    expect(row).to_contain_text("₿0.0000")
    order_at(page, stack.shop_url, "pizzaPocket - Ogden")
    page.goto(f"{stack.shop_url}/franchise-dashboard")
    expect(row).to_contain_text("₿0.0099")
    look(page, "franchise-stores")
    row.get_by_role("link", name="Close Ogden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry to see you go")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("pizzaPocket")
    expect(page.get_by_role("row").filter(has_text="Ogden")).to_have_count(0)


def test_an_admin_creates_a_franchise_then_filters_and_deletes_a_user(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    register(page, stack.shop_url, "Frankie Owner", "frankie@jwt.com")
    page.goto(f"{stack.shop_url}/logout")
    page.get_by_role("button", name="Logout").click()
    page.goto(f"{stack.shop_url}/admin-dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oops")
    login(page, stack.shop_url, "a@jwt.com", "admin")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mama Ricci's kitchen")
    page.get_by_role("link", name="Add Franchise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create franchise")
    page.get_by_label("Franchise name").fill("Slice of Heaven")
    page.get_by_label("Franchisee admin email").fill("frankie@jwt.com")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mama Ricci's kitchen")
    page.get_by_label("Filter franchises").fill("Heaven")
    page.get_by_role("button", name="Submit").first.click()
    franchise = page.locator("tbody.franchise")
    expect(franchise).to_have_count(1)
    expect(franchise).to_contain_text("Slice of Heaven")
    expect(franchise).to_contain_text("Frankie Owner")
    users = page.locator("#users")
    page.get_by_label("Filter users").fill("Frankie")
    users.get_by_role("button", name="Submit").click()
    expect(users.locator("tr.user")).to_have_count(1)
    expect(users).to_contain_text("frankie@jwt.com")
    look(page, "admin-dashboard")
    page.once("dialog", lambda dialog: dialog.accept())
    users.get_by_role("button", name="Delete Frankie Owner").click()
    page.get_by_label("Filter users").fill("Frankie")
    page.locator("#users").get_by_role("button", name="Submit").click()
    expect(page.locator("#users")).to_contain_text("No users match.")


def test_the_admin_pages_through_franchises_three_at_a_time(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    login(page, stack.shop_url, "a@jwt.com", "admin")
    for name in ("Paging One", "Paging Two", "Paging Three"):
        page.goto(f"{stack.shop_url}/admin-dashboard/create-franchise")
        page.get_by_label("Franchise name").fill(name)
        page.get_by_label("Franchisee admin email").fill("f@jwt.com")
        page.get_by_role("button", name="Create").click()
    page.goto(f"{stack.shop_url}/admin-dashboard?franchise=Paging")
    expect(page.locator("tbody.franchise")).to_have_count(3)
    page.goto(f"{stack.shop_url}/admin-dashboard")
    expect(page.locator("tbody.franchise")).to_have_count(3)
    page.get_by_role("link", name="Next »").click()
    expect(page.locator("tbody.franchise").first).to_be_visible()
    page.get_by_role("link", name="« Previous").click()
    expect(page.locator("tbody.franchise")).to_have_count(3)
