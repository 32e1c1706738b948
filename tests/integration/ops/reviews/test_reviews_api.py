"""Reviews through the ops API on a real SQLite ops database: the course's example reports,
each paired with an incident recorded to match it, then with its feeds changed to contradict
it; ops' own draft, as drafted and with deliberate mistakes; and bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.unit.ops.reviews.records import OWN, PAIRINGS, example

from .conftest import OpsAt
from .recording import FEED_CLAIMS, PAGE_CLAIMS, claims, record, retell, verdicts


@pytest.mark.parametrize("name", sorted(PAIRINGS))
async def test_each_example_against_matching_then_contradicting_feeds(
    ops_at: OpsAt, name: str
) -> None:
    """The review through ops says what the unit review of the same facts says."""
    pairing = PAIRINGS[name]
    ops = await record(ops_at, pairing.matching)
    text = example(pairing.report)
    good = await verdicts(ops, text)  # found by its time window
    assert good["incident_id"] == 1
    assert claims(good, "confirmed") == pairing.confirmed - PAGE_CLAIMS
    assert pairing.confirmed & PAGE_CLAIMS <= claims(good, "not checkable")
    assert claims(good, "contradicted") == pairing.slips
    retell(ops, pairing.contradicting)
    bad = await verdicts(ops, text, incident=1)
    wrong = (
        pairing.contradicted & FEED_CLAIMS - PAGE_CLAIMS
    )  # the moments stay those of the matching story
    assert claims(bad, "contradicted") == wrong | pairing.slips
    assert bad["score"] < good["score"]


async def test_ops_own_draft_reviewed_finds_no_contradiction(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    draft = await ops.client.get("/api/ops/incidents/1/report.md", headers=ops.admin())
    result = await verdicts(ops, draft.text)
    assert claims(result, "contradicted") == set()
    assert len(claims(result, "confirmed")) >= 10


def _with_mistakes(draft: str) -> str:
    """A wrong count, the acknowledgement (12:01:10) four minutes late, no Impact section."""
    text = draft.replace("8 orders failed", "12 orders failed", 1).replace("12:01:10", "12:05:10")
    return re.sub(r"## Impact\n.*?(?=\n## )", "", text, count=1, flags=re.S)


async def test_ops_own_draft_with_deliberate_mistakes(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    draft = await ops.client.get("/api/ops/incidents/1/report.md", headers=ops.admin())
    mistaken = _with_mistakes(draft.text)
    assert mistaken.count("## ") == draft.text.count("## ") - 1
    result = await verdicts(ops, mistaken)
    wrong = {v["claim"]: v for v in result["verdicts"] if v["status"] == "contradicted"}
    assert set(wrong) == {"failed orders", "acknowledgement"}, wrong
    assert (wrong["failed orders"]["stated"], wrong["failed orders"]["measured"]) == ("12", "8")
    assert wrong["acknowledgement"]["measured"] == "12:01:10 UTC"
    assert [s["name"] for s in result["sections"] if s["status"] == "missing"] == ["Impact"]
    assert "Add the Impact section" in result["fixes"]


async def test_bad_input_is_a_clear_4xx(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)

    async def refused(body: dict[str, Any]) -> tuple[int, str]:
        answer = await ops.client.post("/api/ops/reviews", json=body, headers=ops.admin())
        return answer.status_code, answer.json()["message"]

    status, message = await refused({"markdown": '{"a": 1}'})
    assert status == 400 and "not a postmortem" in message
    status, message = await refused({"markdown": "# Incident\n\n## Summary\nIt broke.\n"})
    assert status == 400 and "no times of day" in message
    status, message = await refused({"markdown": "## Summary\nAt 12:00 UTC it broke.",
                                     "incident": 42})  # fmt: skip
    assert status == 404 and message == "unknown incident 42"
    status, message = await refused({"markdown": "## Summary\nOn 2026-11-25 at 08:00 UTC."})
    assert status == 404 and "no recorded incident matches" in message
    nobody = await ops.client.post("/api/ops/reviews", json={"markdown": "x"})
    assert nobody.status_code == 401
