"""The per-address connection bound counts clients as the rate limits do, and steps aside behind a proxy."""

from __future__ import annotations

import io

import pytest

from ephemeral.config import Settings
from ephemeral.slow_clients import ConnectionCounts, DeadlineReader, Guard, LateBody, warn_if_one_client_can_fill

# (first connection's address, second's, same client?)
CLIENTS = [
    (("203.0.113.7", 40000), ("203.0.113.7", 40001), True),
    (("203.0.113.7", 40000), ("203.0.113.8", 40000), False),
    (("::ffff:203.0.113.7", 40000, 0, 0), ("203.0.113.7", 40001), True),
    (("2001:db8:1:2::1", 40000, 0, 0), ("2001:db8:1:2:ffff::9", 40001, 0, 0), True),
    (("2001:db8:1:2::1", 40000, 0, 0), ("2001:db8:1:3::1", 40000, 0, 0), False),
]


@pytest.mark.parametrize(("first", "second", "same"), CLIENTS)
def test_a_client_is_its_address_or_its_ipv6_64(first, second, same):
    counts = ConnectionCounts(bound=1)
    assert counts.admit(first) is not None
    assert (counts.admit(second) is None) is same


def test_past_the_bound_a_connection_is_refused_until_one_ends():
    counts = ConnectionCounts(bound=2)
    keys = [counts.admit(("198.51.100.1", port)) for port in (1, 2)]
    assert None not in keys
    assert counts.admit(("198.51.100.1", 3)) is None
    counts.release(keys[0])
    assert counts.admit(("198.51.100.1", 4)) is not None


def test_counts_keep_keyed_hashes_and_forget_clients_with_no_connection():
    counts = ConnectionCounts(bound=5)
    key = counts.admit(("198.51.100.1", 1))
    assert key and "198.51.100.1" not in key
    counts.release(key)
    assert len(counts) == 0


def test_behind_a_trusted_proxy_there_is_no_bound():
    assert Guard.from_settings(Settings(max_connections_per_address=7)).per_address == 7
    guard = Guard.from_settings(Settings(max_connections_per_address=7, trusted_proxies=1))
    assert guard.per_address is None
    counts = ConnectionCounts(guard.per_address)
    assert all(counts.admit(("127.0.0.1", port)) is not None for port in range(100))


def test_a_late_body_is_not_read_and_shuts_the_connection():
    shut = []

    def never(_seconds):
        raise AssertionError("no read should be attempted")

    body = io.BytesIO(b"x" * 10)
    reader = DeadlineReader(body, deadline=0.0, start_timer=never, on_late=lambda: shut.append(True))
    with pytest.raises(LateBody) as error:
        reader.read(10)
    assert isinstance(error.value, ConnectionResetError)  # what the servers take for a client gone
    assert shut == [True]
    assert body.tell() == 0


def test_start_warns_when_one_address_could_take_every_connection(caplog):
    warn_if_one_client_can_fill(Guard(per_address=100), capacity=1000)
    warn_if_one_client_can_fill(Guard(per_address=None), capacity=10)
    assert not caplog.records
    warn_if_one_client_can_fill(Guard(per_address=1000), capacity=896)
    assert [record.levelname for record in caplog.records] == ["WARNING"]
