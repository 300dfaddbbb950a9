"""The edits in tests/vectors/e2e-v1.json: a message's new text sealed under the edit label, bound to the
original message's id; what opens, and what must be refused (another id, author or room, and a message's
envelope taken for an edit and back)."""

from __future__ import annotations

from typing import Any

from ephemeral_client import crypto

from .e2e_v1_inputs import (
    EDITS,
    FROM,
    MESSAGE_ID,
    OTHER_FROM,
    OTHER_MESSAGE_ID,
    OTHER_ROOM_ID,
    ROOM_ID,
    SID,
    TS,
    b64,
    fixed,
)


def edit_entries(message_key: bytes) -> list[dict[str, Any]]:
    """Edits sealed in ROOM_ID by FROM with page-load id SID, key `ascii`: each opens as its `message`."""
    entries = []
    for index, case in enumerate(EDITS):
        iv = fixed(f"edit iv {index}", 12)
        where = (ROOM_ID, FROM, case["message_id"], SID, case["n"])
        envelope = crypto.seal_edit(message_key, *where, case["message"], iv=iv)
        entries.append(
            {
                "id": case["id"],
                "key": "ascii",
                "room_id": ROOM_ID,
                "from": FROM,
                "message_id": case["message_id"],
                "sid": b64(SID),
                "n": case["n"],
                "iv": b64(iv),
                "message": case["message"],
                "plaintext_bytes": len(crypto.padded(**case["message"])),
                "envelope": envelope,
            }
        )
    return entries


def edit_opens(edits: list[dict[str, Any]], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Envelopes opened `as` an edit (of `message_id`) or as a message, with key `ascii`: `expect` null is a refusal."""
    edit, message = edits[0], messages[0]
    envelope = edit["envelope"]
    ct = crypto.b64url_decode(envelope["ct"])
    flipped = bytearray(ct)
    flipped[0] ^= 0x80
    # (why, as, envelope, room id, from, message id, expect)
    cases: list[tuple[str, str, dict[str, Any], str, str, str | None, dict[str, Any] | None]] = [
        ("the edit, for its message, author and room", "edit", envelope, ROOM_ID, FROM, MESSAGE_ID, edit["message"]),
        ("the edit for another message id", "edit", envelope, ROOM_ID, FROM, OTHER_MESSAGE_ID, None),
        ("the edit for an id differing in case", "edit", envelope, ROOM_ID, FROM, MESSAGE_ID.lower(), None),
        ("the edit by another author", "edit", envelope, ROOM_ID, OTHER_FROM, MESSAGE_ID, None),
        ("the edit in another room", "edit", envelope, OTHER_ROOM_ID, FROM, MESSAGE_ID, None),
        # Length-prefixed fields: bytes moved from the id to the author make other AAD bytes.
        ("bytes of the id moved to the author", "edit", envelope, ROOM_ID, FROM + MESSAGE_ID[:4], MESSAGE_ID[4:], None),
        (
            "the edit with another sid",
            "edit",
            {**envelope, "sid": b64(fixed("other sid", 8))},
            ROOM_ID,
            FROM,
            MESSAGE_ID,
            None,
        ),
        ("the edit with another n", "edit", {**envelope, "n": envelope["n"] + 1}, ROOM_ID, FROM, MESSAGE_ID, None),
        (
            "the edit with a flipped bit in ct",
            "edit",
            {**envelope, "ct": b64(bytes(flipped))},
            ROOM_ID,
            FROM,
            MESSAGE_ID,
            None,
        ),
        ("the edit opened as a message", "message", envelope, ROOM_ID, FROM, None, None),
        ("a message's envelope opened as an edit", "edit", message["envelope"], ROOM_ID, FROM, MESSAGE_ID, None),
        ("a message's envelope as an edit of an empty id", "edit", message["envelope"], ROOM_ID, FROM, "", None),
    ]
    keys = ("why", "as", "envelope", "room_id", "from", "message_id", "expect")
    return [{"key": "ascii", **dict(zip(keys, case, strict=True))} for case in cases]


def bad_edit_seals() -> list[dict[str, Any]]:
    """Edits that sealEdit must refuse (in ROOM_ID from FROM, key `ascii`)."""
    good = {"room_id": ROOM_ID, "from": FROM, "message_id": MESSAGE_ID, "sid": b64(SID), "n": 0}
    message = {"a": "Ann", "t": "<p>hi</p>", "ts": TS}
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("a message id with a lone surrogate", {"message_id": "Zx8k\udc00"}, {}),
        ("a message id that is not text", {"message_id": 12}, {}),
        ("no message id", {"message_id": None}, {}),
        ("n negative", {"n": -1}, {}),
        ("sid of 7 bytes", {"sid": b64(SID[:7])}, {}),
        ("more than 32 KiB of ct", {}, {"t": "x" * 32_500}),
        ("ts with a fraction", {}, {"ts": 1.5}),
    ]
    return [
        {"why": why, "key": "ascii", **good, **where, "message": {**message, **change}} for why, where, change in cases
    ]
