"""What the benchmarks share: ports, child processes that are waited for, and wrk runs."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(
    args: list[str], env: dict[str, str], ready_url: str, cwd: Path | None = None,
    timeout: float = 30,
) -> Iterator[subprocess.Popen[bytes]]:  # fmt: skip
    """A child process, ready once `ready_url` answers (within `timeout` seconds), terminated
    on exit."""
    proc = subprocess.Popen(
        args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(ready_url, timeout)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def request(url: str, method: str, body: object, token: str | None = None) -> dict[str, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - loopback only
        result: dict[str, object] = json.load(response)
        return result


def lua_script(directory: Path, name: str, method: str, body: object | None, token: str) -> Path:
    """A wrk script sending one fixed request."""
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if body is not None:
        lines.append(f"wrk.body = [[{json.dumps(body)}]]")
    path = directory / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert match is not None, text
    return (
        float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match.group(2)]
    )


def run_wrk(
    url: str, script: Path, seconds: int, connections: int, threads: int = 2,
    timeout_seconds: int = 2,
) -> dict[str, float]:  # fmt: skip
    """Requests/s, p50 and p99 in ms, and how many answers were not 2xx/3xx. Answers slower
    than `timeout_seconds` (wrk's default: 2) are left out of the latencies."""
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         f"--timeout={timeout_seconds}s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def find(pattern: str) -> str:
        match = re.search(pattern, out, re.MULTILINE)
        assert match is not None, out
        return match.group(1)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(find(r"Requests/sec:\s+([\d.]+)")),
        "p50": to_ms(find(r"^\s+50%\s+(\S+)")),
        "p99": to_ms(find(r"^\s+99%\s+(\S+)")),
        "errors": float(errors.group(1)) if errors else 0.0,
    }
