"""The ops console in process (httpx over ASGI to the ops app, its outgoing calls answered
by a fake service at the HTTP boundary): sign-in with CSRF and only for admins, each page,
the charts' data from the monitor's window, silences, and an incident worked to its
postmortem download."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from jwtpizza.clock import FakeClock
from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.settings import ScrapeTarget

from .conftest import MakeOps
from .ops_kit import ADMIN_TOKEN, DINER_TOKEN, SERVICE, Ops, World, ops_settings

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
PASSWORDS = {"a@jwt.com": ("admin", ADMIN_TOKEN), "d@jwt.com": ("diner", DINER_TOKEN)}
METRICS = "http://service.test/metrics"


class Service(World):
    """The fake service also answers logins (`PUT /api/auth`)."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == f"{SERVICE}/api/auth" and request.method == "PUT":
            body: dict[str, Any] = json.loads(request.content)
            password, token = PASSWORDS.get(body["email"], ("", ""))
            if body["password"] != password or not token:
                return httpx.Response(404, json={"message": "unknown user"})
            return httpx.Response(200, json={"user": {"email": body["email"]}, "token": token})
        return super().handle(request)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def signed_in(ops: Ops) -> httpx.AsyncClient:
    client = ops.client
    form = await client.get("/login", headers=BROWSER)
    answer = await client.post(
        "/login",
        headers=BROWSER,
        data={"csrf_token": csrf_of(form.text), "email": "a@jwt.com", "password": "admin"},
    )
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"]
    assert "jwtpizza_ops=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    return client


@pytest.fixture
async def ops(make_ops: MakeOps) -> Ops:
    return await make_ops(
        Service(),
        targets=[
            ScrapeTarget(job="jwt-pizza-service", url=METRICS, labels={"component": "service"})
        ],
    )


async def test_pages_need_an_admin_session_and_json_clients_keep_the_api(ops: Ops) -> None:
    page = await ops.client.get("/", headers=BROWSER)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    api = await ops.client.get("/", headers={"Accept": "application/json"})
    assert api.status_code == 200 and "message" in api.json()
    assert (await ops.client.get("/api/ops/me")).status_code == 401


async def test_sign_in_refuses_a_forged_post_a_wrong_password_and_a_diner(ops: Ops) -> None:
    form = await ops.client.get("/login", headers=BROWSER)
    assert 'autocomplete="current-password"' in form.text
    forged = await ops.client.post(
        "/login", headers=BROWSER, data={"email": "a@jwt.com", "password": "admin"}
    )
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    token = csrf_of(form.text)
    wrong = await ops.client.post(
        "/login", headers=BROWSER, data={"csrf_token": token, "email": "a@jwt.com", "password": "x"}
    )
    assert wrong.status_code == 404 and "unknown user" in wrong.text
    diner = await ops.client.post(
        "/login",
        headers=BROWSER,
        data={"csrf_token": token, "email": "d@jwt.com", "password": "diner"},
    )
    assert diner.status_code == 403 and "only service admins" in diner.text
    assert "jwtpizza_ops" not in diner.headers.get("set-cookie", "")


async def test_every_page_renders_for_an_admin(ops: Ops) -> None:
    client = await signed_in(ops)
    for path, text in [
        ("/", "Key metrics"),
        ("/alerts", "Add silence"),
        ("/incidents", "No incident yet"),
        ("/oncall", "Nobody has been paged"),
        ("/chaos", "no factory admin key"),
        ("/slo", "No SLO data yet"),
    ]:
        page = await client.get(path, headers=BROWSER)
        assert page.status_code == 200, (path, page.text)
        assert text in page.text, path
        assert "Traceback" not in page.text
    logs = await client.get("/logs", headers=BROWSER)
    # This ops has no service login: the explorer says so rather than showing no records.
    assert logs.status_code == 503 and "no credentials for the service logs" in logs.text


async def test_charts_read_a_range_of_the_monitors_window(ops: Ops) -> None:
    start = ops.clock.now().timestamp()
    for i in range(6):
        ops.world.expositions[METRICS] = (
            f'http_requests_total{{method="GET",status="200"}} {i * 50}\n'
            f'http_requests_total{{method="GET",status="500"}} {i * 5}\n'
        )
        await ops.context.monitor.scrape_all(int(ops.clock.now().timestamp() * 1000))
        ops.clock.advance(5)
    answer = await ops.client.get(
        "/api/ops/query_range",
        headers=ops.admin(),
        params={
            "query": 'sum(http_requests_total{status=~"5.."})',
            "start": start + 10,
            "end": start + 25,
            "step": 5,
        },
    )
    assert answer.status_code == 200, answer.text
    [series] = answer.json()["series"]
    assert [v for _t, v in series["points"]] == [10, 15, 20, 25]
    bad = await ops.client.get(
        "/api/ops/query_range", headers=ops.admin(), params={"query": "sum(("}
    )
    assert bad.status_code == 400 and "message" in bad.json()
    client = await signed_in(ops)
    charts = await client.get("/charts.json", headers={"HX-Request": "true"})
    assert charts.status_code == 200
    titles = [c["title"] for c in charts.json()["charts"]]
    assert "Request rate" in titles and "Queue" in titles


