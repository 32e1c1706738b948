"""The scenario files: every shipped one loads; a bad one is refused in one line naming the
file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from jwtpizza.scenarios import ScenarioError, available, load, load_file
from jwtpizza.scenarios.spec import seconds

GOOD = """
name: drill
title: A drill
story: A fault.
run_for: 10m
fault: {kind: chaos, type: fail, start: 1m}
expect:
  - {name: FactoryChaosErrors, within: 3m}
"""


def test_the_six_incidents_ship_and_load() -> None:
    names = set(available())
    assert names == {"factory-fail", "factory-outage", "unannounced-chaos", "factory-auth",
                     "store-integrity", "noisy-alert"}  # fmt: skip
    for name in names:
        assert load(name).name == name
    outage = load("factory-outage")
    assert outage.fault.duration == 12 * 60 and outage.fault.type == "outage"
    assert load("unannounced-chaos").responder.ack_after == 90
    assert load("unannounced-chaos").responder.runbook == "FactoryChaosErrors"
    # The reports' own facts: SMS then push to one person, acknowledged after 1.5 min, the
    # link ends it; the outage pending a minute before firing, ending by itself, every order
    # failing without resilience.
    unannounced = load("unannounced-chaos")
    assert unannounced.responder.contacts == ["sms", "push"]
    assert unannounced.report is not None and unannounced.report.paged_by == ["sms", "push"]
    assert unannounced.report.ack_after == 90 and unannounced.report.ended_by == "link"
    report = outage.report
    assert report is not None and report.pending_for == 60 and report.ended_by == "itself"
    assert report.failed_share_off == 1.0
    assert load("factory-auth").fault.duration == 50 * 60
    assert not load("noisy-alert").criteria.pages


def test_durations() -> None:
    assert [seconds(v) for v in ("90s", "1.5m", "12m", "1h", "250ms", 7)] == [
        90, 90, 720, 3600, 0.25, 7]  # fmt: skip
    with pytest.raises(ValueError, match="not a duration"):
        seconds("soon")


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "drill.yml"
    path.write_text(GOOD)
    scenario = load_file(path)
    assert scenario.expect[0].within == 180 and scenario.fault.start == 60


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("run_for: 10m", "run_for: soon"),
            "run_for: Value error, not a duration",
        ),
        (lambda t: t.replace("kind: chaos", "kind: meteor"), "fault.kind: Input should be"),
        (lambda t: t.replace("type: fail, ", ""), "fault.type: a chaos fault names its chaos type"),
        (lambda t: t + "surprise: yes\n", "surprise: Extra inputs are not permitted"),
        (lambda t: t.replace("title: A drill\n", ""), "title: Field required"),
        (lambda t: t.replace("start: 1m", "start: 11m"), "fault.start: the fault must start"),
        (lambda t: "name: [unclosed\n", "line 2 is not valid YAML"),
        (lambda t: "- a list\n", "a scenario file is a mapping of fields"),
        (
            lambda t: t + "responder: {ack_by: primary, runbook: FactoryChaosErors}\n",
            "responder.runbook: no runbook named 'FactoryChaosErors'",
        ),
        (
            lambda t: t + "responder: {ack_by: nobody, runbook: FactoryChaosErrors}\n",
            "responder.runbook: nobody acknowledges, so nobody runs it",
        ),
        (
            lambda t: t + "responder: {contacts: [sms, pigeon]}\n",
            "responder.contacts.1: Input should be 'phone', 'sms' or 'push'",
        ),
        (
            lambda t: t + "responder: {contacts: [sms, push, sms]}\n",
            "responder.contacts: List should have at most 2 items",
        ),
        (
            lambda t: t + "report: {source: a report, ended_by: magic}\n",
            "report.ended_by: Input should be 'link' or 'itself'",
        ),
        (
            lambda t: t.split("expect:")[0] + "report: {source: a report, pending_for: 1m}\n",
            "report.pending_for: no expected alert to wait on",
        ),
    ],
)
def test_a_bad_file_is_refused_in_one_line(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "drill.yml"
    path.write_text(change(GOOD))
    with pytest.raises(ScenarioError) as error:
        load_file(path)
    text = str(error.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="unknown scenario 'factory-fial'; known: factory-auth"):
        load("factory-fial")
