"""`jwtpizza up` runs each component in a process of its own: the service, the factory and
ops listen from three different child processes; Ctrl-C twice leaves nothing running;
a component that dies takes the stack down with one line naming it, not a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from tests.support.live import free_port
from tests.support.processes import JWTPIZZA

pytestmark = pytest.mark.slow


@contextmanager
def stack(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, int]]]:
    """`jwtpizza up --no-traffic` on free ports, once its banner is out."""
    ports = {"service": free_port(), "factory": free_port(), "ops": free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    env |= {"XDG_STATE_HOME": str(tmp_path / "state"), "JWTPIZZA_BCRYPT_ROUNDS": "4"}
    up = subprocess.Popen(
        [JWTPIZZA, "up", "--no-traffic", "--service-port", str(ports["service"]),
         "--factory-port", str(ports["factory"]), "--ops-port", str(ports["ops"])],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert up.stdout is not None
    try:
        seen = ""
        while "Press Ctrl-C to stop." not in seen:
            line = up.stdout.readline()
            assert line, f"up ended before its banner:\n{seen}"
            seen += line
        yield up, ports
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()


def listeners(up: subprocess.Popen[str]) -> dict[int, int]:
    """Listening port -> pid, over `up` and its children."""
    root = psutil.Process(up.pid)
    found = {}
    for proc in [root, *root.children(recursive=True)]:
        for conn in proc.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN:
                found[conn.laddr.port] = proc.pid
    return found


def test_each_component_listens_from_a_process_of_its_own(tmp_path: Path) -> None:
    with stack(tmp_path) as (up, ports):
        by_port = listeners(up)
        pids = {name: by_port.get(port) for name, port in ports.items()}
        assert None not in pids.values(), (pids, by_port)
        assert len(set(pids.values())) == 3 and up.pid not in pids.values(), pids
        children = psutil.Process(up.pid).children(recursive=True)
        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=30)
    assert up.returncode in (0, 130), output
    assert "Traceback" not in output, output
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_a_second_ctrl_c_leaves_no_process_and_no_traceback(tmp_path: Path) -> None:
    with stack(tmp_path) as (up, _):
        children = psutil.Process(up.pid).children(recursive=True)
        up.send_signal(signal.SIGINT)
        time.sleep(0.2)
        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=10)
    assert "Traceback" not in output, output
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_a_component_that_dies_stops_the_stack_with_one_line(tmp_path: Path) -> None:
    with stack(tmp_path) as (up, ports):
        service = psutil.Process(listeners(up)[ports["service"]])
        others = [c for c in psutil.Process(up.pid).children() if c.pid != service.pid]
        service.kill()
        output, _ = up.communicate(timeout=30)
    assert up.returncode == 1, output
    assert "error: the pizza service stopped" in output, output
    assert "Traceback" not in output, output
    assert not [c for c in others if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
