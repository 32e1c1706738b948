"""The share of each SLO's 30-day error budget a window spent (what the postmortem states),
from the series the SLO rules record; and the console's budget bars."""

from __future__ import annotations

from jwtpizza.ops.incidents.reports.markdown import render
from jwtpizza.ops.monitor.store import SampleStore, labels_of
from jwtpizza.ops.slo.spent import budget_spent
from jwtpizza.web.console.budget import BAR, rows
from tests.unit.ops.incidents.reports.drafts import make_draft, t


def store_with(ratio: float, budget: float, seconds: int) -> SampleStore:
    store = SampleStore(retention_ms=10**12, max_samples_per_series=10**6)
    ids = {"sloth_slo": "order-success", "sloth_id": "x"}
    five = labels_of({"__name__": "slo:sli_error:ratio_rate5m", "sloth_window": "5m", **ids})
    allowed = labels_of({"__name__": "slo:error_budget:ratio", **ids})
    for step in range(0, seconds + 1, 15):
        at = int(t(step).timestamp() * 1000)
        store.add(five, at, ratio)
        store.add(allowed, at, budget)
    return store


def test_an_hour_at_a_14_4x_burn_spends_2_percent_of_the_month() -> None:
    store = store_with(ratio=0.072, budget=0.005, seconds=3600)  # 14.4 x 0.5%
    spent = budget_spent(store, t(0), t(3600))
    assert abs(spent["order-success"] - 0.02) < 1e-9


def test_a_compressed_window_stands_for_speed_times_its_length() -> None:
    store = store_with(ratio=0.072, budget=0.005, seconds=180)
    spent = budget_spent(store, t(0), t(180), speed=20)  # 3 wall minutes of a 20x run: 1 h
    assert abs(spent["order-success"] - 0.02) < 1e-9
    assert budget_spent(store, t(600), t(900)) == {}  # no sample in the window


def test_the_postmortem_says_the_share_of_the_months_budget_spent() -> None:
    text = render(make_draft(budget_spent={"order-success": 0.031, "login-success": 0.0}))
    assert "This incident spent 3.1% of the month's error budget of order-success." in text
    assert "login-success" not in text  # nothing spent: not mentioned
    assert "error budget" not in render(make_draft())  # no SLO data: no sentence


def test_console_bars_scale_the_budget_and_the_burn() -> None:
    found = rows([
        {"slo": "order-success", "budgetRemaining": 0.5, "currentBurnRate": 14.4 * 2},
        {"slo": "menu-availability", "budgetRemaining": -0.2, "currentBurnRate": 0.5},
        {"slo": "login-success", "budgetRemaining": None, "currentBurnRate": None},
    ])  # fmt: skip
    order, menu, login = found
    assert order.budget_width == round(BAR / 2, 1) and order.burn_width == BAR  # capped
    assert order.state == "burning" and order.budget == "50.0% left"
    assert menu.budget_width == 0 and menu.state == "exhausted"
    assert login.budget == "no data" and login.burn == "no data" and login.state == "no data"
    assert [r.y for r in found] == sorted({r.y for r in found})
