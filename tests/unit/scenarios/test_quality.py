"""Alert quality per rule from scorecards: precision, recall, detection time, and the pages
of a side-by-side rule against the burn-rate alerts on noise-only traffic."""

from __future__ import annotations

from typing import Any

from jwtpizza.scenarios.quality import quality, side_by_side


def card(fault: str | None, paged: dict[str, int], false: dict[str, int],
         fired: dict[str, float], expected: list[str]) -> dict[str, Any]:  # fmt: skip
    return {"fault": fault, "paged": paged, "false_pages": false, "fired": fired,
            "alerts": [{"name": n} for n in expected]}  # fmt: skip


CARDS = [
    # A fault: its threshold alert and the burn share one page; the burn fired first.
    card("chaos fail", {"FactoryChaosErrors": 1, "OrderSuccessBudgetBurn": 1}, {},
         {"FactoryChaosErrors": 60, "OrderSuccessBudgetBurn": 40}, ["FactoryChaosErrors"]),
    # A fault the burn missed (resilience kept the diners whole), the threshold paged.
    card("chaos outage", {"FactoryUnreachable": 1}, {}, {"FactoryUnreachable": 100},
         ["FactoryUnreachable"]),
    # Noise only: the old threshold paged three times, the burn never.
    card(None, {"PizzaFailuresThreshold": 3}, {"PizzaFailuresThreshold": 3},
         {"PizzaFailuresThreshold": 10}, []),
]  # fmt: skip


def test_precision_recall_and_detection_per_rule() -> None:
    by_rule = {r.rule: r for r in quality(CARDS)}
    burn = by_rule["OrderSuccessBudgetBurn"]
    assert (burn.pages, burn.precision, burn.recall, burn.detection) == (1, 1.0, 0.5, 40)
    old = by_rule["PizzaFailuresThreshold"]
    assert (old.pages, old.precision, old.recall, old.detection) == (3, 0.0, 0.0, None)
    chaos = by_rule["FactoryChaosErrors"]
    assert (chaos.precision, chaos.recall, chaos.detection) == (1.0, 0.5, 60)
    assert list(by_rule) == sorted(by_rule)


def test_side_by_side_counts_pages_on_noise_only_traffic() -> None:
    counts = side_by_side(CARDS, {"OrderSuccessBudgetBurn", "LoginSuccessBudgetBurn"})
    assert counts == {"LoginSuccessBudgetBurn": 0, "OrderSuccessBudgetBurn": 0,
                      "PizzaFailuresThreshold": 3}  # fmt: skip
