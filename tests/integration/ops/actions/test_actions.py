"""Action items through the ops API and the CLI, on a real SQLite ops database."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from tests.unit.ops.reviews.records import OWN, example

from ..incidents.conftest import IncidentOps
from ..ops_kit import ADMIN_TOKEN
from ..reviews.conftest import OpsAt
from ..reviews.recording import record


async def call(ops: IncidentOps, method: str, path: str, status: int = 200, **kw: Any) -> Any:
    answer = await ops.client.request(method, path, headers=ops.admin(), **kw)
    assert answer.status_code == status, answer.text
    return answer.json() if "json" in answer.headers.get("content-type", "") else answer.text


async def test_track_items_by_hand_and_from_postmortems(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    late = {"title": "Lower the alert's threshold", "owner": "tessa", "due": "2026-11-20",
            "priority": "high", "incident": 1}  # fmt: skip
    item = await call(ops, "POST", "/api/ops/actions", 201, json=late)
    assert item["overdue"] and item["status"] == "open" and item["origin"] == "hand"
    drafted = await call(ops, "POST", "/api/ops/actions/from-draft", 201, json={"incident": 1})
    assert any(i["title"].startswith("Write or enable a runbook") for i in drafted)
    report = {"incident": 1, "markdown": example("factory-outage.md")}
    written = await call(ops, "POST", "/api/ops/actions/from-report", 201, json=report)
    assert [i["priority"] for i in written] == ["high", "medium", "low"]
    again = await call(ops, "POST", "/api/ops/actions/from-report", 201, json=report)
    assert again == []  # the same items are tracked once
    [overdue] = await call(ops, "GET", "/api/ops/actions", params={"overdue": "true"})
    assert overdue["id"] == item["id"]
    csv = await call(ops, "GET", "/api/ops/actions.csv", params={"incident": 1})
    assert csv.splitlines()[1].startswith("1,1,Lower the alert's threshold,tessa,2026-11-20,high")
    done = await call(ops, "POST", f"/api/ops/actions/{item['id']}/done")
    assert done["status"] == "done" and not done["overdue"]
    markdown = await call(ops, "GET", "/api/ops/actions.md", params={"status": "done"})
    assert markdown.startswith("- [x] Lower the alert's threshold")


async def test_bad_input_is_a_clear_4xx(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    missing = await call(ops, "POST", "/api/ops/actions", 404, json={"title": "x", "incident": 9})
    assert missing["message"] == "unknown incident 9"
    unknown = await call(ops, "POST", "/api/ops/actions/7/done", 404)
    assert unknown["message"] == "unknown action item 7"
    bad = await call(ops, "POST", "/api/ops/actions", 400, json={"title": "x", "priority": "asap"})
    assert "priority" in bad["message"]


def run(ops_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["action", *args, "--url", ops_url, "--token", ADMIN_TOKEN])
    return result.exit_code, result.output


def test_the_action_cli(ops_url: str) -> None:
    code, out = run(ops_url, "add", "Write a runbook", "--owner", "sam", "--due", "2000-01-01",
                    "--priority", "low")  # fmt: skip
    assert code == 0 and out.startswith("1    open  low    2000-01-01 OVERDUE sam: Write")
    assert run(ops_url, "list", "--overdue")[1].count("\n") == 1
    code, out = run(ops_url, "list", "--csv")
    assert code == 0 and out.splitlines()[0].startswith("id,incident,title")
    assert run(ops_url, "done", "1")[1].startswith("1    done ")
    code, out = run(ops_url, "list", "--md")
    assert out.startswith("- [x] Write a runbook")
    declared = CliRunner().invoke(cli, ["incident", "declare", "Orders failing", "--url",
                                        ops_url, "--token", ADMIN_TOKEN])  # fmt: skip
    assert declared.exit_code == 0
    run(ops_url, "add", "Page sooner", "--owner", "tessa", "--due", "2000-01-02", "--incident", "1")
    run(ops_url, "add", "Later", "--due", "2999-01-01", "--incident", "1")
    shown = CliRunner().invoke(cli, ["incident", "show", "1", "--url", ops_url, "--token",
                                     ADMIN_TOKEN])  # fmt: skip
    assert shown.output.endswith(
        "  OVERDUE action item 2: Page sooner (due 2000-01-02, owner tessa)\n"
    )
    code, out = run(ops_url, "add", "x", "--due", "soon")
    assert code == 1 and out == "error: --due must be a date like 2026-12-31, not 'soon'\n"
    code, out = run(ops_url, "done", "5")
    assert code == 1 and out == "error: unknown action item 5 (HTTP 404)\n"
