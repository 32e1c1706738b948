"""A time interval that does not parse is refused on reload, naming the file, the field and
the reason; the configuration that was loaded keeps routing (and muting)."""

from __future__ import annotations

from .conftest import MakePaging
from .test_paging import fire

MUTED = """
    - matchers: ['severity="critical"']
      receiver: pager
      mute_time_intervals: [always]
time_intervals:
  - name: always
    time_intervals: [{times: [{start_time: "00:00", end_time: "24:00"}]}]
"""


async def test_a_bad_time_interval_is_refused_and_the_loaded_mute_stays(
    make_paging: MakePaging,
) -> None:
    p = await make_paging()
    notify = p.files / "notify.yml"
    routed = "    - matchers: ['severity=\"critical\"']\n      receiver: pager\n"
    notify.write_text(notify.read_text().replace(routed, MUTED.lstrip("\n")))
    loaded = await p.ops.client.post("/api/ops/paging/reload", headers=p.ops.admin())
    assert loaded.status_code == 200, loaded.text

    notify.write_text(notify.read_text().replace('end_time: "24:00"', 'end_time: "24:30"'))
    refused = await p.ops.client.post("/api/ops/paging/reload", headers=p.ops.admin())
    assert refused.status_code == 400
    message = refused.json()["message"]
    assert message.startswith(f"{notify}: time_intervals[0] (always).time_intervals[0].times[0]")
    assert "end_time '24:30' is not a time like 08:00" in message

    await fire(p)
    await p.tick(60)
    assert p.paths("alice") == []  # still muted by the interval that was loaded

    fixed = notify.read_text().replace("24:30", "24:00")
    notify.write_text(fixed.replace("      mute_time_intervals: [always]\n", ""))
    unmuted = await p.ops.client.post("/api/ops/paging/reload", headers=p.ops.admin())
    assert unmuted.status_code == 200, unmuted.text
    await p.tick(10)
    assert len(p.paths("alice")) == 1  # the same alert pages once the mute is gone
