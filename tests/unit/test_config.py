"""Settings: EPHEMERAL_* variables, their defaults, and errors that name the variable."""

from __future__ import annotations

import dataclasses
import traceback
from typing import Any

import pytest

from ephemeral.config import ConfigError, Settings, from_env, with_overrides
from ephemeral.ratelimit import Limit

KEY_32 = "0123456789abcdef0123456789abcdef"

DEFAULTS = [
    ("host", "127.0.0.1"),
    ("port", 5000),
    ("room_ttl", 3600),
    ("async_mode", "gevent"),
    ("max_rooms", 10_000),
    ("max_participants", 50),
    ("max_message_chars", 4000),
    ("max_file_bytes", 10 * 1024 * 1024),
    ("bcrypt_cost", 12),
    ("trusted_proxies", 0),
    ("ping_interval", 10),
    ("ping_timeout", 10),
    ("redis_url", ""),
    ("redis_allow_persistence", False),
    ("redis_connections", 32),
    ("wrong_password_limit_per_address", Limit(burst=10, per_second=10 / 60)),
    ("wrong_password_limit_per_room", Limit(burst=30, per_second=30 / 60)),
    ("create_limit_per_address", Limit(burst=10, per_second=10 / 60)),
    ("message_limit_per_participant", Limit(burst=20, per_second=5)),
    ("bcrypt_queue", 128),
    ("bcrypt_budget", Limit(burst=15, per_second=0.5)),
    ("bcrypt_threads", 1),
    ("bcrypt_wait", 30),
    ("rate_limit_keys", 100_000),
    ("max_sockets_per_binding", 16),
    ("max_sockets_per_address", 512),
    ("connect_limit_per_binding", Limit(burst=20, per_second=20 / 60)),
    ("connect_deadline", 10),
    ("header_timeout", 10),
    ("max_connections_per_address", 1000),
    ("proof_difficulty", 14),
    ("proof_difficulty_process", 14),
    ("storm_limit_per_process", Limit(burst=20, per_second=2)),
    ("report_limit_per_address", Limit(burst=5, per_second=5 / 600)),
    ("host_grace", 30),
    ("admin_token", ""),
]


@pytest.mark.parametrize(("field", "expected"), DEFAULTS)
def test_default_when_unset(field: str, expected: object) -> None:
    assert getattr(from_env({}), field) == expected


def test_defaults_table_covers_every_setting_but_the_key() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert names - {field for field, _ in DEFAULTS} == {"secret_key"}


def test_other_environment_variables_are_ignored() -> None:
    settings = from_env({"PORT": "1", "EPHEMERAL_UNKNOWN": "x", "HOME": "/root"})
    assert settings.port == 5000


