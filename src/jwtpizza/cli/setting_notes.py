"""What each setting does, for the settings a class leaves undescribed.

The configuration page (`cli/reference.py`) takes a field's own description first (its
`Field(description=...)` or the comment above it in the class); these fill the rest. A test
checks that every name here is a variable something reads, so a renamed setting cannot leave
a note behind.
"""

from __future__ import annotations

NOTES = {
    # The pizza service.
    "JWTPIZZA_DEMO": "Demo mode: demo secrets and demo accounts (`jwtpizza up` sets it).",
    "JWTPIZZA_HOST": "Address to listen on.",
    "JWTPIZZA_PORT": "Port to listen on.",
    "JWTPIZZA_DATABASE_URL": "SQLAlchemy URL: `sqlite+aiosqlite:///…` (in the data folder by "
    "default), `mysql+aiomysql://…` or `postgresql+asyncpg://…`.",
    "JWTPIZZA_DB_POOLED": "Keep a connection pool on server databases (false: a connection per "
    "query).",
    "JWTPIZZA_JWT_SECRET": "Signs the service's auth tokens; required outside demo mode.",
    "JWTPIZZA_TOKEN_TTL_SECONDS": "How long an auth token lives.",
    "JWTPIZZA_BCRYPT_ROUNDS": "bcrypt cost of new password hashes.",
    "JWTPIZZA_PASSWORD_MIN_LENGTH": "Shortest password a registration or change accepts.",
    "JWTPIZZA_LIST_PER_PAGE": "Default page size of franchise and user lists.",
    "JWTPIZZA_CORS_ORIGINS": "Browser origins allowed to call the API (JSON list); replaces "
    "the default list.",
    "JWTPIZZA_LOGIN_MAX_FAILURES": "Failed logins per account and per address in the window "
    "before logins are refused (429).",
    "JWTPIZZA_LOGIN_WINDOW_SECONDS": "Sliding window of the failed-login limit.",
    "JWTPIZZA_REGISTER_WINDOW_SECONDS": "Sliding window of the registration limit.",
    "JWTPIZZA_MAX_STORES_PER_FRANCHISE": "Stores a franchise may have.",
    "JWTPIZZA_MAX_BODY_BYTES": "Request bodies above this get 413 before they are read.",
    "JWTPIZZA_FACTORY_URL": "The pizza factory the service orders from.",
    "JWTPIZZA_FACTORY_API_KEY": "The service's vendor API key at the factory.",
    "JWTPIZZA_FACTORY_MAX_ITEMS": "Most pizzas in one order: the factory refuses larger ones "
    "(as the original's 22-pizza order), and the service sends them outside the breaker with "
    "`FACTORY_OVERSIZE_TIMEOUT_SECONDS`.",
    "JWTPIZZA_FACTORY_OVERSIZE_TIMEOUT_SECONDS": "How long an oversized order may take at the "
    "factory before it is rejected (outside the breaker and retries).",
    "JWTPIZZA_QUEUE_MAX_AGE_SECONDS": "A queued order older than this is given up (rejected).",
    "JWTPIZZA_QUEUE_BACKOFF_BASE_SECONDS": "First wait between queue passes over a failing "
    "order (full-jitter exponential, at least any Retry-After).",
    "JWTPIZZA_QUEUE_BACKOFF_MAX_SECONDS": "Longest wait between queue passes over one order.",
    "JWTPIZZA_DOCS_SHOW_CONFIG": "`/api/docs` also shows the factory URL, as the original did.",
    "JWTPIZZA_VERSION": "Version in `/`, `/api/docs` and the OpenAPI document.",
    # The service's factory calls.
    "JWTPIZZA_RESILIENCE_TIMEOUT_ENABLED": "Give each factory call attempt a timeout.",
    "JWTPIZZA_RESILIENCE_TIMEOUT_SECONDS": "Timeout of one attempt.",
    "JWTPIZZA_RESILIENCE_RETRIES_ENABLED": "Retry failed calls that may succeed later.",
    "JWTPIZZA_RESILIENCE_MAX_ATTEMPTS": "Attempts per call, the first included.",
    "JWTPIZZA_RESILIENCE_BACKOFF_BASE_SECONDS": "First backoff between attempts (full jitter, "
    "doubling).",
    "JWTPIZZA_RESILIENCE_BACKOFF_MAX_SECONDS": "Longest backoff between attempts.",
    "JWTPIZZA_RESILIENCE_MAX_RETRY_AFTER_SECONDS": "Longest `Retry-After` honoured before a "
    "retry; a longer one ends the call.",
    "JWTPIZZA_RESILIENCE_RETRY_BUDGET_ENABLED": "Cap retries as a share of calls.",
    "JWTPIZZA_RESILIENCE_RETRY_BUDGET_PERCENT": "Retries allowed per 100 calls in the window.",
    "JWTPIZZA_RESILIENCE_RETRY_BUDGET_WINDOW_SECONDS": "Window of the retry budget.",
    "JWTPIZZA_RESILIENCE_RETRY_BUDGET_MIN_RETRIES": "Retries always allowed in a window.",
    "JWTPIZZA_RESILIENCE_BREAKER_ENABLED": "Run factory calls inside a circuit breaker.",
    "JWTPIZZA_RESILIENCE_BREAKER_WINDOW_SIZE": "Calls in the breaker's sliding window.",
    "JWTPIZZA_RESILIENCE_BREAKER_MINIMUM_CALLS": "Calls in the window before the breaker may open.",
    "JWTPIZZA_RESILIENCE_BREAKER_FAILURE_RATE_PERCENT": "Failure rate that opens the breaker.",
    "JWTPIZZA_RESILIENCE_BREAKER_SLOW_CALL_SECONDS": "A call slower than this counts as slow.",
    "JWTPIZZA_RESILIENCE_BREAKER_SLOW_CALL_RATE_PERCENT": "Slow-call rate that opens the breaker.",
    "JWTPIZZA_RESILIENCE_BREAKER_OPEN_SECONDS": "How long the breaker stays open before trial "
    "calls (half-open).",
    "JWTPIZZA_RESILIENCE_BREAKER_HALF_OPEN_CALLS": "Trial calls in the half-open state.",
    "JWTPIZZA_RESILIENCE_BREAKER_HALF_OPEN_MAX_WAIT_SECONDS": "Longest time half-open before "
    "the trials are judged (0: no limit).",
    "JWTPIZZA_RESILIENCE_QUEUE_ENABLED": "Queue an order the factory cannot make now and make "
    "it later (transactional outbox).",
    "JWTPIZZA_RESILIENCE_QUEUE_WAIT_BUDGET_SECONDS": "How long `POST /api/order` waits for the "
    "pizza before answering queued (202) or failed (500).",
    "JWTPIZZA_RESILIENCE_QUEUE_POLL_INTERVAL_SECONDS": "How often the queue worker looks for "
    "due jobs.",
    "JWTPIZZA_RESILIENCE_QUEUE_LEASE_SECONDS": "A queue job's lease; must exceed the longest "
    "call with its retries (refused otherwise).",
    # The pizza factory.
    "JWTPIZZA_FACTORY_DEMO": "Demo mode: the demo vendor and admin and their keys.",
    "JWTPIZZA_FACTORY_HOST": "Address to listen on.",
    "JWTPIZZA_FACTORY_PORT": "Port to listen on.",
    "JWTPIZZA_FACTORY_DATABASE_URL": "SQLAlchemy URL of the factory's database.",
    "JWTPIZZA_FACTORY_DB_POOLED": "Keep a connection pool on server databases.",
    "JWTPIZZA_FACTORY_PUBLIC_BASE_URL": "Where clients reach the factory; report links start "
    "with it (default: the address it listens on).",
    "JWTPIZZA_FACTORY_VERSION": "Version in `/` and the OpenAPI document.",
    "JWTPIZZA_FACTORY_ISSUER": "`iss` claim of the pizzas.",
    "JWTPIZZA_FACTORY_PIZZA_TTL_SECONDS": "How long a pizza JWT is valid.",
    "JWTPIZZA_FACTORY_KEY_REFRESH_SECONDS": "How soon a key rotated elsewhere is picked up.",
    "JWTPIZZA_FACTORY_ORDER_DELAY_SECONDS": "How long an order over the item limit takes "
    "before it is refused, as the original.",
    "JWTPIZZA_FACTORY_CHAOS_TIMEZONE": "Timezone of chaos schedules: an offset (`-07:00`), "
    "`UTC` or an IANA name.",
    "JWTPIZZA_FACTORY_CHAOS_WINDOW_START_HOUR": "Start of the window an unscheduled fault "
    "starts in (tomorrow, chaos timezone).",
    "JWTPIZZA_FACTORY_CHAOS_WINDOW_END_HOUR": "End of that window.",
    "JWTPIZZA_FACTORY_OUTAGE_DEFAULT_SECONDS": "How long an `outage` lasts unless told.",
    "JWTPIZZA_FACTORY_RATELIMIT_RETRY_AFTER_SECONDS": "`Retry-After` of the `ratelimit` fault.",
    "JWTPIZZA_FACTORY_FLAKY_DEFAULT_PERCENT": "Share of orders the `flaky` fault fails.",
    "JWTPIZZA_FACTORY_CODE_TTL_SECONDS": "How long a vendor login code is valid.",
    "JWTPIZZA_FACTORY_CODE_MAX_ATTEMPTS": "Wrong codes before a login code is spent.",
    "JWTPIZZA_FACTORY_CODE_REQUESTS_PER_ADDRESS": "Login-code emails per client address in "
    "the window.",
    "JWTPIZZA_FACTORY_CODE_REQUESTS_WINDOW_SECONDS": "Sliding window of the login-code limits.",
    "JWTPIZZA_FACTORY_TRUSTED_PROXIES": "Peers (addresses or CIDR ranges) whose "
    "`X-Forwarded-For` names the client; empty: none.",
    "JWTPIZZA_FACTORY_MAX_BODY_BYTES": "Request bodies above this get 413 before they are read.",
    "JWTPIZZA_FACTORY_METRICS_TOKEN": "Bearer token for the factory's `/metrics`; required "
    "outside demo mode.",
    "JWTPIZZA_FACTORY_MAIL": "How login codes are sent: printed (`console`) or by SMTP.",
    "JWTPIZZA_FACTORY_SMTP_HOST": "SMTP server for `MAIL=smtp`.",
    "JWTPIZZA_FACTORY_SMTP_PORT": "SMTP port.",
    "JWTPIZZA_FACTORY_SMTP_USER": "SMTP login, if the server wants one.",
    "JWTPIZZA_FACTORY_SMTP_PASSWORD": "SMTP password.",
    "JWTPIZZA_FACTORY_SMTP_STARTTLS": "Use STARTTLS.",
    "JWTPIZZA_FACTORY_MAIL_FROM": "Sender of login-code emails.",
    "JWTPIZZA_FACTORY_DEMO_VENDOR_ID": "Id of the demo vendor (demo mode).",
    "JWTPIZZA_FACTORY_DEMO_ADMIN_ID": "Id of the demo admin vendor (demo mode).",
    # Observability.
    "JWTPIZZA_OBS_SOURCE": "`source` label of every log line and metric push.",
    "JWTPIZZA_OBS_LOGGING_ENABLED": "Write structured logs at all.",
    "JWTPIZZA_OBS_LOG_LEVEL": "Lowest level logged (`debug` adds SQL statements).",
    "JWTPIZZA_OBS_LOG_STDOUT": "Also print JSON log lines on standard output.",
    "JWTPIZZA_OBS_LOG_STORE_SIZE": "Log lines kept in memory for the log search.",
    "JWTPIZZA_OBS_BODY_CAP_BYTES": "Longest request or response body kept in a log line.",
    "JWTPIZZA_OBS_ACTIVE_USER_WINDOW_SECONDS": "A user is active if seen within this window.",
    "JWTPIZZA_OBS_ACTIVE_USERS_FROM_TOKENS": "Count active users from authenticated requests.",
    "JWTPIZZA_OBS_TRACING_ENABLED": "Record OpenTelemetry spans.",
    "JWTPIZZA_OBS_TRACE_STORE_SIZE": "Spans kept in memory.",
    "JWTPIZZA_OBS_LOKI_URL": "Push logs to this Loki endpoint.",
    "JWTPIZZA_OBS_LOKI_ACCOUNT": "Loki account id (Grafana Cloud).",
    "JWTPIZZA_OBS_LOKI_API_KEY": "Loki API key.",
    "JWTPIZZA_OBS_LOKI_BATCH_SIZE": "Log lines per push.",
    "JWTPIZZA_OBS_LOKI_QUEUE_SIZE": "Log lines waiting for a push at most (the oldest are "
    "dropped, never blocking a request).",
    "JWTPIZZA_OBS_LOKI_FLUSH_SECONDS": "Longest wait before a push.",
    "JWTPIZZA_OBS_OTLP_METRICS_URL": "Push metrics as OTLP JSON to this endpoint.",
    "JWTPIZZA_OBS_OTLP_TRACES_URL": "Export traces as OTLP to this endpoint.",
    "JWTPIZZA_OBS_OTLP_ACCOUNT": "OTLP account id (Grafana Cloud).",
    "JWTPIZZA_OBS_OTLP_API_KEY": "OTLP API key.",
    "JWTPIZZA_OBS_OTLP_INTERVAL_SECONDS": "How often metrics are pushed.",
    # Ops.
    "JWTPIZZA_OPS_HOST": "Address to listen on.",
    "JWTPIZZA_OPS_PORT": "Port to listen on.",
    "JWTPIZZA_OPS_DATABASE_URL": "SQLAlchemy URL of the ops database.",
    "JWTPIZZA_OPS_DB_POOLED": "Keep a connection pool on server databases.",
    "JWTPIZZA_OPS_VERSION": "Version in `/` and the OpenAPI document.",
    "JWTPIZZA_OPS_SERVICE_URL": "The pizza service: it vouches for admins (console and API "
    "logins).",
    "JWTPIZZA_OPS_FACTORY_URL": "The pizza factory (chaos feed, probe verification).",
    "JWTPIZZA_OPS_TARGETS": "What to scrape (JSON list of `{job, url, labels, bearer_token}`; "
    "`bearer_token` is the target's scrape token, never logged).",
    "JWTPIZZA_OPS_RULE_FILES": "Prometheus rule files to load (JSON list; default: every file "
    "in `deploy/prometheus/rules/`).",
    "JWTPIZZA_OPS_PROFILE": "`game-day` scrapes and evaluates every 5 s and caps every rule's "
    "`for` at 5 s.",
    "JWTPIZZA_OPS_SCRAPE_INTERVAL_SECONDS": "How often targets are scraped.",
    "JWTPIZZA_OPS_SCRAPE_TIMEOUT_SECONDS": "Timeout of one scrape (at most the interval).",
    "JWTPIZZA_OPS_EVALUATION_INTERVAL_SECONDS": "How often rules are evaluated.",
    "JWTPIZZA_OPS_GAME_DAY_INTERVAL_SECONDS": "Scrape and evaluation interval in the game-day "
    "profile.",
    "JWTPIZZA_OPS_GAME_DAY_MAX_FOR_SECONDS": "Cap on every rule's `for` in the game-day profile.",
    "JWTPIZZA_OPS_MAX_SAMPLES_PER_SERIES": "Samples kept per series at most.",
    "JWTPIZZA_OPS_MAX_BODY_BYTES": "Request bodies above this get 413.",
    "JWTPIZZA_OPS_NOTIFY_CONFIG": "Routing and receivers (Alertmanager's configuration shape).",
    "JWTPIZZA_OPS_DELIVERY_ATTEMPTS": "Attempts per notification delivery.",
    "JWTPIZZA_OPS_DELIVERY_BACKOFF_SECONDS": "First wait between delivery attempts (doubling).",
    "JWTPIZZA_OPS_DELIVERY_BACKOFF_MAX_SECONDS": "Longest wait between delivery attempts.",
    "JWTPIZZA_OPS_DELIVERY_TIMEOUT_SECONDS": "Timeout of one delivery attempt.",
    "JWTPIZZA_OPS_DEMO": "Demo mode: the demo acknowledge-link secret and intake token.",
    "JWTPIZZA_OPS_ONCALL_CONFIG": "Users, teams, schedules and escalation policies.",
    "JWTPIZZA_OPS_INTAKE_TOKEN": "Bearer token an Alertmanager presents to "
    "`POST /api/ops/alertmanager`; without it (outside demo mode) the intake answers 503.",
    "JWTPIZZA_OPS_ACK_LINK_TTL_SECONDS": "How long an acknowledge link works.",
    "JWTPIZZA_OPS_INCIDENTS_SERVICE_PASSWORD": "Password of `SERVICE_EMAIL`.",
    "JWTPIZZA_OPS_INCIDENTS_RUNBOOK_DIR": "Where runbooks (`<Alert>.yml`) are read from.",
    "JWTPIZZA_OPS_INCIDENTS_REPORTS_DIR": "Where `jwtpizza incident report` writes postmortems.",
    "JWTPIZZA_OPS_INCIDENTS_MTTD_TARGET_SECONDS": "Detection slower than this is an action "
    "item in the postmortem.",
    "JWTPIZZA_OPS_PROBE_EMAIL": "Diner account of the synthetic order probe (off without it; "
    "each round buys a pizza).",
    "JWTPIZZA_OPS_PROBE_PASSWORD": "Its password.",
    "JWTPIZZA_OPS_PROBE_INTERVAL_SECONDS": "How often the probe orders.",
    "JWTPIZZA_OPS_PROBE_TIMEOUT_SECONDS": "Timeout of each probe step.",
    "JWTPIZZA_OPS_METRICS_TOKEN": "Bearer a scraper must send for ops' `/metrics`; required "
    "outside demo mode.",
    "JWTPIZZA_OPS_ADMIN_REFUSED_CACHE_SECONDS": "How long a token the service refused is "
    "refused by ops without asking again.",
    "JWTPIZZA_OPS_REFUSED_PER_MINUTE": "Refused anonymous attempts (a wrong intake token, a bad "
    "ack link) per address and minute before 429.",
    "JWTPIZZA_OPS_REFUSED_ANSWER_DELAY_SECONDS": "How long a refused anonymous attempt waits "
    "for its answer.",
    "JWTPIZZA_OPS_LOG_SEARCHES_PER_MINUTE": "Log searches each admin may send through ops per "
    "minute.",
    "JWTPIZZA_OPS_INTAKE_MAX_GROUPS": "Incident groups one Alertmanager notification may open "
    "or join.",
}
