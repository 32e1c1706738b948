"""`jwtpizza alert ack`, `jwtpizza silence ...` and `jwtpizza oncall` against a running ops
app on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.ops.app import create_app
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.settings import OncallSettings
from tests.support.live import free_port, serving

from ..notify.fakes import FakeHttp
from ..ops_kit import ADMIN_TOKEN, World, ops_settings
from .conftest import INTAKE_TOKEN, NOTIFY, ONCALL
from .test_silences_intake_reload import am_payload


@pytest.fixture
def ops_url(tmp_path: Path, hook: FakeHttp) -> Iterator[str]:
    (tmp_path / "notify.yml").write_text(NOTIFY.replace("HOOK", hook.url))
    (tmp_path / "oncall.yml").write_text(ONCALL)
    app = create_app(
        ops_settings(tmp_path),
        http_transport=World().transport(),
        start_loops=False,
        notify=NotifySettings(notify_config=tmp_path / "notify.yml"),
        oncall=OncallSettings(
            oncall_config=tmp_path / "oncall.yml",
            ack_secret=SecretStr("cli-secret"),
            intake_token=SecretStr(INTAKE_TOKEN),
        ),
    )
    with serving(app, free_port()) as url:
        yield url


def run(ops_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--url", ops_url, "--token", ADMIN_TOKEN])
    return result.exit_code, result.output


def page(ops_url: str) -> None:
    response = httpx.post(
        f"{ops_url}/api/ops/alertmanager",
        json=am_payload(),
        headers={"Authorization": f"Bearer {INTAKE_TOKEN}"},
    )
    assert response.status_code == 200


def test_oncall_then_ack_by_alert_name(ops_url: str) -> None:
    page(ops_url)
    code, out = run(ops_url, "oncall", "--at", "2026-11-25T12:00:00Z")
    assert code == 0
    assert "primary: alice on call" in out
    assert "policy default: schedule primary, wait 300s -> schedule secondary" in out
    assert "open page #1" in out and "PizzaFactoryFailing" in out
    code, out = run(ops_url, "alert", "ack", "PizzaFactoryFailing")
    assert (code, out.split(":")[0]) == (0, "page 1 acknowledged")
    assert "open page" not in run(ops_url, "oncall")[1]
    code, out = run(ops_url, "alert", "ack", "PizzaFactoryFailing")
    assert (code, out) == (1, "error: no open page for alert PizzaFactoryFailing\n")
    code, out = run(ops_url, "alert", "ack", "9")
    assert (code, out) == (1, "error: no page 9 (HTTP 404)\n")


def test_silence_add_list_expire(ops_url: str) -> None:
    code, out = run(ops_url, "silence", "add", 'severity="warning"', "component=~fact.*",
                    "--duration", "2h", "--comment", "drill")  # fmt: skip
    assert code == 0
    assert out.startswith("#1    active   until ")
    assert '{severity="warning", component=~"fact.*"}  a@jwt.com: drill' in out
    assert run(ops_url, "silence", "list", "--state", "active")[1].startswith("#1 ")
    assert "expired" in run(ops_url, "silence", "expire", "1")[1]
    assert run(ops_url, "silence", "list", "--state", "active")[1] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("silence", "add", 'job=~".*"'), "a silence needs a matcher that does not match"),
        (("silence", "add", "severity"), "expected name, an operator"),
        (("silence", "add", "a=b", "--duration", "soon"), "duration 'soon'"),
        (("silence", "expire", "7"), "no silence 7 (HTTP 404)"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    ops_url: str, args: tuple[str, ...], message: str
) -> None:
    code, out = run(ops_url, *args)
    assert code == 1
    assert out.startswith("error: ") and message in out and out.count("\n") == 1
