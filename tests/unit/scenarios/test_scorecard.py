"""The verdict: expected alerts on time, nothing lost or duplicated, no noise, an incident
resolved with its postmortem."""

from __future__ import annotations

from jwtpizza.scenarios import AlertResult, Scorecard, load
from jwtpizza.scenarios.spec import Criteria


def card(**fields: object) -> Scorecard:
    base: dict[str, object] = {
        "scenario": "factory-outage", "speed": 12.0, "resilience": "on",
        "alerts": [AlertResult("FactoryUnreachable", 180, 60)], "incident": 1,
        "incident_resolved": True, "postmortem": "incident-1.md",
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
        "no incident opened and resolved": card(incident_resolved=False),
        "no postmortem written": card(postmortem=None),
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
