"""Service throughput and latency under wrk, pooled vs one connection per query.

Starts a stub factory that answers at once and the real pizza service (`--workers` uvicorn
processes, file database with the demo data), then drives four endpoints with `wrk` over
loopback:
menu reads, authenticated order history, login, and order creation. It runs each twice:
with the connection pool, and with pooling off (`JWTPIZZA_DB_POOLED=false`), which is how
the original service talks to its database (a new connection per query).

    .venv/bin/python bench/service_throughput.py [--seconds 10] [--connections 16]
        [--database-url URL]   # default: a fresh SQLite file; or a MariaDB/PostgreSQL URL
        [--workers 2]

On SQLite, more workers help reads but not writes: SQLite has one writer per database, so
worker processes queue for its lock in SQLite's busy handler, which sleeps (1 ms, 2 ms, ...
up to 100 ms) instead of waking when the lock is free. On a 2-core machine, order creation
with `--workers 1` ran at 46-53 req/s against 49-56 with 2, but with a p99 of ~0.5-0.6 s
against 0.8-1.8 s; menu reads and order history ran 1.6-2.3x faster with 2. PostgreSQL and
MariaDB have no such limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import VENV_BIN, free_port, lua_script, process, request, run_wrk  # type: ignore[import-not-found]

SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
API_KEY = "bench-vendor-key"
ORDER = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "description": "Veggie"}]}


def service_env(database_url: str, factory_url: str, port: int, pooled: bool) -> dict[str, str]:
    return {
        **os.environ,
        "JWTPIZZA_DATABASE_URL": database_url,
        "JWTPIZZA_JWT_SECRET": SECRET,
        "JWTPIZZA_PORT": str(port),
        "JWTPIZZA_FACTORY_URL": factory_url,
        "JWTPIZZA_FACTORY_API_KEY": API_KEY,
        "JWTPIZZA_DB_POOLED": "true" if pooled else "false",
        "JWTPIZZA_LOGIN_MAX_FAILURES": "1000000",
        "JWTPIZZA_OBS_LOG_STDOUT": "false",
    }


def prepare(database_url: str, env: dict[str, str]) -> None:
    subprocess.run([str(VENV_BIN / "jwtpizza"), "db", "seed", "--demo"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def measure(
    database_url: str, pooled: bool, args: argparse.Namespace, work: Path
) -> dict[str, dict[str, float]]:
    factory_port, service_port = free_port(), free_port()
    factory_url = f"http://127.0.0.1:{factory_port}"
    env = service_env(database_url, factory_url, service_port, pooled)
    prepare(database_url, env)
    base = f"http://127.0.0.1:{service_port}"
    stub = "jwtpizza.testing.stub_factory:create_stub_factory"
    factory_cmd = [str(VENV_BIN / "uvicorn"), "--factory", stub, "--port", str(factory_port)]
    service_cmd = [str(VENV_BIN / "jwtpizza"), "service", "--workers", str(args.workers)]
    results: dict[str, dict[str, float]] = {}
    with (
        process(factory_cmd, env, f"{factory_url}/.well-known/jwks.json"),
        process(service_cmd, env, f"{base}/healthz"),
    ):
        token = str(
            request(f"{base}/api/auth", "PUT", {"email": "d@jwt.com", "password": "diner"})["token"]
        )
        request(f"{base}/api/order", "POST", ORDER, token)
        login = {"email": "d@jwt.com", "password": "diner"}
        cases = {
            "GET /api/order/menu": ("/api/order/menu", "GET", None, ""),
            "GET /api/order (diner)": ("/api/order", "GET", None, token),
            "PUT /api/auth (login)": ("/api/auth", "PUT", login, ""),
            "POST /api/order": ("/api/order", "POST", ORDER, token),
        }
        for index, (name, (path, method, body, auth)) in enumerate(cases.items()):
            script = lua_script(work, f"case{index}", method, body, auth)
            results[name] = run_wrk(base + path, script, args.seconds, args.connections)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2, help="service worker processes")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        urls = {
            mode: args.database_url or f"sqlite+aiosqlite:///{work / mode}.db"
            for mode in ("pooled", "unpooled")
        }
        pooled = measure(urls["pooled"], True, args, work)
        unpooled = measure(urls["unpooled"], False, args, work)
    print(f"\nservice throughput, {args.connections} connections, {args.seconds}s per case, "
          f"database {args.database_url or 'SQLite file'}\n")  # fmt: skip
    header = (
        f"{'endpoint':<24} {'pooled req/s':>12} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'per-query req/s':>16} {'p99 ms':>8} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for name, row in pooled.items():
        other = unpooled[name]
        ratio = row["rps"] / other["rps"] if other["rps"] else float("inf")
        note = f"  ({int(row['errors'])} non-2xx)" if row["errors"] else ""
        print(f"{name:<24} {row['rps']:>12.0f} {row['p50']:>8.1f} {row['p99']:>8.1f} "
              f"{other['rps']:>16.0f} {other['p99']:>8.1f} {ratio:>5.1f}x{note}")  # fmt: skip
    if args.database_url is None and args.workers > 1:
        print("\nnote: SQLite has one writer; with several workers, writes (login, orders) wait in "
              "its sleeping busy handler, so compare --workers 1 for their p99")  # fmt: skip


if __name__ == "__main__":
    main()
