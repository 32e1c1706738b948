"""Bad input shows the API's message next to the field; forged posts are refused; every page
of the original site answers with its title, without a stack trace, at phone width too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.web.browser import look
from tests.e2e.web.stack import Stack
from tests.e2e.web.test_shop_dashboards import login


def submit_register(page: Page, base: str, name: str, email: str, password: str) -> None:
    page.goto(f"{base}/register")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Register").click()


def error_of(page: Page, label: str) -> str:
    field = page.get_by_label(label)
    expect(field).to_have_attribute("aria-invalid", "true")
    described = field.get_attribute("aria-describedby")
    return page.locator(f"#{described}").inner_text()


def test_bad_registrations_show_the_message_beside_the_field(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    submit_register(page, stack.shop_url, "", "", "")
    assert error_of(page, "Full name") == "name, email, and password are required"
    look(page, "register-empty")
    submit_register(page, stack.shop_url, "Taken", "d@jwt.com", "pizza-pass")
    assert error_of(page, "Email address") == "email address already registered"
    expect(page.get_by_label("Full name")).to_have_value("Taken")
    submit_register(page, stack.shop_url, "x" * 300, "long@jwt.com", "pizza-pass")
    assert error_of(page, "Full name").startswith("name")
    look(page, "register-long-name")


def test_a_wrong_password_shows_the_message_beside_the_password(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.shop_url}/login")
    page.get_by_label("Email address").fill("d@jwt.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Login").click()
    assert error_of(page, "Password") == "unknown user"
    look(page, "login-wrong-password")


def test_a_diner_edits_the_profile_and_a_taken_email_is_explained(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    submit_register(page, stack.shop_url, "Eddie Edit", "eddie@jwt.com", "pizza-pass")
    page.goto(f"{stack.shop_url}/diner-dashboard")
    page.get_by_text("Edit", exact=True).click()
    page.get_by_label("Email address").fill("d@jwt.com")
    page.get_by_role("button", name="Update").click()
    assert error_of(page, "Current password").startswith("currentPassword is required")
    page.get_by_label("Current password").fill("pizza-pass")
    page.get_by_role("button", name="Update").click()
    assert error_of(page, "Email address") == "email address already registered"
    page.get_by_label("Name").fill("Edwina Edit")
    page.get_by_label("Email address").fill("edwina@jwt.com")
    page.get_by_label("Current password").fill("pizza-pass")
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".profile")).to_contain_text("Edwina Edit")
    expect(page.locator(".profile")).to_contain_text("edwina@jwt.com")
    expect(page.get_by_role("link", name="EE (your pizza kitchen)")).to_be_visible()


def test_a_franchise_without_a_name_or_with_an_unknown_franchisee_is_explained(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    login(page, stack.shop_url, "a@jwt.com", "admin")
    page.goto(f"{stack.shop_url}/admin-dashboard/create-franchise")
    page.get_by_label("Franchisee admin email").fill("nobody@jwt.com")
    page.get_by_role("button", name="Create").click()
    assert error_of(page, "Franchise name").startswith("name")
    page.get_by_label("Franchise name").fill("Ghost Town")
    page.get_by_role("button", name="Create").click()
    message = error_of(page, "Franchisee admin email")
    assert message == "unknown user for franchise admin nobody@jwt.com provided"


def test_a_forged_post_without_the_csrf_token_is_refused(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.shop_url}/login")
    forged = page.request.post(
        f"{stack.shop_url}/login",
        form={"email": "d@jwt.com", "password": "diner"},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    assert forged.status == 403
    assert "did not come from this site" in forged.text()
    assert "jwtpizza_session" not in {c["name"] for c in context.cookies()}


def test_the_session_cookie_is_httponly_and_samesite(stack: Stack, context: BrowserContext) -> None:
    page = context.new_page()
    login(page, stack.shop_url, "d@jwt.com", "diner")
    session = next(c for c in context.cookies() if c["name"] == "jwtpizza_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""


PAGES = [
    ("/", "The web's best pizza"),
    ("/menu", "Awesome is a click away"),
    ("/about", "The secret sauce"),
    ("/history", "Mama Rucci, my my"),
    ("/docs/service", "JWT Pizza API"),
    ("/docs/factory", "JWT Pizza API"),
    ("/login", "Welcome back"),
    ("/register", "Welcome to the party"),
    ("/logout", "Logout"),
    ("/franchise-dashboard", "So you want a piece of the pie?"),
    ("/no/such/page", "Oops"),
]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_public_page_has_its_title(
    stack: Stack, context: BrowserContext, phone: bool
) -> None:
    page = context.new_page()
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})
    for path, title in PAGES:
        page.goto(f"{stack.shop_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        name = re.sub(r"\W+", "-", path.strip("/")) or "home"
        look(page, f"{'phone' if phone else 'page'}-{name}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    if phone:
        page.goto(f"{stack.shop_url}/docs/service")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_a_json_client_still_gets_the_api_at_the_root(
    stack: Stack, context: BrowserContext
) -> None:
    answer = context.request.get(f"{stack.shop_url}/", headers={"Accept": "application/json"})
    assert answer.json()["message"] == "welcome to JWT Pizza"
    missing = context.request.get(f"{stack.shop_url}/api/nope")
    assert missing.status == 404 and missing.json() == {"message": "unknown endpoint"}
