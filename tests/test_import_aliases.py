"""The sources that only add aliases: the translated Stanford cheatsheets (fa, tr) and AI
Safety Türkiye's dictionary; small files written here, then the real sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from scholargate.errors import InputError
from scholargate.namespaces import ALIAS, GRAPH, METHOD, SG, SKOSXL
from scholargate.services.importing import (
    import_ai_dictionary,
    import_cheatsheets,
    read_named,
    run_import,
)
from scholargate.services.importing.common import read_turtle

FIXTURES = Path(__file__).parent / "fixtures" / "glossary"

TR_SHEET = """**1. [Regularization, Dropout, Early stopping]**

&#10230; [Düzenlileştirme, Seyreltme, Erken durdurma]

<br>

**2. Softmax ― The softmax step takes scores and turns them into probabilities.**

&#10230; Eşiksiz en büyük işlev ― Bu adım puanları olasılıklara çevirir.

<br>

**3. [Transformer, Flip, Bias]**

&#10230; [Dönüştürücü]

<br>

**4. Flip**

&#10230; Çevirme

<br>

**5. Triplet loss**

&#10230; Dönüştürücü yitim/kayıp

<br>
"""

DICTIONARY = (
    "Kategori,İngilizce Terim,Türkçe Çeviriler\r\n"
    "Derin Öğrenme,Dropout,seyreltme; bırakma; Dropout\r\n"
    "Derin Öğrenme,Generative Adversarial Network (GAN),üretici çatışmacı ağ\r\n"
    "Derin Öğrenme,Softmax,\r\n"
    "Temel Kavramlar,Accuracy,doğruluk\r\n"
)


@pytest.fixture(scope="module")
def methods() -> Graph:
    return read_turtle([FIXTURES / "methods-small.ttl"])


def aliases(graph: Graph, method: str, lang: str) -> list[str]:
    return sorted(
        str(o) for o in graph.objects(METHOD[method], SKOS.altLabel) if o.language == lang
    )


def test_cheatsheet_pairs_become_aliases_never_labels(methods: Graph, tmp_path: Path) -> None:
    (tmp_path / "cs-230-tips.md").write_text(TR_SHEET, encoding="utf-8")
    result = import_cheatsheets(tmp_path, methods, "tr")
    g = result.graph
    assert not list(g.subjects(SKOS.prefLabel))  # aliases only
    assert aliases(g, "dropout", "tr") == ["Seyreltme"]  # a bracketed list, by position
    assert aliases(g, "softmax", "tr") == ["Eşiksiz en büyük işlev"]  # a definition
    # a list whose items do not pair up gives nothing; "Flip" is a known wrong match
    assert aliases(g, "transformer", "tr") == []
    assert any("FLIP" in reason for _, reason in result.rejected)
    alias = ALIAS["dropout-tr-stanford-cheatsheets-1"]
    assert (alias, RDF.type, SG.Alias) in g
    assert (alias, SKOSXL.literalForm, Literal("Seyreltme", lang="tr")) in g
    assert (alias, DCTERMS.source, GRAPH["tr-stanford-cheatsheets"]) in g
    meta = result.metadata
    assert "Shervine Amidi and Afshine Amidi" in str(meta.value(GRAPH[result.name], DCTERMS.rights))


def test_a_cheatsheet_folder_must_hold_translations(methods: Graph, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no cheatsheet translations"):
        import_cheatsheets(tmp_path, methods, "fa")
    with pytest.raises(InputError, match="not a folder"):
        import_cheatsheets(tmp_path / "missing", methods, "fa")


def test_dictionary_renderings_other_than_the_english(methods: Graph, tmp_path: Path) -> None:
    path = tmp_path / "dictionary.csv"
    path.write_text(DICTIONARY, encoding="utf-8")
    result = import_ai_dictionary(path, methods)
    g = result.graph
    assert aliases(g, "dropout", "tr") == ["bırakma", "seyreltme"]  # not "Dropout" again
    assert aliases(g, "gan", "tr") == ["üretici çatışmacı ağ"]  # by "GAN" in parentheses
    assert [record for record, _ in result.rejected] == ["line 4"]  # no rendering
    assert result.counts["unmatched"] == 1  # Accuracy names no method
    assert not list(g.subjects(SKOS.prefLabel))


def test_dictionary_header_is_checked(methods: Graph, tmp_path: Path) -> None:
    path = tmp_path / "dictionary.csv"
    path.write_text("english,turkish\nDropout,seyreltme\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        import_ai_dictionary(path, methods)


# ---- the real sources, against the committed data ---------------------------------

REAL = {
    "cheatsheets-fa": ("stanford-cheatsheets-fa-tr/fa", "fa-stanford-cheatsheets"),
    "cheatsheets-tr": ("stanford-cheatsheets-fa-tr/tr", "tr-stanford-cheatsheets"),
    "dictionary-tr": (
        "tr-aisafety-ai-dictionary/english-turkish-ai-dictionary.csv",
        "tr-ai-dictionary",
    ),
}


@pytest.mark.parametrize("source", sorted(REAL))
def test_committed_alias_imports_are_up_to_date(
    source: str, data_candidates: Path, project_root: Path, tmp_path: Path
) -> None:
    """data/imported/X.ttl is what `scholargate import SOURCE` makes from today's data;
    when this fails, re-run the import and commit."""
    relative, name = REAL[source]
    result = run_import(source, data_candidates / relative, project_root, tmp_path / name)
    committed = Graph().parse(project_root / "data" / "imported" / f"{name}.ttl")
    assert set(committed) == set(result.graph), f"{name}.ttl is stale"
    assert result.counts["aliases"] >= 10
    named = read_named(project_root)
    for method, _, alias in result.graph.triples((None, SKOS.altLabel, None)):
        # never a name the method already has in that language
        assert alias not in set(named.objects(method, SKOS.prefLabel))
        assert alias not in set(named.objects(method, SKOS.altLabel))