async def test_a_silence_is_added_and_expired_from_the_page(ops: Ops) -> None:
    client = await signed_in(ops)
    page = await client.get("/alerts", headers=BROWSER)
    token = csrf_of(page.text)
    empty = await client.post("/silences", headers=BROWSER, data={"csrf_token": token})
    assert empty.status_code == 400 and "matchers are required" in empty.text
    added = await client.post(
        "/silences",
        headers=BROWSER,
        data={"csrf_token": token, "matchers": 'alertname="FactoryChaosFail"', "minutes": "30"},
    )
    assert added.status_code == 303
    [silence] = (await client.get("/api/ops/silences", headers=ops.admin())).json()
    assert silence["state"] == "active"
    page = await client.get("/alerts", headers=BROWSER)
    assert 'alertname="FactoryChaosFail"' in page.text.replace("&#34;", '"')
    expired = await client.post(
        f"/silences/{silence['id']}/expire", headers=BROWSER, data={"csrf_token": token}
    )
    assert expired.status_code == 303
    [silence] = (await client.get("/api/ops/silences", headers=ops.admin())).json()
    assert silence["state"] == "expired"


async def test_an_incident_is_worked_to_its_postmortem(ops: Ops) -> None:
    declared = await ops.client.post(
        "/api/ops/incidents", headers=ops.admin(), json={"title": "Pizzas fail"}
    )
    incident = declared.json()["id"]
    client = await signed_in(ops)
    page = await client.get(f"/incidents/{incident}", headers=BROWSER)
    assert "Pizzas fail" in page.text and "Acknowledge" in page.text
    overview = await client.get("/", headers=BROWSER)
    assert f"Game day: incident #{incident}" in overview.text
    assert "Failed orders" in overview.text and "MTTA" in overview.text
    token = csrf_of(page.text)
    for path, data in [
        ("ack", {}),
        ("notes", {"text": "the factory fails every order"}),
        ("resolve", {"why": "chaos reported"}),
    ]:
        moved = await client.post(
            f"/incidents/{incident}/{path}", headers=BROWSER, data={"csrf_token": token, **data}
        )
        assert moved.status_code == 303, moved.text
    page = await client.get(f"/incidents/{incident}", headers=BROWSER)
    assert "the factory fails every order" in page.text and ">resolved<" in page.text
    report = await client.get(f"/incidents/{incident}/postmortem", headers=BROWSER)
    assert "Download Markdown" in report.text
    markdown = await client.get(f"/incidents/{incident}/postmortem.md", headers=BROWSER)
    assert markdown.status_code == 200
    assert 'filename="incident-' in markdown.headers["content-disposition"]
    assert "Pizzas fail" in markdown.text


FACTORY = "http://factory.test"
FACTORY_KEY = "factory-admin-key"


class Factory(Service):
    """The fake service, and a factory admin API keeping each vendor's chaos in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.chaos: dict[str, dict[str, Any]] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not str(request.url).startswith(FACTORY):
            return super().handle(request)
        if request.headers.get("authorization") != f"Bearer {FACTORY_KEY}":
            return httpx.Response(401, json={"message": "unauthorized"})
        parts = path.removeprefix("/api/admin/chaos").strip("/").split("/")
        if request.method == "GET":
            return httpx.Response(200, json=list(self.chaos.values()))
        if request.method == "PUT":
            vendor, kind = parts
            if kind not in ("fail", "throttle"):
                return httpx.Response(400, json={"message": f"unknown chaos type {kind}"})
            body = json.loads(request.content)
            state = "active" if body.get("start") == "now" else "scheduled"
            self.chaos[vendor] = {"vendorId": vendor, "type": kind, "state": state,
                                  "startDate": 1_764_000_000_000, **body}  # fmt: skip
            return httpx.Response(200, json=self.chaos[vendor])
        self.chaos[parts[0]]["state"] = "ended"
        return httpx.Response(200, json={"stopped": 1})


async def test_chaos_is_started_scheduled_and_stopped_through_the_factory(
    tmp_path: Path,
) -> None:
    world = Factory()
    app = create_app(
        ops_settings(tmp_path, factory_url=FACTORY),
        clock=FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),
        http_transport=world.transport(),
        start_loops=False,
        incidents=IncidentSettings(factory_api_key=SecretStr(FACTORY_KEY)),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ops") as client:
            ops = Ops(
                client=client,
                clock=FakeClock(),
                world=world,
                context=app.state.ops.context,
                rules=app.state.ops.rules,
            )
            await signed_in(ops)
            page = await client.get("/chaos", headers=BROWSER)
            assert "No chaos." in page.text
            token = csrf_of(page.text)
            form = {"csrf_token": token, "vendor": "demo", "type": "fail", "schedule": "now"}
            started = await client.post("/chaos", headers=BROWSER, data=form)
            assert started.status_code == 303
            assert world.chaos["demo"]["start"] == "now"
            later = {**form, "vendor": "other", "type": "throttle", "schedule": "within",
                     "minutes": "2"}  # fmt: skip
            assert (await client.post("/chaos", headers=BROWSER, data=later)).status_code == 303
            assert world.chaos["other"]["withinSeconds"] == 300
            assert world.chaos["other"]["durationSeconds"] == 120
            bad = await client.post("/chaos", headers=BROWSER, data={**form, "type": "nap"})
            assert bad.status_code == 400 and "unknown chaos type nap" in bad.text
            page = await client.get("/chaos", headers=BROWSER)
            assert ">active<" in page.text and ">scheduled<" in page.text
            # The scheduled one is a surprise: neither its type nor its start shows yet.
            assert "<td>throttle</td>" not in page.text and "<td>surprise</td>" in page.text
            assert "hidden until it starts" in page.text
            stopped = await client.post(
                "/chaos/demo/stop", headers=BROWSER, data={"csrf_token": token}
            )
            assert stopped.status_code == 303 and world.chaos["demo"]["state"] == "ended"
            assert FACTORY_KEY not in (await client.get("/chaos", headers=BROWSER)).text
