"""One run of ``scholargate link SOURCE``: ask an external SPARQL graph which of its
entities are our works, persons and methods, and write the links as a named graph.

What links, and how (the rules prefer precision: a link is written only when the
evidence names one entity and nothing we hold contradicts it):

* **Works** by identifier, in the mapping's order (for Wikidata: arXiv id, then DOI).
  Identifiers compare case-insensitively (Wikidata writes DOIs in upper case). A
  ``fallback`` identifier is asked only for works that nothing else linked. Once
  matched, the entity's own identifiers are read back: a work whose DOI (or arXiv id)
  differs from the entity's is a conflict (arXiv's own DOIs, ``10.48550/arXiv.*``,
  count as arXiv ids).
* **Persons** by ORCID iD, and as authors of a linked work: an author of the entity
  whose name equals the person's full name, or, failing that, ends with the person's
  family name and starts with the initial of their given name, and no other author of
  that work on either side fits the same way.
* **Methods** through their founding works: an entity that a linked founding work has
  as a subject (Wikidata: the work's P921 "main subject", or the entity's P1343
  "described by source" naming the work) *and* that has one of the method's English
  names (preferred or alternative, compared by ``normalize.fold``) as a label or alias.
  A name alone is never enough, nor is the work alone.
* **Labels** of linked methods (new links and the ones already in our data) in en, fa
  and tr that we lack: ``skos:prefLabel`` in a language where the method has none in
  any graph; every other new name becomes an alias (``skos:altLabel`` and an
  ``sg:Alias`` with ``dcterms:source`` the external entity), kind ``sg:Synonym`` in
  English and ``sg:Translation`` otherwise.

Conflicts are reported and nothing is written for them: one of ours matched to two
entities, two of ours matched to one entity, an identifier that disagrees, a link
that contradicts an ``skos:exactMatch``/``owl:sameAs`` our other graphs state, or an
entity another of ours already links to. Links our other graphs already state are not
written again.

Every request goes through ``client.SparqlClient`` in batches (``VALUES``) of the
mapping's size. Each answered batch is kept under ``var/link/{source}/`` (keyed by
endpoint and query text), so a run that stops — an error, Ctrl-C — resumes where it
stopped; a completed run removes it. The run is staged: the graph and its description
are written to temporary files beside ``data/links/{source}.ttl`` and moved into place
(``os.replace``) only when the whole run has succeeded, so a failed or interrupted run
leaves the previous files byte for byte as they were. ``dry_run`` asks the same
questions, writes nothing (no checkpoint either) and reports what would change.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, VOID, XSD
from rdflib.term import Node

from ... import __version__
from ...errors import InputError, ScholarGateError
from ...namespaces import (
    ALIAS,
    BIBO,
    CC,
    DATASET,
    GRAPH,
    METHOD,
    SD,
    SG,
    SKOSXL,
    bind_prefixes,
    sparql_prefixes,
)
from ...store import Store
from ..normalize import fold
from .client import LinkError, Results, SparqlClient, Term, results_to_text
from .mappings import Identifier, Mapping

# Our property for each kind of identifier a mapping may name.
WORK_IDENTIFIERS = {"arxiv": SG.arxivId, "doi": BIBO.doi}
PERSON_IDENTIFIERS = {"orcid": SG.orcid}
ARXIV_DOI = "10.48550/arxiv."  # arXiv's DataCite DOIs name the preprint: an arXiv id
CHECKPOINT_MAX_AGE = 7 * 24 * 3600.0  # seconds after which kept answers are asked again
SCHEMA_LINKSET = "exactMatch"

Progress = Callable[[str, int, int], None]


def graph_name(source: str) -> URIRef:
    """``sgg:links-{source}``: the named graph of one source's links."""
    return GRAPH[f"links-{source}"]


# ---- results --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Link:
    """One of ours (a work, person or method) and the external entity it matches."""

    kind: str
    subject: str
    item: str
    evidence: str = field(default="", compare=False)
    existing: bool = field(default=False, compare=False)  # our other graphs state it


@dataclass(frozen=True, order=True)
class Conflict:
    """A link that would contradict our data or another link: reported, not written."""

    kind: str  # work | person | method
    reason: str  # one-to-many | many-to-one | identifier-disagrees | contradicts | taken
    subjects: tuple[str, ...]
    items: tuple[str, ...]
    detail: str = ""

    def text(self) -> str:
        ours = ", ".join(self.subjects)
        theirs = ", ".join(self.items)
        return f"{self.kind} {self.reason}: {ours} ↔ {theirs}" + (
            f" ({self.detail})" if self.detail else ""
        )


@dataclass
class LinkReport:
    """What a run found, and what it wrote (or, for a dry run, would write)."""

    source: str
    endpoint: str
    graph: URIRef
    links: list[Link] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: int = 0
    aliases: int = 0
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    statements_added: int = 0
    statements_removed: int = 0
    requests: int = 0
    reused: int = 0
    batches: int = 0
    ignored: int = 0  # answer rows naming something that is not one of the source's items
    waited: float = 0.0
    dry_run: bool = False
    written: tuple[Path, Path] | None = None
    output: Graph | None = field(default=None, repr=False)
    metadata: Graph | None = field(default=None, repr=False)

    def count(self, kind: str, *, new: bool = True) -> int:
        return sum(1 for link in self.links if link.kind == kind and link.existing != new)


