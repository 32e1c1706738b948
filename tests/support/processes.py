"""A component (`jwtpizza service|factory|ops|up`) as a child process of a test: started,
waited for until its ready path answers 200, stopped with SIGTERM (timed) or killed. It runs
in a session of its own, so a signal reaches it (and its workers) alone, not the test's group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

JWTPIZZA = Path(sys.executable).with_name("jwtpizza")


def clean_env(**env: str) -> dict[str, str]:
    """This environment without any `JWTPIZZA_` setting, and `env` on top."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}, **env}


class Component:
    def __init__(
        self, args: list[str], env: dict[str, str], log: Path, url: str, *,
        ready_path: str = "/healthz",
    ) -> None:  # fmt: skip
        self.args, self.env, self.log, self.url = args, env, log, url
        self.ready_path = ready_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Component:
        """Launch, then wait until ready."""
        return self.launch().wait_ready(timeout)

    def launch(self) -> Component:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(JWTPIZZA), *self.args],
                env=self.env,
                cwd=self.log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 60) -> Component:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.tail()
            try:
                if httpx.get(f"{self.url}{self.ready_path}", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.args[0]} did not start: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text()[-3000:]

    def terminate(self, bound: float) -> float:
        """SIGTERM; the seconds until the process (and every worker) exited, at most
        `bound` (then it is killed and the test fails)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(bound)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.args[0]} still running {bound} s after SIGTERM") from None
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL to it and its workers: no shutdown hook runs, leases are left held."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, and SIGKILL if it has not exited within `grace` seconds."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.kill()
