"""A page that ops cannot record waits and goes out once the database can record it.

ops' SQLite file sits on a small tmpfs the test fills to the last byte (after truncating the
write-ahead log, so the next write needs new space): the disk refuses every write, as a full
disk does. A rule fires meanwhile; its page is retried, not dropped, and goes out once when
the test frees the disk.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.ops_ha import OpsProcess, World, ops_env, rows, wait_for, world_server

pytestmark = pytest.mark.slow


@contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (needs root, as the container tests do)."""
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def fill(disk: Path, db: Path) -> Path:
    """Truncate the database's log, then take every free byte of the disk."""
    with sqlite3.connect(db, timeout=5) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def test_a_page_refused_by_a_full_disk_waits_and_goes_out_once(tmp_path: Path) -> None:
    world = World()
    with small_disk(tmp_path / "disk") as disk, world_server(world) as base:
        db = disk / "ops.db"
        env = {**ops_env(tmp_path, base, hold=2, db=db), "JWTPIZZA_OPS_LEASE_SECONDS": "20"}
        ops = OpsProcess(env, tmp_path / "ops.log", "ops-full").start()
        try:
            wait_for(lambda: ops.role() == "leader", 10, "never led")
            world.broken = 1
            wait_for(lambda: bool(rows(db, "SELECT state FROM ops_alert_state")), 10, "no alert")
            filler = fill(disk, db)
            refused = "not recorded, retrying: database or disk is full"
            wait_for(lambda: refused in ops.log.read_text(), 20, "the page was never refused")
            time.sleep(3)  # several refused attempts
            assert world.count("alice") == 0
            assert rows(db, "SELECT count(*) FROM ops_page") == [(0,)]
            attempts = ops.log.read_text().count(refused)
            filler.unlink()
            waited = wait_for(lambda: world.count("alice") == 1, 40, "the page was lost")
            time.sleep(3)
        finally:
            ops.stop()
        assert world.count("alice") == 1
        assert rows(db, "SELECT count(*) FROM ops_page") == [(1,)]
        print(f"page sent {waited:.1f} s after the disk was freed; refused {attempts} times")
