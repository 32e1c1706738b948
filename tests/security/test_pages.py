"""Attacks on the three websites (shop, vendor portal, ops console) served on loopback ports:
stored script through the postmortem, inline script under the pages' CSP, one site's cookie
taken by another on the same host, and an acknowledge link stopped by a link previewer."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx
import pytest

from tests.integration.ops.notify.fakes import FakeHttp, fake_http
from tests.support.incidents import INTAKE, alert, ops_for
from tests.support.live import LivePair, live_pair

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
PAYLOAD = "`<img src=x onerror=alert(document.cookie)>"


@dataclass
class Sites:
    pair: LivePair
    ops: str
    pager: FakeHttp


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    """The service (shop), the factory (portal) and ops (console) on their own ports; ops
    trusts a proxy on loopback, so `X-Forwarded-Proto: https` counts there only."""
    tmp_path = tmp_path_factory.mktemp("pages")
    with (
        live_pair(tmp_path) as pair,
        fake_http() as pager,
        ops_for(tmp_path, pair, pager, oncall={"intake_token": INTAKE},
                ops={"trusted_proxies": ["127.0.0.1"]}) as ops,
    ):  # fmt: skip
        yield Sites(pair=pair, ops=ops, pager=pager)


class Markup(HTMLParser):
    """Every element, and the script that a page would run: inline <script> bodies and
    `on...` handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.inline.append("<script> without src")
        self.inline += [f"{tag} {k}=" for k in names if k.startswith("on")]
        if any(str(v).lower().startswith("javascript:") for v in names.values()):
            self.inline.append(f"{tag} javascript: URL")


