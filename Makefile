# Ephemeral: `make run` serves it, `make test` proves it. Both set up what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_DEPS := $(VENV)/.run-deps
TEST_DEPS := $(VENV)/.test-deps
BENCH_DEPS := $(VENV)/.bench-deps
NODE_PEER_DEPS := bench/node_peer/node_modules/.installed

.PHONY: run test test-deploy lint unit integration browser system-deps deploy-deps clean bench bench-quick bench-system-deps lock

run: $(RUN_DEPS)
	$(PY) app.py

test: $(TEST_DEPS) system-deps lint
	$(PY) -m pytest

lint: $(TEST_DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

unit: $(TEST_DEPS)
	$(PY) -m pytest tests/unit

integration: $(TEST_DEPS)
	$(PY) -m pytest tests/integration

browser: $(TEST_DEPS) system-deps
	$(PY) -m pytest tests/browser

# Builds the container image from a Debian base made with debootstrap (cached
# between runs) and runs it with buildah; needs root. Not part of `make test`.
test-deploy: $(TEST_DEPS) deploy-deps
	$(PY) -m pytest tests/deploy -rA --durations=5

# requirements.lock, which the image installs with --require-hashes: the wheels of
# requirements.txt's pins, downloaded from PyPI and hashed. Run after changing a pin.
lock: $(RUN_DEPS)
	$(PY) -m scripts.lock_requirements

# Benchmarks against a bare Flask-SocketIO floor, a bare socket.io 4 Node peer and a bare websockets ceiling;
# writes bench/results/latest.{md,json} (a full run also bench/RESULTS.md).
bench: $(BENCH_DEPS) bench-system-deps
	$(PY) -m bench --profile full

bench-quick: $(BENCH_DEPS)
	$(PY) -m bench --profile quick

# The multi-process scenario starts its own redis-server.
bench-system-deps:
	@sh scripts/install-system-deps.sh redis-server

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUN_DEPS): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(TEST_DEPS): requirements.txt requirements-test.txt terminal/pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt -r requirements-test.txt
	$(PY) -m pip install -q --no-deps -e ./terminal
	touch $(RUN_DEPS) $@

# websockets (load generator, ceiling) comes with the test requirements: the
# bench smoke test needs it too. bench/requirements.txt adds the profiler.
$(BENCH_DEPS): bench/requirements.txt $(TEST_DEPS) $(NODE_PEER_DEPS)
	$(PY) -m pip install -q -r bench/requirements.txt
	touch $@

# The Node peer's socket.io, exactly as locked, in its own folder.
$(NODE_PEER_DEPS): bench/node_peer/package.json bench/node_peer/package-lock.json
	cd bench/node_peer && npm ci --no-audit --no-fund
	touch $@

# translations/messages.pot from the templates, the server's N_() words and static/js/strings/en.js, and
# every language's catalog brought up to date with it (new words arrive empty). Run after changing words.
.PHONY: strings
strings: $(TEST_DEPS)
	$(PY) -m scripts.strings

# README images: the real server and Debian's Chromium, light and dark, desktop and phone.
# The reactions need a colour emoji font and the Arabic chat an Arabic one; without them they come out as boxes.
.PHONY: screenshots
screenshots: $(TEST_DEPS)
	@sh scripts/install-system-deps.sh chromium
	@fc-list | grep -q "Noto Color Emoji" && fc-list | grep -q "Noto Sans Arabic" || if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-color-emoji fonts-noto-core >/dev/null; \
	else echo "Fonts missing: run 'sudo apt-get install --no-install-recommends fonts-noto-color-emoji fonts-noto-core' once." >&2; fi
	$(PY) -m scripts.screenshots

# Browser tests drive Debian's Chromium (Playwright cannot download its own
# here); proxy and shared-store tests start their own nginx and redis-server;
# the client's JavaScript tests run under Debian's Node.
system-deps:
	@sh scripts/install-system-deps.sh chromium nginx redis-server openssl nodejs

deploy-deps:
	@sh scripts/install-system-deps.sh buildah podman debootstrap

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
