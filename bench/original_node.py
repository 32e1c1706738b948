"""The original Node service and factory, started for `versus_original.py --original`.

From the unmodified sources in /work/shared/reference/original-node/ (copied to a temporary
folder; `npm ci` there needs the npm registry): a MariaDB instance of their own on 127.0.0.1:3306
(the original's mysql2 settings pass no port; grant tables off, so their configured user and
password are accepted), an RSA-4096 key for the factory (PKCS#8 PEM, as its README says), one
vendor row, and the same seed as ours over the REST API: menu item Veggie, franchisee
f@jwt.com with franchise pizzaPocket and store SLC, diner d@jwt.com with 2 orders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from harness import free_port, process, request  # type: ignore[import-not-found]

SOURCES = Path("/work/shared/reference/original-node")
PORT = 3306
VENDOR_KEY = "bench-original-vendor-key"
ORDER = {
    "franchiseId": 1,
    "storeId": 1,
    "items": [{"menuId": 1, "description": "Veggie", "price": 0.0038}],
}
CONNECTION = {"host": "127.0.0.1", "user": "bench", "password": "bench", "connectTimeout": 60000}


def _config(database: str, **more: object) -> str:
    db = {"connection": {**CONNECTION, "database": database}, "listPerPage": 10}
    settings = {"db": db, **more}
    return f"module.exports = {json.dumps(settings)};\n"


def _run(args: list[str], cwd: Path | None = None) -> None:
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def mariadb(work: Path, port: int = PORT) -> Iterator[Path]:
    """A MariaDB of its own in `work` (the original's on port 3306); yields its socket."""
    data, sock = work / "mariadb", work / "mariadb.sock"
    _run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
          "--skip-test-db"])  # fmt: skip
    server = subprocess.Popen(
        ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={data}", "--user=root",
         f"--socket={sock}", f"--port={port}", "--bind-address=127.0.0.1",
         "--skip-grant-tables", "--skip-name-resolve", "--character-set-server=utf8mb4",
         "--max-connections=500", "--skip-log-bin"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(["mariadb-admin", f"--socket={sock}", "ping"],
                             capture_output=True).returncode:  # fmt: skip
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the original's MariaDB did not start")
            time.sleep(0.2)
        yield sock
    finally:
        server.terminate()
        server.wait(timeout=60)


def _sql(sock: Path, statement: str) -> None:
    _run(["mariadb", f"--socket={sock}", "-e", statement])


def _wait_for_table(sock: Path, table: str) -> None:
    """The factory creates its tables after it starts listening."""
    deadline = time.monotonic() + 30
    probe = f"SELECT 1 FROM {table}"  # noqa: S608 - a fixed table name of this module
    while subprocess.run(["mariadb", f"--socket={sock}", "-e", probe],
                         capture_output=True).returncode:  # fmt: skip
        if time.monotonic() > deadline:
            raise RuntimeError(f"the original factory did not create {table}")
        time.sleep(0.2)


def _prepared(work: Path) -> tuple[Path, Path]:
    """The sources with their Node dependencies installed: (service, factory backend)."""
    tree = work / "original-node"
    shutil.copytree(SOURCES, tree, ignore=shutil.ignore_patterns("node_modules"))
    service, factory = tree / "service", tree / "factory" / "backend"
    for folder in (service, factory):
        _run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder)
    _run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096",
          "-out", "jwt.key"], cwd=factory)  # fmt: skip
    _run(["openssl", "pkey", "-in", "jwt.key", "-pubout", "-out", "jwt.key.pub"], cwd=factory)
    return service, factory


def _admin_token(base: str) -> str:
    """The admin's token, once the service has created its admin (after it starts listening)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            answer = request(f"{base}/api/auth", "PUT", {"email": "a@jwt.com", "password": "admin"})
            return str(answer["token"])
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _seed(base: str) -> str:
    """The same data as our demo seed, over the original's API; the diner's token."""
    admin = _admin_token(base)
    veggie = {"title": "Veggie", "description": "A garden of delight", "image": "pizza1.png",
              "price": 0.0038}  # fmt: skip
    request(f"{base}/api/order/menu", "PUT", veggie, admin)
    request(
        f"{base}/api/auth", "POST", {"name": "f", "email": "f@jwt.com", "password": "franchisee"}
    )
    franchise = {"name": "pizzaPocket", "admins": [{"email": "f@jwt.com"}]}
    request(f"{base}/api/franchise", "POST", franchise, admin)
    request(f"{base}/api/franchise/1/store", "POST", {"name": "SLC"}, admin)
    joined = {"name": "d", "email": "d@jwt.com", "password": "diner"}
    diner = str(request(f"{base}/api/auth", "POST", joined)["token"])
    for _ in range(2):
        request(f"{base}/api/order", "POST", ORDER, diner)
    return diner


@contextmanager
def original(work: Path) -> Iterator[tuple[str, str, str, str]]:
    """The original service (and its factory) running: its base URL, a diner's token, the
    factory's base URL and a vendor's API key."""
    service, factory = _prepared(work)
    with ExitStack() as stack:
        sock = stack.enter_context(mariadb(work))
        factory_port, service_port = free_port(), free_port()
        (factory / "config.js").write_text(_config("pizza_factory"))
        factory_url = f"http://127.0.0.1:{factory_port}"
        env = dict(os.environ)
        jwks = f"{factory_url}/.well-known/jwks.json"
        stack.enter_context(
            process(["node", "index.js", str(factory_port)], env, jwks, cwd=factory)
        )
        vendor = {"id": "bench", "name": "bench", "apiKey": VENDOR_KEY}
        _wait_for_table(sock, "pizza_factory.vendor")
        _sql(sock, "INSERT INTO pizza_factory.vendor (netId, apiKey, body) VALUES"  # noqa: S608
                   f" ('bench', '{VENDOR_KEY}', '{json.dumps(vendor)}')")  # fmt: skip
        config = _config("pizza", jwtSecret="bench-original-secret",
                         factory={"url": factory_url, "apiKey": VENDOR_KEY})  # fmt: skip
        (service / "src" / "config.js").write_text(config)
        base = f"http://127.0.0.1:{service_port}"
        node = ["node", "index.js", str(service_port)]
        stack.enter_context(process(node, env, f"{base}/", cwd=service / "src", timeout=60))
        yield base, _seed(base), factory_url, VENDOR_KEY
