"""The console's pure parts: shaded windows and safe redirects."""

from __future__ import annotations

from jwtpizza.web.console.overview import windows
from jwtpizza.web.console.session import safe_next

T0 = 1_764_000_000.0


def test_windows_shade_chaos_alert_states_and_incident_phases() -> None:
    chaos = [
        {"type": "fail", "state": "active", "startDate": int(T0 * 1000)},
        {"type": "throttle", "state": "scheduled", "startDate": int((T0 + 900) * 1000)},
    ]
    alerts = [{"rule": "FactoryChaosErrors", "activeAt": "2025-11-24T16:00:05Z",
               "firedAt": "2025-11-24T16:00:10Z", "resolvedAt": None}]  # fmt: skip
    incidents = [{"id": 7, "declaredAt": "2025-11-24T16:00:10Z",
                  "ackedAt": "2025-11-24T16:00:30Z", "mitigatedAt": None,
                  "resolvedAt": "2025-11-24T16:01:00Z"}]  # fmt: skip
    spans = windows(chaos, alerts, incidents, T0 + 120)
    assert [(s["kind"], s["from"] - T0, s["to"] - T0) for s in spans] == [
        ("chaos", 0, 120),  # still active: shaded up to now; the scheduled one not at all
        ("pending", 5, 10),
        ("firing", 10, 120),
        ("incident-declared", 10, 30),
        ("incident-acknowledged", 30, 60),
    ]


def test_only_local_paths_are_followed_after_sign_in() -> None:
    assert safe_next("/incidents/3") == "/incidents/3"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example/", ""):
        assert safe_next(elsewhere) == "/"
