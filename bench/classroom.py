"""The classroom: one factory serving a class of vendors, each ordering about once a second
with a chaos schedule of its own. Prints the factory's p99 and CPU per pizza, and a table of
how far each vendor's fault started and ended from its schedule.

    .venv/bin/python bench/classroom.py [--vendors 300] [--seconds 75] [--rate 1.0] [--every]

A real `jwtpizza factory` process on SQLite, driven over HTTP by this process (one asyncio
loop, a keep-alive connection per vendor, HTTP/1.1 written by hand so that the generator costs
less than the factory). Each vendor gets one `fail` fault at a random
moment of the run, lasting 5-15 s, scheduled through the admin API with `at` and
`durationSeconds` (a `fail` answers 500 at once, so its start and end are visible in the
answers). A fault is seen at the first order after it starts (orders come once a second, and
the factory caches a vendor and its fault for `vendor_cache_seconds`, 1 s), so the expected
lag is 0-2 s at each end. On 2 cores shared with the load generator, CPU per pizza is the
figure that carries over; the p99 includes queueing behind this process's own CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import VENV_BIN, free_port, wait_for  # noqa: E402

from jwtpizza.factory import control  # noqa: E402
from jwtpizza.factory.demo import ensure_demo_admin  # noqa: E402
from jwtpizza.factory.settings import FactorySettings  # noqa: E402
from jwtpizza.factory.vendors import service as vendors  # noqa: E402
from jwtpizza.factory.vendors.schemas import VendorCreate  # noqa: E402

ORDER = {
    "diner": {"id": 7, "name": "pizza diner", "email": "d@jwt.com"},
    "order": {"id": 1, "franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "price": 0.05}]},
}
# A fault is on time if seen within this long of its scheduled start or end: one order
# interval, the vendor cache's second, and half a second for a loaded machine.
SLACK_SECONDS = 0.5


@dataclass
class Vendor:
    vendor_id: str
    api_key: str
    fault_start: float = 0.0  # wall-clock seconds
    fault_end: float = 0.0
    answers: list[tuple[float, float, int]] = field(default_factory=list)  # sent, got, status
    missed: int = 0  # ticks skipped while an answer was awaited


async def create_vendors(settings: FactorySettings, count: int) -> list[Vendor]:
    now = datetime.now(UTC)
    made = []
    async with control.database(settings) as db, db.writer() as session:
        for n in range(count):
            vendor_in = VendorCreate(id=f"class-{n:03d}", name=f"Student {n}")
            vendor = await vendors.create(session=session, vendor_in=vendor_in, now=now)
            made.append(Vendor(vendor.id, vendor.api_key))
    return made


async def schedule(
    client: httpx.AsyncClient, admin_key: str, roster: list[Vendor], begin: float, seconds: float
) -> None:
    """One `fail` fault per vendor, starting between 10 s in and 25 s before the end."""
    rng = random.Random(22)
    gate = asyncio.Semaphore(16)

    async def one(vendor: Vendor) -> None:
        vendor.fault_start = begin + rng.uniform(10, max(seconds - 25, 11))
        vendor.fault_end = vendor.fault_start + rng.uniform(5, 15)
        at = datetime.fromtimestamp(vendor.fault_start, UTC).isoformat()
        async with gate:
            got = await client.put(
                f"/api/admin/chaos/{vendor.vendor_id}/fail",
                json={"at": at, "durationSeconds": vendor.fault_end - vendor.fault_start},
                headers={"Authorization": f"Bearer {admin_key}"},
            )
        got.raise_for_status()

    await asyncio.gather(*(one(vendor) for vendor in roster))
    if time.time() > begin:
        raise SystemExit("scheduling the faults took longer than the lead; try fewer vendors")


class Connection:
    """One vendor's keep-alive HTTP/1.1 connection, spoken by hand: httpx spent more CPU per
    request than the factory, so the load generator, not the factory, set the latency."""

    def __init__(self, host: str, port: int, api_key: str) -> None:
        self._host, self._port = host, port
        body = json.dumps(ORDER).encode()
        self._head = (
            f"POST /api/order HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {api_key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
        ).encode()
        self._body = body
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def order(self, idempotency_key: str) -> int:
        """The status of one order (0 if the connection failed; it is opened again)."""
        try:
            if self._streams is None:
                self._streams = await asyncio.open_connection(self._host, self._port)
            reader, writer = self._streams
            writer.write(self._head + f"Idempotency-Key: {idempotency_key}\r\n\r\n".encode())
            writer.write(self._body)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            return int(head.split(b" ", 2)[1])
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            await self.close()
            return 0

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def order_loop(
    port: int, vendor: Vendor, begin: float, seconds: float, interval: float
) -> None:
    """One order per `interval` until the run ends; a tick missed while an answer was
    awaited is skipped (a vendor's diners do not order twice to catch up)."""
    connection = Connection("127.0.0.1", port, vendor.api_key)
    tick = begin + random.uniform(0, interval)
    n = 0
    try:
        while tick < begin + seconds:
            await asyncio.sleep(max(0.0, tick - time.time()))
            sent = time.time()
            status = await connection.order(f"{n}")
            vendor.answers.append((sent, time.time(), status))
            n += 1
            tick += interval
            while tick < time.time() - interval:
                vendor.missed += 1
                tick += interval
    finally:
        await connection.close()


@dataclass(frozen=True)
class Seen:
    """How a vendor's answers showed its fault: seconds from the scheduled start to the
    sending of the first failed order, and from the scheduled end to the sending of the first
    good order after the last failure; whether both ends were on time (nothing answered
    early, seen within `bound`), and failures plainly outside the window."""

    start_lag: float | None
    end_lag: float | None
    on_time: bool
    outside: int


def observe(vendor: Vendor, bound: float) -> Seen:
    failed = [(sent, got) for sent, got, status in vendor.answers if status == 500]
    if not failed:
        return Seen(None, None, False, 0)
    start, end = vendor.fault_start, vendor.fault_end
    outside = sum(1 for sent, got in failed if got < start or sent > end + 1 + SLACK_SECONDS)
    after = [(sent, got) for sent, got, status in vendor.answers if status == 200]
    after = [(sent, got) for sent, got in after if sent > failed[-1][0]]
    if not after:
        return Seen(failed[0][0] - start, None, False, outside)
    on_time = (
        outside == 0
        and start <= failed[0][1]
        and failed[0][0] <= start + bound
        and end <= after[0][1]
        and after[0][0] <= end + bound
    )
    return Seen(failed[0][0] - start, after[0][0] - end, on_time, outside)


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{ordered[0]:6.2f} {statistics.median(ordered):6.2f} {p99:6.2f} {ordered[-1]:6.2f}"


def rounded(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def vendor_table(roster: list[Vendor], bound: float, begin: float) -> None:
    print("\nvendor      fault from..to (s into run)  start seen after  end seen after  on time")
    for vendor in roster:
        seen = observe(vendor, bound)
        window = f"{vendor.fault_start - begin:7.1f}..{vendor.fault_end - begin:<7.1f}"
        print(f"{vendor.vendor_id:<11} {window}         {rounded(seen.start_lag):>8}"
              f"        {rounded(seen.end_lag):>8}  {'yes' if seen.on_time else 'NO'}")  # fmt: skip


def report(roster: list[Vendor], cpu_seconds: float, seconds: float, bound: float) -> None:
    answers = [a for v in roster for a in v.answers]
    latencies = sorted(got - sent for sent, got, status in answers if status == 200)
    statuses: dict[int, int] = {}
    for _, _, status in answers:
        statuses[status] = statuses.get(status, 0) + 1
    pizzas = statuses.get(200, 0)
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    by_status = dict(sorted(statuses.items()))
    missed = sum(v.missed for v in roster)
    print(f"{len(roster)} vendors, {seconds:.0f} s, {len(answers)} orders "
          f"({len(answers) / seconds:.0f}/s; {missed} ticks skipped waiting for an answer), "
          f"answers {by_status}")  # fmt: skip
    per_pizza = cpu_seconds / max(pizzas, 1) * 1000
    per_answer = cpu_seconds / max(len(answers), 1) * 1000
    print(f"factory: pizza p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"CPU {cpu_seconds / seconds * 100:.0f}% of a core, {per_pizza:.2f} ms CPU per pizza "
          f"({per_answer:.2f} ms per answer, refusals too)")  # fmt: skip
    seen = {vendor.vendor_id: observe(vendor, bound) for vendor in roster}
    starts = [s.start_lag for s in seen.values() if s.start_lag is not None]
    ends = [s.end_lag for s in seen.values() if s.end_lag is not None]
    print("\nfaults (s from schedule)   min    p50    p99    max   seen")
    print(f"start seen after    {spread(starts)}   {len(starts)}/{len(roster)}")
    print(f"end seen after      {spread(ends)}   {len(ends)}/{len(roster)}")
    on_time = sum(s.on_time for s in seen.values())
    outside = sum(s.outside for s in seen.values())
    print(f"on time at both ends (within {bound:.1f} s, none early): {on_time}/{len(roster)}; "
          f"failures outside their vendor's window: {outside}")  # fmt: skip


def start_factory(settings: FactorySettings) -> subprocess.Popen[bytes]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")},
           "JWTPIZZA_FACTORY_DEMO": "true",
           "JWTPIZZA_FACTORY_DATABASE_URL": settings.database_url}  # fmt: skip
    return subprocess.Popen(
        [str(VENV_BIN / "jwtpizza"), "factory", "--port", str(settings.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def run(vendors_count: int, seconds: float, interval: float, *, every: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jwtpizza-classroom-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = FactorySettings(
        database_url=f"sqlite+aiosqlite:///{folder / 'factory.db'}", demo=True, port=port
    )
    admin_key = await ensure_demo_admin(settings)
    roster = await create_vendors(settings, vendors_count)
    factory = start_factory(settings)
    try:
        await asyncio.to_thread(wait_for, f"{url}/healthz")
        begin = time.time() + 3 + 0.05 * len(roster)  # room to schedule every fault
        async with httpx.AsyncClient(base_url=url, timeout=30) as admin:
            await schedule(admin, admin_key, roster, begin, seconds)
        cpu = psutil.Process(factory.pid)
        await asyncio.sleep(max(0.0, begin - time.time()))
        used = sum(cpu.cpu_times()[:2])
        await asyncio.gather(*(order_loop(port, v, begin, seconds, interval) for v in roster))
        used = sum(cpu.cpu_times()[:2]) - used
    finally:
        factory.terminate()
        factory.wait(30)
    bound = interval + 1 + SLACK_SECONDS
    report(roster, used, seconds, bound)
    if every:
        vendor_table(roster, bound, begin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=75.0)
    parser.add_argument("--rate", type=float, default=1.0, help="orders per second per vendor")
    parser.add_argument("--every", action="store_true", help="a row per vendor too")
    args = parser.parse_args()
    asyncio.run(run(args.vendors, args.seconds, 1 / args.rate, every=args.every))


if __name__ == "__main__":
    main()
