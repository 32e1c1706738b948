"""Properties of grouping and timing over random alert histories, ticked every second:
a group's notifications are spaced by `group_interval` (a group whose alerts all resolved
ends, and a new one waits `group_wait`, as in Alertmanager), and every firing alert is sent
within `group_wait + group_interval`; an unchanged group is repeated only after
`repeat_interval`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from jwtpizza.ops.notify.config import load_config
from jwtpizza.ops.notify.dispatch import Dispatcher, Notification
from jwtpizza.ops.notify.domain import Alert, Status

T0 = datetime(2026, 3, 1, tzinfo=UTC)
WAIT, INTERVAL, REPEAT = 5, 20, 60
CONFIG = load_config(f"""
route:
  receiver: r
  group_by: [alertname]
  group_wait: {WAIT}s
  group_interval: {INTERVAL}s
  repeat_interval: {REPEAT}s
receivers: [{{name: r}}]
""")

# (second, alert name, instance, fires?) events over two minutes
events = st.lists(
    st.tuples(st.integers(0, 120), st.sampled_from("AB"), st.sampled_from("xyz"), st.booleans()),
    max_size=12,
)


def run(history: list[tuple[int, str, str, bool]]) -> list[tuple[int, Notification]]:
    dispatcher = Dispatcher(CONFIG)
    started: dict[tuple[str, str], int] = {}
    sent = []
    for second in range(0, 300):
        now = T0 + timedelta(seconds=second)
        for at, name, instance, fires in sorted(history):
            if at != second:
                continue
            key = (name, instance)
            if fires:
                started.setdefault(key, second)
            elif key not in started:
                continue
            labels = {"alertname": name, "instance": instance}
            begin = T0 + timedelta(seconds=started[key])
            dispatcher.ingest(Alert(labels, starts_at=begin, ends_at=None if fires else now), now)
            if not fires:
                del started[key]
        sent += [(second, n) for n in dispatcher.due(now, [])]
    return sent


@settings(max_examples=200, deadline=None)
@given(events)
def test_grouping_timing_properties(history: list[tuple[int, str, str, bool]]) -> None:
    sent = run(history)
    last: dict[str, tuple[int, set[str]]] = {}
    for second, notification in sent:
        message = notification.message
        key = message.group_key
        assert message.alerts, "never an empty notification"
        names = {a.labels["alertname"] for a in message.alerts}
        assert names == {message.group_labels["alertname"]}
        firing = {a.fingerprint for a in message.alerts if a.status is Status.FIRING}
        if key in last:
            before, was_firing = last[key]
            assert second - before >= INTERVAL, "a group is flushed at most every interval"
            if firing == was_firing and len(firing) == len(message.alerts):
                assert second - before >= REPEAT, "nothing new is sent before repeat_interval"
        last[key] = (second, firing)
        if message.status is Status.RESOLVED:
            del last[key]  # all resolved: the group ends (a new one waits group_wait again)
    for at, name, instance, fires in history:
        if not fires:
            continue
        resolved = [s for s, n, i, f in history if (n, i) == (name, instance) and not f and s > at]
        if resolved and min(resolved) <= at + WAIT + INTERVAL:
            continue  # resolved before it had to be sent
        deadline = at + WAIT + INTERVAL
        assert any(
            at <= second <= deadline
            and any(
                a.labels["instance"] == instance and a.status is Status.FIRING
                for a in n.message.alerts
            )
            for second, n in sent
            if n.message.group_labels["alertname"] == name
        ) or any(
            second < at
            and n.message.group_labels["alertname"] == name
            and any(a.labels["instance"] == instance for a in n.message.alerts)
            for second, n in sent
        ), f"{name}/{instance} firing at {at}s was not sent by {deadline}s"


@settings(max_examples=100, deadline=None)
@given(events)
def test_a_new_group_is_sent_group_wait_after_its_first_alert(
    history: list[tuple[int, str, str, bool]],
) -> None:
    sent = run(history)
    for name in "AB":
        firsts = sorted(at for at, n, _i, fires in history if n == name and fires)
        if not firsts:
            continue
        first = firsts[0]
        early_end = [at for at, n, _i, f in history if n == name and not f and at > first]
        if early_end and min(early_end) <= first + WAIT:
            continue
        seconds = [s for s, n in sent if n.message.group_labels["alertname"] == name]
        assert seconds and seconds[0] == first + WAIT