PARSED = [
    ("EPHEMERAL_HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("EPHEMERAL_HOST", "  ::1  ", "host", "::1"),
    ("EPHEMERAL_PORT", "8080", "port", 8080),
    ("EPHEMERAL_PORT", " 8080 ", "port", 8080),
    ("EPHEMERAL_PORT", "0", "port", 0),
    ("EPHEMERAL_PORT", "65535", "port", 65535),
    ("EPHEMERAL_ROOM_TTL", "2", "room_ttl", 2),
    ("EPHEMERAL_ROOM_TTL", "604800", "room_ttl", 604800),
    ("EPHEMERAL_SECRET_KEY", KEY_32, "secret_key", KEY_32.encode()),
    ("EPHEMERAL_SECRET_KEY", "é" * 16, "secret_key", ("é" * 16).encode()),  # 32 bytes, 16 chars
    ("EPHEMERAL_ASYNC_MODE", "eventlet", "async_mode", "eventlet"),
    ("EPHEMERAL_ASYNC_MODE", " GEVENT ", "async_mode", "gevent"),
    ("EPHEMERAL_MAX_ROOMS", "1", "max_rooms", 1),
    ("EPHEMERAL_MAX_PARTICIPANTS", "2", "max_participants", 2),
    ("EPHEMERAL_MAX_MESSAGE_CHARS", "100000", "max_message_chars", 100_000),
    ("EPHEMERAL_MAX_FILE_BYTES", "0", "max_file_bytes", 0),
    ("EPHEMERAL_MAX_FILE_BYTES", "1048576", "max_file_bytes", 1_048_576),
    ("EPHEMERAL_BCRYPT_COST", "4", "bcrypt_cost", 4),
    ("EPHEMERAL_BCRYPT_COST", "31", "bcrypt_cost", 31),
    ("EPHEMERAL_TRUSTED_PROXIES", "2", "trusted_proxies", 2),
    ("EPHEMERAL_PING_INTERVAL", "25", "ping_interval", 25),
    ("EPHEMERAL_PING_TIMEOUT", "60", "ping_timeout", 60),
    ("EPHEMERAL_REDIS_URL", "redis://:pw@redis:6379/0", "redis_url", "redis://:pw@redis:6379/0"),
    ("EPHEMERAL_REDIS_URL", " unix:///run/redis.sock ", "redis_url", "unix:///run/redis.sock"),
    ("EPHEMERAL_REDIS_ALLOW_PERSISTENCE", "1", "redis_allow_persistence", True),
    ("EPHEMERAL_REDIS_ALLOW_PERSISTENCE", "no", "redis_allow_persistence", False),
    ("EPHEMERAL_REDIS_CONNECTIONS", "4", "redis_connections", 4),
    ("EPHEMERAL_WRONG_PASSWORD_LIMIT_PER_ADDRESS", "100/60", "wrong_password_limit_per_address", Limit(100, 100 / 60)),
    ("EPHEMERAL_WRONG_PASSWORD_LIMIT_PER_ROOM", " 5/10 ", "wrong_password_limit_per_room", Limit(5, 0.5)),
    ("EPHEMERAL_CREATE_LIMIT_PER_ADDRESS", "500/3600", "create_limit_per_address", Limit(500, 500 / 3600)),
    ("EPHEMERAL_MESSAGE_LIMIT_PER_PARTICIPANT", "10/0.5", "message_limit_per_participant", Limit(10, 20)),
    ("EPHEMERAL_BCRYPT_QUEUE", "0", "bcrypt_queue", 0),
    ("EPHEMERAL_BCRYPT_BUDGET", "60/60", "bcrypt_budget", Limit(60, 1.0)),
    ("EPHEMERAL_BCRYPT_THREADS", "2", "bcrypt_threads", 2),
    ("EPHEMERAL_BCRYPT_WAIT", "600", "bcrypt_wait", 600),
    ("EPHEMERAL_RATE_LIMIT_KEYS", "1000000", "rate_limit_keys", 1_000_000),
    ("EPHEMERAL_MAX_SOCKETS_PER_BINDING", "1000", "max_sockets_per_binding", 1000),
    ("EPHEMERAL_MAX_SOCKETS_PER_ADDRESS", "1", "max_sockets_per_address", 1),
    ("EPHEMERAL_CONNECT_LIMIT_PER_BINDING", "5/30", "connect_limit_per_binding", Limit(5, 5 / 30)),
    ("EPHEMERAL_CONNECT_DEADLINE", "300", "connect_deadline", 300),
    ("EPHEMERAL_HEADER_TIMEOUT", "1", "header_timeout", 1),
    ("EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS", "100000", "max_connections_per_address", 100_000),
    ("EPHEMERAL_PROOF_DIFFICULTY", "0", "proof_difficulty", 0),
    ("EPHEMERAL_PROOF_DIFFICULTY_PROCESS", "30", "proof_difficulty_process", 30),
    ("EPHEMERAL_STORM_LIMIT_PER_PROCESS", "100000/60", "storm_limit_per_process", Limit(100_000, 100_000 / 60)),
    ("EPHEMERAL_REPORT_LIMIT_PER_ADDRESS", "2/60", "report_limit_per_address", Limit(2, 2 / 60)),
    ("EPHEMERAL_HOST_GRACE", "0", "host_grace", 0),
    ("EPHEMERAL_HOST_GRACE", "3600", "host_grace", 3600),
    ("EPHEMERAL_ADMIN_TOKEN", f" {KEY_32} ", "admin_token", KEY_32),
]


@pytest.mark.parametrize(("variable", "raw", "field", "expected"), PARSED)
def test_variable_parsed(variable: str, raw: str, field: str, expected: object) -> None:
    # A key is given because Redis needs one; a secret key case overrides it.
    assert getattr(from_env({"EPHEMERAL_SECRET_KEY": KEY_32, variable: raw}), field) == expected


def test_redis_without_a_shared_secret_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="EPHEMERAL_SECRET_KEY") as error:
        from_env({"EPHEMERAL_REDIS_URL": "redis://:hunter2@redis:6379/0"})
    assert "hunter2" not in str(error.value)


