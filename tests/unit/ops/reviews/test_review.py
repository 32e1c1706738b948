"""Reviews of the course's example reports, of reports with mistakes, and of ops' own draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from jwtpizza.errors import InvalidInput, NotFound
from jwtpizza.ops.incidents.reports.markdown import render
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.reviews.check import CONFIRMED, CONTRADICTED, Review, review
from jwtpizza.ops.reviews.claims import all_claims
from jwtpizza.ops.reviews.match import Window, describes
from jwtpizza.ops.reviews.record import record_of
from jwtpizza.ops.reviews.sections import NotAPostmortem, split

from ..incidents.reports.drafts import make_draft, make_timeline, t
from .records import (
    NOISY,
    NOISY_WRONG,
    OUTAGE,
    OUTAGE_WRONG,
    PAIRINGS,
    TEMPLATE,
    Story,
    at,
    draft_of,
    example,
)


def review_of(markdown: str, story: Story) -> Review:
    return review(split(markdown), record_of(draft_of(story)))


def by_status(result: Review, status: str) -> set[str]:
    return {v.claim for v in result.verdicts if v.status == status}


@pytest.mark.parametrize("name", sorted(PAIRINGS))
def test_each_example_against_matching_then_contradicting_facts(name: str) -> None:
    pairing = PAIRINGS[name]
    text = example(pairing.report)
    good = review_of(text, pairing.matching)
    assert by_status(good, CONFIRMED) == pairing.confirmed
    assert by_status(good, CONTRADICTED) == pairing.slips
    bad = review_of(text, pairing.contradicting)
    assert by_status(bad, CONTRADICTED) == pairing.contradicted | pairing.slips
    assert bad.score < good.score


def test_the_noisy_alert_report_names_what_it_got_wrong() -> None:
    text = example(PAIRINGS["noisy"].report)
    good = review_of(text, NOISY)
    assert good.score == 100
    assert "UTC-7" in good.assumptions[0]  # no zone named: read in the offset that fits
    bad = review_of(text, NOISY_WRONG)
    declared = next(v for v in bad.verdicts if v.claim == "incident declared")
    assert declared.measured == "13:05:00 UTC-7 (20:05:00 UTC)"
    assert declared.source == "incident record (declared)"
    assert bad.score < 70 and any("affected diners is 2" in fix for fix in bad.fixes)


def test_the_outage_report_in_a_twelve_hour_clock() -> None:
    text = example(PAIRINGS["outage"].report)
    good = review_of(text, OUTAGE)
    assert [s.name for s in good.sections if s.status == "missing"] == ["Response"]
    assert "Add the Response section" in good.fixes
    bad = review_of(text, OUTAGE_WRONG)
    firing = next(v for v in bad.verdicts if v.claim == "alert firing")
    assert firing.stated == "10:11:30" and firing.measured == "10:14:00 UTC-7 (17:14:00 UTC)"


def test_the_template_example_in_utc_and_its_own_slip() -> None:
    good = review_of(example(PAIRINGS["template"].report), TEMPLATE)
    [slip] = [v for v in good.verdicts if v.status == CONTRADICTED]
    assert (slip.claim, slip.stated, slip.measured) == ("first impact", "13:33", "19:33:00 UTC")
    assert [(s.name, s.status) for s in good.sections if s.status != "present"] == [
        ("Title", "prompt")
    ]


MISTAKES = """# Incident: 2025-11-25 19-53-10

## Summary
Between 19:53 UTC and 19:58 UTC, 7 diners could not order; 12 failed orders in all.

## Detection
The PizzaFailures alert was firing at 19:54:10 UTC and paged the on-call.

## Timeline
- 19:53:10 - chaos started on the factory
- 19:58:50 - I acknowledged the page
- 19:59:22 - incident resolved

## Root cause
The factory answered 500 for every order (chaos fault `fail`).

