"""Game day: per scenario, the wall time at each speed and the scorecard's figures.

    .venv/bin/python bench/gameday.py [--speeds 12,24] [--scenarios factory-fail,noisy-alert]

Each run is `jwtpizza scenario run NAME --autopilot --json` as a child process (the whole
stack in it, on throwaway databases), one at a time. Times in the table are scenario time
(MTTD, MTTA, MTTR); `ratio` is the wall time against the scenario's own length (run_for),
so 1/speed is the ideal and anything above it is startup and recovery. The simulator's
maximum sustained request rate on one core is bench/traffic.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from jwtpizza.scenarios import available, load
from jwtpizza.scenarios.scorecard import clock

JWTPIZZA = Path(sys.executable).parent / "jwtpizza"


def run(name: str, speed: float) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [str(JWTPIZZA), "scenario", "run", name, "--autopilot", "--json",
             "--speed", f"{speed:g}"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    if not result.stdout.strip():
        return {"verdict": "error: " + result.stderr.strip().splitlines()[-1]}
    card: dict[str, object] = json.loads(result.stdout)[0]
    return card


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speeds", default="12,24")
    parser.add_argument("--scenarios", default=",".join(available()))
    args = parser.parse_args()
    speeds = [float(s) for s in args.speeds.split(",")]
    header = ("scenario", "speed", "wall s", "ratio", "MTTD", "MTTA", "MTTR", "failed",
              "queued", "lost", "dup", "pages!", "verdict")  # fmt: skip
    print(" | ".join(header))
    for name in args.scenarios.split(","):
        length = load(name).run_for
        for speed in speeds:
            c = run(name, speed)
            if "wall_seconds" not in c:
                print(f"{name} | x{speed:g} | {c['verdict']}")
                continue
            wall = float(c["wall_seconds"])  # type: ignore[arg-type]
            row = (
                name, f"x{speed:g}", f"{wall:.0f}", f"{wall / length:.3f}",
                clock(c["mttd"]), clock(c["mtta"]), clock(c["mttr"]),  # type: ignore[arg-type]
                str(c["failed"]), str(c["queued"]), str(c["lost"]), str(c["duplicated"]),
                str(len(c["noise"])), str(c["verdict"]),  # type: ignore[arg-type]
            )  # fmt: skip
            print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