def test_every_setting_has_a_parsed_case() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert names == {field for _, _, field, _ in PARSED}


def test_one_variable_leaves_the_others_at_default() -> None:
    settings = from_env({"EPHEMERAL_PORT": "8080"})
    assert (settings.port, settings.room_ttl, settings.host) == (8080, 3600, "127.0.0.1")


@pytest.mark.parametrize("field", [field for field, _ in DEFAULTS] + ["secret_key"])
def test_empty_string_means_default(field: str) -> None:
    variable = "EPHEMERAL_" + field.upper()
    settings = from_env({variable: ""})
    if field == "secret_key":
        assert len(settings.secret_key) >= 32
    else:
        assert getattr(settings, field) == dict(DEFAULTS)[field]


BAD = [
    pytest.param("EPHEMERAL_PORT", "eighty", id="port-not-a-number"),
    pytest.param("EPHEMERAL_PORT", "80.5", id="port-fraction"),
    pytest.param("EPHEMERAL_PORT", "-1", id="port-negative"),
    pytest.param("EPHEMERAL_PORT", "65536", id="port-too-high"),
    pytest.param("EPHEMERAL_PORT", "70000", id="port-far-too-high"),
    pytest.param("EPHEMERAL_PORT", "   ", id="port-blank"),
    pytest.param("EPHEMERAL_HOST", "   ", id="host-blank"),
    pytest.param("EPHEMERAL_ROOM_TTL", "0", id="ttl-zero"),
    pytest.param("EPHEMERAL_ROOM_TTL", "604801", id="ttl-over-a-week"),
    pytest.param("EPHEMERAL_ROOM_TTL", "1h", id="ttl-with-unit"),
    pytest.param("EPHEMERAL_SECRET_KEY", "short-secret-value", id="secret-short"),
    pytest.param("EPHEMERAL_SECRET_KEY", "x" * 31, id="secret-31-bytes"),
    pytest.param("EPHEMERAL_SECRET_KEY", "é" * 15 + "x", id="secret-31-bytes-multibyte"),
    pytest.param("EPHEMERAL_ASYNC_MODE", "threading", id="async-threading"),
    pytest.param("EPHEMERAL_ASYNC_MODE", "asyncio", id="async-asyncio"),
    pytest.param("EPHEMERAL_MAX_ROOMS", "0", id="max-rooms-zero"),
    pytest.param("EPHEMERAL_MAX_ROOMS", "lots", id="max-rooms-not-a-number"),
    pytest.param("EPHEMERAL_MAX_ROOMS", "-1", id="max-rooms-negative"),
    pytest.param("EPHEMERAL_MAX_PARTICIPANTS", "1", id="max-participants-one"),
    pytest.param("EPHEMERAL_MAX_PARTICIPANTS", "10001", id="max-participants-too-many"),
    pytest.param("EPHEMERAL_MAX_PARTICIPANTS", "many", id="max-participants-not-a-number"),
    pytest.param("EPHEMERAL_MAX_MESSAGE_CHARS", "0", id="max-message-zero"),
    pytest.param("EPHEMERAL_MAX_FILE_BYTES", "-1", id="max-file-negative"),
    pytest.param("EPHEMERAL_MAX_FILE_BYTES", "2147483648", id="max-file-over-a-gib"),
    pytest.param("EPHEMERAL_BCRYPT_COST", "3", id="bcrypt-too-cheap"),
    pytest.param("EPHEMERAL_BCRYPT_COST", "32", id="bcrypt-too-dear"),
    pytest.param("EPHEMERAL_TRUSTED_PROXIES", "-1", id="proxies-negative"),
    pytest.param("EPHEMERAL_TRUSTED_PROXIES", "11", id="proxies-too-many"),
    pytest.param("EPHEMERAL_TRUSTED_PROXIES", "x", id="proxies-not-a-number"),
    pytest.param("EPHEMERAL_PING_INTERVAL", "0", id="ping-interval-zero"),
    pytest.param("EPHEMERAL_PING_TIMEOUT", "301", id="ping-timeout-too-long"),
    pytest.param("EPHEMERAL_REDIS_URL", "http://:hunter2@redis:6379", id="redis-url-scheme"),
    pytest.param("EPHEMERAL_REDIS_ALLOW_PERSISTENCE", "maybe", id="persistence-flag"),
    pytest.param("EPHEMERAL_REDIS_CONNECTIONS", "0", id="no-redis-connections"),
    pytest.param("EPHEMERAL_WRONG_PASSWORD_LIMIT_PER_ADDRESS", "10", id="limit-without-period"),
    pytest.param("EPHEMERAL_WRONG_PASSWORD_LIMIT_PER_ROOM", "0/60", id="limit-zero-burst"),
    pytest.param("EPHEMERAL_CREATE_LIMIT_PER_ADDRESS", "10/0", id="limit-zero-period"),
    pytest.param("EPHEMERAL_MESSAGE_LIMIT_PER_PARTICIPANT", "ten/60", id="limit-not-a-number"),
    pytest.param("EPHEMERAL_MESSAGE_LIMIT_PER_PARTICIPANT", "10/60/2", id="limit-two-slashes"),
    pytest.param("EPHEMERAL_BCRYPT_QUEUE", "-1", id="bcrypt-queue-negative"),
    pytest.param("EPHEMERAL_BCRYPT_BUDGET", "0.5", id="bcrypt-budget-without-period"),
    pytest.param("EPHEMERAL_BCRYPT_THREADS", "0", id="bcrypt-threads-zero"),
    pytest.param("EPHEMERAL_BCRYPT_WAIT", "0", id="bcrypt-wait-zero"),
    pytest.param("EPHEMERAL_BCRYPT_WAIT", "601", id="bcrypt-wait-too-long"),
    pytest.param("EPHEMERAL_RATE_LIMIT_KEYS", "10", id="rate-limit-keys-too-few"),
    pytest.param("EPHEMERAL_MAX_SOCKETS_PER_BINDING", "0", id="sockets-per-binding-zero"),
    pytest.param("EPHEMERAL_MAX_SOCKETS_PER_BINDING", "1001", id="sockets-per-binding-too-many"),
    pytest.param("EPHEMERAL_MAX_SOCKETS_PER_ADDRESS", "0", id="sockets-per-address-zero"),
    pytest.param("EPHEMERAL_HEADER_TIMEOUT", "0", id="header-timeout-zero"),
    pytest.param("EPHEMERAL_CONNECT_DEADLINE", "0", id="connect-deadline-zero"),
    pytest.param("EPHEMERAL_CONNECT_DEADLINE", "301", id="connect-deadline-too-long"),
    pytest.param("EPHEMERAL_CONNECT_DEADLINE", "2.5", id="connect-deadline-fraction"),
    pytest.param("EPHEMERAL_HEADER_TIMEOUT", "301", id="header-timeout-too-long"),
    pytest.param("EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS", "0", id="connections-per-address-zero"),
    pytest.param("EPHEMERAL_PROOF_DIFFICULTY", "-1", id="proof-difficulty-negative"),
    pytest.param("EPHEMERAL_PROOF_DIFFICULTY_PROCESS", "31", id="proof-difficulty-beyond-a-phone"),
    pytest.param("EPHEMERAL_STORM_LIMIT_PER_PROCESS", "100001/60", id="storm-count-too-long-to-keep"),
    pytest.param("EPHEMERAL_REPORT_LIMIT_PER_ADDRESS", "5", id="report-limit-without-period"),
    pytest.param("EPHEMERAL_HOST_GRACE", "-1", id="host-grace-negative"),
    pytest.param("EPHEMERAL_HOST_GRACE", "3601", id="host-grace-over-an-hour"),
    pytest.param("EPHEMERAL_ADMIN_TOKEN", "x" * 31, id="admin-token-guessable"),
]


