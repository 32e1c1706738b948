"""Every SQL statement written by hand, for `PlainWrite` and `Database.read_plain`.

The hottest reads and writes skip SQLAlchemy's execution (see `jwtpizza.db.plain`); their text
lives here, in one place, so whoever changes a table finds each statement that touches it
(an import contract keeps SQL text out of the other modules). `?` marks a parameter.
"""

from __future__ import annotations

from functools import cache

# The pizza service's sessions: one row per login.
NEW_SESSION = "INSERT INTO sessions (token_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"

# A login's account: the user and their role grants (a row per grant), by canonical email.
ACCOUNT_BY_EMAIL = (
    "SELECT u.id, u.name, u.email, u.password_hash, r.role, r.object_id FROM users u"
    " LEFT OUTER JOIN user_roles r ON r.user_id = u.id WHERE u.email = ? ORDER BY r.id"
)

# The data versions' stamps (`jwtpizza.service.versions`): read together, bumped by name.
ALL_VERSIONS = "SELECT name, version FROM data_versions"
BUMP_VERSION = "UPDATE data_versions SET version = version + 1 WHERE name = ?"


# The login and registration limits' events (`jwtpizza.service.auth.ratelimit`).
def _quoted(dialect: str, name: str) -> str:
    """A column name that is a reserved word in MariaDB (`key`)."""
    return f"`{name}`" if dialect == "mysql" else f'"{name}"'


@cache  # one statement per dialect and number of keys
def limit_usage(dialect: str, key_count: int) -> str:
    """Each key's failures, events and first failure's expiry, for `key_count` keys."""
    key = _quoted(dialect, "key")
    marks = ", ".join("?" * key_count)
    return (
        f"SELECT {key}, COUNT(*), SUM(CASE WHEN settled THEN 1 ELSE 0 END),"  # noqa: S608
        " MIN(CASE WHEN settled THEN expires_at END) FROM limit_events"
        f" WHERE {key} IN ({marks}) AND expires_at > ? GROUP BY {key}"
    )


@cache
def limit_ahead(dialect: str, key_count: int) -> str:
    """Like `limit_usage`, but the events counted are the failures and the attempts (in flight
    or waiting) that came before the one whose first row has the id given first."""
    key = _quoted(dialect, "key")
    marks = ", ".join("?" * key_count)
    return (
        f"SELECT {key}, SUM(CASE WHEN settled OR id < ? THEN 1 ELSE 0 END),"  # noqa: S608
        " SUM(CASE WHEN settled THEN 1 ELSE 0 END),"
        " MIN(CASE WHEN settled THEN expires_at END) FROM limit_events"
        f" WHERE {key} IN ({marks}) AND expires_at > ? GROUP BY {key}"
    )


@cache
def new_limit_event(dialect: str) -> str:
    key = _quoted(dialect, "key")
    columns = f"{key}, attempt, settled, expires_at"
    return f"INSERT INTO limit_events ({columns}) VALUES (?, ?, ?, ?)"  # noqa: S608


DROP_EXPIRED_LIMIT_EVENTS = "DELETE FROM limit_events WHERE expires_at <= ?"
RELEASE_LIMIT_EVENTS = "DELETE FROM limit_events WHERE attempt = ?"
SETTLE_LIMIT_EVENTS = (
    "UPDATE limit_events SET settled = ?, attempt = NULL, expires_at = ? WHERE attempt = ?"
)


# The order ledger (`jwtpizza.service.orders.service`).
@cache
def order_prices(item_count: int) -> str:
    """The store (to check it belongs to the franchise) outer-joined with the `item_count`
    menu items asked for, so one round trip checks the store and prices the order."""
    wanted = ", ".join("?" * item_count)
    return (
        "SELECT s.franchise_id, m.id, m.title, m.price FROM stores s"  # noqa: S608 (placeholders only)
        f" LEFT OUTER JOIN menu_items m ON m.id IN ({wanted}) WHERE s.id = ?"
    )


