"""A room under a guessing storm, in Chromium: an honest person joins as always, and the page does the work.

Wrong passwords come through the API from several loopback addresses, as from a
botnet. The server asks joins for a proof of work at a low difficulty, so the
page's WebCrypto solver takes a moment even on a loaded machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, Request, expect

from ephemeral.ratelimit import WRONG_PASSWORD_PER_ADDRESS, WRONG_PASSWORD_PER_ROOM
from tests.browser.support import PASSWORD, expect_connected
from tests.support.people import Person
from tests.support.proofs import solve
from tests.support.server import RunningServer, running_server

BITS = "10"
# Four fifths of the room's wrong-password burst: a storm that outlasts this test (the bucket takes 18 s to
# refill to half), with tokens left for honest joins (an empty bucket refuses everyone, proof or not).
STORM_GUESSES = int(WRONG_PASSWORD_PER_ROOM.burst) * 4 // 5
PER_ADDRESS = int(WRONG_PASSWORD_PER_ADDRESS.burst)


@pytest.fixture
def stormy_server(tmp_path: Path) -> Iterator[RunningServer]:
    env = {"EPHEMERAL_PROOF_DIFFICULTY": BITS, "EPHEMERAL_PROOF_DIFFICULTY_PROCESS": BITS}
    with running_server(tmp_path, "gevent", env=env) as server:
        yield server


def joins_sent(page: Page, link: str) -> list[dict[str, list[str]]]:
    """The form bodies of every join `page` sends from now on."""
    sent: list[dict[str, list[str]]] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url == link:
            sent.append(parse_qs(request.post_data or "", keep_blank_values=True))

    page.on("request", record)
    return sent


def guess(guesser: Person, room_id: str, password: str) -> None:
    """A wrong password; once the room asks for proofs, a guesser that pays them, as a determined botnet would."""
    path, body = f"/api/rooms/{room_id}/join", {"alias": "eve", "password": password}
    answer = guesser.post_json(path, body)
    if answer.status_code == 428:
        challenge = answer.json()
        answer = guesser.post_json(path, {**body, "proof": solve(challenge["challenge"], challenge["difficulty"])})
    assert answer.status_code == 403, answer.text


def fill_join_form(page: Page, alias: str) -> None:
    expect(page.get_by_role("heading", name="Join this room")).to_be_visible()
    page.fill("#alias", alias)
    page.fill("#password", PASSWORD)


def test_an_honest_person_joins_through_a_storm_without_doing_anything_more(
    stormy_server: RunningServer, new_page: Callable[..., Page], page_errors: list[str]
) -> None:
    url = stormy_server.url
    host = Person(url)
    room_id = host.create(alias="ann", password=PASSWORD).json()["room_id"]
    link = f"{url}/r/{room_id}"

    # Before any storm: a join is one request, with no challenge on the page and no proof in the form.
    calm = new_page()
    calm_joins = joins_sent(calm, link)
    calm.goto(link)
    expect(calm.locator("#join-form")).not_to_have_attribute("data-challenge", re.compile(".*"))
    fill_join_form(calm, "bea")
    calm.get_by_role("button", name="Join room").click()
    expect_connected(calm)
    assert len(calm_joins) == 1 and "proof" not in calm_joins[0]

    # Someone opens the link now and fills the form slowly: the storm starts meanwhile.
    early = new_page()
    early_joins = joins_sent(early, link)
    early.goto(link)
    fill_join_form(early, "cleo")

    guessers = [Person(url) for _ in range(STORM_GUESSES // PER_ADDRESS + 1)]
    assert len({guesser.address for guesser in guessers}) == len(guessers)
    for n in range(STORM_GUESSES):
        guess(guessers[n % len(guessers)], room_id, f"guess {n}")
    assert guessers[0].join(room_id, alias="eve", password=PASSWORD).status_code == 428

    # Someone who opens the link in the storm gets a challenge with the page, and the page solves it.
    late = new_page()
    late_joins = joins_sent(late, link)
    late.goto(link)
    expect(late.locator("#join-form")).to_have_attribute("data-challenge", re.compile(r"^1\."))
    fill_join_form(late, "dan")
    late.get_by_role("button", name="Join room").click()
    expect_connected(late)
    assert [len(body["proof"][0]) > 0 for body in late_joins] == [True]

    # The early page sends without a proof, is told to bring one, solves it and sends again: password and all.
    early.get_by_role("button", name="Join room").click()
    expect_connected(early)
    assert ["proof" in body and body["proof"][0] != "" for body in early_joins] == [False, True]
    assert early_joins[1]["password"] == [PASSWORD]

    for person in (host, *guessers):
        person.close()
    # Chromium reports the one refusal the early page met; nothing else may complain.
    assert [error for error in page_errors if "status of 428" not in error] == []
    assert len(page_errors) <= 1
