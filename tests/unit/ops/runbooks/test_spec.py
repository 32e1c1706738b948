from pathlib import Path

import pytest

from jwtpizza.ops.runbooks.spec import (
    STEP_PARAMS,
    RunbookLoadError,
    StatusUpdate,
    expected_alerts,
    load_dir,
    parse,
)
from jwtpizza.ops.runbooks.steps import STEPS

DOCS = Path(__file__).resolve().parents[4] / "docs" / "runbooks"
GOOD = """
name: factory-fail
trigger: {alerts: [PizzaFactoryFailures], chaos: [fail]}
deadline: 90s
autopilot: true
steps:
  - find_report_link: {component: service}
  - follow_report_link
  - post_status_update: {text: back to normal}
"""


def test_a_runbook_file_parses_into_steps_with_checked_parameters() -> None:
    book = parse(GOOD, Path("f.yml"))
    assert (book.name, book.deadline_seconds, book.autopilot) == ("factory-fail", 90.0, True)
    assert [s.name for s in book.steps] == [
        "find_report_link", "follow_report_link", "post_status_update"
    ]  # fmt: skip
    assert isinstance(book.steps[2].params, StatusUpdate)
    assert book.handles("PizzaFactoryFailures") and not book.handles("Other")
    assert expected_alerts([book]) == {"fail": ["PizzaFactoryFailures"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("follow_report_link", "restart_the_world"),
         "f.yml: step 2: unknown step 'restart_the_world' (known steps: find_report_link"),
        (("{component: service}", "{component: moon}"),
         "f.yml: step 1: find_report_link.component: Input should be 'service' or 'factory'"),
        (("{text: back to normal}", "{text: x, colour: red}"),
         "f.yml: step 3: post_status_update.colour: Extra inputs are not permitted"),
        (("deadline: 90s", "deadline: soon"), "f.yml: deadline 'soon' is not a duration"),
        (("alerts: [PizzaFactoryFailures], ", ""), "f.yml: trigger.alerts must name"),
        (("autopilot: true", "autopilot: true\nowner: bob"), "f.yml: unknown field 'owner'"),
    ],
)  # fmt: skip
def test_a_bad_runbook_file_is_a_load_error_naming_file_and_step(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(RunbookLoadError) as error:
        parse(GOOD.replace(*change), Path("f.yml"))
    assert error.value.message.startswith(message)


def test_every_step_a_file_may_name_has_an_implementation() -> None:
    assert set(STEPS) == set(STEP_PARAMS)


def test_the_shipped_runbooks_load() -> None:
    books = load_dir(DOCS)
    assert {b.name for b in books} >= {
        "FactoryChaosErrors",
        "FactoryUnreachable",
        "IntegrityCheckFailing",
    }
    assert all(b.summary and b.alerts and b.autopilot for b in books)
    assert expected_alerts(books)["outage"] == ["FactoryUnreachable"]


def test_each_runbook_file_sits_next_to_prose_that_describes_it() -> None:
    for book in load_dir(DOCS):
        prose = book.path.with_suffix(".md").read_text()
        assert f"## On autopilot (`{book.path.name}`)" in prose
        assert f"# {book.name}" in prose