# ---- our side -------------------------------------------------------------------------


@dataclass
class Author:
    person: URIRef
    names: tuple[str, ...]  # folded full names
    family: str  # folded
    initial: str  # folded first letter of the given name


@dataclass
class Ours:
    """What our graphs (all but the links graph being made) say that linking needs."""

    works: dict[URIRef, dict[str, set[str]]] = field(default_factory=dict)
    orcids: dict[URIRef, set[str]] = field(default_factory=dict)
    authors: dict[URIRef, list[Author]] = field(default_factory=dict)
    founded_by: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    names: dict[URIRef, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    existing: dict[str, set[str]] = field(default_factory=dict)  # ours → items
    existing_items: dict[str, set[str]] = field(default_factory=dict)  # item → ours
    alias_numbers: Counter[str] = field(default_factory=Counter)


_OUR_WORKS = """SELECT DISTINCT ?work ?arxiv ?doi WHERE {
  { ?work sg:arxivId ?arxiv } UNION { ?work bibo:doi ?doi }
}"""
_OUR_ORCIDS = "SELECT DISTINCT ?person ?orcid WHERE { ?person sg:orcid ?orcid }"
_OUR_AUTHORS = """SELECT DISTINCT ?work ?person ?name ?given ?family WHERE {
  ?work dcterms:creator ?person .
  FILTER(isIRI(?work) && isIRI(?person))  # not a graph's creator named by a literal
  OPTIONAL { ?person foaf:name ?name }
  OPTIONAL { ?person foaf:givenName ?given }
  OPTIONAL { ?person foaf:familyName ?family }
}"""
_OUR_METHODS = """SELECT DISTINCT ?method ?work WHERE {
  ?method a sg:Method ; sg:foundationalWork ?work .
}"""
_OUR_NAMES = """SELECT DISTINCT ?method ?property ?label WHERE {
  ?method a sg:Method .
  VALUES ?property { skos:prefLabel skos:altLabel }
  ?method ?property ?label .
}"""
_OUR_MATCHES = """SELECT DISTINCT ?ours ?item WHERE {
  { ?ours skos:exactMatch ?item } UNION { ?ours owl:sameAs ?item }
  FILTER(isIRI(?item) && STRSTARTS(STR(?item), %s))
}"""
_OUR_ALIASES = """SELECT DISTINCT ?alias WHERE {
  { ?method skosxl:altLabel ?alias } UNION { ?alias a sg:Alias }
}"""


def read_ours(store: Store, mapping: Mapping, *, exclude: URIRef) -> Ours:
    """Our works, persons, methods, names and existing links, from every graph of
    ``store`` except ``exclude`` (the links graph this run replaces)."""
    graphs = [str(g) for g in store.graph_names() if g != exclude]
    prefixes = sparql_prefixes()

    def rows(query: str) -> list[dict[str, Node]]:
        return store.query(prefixes + query, default_graphs=graphs).rows

    ours = Ours()
    for row in rows(_OUR_WORKS):
        ids = ours.works.setdefault(URIRef(str(row["work"])), {})
        for kind in ("arxiv", "doi"):
            if row.get(kind) is not None:
                ids.setdefault(kind, set()).add(str(row[kind]).strip())
    for row in rows(_OUR_ORCIDS):
        orcid = str(row["orcid"]).rstrip("/").rsplit("/", 1)[-1]
        ours.orcids.setdefault(URIRef(str(row["person"])), set()).add(orcid)
    people: dict[tuple[URIRef, URIRef], dict[str, set[str]]] = {}
    for row in rows(_OUR_AUTHORS):
        key = (URIRef(str(row["work"])), URIRef(str(row["person"])))
        fields = people.setdefault(key, {"name": set(), "given": set(), "family": set()})
        for name in fields:
            if row.get(name) is not None:
                fields[name].add(str(row[name]))
    for (work, person), fields in sorted(people.items()):
        names = {fold(n) for n in fields["name"]}
        for given in fields["given"]:
            names |= {fold(f"{given} {family}") for family in fields["family"]}
        family = fold(min(fields["family"])) if fields["family"] else ""
        initial = fold(min(fields["given"]))[:1] if fields["given"] else ""
        if not family and names:
            family = min(names).rsplit(" ", 1)[-1]
        ours.authors.setdefault(work, []).append(
            Author(person, tuple(sorted(n for n in names if n)), family, initial)
        )
    for row in rows(_OUR_METHODS):
        ours.founded_by.setdefault(URIRef(str(row["method"])), set()).add(URIRef(str(row["work"])))
    for row in rows(_OUR_NAMES):
        label = row["label"]
        if not isinstance(label, Literal):
            continue
        kind = "pref" if row["property"] == SKOS.prefLabel else "alt"
        lang = (label.language or "").lower()
        method = ours.names.setdefault(URIRef(str(row["method"])), {})
        method.setdefault(lang, {"pref": [], "alt": []})[kind].append(str(label))
    for row in rows(_OUR_MATCHES % _string(mapping.uri_space)):
        subject, item = str(row["ours"]), str(row["item"])
        ours.existing.setdefault(subject, set()).add(item)
        ours.existing_items.setdefault(item, set()).add(subject)
    base = str(ALIAS)
    for row in rows(_OUR_ALIASES):
        text = str(row["alias"])
        if text.startswith(base):
            prefix, _, tail = text[len(base) :].rpartition("-")
            if tail.isdigit():
                ours.alias_numbers[prefix] = max(ours.alias_numbers[prefix], int(tail))
    return ours


# ---- the questions --------------------------------------------------------------------

BATCH_PLACEHOLDER = "# the values of one batch"


def _string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _iri(text: str) -> str:
    return f"<{text}>"


def _value(identifier: Identifier, text: str) -> str:
    return _iri(text) if identifier.form == "iri" else _string(text)


def _block(values: Sequence[str]) -> str:
    lines = (
        [BATCH_PLACEHOLDER]
        if not values
        else [" ".join(values[i : i + 4]) for i in range(0, len(values), 4)]
    )
    return "\n    ".join(lines)


def _path(properties: Sequence[str]) -> str:
    return "|".join(_iri(p) for p in properties)


def _languages(languages: Sequence[str]) -> str:
    return ", ".join(_string(lang) for lang in languages)


def query_by_identifier(identifier: Identifier, values: Sequence[str]) -> str:
    return (
        "SELECT ?value ?item WHERE {\n"
        f"  VALUES ?value {{\n    {_block(values)}\n  }}\n"
        f"  ?item {_iri(identifier.property)} ?value .\n"
        "}"
    )


def query_identifiers(properties: Sequence[str], items: Sequence[str]) -> str:
    return (
        "SELECT ?item ?property ?value WHERE {\n"
        f"  VALUES ?item {{\n    {_block(items)}\n  }}\n"
        f"  VALUES ?property {{ {' '.join(_iri(p) for p in properties)} }}\n"
        "  ?item ?property ?value .\n"
        "}"
    )


def query_authors(mapping: Mapping, works: Sequence[str]) -> str:
    assert mapping.author_property is not None
    names = ""
    if mapping.author_names:
        names = (
            f"  OPTIONAL {{\n    ?author {_path(mapping.author_names)} ?name .\n"
            f"    FILTER(LANG(?name) IN ({_languages(mapping.author_languages)}))\n  }}\n"
        )
    return (
        "SELECT ?work ?author ?name WHERE {\n"
        f"  VALUES ?work {{\n    {_block(works)}\n  }}\n"
        f"  ?work {_iri(mapping.author_property)} ?author .\n"
        f"{names}"
        "}"
    )


def query_subjects(mapping: Mapping, works: Sequence[str]) -> str:
    branches = [f"{{ ?work {_iri(p)} ?item }}" for p in mapping.subject_of_work]
    branches += [f"{{ ?item {_iri(p)} ?work }}" for p in mapping.described_by_work]
    return (
        "SELECT ?work ?item ?name WHERE {\n"
        f"  VALUES ?work {{\n    {_block(works)}\n  }}\n"
        f"  {' UNION '.join(branches)}\n"
        f"  ?item {_path(mapping.method_names)} ?name .\n"
        f"  FILTER(isIRI(?item) && LANG(?name) IN ({_languages(mapping.method_languages)}))\n"
        "}"
    )


def query_labels(mapping: Mapping, items: Sequence[str]) -> str:
    properties = (*mapping.label_preferred, *mapping.label_alternative)
    return (
        "SELECT ?item ?property ?label WHERE {\n"
        f"  VALUES ?item {{\n    {_block(items)}\n  }}\n"
        f"  VALUES ?property {{ {' '.join(_iri(p) for p in properties)} }}\n"
        "  ?item ?property ?label .\n"
        f"  FILTER(LANG(?label) IN ({_languages(mapping.label_languages)}))\n"
        "}"
    )


# ---- the checkpoint -------------------------------------------------------------------


class Checkpoint:
    """Answered batches of an unfinished run, one JSON file per batch, under ``folder``.

    A batch is known by the endpoint and the exact query text, so a batch whose values
    changed is asked again. Kept answers older than ``CHECKPOINT_MAX_AGE`` are dropped.
    Without a folder (or read-only, for dry runs) nothing is written.
    """

    def __init__(self, folder: Path | None, *, writable: bool = True) -> None:
        self.folder = folder
        self.writable = writable and folder is not None
        if folder is not None and folder.is_dir():
            started = folder / "run.json"
            try:
                age = time.time() - started.stat().st_mtime
            except OSError:
                age = 0.0
            if age > CHECKPOINT_MAX_AGE and self.writable:
                self.clear()

    @staticmethod
    def key(endpoint: str, query: str) -> str:
        return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()

    def _file(self, endpoint: str, query: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / "batches" / f"{self.key(endpoint, query)}.json"

    def get(self, endpoint: str, query: str) -> Results | None:
        path = self._file(endpoint, query)
        if path is None or not path.is_file():
            return None
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept.get("endpoint") != endpoint or kept.get("query") != query:
                return None
            return Results.from_json(kept["answer"])
        except (OSError, ValueError, KeyError, LinkError):
            return None  # unreadable: ask again

    def put(self, endpoint: str, query: str, results: Results) -> None:
        path = self._file(endpoint, query)
        if path is None or not self.writable:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        started = path.parent.parent / "run.json"
        if not started.exists():
            _write_atomically(started, json.dumps({"started": _now().isoformat()}).encode())
        text = json.dumps(
            {"endpoint": endpoint, "query": query, "answer": json.loads(results_to_text(results))},
            ensure_ascii=False,
        )
        _write_atomically(path, text.encode("utf-8"))

    def count(self) -> int:
        if self.folder is None:
            return 0
        return len(list((self.folder / "batches").glob("*.json")))

    def clear(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
        self.folder.rmdir()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the run: one run per source at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another link run holds {path}; wait for it to finish", lock=str(path)
            ) from None
        yield
    finally:
        os.close(fd)


class _Asker:
    """Batches of one kind of question, through the checkpoint and the client."""

    def __init__(
        self,
        client: SparqlClient,
        checkpoint: Checkpoint,
        batch_size: int,
        progress: Progress | None,
    ) -> None:
        self.client, self.checkpoint = client, checkpoint
        self.batch_size = batch_size
        self.progress = progress
        self.templates: dict[str, str] = {}
        self.batches = self.reused = 0

    def ask(
        self, label: str, build: Callable[[Sequence[str]], str], values: Iterable[str]
    ) -> list[dict[str, Term]]:
        ordered = sorted(set(values))
        if ordered:  # the metadata names the questions that were asked
            self.templates.setdefault(label, build([]))
        chunks = [ordered[i : i + self.batch_size] for i in range(0, len(ordered), self.batch_size)]
        rows: list[dict[str, Term]] = []
        for done, chunk in enumerate(chunks, start=1):
            query = build(chunk)
            results = self.checkpoint.get(self.client.endpoint, query)
            if results is None:
                results = self.client.select(query)
                self.checkpoint.put(self.client.endpoint, query, results)
            else:
                self.reused += 1
            self.batches += 1
            rows += results.rows
            if self.progress:
                self.progress(label, done, len(chunks))
        return rows


# ---- deciding -------------------------------------------------------------------------


class _Decider:
    """Candidates in, accepted links and conflicts out (see the module's docstring)."""

    def __init__(self, ours: Ours, report: LinkReport) -> None:
        self.ours, self.report = ours, report
        self.used: set[str] = set()  # items already linked to one of ours (any kind)

    def resolve(self, kind: str, candidates: dict[str, dict[str, set[str]]]) -> dict[str, Link]:
        claimed: dict[str, set[str]] = defaultdict(set)
        for subject, items in candidates.items():
            for item in items:
                claimed[item].add(subject)
        accepted: dict[str, Link] = {}
        reported: set[str] = set()
        for subject in sorted(candidates):
            items = candidates[subject]
            if len(items) > 1:
                self._conflict(kind, "one-to-many", [subject], items)
                continue
            (item,) = items
            if len(claimed[item]) > 1:
                if item not in reported:
                    reported.add(item)
                    self._conflict(kind, "many-to-one", claimed[item], [item])
                continue
            have = self.ours.existing.get(subject, set())
            if have and item not in have:
                self._conflict(
                    kind,
                    "contradicts",
                    [subject],
                    [item],
                    f"our data says {', '.join(sorted(have))}",
                )
                continue
            others = self.ours.existing_items.get(item, set()) - {subject}
            if others or item in self.used:
                self._conflict(
                    kind, "taken", [subject, *sorted(others)], [item], "already linked to another"
                )
                continue
            evidence = "; ".join(sorted(items[item]))
            accepted[subject] = Link(kind, subject, item, evidence, existing=item in have)
        self.used |= {link.item for link in accepted.values()}
        return accepted

    def _conflict(
        self,
        kind: str,
        reason: str,
        subjects: Iterable[str],
        items: Iterable[str],
        detail: str = "",
    ) -> None:
        self.report.conflicts.append(
            Conflict(kind, reason, tuple(sorted(subjects)), tuple(sorted(items)), detail)
        )


def _their_identifiers(
    mapping: Mapping, rows: list[dict[str, Term]]
) -> dict[str, dict[str, set[str]]]:
    """item → identifier kind → our (folded) form of each value the source holds."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        item, prop, value = row.get("item"), row.get("property"), row.get("value")
        if item is None or prop is None or value is None:
            continue
        fitting = [i for i in mapping.works if i.property == prop.value]
        best = max(fitting, key=lambda i: i.specificity(value.value), default=None)
        if best is None or best.specificity(value.value) < 0:
            continue
        ours = best.ours(value.value)
        if ours is None:
            continue
        kind = best.name
        if kind == "doi" and ours.startswith(ARXIV_DOI):
            kind, ours = "arxiv", ours[len(ARXIV_DOI) :]
        found[item.value][kind].add(ours)
    return found


def _name_key(text: str, suffix: re.Pattern[str] | None) -> str:
    if suffix is not None:
        text = suffix.sub("", text)
    return fold(text)


def _match_authors(
    ours: list[Author], theirs: dict[str, set[str]]
) -> tuple[dict[URIRef, str], list[str]]:
    """Pair our authors of a work with the entity's authors (see the module docstring)."""
    pairs: dict[URIRef, str] = {}
    notes: list[str] = []
    full = {a.person: {t for t, names in theirs.items() if names & set(a.names)} for a in ours}
    for person, found in full.items():
        if len(found) == 1:
            pairs[person] = next(iter(found))
        elif len(found) > 1:
            notes.append(f"{person}: several authors share the name ({', '.join(sorted(found))})")
    taken = set(pairs.values())

    def by_family(author: Author, names: set[str]) -> bool:
        if not author.family:
            return False
        fits = any(n == author.family or n.endswith(" " + author.family) for n in names)
        return fits and (not author.initial or any(n.startswith(author.initial) for n in names))

    rest = [a for a in ours if not full[a.person]]
    family = {
        a.person: {t for t, names in theirs.items() if t not in taken and by_family(a, names)}
        for a in rest
    }
    for person, found in family.items():
        if len(found) == 1:
            (item,) = found
            rivals = [p for p, f in family.items() if item in f]
            if rivals == [person]:
                pairs[person] = item
            else:
                notes.append(f"{item}: fits several of our authors by family name")
        elif len(found) > 1:
            notes.append(
                f"{person}: several authors fit by family name ({', '.join(sorted(found))})"
            )
    return pairs, notes


# ---- the run --------------------------------------------------------------------------


def link(
    store: Store,
    mapping: Mapping,
    *,
    output: Path,
    state: Path | None = None,
    dry_run: bool = False,
    resume: bool = True,
    client: SparqlClient | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
) -> LinkReport:
    """Link the graph in ``store`` to ``mapping``'s source; write
    ``output/{name}.ttl`` and ``output/{name}.meta.ttl`` unless ``dry_run``.

    ``state`` is the folder for the checkpoint (``ROOT/var/link/{name}``); ``resume``
    False starts afresh. Raises ``LinkError`` when the source fails us; the files in
    ``output`` are then as they were.
    """
    clock = now or _now
    started = clock()
    graph = graph_name(mapping.name)
    report = LinkReport(mapping.name, mapping.endpoint, graph, dry_run=dry_run)
    client = client or SparqlClient(mapping.client)
    if not resume:
        if not dry_run:
            Checkpoint(state).clear()
        state_for_run = None if dry_run else state
    else:
        state_for_run = state
    checkpoint = Checkpoint(state_for_run, writable=not dry_run)
    if dry_run or state is None:
        return _run(
            store, mapping, output, graph, report, client, checkpoint, progress, clock, started
        )
    with run_lock(state.parent / f"{state.name}.lock"):
        result = _run(
            store, mapping, output, graph, report, client, checkpoint, progress, clock, started
        )
        checkpoint.clear()
        return result


def _run(
    store: Store,
    mapping: Mapping,
    output: Path,
    graph: URIRef,
    report: LinkReport,
    client: SparqlClient,
    checkpoint: Checkpoint,
    progress: Progress | None,
    clock: Callable[[], datetime],
    started: datetime,
) -> LinkReport:
    ours = read_ours(store, mapping, exclude=graph)
    asker = _Asker(client, checkpoint, mapping.client.batch_size, progress)
    decider = _Decider(ours, report)

    works = _link_works(mapping, ours, asker, decider, report)
    people = _link_people(mapping, ours, asker, decider, report, works)
    methods = _link_methods(mapping, ours, asker, decider, report, works)
    report.links = sorted([*works.values(), *people.values(), *methods.values()])

    data = _new_graph()
    for link_ in report.links:
        if not link_.existing:
            data.add((URIRef(link_.subject), SKOS.exactMatch, URIRef(link_.item)))
    _add_labels(mapping, ours, asker, report, data, methods)

    report.requests = client.stats.requests
    report.waited = client.stats.waited
    report.reused, report.batches = asker.reused, asker.batches
    report.conflicts.sort()
    finished = clock()
    metadata = _describe(mapping, graph, data, asker.templates, report, started, finished)
    report.output, report.metadata = data, metadata
    data_path, meta_path = output / f"{mapping.name}.ttl", output / f"{mapping.name}.meta.ttl"
    _diff(report, data, data_path)
    if not report.dry_run:
        _stage_and_swap(mapping, data, metadata, data_path, meta_path)
        report.written = (data_path, meta_path)
    return report


def _ask_by_identifier(
    label: str,
    identifier: Identifier,
    sent: dict[str, set[str]],
    mapping: Mapping,
    asker: _Asker,
    report: LinkReport,
    candidates: dict[str, dict[str, set[str]]],
) -> None:
    """Ask which entities carry the identifier values in ``sent`` (value → our IRIs) and
    add each answer to ``candidates`` (our IRI → entity → reasons). Values compare
    ignoring case (Wikidata stores DOIs in upper case)."""
    folded = {k.casefold(): v for k, v in sent.items()}
    rows = asker.ask(
        label,
        lambda chunk: query_by_identifier(identifier, chunk),
        (_value(identifier, text) for text in sent),
    )
    for row in rows:
        value, item = row.get("value"), row.get("item")
        if value is None or item is None:
            continue
        if item.kind != "uri" or not mapping.is_item(item.value):
            report.ignored += 1
            continue
        for ours in sent.get(value.value) or folded.get(value.value.casefold(), set()):
            candidates[ours][item.value].add(f"{identifier.name} {value.value}")


def _link_works(
    mapping: Mapping, ours: Ours, asker: _Asker, decider: _Decider, report: LinkReport
) -> dict[str, Link]:
    candidates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for identifier in mapping.works:
        if identifier.name not in WORK_IDENTIFIERS:
            raise InputError(
                f"{mapping.source}: works.{identifier.name}: ScholarGate holds no such "
                f"identifier (known: {', '.join(WORK_IDENTIFIERS)})"
            )
        sent: dict[str, set[str]] = defaultdict(set)
        for work, ids in ours.works.items():
            if identifier.fallback and str(work) in candidates:
                continue
            for value in ids.get(identifier.name, ()):
                for text in identifier.values(value):
                    sent[text].add(str(work))
        _ask_by_identifier(
            f"works by {identifier.name}", identifier, sent, mapping, asker, report, candidates
        )
    # The entities' own identifiers: a work whose DOI or arXiv id differs is a conflict.
    items = {item for found in candidates.values() for item in found}
    properties = sorted({i.property for i in mapping.works})
    rows = asker.ask(
        "identifiers of the linked works",
        lambda chunk: query_identifiers(properties, chunk),
        (_iri(i) for i in items),
    )
    theirs = _their_identifiers(mapping, rows)
    for work in sorted(candidates):
        mine = {k: {v.casefold() for v in vs} for k, vs in ours.works[URIRef(work)].items()}
        for item in sorted(candidates[work]):
            for kind, values in theirs.get(item, {}).items():
                if kind in mine and mine[kind].isdisjoint(values):
                    decider._conflict(
                        "work",
                        "identifier-disagrees",
                        [work],
                        [item],
                        f"our {kind} {', '.join(sorted(mine[kind]))}; "
                        f"theirs {', '.join(sorted(values))}",
                    )
                    del candidates[work][item]
                    break
        if not candidates[work]:
            del candidates[work]
    return decider.resolve("work", candidates)


def _link_people(
    mapping: Mapping,
    ours: Ours,
    asker: _Asker,
    decider: _Decider,
    report: LinkReport,
    works: dict[str, Link],
) -> dict[str, Link]:
    candidates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for identifier in mapping.people:
        if identifier.name not in PERSON_IDENTIFIERS:
            raise InputError(
                f"{mapping.source}: people.{identifier.name}: ScholarGate holds no such "
                f"identifier (known: {', '.join(PERSON_IDENTIFIERS)})"
            )
        sent: dict[str, set[str]] = defaultdict(set)
        for person, orcids in ours.orcids.items():
            for orcid in orcids:
                for text in identifier.values(orcid):
                    sent[text].add(str(person))
        _ask_by_identifier(
            f"persons by {identifier.name}", identifier, sent, mapping, asker, report, candidates
        )
    if mapping.author_property and works:
        by_item = {link_.item: URIRef(work) for work, link_ in works.items()}
        rows = asker.ask(
            "authors of the linked works",
            lambda chunk: query_authors(mapping, chunk),
            (_iri(item) for item in by_item if URIRef(by_item[item]) in ours.authors),
        )
        authors: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in rows:
            work, author, name = row.get("work"), row.get("author"), row.get("name")
            if work is None or author is None or author.kind != "uri":
                continue
            if not mapping.is_item(author.value):
                report.ignored += 1
                continue
            names = authors[work.value][author.value]
            if name is not None:
                names.add(_name_key(name.value, mapping.author_name_suffix))
        for item, theirs in sorted(authors.items()):
            work = by_item.get(item)
            if work is None:
                continue
            pairs, notes = _match_authors(ours.authors.get(work, []), theirs)
            report.notes += [f"{work}: {note}" for note in notes]
            for person, author in pairs.items():
                candidates[str(person)][author].add(f"author of {item}")
    return decider.resolve("person", candidates)


def _link_methods(
    mapping: Mapping,
    ours: Ours,
    asker: _Asker,
    decider: _Decider,
    report: LinkReport,
    works: dict[str, Link],
) -> dict[str, Link]:
    if not mapping.links_methods or not works:
        return {}
    founding = {
        method: {works[str(w)].item for w in founded if str(w) in works}
        for method, founded in ours.founded_by.items()
    }
    asked = {item for items in founding.values() for item in items}
    rows = asker.ask(
        "subjects of the linked works",
        lambda chunk: query_subjects(mapping, chunk),
        (_iri(item) for item in asked),
    )
    subjects: dict[str, set[str]] = defaultdict(set)  # work entity → subject entities
    names: dict[str, set[str]] = defaultdict(set)  # subject entity → folded names
    for row in rows:
        work, item, name = row.get("work"), row.get("item"), row.get("name")
        if work is None or item is None or name is None or item.kind != "uri":
            continue
        if not mapping.is_item(item.value):
            report.ignored += 1
            continue
        subjects[work.value].add(item.value)
        names[item.value].add(fold(name.value))
    candidates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for method, items in sorted(founding.items()):
        english = {
            fold(label)
            for lang, labels in ours.names.get(method, {}).items()
            if lang == "en" or lang.startswith("en-")
            for label in (*labels["pref"], *labels["alt"])
        } - {""}
        for work_item in sorted(items):
            for subject in sorted(subjects.get(work_item, ())):
                if subject in decider.used:
                    continue
                shared = names[subject] & english
                if shared:
                    candidates[str(method)][subject].add(
                        f"subject of {work_item} named {min(shared)!r}"
                    )
    return decider.resolve("method", candidates)


def _add_labels(
    mapping: Mapping,
    ours: Ours,
    asker: _Asker,
    report: LinkReport,
    data: Graph,
    methods: dict[str, Link],
) -> None:
    if not (mapping.label_preferred or mapping.label_alternative):
        return
    targets: dict[str, str] = {}  # item → method
    for method, link_ in methods.items():
        targets[link_.item] = method
    for method in ours.names:
        have = ours.existing.get(str(method), set())
        if len(have) == 1 and str(method) not in methods:
            item = next(iter(have))
            if mapping.is_item(item) and item not in targets:
                targets[item] = str(method)
    if not targets:
        return
    rows = asker.ask(
        "labels of the linked methods",
        lambda chunk: query_labels(mapping, chunk),
        (_iri(item) for item in targets),
    )
    preferred = set(mapping.label_preferred)
    found: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        item, prop, label = row.get("item"), row.get("property"), row.get("label")
        if item is None or prop is None or label is None or label.kind != "literal":
            continue
        lang = label.lang.split("-")[0] if label.lang else ""
        if item.value not in targets or lang not in mapping.label_languages:
            continue
        text = " ".join(label.value.split())
        if text:
            found[item.value][lang].append((0 if prop.value in preferred else 1, text))
    for item in sorted(found):
        method = URIRef(targets[item])
        slug = str(method)[len(str(METHOD)) :] if str(method).startswith(str(METHOD)) else ""
        for lang in sorted(found[item]):
            mine = ours.names.get(method, {}).get(lang, {"pref": [], "alt": []})
            known = {fold(t) for t in (*mine["pref"], *mine["alt"])}
            fresh: list[str] = []
            fresh_preferred = False
            for rank, text in sorted(set(found[item][lang])):
                key = fold(text)
                if key and key not in known:
                    known.add(key)
                    fresh.append(text)
                    fresh_preferred = fresh_preferred or (rank == 0 and len(fresh) == 1)
            if not fresh:
                continue
            if not mine["pref"] and fresh_preferred:
                # a preferred label only from the source's preferred label, never an alias
                data.add((method, SKOS.prefLabel, Literal(fresh.pop(0), lang=lang)))
                report.labels += 1
            if not slug:
                continue
            for text in fresh:
                prefix = f"{slug}-{lang}"
                ours.alias_numbers[prefix] += 1
                alias = ALIAS[f"{prefix}-{ours.alias_numbers[prefix]}"]
                literal = Literal(text, lang=lang)
                data.add((method, SKOS.altLabel, literal))
                data.add((method, SKOSXL.altLabel, alias))
                data.add((alias, RDF.type, SG.Alias))
                data.add((alias, SKOSXL.literalForm, literal))
                data.add((alias, SG.aliasKind, SG.Synonym if lang == "en" else SG.Translation))
                data.add((alias, DCTERMS.source, URIRef(item)))
                report.aliases += 1


def summary(report: LinkReport, *, limit: int = 50) -> list[str]:
    """The report as lines of text for a person (what the CLI prints)."""
    lines = [f"{report.source}: {report.endpoint}"]
    for kind in ("work", "person", "method"):
        lines.append(
            f"  {kind}s linked: {report.count(kind)} new, "
            f"{report.count(kind, new=False)} already in our data"
        )
    lines.append(f"  labels: {report.labels} preferred, {report.aliases} aliases")
    lines.append(
        f"  requests: {report.requests} ({report.batches} batches, {report.reused} kept from "
        f"an interrupted run, {report.waited:g} s waited)"
    )
    if report.ignored:
        lines.append(f"  ignored {report.ignored} answer rows naming no item of {report.source}")
    verb = "would add" if report.dry_run else "added"
    gone = "would remove" if report.dry_run else "removed"
    lines.append(
        f"  {verb} {len(report.added)} links, {gone} {len(report.removed)}; "
        f"names: +{report.statements_added} −{report.statements_removed} statements"
    )
    for sign, pairs in (("+", report.added), ("-", report.removed)):
        for subject, item in pairs[:limit]:
            lines.append(f"    {sign} <{subject}> skos:exactMatch <{item}>")
        if len(pairs) > limit:
            lines.append(f"    … and {len(pairs) - limit} more")
    if report.conflicts:
        lines.append(f"  conflicts, not written: {len(report.conflicts)}")
        lines += [f"    {c.text()}" for c in report.conflicts[:limit]]
        if len(report.conflicts) > limit:
            lines.append(f"    … and {len(report.conflicts) - limit} more")
    if report.notes:
        lines.append(f"  notes: {len(report.notes)}")
        lines += [f"    {note}" for note in report.notes[:limit]]
    if report.written:
        lines.append(f"  wrote {report.written[0]} and {report.written[1].name}")
    elif report.dry_run:
        lines.append("  dry run: nothing written")
    return lines


# ---- writing --------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _new_graph() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    return graph


def _describe(
    mapping: Mapping,
    graph: URIRef,
    data: Graph,
    templates: dict[str, str],
    report: LinkReport,
    started: datetime,
    finished: datetime,
) -> Graph:
    """The graph's description for ``sgg:metadata``: source, licence, endpoint, date,
    the queries asked, the activity that made it, and its linkset."""
    meta = _new_graph()
    meta.bind("cc", CC)
    meta.bind("sd", SD)
    activity = URIRef(f"{graph}#run")
    linkset = URIRef(f"{graph}#{SCHEMA_LINKSET}")
    source = URIRef(mapping.homepage)
    endpoint = URIRef(report.endpoint)
    licence = URIRef(mapping.licence)
    when = Literal(finished.isoformat(), datatype=XSD.dateTime)
    links = sum(1 for _ in data.triples((None, SKOS.exactMatch, None)))

    meta.add((graph, RDF.type, VOID.Dataset))
    meta.add((graph, RDF.type, PROV.Entity))
    for lang, title in mapping.titles:
        meta.add((graph, DCTERMS.title, Literal(title, lang=lang)))
    meta.add(
        (
            graph,
            DCTERMS.description,
            Literal(
                f"Links from ScholarGate's works, persons and methods to {mapping.title} "
                f"(skos:exactMatch), and the names of linked methods in en, fa and tr that "
                f"ScholarGate lacked, found by `scholargate link {mapping.name}` through "
                f"{mapping.title}'s SPARQL endpoint.",
                lang="en",
            ),
        )
    )
    meta.add((graph, DCTERMS.license, licence))
    meta.add((graph, DCTERMS.source, source))
    meta.add((graph, DCTERMS.created, when))
    meta.add((graph, PROV.generatedAtTime, when))
    meta.add((graph, PROV.wasGeneratedBy, activity))
    meta.add((graph, PROV.wasDerivedFrom, endpoint))
    meta.add((graph, CC.attributionName, Literal(mapping.title)))
    meta.add((graph, CC.attributionURL, source))
    meta.add((graph, SG.validationPolicy, SG.Lenient))
    meta.add((graph, VOID.subset, linkset))

    meta.add((linkset, RDF.type, VOID.Linkset))
    meta.add((linkset, VOID.linkPredicate, SKOS.exactMatch))
    meta.add((linkset, VOID.subjectsTarget, DATASET))
    meta.add((linkset, VOID.objectsTarget, source))
    meta.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))

    meta.add((source, RDF.type, VOID.Dataset))
    meta.add((source, DCTERMS.title, Literal(mapping.title)))
    meta.add((source, DCTERMS.license, licence))
    meta.add((source, VOID.uriSpace, Literal(mapping.uri_space)))
    meta.add((source, VOID.sparqlEndpoint, URIRef(mapping.endpoint)))

    meta.add((endpoint, RDF.type, SD.Service))
    meta.add((endpoint, RDF.type, PROV.Entity))
    meta.add((endpoint, SD.endpoint, endpoint))

    agent = BNode()
    meta.add((agent, RDF.type, PROV.SoftwareAgent))
    meta.add((agent, RDFS.label, Literal(f"ScholarGate {__version__}")))
    meta.add((activity, RDF.type, PROV.Activity))
    meta.add((activity, RDFS.label, Literal(f"scholargate link {mapping.name}", lang="en")))
    meta.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    meta.add((activity, PROV.endedAtTime, when))
    meta.add((activity, PROV.wasAssociatedWith, agent))
    meta.add((activity, PROV.used, endpoint))
    meta.add(
        (
            activity,
            RDFS.comment,
            Literal(
                f"{report.batches} batches of at most {mapping.client.batch_size} values "
                f"({report.requests} requests, {report.reused} answers kept from an "
                f"interrupted run); mapping {Path(mapping.source.split(' + ')[-1]).name} "
                f"(sha256 {mapping.fingerprint[:16]}); {len(report.conflicts)} conflicts "
                "reported and not written.",
                lang="en",
            ),
        )
    )
    for position, (label, text) in enumerate(sorted(templates.items()), start=1):
        query = URIRef(f"{graph}#query-{position}")
        meta.add((activity, PROV.used, query))
        meta.add((query, RDF.type, SH.SPARQLSelectExecutable))
        meta.add((query, RDF.type, PROV.Plan))
        meta.add((query, RDFS.label, Literal(label, lang="en")))
        meta.add((query, SH.select, Literal(text)))
    return meta


