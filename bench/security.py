"""Can anonymous callers with curl slow the shop down? The menu's latency for one ordinary
visitor, quiet and while 32 clients hammer one public endpoint with bad input.

Starts a stub factory, the real pizza service (`jwtpizza service`, file SQLite database with
the demo data, default limits) and ops (`jwtpizza ops`, default limits, watching both). A
probe sends `GET /api/order/menu` one at a time, about 50 a second, and records each latency.
Each attack is two `wrk` runs at once, 16 connections each, one attack after the other:

- logins: `PUT /api/auth` with wrong or overlong passwords, and `POST /api/auth` with invalid
  emails, empty names and an email that is taken (the service);
- status: `GET /api/status` and `GET /status` (ops' public status page);
- intake: `POST /api/ops/alertmanager` with a wrong bearer token (ops);
- ack: `GET /api/ops/ack/<token>` with forged and malformed links (ops);
- stats and logsearch, as one admin: `GET /api/order/stats` (the service) and
  `GET /api/ops/components/service/logs` with changing filters (through ops).

    .venv/bin/python bench/security.py [--seconds 15] [--only status,intake]

The goal (issues 13 and 21): the menu's median and p99 under each attack stay under 2x the
quiet ones. Ops and the service share the machine's cores, as on one host.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from harness import VENV_BIN, free_port, process, request  # type: ignore[import-not-found]
from service_throughput import prepare, service_env  # type: ignore[import-not-found]

LOGINS = """
local bodies = {
  '{"email":"d@jwt.com","password":"wrong"}',
  '{"email":" D@jwt.com ","password":"guess"}',
  '{"email":"a@jwt.com","password":"' .. string.rep("x", 80) .. '"}',
  '{"email":"nobody@jwt.com","password":"nope"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("PUT", "/api/auth", {["Content-Type"] = "application/json"},
                    bodies[i % #bodies + 1])
end
"""

REGISTRATIONS = """
local bodies = {
  '{"name":"x","email":"not-an-email","password":"secret"}',
  '{"name":"x","email":"d@jwt.com","password":"secret"}',
  '{"name":"","email":"new@jwt.com","password":"secret"}',
  '{"name":"x","email":"new@jwt.com","password":"' .. string.rep("p", 80) .. '"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/auth", {["Content-Type"] = "application/json"},
                    bodies[i % #bodies + 1])
end
"""


STATUS = """
local paths = {"/api/status", "/status"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[i % #paths + 1])
end
"""

INTAKE = """
local body = '{"version":"4","groupKey":"{}:{}","status":"firing","receiver":"x",'
  .. '"alerts":[{"status":"firing","labels":{"alertname":"A","severity":"critical"},'
  .. '"startsAt":"2026-01-01T00:00:00Z"}]}'
request = function()
  return wrk.format("POST", "/api/ops/alertmanager",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer guess"},
                    body)
end
"""

ACKS = """
local links = {"eyJwIjoxfQ.forged", "not-a-token", string.rep("a", 300) .. ".x"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/ops/ack/" .. links[i % #links + 1])
end
"""

# As the admin whose token replaces TOKEN.
STATS = """
request = function()
  return wrk.format("GET", "/api/order/stats?from=2020-01-01T00:00:00Z",
                    {["Authorization"] = "Bearer TOKEN"})
end
"""

LOG_SEARCHES = """
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/ops/components/service/logs?since=15m&q=x" .. i,
                    {["Authorization"] = "Bearer TOKEN"})
end
"""

ADMIN = {"email": "a@jwt.com", "password": "admin"}  # the demo data's admin

# Each attack: (name, [(wrk script, which app)]), 16 connections per script run.
ATTACKS: list[tuple[str, list[tuple[str, str]]]] = [
    ("logins", [(LOGINS, "service"), (REGISTRATIONS, "service")]),
    ("status", [(STATUS, "ops"), (STATUS, "ops")]),
    ("intake", [(INTAKE, "ops"), (INTAKE, "ops")]),
    ("ack", [(ACKS, "ops"), (ACKS, "ops")]),
    ("stats", [(STATS, "service"), (STATS, "service")]),
    ("logsearch", [(LOG_SEARCHES, "ops"), (LOG_SEARCHES, "ops")]),
]


def ops_env(work: Path, port: int, service: str, factory: str) -> dict[str, str]:
    targets = [{"job": "jwt-pizza-service", "url": f"{service}/metrics",
                "labels": {"component": "service"}},
               {"job": "jwt-pizza-factory", "url": f"{factory}/metrics",
                "labels": {"component": "factory"}}]  # fmt: skip
    return {
        **os.environ,
        "JWTPIZZA_OPS_PORT": str(port),
        "JWTPIZZA_OPS_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'ops.db'}",
        "JWTPIZZA_OPS_SERVICE_URL": service,
        "JWTPIZZA_OPS_FACTORY_URL": factory,
        "JWTPIZZA_OPS_TARGETS": json.dumps(targets),
        "JWTPIZZA_OPS_INTAKE_TOKEN": secrets.token_urlsafe(24),
        "JWTPIZZA_OPS_ACK_SECRET": secrets.token_urlsafe(24),
        "JWTPIZZA_OPS_METRICS_TOKEN": secrets.token_urlsafe(24),
        "JWTPIZZA_OPS_INCIDENTS_SERVICE_EMAIL": ADMIN["email"],
        "JWTPIZZA_OPS_INCIDENTS_SERVICE_PASSWORD": ADMIN["password"],
        "JWTPIZZA_OBS_LOG_STDOUT": "false",
    }


def probe(port: int, seconds: float) -> list[float]:
    """Menu latencies in ms, one request at a time on a kept-alive connection."""
    latencies: list[float] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection.request("GET", "/api/order/menu")
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    connection.close()
    return latencies


def summary(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def attack(
    scripts: list[tuple[str, str]], bases: dict[str, str], token: str, work: Path, seconds: float
) -> list[subprocess.Popen[str]]:
    runs = []
    for n, (script, app) in enumerate(scripts):
        path = work / f"attack{n}.lua"
        path.write_text(script.replace("TOKEN", token))
        runs.append(
            subprocess.Popen(
                ["wrk", "-t1", "-c16", f"-d{int(seconds) + 2}s", "-s", str(path), bases[app]],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    return runs


def under_attack(
    scripts: list[tuple[str, str]], bases: dict[str, str], token: str, work: Path, seconds: float
) -> tuple[tuple[float, float], float]:
    """The menu's (median, p99) during the attack, and the attack's requests per second."""
    runs = attack(scripts, bases, token, work, seconds)
    time.sleep(1)
    latencies = probe(int(bases["service"].rsplit(":", 1)[1]), seconds)
    outputs = [run.communicate()[0] for run in runs]
    rps = sum(
        float(line.split()[1]) for out in outputs for line in out.splitlines()
        if line.startswith("Requests/sec:")
    )  # fmt: skip
    time.sleep(2)  # let the apps settle before the next measurement
    return summary(latencies), rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    names = [name for name, _ in ATTACKS]
    parser.add_argument("--only", default=",".join(names), help=f"some of {', '.join(names)}")
    args = parser.parse_args()
    chosen = [(name, scripts) for name, scripts in ATTACKS if name in args.only.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        factory_port, service_port, ops_port = free_port(), free_port(), free_port()
        env = service_env(
            f"sqlite+aiosqlite:///{work / 'service.db'}",
            f"http://127.0.0.1:{factory_port}",
            service_port,
            pooled=True,
        )
        env.pop("JWTPIZZA_LOGIN_MAX_FAILURES")  # the default limits, as shipped
        prepare(env["JWTPIZZA_DATABASE_URL"], env)
        bases = {"service": f"http://127.0.0.1:{service_port}",
                 "ops": f"http://127.0.0.1:{ops_port}"}  # fmt: skip
        factory = f"http://127.0.0.1:{factory_port}"
        stub = "jwtpizza.testing.stub_factory:create_stub_factory"
        factory_cmd = [str(VENV_BIN / "uvicorn"), "--factory", stub, "--port", str(factory_port)]
        jwtpizza = str(VENV_BIN / "jwtpizza")
        with (
            process(factory_cmd, env, f"{factory}/.well-known/jwks.json"),
            process([jwtpizza, "service"], env, f"{bases['service']}/healthz"),
            process([jwtpizza, "ops"], ops_env(work, ops_port, bases["service"], factory),
                    f"{bases['ops']}/healthz"),
        ):  # fmt: skip
            # Before the logins attack uses up the admin's login attempts.
            token = str(request(f"{bases['service']}/api/auth", "PUT", ADMIN)["token"])
            probe(service_port, 2)  # warm up
            quiet = summary(probe(service_port, args.seconds))
            loud = {
                name: under_attack(scripts, bases, token, work, args.seconds)
                for name, scripts in chosen
            }
    print(f"{'menu latency':<28}{'median ms':>10}{'p99 ms':>10}{'x median':>10}{'x p99':>8}"
          f"{'attack/s':>10}")  # fmt: skip
    print(f"{'quiet':<28}{quiet[0]:>10.2f}{quiet[1]:>10.2f}")
    for name, ((median, p99), rps) in loud.items():
        print(f"{'under ' + name + ' (32 conns)':<28}{median:>10.2f}{p99:>10.2f}"
              f"{median / quiet[0]:>9.2f}x{p99 / quiet[1]:>7.2f}x{rps:>10.0f}")  # fmt: skip
    print("target: every ratio under 2x")


if __name__ == "__main__":
    main()
