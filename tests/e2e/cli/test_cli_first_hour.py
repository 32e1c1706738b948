"""The real `jwtpizza` command in fresh processes, as a newcomer meets it: every expected
failure (stack down, wrong password, no terminal for a prompt, port in use, database
missing) is one readable line and a non-zero exit; `jwtpizza up` answers before it says it
is up, is found by commands run from another folder, and reports errors as they happen."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port, live_pair
from tests.support.processes import JWTPIZZA

pytestmark = pytest.mark.slow


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a new shell: no JWTPIZZA_* settings, a state folder of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    return {**env, "XDG_STATE_HOME": str(state), "COLUMNS": "200", **extra}


def one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0, output
    assert len(output.splitlines()) == 1 and output.startswith("error: "), output
    return output


def run(
    tmp_path: Path, *args: str, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JWTPIZZA, *args], cwd=cwd or tmp_path, env=clean_env(tmp_path, **env),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_stack_down_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = one_line_failure(run(tmp_path, "logs", "--url", url, "--token", "t0k"))
    assert f"cannot reach {url}" in line and "jwtpizza up" in line


def test_database_missing_is_one_line_and_nothing_is_created_nor_prompted_without_terminal(
    tmp_path: Path,
) -> None:
    for command in (["chaos", "status"], ["db", "check"], ["factory", "rotate-key"]):
        line = one_line_failure(run(tmp_path, *command))
        assert "no database at" in line and "jwtpizza up" in line, line
    assert not (tmp_path / "var").exists()

    assert run(tmp_path, "db", "migrate").returncode == 0  # a database, then a prompt
    line = one_line_failure(run(tmp_path, "admin", "create", "Ops", "ops@jwt.com"))
    assert "no terminal to ask for the password" in line


def test_port_in_use_is_one_line_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(tmp_path, "up", "--service-port", str(port), "--factory-port",
                     str(free_port()), "--ops-port", str(free_port()))  # fmt: skip
    line = one_line_failure(result)
    assert f"port {port} for the pizza service is in use" in line and "--service-port" in line
    assert "is up" not in result.stdout


def test_wrong_password_and_no_terminal_are_one_line(tmp_path: Path) -> None:
    with live_pair(tmp_path) as pair:
        url = pair.service_url
        wrong = run(tmp_path, "logs", "--url", url, "--email", "a@jwt.com",
                    JWTPIZZA_PASSWORD="wrong")  # fmt: skip
        no_terminal = run(tmp_path, "logs", "--url", url, "--email", "a@jwt.com")
        factory_by_email = run(tmp_path, "logs", "--factory", "--url", pair.factory_url)
        right = run(tmp_path, "logs", "--url", url, "--email", "a@jwt.com", "--type", "http",
                    JWTPIZZA_PASSWORD="admin")  # fmt: skip
        factory = run(tmp_path, "logs", "--factory", "--url", pair.factory_url,
                      "--token", pair.admin_key)  # fmt: skip
    assert "login as a@jwt.com failed" in one_line_failure(wrong)
    assert "no terminal to ask for the password" in one_line_failure(no_terminal)
    assert "admin API key" in one_line_failure(factory_by_email)
    assert right.returncode == 0 and "PUT /api/auth -> 200" in right.stdout, right.stderr
    assert factory.returncode == 0, factory.stderr


@contextmanager
def jwtpizza_up(
    tmp_path: Path, *, terminal: bool
) -> Iterator[tuple[subprocess.Popen[bytes], int, str]]:
    """`jwtpizza up` on free ports in `tmp_path/site` (each time new ones); stdout on a
    terminal or a pipe. Yields the process, the file descriptor to read its output from,
    and the service URL."""
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    service_port, factory_port, ops_port = free_port(), free_port(), free_port()
    if terminal:
        reader, writer = pty.openpty()
    else:
        reader, writer = os.pipe()
    process = subprocess.Popen(
        [JWTPIZZA, "up", "--service-port", str(service_port), "--factory-port", str(factory_port),
         "--ops-port", str(ops_port)],
        cwd=folder, env=clean_env(tmp_path, TERM="xterm", JWTPIZZA_BCRYPT_ROUNDS="4"),
        stdin=subprocess.DEVNULL, stdout=writer, stderr=writer,
    )  # fmt: skip
    os.close(writer)
    try:
        yield process, reader, f"http://127.0.0.1:{service_port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(reader)


def read_until(fd: int, wanted: str, seconds: float = 60) -> str:
    text, deadline = "", time.monotonic() + seconds
    while wanted not in text:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{wanted!r} not in output:\n{text}"
        if select.select([fd], [], [], remaining)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed
                chunk = b""
            assert chunk, f"output ended before {wanted!r}:\n{text}"
            text += chunk.decode(errors="replace")
    return text


def test_up_is_ready_when_it_says_so_and_other_folders_find_it(tmp_path: Path) -> None:
    with jwtpizza_up(tmp_path, terminal=False) as (_, out, service):
        banner = read_until(out, "Press Ctrl-C to stop.")
        assert "JWT Pizza is up" in banner
        assert httpx.get(f"{service}/healthz").status_code == 200  # no retry: ready already

        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        started = run(tmp_path, "chaos", "start", "fail", "--now", "--show-fix", cwd=elsewhere)
        assert started.returncode == 0 and "chaos fail for demo" in started.stdout, started
        report = f"report URL: {recorded_url(tmp_path, 'factory')}/api/support/"
        assert report in started.stdout, started.stdout  # the factory of this stack
        assert "active" in run(tmp_path, "chaos", "status", cwd=elsewhere).stdout
        assert not (elsewhere / "var").exists()

        login = {"email": "d@jwt.com", "password": "diner"}
        token = httpx.put(f"{service}/api/auth", json=login).json()["token"]
        order = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1}]}
        answer = httpx.post(f"{service}/api/order", json=order, timeout=60,
                            headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code == 500 and "followLinkToEndChaos" in answer.json()
        read_until(out, "first error: service: POST /api/order -> 500")


def test_up_on_a_terminal_shows_a_live_status_panel(tmp_path: Path) -> None:
    with jwtpizza_up(tmp_path, terminal=True) as (_, out, service):
        seen = read_until(out, "Press Ctrl-C to stop.")
        intake_token = seen.split("ops intake      bearer ")[1].split()[0]
        httpx.get(f"{service}/api/order/menu")
        seen += read_until(out, "open alerts")
        assert "requests/s" in seen and "made" in seen and "breaker closed" in seen
        # Ops answers the panel (it asks with the demo admin's token): a count, not a guess.
        while not re.search(r"open alerts +\d", seen):
            seen += read_until(out, "open alerts")
        # The vendor portal's login code, mailed to the console, and a page, which ops'
        # console receiver prints: both above the panel, where its next update leaves them.
        portal = recorded_url(tmp_path, "factory")
        assert httpx.post(f"{portal}/api/vendor/code", json={"id": "demo"}).status_code == 200
        intake = f"{recorded_url(tmp_path, 'ops')}/api/ops/alertmanager?policy=default"
        bearer = {"Authorization": f"Bearer {intake_token}"}
        assert httpx.post(intake, json=alert("firing"), headers=bearer).status_code == 200
        seen += read_until(out, "notification [FIRING:1] Probe")
        seen += read_until(out, "open alerts")  # the panel drawn again after them
    shown = "\n".join(screen(seen))
    assert "Your JWT Pizza Factory code is" in shown and "[FIRING:1] Probe" in shown, shown
    assert "demo vendor id `demo`" in shown, shown


def screen(raw: str) -> list[str]:
    """The lines a terminal shows after `raw`: the part of VT100 that a live display uses
    (line feed, carriage return, cursor up, erase line; colours and the cursor's visibility
    change nothing shown)."""
    lines, row, col = [""], 0, 0
    for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]+", raw):
        if token == "\n":
            row, col = row + 1, 0
            lines += [""] * (row + 1 - len(lines))
        elif token == "\r":
            col = 0
        elif token.endswith("A") and token.startswith("\x1b["):
            row = max(0, row - int(token[2:-1] or 1))
        elif token == "\x1b[2K":
            lines[row] = ""
        elif not token.startswith("\x1b["):
            line = lines[row].ljust(col)
            lines[row] = line[:col] + token + line[col + len(token) :]
            col += len(token)
    return lines


def recorded_url(tmp_path: Path, component: str) -> str:
    """A component's URL, from the record `up` keeps in its data folder."""
    return str(json.loads((tmp_path / "site/var/endpoints.json").read_text())[component])


