"""`scenario run --responder me`: nobody is simulated. A "person" (this test, over the ops
HTTP API as the console does) reads the briefing, waits for the page, acknowledges the
incident, searches the service's logs for the report link and follows it; the scorecard is
theirs: when they acknowledged, followed the link, ended the fault, and the incident
resolved, with one page for the fault. A second session on the same scenario is refused in
one line while the first runs. The pages also reach the person by email (a local SMTP sink)
and on an ntfy topic (a local fake of the ntfy server).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from jwtpizza.ops.incidents.feed_parsing import REPORT_LINK
from tests.integration.ops.notify.fakes import FakeHttp, FakeSmtp, fake_http, fake_smtp
from tests.support.processes import JWTPIZZA

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("game-days")]

SPEED = 10.0  # factory-fail's 10 minutes in at most a minute of wall time
PAUSE = 3.0  # wall seconds the person takes to look before acknowledging (30 s of scenario)


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    return env | {"JWTPIZZA_DATA_DIR": str(data), "COLUMNS": "200"}


class Person:
    """Responds as a learner would: waits for the page, acknowledges, finds and follows the
    link. Records what it did (wall times) for the test to compare with the scorecard."""

    def __init__(self, ops: str, service: str) -> None:
        self.ops, self.service = ops, service
        self.did: dict[str, float] = {}
        self.error: BaseException | None = None

    def __call__(self) -> None:
        try:
            with httpx.Client(timeout=10) as http:
                self._respond(http)
        except BaseException as error:  # the test thread reports it
            self.error = error

    def _respond(self, http: httpx.Client) -> None:
        login = http.put(f"{self.service}/api/auth",
                         json={"email": "a@jwt.com", "password": "admin"})  # fmt: skip
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        incident = self._until(lambda: self._open_incident(http, admin), "an incident")
        self.did["paged"] = time.monotonic()
        time.sleep(PAUSE)
        acked = http.post(f"{self.ops}/api/ops/incidents/{incident}/ack", headers=admin)
        assert acked.status_code == 200, acked.text
        self.did["acked"] = time.monotonic()
        link = self._until(lambda: self._report_link(http, admin), "the report link")
        followed = http.get(link)
        assert followed.status_code == 200, followed.text
        self.did["followed"] = time.monotonic()

    @staticmethod
    def _until(find: Any, what: str) -> Any:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = find()
            if found is not None:
                return found
            time.sleep(0.3)
        raise AssertionError(f"no {what} within 60 s")

    def _open_incident(self, http: httpx.Client, admin: dict[str, str]) -> int | None:
        pages = http.get(f"{self.ops}/api/ops/pages", headers=admin).json()
        if not any(p["status"] == "triggered" for p in pages):
            return None
        incidents = http.get(f"{self.ops}/api/ops/incidents", headers=admin).json()
        active = [i["id"] for i in incidents if i["status"] == "active"]
        return active[0] if active else None

    def _report_link(self, http: httpx.Client, admin: dict[str, str]) -> str | None:
        search = {"q": "followLinkToEndChaos", "limit": 50}
        found = http.get(f"{self.ops}/api/ops/components/service/logs", params=search,
                         headers=admin)  # fmt: skip
        for log in found.json()["logs"]:
            match = REPORT_LINK.search(json.dumps(log).replace("\\/", "/"))
            if match:
                return match.group(0)
        return None


def briefing(child: subprocess.Popen[str]) -> str:
    """The run's lines up to the briefing's last one (stderr: the scorecard is JSON)."""
    assert child.stderr is not None
    seen = ""
    deadline = time.monotonic() + 120
    while "nothing answers for you" not in seen and time.monotonic() < deadline:
        line = child.stderr.readline()
        if not line:
            break
        seen += line
    return seen


def test_a_person_responds_and_the_scorecard_is_theirs(tmp_path: Path) -> None:
    with fake_smtp() as smtp, fake_http() as ntfy:
        person, out, err = play(tmp_path, smtp, ntfy)
    assert person.error is None, (repr(person.error), err[-3000:])
    [card] = json.loads(out)
    assert card["responder"] == "me" and card["speed"] == SPEED
    got = card["response"]
    assert got["ended_by"] == "link"
    # Their figures are what they did (scenario seconds, within a couple of scrapes).
    waited = (person.did["acked"] - person.did["paged"]) * SPEED
    assert waited - 5 <= got["ack_after_page"] <= waited + 60, (got, person.did)
    assert got["link_followed_after"] == got["fault_ended_after"]
    assert got["link_followed_after"] <= (person.did["followed"] - person.did["started"]) * SPEED
    assert got["resolved_after"] is not None and got["resolved_after"] >= got["fault_ended_after"]
    assert "left (your clock)" in err
    # The page reached them by email and on their ntfy topic too: the incident's one page,
    # which carries every alert that joined it (so it may say FIRING:2).
    mailed = [m for to, m in smtp.messages if to == ["me@example.com"]]
    subjects = [str(m["Subject"]) for m in mailed]
    assert any("[FIRING:" in s and "FactoryChaosErrors" in s for s in subjects), subjects
    pushed = [r.json() for r in ntfy.requests]
    assert any(p["topic"] == "jwt-pizza" and "FactoryChaosErrors" in p["title"] for p in pushed)
    # And the run passes: one page for the fault, one incident, resolved, nothing lost.
    assert card["verdict"] == "pass", (card["problems"], err[-3000:])


def play(tmp_path: Path, smtp: FakeSmtp, ntfy: FakeHttp) -> tuple[Person, str, str]:
    """Run the scenario with a person; a second session meanwhile is refused."""
    env = environment(tmp_path / "data")
    args = [str(JWTPIZZA), "scenario", "run", "factory-fail", "--responder", "me", "--json"]
    channels = ["--email", "me@example.com", "--smtp", f"{smtp.host}:{smtp.port}",
                "--ntfy", f"{ntfy.url}/jwt-pizza"]  # fmt: skip
    child = subprocess.Popen([*args, "--speed", f"{SPEED:g}", *channels], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        told = briefing(child)
        briefed = time.monotonic()  # the clock starts: no terminal, so no Enter to wait for
        ops = re.search(r"ops console:\s+(http://\S+?)/?\s", told)
        service = re.search(r"The shop:\s+(http://\S+?)/?\s", told)
        assert ops and service, told
        assert "sign in as a@jwt.com / admin" in told and "you (primary) by phone" in told
        assert "fail" not in told.split("Open the ops console")[1]  # the fault is not named
        assert "email to me@example.com" in told and "the ntfy topic" in told
        # The person starts at once (the clock has started); meanwhile a second session on
        # the same scenario is refused.
        person = Person(ops.group(1), service.group(1))
        person.did["started"] = briefed
        worker = threading.Thread(target=person)
        worker.start()
        second = subprocess.run([*args], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert second.returncode == 1
        assert second.stderr.strip().splitlines() == [
            f"error: scenario factory-fail already has a responder session on this data "
            f"folder (lock {tmp_path / 'data' / 'scenario-factory-fail.lock'}); finish that "
            f"one first"
        ]
        out, err = child.communicate(timeout=240)
        worker.join(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    return person, out, told + err
