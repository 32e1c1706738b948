"""SLO files (Sloth prometheus/v1): the checked-in rule file is what `jwtpizza slo generate`
makes of them, bad files are refused with the file, the field and the reason, and the
budget numbers come from the recorded series."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jwtpizza.cli.main import app
from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.errors import SloFileInvalid
from jwtpizza.ops.rules.loader import load_files
from jwtpizza.ops.rules.ruletest import parse_test_groups, store_for
from jwtpizza.ops.rules.service import RuleManager
from jwtpizza.ops.settings import DEFAULT_RULES_DIR
from jwtpizza.ops.slo.generate import rule_file
from jwtpizza.ops.slo.spec import DEFAULT_SLO_DIR, load_dir, load_file
from jwtpizza.ops.slo.status import slo_status

GENERATED = DEFAULT_RULES_DIR / "slo.yml"
SHIPPED = DEFAULT_SLO_DIR / "jwt-pizza-service.yml"


def test_the_generated_rule_file_has_not_drifted_from_the_slo_files() -> None:
    assert GENERATED.read_text() == rule_file(load_dir(DEFAULT_SLO_DIR)), (
        "deploy/prometheus/rules/slo.yml is stale: run `jwtpizza slo generate`"
    )


def test_four_slos_with_a_page_and_a_ticket_each_over_the_workbook_windows() -> None:
    slos = load_dir(DEFAULT_SLO_DIR)
    assert [s.name for s in slos] == [
        "order-success",
        "order-latency",
        "menu-availability",
        "login-success",
    ]
    alerts = [r for g in load_files([str(GENERATED)]) for r in g.alerting]
    assert len(alerts) == 8
    page = next(a for a in alerts if a.labels["sloth_severity"].source == "page")
    assert "ratio_rate1h" in page.expr and "ratio_rate5m" in page.expr and "14.4 *" in page.expr
    assert "ratio_rate6h" in page.expr and "ratio_rate30m" in page.expr and "(6 *" in page.expr
    ticket = next(a for a in alerts if a.labels["sloth_severity"].source == "ticket")
    assert "ratio_rate1d" in ticket.expr and "ratio_rate2h" in ticket.expr
    assert "ratio_rate3d" in ticket.expr and "(1 * " in ticket.expr


def _bad(tmp_path: Path, change: str, to: str) -> str:
    text = SHIPPED.read_text()
    assert change in text
    path = tmp_path / "bad.yml"
    path.write_text(text.replace(change, to, 1))
    with pytest.raises(SloFileInvalid) as error:
        load_file(path)
    assert str(error.value).startswith(f"{path}: slos[0]")
    return str(error.value)


@pytest.mark.parametrize(
    ("objective", "reason"),
    [("100", "100 is not between 0 and 100"), ("0", "0 is not between"), ("-5", "-5 is not"),
     ("120.5", "120.5 is not"), ("ninety", "'ninety' is not a number")],
)  # fmt: skip
def test_an_objective_outside_0_to_100_is_refused(
    tmp_path: Path, objective: str, reason: str
) -> None:
    message = _bad(tmp_path, "objective: 99.5", f"objective: {objective}")
    assert "slos[0].objective: " + reason in message


def test_a_query_on_a_metric_the_service_does_not_export_is_refused(tmp_path: Path) -> None:
    message = _bad(tmp_path, "orders_failed_total{reason!=", "orders_lost_total{reason!=")
    assert "slos[0].sli.events.error_query: unknown metric(s) ['orders_lost_total']" in message


@pytest.mark.parametrize(
    ("change", "to", "reason"),
    [
        ("sum(rate(orders_failed_total{reason!=", "sum(rate(orders_failed_total{reason!!=",
         "sli.events.error_query: does not parse"),
        ('reason!="oven_full"}[{{.window}}]', 'reason!="oven_full"}[5m]',
         "sli.events.error_query: the query has no {{.window}} range"),
        ("    sli:\n      events:", "    sli:\n      plugin:", "sli: only `events` SLIs"),
        ("    description:", "    descripton:", "unknown key(s) ['descripton']"),
    ],
)  # fmt: skip
def test_an_unusable_field_is_refused_with_its_reason(
    tmp_path: Path, change: str, to: str, reason: str
) -> None:
    assert reason in _bad(tmp_path, change, to)


def test_a_bad_slo_file_leaves_the_generated_rules_as_they_were(tmp_path: Path) -> None:
    (tmp_path / "slo").mkdir()
    (tmp_path / "slo" / "x.yml").write_text(SHIPPED.read_text().replace("99.5", "100", 1))
    out = tmp_path / "slo.yml"
    out.write_text("groups: []\n")
    result = CliRunner().invoke(
        app, ["slo", "generate", "--slo-dir", str(tmp_path / "slo"), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "x.yml: slos[0].objective: 100 is not between 0 and 100" in result.output
    assert out.read_text() == "groups: []\n"


def test_budget_and_burn_rate_come_from_the_recorded_series() -> None:
    """A tenth of the orders fail for 10 minutes: 20x the 0.5% budget's burn rate."""
    test_file = yaml.safe_load((DEFAULT_RULES_DIR.parent / "tests" / "slo_test.yml").read_text())
    group = next(parse_test_groups(test_file))
    store = store_for(group)
    rules = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=60)
    rules.install(load_files([str(GENERATED)]))
    for minute in range(11):
        for rule_group in rules.groups:
            rules.step(rule_group, minute * 60_000)
    status = {s.slo: s for s in slo_status(store, 600_000)}
    orders = status["order-success"]
    assert orders.objective == pytest.approx(0.995)
    assert orders.current_burn_rate == pytest.approx(20)
    assert orders.budget_remaining == pytest.approx(-19)
    assert status["menu-availability"].current_burn_rate is None  # no menu traffic: no ratio
