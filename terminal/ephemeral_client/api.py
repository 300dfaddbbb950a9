"""The JSON API (docs/protocol.md), over one requests session: the proxy the environment names, the session
cookie in memory only, and proofs of work paid when a guessing storm asks for them."""

from __future__ import annotations

import hashlib
import itertools
import os
from typing import Any

import requests

__all__ = ["ApiError", "Server", "http_session"]

TIMEOUT = 30.0
# A join is sent again at most this often with a proof: each 428 carries a fresh challenge.
PROOF_TRIES = 3


class ApiError(Exception):
    """A refusal: the protocol's error `code` (a transport failure is `unreachable`) and `retry_after`."""

    def __init__(self, code: str, retry_after: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


def http_session(server: str) -> requests.Session:
    """A session that reads nothing from disk but a CA bundle named by the environment, and goes through the
    proxy HTTPS_PROXY / HTTP_PROXY names unless NO_PROXY exempts the server. The proxies are set on the
    session itself, so the Socket.IO client, which reads them there, takes its WebSocket through them too."""
    session = requests.Session()
    session.trust_env = False  # no ~/.netrc; the proxies and CA bundle are taken here, once
    session.proxies = dict(requests.utils.get_environ_proxies(server))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
    if bundle:
        session.verify = bundle
    session.headers["User-Agent"] = "ephemeral-chat"
    return session


def _solved(challenge: str, difficulty: int) -> str:
    """`challenge:counter` whose SHA-256 starts with `difficulty` zero bits."""
    for counter in itertools.count():
        proof = f"{challenge}:{counter}"
        if int.from_bytes(hashlib.sha256(proof.encode()).digest()) >> (256 - difficulty) == 0:
            return proof
    raise AssertionError("unreachable")


class Server:
    """One Ephemeral server, as one person: every call shares the session's cookie jar."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = http_session(base_url)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        try:
            return self.http.request(method, self.base_url + path, json=body, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise ApiError("unreachable") from error

    @staticmethod
    def _answer(response: requests.Response, ok: int) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == ok and isinstance(body, dict):
            return body
        code = body.get("error") if isinstance(body, dict) else None
        retry = response.headers.get("Retry-After", "")
        raise ApiError(code if isinstance(code, str) else f"http_{response.status_code}",
                       int(retry) if retry.isdigit() else None)  # fmt: skip

    def door(self, room_id: str) -> dict[str, Any]:
        """`GET /api/rooms/<id>`: the room's mode and, server-blind, its key parameters."""
        return self._answer(self._call("GET", f"/api/rooms/{room_id}"), 200)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._answer(self._call("POST", "/api/rooms", body), 201)

    def join(self, room_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Join, paying the proof of work a guessing storm asks for."""
        path = f"/api/rooms/{room_id}/join"
        response = self._call("POST", path, body)
        for _ in range(PROOF_TRIES):
            if response.status_code != 428:
                break
            asked = response.json()
            proof = _solved(str(asked["challenge"]), int(asked["difficulty"]))
            response = self._call("POST", path, {**body, "proof": proof})
        return self._answer(response, 200)

    def close(self) -> None:
        self.http.close()
