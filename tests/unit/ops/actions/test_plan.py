"""Action items read from reports, and their exports."""

from __future__ import annotations

from datetime import date

from jwtpizza.ops.actions.plan import Planned, as_csv, as_markdown, planned
from jwtpizza.ops.reviews.sections import split

from ..reviews.records import example


def test_items_of_the_example_reports() -> None:
    outage = planned(split(example("factory-outage.md")))
    assert [p.priority for p in outage] == ["high", "medium", "low"]
    assert outage[0].title.startswith("Show users a clearer message")
    noisy = planned(split(example("factory-fail-noisy-alert.md")))
    assert len(noisy) == 3 and {p.priority for p in noisy} == {"medium"}


def test_owner_due_and_link_are_read_off_the_line() -> None:
    doc = split(
        "## Action items\n"
        "- (high) Page sooner. Owner: Tessa; due 2026-12-15 https://tracker.test/issues/4\n"
        "- **Make alert `X` fire sooner**: MTTD was 200 s. Owner: TODO; due: TODO.\n"
        "- none derived from the measured gaps\n"
    )
    first, second = planned(doc)
    assert first == Planned("Page sooner", "Tessa", date(2026, 12, 15), "high",
                            "https://tracker.test/issues/4")  # fmt: skip
    assert second.owner is None and second.due is None and second.title.startswith("Make alert X")


def test_csv_and_markdown_exports() -> None:
    items = [
        {"id": 1, "incident": 3, "title": "Page sooner", "owner": "Tessa", "due": "2026-12-01",
         "priority": "high", "status": "open", "link": None, "overdue": True},
        {"id": 2, "incident": None, "title": "Add a runbook, with care", "owner": None,
         "due": None, "priority": "low", "status": "done", "link": "https://t.test/2",
         "overdue": False},
    ]  # fmt: skip
    assert as_csv(items).splitlines() == [
        "id,incident,title,owner,due,priority,status,link,overdue",
        "1,3,Page sooner,Tessa,2026-12-01,high,open,,True",
        '2,,"Add a runbook, with care",,,low,done,https://t.test/2,False',
    ]
    assert as_markdown(items).splitlines() == [
        "- [ ] Page sooner — priority high, owner Tessa, due 2026-12-01, **overdue**, incident #3",
        "- [x] Add a runbook, with care (https://t.test/2) — priority low, no owner",
    ]
