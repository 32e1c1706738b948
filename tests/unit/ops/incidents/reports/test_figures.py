from datetime import timedelta

from jwtpizza.ops.incidents.reports.draft import action_items
from jwtpizza.ops.incidents.reports.figures import AlertSpan, Page, compute, span_from_transitions

from .drafts import T0, make_facts, make_ledger, t


def test_figures_are_measured_from_the_chaos_start() -> None:
    figures = compute(make_facts())
    assert figures.fault_start == T0 and figures.fault_start_source == "chaos feed"
    assert figures.mttd == timedelta(seconds=35)
    assert figures.mtta == timedelta(seconds=30)
    assert figures.mttm == timedelta(seconds=150)  # the fault ended at +150 s
    assert figures.mttr == timedelta(seconds=180)
    assert figures.never_fired == [] and figures.late == []
    assert not figures.escalated_before_ack


def test_without_a_chaos_record_the_first_symptom_is_the_start() -> None:
    figures = compute(make_facts(faults=[], first_symptom_at=t(5), marked_mitigated_at=t(100)))
    assert figures.fault_start == t(5) and figures.fault_start_source == "first symptom"
    assert figures.mttd == timedelta(seconds=30)
    assert figures.mttm == timedelta(seconds=95)


def test_gaps_become_action_items() -> None:
    facts = make_facts(
        alerts=[AlertSpan("PizzaFactoryFailures", t(100), t(400))],
        expected_alerts=["PizzaFactoryFailures", "FactoryDown"],
        pages=[Page(t(401), 1, "console", "delivered"), Page(t(461), 2, "email", "delivered")],
        acked_at=t(500),
        ledger=make_ledger(lost=2),
    )
    figures = compute(facts)
    assert figures.late == ["PizzaFactoryFailures"] and figures.never_fired == ["FactoryDown"]
    assert figures.escalated_before_ack
    titles = [item.title for item in action_items(figures, runbook_followed=False)]
    assert titles == [
        "Make alert `PizzaFactoryFailures` fire sooner",
        "Fix or add alert `FactoryDown`",
        "Shorten the time to acknowledge the first page",
        "Write or enable a runbook for this alert",
        "Find and fix how orders were lost",
    ]


def test_ledger_shares_and_revenue() -> None:
    ledger = make_ledger(revenue_failed=0.1, revenue_recovered=0.25, revenue_open=0.05)
    assert ledger.affected_share == 0.25
    assert round(ledger.revenue_at_risk, 4) == 0.4
    assert make_ledger(active_diners=0).affected_share is None


def test_an_alert_span_from_its_transitions() -> None:
    span = span_from_transitions(
        "A",
        [
            {"state": "pending", "at": t(1).isoformat()},
            {"state": "firing", "at": t(6), "value": 2.5},
            {"state": "resolved", "at": t(60)},
        ],
    )
    assert (span.pending_at, span.firing_at, span.resolved_at, span.value) == (
        t(1), t(6), t(60), 2.5
    )  # fmt: skip


def test_only_expected_alerts_count_as_late_and_otherwise_the_first() -> None:
    slow_follower = AlertSpan("OrdersQueuedTooLong", t(100), t(300))
    on_time = AlertSpan("PizzaFactoryFailures", t(20), t(35))
    figures = compute(make_facts(alerts=[on_time, slow_follower]))
    assert figures.late == []
    unexpected = compute(make_facts(alerts=[slow_follower], expected_alerts=[]))
    assert unexpected.late == ["OrdersQueuedTooLong"]
