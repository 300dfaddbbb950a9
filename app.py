"""Entry point: `python app.py` serves Ephemeral with settings from EPHEMERAL_* variables."""

from __future__ import annotations

import os
import sys
import warnings

# Green threads must patch the standard library before anything else imports it.
ASYNC_MODE = os.environ.get("EPHEMERAL_ASYNC_MODE", "gevent").strip().lower() or "gevent"
if ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
elif ASYNC_MODE == "eventlet":
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="eventlet")
    import eventlet

    eventlet.monkey_patch()

import logging  # noqa: E402
import signal  # noqa: E402
from typing import Any  # noqa: E402

from ephemeral import collector, create_app, events, socketio  # noqa: E402
from ephemeral.config import ConfigError  # noqa: E402
from ephemeral.serving import max_connections, serve, server_options  # noqa: E402
from ephemeral.slow_clients import Guard, warn_if_one_client_can_fill  # noqa: E402


def _install_shutdown(app: Any) -> None:
    """SIGTERM/SIGINT: the shutdown runs as a green thread, outside the signal handler."""

    def on_signal(*_args: object) -> None:
        socketio.start_background_task(events.shut_down, app)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def main() -> None:
    try:
        app = create_app()
    except ConfigError as error:
        print(f"ephemeral: configuration error: {error}", file=sys.stderr)
        sys.exit(2)
    settings = app.extensions["ephemeral"].settings
    collector.tune(settings.async_mode)
    events.start_reaper(app)
    _install_shutdown(app)
    guard = Guard.from_settings(settings)
    warn_if_one_client_can_fill(guard, max_connections())
    logging.getLogger("ephemeral").info("serving on port %d", settings.port)
    serve(app, socketio, settings.host, settings.port, server_options(settings.async_mode, guard))


if __name__ == "__main__":
    main()