@pytest.mark.parametrize(("variable", "raw"), BAD)
def test_bad_value_raises_config_error_naming_the_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as error:
        from_env({variable: raw})
    assert variable in str(error.value)


@pytest.mark.parametrize("raw", ["short-secret-value", "x" * 31, "é" * 15 + "x"])
def test_bad_secret_key_is_not_echoed(raw: str) -> None:
    with pytest.raises(ConfigError) as error:
        from_env({"EPHEMERAL_SECRET_KEY": raw})
    shown = "".join(traceback.format_exception(error.value))
    assert "EPHEMERAL_SECRET_KEY" in shown
    assert raw not in shown
    assert raw not in repr(error.value)


def test_bad_admin_token_is_not_echoed() -> None:
    raw = "operator-token-too-short"
    with pytest.raises(ConfigError) as error:
        from_env({"EPHEMERAL_ADMIN_TOKEN": raw})
    shown = "".join(traceback.format_exception(error.value))
    assert "EPHEMERAL_ADMIN_TOKEN" in shown
    assert raw not in shown


def test_secrets_stay_out_of_the_settings_repr() -> None:
    shown = repr(from_env({"EPHEMERAL_SECRET_KEY": KEY_32, "EPHEMERAL_ADMIN_TOKEN": "t" * 40}))
    assert KEY_32 not in shown
    assert "t" * 40 not in shown


