import pytest

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.incidents.lifecycle import (
    ALLOWED_TRANSITIONS,
    IllegalTransition,
    IncidentStatus,
    Severity,
    check_move,
    check_open,
    parse_severity,
    severity_of_alert,
)

S = IncidentStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.ACTIVE, S.MITIGATED), (S.ACTIVE, S.RESOLVED), (S.MITIGATED, S.ACTIVE),
     (S.MITIGATED, S.RESOLVED), (S.RESOLVED, S.POSTMORTEM_WRITTEN)],
)  # fmt: skip
def test_the_lifecycle_edges_are_allowed(current: S, target: S) -> None:
    check_move(current, target)


def test_every_other_edge_is_refused_with_what_is_allowed() -> None:
    for current in S:
        for target in S:
            if target in ALLOWED_TRANSITIONS[current]:
                continue
            with pytest.raises(IllegalTransition):
                check_move(current, target)
    with pytest.raises(IllegalTransition, match="a resolved incident cannot become resolved"):
        check_move(S.RESOLVED, S.RESOLVED)


def test_closed_incidents_refuse_actions() -> None:
    check_open(S.MITIGATED, "add a note")
    with pytest.raises(IllegalTransition, match="cannot add a note: the incident is resolved"):
        check_open(S.RESOLVED, "add a note")


def test_severities_follow_the_reference_table() -> None:
    assert [s.value for s in Severity] == ["critical", "high", "moderate", "low", "informational"]
    assert parse_severity("High") is Severity.HIGH
    assert severity_of_alert("critical") is Severity.CRITICAL
    assert severity_of_alert(None) is Severity.MODERATE
    with pytest.raises(InvalidInput, match="unknown severity 'sev9'"):
        parse_severity("sev9")
