"""Ops active/standby with real processes: two `jwtpizza ops` on one SQLite file, a rule over
a target the test controls, and people's webhooks that count every page.

- The leader dies (SIGKILL) while its first page hangs unanswered: the standby takes over
  within the lease bound and sends that page (recorded as due, never as sent), then the next
  escalation step once; the old leader comes back as standby, the new leader is killed, and
  nobody is paged again.
- A restarted ops keeps its firing alert firing (same activeAt, no new pending), and pages
  nobody a second time.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.ops_ha import (
    ESCALATION_WAIT,
    RULE,
    TAKEOVER_BOUND,
    OpsProcess,
    World,
    ops_env,
    rows,
    wait_for,
    world_server,
)

pytestmark = pytest.mark.slow

SLACK = 3.0  # a loaded 2-core machine: process scheduling, one tick of each loop


def test_the_standby_takes_over_and_every_page_goes_out_once(tmp_path: Path) -> None:
    world = World(hang_first={"alice"})
    with world_server(world) as base:
        env = ops_env(tmp_path, base, hold=2)
        a = OpsProcess(env, tmp_path / "a.log", "ops-a").start()
        b = OpsProcess(env, tmp_path / "b.log", "ops-b")
        try:
            wait_for(lambda: a.role() == "leader", 10, "a never led")
            b.start()
            assert b.role() == "standby"
            world.broken = 1
            wait_for(lambda: world.count("alice") == 1, 20, f"alice not paged: {a.tail()}")
            a.kill()  # its page to alice is still waiting for an answer
            killed = time.monotonic()
            took = wait_for(lambda: b.role() == "leader", 30, f"no takeover: {b.tail()}")
            assert took <= TAKEOVER_BOUND + SLACK, f"took over after {took:.1f} s"
            wait_for(lambda: world.count("alice") == 2, 10, f"alice not re-sent: {b.tail()}")
            resent = time.monotonic() - killed
            wait_for(lambda: world.count("bob") == 1, ESCALATION_WAIT + 10, "bob not paged")
            a = OpsProcess(env, tmp_path / "a2.log", "ops-a").start()
            assert a.role() == "standby"
            b.kill()
            wait_for(lambda: a.role() == "leader", TAKEOVER_BOUND + SLACK, "no second takeover")
            time.sleep(3)  # several rounds and paging ticks of the new leader
        finally:
            a.stop()
            b.stop()
    db = tmp_path / "ops.db"
    assert world.count("alice") == 2, "the unanswered page, re-sent once by the new leader"
    assert world.count("bob") == 1
    assert rows(db, "SELECT count(*) FROM ops_page") == [(1,)]
    outcomes = rows(db, "SELECT step, target, outcome FROM ops_page_notification ORDER BY id")
    assert outcomes == [(0, "alice", "success"), (1, "bob", "success")], outcomes
    print(f"takeover {took:.1f} s (bound {TAKEOVER_BOUND:.0f} s), page re-sent at {resent:.1f} s")


def test_a_firing_alert_keeps_firing_across_a_restart(tmp_path: Path) -> None:
    world = World(broken=1)
    db = tmp_path / "ops.db"
    with world_server(world) as base:
        env = ops_env(tmp_path, base, hold=4)
        ops = OpsProcess(env, tmp_path / "first.log", "ops-first").start()
        try:
            wait_for(lambda: world.count("alice") == 1, 30, f"not paged: {ops.tail()}")
            before = rows(db, "SELECT state, active_at, fired_at FROM ops_alert_state")
            assert [r[0] for r in before] == ["firing"]
            ops.kill()
            restarted_at = rows(db, "SELECT max(id) FROM ops_alert_event")[0][0]
            ops = OpsProcess(env, tmp_path / "second.log", "ops-second").start()
            wait_for(lambda: ops.role() == "leader", TAKEOVER_BOUND + SLACK, "never led")
            time.sleep(6)  # longer than the rule's `for`: a re-pending alert would fire again
            after = rows(db, "SELECT state, active_at, fired_at FROM ops_alert_state")
            events = rows(
                db, f"SELECT rule, state FROM ops_alert_event WHERE id > {restarted_at or 0}"
            )
        finally:
            ops.stop()
    assert after == before, "the alert kept its state and times"
    assert events == [], f"no new pending or firing after the restart: {events}"
    assert rule_events(db) == [(RULE, "pending"), (RULE, "firing")]
    assert world.count("alice") == 1
    assert rows(db, "SELECT count(*) FROM ops_page") == [(1,)]


def rule_events(db: Path) -> list[tuple[str, str]]:
    return [(str(r), str(s)) for r, s in rows(db, "SELECT rule, state FROM ops_alert_event")]
