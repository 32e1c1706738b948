"""Cost of observability on the REAL service: throughput with full logging on versus off.

Starts a stub factory and the real pizza service (`jwtpizza service`, file SQLite database
with the demo data) once per setting, and drives `GET /api/order/menu` and the diner's
authenticated `GET /api/order` with `wrk` over loopback. Settings come from the
`JWTPIZZA_OBS_*` environment, as in production:

    logging off      JWTPIZZA_OBS_LOGGING_ENABLED=false (metrics and tracing still on)
    logging on       the defaults: every request, response body and SQL statement logged,
                     sanitized and kept in the log store (what Loki would receive)
    on + scrape      logging on while /metrics is scraped 5 times a second

    .venv/bin/python bench/observability_overhead.py [--seconds 10] [--connections 16]

The goal (issue 5) is a cost under 15% at the service's peak rate: ratio = off / on - 1.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from harness import (  # type: ignore[import-not-found]
    VENV_BIN,
    free_port,
    lua_script,
    process,
    request,
    run_wrk,
)
from service_throughput import prepare, service_env  # type: ignore[import-not-found]

SETTINGS = {
    "logging off": {"JWTPIZZA_OBS_LOGGING_ENABLED": "false"},
    "logging on": {},
    "logging on + /metrics 5/s": {},
}


def scraper(url: str, stop: threading.Event) -> None:
    while not stop.is_set():
        urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 - loopback only
        stop.wait(0.2)


def measure(setting: str, args: argparse.Namespace, work: Path) -> dict[str, float]:
    factory_port, service_port = free_port(), free_port()
    factory_url = f"http://127.0.0.1:{factory_port}"
    database_url = f"sqlite+aiosqlite:///{work / f'obs-{uuid.uuid4().hex[:8]}.db'}"
    env = service_env(database_url, factory_url, service_port, True) | SETTINGS[setting]
    prepare(database_url, env)
    base = f"http://127.0.0.1:{service_port}"
    stub = "jwtpizza.testing.stub_factory:create_stub_factory"
    factory_cmd = [str(VENV_BIN / "uvicorn"), "--factory", stub, "--port", str(factory_port)]
    service_cmd = [str(VENV_BIN / "jwtpizza"), "service", "--workers", "1"]
    rates: dict[str, float] = {}
    with (
        process(factory_cmd, env, f"{factory_url}/.well-known/jwks.json"),
        process(service_cmd, env, f"{base}/healthz"),
    ):
        login = {"email": "d@jwt.com", "password": "diner"}
        token = str(request(f"{base}/api/auth", "PUT", login)["token"])
        order = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "description": "V"}]}
        for _ in range(5):
            request(f"{base}/api/order", "POST", order, token)
        stop = threading.Event()
        if "metrics" in setting:
            threading.Thread(target=scraper, args=(f"{base}/metrics", stop), daemon=True).start()
        cases = {
            "GET /api/order/menu": ("/api/order/menu", ""),
            "GET /api/order": ("/api/order", token),
        }
        for index, (name, (path, auth)) in enumerate(cases.items()):
            script = lua_script(work, f"obs{index}", "GET", None, auth)
            run_wrk(base + path, script, 2, args.connections)  # warm up
            result = run_wrk(base + path, script, args.seconds, args.connections, threads=1)
            assert result["errors"] == 0, (setting, name, result["errors"])
            rates[name] = result["rps"]
        stop.set()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for setting in SETTINGS:
                got = measure(setting, args, Path(tmp))
                best = results.setdefault(setting, got)
                for name, rps in got.items():
                    best[name] = max(best[name], rps)
                time.sleep(0.5)
    off = results["logging off"]
    print(f"{'setting':28} {'endpoint':22} {'req/s':>8} {'off/on':>7} {'cost':>7}")
    for setting, rates in results.items():
        for name, rps in rates.items():
            ratio = off[name] / rps
            print(f"{setting:28} {name:22} {rps:8.0f} {ratio:7.3f} {(ratio - 1) * 100:+6.1f}%")


if __name__ == "__main__":
    main()
