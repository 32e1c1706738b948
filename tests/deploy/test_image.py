"""The image builds from a Debian-made base and runs: health, a login, an order, a clean
stop; bad settings end the container with one readable line and a non-zero exit."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support.containers import IMAGE, build, http, podman, wait_for, without_podman_noise
from tests.support.live import free_port

# One worker runs these tests in a row, so the module's image fixture is made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("container-image")]


@pytest.fixture(scope="module")
def image() -> str:
    return build("image")


@pytest.fixture
def shop(image: str) -> Iterator[tuple[str, str]]:
    """`jwtpizza up` in one container, its service published on a free loopback port."""
    port = free_port()
    name = f"jwtpizza-smoke-{port}"
    podman(
        "run",
        "-d",
        "--name",
        name,
        "-p",
        f"127.0.0.1:{port}:3000",
        image,
        "up",
        "--no-traffic",
        "--host",
        "0.0.0.0",  # noqa: S104 - inside the container
    )
    try:
        yield name, f"http://127.0.0.1:{port}"
    finally:
        podman("rm", "-f", "-t", "0", name, check=False)


def test_image_is_non_root_without_compiler(image: str) -> None:
    inspect = podman(
        "image", "inspect", "--format", "{{.Config.User}} {{json .Config.Healthcheck.Test}}", image
    ).stdout
    assert inspect.startswith("jwtpizza ")
    assert "healthcheck.py" in inspect
    found = podman(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        image,
        "-c",
        "id -u; command -v gcc cc clang || echo no-compiler",
    ).stdout.split()
    assert found == ["10001", "no-compiler"]


def test_container_serves_an_order_and_stops_cleanly(shop: tuple[str, str]) -> None:
    name, base = shop
    wait_for(f"{base}/healthz", 90)
    assert podman("healthcheck", "run", name, check=False).returncode == 0
    status, login = http("PUT", f"{base}/api/auth", {"email": "d@jwt.com", "password": "diner"})
    assert status == 200, login
    item = {"menuId": 1, "description": "Veggie", "price": 0.0038}
    order = {"franchiseId": 1, "storeId": 1, "items": [item]}
    status, made = http("POST", f"{base}/api/order", order, token=login["token"])
    assert status == 200, made
    assert made["jwt"].count(".") == 2
    started = time.monotonic()
    podman("stop", "-t", "20", name)
    assert time.monotonic() - started < 15
    assert podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip() == "0"


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ([], "error: JWTPIZZA_JWT_SECRET must be set"),
        (
            [
                "JWTPIZZA_JWT_SECRET=a-real-secret",
                "JWTPIZZA_METRICS_TOKEN=token",
                "JWTPIZZA_DATABASE_URL=postgresql+asyncpg://pizza:pw@127.0.0.1:9/pizza",
            ],
            "error: cannot reach the database",
        ),
    ],
    ids=["missing-secret", "unreachable-database"],
)
def test_bad_settings_end_with_one_line(image: str, env: list[str], line: str) -> None:
    args = [arg for pair in env for arg in ("-e", pair)]
    done = podman("run", "--rm", *args, IMAGE, "service", check=False)
    assert done.returncode != 0
    lines = without_podman_noise(done.stdout + done.stderr)
    assert len(lines) == 1 and lines[0].startswith(line), lines
