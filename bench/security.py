"""Can bad credentials from curl slow the shop down? The menu's latency for one ordinary
visitor, quiet and while 32 clients hammer registration and login with bad input.

Starts a stub factory and the real pizza service (`jwtpizza service`, file SQLite database
with the demo data, default limits). A probe sends `GET /api/order/menu` one at a time, about
50 a second, and records each latency. The attack is two `wrk` runs at once, 16 connections
each: `PUT /api/auth` with wrong or overlong passwords for a few accounts, and
`POST /api/auth` with invalid emails, empty names and an email that is taken.

    .venv/bin/python bench/security.py [--seconds 15]

The goal (issue 13): the menu's median and p99 under attack stay under 2x the quiet ones.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from harness import VENV_BIN, free_port, process  # type: ignore[import-not-found]
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


def attack(base: str, work: Path, seconds: float) -> list[subprocess.Popen[str]]:
    runs = []
    for name, script in (("logins", LOGINS), ("registrations", REGISTRATIONS)):
        path = work / f"{name}.lua"
        path.write_text(script)
        runs.append(
            subprocess.Popen(
                ["wrk", "-t1", "-c16", f"-d{int(seconds) + 2}s", "-s", str(path), base],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        factory_port, service_port = free_port(), free_port()
        env = service_env(
            f"sqlite+aiosqlite:///{work / 'service.db'}",
            f"http://127.0.0.1:{factory_port}",
            service_port,
            pooled=True,
        )
        env.pop("JWTPIZZA_LOGIN_MAX_FAILURES")  # the default limits, as shipped
        prepare(env["JWTPIZZA_DATABASE_URL"], env)
        base = f"http://127.0.0.1:{service_port}"
        stub = "jwtpizza.testing.stub_factory:create_stub_factory"
        factory_cmd = [str(VENV_BIN / "uvicorn"), "--factory", stub, "--port", str(factory_port)]
        with (
            process(factory_cmd, env, f"http://127.0.0.1:{factory_port}/.well-known/jwks.json"),
            process([str(VENV_BIN / "jwtpizza"), "service"], env, f"{base}/healthz"),
        ):
            probe(service_port, 2)  # warm up
            quiet = summary(probe(service_port, args.seconds))
            runs = attack(base, work, args.seconds)
            time.sleep(1)
            loud_latencies: list[float] = []
            thread = threading.Thread(
                target=lambda: loud_latencies.extend(probe(service_port, args.seconds))
            )
            thread.start()
            thread.join()
            outputs = [run.communicate()[0] for run in runs]
            loud = summary(loud_latencies)
    attack_rps = sum(
        float(line.split()[1]) for out in outputs for line in out.splitlines()
        if line.startswith("Requests/sec:")
    )  # fmt: skip
    print(f"attack: {attack_rps:.0f} bad logins + registrations per second (32 connections)\n")
    print(f"{'menu latency':<22}{'median ms':>12}{'p99 ms':>12}")
    print(f"{'quiet':<22}{quiet[0]:>12.2f}{quiet[1]:>12.2f}")
    print(f"{'under attack':<22}{loud[0]:>12.2f}{loud[1]:>12.2f}")
    ratio = (loud[0] / quiet[0], loud[1] / quiet[1])
    print(f"{'ratio (target < 2x)':<22}{ratio[0]:>11.2f}x{ratio[1]:>11.2f}x")


if __name__ == "__main__":
    main()
