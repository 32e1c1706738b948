"""The Kubernetes objects validate against the API schemas, the PrometheusRule is the rule
files' (no drift) and promtool accepts its rules; the compose stack's configs pass their own
validators (Prometheus, Alertmanager) or, for images not available here, parse with the keys
their services read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from tests.support.containers import ROOT

K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose"
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule"}


def kustomized() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [
        doc
        for name in kustomization["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text())
        if doc
    ]


def test_every_object_validates_against_the_api_schema() -> None:
    objects = kustomized()
    kinds = {doc["kind"] for doc in objects}
    assert {
        "Deployment",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
        "Job",
    } <= kinds
    for doc in objects:
        if doc["kind"] not in CUSTOM_KINDS:
            kubernetes_validate.validate(doc, "1.30.0", strict=True)


def test_deployments_have_probes_and_resources() -> None:
    for doc in kustomized():
        if doc["kind"] != "Deployment":
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"] and container["resources"]["limits"]


def test_prometheusrule_is_generated_from_the_rule_files(tmp_path: Path) -> None:
    check = subprocess.run(
        [sys.executable, ROOT / "scripts" / "k8s-rules", "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    rule = next(doc for doc in kustomized() if doc["kind"] == "PrometheusRule")
    source = [
        group
        for path in sorted((ROOT / "deploy" / "prometheus" / "rules").glob("*.yml"))
        for group in yaml.safe_load(path.read_text())["groups"]
    ]
    assert rule["spec"]["groups"] == source
    rules = tmp_path / "rules.yml"
    rules.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    promtool = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True)
    assert promtool.returncode == 0, promtool.stdout + promtool.stderr


def test_the_drift_check_notices_a_changed_rule(tmp_path: Path) -> None:
    drifted = tmp_path / "prometheusrule.yaml"
    drifted.write_text((K8S / "prometheusrule.yaml").read_text().replace("for: 15s", "for: 16s", 1))
    check = subprocess.run(
        [sys.executable, ROOT / "scripts" / "k8s-rules", "--check", drifted], capture_output=True
    )
    assert check.returncode == 1


def test_compose_prometheus_and_alertmanager_configs_pass_their_checkers(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("t")
    prometheus = (COMPOSE / "prometheus.yml").read_text()
    prometheus = prometheus.replace("/run/jwtpizza/metrics-token", str(token))
    prometheus = prometheus.replace("/run/jwtpizza/factory-metrics-token", str(token))
    prometheus = prometheus.replace("/etc/prometheus/rules", str(ROOT / "deploy/prometheus/rules"))
    (tmp_path / "prometheus.yml").write_text(prometheus)
    done = subprocess.run(
        ["promtool", "check", "config", tmp_path / "prometheus.yml"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    alertmanager = (COMPOSE / "alertmanager.yml").read_text()
    (tmp_path / "am.yml").write_text(alertmanager.replace("/run/jwtpizza/intake-token", str(token)))
    done = subprocess.run(
        ["amtool", "check-config", tmp_path / "am.yml"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_grafana_loki_and_collector_configs_have_what_their_services_read() -> None:
    sources = yaml.safe_load(
        (COMPOSE / "grafana/provisioning/datasources/datasources.yaml").read_text()
    )
    assert {s["type"]: s["url"] for s in sources["datasources"]} == {
        "prometheus": "http://prometheus:9090",
        "loki": "http://loki:3100",
    }
    boards = yaml.safe_load(
        (COMPOSE / "grafana/provisioning/dashboards/dashboards.yaml").read_text()
    )
    compose = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"../grafana:{boards['providers'][0]['options']['path']}:ro" in mounts
    assert (ROOT / "deploy/grafana/jwt-pizza-dashboard.json").is_file()
    loki = yaml.safe_load((COMPOSE / "loki.yaml").read_text())
    assert loki["server"]["http_listen_port"] == 3100 and loki["schema_config"]["configs"]
    collector = yaml.safe_load((COMPOSE / "otel-collector.yaml").read_text())
    pipeline = collector["service"]["pipelines"]["traces"]
    assert set(pipeline["receivers"]) <= set(collector["receivers"])
    assert set(pipeline["exporters"]) <= set(collector["exporters"])
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")


def test_compose_alertmanager_sends_burn_pages_to_ops_and_drops_burn_tickets(
    tmp_path: Path,
) -> None:
    """Burn-rate pages join the fault's incident in ops; tickets and host load page nobody."""
    config = tmp_path / "am.yml"
    config.write_text((COMPOSE / "alertmanager.yml").read_text())

    def receiver(*labels: str) -> str:
        done = subprocess.run(
            ["amtool", "config", "routes", "test", f"--config.file={config}", *labels],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert receiver("scope=slo", "sloth_severity=page", "severity=high") == "jwt-pizza-ops"
    assert receiver("scope=slo", "sloth_severity=ticket", "severity=low") == "nobody"
    assert receiver("scope=host", "severity=critical") == "nobody"
    assert receiver("alertname=FactoryChaosErrors", "severity=high") == "jwt-pizza-ops"
