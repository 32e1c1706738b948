"""Burn-rate alerts in compressed scenario runs, through the `jwtpizza` command: a fault that
reaches the diners (resilience off) pages through the burn rate too, on the fault's one page,
with its detection time beside the threshold rule's; the noisy-alert traffic and 30 minutes of
normal traffic page 0 times through the burn rate, while the old threshold rule, run beside
them on the same traffic, pages; and `jwtpizza alerts quality` reads the stored scorecards."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jwtpizza.ops.slo.spec import DEFAULT_SLO_DIR, load_dir
from tests.support.processes import JWTPIZZA

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("game-days")]
BURN = {slo.alert_name for slo in load_dir(DEFAULT_SLO_DIR)}
# Half an hour of the original's traffic with its deliberate failures and no fault, at 60x.
NORMAL = """
name: normal-half-hour
title: Half an hour of normal traffic
story: The traffic's own mix, deliberate failures included; no fault.
traffic_rate: 0.5
run_for: 30m
recovery: 0s
fault: {kind: none, start: 0s}
criteria: {pages: false, incident: false}
ci_speed: 60
"""


def jwtpizza(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    return subprocess.run([str(JWTPIZZA), *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each run's saved scorecard file and its card."""
    folder = tmp_path_factory.mktemp("burn")
    (folder / "normal-half-hour.yml").write_text(NORMAL)
    runs = {
        "fault": ("factory-fail", "--resilience", "off"),
        "noisy": ("noisy-alert",),
        "normal": ("normal-half-hour.yml",),
    }
    found = {}
    for key, args in runs.items():
        result = jwtpizza(folder, "scenario", "run", *args, "--autopilot", "--json")
        assert result.stdout.strip(), result.stderr[-3000:]
        path = folder / f"{key}.json"
        path.write_text(result.stdout)
        [card] = json.loads(result.stdout)
        # The noise-only runs judge the burn rate only (tests/e2e/scenarios/test_scenarios.py judges
        # noisy-alert's verdict): on a loaded machine a threshold rule on a wall-clock
        # signal (a slow factory call) may fire in a compressed run.
        if key == "fault":
            assert card["verdict"] == "pass", (key, card["problems"], result.stderr[-3000:])
        found[key] = (path, card)
    return found


def test_a_fault_reaching_diners_pages_once_through_threshold_and_burn_rate(
    cards: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    _, card = cards["fault"]
    [burn] = card["burn"]
    assert burn["name"] == "OrderSuccessBudgetBurn" and burn["pages"] == 1
    [threshold] = card["alerts"]
    assert threshold["outcome"] == "hit"
    # Both detection times are stated; the burn joined the fault's one page and incident.
    assert 0 < burn["fired_after"] <= threshold["within"]
    assert card["response"]["pages_for_fault"] == 1 and card["response"]["extra_incidents"] == []
    assert card["paged"]["OrderSuccessBudgetBurn"] == card["paged"]["FactoryChaosErrors"] == 1


@pytest.mark.parametrize("run", ["noisy", "normal"])
def test_noise_only_traffic_pages_nobody_through_the_burn_rate(
    cards: dict[str, tuple[Path, dict[str, Any]]], run: str
) -> None:
    _, card = cards[run]
    assert card["burn"] == [] and not BURN & set(card["paged"]), card["paged"]
    assert not BURN & set(card["fired"]), card["fired"]  # not even a ticket fired
    assert card["failed_by_design"] > 0  # the deliberate failures were there


def test_the_old_threshold_rule_pages_on_the_same_noisy_traffic(
    cards: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    _, card = cards["noisy"]
    assert card["paged"].get("PizzaFailuresThreshold", 0) >= 1, card["paged"]
    assert card["false_pages"]["PizzaFailuresThreshold"] == card["paged"]["PizzaFailuresThreshold"]


def test_alerts_quality_reads_the_stored_scorecards(
    cards: dict[str, tuple[Path, dict[str, Any]]], tmp_path: Path
) -> None:
    files = [str(path) for path, _ in cards.values()]
    result = jwtpizza(tmp_path, "alerts", "quality", *files)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()[2:] if line}
    assert lines["OrderSuccessBudgetBurn"][1:4] == ["1", "100%", "100%"]
    assert lines["PizzaFailuresThreshold"][2] == "0%"  # every page false
    assert "OrderSuccessBudgetBurn 0" in result.stdout.splitlines()[-1]
    bad = jwtpizza(tmp_path, "alerts", "quality", str(tmp_path / "missing.json"))
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
