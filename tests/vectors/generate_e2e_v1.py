"""Writes tests/vectors/e2e-v1.json from fixed inputs with the Python implementation (ephemeral_client/crypto.py).

Run `python -m tests.vectors.generate_e2e_v1` after a deliberate change to v1 (there should be none: v1 is
frozen once rooms use it). The Node tests then hold static/js/e2e/crypto.js to what this wrote, and pytest holds
the Python side to it, so a change on one side alone fails one of them.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from ephemeral_client import crypto

from .e2e_v1_edits import bad_edit_seals, edit_entries, edit_opens
from .e2e_v1_inputs import FROM, KEYS, LONG, MESSAGES, NON_ASCII, OUT, ROOM_ID, SALT, SALT_2, SID, b64, fixed
from .e2e_v1_refusals import bad_kdf, bad_seals, base64url_cases, open_entries


def key_entries() -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    entries, message_keys = [], {}
    for case in KEYS:
        keys = crypto.derive_keys(case["password"], case["salt"], case["iter"], case["link"])
        message_keys[case["id"]] = keys.message_key
        entries.append(
            {
                "id": case["id"],
                "password": case["password"],
                "salt": b64(case["salt"]),
                "iter": case["iter"],
                "link_secret": b64(case["link"]),
                "verifier": keys.verifier,
            }
        )
    verifiers = {entry["id"]: entry["verifier"] for entry in entries}
    assert KEYS[4]["password"] != NON_ASCII and verifiers["nfd"] == verifiers["non_ascii"]
    assert len(LONG) == 1024 and len(set(verifiers.values())) == len(verifiers) - 1
    return entries, message_keys


def name_entries(message_keys: dict[str, bytes]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    names = [
        {"key": "ascii", "name": "Book club", "iv": b64(fixed("name iv", 12))},
        {"key": "non_ascii", "name": "Café ☕ 読書会 🔖", "iv": b64(fixed("name iv 2", 12))},
    ]
    salts = {case["id"]: case["salt"] for case in KEYS}
    for entry in names:
        entry["salt"] = b64(salts[entry["key"]])
        entry["name_ct"] = crypto.seal_name(
            message_keys[entry["key"]], salts[entry["key"]], entry["name"], iv=crypto.b64url_decode(entry["iv"])
        )
    good = crypto.b64url_decode(names[0]["name_ct"])

    def flipped(at: int) -> str:
        data = bytearray(good)
        data[at] ^= 0x01
        return b64(bytes(data))

    iv = fixed("name iv 3", 12)
    not_utf8 = iv + AESGCM(message_keys["ascii"]).encrypt(iv, b"Caf\xe9", crypto.name_aad(SALT))
    cases = [
        ("wrong password", "wrong_password", SALT, names[0]["name_ct"]),
        ("wrong link secret", "wrong_link", SALT, names[0]["name_ct"]),
        ("another room's salt", "ascii", SALT_2, names[0]["name_ct"]),
        ("a flipped bit in iv", "ascii", SALT, flipped(0)),
        ("a flipped bit in ct", "ascii", SALT, flipped(12)),
        ("a flipped bit in tag", "ascii", SALT, flipped(len(good) - 1)),
        ("cut to 27 bytes", "ascii", SALT, b64(good[:27])),
        ("with padding", "ascii", SALT, names[0]["name_ct"] + "="),
        ("a name that is not UTF-8", "ascii", SALT, b64(not_utf8)),
    ]
    bad = [{"why": why, "key": key, "salt": b64(salt), "name_ct": name_ct} for why, key, salt, name_ct in cases]
    return names, bad


def message_entries(message_key: bytes) -> list[dict[str, Any]]:
    entries = []
    for index, case in enumerate(MESSAGES):
        iv = fixed(f"message iv {index}", 12)
        envelope = crypto.seal_message(message_key, ROOM_ID, FROM, SID, case["n"], case["message"], iv=iv)
        plaintext = crypto.padded(**case["message"])
        entries.append(
            {
                "id": case["id"],
                "key": "ascii",
                "room_id": ROOM_ID,
                "from": FROM,
                "sid": b64(SID),
                "n": case["n"],
                "iv": b64(iv),
                "message": case["message"],
                "plaintext_bytes": len(plaintext),
                "envelope": envelope,
            }
        )
    largest = entries[-1]
    assert len(crypto.b64url_decode(largest["envelope"]["ct"])) <= 32 * 1024
    assert entries[3]["plaintext_bytes"] == 256 and entries[4]["plaintext_bytes"] == 512
    return entries


def build() -> dict[str, Any]:
    keys, message_keys = key_entries()
    names, bad_names = name_entries(message_keys)
    messages = message_entries(message_keys["ascii"])
    edits = edit_entries(message_keys["ascii"])
    return {
        "about": (
            "Interop vectors for server-blind rooms, v1 (the formulas head static/js/e2e/crypto.js). Written by "
            "tests/vectors/generate_e2e_v1.py with ephemeral_client/crypto.py; checked by "
            "tests/unit/test_e2e_crypto.py (Python) and tests/js/e2e_crypto.test.mjs (static/js/e2e/crypto.js). "
            "Binary values are base64url without padding; an envelope is opened in its entry's room_id from its "
            "`from` (an edit's also for its message_id, and an edit_opens entry `as` an edit or a message), and "
            "`expect` null means it must be refused."
        ),
        "keys": keys,
        "bad_kdf": bad_kdf(),
        "names": names,
        "bad_names": bad_names,
        "messages": messages,
        "opens": open_entries(message_keys["ascii"], messages),
        "bad_seals": bad_seals(),
        "edits": edits,
        "edit_opens": edit_opens(edits, messages),
        "bad_edit_seals": bad_edit_seals(),
        "base64url": base64url_cases(),
    }


def main() -> None:
    text = json.dumps(build(), indent=1, ensure_ascii=True)
    OUT.write_text(text + "\n", encoding="ascii")
    print(f"wrote {OUT.name}: {len(text)} characters")


if __name__ == "__main__":
    main()
