"""The one `socketio` object; handlers import it from here, never from the package above."""

from __future__ import annotations

from flask_socketio import SocketIO

socketio = SocketIO()
