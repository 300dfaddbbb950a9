"""Which Redis errors mean "the store cannot take this now" (503 `unavailable`) and which are a bug (500).

The full-memory case runs against a real redis-server in `integration/test_full_redis.py`;
this table holds the replies a test cannot easily make a real server give.
"""

from __future__ import annotations

import pytest
import redis
from redis._parsers.base import BaseParser

from ephemeral.errors import Unavailable
from ephemeral.rooms.redis_client import reachable, store_cannot_take_it_now

# Replies as the server words them; redis-py's own parser turns each into its exception.
NOT_NOW = [
    "OOM command not allowed when used memory > 'maxmemory'.",
    "READONLY You can't write against a read only replica.",
    "LOADING Redis is loading the dataset in memory",
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
    "TRYAGAIN Multiple keys request during rehashing of slot",
    "CLUSTERDOWN The cluster is down",
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    "ERR max number of clients reached",
]
BUGS = [
    "ERR wrong number of arguments for 'hget' command",
    "WRONGTYPE Operation against a key holding the wrong kind of value",
    "NOSCRIPT No matching script. Please use EVAL.",
    "ERR Error running script (call to f_0123): @user_script:1: user_script:1: Script attempted to access nonexistent global variable 'x'",  # noqa: E501
]


@pytest.mark.parametrize("reply", NOT_NOW, ids=[reply.split()[0] for reply in NOT_NOW])
def test_the_store_cannot_take_it_now(reply: str) -> None:
    error = BaseParser.parse_error(reply)
    assert store_cannot_take_it_now(error)
    with pytest.raises(Unavailable), reachable():
        raise error


@pytest.mark.parametrize("reply", BUGS, ids=[reply.split()[0] for reply in BUGS])
def test_other_errors_stay_what_they_are(reply: str) -> None:
    error = BaseParser.parse_error(reply)
    assert not store_cannot_take_it_now(error)
    with pytest.raises(type(error)), reachable():
        raise error


@pytest.mark.parametrize("error", [redis.ConnectionError("refused"), redis.TimeoutError("timed out")])
def test_an_outage_is_unavailable(error: redis.RedisError) -> None:
    with pytest.raises(Unavailable), reachable():
        raise error