def test_config_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        from_env({"EPHEMERAL_PORT": "eighty"})


def test_secret_key_is_random_per_settings_when_unset() -> None:
    first, second = Settings(), Settings()
    assert len(first.secret_key) >= 32
    assert len(second.secret_key) >= 32
    assert first.secret_key != second.secret_key


def test_secret_key_is_random_per_process_read_when_unset() -> None:
    assert from_env({}).secret_key != from_env({}).secret_key


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


OVERRIDES: list[tuple[dict[str, Any], str, object]] = [
    ({"ROOM_TTL": 2}, "room_ttl", 2),
    ({"BCRYPT_COST": 4}, "bcrypt_cost", 4),
    ({"MAX_PARTICIPANTS": 3}, "max_participants", 3),
    ({"ASYNC_MODE": "eventlet"}, "async_mode", "eventlet"),
]


@pytest.mark.parametrize(("overrides", "field", "expected"), OVERRIDES)
def test_with_overrides_sets_field_by_upper_case_name(overrides: dict[str, Any], field: str, expected: object) -> None:
    base = from_env({"EPHEMERAL_SECRET_KEY": KEY_32})
    changed = with_overrides(base, overrides)
    assert getattr(changed, field) == expected
    assert dataclasses.replace(changed, **{field: getattr(base, field)}) == base


def test_with_overrides_leaves_the_original_alone() -> None:
    base = Settings()
    changed = with_overrides(base, {"ROOM_TTL": 2})
    assert base.room_ttl == 3600
    assert changed.room_ttl == 2
    assert changed.secret_key == base.secret_key


def test_with_overrides_rejects_an_unknown_name() -> None:
    with pytest.raises(TypeError):
        with_overrides(Settings(), {"ROOM_TLL": 2})
