from pathlib import Path

from jwtpizza.observability.dashboard import dashboard_metric_names, metric_names
from jwtpizza.observability.metrics import Metrics

DASHBOARD = Path(__file__).parents[3] / "deploy" / "grafana" / "jwt-pizza-dashboard.json"


def test_metric_names_ignore_functions_labels_and_ranges() -> None:
    expr = 'sum by (method) (rate(http_requests_total{route!="/metrics"}[1m])) * 60'
    assert metric_names(expr) == {"http_requests_total"}
    quantile = "histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket[5m])))"
    assert metric_names(quantile) == {"x_seconds_bucket"}


def test_every_dashboard_metric_exists_in_a_scrape() -> None:
    from jwtpizza.observability.dashboard import scraped_metric_names

    m = Metrics()
    m.http_request("GET", "/", 200, 0.1)
    m.auth_attempt(success=True)
    m.factory_call("ok", 0.1)
    m.pizza_creation(0.1)
    m.order_rejected("x")
    m.chaos("v", "fail", active=True)
    m.breaker_state("factory", "closed")
    m.queue("orders", depth=0, oldest_age_seconds=0)
    m.retry("factory")
    scraped = scraped_metric_names(m.exposition().decode())
    wanted = dashboard_metric_names(DASHBOARD)
    assert wanted, "the dashboard queries no metric"
    assert set(wanted) <= scraped, {n: wanted[n] for n in set(wanted) - scraped}
