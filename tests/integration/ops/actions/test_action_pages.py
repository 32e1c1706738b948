"""Action items in the console: overdue ones marked on the list and on their incident."""

from __future__ import annotations

from tests.unit.ops.reviews.records import OWN, example

from ..reviews.conftest import OpsAt
from ..reviews.recording import record
from ..test_console_pages import BROWSER, csrf_of, signed_in


async def test_add_see_overdue_and_mark_done(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    client = await signed_in(ops)
    page = await client.get("/actions", headers=BROWSER)
    assert page.status_code == 200 and "No action item." in page.text
    form = {"csrf_token": csrf_of(page.text), "title": "Lower the threshold", "owner": "tessa",
            "due": "2026-11-01", "priority": "high", "incident": "1"}  # fmt: skip
    added = await client.post("/actions", headers=BROWSER, data=form)
    assert added.status_code == 303
    page = await client.get("/actions", headers=BROWSER)
    assert 'class="action open overdue"' in page.text and "Lower the threshold" in page.text
    incident = await client.get("/incidents/1", headers=BROWSER)
    assert 'hx-get="/incidents/1/actions"' in incident.text
    fragment = await client.get("/incidents/1/actions", headers=BROWSER)
    assert "1 overdue" in fragment.text and "Lower the threshold" in fragment.text
    csv = await client.get("/actions.csv", headers=BROWSER)
    assert csv.headers["content-type"].startswith("text/csv") and "tessa" in csv.text
    done = await client.post("/actions/1/done", headers=BROWSER,
                             data={"csrf_token": csrf_of(page.text)})  # fmt: skip
    assert done.status_code == 303
    page = await client.get("/actions?status=done", headers=BROWSER)
    assert 'class="action done"' in page.text
    empty = await client.post("/actions", headers=BROWSER,
                              data={"csrf_token": csrf_of(page.text), "title": " "})  # fmt: skip
    assert empty.status_code == 400 and "needs a title" in empty.text


async def test_the_progress_chart(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    client = await signed_in(ops)
    page = await client.get("/progress", headers=BROWSER)
    assert page.status_code == 200 and 'role="img"' in page.text
    assert 'data-measure="mttr"' in page.text and "incident #1: MTTR 210 s" in page.text
    assert 'data-top="210' in page.text  # the slowest measure sets the chart's top
    csv = await client.get("/progress.csv", headers=BROWSER)
    assert csv.text.startswith("incident,declared_at,fault_type")


async def test_track_the_drafts_items_and_a_reviewed_reports(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    client = await signed_in(ops)
    fragment = await client.get("/incidents/1/actions", headers=BROWSER)
    assert 'action="/incidents/1/actions/from-draft"' in fragment.text
    drafted = await client.post("/incidents/1/actions/from-draft", headers=BROWSER,
                                data={"csrf_token": csrf_of(fragment.text)})  # fmt: skip
    assert drafted.status_code == 303 and drafted.headers["location"] == "/incidents/1"
    fragment = await client.get("/incidents/1/actions", headers=BROWSER)
    assert "Write or enable a runbook" in fragment.text
    form = await client.get("/incidents/1/review", headers=BROWSER)
    written = {"csrf_token": csrf_of(form.text), "markdown": example("factory-outage.md")}
    reviewed = await client.post("/incidents/1/review", headers=BROWSER, data=written)
    assert 'action="/incidents/1/review/actions"' in reviewed.text
    tracked = await client.post("/incidents/1/review/actions", headers=BROWSER, data=written)
    assert tracked.status_code == 303 and tracked.headers["location"] == "/actions"
    markdown = await client.get("/actions.md", headers=BROWSER)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "- [ ] Show users a clearer message" in markdown.text
    assert "priority high" in markdown.text and "incident #1" in markdown.text
    empty = await client.post(
        "/incidents/1/review/actions",
        headers=BROWSER,
        data={"csrf_token": written["csrf_token"], "markdown": " "},
    )
    assert empty.status_code == 400 and "paste the report" in empty.text
