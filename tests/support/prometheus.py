"""The real Prometheus and Alertmanager (Debian's packages) as child processes of a test."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support.live import free_port


def binary(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed (Debian package {name})"
    return path


def wait_for(
    check: Callable[[], Any], seconds: float, message: str, tick: Callable[[], None] = lambda: None
) -> Any:
    """Poll `check` until it returns something true, and return that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        tick()
        time.sleep(0.2)
    raise AssertionError(message)


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def process(
    args: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`args` running until the block ends (or the test kills it), ready once `ready_url`
    answers 200."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            wait_for(lambda: _ready(ready_url), 20, f"{args[0]} did not start: {log}")
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            proc.wait(10)


@contextmanager
def alertmanager(folder: Path, config: str, *, utc: bool = False) -> Iterator[str]:
    """A real Alertmanager on `config` (YAML text), its state in `folder`; its URL. `utc`
    sets its local time zone (it reads a time interval without a location in it)."""
    (folder / "alertmanager.yml").write_text(config)
    port = free_port()
    args = [
        binary("prometheus-alertmanager"), f"--config.file={folder / 'alertmanager.yml'}",
        f"--storage.path={folder / 'am-data'}", f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]  # fmt: skip
    env = {**os.environ, "TZ": "UTC"} if utc else None
    url = f"http://127.0.0.1:{port}"
    with process(args, f"{url}/-/ready", folder / "alertmanager.log", env):
        yield url
