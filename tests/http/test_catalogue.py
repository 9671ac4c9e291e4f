"""The hostile catalogue (hostile_cases.tsv), run against the live server.

Every row is one request: a route with an injection payload in its path, a parameter, a
form or a header. For each, the server must give the status a user should get (a
malformed slug is a 404, a malformed parameter a 400, text to search a 200), within the
row's time bound; a refusal must be the project's JSON error shape with no traceback and
no internal query text; nothing may be written to the log as a traceback; the canary (a
TCP listener standing for "the network") must see no connection; and ``/-/health`` must
still answer afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from .conftest import Canary, LiveServer, Reply

pytestmark = pytest.mark.slow

CATALOGUE = Path(__file__).with_name("hostile_cases.tsv")
COLUMNS = ("name", "method", "target", "body", "headers", "status", "seconds", "says")
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
# Text that only a query the server wrote itself would hold: a refusal must not show it.
INTERNAL = (
    "?dir",
    "ASK {",
    "CONSTRUCT {",
    "SELECT ?",
    "VALUES ?",
    "FILTER(",
    "GRAPH <",
    "PREFIX ",
    "https://w3id.org/scholargate/ontology#",
)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    target: str
    body: str
    headers: str
    statuses: frozenset[int]
    seconds: float
    says: str
    line: int

    def __str__(self) -> str:
        return f"{CATALOGUE.name}:{self.line} {self.name}"


def load_cases(path: Path = CATALOGUE) -> list[Case]:
    """The rows of the catalogue; ``#`` lines are comments, the first other line names
    the columns."""
    cases: list[Case] = []
    header: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            assert tuple(header) == COLUMNS, f"{path.name}:{number}: columns {header}"
            continue
        assert len(cells) == len(COLUMNS), f"{path.name}:{number}: {len(cells)} cells"
        row = dict(zip(COLUMNS, cells, strict=True))
        cases.append(
            Case(
                name=row["name"],
                method=row["method"],
                target=row["target"],
                body=row["body"],
                headers=row["headers"],
                statuses=frozenset(int(s) for s in row["status"].split("|")),
                seconds=float(row["seconds"]),
                says=row["says"],
                line=number,
            )
        )
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


CASES = load_cases()


def _form(size: int) -> str:
    """A form ``m=m0,m1,…`` of at most ``size`` bytes (under MAX_BODY's 1 MiB)."""
    text = "m=" + ",".join(f"m{i}" for i in range(size // 5))
    return text[: text.rindex(",", 0, size)]


def fill(text: str, canary: Canary) -> str:
    """``text`` with its ``${name}`` placeholders filled in."""
    values = {
        "canary": canary.url,
        "canary_encoded": quote(canary.url, safe=""),
        "canary_port": str(canary.port),
        "parens": "(" * 7000,
        "long": "x" * 6000,
        "fields_200": "&".join(f"field=f{i}" for i in range(200)),
        "form_1mb": _form(1_000_000),
        "names_1000": ",".join(f"a{i}" for i in range(1000)),
    }

    def value(match: re.Match[str]) -> str:
        assert match.group(1) in values, f"unknown placeholder {match.group(0)}"
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, text)


def headers_of(case: Case, canary: Canary) -> dict[str, bytes]:
    """The row's headers as bytes (UTF-8, so that any text can be sent); JSON is asked
    for unless the row says otherwise, so that refusals come in the error shape."""
    found: dict[str, bytes] = {"Accept": b"application/json"}
    for header in filter(None, (h.strip() for h in case.headers.split(" || "))):
        name, _, value = header.partition(":")
        found[name.strip()] = fill(value.strip(), canary).encode("utf-8")
    return found


@pytest.fixture(scope="module")
def log_tail(server: LiveServer) -> Iterator[list[int]]:
    """Where the server's log ends, so each case reads only what it wrote."""
    yield [server.log.stat().st_size]


def new_log(server: LiveServer, mark: list[int]) -> bytes:
    with server.log.open("rb") as log:
        log.seek(mark[0])
        text = log.read()
    mark[0] += len(text)
    return text


def assert_refusal_shape(case: Case, reply: Reply) -> None:
    assert b"Traceback" not in reply.body, f"{case}: a traceback in the answer"
    if reply.media_type != "application/json":
        return
    body = reply.json()
    assert isinstance(body, dict), f"{case}: {reply.body[:200]!r}"
    assert set(body) >= {"error", "status", "message"}, f"{case}: not the error shape: {body}"
    assert body["status"] == reply.status and isinstance(body["message"], str)
    assert body["message"].strip(), f"{case}: an empty message"
    for text in INTERNAL:
        assert text not in body["message"], f"{case}: internal query text in {body['message']!r}"
    if case.says:
        assert re.search(case.says, body["message"]), f"{case}: {body['message']!r}"


def test_catalogue_covers_every_route_that_takes_input() -> None:
    targets = {c.target.split("?")[0] for c in CASES}
    for kind in ("method", "person", "work", "field", "family", "type", "alias", "scheme"):
        assert any(t.startswith(f"/{kind}/") for t in targets), kind
    for suffix in (".ttl", ".jsonld", ".nt", ".rdf", ".html", ".bib", ".csl.json"):
        assert any(t.endswith(suffix) and t.count("/") == 2 for t in targets), suffix
    prefixes = (
        "/comparison/", "/compare", "/compare/save", "/methods", "/search", "/search/suggest",
        "/export/", "/ontology", "/-/stats", "/sparql",
    )  # fmt: skip
    for prefix in prefixes:
        assert any(t.startswith(prefix) for t in targets), prefix
    queries = " ".join(c.target for c in CASES)
    for parameter in (
        "m=", "add=", "field=", "family=", "type=", "from=", "to=", "sort=", "page=", "lang=",
        "q=", "limit=", "default-graph-uri=", "named-graph-uri=", "format=",
    ):  # fmt: skip
        assert f"?{parameter}" in queries or f"&{parameter}" in queries, parameter
    sent = " ".join(c.headers for c in CASES)
    assert "Accept:" in sent and "Accept-Language:" in sent


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(server: LiveServer, canary: Canary, log_tail: list[int], case: Case) -> None:
    new_log(server, log_tail)  # what other tests made the server write is theirs
    before = len(canary.hits)
    reply = server.request(
        case.method,
        fill(case.target, canary),
        body=fill(case.body, canary).encode("utf-8") if case.body else None,
        headers=headers_of(case, canary),
        timeout=case.seconds + 30,
    )
    assert reply.status in case.statuses, (
        f"{case}: {reply.status} (wanted {'|'.join(map(str, sorted(case.statuses)))}): "
        f"{reply.body[:300]!r}"
    )
    assert reply.seconds <= case.seconds, f"{case}: {reply.seconds:.1f} s"
    if reply.status >= 400:
        assert_refusal_shape(case, reply)
    assert len(canary.hits) == before, f"{case}: the server connected to the canary"
    written = new_log(server, log_tail)
    assert b"Traceback" not in written, f"{case}: {written[-1500:].decode(errors='replace')}"
    assert server.healthy(), f"{case}: /-/health stopped answering"


def test_catalogue_rows_parse() -> None:
    """A malformed row fails here with its line number rather than as a missing case."""
    for case in CASES:
        assert case.method in ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"), case
        assert case.target.startswith("/"), case
        assert all(100 <= s <= 599 for s in case.statuses), case
        assert 0 < case.seconds <= 60, case
        if case.says:
            re.compile(case.says)