# An order's three INSERTs.
NEW_ORDER = (
    "INSERT INTO orders (diner_id, franchise_id, store_id, created_at, updated_at, status)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
NEW_ORDER_ITEM = (
    "INSERT INTO order_items (order_id, menu_id, description, price) VALUES (?, ?, ?, ?)"
)
NEW_FULFILMENT_JOB = (
    "INSERT INTO fulfilment_jobs (order_id, available_at, attempts, done, lease_owner, lease_until)"
    " VALUES (?, ?, 0, FALSE, ?, ?)"
)
# The pizza, recorded only from the two states that may move to fulfilled.
FULFIL_ORDER = (
    "UPDATE orders SET status = ?, updated_at = ?, jwt = ?, report_url = ?"
    " WHERE id = ? AND status IN (?, ?)"
)
FINISH_FULFILMENT_JOB = (
    "UPDATE fulfilment_jobs SET done = TRUE, lease_owner = NULL, lease_until = NULL"
    " WHERE order_id = ?"
)
# Both in one statement on the servers (one round trip instead of two): the order moves only
# from those states, its job ends either way. MariaDB counts the rows it matched (the job's,
# and the order's if it moved); PostgreSQL returns how many orders moved.
FULFIL_AND_FINISH_MYSQL = (
    "UPDATE fulfilment_jobs j LEFT JOIN orders o ON o.id = j.order_id AND o.status IN (?, ?)"
    " SET o.status = ?, o.updated_at = ?, o.jwt = ?, o.report_url = ?,"
    " j.done = TRUE, j.lease_owner = NULL, j.lease_until = NULL WHERE j.order_id = ?"
)
FULFIL_AND_FINISH_POSTGRESQL = (
    "WITH moved AS (UPDATE orders SET status = ?, updated_at = ?, jwt = ?, report_url = ?"
    " WHERE id = ? AND status IN (?, ?) RETURNING id)"
    " UPDATE fulfilment_jobs SET done = TRUE, lease_owner = NULL, lease_until = NULL"
    " WHERE order_id = ? RETURNING (SELECT COUNT(*) FROM moved)"
)
# An order's line as a failed attempt or a spent wait budget settles it: the order, its item
# count and its job's attempts, in one read.
LEDGER_ENTRY = (
    "SELECT o.status, o.jwt, o.report_url, o.reason, o.created_at,"
    " (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id), j.attempts"
    " FROM orders o JOIN fulfilment_jobs j ON j.order_id = o.id WHERE o.id = ?"
)
# The order's status, report link and reason; `updated_at` only when given (a move).
SETTLE_ORDER = (
    "UPDATE orders SET status = ?, report_url = ?, reason = ?,"
    " updated_at = COALESCE(?, updated_at) WHERE id = ?"
)
# A job tried again later; the lease is let go if `?` (the caller) holds it. `lease_until` is
# set first: MariaDB reads a column set earlier in the same SET as its new value.
REQUEUE_FULFILMENT_JOB = (
    "UPDATE fulfilment_jobs SET attempts = attempts + 1, last_error = ?, available_at = ?,"
    " lease_until = CASE WHEN lease_owner = ? THEN NULL ELSE lease_until END,"
    " lease_owner = CASE WHEN lease_owner = ? THEN NULL ELSE lease_owner END"
    " WHERE order_id = ?"
)
# A page of a diner's orders joined with their items: through SQLAlchemy's execution this one
# statement cost a fifth of a history request.
ORDER_HISTORY = (
    "SELECT o.id, o.franchise_id, o.store_id, o.created_at, o.status,"
    " i.id, i.menu_id, i.description, i.price"
    " FROM orders o"
    " JOIN (SELECT id FROM orders WHERE diner_id = ? ORDER BY id LIMIT ? OFFSET ?) page"
    " ON page.id = o.id"
    " LEFT OUTER JOIN order_items i ON i.order_id = o.id"
    " ORDER BY o.id, i.id"
)

# A game day's store-integrity fault: a bad migration's leftovers, a store whose franchise
# is gone (`jwtpizza.scenarios.runner`).
ORPHAN_STORE = "INSERT INTO stores (franchise_id, name) VALUES (9999, 'Orphan Row')"


# The factory's pizzas kept by idempotency key (`jwtpizza.factory.orders.service`).
REMEMBER_PIZZA = (
    "INSERT INTO pizza (vendor_id, idempotency_key, request_hash, jwt, created)"
    " VALUES (?, ?, ?, ?, ?)"
)


# The factory's login-code limits shared by its replicas (`jwtpizza.factory.vendors.ratelimit`).
CODE_LIMIT_LOCK = "UPDATE code_limit_lock SET version = version + 1 WHERE name = 'codes'"
DROP_EXPIRED_CODE_LIMITS = "DELETE FROM code_limit_events WHERE expires_at <= ?"
CODE_LIMIT_USAGE = (
    "SELECT limit_key, COUNT(*), MIN(expires_at) FROM code_limit_events"
    " WHERE limit_key IN (?, ?) GROUP BY limit_key"
)
NEW_CODE_LIMIT_EVENT = "INSERT INTO code_limit_events (limit_key, expires_at) VALUES (?, ?)"


def touch_version(version_table: str) -> str:
    """Readiness's tiny write: a component's Alembic version row set to itself
    (`jwtpizza.readiness`)."""
    return f"UPDATE {version_table} SET version_num = version_num"  # noqa: S608
