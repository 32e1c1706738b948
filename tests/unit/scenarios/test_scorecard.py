"""The verdict: expected alerts on time, nothing lost or duplicated, no noise, an incident
resolved with its postmortem."""

from __future__ import annotations

from dataclasses import replace

from jwtpizza.scenarios import AlertResult, Scorecard, load
from jwtpizza.scenarios.scorecard import PostmortemReview, Response
from jwtpizza.scenarios.spec import Criteria

# factory-outage as its report tells it: pending a minute before firing, one page, the
# fault ending by itself after 12 minutes, every order in the window failed.
AS_REPORTED = Response(
    paged_after=75, ack_after_page=30, fault_ended_after=720, ended_by="itself",
    resolved_after=800, pending_to_firing=60, paged_by=["phone"], pages_for_fault=1,
    pages_per_incident={1: 1}, failed_share=1.0,
)  # fmt: skip


def card(**fields: object) -> Scorecard:
    base: dict[str, object] = {
        "scenario": "factory-outage", "speed": 12.0, "resilience": "on",
        "alerts": [AlertResult("FactoryUnreachable", 180, 60)], "incident": 1,
        "incident_resolved": True, "postmortem": "incident-1.md", "response": AS_REPORTED,
        "review": PostmortemReview(confirmed=20, score=100),
    }  # fmt: skip
    return Scorecard(**(base | fields))  # type: ignore[arg-type]


def test_a_clean_run_passes() -> None:
    scorecard = card()
    scorecard.judge(load("factory-outage"))
    assert scorecard.passed and scorecard.as_json()["verdict"] == "pass"
    assert scorecard.as_json()["alerts"][0]["outcome"] == "hit"


def test_late_missed_lost_duplicated_failed_and_noise_each_fail() -> None:
    scenario = load("factory-outage").model_copy(
        update={"criteria": Criteria(max_failed_resilient=0)}
    )
    cases = {
        "FactoryUnreachable late (200s > 180s)": card(
            alerts=[AlertResult("FactoryUnreachable", 180, 200)]),
        "FactoryUnreachable missed": card(alerts=[AlertResult("FactoryUnreachable", 180, None)]),
        "2 orders lost": card(lost=2),
        "1 orders duplicated": card(duplicated=1),
        "3 orders failed with resilience on": card(failed=3),
        "1 unexpected pages: TargetDown": card(noise=["TargetDown"]),
        "the fault's alert paged 3 times (once expected)": card(
            response=replace(AS_REPORTED, pages_for_fault=3)),
        "incident 2 (FactoryCircuitOpen) after the fault ended: one fault, one incident": card(
            response=replace(AS_REPORTED, extra_incidents=[
                "incident 2 (FactoryCircuitOpen) after the fault ended"])),
        "no incident opened and resolved": card(incident_resolved=False),
        "no postmortem written": card(postmortem=None),
        "the review contradicts ops' own postmortem: failed orders: 3, measured 5": card(
            review=PostmortemReview(9, ["failed orders: 3, measured 5"], 0, 80)),
        "ops' own postmortem was not reviewed": card(review=None),
    }  # fmt: skip
    for problem, scorecard in cases.items():
        scorecard.judge(scenario)
        assert not scorecard.passed and problem in scorecard.problems[0], scorecard.problems


def test_failed_orders_are_expected_with_resilience_off() -> None:
    scorecard = card(resilience="off", failed=30)
    scorecard.judge(load("factory-outage"))
    assert scorecard.passed


def test_noisy_alert_needs_no_incident_but_no_page() -> None:
    scenario = load("noisy-alert")
    quiet = card(scenario="noisy-alert", alerts=[], incident=None, incident_resolved=False,
                 postmortem=None)  # fmt: skip
    quiet.judge(scenario)
    assert quiet.passed
    quiet.noise = ["[FIRING:1] FactoryChaosErrors"]
    quiet.judge(scenario)
    assert not quiet.passed


def test_the_report_s_facts_are_checked_beside_the_replay_s() -> None:
    scenario = load("factory-outage")
    off = card(resilience="off")
    off.judge(scenario)
    assert off.passed, off.problems
    shown = {f.name: (f.report, f.replay, f.ok) for f in off.facts}
    assert shown == {
        "pending, then firing after": ("1m 00s", "1m 00s", True),
        "fault ended by": ("itself", "itself", True),
        "fault lasted": ("12m 00s", "12m 00s", None),
        "orders failed during the fault": ("100%", "100%", True),
    }
    cases = {
        "report vs replay: pending, then firing after 15s (report: 1m 00s)":
            replace(AS_REPORTED, pending_to_firing=15),
        "report vs replay: fault ended by the scenario (time up) (report: itself)":
            replace(AS_REPORTED, ended_by="the scenario (time up)"),
        "report vs replay: orders failed during the fault 90% (report: 100%)":
            replace(AS_REPORTED, failed_share=0.9),
    }  # fmt: skip
    for problem, response in cases.items():
        wrong = card(resilience="off", response=response)
        wrong.judge(scenario)
        assert wrong.problems == [problem]


def test_sms_then_push_and_the_ack_are_the_unannounced_report_s() -> None:
    scenario = load("unannounced-chaos")
    told = replace(AS_REPORTED, paged_by=["sms", "push"], ack_after_page=95, ended_by="link")
    replay = card(scenario=scenario.name, alerts=[AlertResult("FactoryChaosErrors", 180, 60)],
                  response=told)  # fmt: skip
    replay.judge(scenario)
    assert replay.passed, replay.problems
    late = replace(told, paged_by=["sms"], ack_after_page=300)
    for responder, problems in (("sim", 2), ("me", 1)):  # a person's own ack is not judged
        slow = card(scenario=scenario.name, responder=responder, response=late,
                    alerts=[AlertResult("FactoryChaosErrors", 180, 60)])  # fmt: skip
        slow.judge(scenario)
        assert len(slow.problems) == problems, slow.problems
        ack = next(f for f in slow.facts if f.name == "acknowledged after the first page")
        assert ack.report == "1m 30s" and ack.replay == "5m 00s"
