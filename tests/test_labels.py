"""The one label rule (services/labels.py): pages, comparisons, search and validation
messages all choose a label or message for a language this way."""

from __future__ import annotations

from rdflib import Literal

from scholargate.services.labels import pick, pick_by_property

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def test_the_asked_language_then_english_then_untagged_then_any() -> None:
    labels = [Literal("LoRA", lang="en"), Literal("لورا", lang="fa"), Literal("plain")]
    assert pick(labels, "fa") == Literal("لورا", lang="fa")
    assert pick(labels, "tr") == Literal("LoRA", lang="en")
    assert pick(labels[2:], "tr") == Literal("plain")
    assert pick([Literal("b", lang="de"), Literal("a", lang="fr")], "tr") == Literal("b", lang="de")
    assert pick([], "en") is None


def test_within_a_language_the_lexically_first_whatever_the_order() -> None:
    one = [Literal("zeta", lang="en"), Literal("alpha", lang="en")]
    assert pick(one, "en") == Literal("alpha", lang="en")
    assert pick(list(reversed(one)), "en") == Literal("alpha", lang="en")


def test_tags_match_as_bcp47_says() -> None:
    regional = [Literal("colour", lang="en-GB"), Literal("رنگ", lang="fa")]
    assert pick(regional, "tr") == Literal("colour", lang="en-GB")  # en-GB serves en
    own = [Literal("colour", lang="en-GB"), Literal("color", lang="en")]
    assert pick(own, "en") == Literal("color", lang="en")  # the language's own tag first
    assert pick([Literal("renk", lang="TR"), Literal("x", lang="en")], "tr") == Literal(
        "renk", lang="TR"
    )


def test_the_first_naming_property_with_any_label_wins() -> None:
    labels = {
        RDFS_LABEL: [Literal("برچسب", lang="fa")],
        SKOS_PREF: [Literal("Preferred", lang="en")],
    }
    assert pick_by_property(labels, "fa") == Literal("Preferred", lang="en")
    assert pick_by_property({RDFS_LABEL: labels[RDFS_LABEL]}, "fa") == Literal("برچسب", lang="fa")
    assert pick_by_property({}, "fa") is None