def alert(status: str) -> dict[str, object]:
    """An Alertmanager message about one low alert (resolved: accepted, pages no one)."""
    one = {"status": status, "labels": {"alertname": "Probe", "severity": "low"},
           "annotations": {"summary": "a probe"}, "startsAt": "2026-01-02T10:00:00Z",
           "endsAt": "2026-01-02T10:01:00Z", "generatorURL": "", "fingerprint": "0f"}  # fmt: skip
    return {"version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": status,
            "receiver": "ops", "groupLabels": {}, "commonLabels": one["labels"],
            "commonAnnotations": {}, "externalURL": "", "alerts": [one]}  # fmt: skip


def test_commands_find_ups_ports_its_secrets_are_its_own_and_a_restart_is_clean(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with jwtpizza_up(tmp_path, terminal=False) as (up, out, service):
        banner = read_until(out, "Press Ctrl-C to stop.")
        assert "demo vendor id `demo`" in banner
        intake_token = banner.split("ops intake      bearer ")[1].split()[0]
        ops = recorded_url(tmp_path, "ops")

        logs = run(tmp_path, "logs", "--type", "http", "--email", "a@jwt.com", cwd=elsewhere,
                   JWTPIZZA_PASSWORD="admin")  # fmt: skip
        assert logs.returncode == 0 and "PUT /api/auth -> 200" in logs.stdout, logs

        login = {"email": "a@jwt.com", "password": "admin"}
        token = httpx.put(f"{service}/api/auth", json=login).json()["token"]
        admin = {"Authorization": f"Bearer {token}"}
        body = {"title": "left open by run one", "severity": "high"}
        declared = httpx.post(f"{ops}/api/ops/incidents", headers=admin, json=body)
        assert declared.status_code in (200, 201), declared.text
        listed = run(tmp_path, "incident", "list", cwd=elsewhere, JWTPIZZA_TOKEN=token)
        assert "left open by run one" in listed.stdout, listed

        intake = f"{ops}/api/ops/alertmanager?policy=default"
        for public in ("demo-intake-token", "x"):
            refused = httpx.post(intake, json=alert("resolved"),
                                 headers={"Authorization": f"Bearer {public}"})  # fmt: skip
            assert refused.status_code == 401, refused.text
        taken = httpx.post(intake, json=alert("resolved"),
                           headers={"Authorization": f"Bearer {intake_token}"})  # fmt: skip
        assert taken.status_code == 200, taken.text

        # An order the factory answers slowly is under way when Ctrl-C comes.
        diner = httpx.put(f"{service}/api/auth", json={"email": "d@jwt.com", "password": "diner"})
        slow = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1}] * 22}
        with ThreadPoolExecutor(1) as pool:
            pool.submit(httpx.post, f"{service}/api/order", json=slow, timeout=60,
                        headers={"Authorization": f"Bearer {diner.json()['token']}"})  # fmt: skip
            time.sleep(1.0)
            up.send_signal(signal.SIGINT)
            assert up.wait(60) in (0, 130)
        stopped = drain(out)
    assert "ERROR" not in stopped and "Cancel" not in stopped and "Traceback" not in stopped, (
        stopped
    )
    # The order under way ended (refused, as 22 pizzas are) before the factory stopped:
    # nothing waits in the queue to page at the next start.
    with closing(sqlite3.connect(tmp_path / "site/var/service.db")) as db:
        left = db.execute("SELECT count(*) FROM orders WHERE status IN ('pending', 'queued')")
        assert left.fetchone() == (0,)

    with jwtpizza_up(tmp_path, terminal=False) as (_, out, service):
        banner = read_until(out, "Press Ctrl-C to stop.")
        closed = re.search(r"closed what the last run left open: (\d+) incident", banner)
        assert closed and int(closed.group(1)) >= 1, banner  # ours, and any traffic opened
        assert f"bearer {intake_token} " in banner  # the same folder keeps its secrets
        ops = recorded_url(tmp_path, "ops")
        token = httpx.put(f"{service}/api/auth", json=login).json()["token"]
        found = httpx.get(f"{ops}/api/ops/incidents", headers={"Authorization": f"Bearer {token}"})
        ours = [i for i in found.json() if i["title"] == "left open by run one"]
        assert [i["status"] for i in ours] == ["resolved"], found.text


def drain(fd: int) -> str:
    """What is left to read from `fd` once its writer has ended."""
    text = ""
    while select.select([fd], [], [], 5)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        text += chunk.decode(errors="replace")
    return text


def test_a_data_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # modes do not stop root; sysfs refuses it a folder all the same
        folder = Path("/sys/jwtpizza-data")
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
    result = run(tmp_path, "up", "--service-port", str(free_port()), "--factory-port",
                 str(free_port()), "--ops-port", str(free_port()),
                 JWTPIZZA_DATA_DIR=str(folder))  # fmt: skip
    line = one_line_failure(result)
    assert f"cannot write to the data folder {folder}" in line, line
