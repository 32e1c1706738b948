"""README.md's quick start, word for word, in fresh shells on a clean clone (git clone of this
repository): `scripts/up`, an order with curl, chaos with `jwtpizza` after the documented
activate step, the logs search for the report link, and the link ending the fault. Then, on
the same stack, every shell block of the docs site (docs/testing.md says which are run).

The clone installs its own `.venv` with `scripts/bootstrap` (uv from its cache, so this takes
seconds); the stack then runs in a private network namespace (`unshare --net`, as root), where
the README's fixed ports 3000 and 4000 cannot collide with anything else on the machine.
`scripts/test`, the quick start's other line, is what CI (`.ci/run`) runs on a clean clone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
DRIVER = ROOT / "tests" / "support" / "readme_driver.py"


def private_network_available() -> bool:
    probe = ["unshare", "--net", "ip", "link", "set", "lo", "up"]
    return bool(shutil.which("unshare") and shutil.which("ip")) and (
        subprocess.run(probe, capture_output=True).returncode == 0
    )


def test_the_readme_quick_start_works_word_for_word(tmp_path: Path) -> None:
    if not private_network_available():
        pytest.skip("needs root for `unshare --net` (and iproute2) to free ports 3000/4000")
    clone = tmp_path / "jwt-pizza"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    env = {k: v for k, v in env.items() if not k.startswith(("JWTPIZZA_", "VIRTUAL_ENV"))}
    # A new terminal has no virtualenv on PATH: `jwtpizza` must come from the activate step.
    path = [p for p in env["PATH"].split(os.pathsep) if "/.venv/" not in p + "/"]
    env["PATH"] = os.pathsep.join(path)
    subprocess.run(["scripts/bootstrap"], cwd=clone, env=env, check=True, timeout=300)
    command = f"ip link set lo up && exec {sys.executable} {DRIVER} {clone}"
    result = subprocess.run(
        ["unshare", "--net", "sh", "-c", command], env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(result.stdout)

    assert "JWT Pizza is up" in seen["up"] and "Traceback" not in seen["up"], seen["up"]
    assert '"jwt":"' in seen["order"], seen["order"]
    assert "chaos fail for demo" in seen["chaos"], seen["chaos"]
    during = seen["order during chaos"]
    assert '"message":"Failed to fulfill order at factory"' in during, during
    assert '"followLinkToEndChaos":"http://' in during, during
    assert "/report/" in seen["logs"] and seen["logs"].startswith("rc=0"), seen["logs"]
    assert " db " not in seen["logs"], seen["logs"]  # the search skips SQL statements
    assert "Problem resolved" in seen["follow link"], seen["follow link"]
    assert '"jwt":"' in seen["order after"], seen["order after"]
    failed = {where: out for where, out in seen["docs"].items() if not out.startswith("rc=0")}
    assert seen["docs"] and not failed, failed
