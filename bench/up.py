"""`jwtpizza up` as a newcomer meets it: how long until the banner says it is up, and how much
memory the whole stack holds once the simulator has run for a while.

Each round starts `jwtpizza up` in a fresh folder on free ports (a new SQLite database, so
migrations and demo data are part of the time), waits for the banner, lets the traffic
simulator run `--settle` seconds, reads the memory of `up` and every process it started,
then stops it with Ctrl-C (SIGINT) and times the stop. Memory is given two ways: PSS (pages
shared between processes counted once, shared among them: what the stack costs the machine)
and the plain sum of RSS (shared pages counted in every process), then each process's PSS
(`up` itself, and the service, factory and ops processes, told apart by the port each listens
on). `--src DIR` runs another checkout's `src` in the same run, for a baseline on this noisy
machine.

    .venv/bin/python bench/up.py [--rounds 3] [--settle 10] [--src OTHER/src]

Goal (issue 14): ready in under 5 s, the stack under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from harness import VENV_BIN, free_port  # type: ignore[import-not-found]

BANNER_END = b"Press Ctrl-C to stop."
ROLES = ("up", "service", "factory", "ops")


def memory_mb(pid: int) -> tuple[float, float, int]:
    """(PSS, RSS) in MB of the process and its children, and how many processes."""
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    pss = rss = 0.0
    for proc in procs:
        info = proc.memory_full_info()
        pss += info.pss / 2**20
        rss += info.rss / 2**20
    return pss, rss, len(procs)


def pss_by_role(pid: int, ports: list[str]) -> dict[str, float]:
    """PSS in MB of `up` (the process `pid`) and of the component listening on each of
    `ports` (the service's, the factory's, ops')."""
    root = psutil.Process(pid)
    found = {"up": root.memory_full_info().pss / 2**20}
    for child in root.children(recursive=True):
        connections = child.net_connections("tcp")
        listening = {str(c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}
        for role, port in zip(ROLES[1:], ports, strict=True):
            if port in listening:
                found[role] = child.memory_full_info().pss / 2**20
    return found


def one_round(folder: Path, source: str | None, settle: float) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    env |= {"XDG_STATE_HOME": str(folder / "state"), "JWTPIZZA_DATA_DIR": str(folder / "var")}
    if source:
        env["PYTHONPATH"] = source
    ports = [str(free_port()) for _ in range(3)]
    command = [str(VENV_BIN / "jwtpizza"), "up", "--service-port", ports[0],
               "--factory-port", ports[1], "--ops-port", ports[2]]  # fmt: skip
    started = time.monotonic()
    up = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)  # fmt: skip
    assert up.stdout is not None
    seen = b""
    while BANNER_END not in seen:
        line = up.stdout.readline()
        if not line:
            raise RuntimeError(f"`jwtpizza up` ended before its banner:\n{seen.decode()}")
        seen += line
    ready = time.monotonic() - started
    time.sleep(settle)
    pss, rss, count = memory_mb(up.pid)
    roles = pss_by_role(up.pid, ports)
    up.send_signal(signal.SIGINT)
    stopping = time.monotonic()
    output, _ = up.communicate(timeout=60)
    stop = time.monotonic() - stopping
    if b"Traceback" in output:
        raise RuntimeError(f"a traceback on stopping:\n{output.decode()}")
    return {"ready": ready, "pss": pss, "rss": rss, "processes": count, "stop": stop} | roles


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds of traffic first")
    parser.add_argument("--src", type=Path, default=None, help="a baseline checkout's src")
    args = parser.parse_args()
    builds: list[tuple[str, str | None]] = [("this checkout", None)]
    if args.src:
        builds.append((f"baseline {args.src}", str(args.src.resolve())))
    print(f"jwtpizza up: {args.rounds} rounds each, interleaved; memory after {args.settle:g} s "
          "of simulated traffic; medians")  # fmt: skip
    print(f"{'build':<40} {'ready s':>8} {'PSS MB':>8} {'RSS sum':>8} {'procs':>6} {'stop s':>7}")
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in builds}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for name, source in builds:
                folder = Path(tmp) / f"{round_}-{len(results[name])}-{source is None}"
                folder.mkdir()
                results[name].append(one_round(folder, source, args.settle))
    for name, rows in results.items():
        med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        print(f"{name[:40]:<40} {med['ready']:>8.2f} {med['pss']:>8.0f} {med['rss']:>8.0f}"
              f" {med['processes']:>6.0f} {med['stop']:>7.2f}")  # fmt: skip
    print("PSS MB per process, medians: " + ", ".join(ROLES))
    for name, rows in results.items():
        each = [statistics.median(r.get(role, 0.0) for r in rows) for role in ROLES]
        print(f"{name[:40]:<40} " + " ".join(f"{mb:>8.0f}" for mb in each))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
