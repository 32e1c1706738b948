"""A component (`jwtpizza service|factory|ops|up`) as a child process of a test: started,
waited for until `/healthz` answers, stopped with SIGTERM (timed) or killed."""

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
    def __init__(self, args: list[str], env: dict[str, str], log: Path, url: str) -> None:
        self.args, self.env, self.log, self.url = args, env, log, url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Component:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(JWTPIZZA), *self.args],
                env=self.env,
                cwd=self.log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a signal for it alone, not the test's group
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.args[0]} did not start: {self.log.read_text()[-3000:]}")

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
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
