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
from ephemeral.services import services  # noqa: E402
from ephemeral.serving import server_options  # noqa: E402

SHUTDOWN_FLUSH_SECONDS = 0.5
log = logging.getLogger("ephemeral")


def _install_shutdown(app: Any) -> None:
    """SIGTERM/SIGINT: every room is purged with reason `shutdown`, then the process exits."""

    def shut_down() -> None:
        with app.app_context():
            registry = services().registry
            closures = registry.close_all("shutdown")  # rooms in Redis outlive one process
            for closure in closures:
                events.announce_closure(closure)
            for change in registry.leave():
                events.announce_presence(change)
        log.info("shutting down, closed %d rooms", len(closures))
        socketio.sleep(SHUTDOWN_FLUSH_SECONDS)
        logging.shutdown()
        os._exit(0)

    def on_signal(*_args: object) -> None:
        socketio.start_background_task(shut_down)

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
    log.info("serving on port %d", settings.port)
    socketio.run(app, host=settings.host, port=settings.port, **server_options(settings.async_mode))


if __name__ == "__main__":
    main()
