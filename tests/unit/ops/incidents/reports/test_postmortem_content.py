"""A postmortem counts only the incident: refusals by design are not impact, an alert that
fired before the fault did not detect it, a compressed run is told in scenario time, words
agree with their numbers, and Prevention and action items follow from what happened."""

from datetime import timedelta

from markdown_it import MarkdownIt
from markdown_it.token import Token

from jwtpizza.ops.incidents.ledger import Ledger
from jwtpizza.ops.incidents.reports.draft import action_items, breaker_open_after_fix
from jwtpizza.ops.incidents.reports.figures import AlertSpan, Page, compute
from jwtpizza.ops.incidents.reports.markdown import render
from jwtpizza.ops.incidents.timeline import Entry, Source

from .drafts import make_draft, make_facts, make_ledger, make_timeline, t
from .test_markdown import section_text


def sections(text: str) -> dict[str, str]:
    tokens: list[Token] = MarkdownIt("commonmark").parse(text)
    names = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.tag == "h2"]
    return {name: section_text(tokens, name) for name in dict.fromkeys(names)}


def test_one_of_each_reads_in_the_singular() -> None:
    ledger = make_ledger(failed=1, affected_diners=1, queued_then_fulfilled=1, lost=1)
    summary = sections(render(make_draft(make_facts(ledger=ledger))))["Summary"]
    assert "1 order failed, 1 was queued and later fulfilled, and 1 was lost" in summary
    assert "1 diner was affected" in summary
    assert "1 orders" not in summary and "1 diners" not in summary


def test_missing_times_are_said_in_words_not_as_not_recorded() -> None:
    facts = make_facts(resolved_at=None, acked_at=None, faults=[], first_symptom_at=t(0))
    text = render(make_draft(facts, status="active", timeline=make_timeline()[:3]))
    parts = sections(text)
    assert "Impact had not ended when this was drafted" in parts["Resolution"]
    assert "the incident was not yet resolved" in parts["Resolution"]
    assert "was not acknowledged" in parts["Detection"]
    assert "not recorded" not in text and "not measured" not in parts["Resolution"]


def test_orders_the_factory_refuses_by_design_are_not_impact() -> None:
    body = {
        "ordersByStatus": {"fulfilled": 9, "rejected": 3}, "failed": 2, "refused": 1,
        "queuedThenFulfilled": 0, "stillOpen": 0, "lost": 0, "affectedDiners": 2,
        "activeDiners": 9,
        "revenue": {"fulfilled": 1.0, "failed": 0.01, "queuedThenFulfilled": 0.0, "open": 0.0,
                    "refused": 0.0994},
    }  # fmt: skip
    ledger = Ledger.from_json(body)
    assert (ledger.failed, ledger.refused, ledger.revenue_at_risk) == (2, 1, 0.01)
    impact = sections(render(make_draft(make_facts(ledger=ledger))))["Impact"]
    assert "Orders failed: 2" in impact and "0.0994" not in impact
    assert "Not counted: 1 order the factory refuses by design" in impact
    older_service = {k: v for k, v in body.items() if k != "refused"}
    assert Ledger.from_json(older_service).refused == 0


def test_an_alert_firing_before_the_fault_did_not_detect_it() -> None:
    host = AlertSpan("HostCpuHigh", t(-60), t(-38), t(300), 94.0)
    fault = AlertSpan("FactoryChaosErrors", t(20), t(35), t(170), 1.0)
    facts = make_facts(
        alerts=[host, fault],
        pages=[Page(t(-37), 1, "console", "delivered", 1), Page(t(36), 1, "pager", "sent", 2)],
    )
    figures = compute(facts)
    assert figures.detected_by == "FactoryChaosErrors"
    assert figures.mttd == timedelta(seconds=35) and figures.first_page_at == t(36)
    summary = sections(render(make_draft(facts)))["Summary"]
    assert "detected by alert `FactoryChaosErrors`" in summary and "-38 s" not in summary


def test_a_compressed_run_states_its_speed_and_gives_scenario_time() -> None:
    text = render(make_draft(speed=10))
    assert "sped up 10 times" in text
    parts = sections(text)
    assert "MTTD was 5 min 50 s against a target of 20 min" in parts["Detection"]  # 35 s x 10
    assert "(T+5 min 50 s)" in parts["Timeline"]  # the alert, 35 wall seconds after the start
    live = render(make_draft())
    assert "sped up" not in live and "T+" not in live


def test_action_items_follow_from_what_happened() -> None:
    facts = make_facts(
        alerts=[AlertSpan("FactoryRejectsOurKey", t(20), t(35), t(170), 1.0, firings=12)],
        pages=[Page(t(36), 1, "pager", "sent", 1), Page(t(80), 1, "pager", "sent", 2)],
        acked_at=t(200),
        expected_alerts=["FactoryRejectsOurKey"],
    )
    figures = compute(facts)
    assert figures.pages_opened == 2 and [a.name for a in figures.flapped] == [
        "FactoryRejectsOurKey"
    ]
    breaker = [
        Entry(t(10), Source.RESILIENCE, "breaker", "closed -> open", "b1", data={"state": "open"}),
        Entry(t(240), Source.RESILIENCE, "breaker", "open -> closed", "b2",
              data={"state": "closed"}),
    ]  # fmt: skip
    timeline = [e for e in make_timeline() if e.source != Source.RUNBOOK]
    timeline += [Entry(t(149), Source.CHAOS, "chaos-reported", "reported", "chaos:1:reported")]
    stayed = breaker_open_after_fix(figures, [*timeline, *breaker], t(300))
    assert stayed == timedelta(seconds=90)  # the fault ended at +150 s, closed at +240 s
    items = action_items(figures, runbook_followed=False, ended_by_hand=True,
                         breaker_open=stayed)  # fmt: skip
    assert [(i.title, i.why) for i in items] == [
        ("Give alert `FactoryRejectsOurKey` hysteresis (keep_firing_for)",
         "it fired 12 times in this one incident"),
        ("Page once per fault: group its alerts into one page",
         "2 separate pages went out for this one incident"),
        ("Shorten the time to acknowledge the first page",
         "the first page waited 164 s for an acknowledgement"),
        ("Write or enable a runbook for the steps done by hand",
         "a person ended the fault by hand, with no runbook action on the timeline"),
        ("Make the circuit breaker recover on its own",
         "it kept the factory unreachable 90 s after the fault ended"),
    ]  # fmt: skip
    prevention = sections(render(make_draft(facts, timeline=[*timeline, *breaker])))["Prevention"]
    assert "it fired 12 times in this one incident" in prevention
    assert "kept the factory unreachable 90 s" in prevention


def test_a_clean_response_says_so_in_prevention() -> None:
    prevention = sections(render(make_draft()))["Prevention"]
    assert "The measured response shows no gap" in prevention
    assert breaker_open_after_fix(compute(make_facts()), make_timeline(), t(300)) is None
