# Ephemeral: one gevent process holding every room in memory.
# BASE may be any Debian-like image (glibc 2.36+) with CPython 3.11, its venv
# module and useradd, so a rebuild on a patched base needs no edit. Pin it by
# digest, as python:3.11-slim@sha256:<digest> (`docker buildx imagetools
# inspect python:3.11-slim` prints the current one), so that a tag moved
# upstream cannot change what is built.
ARG BASE=python:3.11-slim
FROM ${BASE}

# Bytecode is compiled below, so nothing needs writing at run time: the root
# file system can be read-only.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    EPHEMERAL_HOST=0.0.0.0 \
    EPHEMERAL_PORT=5000

# A fixed numeric id, so an orchestrator can tell it is not root without /etc/passwd.
RUN groupadd --system --gid 10001 ephemeral \
    && useradd --system --uid 10001 --gid ephemeral --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin ephemeral

# Dependencies first: this layer is rebuilt only when requirements.lock changes.
# Every wheel must match a SHA-256 in the lock (`make lock` writes it from
# requirements.txt), so nothing else can be installed under a pinned name; no
# source builds. pip byte-compiles what it installs.
COPY requirements.lock /opt/ephemeral/requirements.lock
RUN python3 -m venv /opt/venv \
    && PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/venv/bin/pip install --no-cache-dir \
        --require-virtualenv --require-hashes --only-binary=:all: -r /opt/ephemeral/requirements.lock

WORKDIR /opt/ephemeral
COPY app.py ./
COPY ephemeral/ ephemeral/
COPY templates/ templates/
COPY static/ static/
COPY translations/ translations/
# Hash-checked bytecode stays valid whatever happens to file times on the way.
# app.py runs as __main__, which Python never loads from bytecode.
RUN python3 -m compileall -q --invalidation-mode checked-hash ephemeral

# Everything above stays owned by root: the service cannot change its own code.
USER 10001:10001
EXPOSE 5000
# No curl in the image; the port follows EPHEMERAL_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/opt/venv/bin/python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('EPHEMERAL_PORT', '5000') + '/healthz', timeout=4)"]
# Exec form: the server gets SIGTERM itself, purges every room and exits 0.
CMD ["/opt/venv/bin/python3", "/opt/ephemeral/app.py"]
