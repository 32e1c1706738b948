"""Finding 3: a regex matcher cannot freeze ops. PromQL `=~`/`!~`, silences and routes match
with RE2 (linear time, anchored, as Prometheus and Alertmanager)."""

from __future__ import annotations

import time

from jwtpizza.ops.notify.matchers import Matcher, parse_matcher
from tests.security.kit import ADMIN, bearer, login
from tests.security.ops_stack import LiveOps
from tests.support.live import LivePair

# Python's `re` backtracks exponentially in the length of a label value of these characters
# (seconds at 17 to 26 of them); RE2 answers at once.
EVIL = "([a-z_-]+)+X"


def wait_for_samples(ops: LiveOps, token: str) -> None:
    deadline = time.monotonic() + 30
    while not ops.client.get("/api/ops/query_range", params={"query": "up"},
                             headers=bearer(token)).json()["series"]:  # fmt: skip
        assert time.monotonic() < deadline, "ops scraped nothing"
        time.sleep(0.5)


def test_3_a_catastrophic_pattern_in_a_query_answers_at_once(pair: LivePair, ops: LiveOps) -> None:
    _, token = login(pair.shop, ADMIN)
    wait_for_samples(ops, token)
    for query in (f'{{job=~"{EVIL}"}}', f'{{job!~"{EVIL}", job!=""}}'):
        started = time.monotonic()
        answer = ops.client.get(
            "/api/ops/query_range", params={"query": query, "step": 30}, headers=bearer(token)
        )
        assert answer.status_code == 200, answer.text
        assert time.monotonic() - started < 2, query
    # RE2 semantics: anchored at both ends, and a Perl-only construct is a clean 400.
    anchored = ops.client.get(
        "/api/ops/query_range", params={"query": 'up{job=~"jwt-pizza"}'}, headers=bearer(token)
    )
    assert anchored.json()["series"] == []
    backreference = ops.client.get(
        "/api/ops/query_range", params={"query": 'up{job=~"(a)\\\\1"}'}, headers=bearer(token)
    )
    assert backreference.status_code == 400, backreference.text


def test_3_silence_and_route_matchers_match_at_once() -> None:
    # Silences and routes share this matcher; the running app only reaches it for its own
    # rules' alerts after a group wait, so it is checked here directly.
    labels = {"alertname": "an_alert_name_for_the_test", "severity": "critical"}
    for matcher in (Matcher.of("alertname", EVIL, is_regex=True, is_equal=True),
                    parse_matcher(f'alertname!~"{EVIL}"')):  # fmt: skip
        started = time.monotonic()
        matcher.matches(labels)
        assert time.monotonic() - started < 0.5, matcher
    assert parse_matcher('severity=~"crit"').matches(labels) is False  # anchored
