"""Time compression: intervals, `for`, ranges and rates, all divided by the speed."""

from __future__ import annotations

import pytest
import yaml

from jwtpizza.scenarios import Timing
from jwtpizza.scenarios.timing import MIN_INTERVAL


def test_wall_and_scenario_time() -> None:
    timing = Timing(12)
    assert timing.wall(12 * 60) == 60 and timing.scenario(5) == 60
    assert timing.interval == 1.25
    assert Timing(1000).interval == MIN_INTERVAL  # never faster than the floor


@pytest.mark.parametrize("speed", [0, -3])
def test_speed_must_be_positive(speed: float) -> None:
    with pytest.raises(ValueError, match="--speed must be more than 0"):
        Timing(speed)


def test_ranges_shrink_but_keep_four_scrapes() -> None:
    timing = Timing(12)
    assert timing.expr('increase(x{a="b"}[1m]) > 0') == 'increase(x{a="b"}[5000ms]) > 0'
    assert timing.expr("avg_over_time(y[5m])") == "avg_over_time(y[25000ms])"
    assert Timing(100).expr("increase(x[1m])") == "increase(x[2000ms])"  # 4 x 0.5 s


def test_a_rate_keeps_its_per_second_threshold_in_scenario_time() -> None:
    # Traffic runs `speed` times faster, so a raw rate would be `speed` times higher.
    assert Timing(12).expr("sum(rate(z[1m])) > 2") == "sum((increase(z[5000ms]) / 60)) > 2"
    assert Timing(12).expr("irate(z[1m])") == "irate(z[5000ms])"


def test_rule_files_compress_for_and_keep_firing_for_and_drop_groups() -> None:
    text = yaml.safe_dump({"groups": [
        {"name": "a", "interval": "15s", "rules": [
            {"alert": "A", "expr": "increase(x[1m]) > 0", "for": "15s", "keep_firing_for": "2m"},
        ]},
        {"name": "hosts", "rules": [{"alert": "H", "expr": "y > 1"}]},
        {"name": "b", "rules": [{"alert": "Slow", "expr": "z > 1"}]},
    ]})  # fmt: skip
    out = yaml.safe_load(Timing(12).rules(text, drop=frozenset({"hosts", "Slow"})))
    assert [g["name"] for g in out["groups"]] == ["a", "b"] and out["groups"][1]["rules"] == []
    rule = out["groups"][0]["rules"][0]
    assert (rule["for"], rule["keep_firing_for"]) == ("1250ms", "10000ms")
    assert out["groups"][0]["interval"] == "1250ms"
    assert rule["expr"] == "increase(x[5000ms]) > 0"
