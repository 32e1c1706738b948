"""`jwtpizza traffic`: simulated shop traffic or a k6-style load test, with live progress."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import httpx
import typer
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from jwtpizza.cli.endpoints import endpoint
from jwtpizza.cli.errors import fail, readable_errors
from jwtpizza.traffic import (
    OrderOutcome,
    TrafficConfig,
    TrafficRun,
    TrafficStats,
    parse_duration,
    parse_stages,
    run_traffic,
)

console = Console()


def build_config(
    *,
    target: str,
    factory: str | None,
    rate: float,
    duration: str | None,
    seed: int | None,
    stages: str | None,
    think: str,
) -> TrafficConfig:
    """The run's config from the command line; bad input is one line and exit 1."""
    for url in filter(None, (target, factory)):
        if not url.startswith(("http://", "https://")):
            fail(f"{url!r} is not an http:// or https:// URL")
    if stages and duration:
        fail("give --stages or --duration, not both (the stages set the duration)")
    return TrafficConfig(
        target=target,
        factory=factory,
        rate=rate,
        duration_seconds=parse_duration(duration, what="--duration") if duration else None,
        seed=seed,
        stages=parse_stages(stages) if stages else None,
        think_seconds=parse_duration(think, what="--think"),
    )


def progress(run: TrafficRun, *, done: bool = False) -> Group:
    """The live panel: totals, orders, and errors by kind."""
    stats, elapsed = run.stats, max(run.elapsed(), 1e-9)
    pace = stats.requests / elapsed
    head = f"[bold]{elapsed:6.0f}s[/bold]  requests {stats.requests} ({pace:.1f}/s)"
    if run.config.stages is not None:
        head += f"  virtual users {stats.virtual_users}"
    if stats.late_visits:
        head += f"  [yellow]late visits {stats.late_visits}[/yellow] (this machine is too busy)"
    orders = "  ".join(f"{outcome.value} {stats.orders[outcome]}" for outcome in OrderOutcome)
    errors = Table("error", "count", title=None, show_edge=False)
    for kind, n in stats.errors.most_common():
        errors.add_row(kind, str(n))
    if not stats.errors:
        errors.add_row("none", "0")
    lines: list[RenderableType] = [Text.from_markup(head), Text(f"orders: {orders}"), errors]
    if run.stopping and not done:
        lines.append(Text("winding down: visits are logging out (Ctrl-C again quits now)"))
    return Group(*lines)


def summary(stats: TrafficStats) -> Group:
    """Latency percentiles and errors per endpoint, then the checks."""
    endpoints = Table(
        "endpoint", "requests", "errors", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms"
    )
    for row in stats.summary():
        cells = (row.p50_ms, row.p90_ms, row.p95_ms, row.p99_ms, row.max_ms)
        endpoints.add_row(
            row.endpoint, str(row.requests), str(row.errors), *(f"{c:.1f}" for c in cells)
        )
    checks = Table("check", "passed", "failed", "rate")
    for name, check in stats.checks.items():
        total = check.passed + check.failed
        checks.add_row(
            name, str(check.passed), str(check.failed), f"{100 * check.passed / total:.1f}%"
        )
    return Group(endpoints, checks)


async def _drive(config: TrafficConfig) -> TrafficRun:
    run = run_traffic(config)
    waiter = asyncio.ensure_future(run.finished())

    def interrupt() -> None:
        if run.stopping:
            waiter.cancel()
        run.stop()

    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, interrupt)
    with Live(progress(run), console=console, refresh_per_second=4) as live:
        while not waiter.done():
            await asyncio.wait({waiter}, timeout=0.25)
            live.update(progress(run, done=waiter.done()))
    return run


def _warn_if_down(target: str) -> None:
    try:
        httpx.get(target, timeout=3)
    except httpx.HTTPError as exc:
        console.print(
            f"[yellow]warning: {target} does not answer ({type(exc).__name__}); "
            "the failures are counted until it does[/yellow]"
        )


def traffic(
    target: Annotated[
        str | None,
        typer.Option(help="The pizza service's URL (default: the one `jwtpizza up` started)"),
    ] = None,
    factory: Annotated[
        str | None, typer.Option(help="The factory's URL, to verify pizzas there")
    ] = None,
    rate: Annotated[
        float, typer.Option(help="Pace: 1 is the original script's, 2 twice as fast")
    ] = 1.0,
    duration: Annotated[
        str | None, typer.Option(help="Stop after 90s/5m/1h (default: Ctrl-C)")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Replay the same sequence of visits")] = None,
    stages: Annotated[
        str | None, typer.Option(help="Load test instead: k6-style stages, e.g. 30s:20,1m:20,20s:0")
    ] = None,
    think: Annotated[str, typer.Option(help="Load test: a virtual user's think time")] = "1s",
) -> None:
    """Simulate diners, franchisees and admins over the public API (or run a load test)."""
    target = endpoint("service", target)
    with readable_errors():
        config = build_config(
            target=target,
            factory=factory,
            rate=rate,
            duration=duration,
            seed=seed,
            stages=stages,
            think=think,
        )
    _warn_if_down(target)
    run = asyncio.run(_drive(config))
    console.print()
    console.print(summary(run.stats))
    console.print(f"seed {run.seed}: rerun the same visits with --seed {run.seed}")
