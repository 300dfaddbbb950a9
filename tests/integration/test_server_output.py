"""What a client sends never comes back out of the server: not as a log line, not as a traceback.

A real server process in each async mode. engine.io words a refused session
with the session id the client made up, inside its format string; with a line
break in it, that would be a forged line in the log. And an exception that
escapes the WSGI app reaches the WSGI server itself, which under eventlet's
default debug mode answers with the traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import ASYNC_MODES
from tests.support.process import HOOKS
from tests.support.server import RunningServer, running_server

MARKER = "MARKER-c2d9"  # stands for what a client sent
FORGED = "FORGED-LINE"
BODY_MARKER = "MARKER-5e1a"  # what a request that fails in the WSGI server sent
# Session ids as a query carries them: each puts a line, or something a terminal acts on, in engine.io's words.
FORGED_SIDS = [
    f"{MARKER}%0A2030-01-01%2000:00:00,000%20ERROR%20ephemeral:%20{FORGED}",
    f"{MARKER}%0D%0A{FORGED}",
    f"{MARKER}%E2%80%A8{FORGED}",  # U+2028
    f"{MARKER}%E2%80%A9{FORGED}",  # U+2029
    f"{MARKER}%C2%85{FORGED}",  # NEL
    f"{MARKER}%1B%5B2K%1B%5B1A%1B%5D0;{FORGED}%07",  # erase the line, move up, set the terminal's title
    MARKER + "A" * 6_000 + FORGED,
]
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")


@pytest.fixture(scope="module", params=ASYNC_MODES)
def srv(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("output"), request.param, HOOKS) as running:
        yield running


def _lines_after_start(srv: RunningServer) -> list[str]:
    output = srv.output()
    return output[output.index("serving on port") :].splitlines()[1:]


def test_a_forged_session_id_leaves_no_text_and_no_line_of_its_own(srv: RunningServer) -> None:
    polls = f"{srv.url}/socket.io/?EIO=4&transport=polling&sid="
    for sid in FORGED_SIDS:
        for method in ("GET", "POST"):
            answer = requests.request(method, polls + sid, data=b"1", timeout=10)
            assert answer.status_code == 400
        upgrade = requests.get(f"{srv.url}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=10)
        assert upgrade.status_code == 400
    assert requests.get(srv.url + "/healthz", timeout=10).status_code == 200  # every refusal was handled

    output = srv.output()
    assert MARKER not in output and FORGED not in output
    assert "\x1b" not in output and "\u2028" not in output and "\u2029" not in output and "\x85" not in output
    lines = _lines_after_start(srv)
    assert all(LOG_LINE.match(line) or line.startswith("  ") or line.endswith("(message withheld)") for line in lines)
    refusals = [line for line in lines if "engineio" in line]
    assert len(refusals) == 1, refusals  # one line for the kind; the other 20 are counted


def test_an_exception_escaping_the_app_sends_no_traceback(srv: RunningServer) -> None:
    answer = requests.post(srv.url + "/_test/raise-in-body", data=BODY_MARKER, timeout=10)
    assert answer.status_code == 500
    assert "Traceback" not in answer.text and BODY_MARKER not in answer.text and "ForcedFailure" not in answer.text
    assert requests.get(srv.url + "/healthz", timeout=10).status_code == 200
    assert BODY_MARKER not in srv.output()
