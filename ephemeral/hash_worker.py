"""A bcrypt worker: runs the server's hashes in a process of its own, so they never hold the server's GIL.

Started by `hashing.py` with this file's path (not as part of the package), so
it imports bcrypt and nothing of the app, and sees none of the app's settings.
One request per line on standard input, one answer per line on standard output:

    hash <cost> <secret>        ->  ok <hash> <cpu-seconds>
    check <secret> <hashed>     ->  ok <1 or 0> <cpu-seconds>
    anything else, or a fault   ->  error

Byte fields are base64. The end of standard input (the server has gone) ends the worker.
It writes nothing else anywhere: the secrets it sees never reach a log.
"""

from __future__ import annotations

import base64
import contextlib
import os
import sys
import time

import bcrypt

# Below the server's own priority: whenever the event loop, a proxy or Redis wants
# a core, it gets it before bcrypt (docs/decisions.md has the measurements).
NICENESS = 10


def answer(line: bytes) -> bytes:
    """The answer line for one request line; raises on anything malformed."""
    op, *fields = line.split()
    began = time.process_time()
    if op == b"hash":
        cost, secret = int(fields[0]), base64.b64decode(fields[1], validate=True)
        result = bcrypt.hashpw(secret, bcrypt.gensalt(cost))
    elif op == b"check":
        secret, hashed = (base64.b64decode(field, validate=True) for field in fields)
        result = b"1" if bcrypt.checkpw(secret, hashed) else b"0"
    else:
        raise ValueError("unknown request")
    spent = time.process_time() - began
    return b"ok %s %.6f\n" % (base64.b64encode(result), spent)


def main() -> None:
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # whatever the server had open is none of its business
    with contextlib.suppress(OSError):  # not allowed: hashes run at the server's priority
        os.nice(NICENESS)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    for line in requests:
        try:
            reply = answer(line)
        except Exception:  # noqa: BLE001 - a bad hash or request: the server raises it, the worker lives on
            reply = b"error\n"
        answers.write(reply)
        answers.flush()


if __name__ == "__main__":
    main()
