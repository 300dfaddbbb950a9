"""Socket.IO handlers, one module per concern, and the background work that announces what rooms do.

Importing the package registers every handler on the one `socketio` object.
"""

from __future__ import annotations

from . import actions, chat, connection, control, dispatch, files, history, lifecycle, typing
from .expiry import start_reaper
from .lifecycle import shut_down

__all__ = [
    "actions",
    "chat",
    "connection",
    "control",
    "dispatch",
    "files",
    "history",
    "lifecycle",
    "shut_down",
    "start_reaper",
    "typing",
]
