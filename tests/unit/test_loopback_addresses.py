"""Every test Person speaks from its own address, or one test's rate-limit budget leaks into another's."""

import ipaddress
import itertools

from tests.support.people import loopback_addresses


def test_a_run_of_test_people_never_shares_an_address():
    addresses = list(itertools.islice(loopback_addresses(), 70_000))
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses)
    assert "127.0.0.1" not in addresses  # the address the test proxies reach the app from
    assert not any(a.endswith((".0", ".255")) for a in addresses)
