"""Which address a request comes from (naranara/client_address.py): the socket's peer,
or with NARA_TRUSTED_PROXY_HOPS=N the N-th X-Forwarded-For entry from the right."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.requests import Request

from naranara import client_address
from naranara.settings import get_settings


@pytest.mark.parametrize(
    ("peer", "forwarded", "hops", "expected"),
    [
        # No proxy trusted: the header is anyone's to write, and ignored.
        ("203.0.113.5", None, 0, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.7", 0, "203.0.113.5"),
        ("203.0.113.5", "1.2.3.4, 198.51.100.7", 0, "203.0.113.5"),
        # One proxy (nginx) appends the address it was reached from: the last entry.
        ("10.0.0.2", "198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),  # the client's own claim
        ("10.0.0.2", " 6.6.6.6 ,198.51.100.7 ", 1, "198.51.100.7"),
        # Two proxies (a load balancer, then nginx): second from the right.
        ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", 2, "198.51.100.7"),
        # Fewer entries than proxies (a request that went around them): the peer.
        ("10.0.0.2", "198.51.100.7", 2, "10.0.0.2"),
        ("10.0.0.2", "", 1, "10.0.0.2"),
        ("10.0.0.2", None, 1, "10.0.0.2"),
        (None, None, 0, None),
        ("", None, 0, None),
    ],
)
def test_the_client_is_decided_by_the_trusted_hops(
    peer: str | None, forwarded: str | None, hops: int, expected: str | None
) -> None:
    assert client_address.decide(peer, forwarded, hops) == expected


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request(
        {
            "type": "http",
            "headers": headers,
            "client": (peer, 50000),
            "path": "/",
            "query_string": b"",
        }
    )


def _state(peer: str, forwarded: str | None) -> SimpleNamespace:
    headers = {"asgi-scope-client": peer} | ({"x-forwarded-for": forwarded} if forwarded else {})
    return SimpleNamespace(
        router=SimpleNamespace(
            headers=SimpleNamespace(raw_headers=headers),
            session=SimpleNamespace(client_ip=peer),
        )
    )


@pytest.mark.parametrize("hops", ["0", "1", "2"])
def test_http_routes_and_events_agree(monkeypatch: pytest.MonkeyPatch, hops: str) -> None:
    monkeypatch.setenv("NARA_TRUSTED_PROXY_HOPS", hops)
    get_settings.cache_clear()
    try:
        for forwarded in (None, "198.51.100.7", "6.6.6.6, 198.51.100.7, 10.0.0.1"):
            expected = client_address.decide("10.0.0.2", forwarded, int(hops))
            assert client_address.of_request(_request("10.0.0.2", forwarded)) == expected
            assert client_address.of_state(_state("10.0.0.2", forwarded)) == expected
    finally:
        get_settings.cache_clear()


def test_behind_a_proxy_without_the_setting_everyone_is_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Why the README says to set it: with 0, every person behind nginx is 10.0.0.2.
    monkeypatch.setenv("NARA_TRUSTED_PROXY_HOPS", "0")
    get_settings.cache_clear()
    try:
        people = {
            client_address.of_request(_request("10.0.0.2", f"198.51.100.{n}")) for n in range(5)
        }
        assert people == {"10.0.0.2"}
        monkeypatch.setenv("NARA_TRUSTED_PROXY_HOPS", "1")
        get_settings.cache_clear()
        people = {
            client_address.of_request(_request("10.0.0.2", f"198.51.100.{n}")) for n in range(5)
        }
        assert len(people) == 5
    finally:
        get_settings.cache_clear()


def test_a_negative_or_absurd_hop_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("-1", "11"):
        monkeypatch.setenv("NARA_TRUSTED_PROXY_HOPS", value)
        get_settings.cache_clear()
        with pytest.raises(ValueError):
            get_settings()
    get_settings.cache_clear()
