"""The polite client against misbehaving endpoints on 127.0.0.1: Retry-After obeyed,
timeouts, the byte cap, malformed answers, the redirect policy, one request in flight."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import formatdate

import pytest

from scholargate.services.link.client import SparqlClient, retry_after
from scholargate.services.link.errors import (
    EndpointTimeoutError,
    LinkError,
    MalformedResponseError,
    RedirectRefusedError,
    ResponseTooLargeError,
    ThrottledError,
)
from scholargate.services.link.mappings import Mapping

from . import servers
from .servers import Scripted, Silent

QUERY = 'SELECT ?x WHERE { VALUES ?x { "a" } }'
ROW = [{"x": {"type": "literal", "value": "a", "xml:lang": "EN"}}]
OK = servers.answer(ROW, ["x"])


def client_for(mapping_for: Callable[..., Mapping], url: str, **settings: object) -> SparqlClient:
    return SparqlClient(mapping_for(url, **settings).client)


def test_answer_is_read_with_sparqlwrapper(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[OK])
    results = client_for(mapping_for, server.url).select(QUERY)
    assert results.variables == ["x"]
    assert results.rows[0]["x"].value == "a" and results.rows[0]["x"].lang == "en"
    (hit,) = server.hits
    assert hit.method == "GET" and "query=" in hit.path
    assert "format=" not in hit.path  # content negotiation only
    assert hit.headers["Accept"].startswith("application/sparql-results+json")
    assert hit.headers["User-Agent"].startswith("ScholarGate/")
    assert "https://w3id.org/scholargate/" in hit.headers["User-Agent"]


def test_long_query_goes_by_post(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[OK])
    long_query = QUERY.replace('"a"', " ".join(f'"{n}"' for n in range(2000)))
    client_for(mapping_for, server.url).select(long_query)
    (hit,) = server.hits
    assert hit.method == "POST" and b"query=" in hit.body


def test_429_retry_after_is_obeyed(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.too_many("2"), OK])
    client = client_for(mapping_for, server.url)
    started = time.monotonic()
    results = client.select(QUERY)
    elapsed = time.monotonic() - started
    assert results.rows and len(server.hits) == 2
    assert elapsed >= 2.0, f"asked again after {elapsed:.2f} s, before Retry-After: 2"
    assert client.stats.retries == 1 and client.stats.waited == 2.0


def test_503_retry_after_http_date_is_obeyed(mapping_for, scripted) -> None:
    when = formatdate(time.time() + 2, usegmt=True)
    server: Scripted = scripted(script=[servers.unavailable(when), OK])
    started = time.monotonic()
    client_for(mapping_for, server.url).select(QUERY)
    assert time.monotonic() - started >= 1.0  # the date has a one-second resolution
    assert len(server.hits) == 2


def test_429_without_retry_after_waits_the_default(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.too_many(None), OK])
    waits: list[float] = []
    client = SparqlClient(
        mapping_for(server.url, default_retry_after=42, max_wait=60).client, sleep=waits.append
    )
    client.select(QUERY)
    assert waits == [42]


def test_503_without_retry_after_backs_off_exponentially(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.unavailable(), servers.unavailable(), OK])
    waits: list[float] = []
    client = SparqlClient(mapping_for(server.url, retries=3).client, sleep=waits.append)
    client.select(QUERY)
    assert waits == [1.0, 2.0]


def test_retry_after_beyond_the_cap_fails_at_once(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.too_many("3600"), OK])
    started = time.monotonic()
    with pytest.raises(ThrottledError) as caught:
        client_for(mapping_for, server.url, max_wait=10).select(QUERY)
    assert time.monotonic() - started < 2
    assert "3600" in caught.value.message and len(server.hits) == 1


def test_gives_up_after_the_retries(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.unavailable("0")] * 5)
    with pytest.raises(ThrottledError):
        client_for(mapping_for, server.url, retries=2).select(QUERY)
    assert len(server.hits) == 3


def test_never_answers_times_out(mapping_for, silent: Silent) -> None:
    started = time.monotonic()
    with pytest.raises(EndpointTimeoutError):
        client_for(mapping_for, silent.url, timeout=1.5).select(QUERY)
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 4, elapsed  # not retried
    assert len(silent.connections) == 1


def test_total_timeout_covers_a_slow_body(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.slow(3, OK)])
    started = time.monotonic()
    with pytest.raises(EndpointTimeoutError):
        client_for(mapping_for, server.url, timeout=1).select(QUERY)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_oversized_body_is_cut_at_the_cap(mapping_for, scripted, announce: bool) -> None:
    server: Scripted = scripted(script=[servers.oversized(5_000_000, announce=announce)])
    with pytest.raises(ResponseTooLargeError) as caught:
        client_for(mapping_for, server.url, max_bytes=100_000).select(QUERY)
    assert "100000" in caught.value.message


@pytest.mark.parametrize(
    "behaviour",
    [servers.malformed_midway, servers.truncated, servers.html_page, servers.answer([1], ["x"])],
    ids=["malformed-json", "truncated", "html", "wrong-shape"],
)
def test_malformed_answer_fails(mapping_for, scripted, behaviour) -> None:
    server: Scripted = scripted(script=[behaviour])
    with pytest.raises(MalformedResponseError):
        client_for(mapping_for, server.url).select(QUERY)
    assert len(server.hits) == 1  # not retried


def test_error_status_names_the_endpoint(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[lambda h: h.send(400, b"Parse error: line 1")])
    with pytest.raises(LinkError) as caught:
        client_for(mapping_for, server.url).select(QUERY)
    assert server.url in caught.value.message and "400" in caught.value.message
    assert "Parse error" in caught.value.message


def test_redirect_to_a_disallowed_host_is_not_followed(mapping_for, scripted) -> None:
    elsewhere: Scripted = scripted(script=[OK])
    server: Scripted = scripted(script=[servers.redirect(elsewhere.url + "?query=x")])
    with pytest.raises(RedirectRefusedError) as caught:
        client_for(mapping_for, server.url).select(QUERY)
    assert elsewhere.hits == []
    assert elsewhere.url in caught.value.message


def test_redirect_on_the_same_host_and_port_is_followed(mapping_for, scripted) -> None:
    server: Scripted = scripted()
    server.script[:] = [servers.redirect(server.url.replace("/sparql", "/v2/sparql"), 307), OK]
    results = client_for(mapping_for, server.url).select(QUERY)
    assert results.rows and [h.path.split("?")[0] for h in server.hits] == ["/sparql", "/v2/sparql"]


def test_redirect_to_an_allowed_host_is_followed(mapping_for, scripted) -> None:
    elsewhere: Scripted = scripted(script=[OK])
    server: Scripted = scripted(script=[servers.redirect(elsewhere.url + "?query=x", 301)])
    client = client_for(mapping_for, server.url, allowed_hosts=[f"127.0.0.1:{elsewhere.port}"])
    assert client.select(QUERY).rows
    assert len(elsewhere.hits) == 1


def test_one_request_in_flight_per_endpoint(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[servers.slow(0.3, OK) for _ in range(4)])
    clients = [client_for(mapping_for, server.url) for _ in range(2)]
    threads = [threading.Thread(target=clients[n % 2].select, args=(QUERY,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.hits) == 4 and server.most_in_flight == 1


def test_min_interval_spaces_requests(mapping_for, scripted) -> None:
    server: Scripted = scripted(script=[OK, OK])
    client = client_for(mapping_for, server.url, min_interval=0.5)
    started = time.monotonic()
    client.select(QUERY)
    client.select(QUERY)
    assert time.monotonic() - started >= 0.5


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0", 0.0), (None, None), ("soon", None)],
)
def test_retry_after_header_forms(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds


def test_retry_after_date_in_the_past_is_zero() -> None:
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
