"""BibTeX and CSL-JSON of works, from the real data, read back with a BibTeX parser."""

from __future__ import annotations

import json

import bibtexparser
import bibtexparser.middlewares as mw
import pytest
from rdflib import URIRef
from rdflib.collection import Collection

from scholargate.namespaces import BIBO, FOAF, GRAPH, METHOD, WORK, sparql_prefixes
from scholargate.render import bib
from scholargate.services.citation import (
    Person,
    Work,
    foundational_works,
    get_work,
    venue_kind,
)

LORA = WORK["lora-low-rank-adaptation-of-large"]
LAYER_NORM = WORK["layer-normalization"]  # arXiv only
SVM = WORK["support-vector-networks"]  # a journal article with a DOI
GPT = WORK["improving-language-understanding-by-generative-pre"]  # a lab's report


def parse(text: str, *, names: bool = False, latex: bool = False) -> bibtexparser.Library:
    middlewares: list = []
    if latex:
        middlewares.append(mw.LatexDecodingMiddleware())
    if names:
        middlewares += [mw.SeparateCoAuthors(), mw.SplitNameParts()]
    library = bibtexparser.parse_string(text, append_middleware=middlewares)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


def fields(entry) -> dict[str, object]:  # noqa: ANN001
    return {name: field.value for name, field in entry.fields_dict.items()}


@pytest.fixture(scope="module")
def works(bundled_store) -> dict[URIRef, Work]:
    found = {}
    for iri in (LORA, LAYER_NORM, SVM, GPT):
        work = get_work(bundled_store, str(iri))
        assert work is not None, iri
        found[iri] = work
    return found


# ---- the LoRA paper ------------------------------------------------------------------


def test_lora_bibtex_entry(works, bundled_store) -> None:
    text = bib.to_bibtex([works[LORA]])
    library = parse(text, names=True)
    [entry] = library.entries
    assert entry.entry_type == "inproceedings"
    assert entry.key == "hu2022lora"
    values = fields(entry)
    assert values["title"] == "{LoRA}: Low-Rank Adaptation of Large Language Models"
    assert values["booktitle"] == "ICLR"
    assert values["year"] == "2022"
    assert values["eprint"] == "2106.09685"
    assert values["archivePrefix"] == "arXiv"
    assert values["url"] == "https://arxiv.org/abs/2106.09685"
    # authors in the order of bibo:authorList, read here straight from the curated graph
    curated = bundled_store.graph(GRAPH["curated"])
    head = curated.value(LORA, BIBO.authorList)
    in_order = [str(curated.value(p, FOAF.familyName)) for p in Collection(curated, head)]
    assert in_order[:3] == ["Hu", "Shen", "Wallis"] and len(in_order) == 8
    assert [name.last[0] for name in values["author"]] == in_order
    assert values["author"][0].first == ["Edward", "J."]


def test_lora_csl_json(works) -> None:
    [item] = bib.to_csl([works[LORA]])
    check_csl_item(item)
    assert item["id"] == "hu2022lora"
    assert item["type"] == "paper-conference"
    assert item["title"] == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert item["author"][0] == {"family": "Hu", "given": "Edward J."}
    assert [a["family"] for a in item["author"]][-1] == "Chen"
    assert item["issued"] == {"date-parts": [[2022]]}
    assert item["container-title"] == "ICLR"
    assert item["note"] == "arXiv:2106.09685"
    assert item["URL"] == "https://arxiv.org/abs/2106.09685"


def test_method_cites_its_foundational_works(bundled_store) -> None:
    cited = foundational_works(bundled_store, str(METHOD["lora"]))
    assert [w.iri for w in cited] == [str(LORA)]
    assert foundational_works(bundled_store, str(METHOD["no-such-method"])) == []


# ---- other kinds of work -------------------------------------------------------------


def test_arxiv_only_work_is_misc_with_eprint(works) -> None:
    [entry] = parse(bib.to_bibtex([works[LAYER_NORM]])).entries
    values = fields(entry)
    assert entry.entry_type == "misc" and entry.key == "ba2016layer"
    assert values["eprint"] == "1607.06450" and values["archivePrefix"] == "arXiv"
    assert values["url"] == "https://arxiv.org/abs/1607.06450"
    assert "booktitle" not in values and "journal" not in values
    [item] = bib.to_csl([works[LAYER_NORM]])
    check_csl_item(item)
    assert item["type"] == "article"
    assert item["publisher"] == "arXiv" and item["number"] == "arXiv:1607.06450"
    assert "container-title" not in item


