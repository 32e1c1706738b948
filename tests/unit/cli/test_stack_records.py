"""What `jwtpizza up` leaves in its data folder for the other commands: the components' URLs,
and the demo secrets of that folder (random, made once, owner-only)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from jwtpizza.cli.endpoints import DEFAULTS, endpoint, record_endpoints, recorded_endpoints
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.settings import demo_secret


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JWTPIZZA_DATA_DIR", str(tmp_path))
    return tmp_path


def test_commands_use_the_urls_up_recorded_in_the_data_folder(data_dir: Path) -> None:
    record_endpoints(data_dir, {"service": "http://127.0.0.1:13000", "ops": "http://h:1"})
    assert endpoint("service") == "http://127.0.0.1:13000"
    assert endpoint("ops") == "http://h:1"
    assert endpoint("factory") == DEFAULTS["factory"]  # not recorded: the default port
    assert endpoint("service", "http://given:9") == "http://given:9"  # --url wins


def test_no_record_or_a_broken_one_means_the_default_ports(data_dir: Path) -> None:
    assert endpoint("service") == "http://127.0.0.1:3000"
    (data_dir / "endpoints.json").write_text("{not json")
    assert recorded_endpoints() == {}
    assert endpoint("ops") == "http://127.0.0.1:3300"


def test_a_demo_secret_is_random_per_data_folder_and_kept(tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    first = demo_secret("ops-intake-token", one)
    assert first == demo_secret("ops-intake-token", one)  # kept across starts
    assert first != demo_secret("ops-intake-token", other)
    assert first != demo_secret("ops-ack-secret", one)
    assert len(first) >= 32
    path = one / "secrets" / "ops-intake-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # no draft left behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["ops-ack-secret", "ops-intake-token"]


def test_ops_in_demo_mode_uses_the_data_folders_secrets_and_set_ones_win(
    data_dir: Path,
) -> None:
    demo = OncallSettings(demo=True)
    intake, ack = demo.intake_secret(), demo.ack_key()
    assert intake == demo_secret("ops-intake-token", data_dir)
    assert ack == demo_secret("ops-ack-secret", data_dir).encode()
    assert intake not in ("demo-intake-token", "") and ack != b"demo-ack-secret"
    chosen = OncallSettings(demo=True, intake_token=SecretStr("chosen"))
    assert chosen.intake_secret() == "chosen"
    outside = OncallSettings(demo=False)
    assert outside.intake_secret() is None and outside.ack_key() is None
