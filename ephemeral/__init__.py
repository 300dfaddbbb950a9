"""Ephemeral: chat rooms that forget. `create_app()` builds the service."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import i18n, logs
from .after_connect import run_after_connect
from .config import Settings, from_env, with_overrides
from .connect_deadline import close_unconnected_sessions
from .direct_sends import send_directly
from .early_refusal import EarlyRefusal
from .extensions import socketio
from .fanout import client_manager, listen_now
from .hash_gate import HashGate
from .malformed import count_malformed_packets
from .packets import JsonFirstPacket
from .passwords import PasswordHasher, bcrypt_for, make_offload
from .pings import ping_on_timers
from .proof_of_work import ProofGate, ProofOfWork
from .ratelimit import FILE_PROGRESS_PER_PARTICIPANT, TYPING_PER_PARTICIPANT, Clock, TokenBuckets
from .rooms import MemoryRegistry, RoomStore
from .services import Limits, Services
from .serving import ignore_reserved_client_events, refuse_binary_packets
from .session_cookie import SessionInterface
from .socket_limits import SocketsPerAddress
from .storm import StormWatch
from .websockets import configure_websockets

__all__ = ["create_app", "socketio"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Largest JSON body: a 1024-character password of astral characters, escaped.
MAX_BODY_BYTES = 32 * 1024


class EphemeralFlask(Flask):
    def log_exception(self, exc_info: Any) -> None:
        """Flask's default names the request path, which holds a room id."""
        self.logger.error("unhandled exception\n%s", logs.Safe(logs.describe_exception(exc_info[0], exc_info[2])))


def _limits(settings: Settings, clock: Clock) -> Limits:
    keys = settings.rate_limit_keys
    return Limits(
        wrong_password_by_address=TokenBuckets(settings.wrong_password_limit_per_address, clock, keys),
        wrong_password_by_room=TokenBuckets(settings.wrong_password_limit_per_room, clock, keys),
        create_by_address=TokenBuckets(settings.create_limit_per_address, clock, keys),
        messages_by_participant=TokenBuckets(settings.message_limit_per_participant, clock, keys),
        reports_by_address=TokenBuckets(settings.report_limit_per_address, clock, keys),
        typing_by_participant=TokenBuckets(TYPING_PER_PARTICIPANT, clock, keys),
        file_progress_by_participant=TokenBuckets(FILE_PROGRESS_PER_PARTICIPANT, clock, keys),
    )


def _registry(settings: Settings, hasher: PasswordHasher) -> RoomStore:
    """Rooms in this process's memory, or in Redis when several processes share them."""
    rules: dict[str, Any] = {  # the same rules for either store
        "ttl": settings.room_ttl,
        "max_rooms": settings.max_rooms,
        "max_participants": settings.max_participants,
        "max_sockets_per_binding": settings.max_sockets_per_binding,
        "connect_limit": settings.connect_limit_per_binding,
        "host_grace": settings.host_grace,
    }
    if not settings.redis_url:
        return MemoryRegistry(hasher, **rules)
    from .rooms.redis import RedisRegistry  # only deployments with Redis import it
    from .rooms.redis_client import connect

    client = connect(
        settings.redis_url, allow_persistence=settings.redis_allow_persistence, connections=settings.redis_connections
    )
    return RedisRegistry(client, hasher, **rules)


def create_app(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None, clock: Clock = time.monotonic
) -> Flask:
    """Build the app from EPHEMERAL_* variables, with optional overrides for tests (and a clock for the limits)."""
    environ = os.environ if environ is None else environ
    settings: Settings = with_overrides(from_env(environ), overrides or {})
    logs.configure()

    app = EphemeralFlask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    app.session_interface = SessionInterface()
    i18n.install(app, ROOT)

    gate = HashGate(settings.bcrypt_threads, settings.bcrypt_queue, settings.bcrypt_wait, settings.bcrypt_budget)
    offload = make_offload(settings.async_mode, settings.bcrypt_threads)
    hasher = PasswordHasher(settings.secret_key, settings.bcrypt_cost, offload, gate, bcrypt_for(settings.async_mode))
    registry = _registry(settings, hasher)
    limits = _limits(settings, clock)
    storms = StormWatch(
        limits.wrong_password_by_room,
        settings.storm_limit_per_process,
        room_bits=settings.proof_difficulty,
        process_bits=settings.proof_difficulty_process,
        clock=clock,
        # `under_pressure=gate.under_pressure` would make a spent bcrypt budget a storm too; left out
        # because an honest class joining at once spends over half of it, and would then pay proofs.
    )
    proofs = ProofGate(storms, ProofOfWork(settings.secret_key), registry.spend_proof)
    sockets = SocketsPerAddress(settings.max_sockets_per_address)
    app.extensions["ephemeral"] = Services(settings, registry, hasher, limits, storms, proofs, sockets)

    from . import admin, api, events, headers, http_errors, reports, testhooks, views  # events registers handlers

    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(reports.blueprint)
    if settings.admin_token:  # without it the operator's routes do not exist: a plain 404, as any unknown path
        app.register_blueprint(admin.blueprint)
    http_errors.register(app)
    frame_limit = settings.frame_bytes
    socketio.init_app(
        app,
        async_mode=settings.async_mode,
        # We check Origin ourselves in the connect handler, to answer `unauthorized`.
        cors_allowed_origins=[],
        max_http_buffer_size=frame_limit,
        client_manager=client_manager(settings.redis_url, settings.redis_connections),
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        logger=False,
        engineio_logger=False,
        # Each event is handled by the green thread that read it, in order, with no new green thread per event.
        async_handlers=False,
        serializer=JsonFirstPacket,
    )
    events.dispatch.serve(socketio.server, app)  # client events without Flask's request context per event
    configure_websockets(socketio.server.eio, frame_limit)
    ping_on_timers(socketio.server.eio)
    send_directly(socketio.server.eio)
    ignore_reserved_client_events(socketio.server)
    run_after_connect(socketio.server)
    close_unconnected_sessions(socketio.server, settings.connect_deadline)
    listen_now(socketio.server)
    count_malformed_packets(socketio.server)  # before refuse_binary_packets, which wraps it
    refuse_binary_packets(socketio.server)
    # Refused joins and creations are answered before Socket.IO's middleware and Flask read them.
    app.wsgi_app = EarlyRefusal(app.wsgi_app, app)  # type: ignore[method-assign]
    app.wsgi_app = headers.SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    if settings.trusted_proxies:
        # Outside Socket.IO's middleware too, so sockets see the public scheme and host.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if testhooks.enabled(environ):
        testhooks.register(app)
    return app
