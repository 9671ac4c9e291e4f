"""Bounded work per request, against a live ``scholargate serve``: caps on repeated
parameters (facets, methods, form fields) with a 400/413 that names the cap, and saved
comparisons that are rate-limited per client, capped in number, and read from a file
whose malformed lines are skipped, never a reason not to start."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest

from scholargate.namespaces import METHOD
from scholargate.services.saved import comparison_id, describe

from .conftest import LiveServer, Reply, start_server, stop_server

SAVE_RATE = 2
SAVED_MAX = 6
BOUND = 10.0  # seconds: a refusal comes at once, not after the work it refuses
SEEDED = [str(METHOD["lora"]), str(METHOD["bert-fine-tuning"])]
SEEDED_ID = comparison_id(SEEDED, "seed")
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[LiveServer]:
    """A server whose saved-comparisons file holds one good record between bad lines."""
    folder = tmp_path_factory.mktemp("bounded")
    saved = folder / "comparisons.nt"
    record = describe(SEEDED_ID, SEEDED, "seed", datetime(2024, 1, 1, tzinfo=UTC))
    saved.write_bytes(
        b"this line is not N-Triples\n"
        + record.serialize(format="nt", encoding="utf-8")
        + b'<https://w3id.org/scholargate/comparison/0123456789ab> "cut off\n'
    )
    settings = {
        "SAVED": str(saved),
        "SAVE_RATE": str(SAVE_RATE),
        "SAVED_MAX": str(SAVED_MAX),
        "WORKERS": "2",
    }
    live = start_server(folder, settings, project_root)
    yield live
    stop_server(live)


def _from(server: LiveServer, address: str, method: str, path: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> Reply:  # fmt: skip
    """A request from another loopback address: another client to the server."""
    return server.request(method, path, body=body, headers=headers, source=address)


def _save(server: LiveServer, address: str, methods: list[str]) -> Reply:
    body = urlencode({"m": ",".join(methods)}).encode()
    headers = {**JSON, "Content-Type": "application/x-www-form-urlencoded"}
    return _from(server, address, "POST", "/compare/save", body, headers)


def _slugs(server: LiveServer, count: int) -> list[str]:
    listing = server.request("GET", "/methods.json", headers=JSON).json()
    return [item["slug"] for item in listing["items"][:count]]


def _refusal(reply: Reply, status: int, *words: str) -> dict:
    assert reply.status == status, reply.text[:300]
    body = reply.json()
    assert set(body) >= {"error", "status", "message"} and body["status"] == status
    for word in words:
        assert word in body["message"], body["message"]
    assert reply.seconds < BOUND
    return body


# ---- facets, methods, form fields ------------------------------------------------------


def test_more_facet_values_than_the_cap_is_400_at_once(bounded: LiveServer) -> None:
    query = urlencode([("field", f"field-{i}") for i in range(50)])
    _refusal(bounded.request("GET", f"/methods.json?{query}"), 400, "at most 10")


def test_200_facet_parameters_are_400_at_once(bounded: LiveServer) -> None:
    # used to take 13 s of CPU (500: never finished)
    query = urlencode([("field", f"f-{i}") for i in range(200)])
    _refusal(bounded.request("GET", f"/methods.json?{query}"), 400, "at most 100")


def test_repeated_facet_values_count_once(bounded: LiveServer) -> None:
    field = bounded.request("GET", "/methods.json", headers=JSON).json()["facets"]["field"][0]
    query = urlencode([("field", field["slug"])] * 50)
    reply = bounded.request("GET", f"/methods.json?{query}")
    assert reply.status == 200 and reply.json()["total"] == field["count"]


def test_facet_values_up_to_the_cap_answer(bounded: LiveServer) -> None:
    facets = bounded.request("GET", "/methods.json", headers=JSON).json()["facets"]
    pairs = [(name, v["slug"]) for name in ("field", "family", "type") for v in facets[name][:10]]
    reply = bounded.request("GET", f"/methods.json?{urlencode(pairs)}")
    assert reply.status == 200 and reply.seconds < BOUND


def test_500_m_parameters_are_400(bounded: LiveServer) -> None:
    query = urlencode([("m", f"m{i}") for i in range(500)])
    _refusal(bounded.request("GET", f"/compare.json?{query}"), 400, "at most")


def test_more_methods_than_the_cap_in_one_parameter_is_400(bounded: LiveServer) -> None:
    names = ",".join(f"m{i}" for i in range(500))
    _refusal(bounded.request("GET", f"/compare.json?m={names}"), 400, "at most 20")


def test_a_name_longer_than_the_cap_is_400(bounded: LiveServer) -> None:
    _refusal(bounded.request("GET", f"/compare.json?m={'a' * 201}"), 400, "at most 200")


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("m=" + ",".join(f"method-{i}" for i in range(75_000)), 400, ("at most 20",)),
        ("&".join(f"m=method-{i}" for i in range(65_000)), 413, ("at most 100",)),
        ("m=" + "a" * 1_000_000, 400, ("at most 200",)),
    ],
    ids=["one-field-of-names", "many-fields", "one-long-name"],
)
def test_a_megabyte_form_to_compare_is_refused_at_once(
    bounded: LiveServer, body: str, status: int, words: tuple[str, ...]
) -> None:
    # a 1 MB form used to keep a worker busy for 86 s
    assert 900_000 < len(body) <= 1_048_576
    headers = {**JSON, "Content-Type": "application/x-www-form-urlencoded"}
    reply = bounded.request("POST", "/compare/save", body=body.encode(), headers=headers)
    _refusal(reply, status, *words)


def test_the_server_still_answers_after_the_refusals(bounded: LiveServer) -> None:
    assert bounded.healthy()


# ---- saved comparisons -------------------------------------------------------------------


def test_a_malformed_saved_line_is_skipped_and_the_others_load(bounded: LiveServer) -> None:
    reply = bounded.request("GET", f"/comparison/{SEEDED_ID}.json")
    assert reply.status == 200
    assert [c["slug"] for c in reply.json()["columns"]] == ["lora", "bert-fine-tuning"]
    assert "skipped" in bounded.log.read_text()


@pytest.mark.parametrize("cid", ["d551e14234bc%3E", "ABCDEF123456", "x%22%7D%7B", "1" * 13])
def test_a_malformed_comparison_id_is_404(bounded: LiveServer, cid: str) -> None:
    _refusal(bounded.request("GET", f"/comparison/{cid}", headers=JSON), 404, "twelve")


def test_saves_over_the_rate_are_429_with_retry_after(bounded: LiveServer) -> None:
    slugs = _slugs(bounded, 8)
    client = "127.0.0.2"
    for pair in ([slugs[0], slugs[1]], [slugs[1], slugs[0]]):
        assert _save(bounded, client, pair).status in (200, 201)
    reply = _save(bounded, client, [slugs[2], slugs[3]])
    _refusal(reply, 429, f"{SAVE_RATE} new comparisons")
    assert 1 <= int(reply.header("retry-after")) <= 60
    # saving one that exists is no new write: it is found, whatever the rate
    again = _save(bounded, client, [slugs[0], slugs[1]])
    assert again.status == 200 and again.json()["created"] is False
    assert _save(bounded, "127.0.0.3", [slugs[2], slugs[3]]).status in (200, 201)


def test_saved_comparisons_are_capped_in_number(bounded: LiveServer) -> None:
    slugs = _slugs(bounded, 12)
    created: list[list[str]] = []
    refused = None
    for n, pair in enumerate(itertools.permutations(slugs[4:], 2)):
        reply = _save(bounded, f"127.0.1.{n + 1}", list(pair))  # a new client each time
        if reply.status == 507:
            refused = reply
            break
        assert reply.status == 201, reply.text[:300]
        created.append(list(pair))
        assert len(created) < SAVED_MAX
    assert refused is not None and created
    _refusal(refused, 507, f"at most {SAVED_MAX}")
    found = _save(bounded, "127.0.2.1", created[0])  # one it keeps is still found
    assert found.status == 200 and found.json()["created"] is False
