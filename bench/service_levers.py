"""One lever at a time: the pizza service in two or more variants, measured in the same run.

A variant is a worker count and, optionally, another source tree (a baseline exported with
`git archive <commit> src | tar -x -C /tmp/base`), put first on PYTHONPATH. Each variant gets
a fresh database with the demo data and a stub factory that answers at once; the endpoints
are driven with `wrk` in rounds (variant A, B, A, B...), and the table gives each variant's
median req/s and p99 over the rounds, with the ratio to the first variant.

    .venv/bin/python bench/service_levers.py --variant base:1:/tmp/base/src --variant new:1 \\
        [--database-url URL] [--seconds 5] [--rounds 2] [--connections 10] [--only menu,order]

`--database-url` names a MariaDB/PostgreSQL server database; each variant then gets its own
database next to it (`<name>_<variant>`), created fresh. Without it, SQLite files.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness import VENV_BIN, free_port, lua_script, process, request, run_wrk  # type: ignore[import-not-found]
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
ORDER = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "description": "Veggie"}]}
DINER = {"email": "d@jwt.com", "password": "diner"}


@dataclass
class Variant:
    label: str
    workers: int
    source: str | None


def parse_variant(text_: str) -> Variant:
    label, workers, *source = text_.split(":", 2)
    return Variant(label, int(workers), source[0] if source else None)


async def fresh_server_database(url: str, name: str) -> str:
    """A new empty database `name` on the server of `url`; its URL."""
    server = make_url(url)
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        await conn.execute(text(f"CREATE DATABASE {name}"))
    await engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def environment(variant: Variant, database_url: str, port: int, factory: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    env.update(
        JWTPIZZA_DATABASE_URL=database_url,
        JWTPIZZA_JWT_SECRET=SECRET,
        JWTPIZZA_PORT=str(port),
        JWTPIZZA_FACTORY_URL=factory,
        JWTPIZZA_FACTORY_API_KEY="bench-vendor-key",
        JWTPIZZA_LOGIN_MAX_FAILURES="1000000",
        JWTPIZZA_OBS_LOG_STDOUT="false",
        JWTPIZZA_DEMO="true",
    )
    if variant.source:
        env["PYTHONPATH"] = variant.source
    return env


def run_variant(
    variant: Variant, database_url: str, args: argparse.Namespace, work: Path
) -> dict[str, dict[str, float]]:
    factory_port, port = free_port(), free_port()
    factory = f"http://127.0.0.1:{factory_port}"
    env = environment(variant, database_url, port, factory)
    jwtpizza = str(VENV_BIN / "jwtpizza")
    subprocess.run([jwtpizza, "db", "seed", "--demo"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    stub = "jwtpizza.testing.stub_factory:create_stub_factory"
    factory_cmd = [str(VENV_BIN / "uvicorn"), "--factory", stub, "--port", str(factory_port)]
    service_cmd = [jwtpizza, "service", "--workers", str(variant.workers)]
    results: dict[str, dict[str, float]] = {}
    with (
        process(factory_cmd, env, f"{factory}/.well-known/jwks.json"),
        process(service_cmd, env, f"{base}/healthz"),
    ):
        token = str(request(f"{base}/api/auth", "PUT", DINER)["token"])
        for _ in range(3):
            request(f"{base}/api/order", "POST", ORDER, token)
        cases = {
            "menu": ("/api/order/menu", "GET", None, ""),
            "franchises": ("/api/franchise", "GET", None, ""),
            "history": ("/api/order", "GET", None, token),
            "order": ("/api/order", "POST", ORDER, token),
            "login": ("/api/auth", "PUT", DINER, ""),
        }
        for name, (path, method, body, auth) in cases.items():
            if args.only and name not in args.only:
                continue
            script = lua_script(work, f"{variant.label}-{name}", method, body, auth)
            results[name] = run_wrk(base + path, script, args.seconds, args.connections, 1)
    return results


def databases(variants: list[Variant], args: argparse.Namespace, work: Path) -> dict[str, str]:
    if args.database_url is None:
        return {v.label: f"sqlite+aiosqlite:///{work / v.label}.db" for v in variants}
    base = make_url(args.database_url).database
    return {
        v.label: asyncio.run(fresh_server_database(args.database_url, f"{base}_{v.label}"))
        for v in variants
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variant", action="append", type=parse_variant, required=True,
                        help="LABEL:WORKERS[:SOURCE_DIR]")  # fmt: skip
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--only", type=lambda s: s.split(","), default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    runs: dict[str, list[dict[str, dict[str, float]]]] = {v.label: [] for v in args.variant}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for _ in range(args.rounds):
            urls = databases(args.variant, args, work)
            for variant in args.variant:
                runs[variant.label].append(run_variant(variant, urls[variant.label], args, work))
    first = args.variant[0].label
    database = (
        make_url(args.database_url).render_as_string(hide_password=True)
        if args.database_url
        else "SQLite file"
    )
    print(f"\n{args.connections} connections, {args.seconds}s x {args.rounds} rounds, "
          f"database {database}; medians, ratio to {first}\n")  # fmt: skip
    print(
        f"{'endpoint':<12} {'variant':<12} {'req/s':>8} {'p99 ms':>8} {'req/s x':>8} {'p99 x':>7}"
    )
    for name in runs[first][0]:
        rows = {
            label: (
                statistics.median(r[name]["rps"] for r in results),
                statistics.median(r[name]["p99"] for r in results),
                sum(r[name]["errors"] for r in results),
            )
            for label, results in runs.items()
        }
        for label, (rps, p99, errors) in rows.items():
            note = f"  ({int(errors)} non-2xx)" if errors else ""
            print(f"{name:<12} {label:<12} {rps:>8.0f} {p99:>8.1f} "
                  f"{rps / rows[first][0]:>8.2f} {p99 / rows[first][1]:>7.2f}{note}")  # fmt: skip


if __name__ == "__main__":
    main()
