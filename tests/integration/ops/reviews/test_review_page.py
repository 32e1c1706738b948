"""The console's review page beside an incident: paste or upload a report, read the verdicts."""

from __future__ import annotations

from tests.unit.ops.reviews.records import OUTAGE, example

from ..test_console_pages import BROWSER, csrf_of, signed_in
from .conftest import OpsAt
from .recording import record


async def test_upload_a_report_and_read_its_verdicts(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OUTAGE)
    client = await signed_in(ops)
    incident = await client.get("/incidents/1", headers=BROWSER)
    assert 'href="/incidents/1/review"' in incident.text
    form = await client.get("/incidents/1/review", headers=BROWSER)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    text = example("factory-outage.md")
    answer = await client.post(
        "/incidents/1/review", headers=BROWSER, data={"csrf_token": csrf_of(form.text)},
        files={"report": ("outage.md", text.encode(), "text/markdown")},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert "Score " in answer.text and 'class="verdict confirmed"' in answer.text
    assert "alert firing" in answer.text and "Response: missing" in answer.text
    assert 'class="verdict contradicted"' not in answer.text


async def test_bad_input_is_said_on_the_page(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OUTAGE)
    client = await signed_in(ops)
    form = await client.get("/incidents/1/review", headers=BROWSER)
    csrf = {"csrf_token": csrf_of(form.text)}
    empty = await client.post("/incidents/1/review", headers=BROWSER, data=csrf)
    assert empty.status_code == 400 and "paste the report" in empty.text
    binary = await client.post(
        "/incidents/1/review", headers=BROWSER, data=csrf,
        files={"report": ("photo.md", b"\x89PNG\x00\xff", "image/png")},
    )  # fmt: skip
    assert binary.status_code == 400 and "photo.md is not a Markdown report" in binary.text
    words = {**csrf, "markdown": "# R\n\n## Summary\nIt broke.\n"}
    notimes = await client.post("/incidents/1/review", headers=BROWSER, data=words)
    assert notimes.status_code == 400 and "no times of day" in notimes.text
