"""Runs README.md's quick start word for word in fresh shells, from a clean clone, then every
shell block of the docs site against the same stack, and prints what each shell printed as
JSON. `test_readme.py` runs it inside a private network namespace, so the README's fixed ports
(3000, 4000, 3300) are free and nobody else's.

    python readme_driver.py CLONE

Terminal 1 runs `scripts/up`; terminal 2 the order block (three times: before chaos, during,
after the report link); terminal 3 the chaos block and then, as the same terminal, the logs
block, typing the password when asked. `scripts/test` is not run here: it is CI itself.

Then each `sh` block of README.md and docs/**/*.md (docs/testing.md, "How the docs are
tested"): in a fresh shell with the clone's virtualenv active and `set -eo pipefail`, unless a
line `<!-- not run: REASON -->` comes right before it, or the quick start already ran it.
Identical blocks (the runbooks' login line) run once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

QUICK_START = re.compile(r"## Quick start\n(.*?)\n## ", re.S)
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
# A docs block, and the marker that it is shown but not run (with its reason).
DOCS_BLOCK = re.compile(
    r"(?:<!-- not run:(?P<reason>[^\n]*?)-->\n)?[ \t]*```sh\n(?P<body>.*?)```", re.S
)
DOCS_PRELUDE = ". .venv/bin/activate\nset -eo pipefail\n"
# What a new terminal has: no activated venv, no JWTPIZZA_* settings.
NEW_SHELL_ENV = ("PATH", "HOME", "XDG_STATE_HOME", "LANG")
# `jwtpizza up`'s own bound on a stop (35 s for requests under way), and a margin for a busy
# machine.
UP_STOP_BOUND_SECONDS = 45


def blocks(readme: str) -> list[str]:
    match = QUICK_START.search(readme)
    assert match, "README.md has no '## Quick start' section"
    return BLOCK.findall(match.group(1))


def docs_blocks(clone: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The `sh` blocks of README.md and docs/ to run, and those marked not run (with their
    reasons), each keyed by `page:line`."""
    run: dict[str, str] = {}
    not_run: dict[str, str] = {}
    pages = [clone / "README.md", *sorted((clone / "docs").rglob("*.md"))]
    for page in pages:
        text = page.read_text("utf-8")
        for match in DOCS_BLOCK.finditer(text):
            where = f"{page.relative_to(clone)}:{text.count(chr(10), 0, match.start()) + 1}"
            reason = match.group("reason")
            if reason is None:
                run[where] = match.group("body")
            else:
                not_run[where] = reason.strip()
    return run, not_run


def run_docs_blocks(clone: Path, already_run: list[str]) -> dict[str, str]:
    """Each docs block's output (`rc=N` first), run once per distinct block."""
    by_body: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for where, body in docs_blocks(clone)[0].items():
        if body in already_run:
            continue
        if body not in by_body:
            by_body[body] = shell(clone, DOCS_PRELUDE + body)
        outputs[where] = by_body[body]
    return outputs


def shell(clone: Path, script: str, *, stdin: str = "", timeout: float = 120) -> str:
    """A new terminal: a fresh bash with no profile, in the clone, running `script`."""
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=clone, input=stdin, capture_output=True, text=True, timeout=timeout,
        env={k: os.environ[k] for k in NEW_SHELL_ENV if k in os.environ},
    )  # fmt: skip
    return f"rc={result.returncode}\n{result.stdout}{result.stderr}"


def wait_for(path: Path, text: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = path.read_text(errors="replace") if path.exists() else ""
        if text in output:
            return output
        time.sleep(0.1)
    raise SystemExit(f"{text!r} never appeared:\n{output}")


def main(clone: Path) -> None:
    first, order, chaos, logs = blocks((clone / "README.md").read_text())
    up_line, test_line = first.strip().splitlines()
    assert up_line.startswith("scripts/up") and test_line.startswith("scripts/test")
    up_log = clone.parent / "up.log"
    with up_log.open("w") as log:
        up = subprocess.Popen(
            ["bash", "--noprofile", "--norc", "-c", f"exec {up_line}"], cwd=clone,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        seen: dict[str, str] = {"up": wait_for(up_log, "Press Ctrl-C to stop.")}
        seen["order"] = shell(clone, order)
        seen["chaos"] = shell(clone, chaos)
        # A person takes a moment to switch terminals; the factory, a process of its own, sees
        # a change made by the chaos CLI within its vendor cache's second (vendor_cache_seconds).
        time.sleep(1.5)
        seen["order during chaos"] = shell(clone, order)
        activate = chaos.strip().splitlines()[0]  # the same terminal as the chaos block
        seen["logs"] = shell(clone, f"{activate}\n{logs}", stdin="admin\n")
        link = re.search(r"http://\S+/api/support/\S+/report/\w+", seen["order during chaos"])
        seen["follow link"] = shell(clone, f"curl -s '{link.group(0)}'") if link else "no link"
        seen["order after"] = shell(clone, order)
        docs = run_docs_blocks(clone, [first, order, chaos, logs])
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(UP_STOP_BOUND_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)  # leave nothing running behind the failure
            raise
    seen["up"] = up_log.read_text(errors="replace")
    print(json.dumps({**seen, "docs": docs}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
