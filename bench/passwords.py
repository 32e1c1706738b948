"""Password checks: the CPU one bcrypt check costs through the bcrypt package and through the
system's libxcrypt (what a login uses where it is present), and checks per second with one
hashing thread per core, as the service runs them.

    .venv/bin/python bench/passwords.py [--cost 10] [--checks 24]

The two are interleaved check by check, so a noisy machine slows both alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import bcrypt

from jwtpizza.service.users.passwords import HASH_THREADS, Checker, bcrypt_check, checker


def cpu_per_check(checks: dict[str, Checker], hashed: bytes, count: int) -> dict[str, float]:
    spent: dict[str, list[float]] = {name: [] for name in checks}
    for _ in range(count):
        for name, check in checks.items():
            started = time.thread_time()
            assert check(b"diner", hashed)
            spent[name].append(time.thread_time() - started)
    return {name: statistics.median(times) for name, times in spent.items()}


def per_second(check: Checker, hashed: bytes, count: int) -> float:
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        started = time.perf_counter()
        assert all(pool.map(check, [b"diner"] * count, [hashed] * count))
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost", type=int, default=10)
    parser.add_argument("--checks", type=int, default=24)
    args = parser.parse_args()
    hashed = bcrypt.hashpw(b"diner", bcrypt.gensalt(rounds=args.cost))
    checks = {"bcrypt package": bcrypt_check}
    if checker() is not bcrypt_check:
        checks["libxcrypt"] = checker()
    cpu = cpu_per_check(checks, hashed, args.checks)
    base = cpu["bcrypt package"]
    print(f"bcrypt cost {args.cost}, {args.checks} checks per row, {HASH_THREADS} threads\n")
    print(f"{'checker':<16}{'CPU ms/check':>14}{'vs package':>12}{'checks/s':>10}")
    for name, check in checks.items():
        rate = per_second(check, hashed, args.checks)
        print(f"{name:<16}{1000 * cpu[name]:>14.1f}{cpu[name] / base:>12.2f}{rate:>10.1f}")


if __name__ == "__main__":
    main()