def test_imported_work_without_authors(bundled_store) -> None:
    """Papers with Code works have a title, a year and an arXiv id, and no authors."""
    rows = bundled_store.select(
        sparql_prefixes()
        + f"""SELECT ?w WHERE {{ GRAPH <{GRAPH["pwc-methods"]}> {{
            ?w a fabio:ScholarlyWork ; sg:arxivId ?id ; dcterms:issued ?y }}
          FILTER NOT EXISTS {{ ?w bibo:authorList ?l }} FILTER NOT EXISTS {{ ?w sg:venue ?v }}
        }} ORDER BY ?w LIMIT 3"""
    )
    assert rows
    for row in rows:
        work = get_work(bundled_store, str(row["w"]))
        assert work is not None and not work.authors
        [entry] = parse(bib.to_bibtex([work])).entries
        assert entry.entry_type == "misc"
        assert "author" not in fields(entry)
        assert entry.key.endswith(str(work.year))
        [item] = bib.to_csl([work])
        check_csl_item(item)
        assert "author" not in item


def test_journal_article(works) -> None:
    [entry] = parse(bib.to_bibtex([works[SVM]])).entries
    values = fields(entry)
    assert entry.entry_type == "article" and entry.key == "cortes1995support"
    assert values["journal"] == "Machine Learning"
    assert values["doi"] == "10.1007/bf00994018"
    assert "eprint" not in values
    [item] = bib.to_csl([works[SVM]])
    check_csl_item(item)
    assert item["type"] == "article-journal"
    assert item["DOI"] == "10.1007/bf00994018" and item["container-title"] == "Machine Learning"


def test_lab_report(works) -> None:
    [entry] = parse(bib.to_bibtex([works[GPT]])).entries
    assert entry.entry_type == "techreport"
    assert fields(entry)["institution"] == "OpenAI"
    [item] = bib.to_csl([works[GPT]])
    assert item["type"] == "report" and item["publisher"] == "OpenAI"


def test_every_curated_work_parses_back(bundled_store) -> None:
    rows = bundled_store.select(
        sparql_prefixes()
        + f"SELECT DISTINCT ?w WHERE {{ GRAPH <{GRAPH['curated']}> "
        + "{ ?w a fabio:ScholarlyWork } }"
    )
    works = [get_work(bundled_store, str(r["w"])) for r in rows]
    assert len(works) >= 60 and all(works)
    library = parse(bib.to_bibtex(works), names=True)
    assert len(library.entries) == len(works)
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == len(keys)
    for entry, work in zip(library.entries, works, strict=True):
        values = fields(entry)
        assert values["year"] == str(work.year)
        assert len(values["author"]) == len(work.authors)
        assert entry.entry_type in ("inproceedings", "article", "misc", "techreport")
    for item in bib.to_csl(works):
        check_csl_item(item)


# ---- the rules -----------------------------------------------------------------------

TITLES = [
    # (title, BibTeX title)
    ("Attention Is All You Need", "Attention Is All You Need"),
    ("LoRA: Low-Rank Adaptation", "{LoRA}: Low-Rank Adaptation"),
    (
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "{BERT}: Pre-training of Deep Bidirectional Transformers",
    ),
    ("RoBERTa and XLNet", "{RoBERTa} and {XLNet}"),
    ("Exploring T5 (GPT-2)", "Exploring {T5} ({GPT-2})"),
    ("Layer Normalization", "Layer Normalization"),
    ("R&D at 50% for $5 #1 a_b {x}", r"{R\&D} at 50\% for \$5 \#1 a\_b \{x\}"),
]


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_title_protection_and_escaping(title: str, expected: str) -> None:
    assert bib.protect_title(title) == expected


def test_latex_specials_round_trip_through_a_parser() -> None:
    title = r"Costs & 50% of $x_1 #2 {braces} ~tilde \slash"
    work = Work(iri="urn:x", title=title, year=2020, venue=None, authors=(), url="urn:x")
    [entry] = parse(bib.to_bibtex([work]), latex=True).entries
    assert fields(entry)["title"] == title


def test_unicode_is_kept() -> None:
    kaiser = Person("urn:p", "Łukasz Kaiser", "Łukasz", "Kaiser")
    work = Work("urn:w", "Öz-dikkat ve ışık", 2017, "NeurIPS", (kaiser,), arxiv_id="1706.03762")
    text = bib.to_bibtex([work])
    assert "Kaiser, Łukasz" in text and "Öz-dikkat ve ışık" in text
    [entry] = parse(text).entries
    assert entry.key == "kaiser2017oz"


