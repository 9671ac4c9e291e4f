"""Quality checks: every qc/*-violation.rq must return no rows on the bundled graph.

Each check also has a bad-data fixture, tests/qc/{name}.ttl, on which it must fire: a
check that can never return a row proves nothing.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKS = sorted((ROOT / "qc").glob("*-violation.rq"))
FIXTURES = ROOT / "tests" / "qc"


def _name(path: Path) -> str:
    return path.name.removesuffix("-violation.rq")


def _show(rows: list[dict]) -> str:
    lines = [" ".join(f"?{k}={v}" for k, v in sorted(row.items())) for row in rows[:50]]
    more = f"\n… and {len(rows) - 50} more" if len(rows) > 50 else ""
    return "\n".join(lines) + more


def test_there_are_checks() -> None:
    assert len(CHECKS) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, ids=_name)
def test_check_finds_nothing_in_the_bundled_graph(check: Path, bundled_store) -> None:
    rows = bundled_store.select(check.read_text(encoding="utf-8"))
    assert rows == [], f"{check.name} found {len(rows)} rows:\n{_show(rows)}"


@pytest.mark.parametrize("check", CHECKS, ids=_name)
def test_check_fires_on_its_bad_data(check: Path) -> None:
    fixture = FIXTURES / f"{_name(check)}.ttl"
    assert fixture.is_file(), f"{check.name} needs bad data in {fixture}"
    store = ox.Store()
    store.load(
        path=str(fixture), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:x-test:bad")
    )
    answer = store.query(check.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions), f"{check.name} is not a SELECT query"
    rows = list(answer)
    assert rows, f"{check.name} found nothing in {fixture.name}"


def test_every_fixture_has_a_check() -> None:
    names = {_name(c) for c in CHECKS}
    for fixture in FIXTURES.glob("*.ttl"):
        assert fixture.stem in names, f"{fixture.name} belongs to no qc/*-violation.rq"
