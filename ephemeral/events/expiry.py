"""The reaper: closes expired rooms, tends shared presence, forgets refilled buckets, collects garbage."""

from __future__ import annotations

import logging

from flask import Flask

from .. import collector, logs
from ..extensions import socketio
from ..logs import Safe
from ..services import services
from . import announce

REAP_INTERVAL = 0.25  # seconds; expiry fires well within 1 s of expires_at
log = logging.getLogger("ephemeral")


def reap_forever(app: Flask) -> None:
    """Background task, every `REAP_INTERVAL`: a room past its time gets `purged` (`expired`) and closes."""
    while True:
        socketio.sleep(REAP_INTERVAL)
        try:
            with app.app_context():
                svc = services()
                announce.notices(svc.registry.upkeep())
                svc.limits.sweep()
            collector.tend()
            logs.report_due()
        except Exception as error:  # noqa: BLE001 - the reaper must never stop
            log.error("reaper failed with %s", Safe(type(error).__qualname__))


def start_reaper(app: Flask) -> None:
    socketio.start_background_task(reap_forever, app)
