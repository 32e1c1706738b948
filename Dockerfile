# One image for every JWT Pizza component; the command picks it:
#   docker run IMAGE service | factory | ops | up
# Everything is configured from the environment (JWTPIZZA_*, JWTPIZZA_FACTORY_*, JWTPIZZA_OPS_*).
# Online: `docker build -t jwtpizza .`. Offline (no package index), from a wheelhouse of the
# locked wheels in build/wheelhouse: `scripts/containers image` (passes OFFLINE=1 and a base).
ARG BASE=python:3.11-slim-bookworm

FROM ${BASE} AS build
ARG OFFLINE=
ARG UV_VERSION=0.13.9
# The packages come from uv.lock (exported with their hashes); the project is built from src/.
# The context is what .dockerignore lets in: sources, lock, ops files, an offline wheelhouse.
COPY . /ctx
RUN set -eu; \
    index=""; \
    if [ -n "$OFFLINE" ]; then index="--no-index --find-links /ctx/build/wheelhouse"; fi; \
    export UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1 PIP_NO_CACHE_DIR=1 \
        PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore; \
    python3 -m venv /opt/uv; \
    /opt/uv/bin/pip install --quiet $index "uv==$UV_VERSION"; \
    cd /ctx; \
    /opt/uv/bin/uv export --quiet --frozen --no-dev --no-emit-project --no-header \
        -o /tmp/requirements.txt; \
    python3 -m venv --without-pip /opt/jwtpizza; \
    /opt/uv/bin/uv pip install --quiet --python /opt/jwtpizza/bin/python --require-hashes \
        $index -r /tmp/requirements.txt; \
    /opt/uv/bin/uv build --quiet $index --wheel --out-dir /tmp/dist /ctx; \
    /opt/uv/bin/uv pip install --quiet --python /opt/jwtpizza/bin/python --no-deps /tmp/dist/*.whl; \
    /opt/jwtpizza/bin/python -m compileall -q /opt/jwtpizza/lib; \
    # Ops reads its rules, notify/on-call files and runbooks where a source checkout has them:
    # deploy/ and docs/ two folders above the package (lib/python3.X/ here).
    shared="$(dirname "$(dirname "$(/opt/jwtpizza/bin/python -c 'import jwtpizza; print(jwtpizza.__file__)')")")/.."; \
    mkdir -p "$shared/deploy/prometheus" "$shared/docs"; \
    cp -r /ctx/deploy/ops "$shared/deploy/ops"; \
    cp -r /ctx/deploy/prometheus/rules "$shared/deploy/prometheus/rules"; \
    cp -r /ctx/docs/runbooks "$shared/docs/runbooks"

FROM ${BASE}
# A system user with no login; its home holds SQLite files and keys when no database URL is set.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/jwtpizza --create-home \
        --shell /usr/sbin/nologin jwtpizza
COPY --from=build /opt/jwtpizza /opt/jwtpizza
COPY deploy/image/healthcheck.py /opt/jwtpizza/healthcheck.py
ENV PATH=/opt/jwtpizza/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    JWTPIZZA_DATA_DIR=/var/lib/jwtpizza \
    JWTPIZZA_HOST=0.0.0.0 \
    JWTPIZZA_FACTORY_HOST=0.0.0.0 \
    JWTPIZZA_OPS_HOST=0.0.0.0
USER jwtpizza
WORKDIR /var/lib/jwtpizza
EXPOSE 3000 4000 3300
# uvicorn finishes the requests in flight on SIGTERM and exits; orchestrators send SIGTERM.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python3", "/opt/jwtpizza/healthcheck.py"]
ENTRYPOINT ["jwtpizza"]
CMD ["service"]