def _diff(report: LinkReport, data: Graph, path: Path) -> None:
    previous = _new_graph()
    if path.is_file():
        try:
            previous.parse(path, format="turtle")
        except Exception as error:  # a damaged previous file: everything counts as new
            report.notes.append(f"{path}: the previous links do not parse ({error})")
    before = {(str(s), str(o)) for s, _, o in previous.triples((None, SKOS.exactMatch, None))}
    after = {(str(s), str(o)) for s, _, o in data.triples((None, SKOS.exactMatch, None))}
    report.added = sorted(after - before)
    report.removed = sorted(before - after)
    old = {t for t in previous if t[1] != SKOS.exactMatch}
    new = {t for t in data if t[1] != SKOS.exactMatch}
    report.statements_added = len(new - old)
    report.statements_removed = len(old - new)


def _serialise(graph: Graph, header: str) -> bytes:
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment.encode("utf-8") + graph.serialize(format="turtle", encoding="utf-8")


def _stage_and_swap(
    mapping: Mapping, data: Graph, metadata: Graph, data_path: Path, meta_path: Path
) -> None:
    """Write both files beside their targets, then move them into place."""
    data_path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"Links from ScholarGate to {mapping.title}, made by `scholargate link {mapping.name}`;\n"
        f"loaded as the named graph sgg:links-{mapping.name}, described in "
        f"{meta_path.name}.\nDo not edit: run the command again."
    )
    staged: list[tuple[str, Path]] = []
    try:
        for graph, path, text in (
            (data, data_path, header),
            (metadata, meta_path, f"Description of sgg:links-{mapping.name}."),
        ):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as out:
                out.write(_serialise(graph, text))
        for tmp, path in staged:
            os.replace(tmp, path)
        staged = []
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


__all__ = [
    "Checkpoint",
    "Conflict",
    "Link",
    "LinkError",
    "LinkReport",
    "ScholarGateError",
    "graph_name",
    "link",
    "read_ours",
    "summary",
]