NAMES = [
    # (person, BibTeX name, CSL name)
    (Person("p", "Ashish Vaswani", "Ashish", "Vaswani"), "Vaswani, Ashish", None),
    (Person("p", "Laurens van der Maaten", "Laurens", "van der Maaten"), None, None),
    (Person("p", "Rami Al Rfou", "Rami", "Al Rfou"), "{Al Rfou}, Rami", None),
    (Person("p", "OpenAI"), "{OpenAI}", {"literal": "OpenAI"}),
]


@pytest.mark.parametrize(("person", "bibtex", "csl"), NAMES)
def test_names(person: Person, bibtex: str | None, csl: dict | None) -> None:
    if bibtex is not None:
        assert bib.bibtex_name(person) == bibtex
    assert bib.csl_name(person) == (csl or {"family": person.family, "given": person.given})
    work = Work("urn:w", "A Title", 2000, None, (person,), url="urn:w")
    [entry] = parse(bib.to_bibtex([work]), names=True).entries
    [name] = fields(entry)["author"]
    if person.family:
        assert " ".join(name.von + name.last).strip("{}") == person.family


def test_repeated_keys_get_letters() -> None:
    vaswani = Person("p", "Ashish Vaswani", "Ashish", "Vaswani")
    one = Work("urn:1", "Attention Is All You Need", 2017, "NeurIPS", (vaswani,), url="urn:1")
    two = Work("urn:2", "Attention, Again", 2017, "ICML", (vaswani,), url="urn:2")
    keys = [k for _, k in bib.unique_keys([one, two, one])]
    assert keys == ["vaswani2017attentiona", "vaswani2017attentionb", "vaswani2017attentionc"]


VENUES = [
    ("NeurIPS", None, "conference"),
    ("ICLR Workshop", None, "conference"),
    ("JMLR", None, "journal"),
    ("Proceedings of the IEEE", None, "journal"),
    ("IEEE Transactions on Information Theory", None, "journal"),
    ("Proceedings of the 40th International Conference on Machine Learning", None, "conference"),
    ("arXiv", "1607.06450", "preprint"),
    (None, "1607.06450", "preprint"),
    ("OpenAI", None, "report"),
    (None, None, "other"),
    ("A Blog", None, "other"),
]


@pytest.mark.parametrize(("venue", "arxiv", "kind"), VENUES)
def test_venue_kind(venue: str | None, arxiv: str | None, kind: str) -> None:
    assert venue_kind(venue, arxiv) == kind


def test_every_venue_in_the_data_has_a_known_kind(bundled_store) -> None:
    rows = bundled_store.select(sparql_prefixes() + "SELECT DISTINCT ?v WHERE { ?w sg:venue ?v }")
    unknown = [str(r["v"]) for r in rows if venue_kind(str(r["v"])) == "other"]
    assert unknown == []


# ---- CSL-JSON, checked by structure --------------------------------------------------

CSL_TYPES = {
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "book",
    "chapter",
    "dataset",
    "document",
    "paper-conference",
    "report",
    "thesis",
    "webpage",
}
CSL_STRINGS = {"id", "title", "container-title", "publisher", "DOI", "URL", "note", "number"}


def check_csl_item(item: dict) -> None:
    """The parts of the CSL-JSON schema (csl-data.json) these items use."""
    assert isinstance(item["id"], str) and item["id"]
    assert item["type"] in CSL_TYPES
    assert isinstance(item["title"], str) and item["title"]
    for key in CSL_STRINGS & set(item):
        assert isinstance(item[key], str) and item[key], key
    for name in item.get("author", []):
        assert set(name) <= {"family", "given", "literal"}
        assert ("family" in name) != ("literal" in name)
        assert all(isinstance(v, str) and v for v in name.values())
    if "issued" in item:
        parts = item["issued"]["date-parts"]
        assert isinstance(parts, list) and len(parts) == 1
        assert 1 <= len(parts[0]) <= 3 and all(isinstance(p, int) for p in parts[0])
    if "DOI" in item:
        assert item["DOI"].startswith("10.") and not item["DOI"].startswith("http")


def test_csl_is_json_serialisable(works) -> None:
    items = bib.to_csl(works.values())
    assert json.loads(json.dumps(items, ensure_ascii=False)) == items
