"""Menu, history and order creation through the compose stack's load balancer with 3, 2 and
1 service replicas: req/s and p99 (hey, 20 connections, 10 s each).

    .venv/bin/python bench/replicas.py [--seconds 10] [--no-build]

Brings the compose stack up with the images scripts/containers builds (as
tests/deploy/test_compose_stack.py does), then stops replicas one by one; HAProxy's checks
take a stopped replica out. On 2 cores shared by everything (PostgreSQL, the factory,
HAProxy, hey) this shows the cost of the extra hop and of sharing, not scaling.
Also prints the time from `compose up` to the shop answering, and each of the stack's
containers' memory. `--no-build` takes the images already built (another worktree's build
of the same tag is not replaced).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deploy.test_compose_stack import COMPOSE, ORDER, Stack, compose  # noqa: E402
from tests.support.containers import COMPOSE_SECRETS, build, podman, wait_for  # noqa: E402
from tests.support.live import free_port  # noqa: E402


def hey(url: str, seconds: int, *extra: str) -> tuple[float, float]:
    out = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", "20", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"99%+ in ([\d.]+) secs", out).group(1))  # type: ignore[union-attr]
    return rps, p99 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--no-build", action="store_true", help="use the images already built")
    args = parser.parse_args()
    seconds = args.seconds
    if not args.no_build:
        build("image")
        build("infra")
    port, ops, prom, am = (free_port() for _ in range(4))
    env_file = Path(tempfile.mkdtemp()) / "env"
    env_file.write_text(
        "".join(f"{key}=bench-{key.lower()}-value\n" for key in COMPOSE_SECRETS)
        + f"JWTPIZZA_HTTP_PORT={port}\nJWTPIZZA_OPS_HTTP_PORT={ops}\n"
        + f"PROMETHEUS_HTTP_PORT={prom}\nALERTMANAGER_HTTP_PORT={am}\n"
        + "JWTPIZZA_OBS_LOKI_URL=\nJWTPIZZA_OBS_OTLP_TRACES_URL=\n"
    )
    project = f"jwtpizzabench{port}"
    stack = Stack(project, f"http://127.0.0.1:{port}", "", "", "")
    started = time.monotonic()
    compose(env_file, project, "up", "-d")
    try:
        wait_for(f"{stack.shop}/api/order/menu", 180)
        print(f"compose up -> shop answering: {time.monotonic() - started:.0f} s ({COMPOSE.name})")
        podman("exec", stack.container("service-1"), "jwtpizza", "db", "seed", "--demo")
        memory = podman("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}").stdout
        print("\n".join(line for line in memory.splitlines() if line.startswith(project)))
        token = stack.login("d@jwt.com", "diner")
        auth = ("-H", f"Authorization: Bearer {token}")
        body = ("-m", "POST", "-T", "application/json", "-d", json.dumps(ORDER))
        print("replicas  menu req/s p99ms  history req/s p99ms  order req/s p99ms")
        for replicas in (3, 2, 1):
            figures = [
                hey(f"{stack.shop}/api/order/menu", seconds),
                hey(f"{stack.shop}/api/order", seconds, *auth),
                hey(f"{stack.shop}/api/order", seconds, *auth, *body),
            ]
            print(f"{replicas:8}  " + "  ".join(f"{rps:10.0f} {p99:5.0f}" for rps, p99 in figures))
            if replicas > 1:
                podman("stop", "-t", "10", stack.container(f"service-{replicas}"))
                time.sleep(6)  # HAProxy marks it down (2 checks, 2 s apart)
    finally:
        compose(env_file, project, "down", "-v", "-t", "5")


if __name__ == "__main__":
    main()
