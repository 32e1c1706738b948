"""Response times across incidents (`/api/ops/stats`, `jwtpizza incident stats`)."""

from __future__ import annotations

from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from tests.unit.ops.reviews.records import OWN

from ..ops_kit import ADMIN_TOKEN
from ..reviews.conftest import OpsAt
from ..reviews.recording import record
from .test_actions import call


async def test_times_per_incident_by_fault_type_and_by_responder(ops_at: OpsAt) -> None:
    ops = await record(ops_at, OWN)
    await call(ops, "POST", "/api/ops/incidents", 201, json={"title": "By hand"})
    found = await call(ops, "GET", "/api/ops/stats")
    first, second = found["incidents"]
    assert (first["faultType"], first["responder"]) == ("fail", "a")
    # fault 12:00:00, firing 12:00:35, fault ended 12:03:00, resolved 12:03:30; no page sent
    assert (first["mttd"], first["mtta"], first["mttm"], first["mttr"]) == (35, None, 180, 210)
    assert (second["faultType"], second["responder"], second["mttd"]) == ("unknown", "nobody", None)
    assert [g["faultType"] for g in found["byFaultType"]] == ["fail", "unknown"]
    assert found["byResponder"][0] == {"responder": "a", "incidents": 1, "mttd": 35,
                                       "mtta": None, "mttm": 180, "mttr": 210}  # fmt: skip
    csv = await call(ops, "GET", "/api/ops/stats.csv")
    assert csv.splitlines()[1].endswith(",fail,a,35.0,,180.0,210.0")


def test_the_stats_command(ops_url: str) -> None:
    runner = CliRunner()
    base = ["--url", ops_url, "--token", ADMIN_TOKEN]
    assert runner.invoke(cli, ["incident", "declare", "Orders failing", *base]).exit_code == 0
    text = runner.invoke(cli, ["incident", "stats", *base])
    assert text.exit_code == 0 and "MTTD" in text.output and "By responder (mean):" in text.output
    csv = runner.invoke(cli, ["incident", "stats", "--csv", *base])
    assert csv.output.startswith("incident,declared_at,fault_type,responder,mttd")
