"""Time intervals: Alertmanager's reading of each part, muting and activating routes in the
dispatcher, and bad intervals refused with the file, the field and the reason.
(tests/e2e/test_time_intervals_against_alertmanager.py checks random ones against the real
Alertmanager.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jwtpizza.ops.notify.config import NotifyConfigError, load_config, load_config_file
from jwtpizza.ops.notify.dispatch import Dispatcher
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.timeintervals import parse_interval

MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # a Monday; December has 31 days


def contains(spec: dict[str, object], at: datetime = MONDAY_NOON) -> bool:
    return parse_interval(spec, "t").contains(at)


@pytest.mark.parametrize(
    ("spec", "inside"),
    [
        ({}, True),
        ({"times": [{"start_time": "12:00", "end_time": "12:01"}]}, True),
        ({"times": [{"start_time": "11:00", "end_time": "12:00"}]}, False),  # end excluded
        ({"times": [{"start_time": "00:00", "end_time": "24:00"}]}, True),
        ({"weekdays": ["Monday"]}, True),
        ({"weekdays": ["tuesday:saturday"]}, False),
        ({"weekdays": ["sunday:monday"]}, True),  # Sunday is day 0
        ({"days_of_month": ["7"]}, True),
        ({"days_of_month": ["-25"]}, True),  # the 25th day from the end of December
        ({"days_of_month": ["-24:-1"]}, False),
        ({"days_of_month": ["-31:-25"]}, True),
        ({"months": ["december"]}, True),
        ({"months": ["1:11"]}, False),
        ({"years": ["2026"]}, True),
        ({"years": ["2027:2030"]}, False),
        (
            {"location": "Asia/Kolkata", "times": [{"start_time": "17:30", "end_time": "17:31"}]},
            True,
        ),
        ({"location": "Pacific/Kiritimati", "weekdays": ["tuesday"]}, True),  # UTC+14
        ({"weekdays": ["monday"], "months": ["january"]}, False),  # every part must hold
    ],
)
def test_each_part_reads_as_alertmanager_reads_it(spec: dict[str, object], inside: bool) -> None:
    assert contains(spec) is inside


def test_negative_days_count_back_from_each_months_own_end() -> None:
    last_day = {"days_of_month": ["-1"]}
    assert contains(last_day, datetime(2026, 2, 28, tzinfo=UTC))
    assert not contains(last_day, datetime(2026, 3, 28, tzinfo=UTC))
    assert contains(last_day, datetime(2028, 2, 29, tzinfo=UTC))  # a leap year
    # A start past the month's end matches nothing; an end past it is clamped.
    assert not contains({"days_of_month": ["30:31"]}, datetime(2026, 2, 28, tzinfo=UTC))
    assert contains({"days_of_month": ["27:31"]}, datetime(2026, 2, 28, tzinfo=UTC))
    # Counted back past a short month's start, a range matches nothing (as in Alertmanager).
    assert not contains({"days_of_month": ["-31:-30"]}, datetime(2026, 2, 1, tzinfo=UTC))
    assert contains({"days_of_month": ["-31:-28"]}, datetime(2026, 2, 1, tzinfo=UTC))


CONFIG = """
route:
  receiver: team
  group_by: [alertname]
  group_wait: 0s
  routes:
    - matchers: ['team="night"']
      active_time_intervals: [night]
    - matchers: ['team="maintenance"']
      mute_time_intervals: [maintenance]
receivers: [{name: team, console_configs: [{}]}]
time_intervals:
  - name: night
    time_intervals: [{times: [{start_time: "20:00", end_time: "24:00"}]}]
  - name: maintenance
    time_intervals: [{weekdays: [monday], times: [{start_time: "11:00", end_time: "13:00"}]}]
"""


def sent(team: str, at: datetime) -> list[str]:
    dispatcher = Dispatcher(load_config(CONFIG))
    dispatcher.ingest(Alert({"alertname": "A", "team": team}, starts_at=MONDAY_NOON), at)
    return [n.receiver for n in dispatcher.due(at, [])]


def test_a_mute_interval_holds_notifications_back_and_an_active_one_lets_them_through() -> None:
    assert sent("maintenance", MONDAY_NOON) == []
    assert sent("maintenance", MONDAY_NOON + timedelta(hours=2)) == ["team"]
    assert sent("night", MONDAY_NOON) == []
    assert sent("night", MONDAY_NOON + timedelta(hours=9)) == ["team"]


def test_an_alert_held_back_by_a_mute_is_sent_when_the_mute_ends() -> None:
    dispatcher = Dispatcher(load_config(CONFIG))
    dispatcher.ingest(Alert({"alertname": "A", "team": "maintenance"}, starts_at=MONDAY_NOON),
                      MONDAY_NOON)  # fmt: skip
    assert dispatcher.due(MONDAY_NOON, []) == []
    assert [n.receiver for n in dispatcher.due(MONDAY_NOON + timedelta(hours=1), [])] == ["team"]


@pytest.mark.parametrize(
    ("interval", "field", "reason"),
    [
        ('{weekdays: ["friday:monday"]}', "weekdays[0]", "the start day is after the end day"),
        ('{weekdays: ["1"]}', "weekdays[0]", "is not a valid weekday"),
        ('{days_of_month: ["0"]}', "days_of_month[0]", "0 is not a day of the month"),
        ('{days_of_month: ["-3:5"]}', "days_of_month[0]", "the end must be negative"),
        ('{days_of_month: ["10:-25"]}', "days_of_month[0]", "always before the start day"),
        ('{months: ["march:january"]}', "months[0]", "the end month is before the start"),
        ('{months: ["smarch"]}', "months[0]", "is not a valid month"),
        ('{years: ["2030:2020"]}', "years[0]", "the end year is before the start year"),
        ('{times: [{start_time: "25:00", end_time: "26:00"}]}', "times[0]", "not a time like"),
        ('{times: [{start_time: "12:00", end_time: "11:00"}]}', "times[0]", "must be before"),
        ('{times: [{start_time: "12:00"}]}', "times[0]", "both start_time and end_time"),
        ("{location: Mars/Olympus}", "location", "unknown time zone 'Mars/Olympus'"),
        ("{weekday: [monday]}", "time_intervals[0]", "unknown field 'weekday'"),
    ],
)
def test_a_bad_interval_is_refused_naming_the_file_the_field_and_the_reason(
    tmp_path: Path, interval: str, field: str, reason: str
) -> None:
    path = tmp_path / "notify.yml"
    path.write_text(CONFIG.replace("[{weekdays: [monday], times:", f"[{interval}, {{times:")
                    .replace('"13:00"}]}]', '"13:00"}]}]'))  # fmt: skip
    with pytest.raises(NotifyConfigError) as refused:
        load_config_file(path)
    message = refused.value.message
    assert message.startswith(f"{path}: time_intervals[1] (maintenance).time_intervals[0]")
    assert field in message and reason in message, message


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("mute_time_intervals: [maintenance]", "mute_time_intervals: [maintenanse]"),
         "unknown time interval 'maintenanse'"),
        (("  group_wait: 0s\n", "  group_wait: 0s\n  mute_time_intervals: [night]\n"),
         "the root route cannot have time intervals"),
        (("  - name: maintenance", "  - name: night"), "'night' is defined twice"),
    ],
)  # fmt: skip
def test_routes_name_only_known_intervals_and_the_root_none(
    change: tuple[str, str], reason: str
) -> None:
    with pytest.raises(NotifyConfigError, match=reason):
        load_config(CONFIG.replace(*change))
