"""The reviewed table that maps Papers with Code collections onto ScholarGate's own
concepts (``data/mappings/pwc-collections.tsv``): a collection's methods get the mapped
type (``sg:methodType``) or family (``sg:family``), and a mapped field (``sg:field``)
replaces the area "General" that the collection's methods have in the dump."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ....errors import InputError
from ....namespaces import FAMILY, FIELD, SG, TYPE
from ..common import decode, read_bytes, tidy

MAPPING_FILE = Path("data") / "mappings" / "pwc-collections.tsv"
GENERAL = "General"  # the dump's area for methods of no one area
_PREFIXES = {"sgt:": TYPE, "sgf:": FIELD, "sgfam:": FAMILY}
_KINDS = {SG.MethodType: SG.methodType, SG.Field: SG.field, SG.Family: SG.family}


@dataclass
class CollectionMap:
    """What each mapped collection adds: (property, concept) pairs, by collection name."""

    by_collection: dict[str, list[tuple[URIRef, URIRef]]] = field(default_factory=dict)

    def of(self, collection: str) -> list[tuple[URIRef, URIRef]]:
        return self.by_collection.get(collection, [])

    def __len__(self) -> int:
        return sum(map(len, self.by_collection.values()))


def read_mapping(path: Path | None, curated: Graph) -> CollectionMap:
    """The table at ``path`` (none: an empty map). Each concept must be one the curated
    graph defines as a type, field or family; a line that is not ``collection <TAB>
    concept <TAB> note`` is refused with its line number."""
    mapping = CollectionMap()
    if path is None:
        return mapping
    text = decode(read_bytes(path), path)
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if [tidy(c) for c in cells[:2]] != ["collection", "concept"]:
                raise InputError(
                    f"{path}:{number}: expected the header 'collection, concept, note'"
                )
            header_seen = True
            continue
        if len(cells) != 3 or not all(tidy(c) for c in cells):
            raise InputError(
                f"{path}:{number}: expected three tab-separated cells (collection, concept, "
                "note), each filled in"
            )
        collection, concept, _note = (tidy(c) for c in cells)
        iri = _expand(concept)
        kind = next((k for k in _KINDS if (iri, RDF.type, k) in curated), None) if iri else None
        if iri is None or kind is None:
            raise InputError(
                f"{path}:{number}: {concept!r} is not a type (sgt:), field (sgf:) or family "
                "(sgfam:) that the curated graph defines"
            )
        pairs = mapping.by_collection.setdefault(collection, [])
        if (_KINDS[kind], iri) in pairs:
            raise InputError(f"{path}:{number}: {collection!r} → {concept} is listed twice")
        pairs.append((_KINDS[kind], iri))
    return mapping


def _expand(curie: str) -> URIRef | None:
    for prefix, namespace in _PREFIXES.items():
        if curie.startswith(prefix) and len(curie) > len(prefix):
            return namespace[curie[len(prefix) :]]
    return None