def parsed(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    return markup


@contextmanager
def console(ops: str) -> Iterator[httpx.Client]:
    """A browser signed in to the console as the demo admin."""
    with httpx.Client(base_url=ops, timeout=60, headers=BROWSER) as client:
        form = client.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf
        signed = client.post(
            "/login", data={"csrf_token": csrf[1], "email": "a@jwt.com", "password": "admin"}
        )
        assert signed.status_code == 303, signed.text
        yield client


def admin(sites: Sites) -> dict[str, str]:
    token = sites.pair.shop.put("/api/auth", json={"email": "a@jwt.com", "password": "admin"})
    return {"Authorization": f"Bearer {token.json()['token']}"}


def test_21_an_alert_a_note_and_a_link_never_become_script_in_the_postmortem(
    sites: Sites,
) -> None:
    headers = {"Authorization": f"Bearer {INTAKE}"}
    sent = httpx.post(f"{sites.ops}/api/ops/alertmanager", json=alert(PAYLOAD), headers=headers)
    assert sent.status_code == 200, sent.text
    with httpx.Client(base_url=sites.ops, headers=admin(sites), timeout=60) as api:
        made = api.post("/api/ops/incidents", json={"title": "Injected " + PAYLOAD})
        incident = made.json()["id"]
        for note in (PAYLOAD, "a `code` span then <script>alert(1)</script> and a ` lone tick"):
            assert api.post(f"/api/ops/incidents/{incident}/notes", json={"text": note}).is_success
        link = {"url": 'https://x.test/a>"<img src=x onerror=alert(2)>', "title": "evidence"}
        assert api.post(f"/api/ops/incidents/{incident}/links", json=link).is_success
    with console(sites.ops) as browser:
        check_postmortem(browser, incident)


def check_postmortem(browser: httpx.Client, incident: int) -> None:
    deadline = time.monotonic() + 30  # the alert's summary reaches the timeline by the bus
    while "Injected" not in (timeline := browser.get(f"/incidents/{incident}/timeline").text):
        assert time.monotonic() < deadline, timeline
        time.sleep(0.5)
    report = browser.get(f"/incidents/{incident}/postmortem.html")
    assert report.status_code == 200, report.text
    found = parsed(report.text)
    assert found.inline == [], found.inline
    assert "img" not in found.tags and "script" not in found.tags
    assert "&lt;img src=x onerror=alert(document.cookie)&gt;" in report.text  # shown as text
    policy = report.headers["content-security-policy"]
    assert "script-src 'none'" in policy and "frame-ancestors 'self'" in policy
    frame = browser.get(f"/incidents/{incident}/postmortem").text
    assert re.search(r'<iframe[^>]* sandbox(=""|\s|>)', frame), "the report's frame is sandboxed"


def site_pages(sites: Sites) -> list[str]:
    pair = sites.pair
    return [
        f"{pair.service_url}/", f"{pair.service_url}/menu", f"{pair.service_url}/login",
        f"{pair.service_url}/docs", f"{pair.factory_url}/", f"{pair.factory_url}/docs",
        f"{sites.ops}/login", f"{sites.ops}/status", f"{sites.ops}/docs",
    ]  # fmt: skip


def test_21_every_page_has_a_strict_csp_and_no_inline_script(sites: Sites) -> None:
    pages = [(url, httpx.get(url, headers=BROWSER)) for url in site_pages(sites)]
    with console(sites.ops) as browser:
        pages += [(path, browser.get(path)) for path in ("/", "/logs", "/incidents", "/query")]
    for url, page in pages:
        assert page.status_code == 200, (url, page.status_code)
        directives = dict(
            ([*part.strip().split(" ", 1), ""])[:2]
            for part in page.headers["content-security-policy"].split(";")
        )
        assert directives["script-src"] == "'self'", url
        assert directives["connect-src"] == "'self'", url
        assert "unsafe" not in directives["default-src"], url
        assert parsed(page.text).inline == [], (url, parsed(page.text).inline)


def csrf_cookie(response: httpx.Response) -> tuple[str, str]:
    names = [c for c in response.headers.get_list("set-cookie") if "csrf" in c]
    assert len(names) == 1, response.headers.get_list("set-cookie")
    name, value = names[0].split(";", 1)[0].split("=", 1)
    return name, value


def test_21_each_site_keeps_its_own_cookies_and_refuses_the_others(sites: Sites) -> None:
    pair = sites.pair
    shop = httpx.get(f"{pair.service_url}/login", headers=BROWSER)
    portal = httpx.get(f"{pair.factory_url}/", headers=BROWSER)
    ops = httpx.get(f"{sites.ops}/login", headers=BROWSER)
    named = {site: csrf_cookie(answer)[0] for site, answer in
             (("shop", shop), ("portal", portal), ("ops", ops))}  # fmt: skip
    assert len(set(named.values())) == 3, named
    # The browser sends every port's cookies to each (same host): the shop's own token and
    # cookie are worthless to the console.
    name, token = csrf_cookie(shop)
    with httpx.Client(base_url=sites.ops, headers=BROWSER) as client:
        client.cookies.set(name, token)
        forged = client.post(
            "/login", data={"csrf_token": token, "email": "a@jwt.com", "password": "admin"}
        )
    assert forged.status_code == 403, forged.text
    assert "jwtpizza_ops=" not in forged.headers.get("set-cookie", "")


def test_21_cookies_are_secure_behind_a_trusted_proxy_that_says_https(sites: Sites) -> None:
    proxied = {**BROWSER, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    behind = httpx.get(f"{sites.ops}/login", headers=proxied)
    assert all("; secure" in c.lower() for c in behind.headers.get_list("set-cookie"))
    plain = httpx.get(f"{sites.ops}/login", headers=BROWSER)
    assert not any("; secure" in c.lower() for c in plain.headers.get_list("set-cookie"))
    # The shop trusts no proxy: anyone can send the header, so it counts for nothing.
    shop = httpx.get(f"{sites.pair.service_url}/login", headers=proxied)
    assert not any("; secure" in c.lower() for c in shop.headers.get_list("set-cookie"))


def ack_link(sites: Sites, title: str) -> str:
    """The acknowledge link of a new page sent to the primary (alice)."""
    before = len(sites.pager.requests)
    headers = {"Authorization": f"Bearer {INTAKE}"}
    message = alert(title) | {"groupKey": f'{{}}:{{alertname="{title}"}}'}
    # An incident group of its own: an alert that joins an open incident shares its page
    # and pages nobody anew (one page per incident).
    message["alerts"][0]["labels"] = message["commonLabels"] = {
        "alertname": title,
        "severity": "critical",
        "incident_group": title,
    }
    assert httpx.post(f"{sites.ops}/api/ops/alertmanager", json=message, headers=headers).is_success
    deadline = time.monotonic() + 30
    while True:
        sent = [r.json() for r in sites.pager.requests[before:] if r.path.endswith("/alice")]
        if sent and "ackURL" in sent[-1]:
            return str(sent[-1]["ackURL"])
        assert time.monotonic() < deadline, "alice was not paged"
        time.sleep(0.3)


def test_21_opening_an_ack_link_never_acknowledges_its_page_and_the_button_does(
    sites: Sites,
) -> None:
    link = ack_link(sites, "PreviewedPage")
    # A link previewer or a mail scanner fetches the link, as JSON, HTML or anything.
    for accept in ("*/*", "application/json", BROWSER["Accept"]):
        opened = httpx.get(link, headers={"Accept": accept})
        assert opened.status_code == 200, opened.text
    assert opened.headers["content-type"].startswith("text/html")
    page_id = int(link_page(opened.text))
    with (
        httpx.Client(base_url=sites.ops, headers=admin(sites)) as api,
        httpx.Client(headers=BROWSER) as browser,
    ):
        assert api.get(f"/api/ops/pages/{page_id}").json()["status"] == "triggered"
        # The page's button posts with the CSRF token of the page that was opened.
        form = browser.get(link)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf
        refused = browser.post(link, data={})  # another site's form has no token
        assert refused.status_code == 403
        assert api.get(f"/api/ops/pages/{page_id}").json()["status"] == "triggered"
        acked = browser.post(link, data={"csrf_token": csrf[1]})
        assert acked.status_code == 200, acked.text
        assert "is acknowledged by alice" in acked.text
        assert api.get(f"/api/ops/pages/{page_id}").json()["acknowledgedBy"] == "alice"


def link_page(html: str) -> str:
    found = re.search(r"Acknowledge page #(\d+)", html)
    assert found, html
    return found[1]
