"""The ack envelope and the decorators every client event is registered with.

Handlers are thin and always answer: an `{"ok": ...}` ack, never an exception.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from ..errors import INTERNAL_ACK, EphemeralError, RateLimited, Unauthorized
from ..logs import Safe
from ..ratelimit import TokenBuckets
from ..rooms import Speaker
from ..services import Services, services
from . import dispatch

log = logging.getLogger("ephemeral")
Ack = dict[str, Any]
Handler = Callable[[Speaker, object], Ack]
LimitOf = Callable[[Services], TokenBuckets]


def acked(handler: Callable[..., Ack]) -> Callable[..., Ack]:
    """Turn any failure into an `{"ok": false}` ack; nothing reaches the client raw."""

    @functools.wraps(handler)
    def wrapper(*args: Any) -> Ack:
        try:
            return handler(*args)
        except EphemeralError as error:
            return error.ack()
        except Exception as error:  # noqa: BLE001 - the client gets a generic ack
            log.error("unhandled %s in event %s", Safe(type(error).__qualname__), Safe(handler.__name__))
            return dict(INTERNAL_ACK)

    return wrapper


def client_event(name: str) -> Callable[[Callable[[object], Ack]], Callable[[object], Ack]]:
    """Register `handler(payload)` for client event `name`; every outcome becomes an ack."""

    def register(handler: Callable[[object], Ack]) -> Callable[[object], Ack]:
        @acked
        @functools.wraps(handler)
        def on_event(payload: object = None, *_extra: object) -> Ack:
            return handler(payload)

        dispatch.on(name)(on_event)
        return handler

    return register


def message_budget(svc: Services) -> TokenBuckets:
    """Messages, message actions (edit, unsend, react) and host actions draw on one budget per participant: each
    tells the whole room."""
    return svc.limits.messages_by_participant


def charge(buckets: TokenBuckets, participant_id: str) -> None:
    """Take a token for the participant; `rate_limited`, with how long to wait, when there is none."""
    wait = buckets.take(participant_id)
    if wait:
        raise RateLimited("You are sending too fast. Wait a moment.", retry_after=wait)


def participant_event(name: str, *, limit: LimitOf | None = None) -> Callable[[Handler], Handler]:
    """Register `handler(speaker, payload)` for client event `name`, as `client_event` does.

    The socket's participant is looked up first (`unauthorized` without a live
    binding) and, when `limit` is given, charged against `limit(services)`
    keyed by participant id (`rate_limited`).
    """

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def with_speaker(payload: object) -> Ack:
            svc = services()
            speaker = svc.registry.speaker(dispatch.current_sid())
            if speaker is None:
                raise Unauthorized()
            if limit:
                charge(limit(svc), speaker.you.id)
            return handler(speaker, payload)

        client_event(name)(with_speaker)
        return handler

    return register
