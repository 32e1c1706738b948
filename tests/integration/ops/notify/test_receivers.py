"""Every receiver kind against a local fake of its service, through the real library."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client import CollectorRegistry

from jwtpizza.clock import FakeClock
from jwtpizza.ops.notify.config import Integration, NotifyConfigError, load_config
from jwtpizza.ops.notify.delivery import Backoff, Delivered, Deliverer, NotifyMetrics, Outcome
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.muting import SilenceWindow
from jwtpizza.ops.notify.outbound import Receivers
from jwtpizza.ops.notify.payload import build_message
from jwtpizza.ops.notify.receivers import Notice, build_sender
from jwtpizza.ops.notify.service import Notifier

from .fakes import fake_http, fake_smtp

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def notice(ack_url: str | None = None) -> Notice:
    alert = Alert(
        labels={"alertname": "PizzaFailures", "severity": "critical", "component": "factory"},
        annotations={"summary": "pizzas are failing", "runbook_url": "docs/runbooks/fail.md"},
        starts_at=NOW,
    )
    message = build_message(
        receiver="team",
        group_key='{}:{alertname="PizzaFailures"}',
        group_labels={"alertname": "PizzaFailures"},
        alerts=[alert],
        now=NOW,
        external_url="http://ops.example",
    )
    return Notice(message, ack_url)


async def send(kind: str, **options: object) -> None:
    async with httpx.AsyncClient() as client:
        sender = build_sender(Integration(kind, dict(options)), client=client)
        await sender.send(notice("http://ops.example/api/ops/ack/TOKEN"))


async def test_webhook_posts_alertmanagers_payload() -> None:
    with fake_http() as hook:
        await send("webhook", url=f"{hook.url}/hook")
    [request] = hook.requests
    body = request.json()
    assert request.path == "/hook"
    assert body["version"] == "4"
    assert body["status"] == "firing"
    assert body["groupKey"] == '{}:{alertname="PizzaFailures"}'
    assert body["commonAnnotations"]["summary"] == "pizzas are failing"
    assert body["alerts"][0]["startsAt"] == "2026-03-01T10:00:00Z"
    assert body["ackURL"] == "http://ops.example/api/ops/ack/TOKEN"


async def test_email_goes_over_smtp() -> None:
    with fake_smtp() as smtp:
        await send(
            "email", to="oncall@jwt.com", **{"from": "ops@jwt.com"},
            smarthost=f"{smtp.host}:{smtp.port}", require_tls=False,
        )  # fmt: skip
    [(recipients, mail)] = smtp.messages
    assert recipients == ["oncall@jwt.com"]
    assert mail["Subject"] == "[FIRING:1] PizzaFailures (PizzaFailures)"
    part = mail.get_payload(0) if mail.is_multipart() else mail
    text = part.get_payload(decode=True).decode()
    assert "pizzas are failing" in text
    assert "http://ops.example/api/ops/ack/TOKEN" in text


async def test_slack_posts_to_its_webhook() -> None:
    with fake_http(answer=b"ok") as slack:
        await send("slack", webhook_url=f"{slack.url}/services/T000/B000/XXXX", channel="#ops")
    [request] = slack.requests
    assert request.path == "/services/T000/B000/XXXX"
    payload = request.json()
    assert payload["channel"] == "#ops"
    assert "pizzas are failing" in str(payload)


async def test_ntfy_pushes_to_the_topic() -> None:
    with fake_http() as ntfy:
        await send("ntfy", url=ntfy.url, topic="jwt-pizza-oncall", priority="max")
    [request] = ntfy.requests
    body = request.json()
    assert (request.path, body["topic"]) == ("/", "jwt-pizza-oncall")
    assert body["title"] == "[FIRING:1] PizzaFailures (PizzaFailures)"
    assert "Acknowledge: http://ops.example/api/ops/ack/TOKEN" in body["message"]
    assert request.headers["x-priority"] == "max"


async def test_twilio_sms_at_the_libraries_http_boundary() -> None:
    with fake_http(statuses=[201], answer=b'{"sid": "SM1"}') as twilio:
        await send(
            "twilio", account_sid="AC" + "1" * 32, auth_token="t" * 32,
            **{"from": "+15551230000"}, to="+15559870000", api_url=twilio.url,
        )  # fmt: skip
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    form = request.form()
    assert form["To"] == ["+15559870000"]
    assert "pizzas are failing" in form["Body"][0]
    assert request.headers["authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("email", {"to": "a@b.c", "from": "d@e.f", "smarthost": "nohost"}, "host:port"),
        ("slack", {"webhook_url": "https://hooks.slack.com/x"}, "/services/A/B/C"),
        ("twilio", {"account_sid": "AC1"}, "missing auth_token, from, to"),
        ("webhook", {}, "missing url"),
    ],
)
async def test_bad_receiver_options_are_refused_at_load(
    kind: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(NotifyConfigError, match=message):
        await send(kind, **options)


async def test_a_failing_receiver_is_retried_with_backoff_and_counted() -> None:
    registry = CollectorRegistry()
    clock = FakeClock(NOW)
    deliverer = Deliverer(
        clock=clock, metrics=NotifyMetrics(registry), backoff=Backoff(4, base=1.0, cap=3.0)
    )
    outcomes: list[Delivered] = []

    async def record(result: Delivered) -> None:
        outcomes.append(result)

    async with httpx.AsyncClient() as client:
        with fake_http(statuses=[500, 503, 200]) as flaky, fake_http(statuses=[500]) as dead:
            for name, url in (("flaky", flaky.url), ("dead", dead.url)):
                sender = build_sender(Integration("webhook", {"url": url}), client=client)
                deliverer.submit(name, [sender], notice(), record)
            await deliverer.drain()
    by_name = {o.receiver: o for o in outcomes}
    assert by_name["flaky"] == Delivered("flaky", "webhook", Outcome.SUCCESS, 3)
    assert by_name["dead"].outcome is Outcome.FAILURE
    assert by_name["dead"].error == "webhook answered 500"
    assert len(dead.requests) == 4
    # backoff 1 + 2 + 3 (capped) for the dead one; the clock is shared
    assert (clock.now() - NOW).total_seconds() >= 6

    def value(name: str, **labels: str) -> float:
        return registry.get_sample_value(name, labels) or 0.0

    sample = "notifications_total"
    assert value(sample, receiver="flaky", integration="webhook", outcome="success") == 1
    assert value(sample, receiver="dead", integration="webhook", outcome="failure") == 1
    assert value("notification_retries_total", receiver="dead", integration="webhook") == 3


async def test_a_slow_receiver_never_holds_up_the_caller() -> None:
    async with httpx.AsyncClient() as client:
        with fake_http(delay=1.5) as slow:
            config = load_config(
                "route: {receiver: slow, group_wait: 0s}\n"
                f"receivers: [{{name: slow, webhook_configs: [{{url: '{slow.url}'}}]}}]"
            )
            deliverer = Deliverer(
                clock=FakeClock(NOW), metrics=NotifyMetrics(CollectorRegistry()), backoff=Backoff()
            )

            async def no_silences() -> list[SilenceWindow]:
                return []

            receivers = Receivers(config, client=client, deliverer=deliverer)
            notifier = Notifier(
                config, receivers=receivers, clock=FakeClock(NOW), silences=no_silences
            )
            notifier.receive(Alert(labels={"alertname": "Slow"}, starts_at=NOW))
            started = time.monotonic()
            [sent] = await notifier.tick()
            assert time.monotonic() - started < 0.5  # the receiver takes 1.5 s to answer
            await deliverer.drain()
    assert sent.receiver == "slow" and len(slow.requests) == 1