## Resolution
I followed the report link in the failed order's answer.
"""


def test_a_report_with_deliberate_mistakes() -> None:
    result = review_of(MISTAKES, NOISY)
    wrong = {v.claim: v for v in result.verdicts if v.status == CONTRADICTED}
    assert set(wrong) == {"affected diners", "failed orders", "acknowledgement"}
    assert wrong["failed orders"].measured == "3"
    assert wrong["acknowledgement"].stated == "19:58:50"
    assert wrong["acknowledgement"].measured == "19:54:50 UTC"
    missing = {s.name for s in result.sections if s.status == "missing"}
    assert missing == {"Impact", "Response", "Prevention", "Action items"}
    assert {"alert firing", "first impact", "incident resolved"} <= by_status(result, CONFIRMED)


def test_ops_own_draft_has_no_contradiction() -> None:
    draft = make_draft()
    result = review(split(render(draft)), record_of(draft))
    assert by_status(result, CONTRADICTED) == set()
    right = {"time to detect (MTTD)", "time to acknowledge (MTTA)", "failed orders",
             "revenue at risk", "root cause (fault type)"}  # fmt: skip
    assert right <= by_status(result, CONFIRMED)


def test_ops_own_draft_of_a_compressed_run_states_scenario_time() -> None:
    """At x30 the draft gives durations in scenario time; the review reads them so."""
    draft = make_draft(speed=30.0)
    result = review(split(render(draft)), record_of(draft))
    assert by_status(result, CONTRADICTED) == set()
    mttd = next(v for v in result.verdicts if v.claim == "time to detect (MTTD)")
    assert mttd.status == CONFIRMED and "scenario time (x30" in (mttd.source or "")
    live = review(split(render(draft)), record_of(replace(draft, speed=1.0)))
    assert "time to resolve (MTTR)" in by_status(live, CONTRADICTED)  # read as wall time


def test_ops_own_draft_of_a_busy_incident_has_no_contradiction() -> None:
    """Pages and an escalation, the queue, runbook steps and status moves on the timeline."""
    busy = [
        Entry(t(3), Source.LOG, "first-5xx", "first 500 from service on POST /api/order", "a"),
        Entry(t(5), Source.LOG, "queue-engaged", "service began queueing orders (first: 7)", "b"),
        Entry(t(36), Source.PAGE, "page", "page 1 step 1 to alice via console: delivered", "c"),
        Entry(t(40), Source.STATUS, "status-active",
              "incident declared (critical) by ops (auto): PizzaFactoryFailures: orders fail",
              "d"),
        Entry(t(56), Source.PAGE, "escalation", "page 1 step 2 to bob via console: delivered",
              "e"),
        Entry(t(66), Source.PAGE, "page-ack", "page 1 acknowledged by alice", "f"),
        Entry(t(149), Source.RUNBOOK, "runbook-step",
              "runbook fail step 1 follow-report-link ok: followed the report link", "g"),
        Entry(t(170), Source.ALERT, "alert-resolved", "alert PizzaFactoryFailures resolved", "h"),
        Entry(t(172), Source.RUNBOOK, "runbook-step",
              "runbook fail step 2 wait-alerts-resolved ok: every alert resolved", "i"),
        Entry(t(175), Source.STATUS, "status-mitigated", "incident mitigated by alice: fixed", "j"),
        Entry(t(180), Source.STATUS, "status-resolved", "incident resolved by ops (auto)", "k"),
    ]  # fmt: skip
    timeline = sorted([*make_timeline(), *busy], key=lambda e: e.at)
    draft = make_draft(timeline=timeline)
    result = review(split(render(draft)), record_of(draft))
    assert by_status(result, CONTRADICTED) == set(), [
        v for v in result.verdicts if v.status == CONTRADICTED
    ]


def test_words_that_only_look_like_a_moment() -> None:
    doc = split("## Summary\nThe order page failed at 10:00 UTC; we were paged at 10:02 UTC.\n")
    assert [(c.kind, c.time.text if c.time else "") for c in all_claims(doc)] == [
        ("time:page", "10:02 UTC")
    ]
    # A circuit breaker that closed is not the incident closing (a scenario's own draft).
    doc = split("## Timeline\n- **12:45:01** service: factory breaker closed -\\> open\n"
                "- **12:46:55** service: factory breaker half_open -\\> closed\n"
                "- **12:47:30** we closed the incident\n")  # fmt: skip
    assert [(c.kind, c.time.text if c.time else "") for c in all_claims(doc)] == [
        ("time:resolved", "12:47:30")
    ]


def test_a_zone_named_in_the_text_and_a_twelve_hour_clock() -> None:
    summary = ("## Summary\nAll times are MST. On 11/25/2025 orders failed from 12:53 PM until "
               "12:57:51 p.m.; we declared the incident at 12:57:25 PM.\n")  # fmt: skip
    result = review_of(summary, NOISY)
    assert result.assumptions[0] == "times read as MST (named in the report)"
    assert by_status(result, CONFIRMED) == {
        "first impact",
        "end of the impact window",
        "incident declared",
    }
    assert by_status(result, CONTRADICTED) == set()
    utc = review_of(summary.replace("MST", "UTC"), NOISY)  # the same clock read 7 hours off
    assert by_status(utc, CONTRADICTED) == {
        "first impact",
        "end of the impact window",
        "incident declared",
    }


def test_bold_headings_and_template_prompts() -> None:
    doc = split("**Summary**\nAt 10:00 UTC it broke.\n\n**Detection:**\n> [!NOTE]\n> Say when.\n")
    assert doc.sections["Summary"].body == "At 10:00 UTC it broke."
    assert doc.sections["Detection"].prompt_only


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\x00\x01PK binary", "empty or binary"),
        ('{"not": "markdown"}', "no Markdown title or section headings"),
        ("", "empty or binary"),
    ],
)
def test_what_is_not_a_report(text: str, message: str) -> None:
    with pytest.raises(NotAPostmortem, match=message):
        split(text)


def test_absurd_figures_are_contradicted_not_a_crash() -> None:
    text = ("# Incident\n\n## Summary\nAt 19:53 UTC on 2025-11-25 it began; MTTR 99999999999999"
            " hours, " + "9" * 400 + " failed orders, 31/02/2025.\n")  # fmt: skip
    result = review_of(text, NOISY)
    assert {"time to resolve (MTTR)", "failed orders"} <= by_status(result, CONTRADICTED)


def test_a_report_without_times_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no times of day"):
        review_of("# Incident\n\n## Summary\nIt broke, then it got better.\n", NOISY)


def test_the_incident_is_found_by_the_reports_window() -> None:
    doc = split(example("factory-outage.md"))
    claims = all_claims(doc)
    outage = Window(4, OUTAGE.declared, OUTAGE.resolved)
    other = Window(3, at("2025-12-01T10:00:00"), at("2025-12-01T11:00:00"))
    assert describes(doc, claims, [other, outage]) == 4
    with pytest.raises(NotFound, match="no recorded incident matches"):
        describes(doc, claims, [other])
    twin = Window(5, OUTAGE.declared + timedelta(hours=2), OUTAGE.resolved + timedelta(hours=2))
    with pytest.raises(InvalidInput, match="matches incidents 4, 5"):
        describes(doc, claims, [outage, twin])  # no zone named: either could be meant
    utc = split(MISTAKES)
    assert describes(utc, all_claims(utc), [twin, Window(6, NOISY.start, NOISY.resolved)]) == 6
