"""The console as the responder's cockpit, in process: declare an incident from the page, the
Markdown download for a browser that accepts anything, the PromQL box and its chart data,
the open pages the banner polls, and the live log tail."""

from __future__ import annotations

import time

import pytest

from jwtpizza.ops.settings import ScrapeTarget

from .conftest import MakeOps
from .ops_kit import Ops
from .test_console_pages import BROWSER, METRICS, Service, csrf_of, signed_in


@pytest.fixture
async def ops(make_ops: MakeOps) -> Ops:
    return await make_ops(
        Service(),
        targets=[
            ScrapeTarget(job="jwt-pizza-service", url=METRICS, labels={"component": "service"})
        ],
    )


async def test_an_incident_is_declared_from_the_page_and_its_markdown_downloads(
    ops: Ops,
) -> None:
    client = await signed_in(ops)
    page = await client.get("/incidents", headers=BROWSER)
    assert "Declare an incident" in page.text and 'hx-trigger="every 5s"' in page.text
    token = csrf_of(page.text)
    empty = await client.post("/incidents", headers=BROWSER, data={"csrf_token": token})
    assert empty.status_code == 400 and "title is required" in empty.text
    form = {"csrf_token": token, "title": "Orders fail", "severity": "critical"}
    declared = await client.post("/incidents", headers=BROWSER, data=form)
    assert declared.status_code == 303, declared.text
    incident = declared.headers["location"].rsplit("/", 1)[1]
    shown = (await client.get(f"/api/ops/incidents/{incident}", headers=ops.admin())).json()
    assert (shown["title"], shown["severity"]) == ("Orders fail", "critical")
    # What a browser sends for a link with `download`: no text/html in Accept.
    markdown = await client.get(f"/incidents/{incident}/postmortem.md", headers={"Accept": "*/*"})
    assert markdown.status_code == 200, markdown.text
    assert markdown.text.startswith("# Incident")
    assert 'filename="incident-' in markdown.headers["content-disposition"]
    client.cookies.clear()
    anonymous = await client.get(f"/incidents/{incident}/postmortem.md", headers={"Accept": "*/*"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_the_query_box_charts_a_promql_expression(ops: Ops) -> None:
    # The console charts the last minutes of wall time (as the overview's charts do).
    now = time.time()
    for i in range(4):
        ops.world.expositions[METRICS] = f'orders_failed_total{{reason="chaos"}} {i * 3}\n'
        await ops.context.monitor.scrape_all(int((now - 30 + i * 5) * 1000))
    client = await signed_in(ops)
    page = await client.get("/query", headers=BROWSER, params={"q": "orders_failed_total"})
    assert (
        page.status_code == 200 and 'data-source="/query.json?q=orders_failed_total"' in page.text
    )
    data = await client.get(
        "/query.json", headers={"HX-Request": "true"}, params={"q": "orders_failed_total"}
    )
    assert data.status_code == 200, data.text
    [chart] = data.json()["charts"]
    [series] = chart["series"]
    assert 'reason="chaos"' in series["label"]
    assert [v for v in series["values"] if v is not None][-1] == 9
    bad = await client.get("/query.json", headers={"HX-Request": "true"}, params={"q": "sum(("})
    [chart] = bad.json()["charts"]
    [shown] = chart["series"]  # the error, as the chart's one label
    assert shown["label"].startswith("*: ") and set(shown["values"]) == {None}


async def test_the_banner_polls_open_pages(ops: Ops) -> None:
    client = await signed_in(ops)
    pages = await client.get("/pages/open.json", headers={"HX-Request": "true"})
    assert pages.status_code == 200 and pages.json() == []
    overview = await client.get("/", headers=BROWSER)
    assert 'id="paged"' in overview.text and "/static/console.js" in overview.text
    assert "Nobody is being paged." in overview.text


async def test_the_public_status_page_is_styled_from_a_file(ops: Ops) -> None:
    page = await ops.client.get("/status", headers=BROWSER)
    assert page.status_code == 200
    assert '<link rel="stylesheet" href="/static/status.css">' in page.text
    assert "<style" not in page.text and " style=" not in page.text  # the CSP-safe way
    sheet = await ops.client.get("/static/status.css")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")


async def test_sold_is_drawn_green_and_failed_red(ops: Ops) -> None:
    now = time.time()
    for i in range(3):
        ops.world.expositions[METRICS] = (
            f"pizzas_sold_total {i * 4}\npizza_failures_total {i * 2}\norders_failed_total {i}\n"
        )
        await ops.context.monitor.scrape_all(int((now - 20 + i * 5) * 1000))
    client = await signed_in(ops)
    charts = (await client.get("/charts.json", headers={"HX-Request": "true"})).json()["charts"]
    [pizzas] = [c for c in charts if c["title"] == "Pizzas sold and failed"]
    colours = {s["label"]: s["color"] for s in pizzas["series"]}
    assert colours == {"sold": "#1f6f3a", "failed": "#b3261e"}
