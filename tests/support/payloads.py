"""Reading server payloads in tests: who is present, and who purged, by alias."""

from __future__ import annotations

from typing import Any

PARTICIPANT_FIELDS = {"id", "alias", "role"}


def aliases(payload: dict[str, Any]) -> list[str]:
    """The aliases of a `welcome` or `presence`, in the server's order; every entry has an id and a role."""
    people = payload["participants"]
    assert all(set(person) == PARTICIPANT_FIELDS for person in people), people
    return [person["alias"] for person in people]


def notice(purged: dict[str, Any]) -> dict[str, Any]:
    """A `purged` event with `by` reduced to the purger's alias (its id checked present)."""
    by = purged["by"]
    assert by is None or set(by) == {"id", "alias"}, by
    return {**purged, "by": by and by["alias"]}
