"""Search: normalised matching, ranking, the index's freshness, and the HTTP routes."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from scholargate.errors import InputError
from scholargate.formats import by_name
from scholargate.namespaces import GRAPH
from scholargate.services.search import MAX_QUERY, SearchIndex, index_for, invalidate
from scholargate.store.oxigraph import OxigraphStore

FIXTURE = Path(__file__).parent / "fixtures" / "search" / "names.ttl"
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def fixture_store() -> OxigraphStore:
    store = OxigraphStore()
    store.load(
        FIXTURE.read_bytes(), by_name("ttl"), graph=GRAPH["search-test"], source=str(FIXTURE)
    )
    return store


@pytest.fixture(scope="module")
def searched() -> OxigraphStore:
    return fixture_store()


@pytest.fixture(scope="module")
def index(searched: OxigraphStore) -> SearchIndex:
    # an index holds its store weakly (services/store_ref.py): the fixture above keeps it
    return SearchIndex(searched, background=False)


def first(index: SearchIndex, query: str, lang: str = "en", **options) -> tuple[str, str]:
    hits = index.search(query, lang=lang, **options).hits
    assert hits, f"nothing found for {query!r}"
    return hits[0].slug, hits[0].match


# (typed, language of the page, the method it must find first, how it matches)
CASES = [
    ("روشها", "fa", "ensemble-methods", "prefix"),  # روش‌ها without the ZWNJ
    ("روش های", "fa", "ensemble-methods", "prefix"),  # a space for the ZWNJ
    ("روش‌های گروهی", "fa", "ensemble-methods", "exact"),
    ("يادگيري عميق", "fa", "deep-learning", "exact"),  # Arabic yeh for Persian yeh
    ("تنظيم دقيق", "fa", "fine-tuning", "exact"),
    ("انطباق كم‌رتبه", "fa", "lora", "exact"),  # Arabic kaf for Persian kaf
    ("انطباق کمرتبه", "fa", "lora", "exact"),
    ("مُدل زبانی", "fa", "language-model", "exact"),  # a harakat
    ("مدلـــ زبانی", "fa", "language-model", "exact"),  # tatweel
    ("IŞIK", "tr", "light-field", "prefix"),  # Turkish capitals for ışık
    ("isik alani", "tr", "light-field", "exact"),  # Turkish typed on an English keyboard
    ("INCE AYAR", "tr", "fine-tuning", "exact"),  # I for İ
    ("lora", "en", "lora", "exact"),  # LoRA
    ("low rank adaptation", "en", "lora", "exact"),  # Low-Rank Adaptation
    ("adaptation", "en", "lora", "word"),
    ("lowra", "en", "lora", "exact"),  # a hidden label finds, but is not shown
    ("transformer ۲۰۱۷", "fa", "transformer", "exact"),  # Persian digits for 2017
    ("جی‌پی‌تی 4", "fa", "gpt-4", "exact"),  # ASCII digit for ۴
    ("gpt ٤", "en", "gpt-4", "exact"),  # Arabic-Indic digit
    ("توجه", "fa", "attention", "exact"),
    ("توجه به", "fa", "multi-head-self-attention", "prefix"),  # توجه به خود چند-سری
    ("öz dikkat", "tr", "multi-head-self-attention", "exact"),  # öz-dikkat, SKOS-XL only
    ("oz-dikkat", "tr", "multi-head-self-attention", "exact"),
    ("former", "en", "transformer", "substring"),
    ("multi head", "en", "multi-head-self-attention", "prefix"),
    ("hinton", "en", "geoffrey-hinton", "word"),
    ("attention is all", "en", "attention-is-all-you-need", "prefix"),
]


@pytest.mark.parametrize(("typed", "lang", "slug", "match"), CASES)
def test_search_finds(index: SearchIndex, typed: str, lang: str, slug: str, match: str) -> None:
    assert first(index, typed, lang) == (slug, match)


def test_tiers_exact_prefix_word_substring(index: SearchIndex) -> None:
    hits = index.search("attention", kinds=["method"]).hits
    assert [(h.slug, h.match) for h in hits] == [
        ("attention", "exact"),
        ("attention-gate", "prefix"),
        ("multi-head-self-attention", "word"),  # multi-head self attention
        ("selfattention-pooling", "substring"),
    ]


def test_preferred_name_before_alias(index: SearchIndex) -> None:
    hits = index.search("dropout").hits
    assert [(h.slug, h.property) for h in hits[:2]] == [
        ("dropout", "prefLabel"),
        ("spatial-dropout", "altLabel"),
    ]


def test_shorter_name_first(index: SearchIndex) -> None:
    slugs = [h.slug for h in index.search("drop").hits]
    assert slugs.index("dropout") < slugs.index("dropblock")  # Dropout (7) < DropBlock (9)


def test_more_connected_first(index: SearchIndex) -> None:
    slugs = [h.slug for h in index.search("batch").hits]
    assert slugs == ["batch-norm", "batch-size"]  # same length; batch-norm has links


def test_more_used_first(index: SearchIndex) -> None:
    slugs = [h.slug for h in index.search("gr").hits]
    # same length; Graph norm is used by 40 papers, Group norm by 3 (but has a link)
    assert slugs.index("graph-norm") < slugs.index("group-norm")


def test_methods_before_persons_and_works(index: SearchIndex) -> None:
    hits = index.search("adam").hits
    assert [(h.kind, h.match) for h in hits] == [
        ("method", "exact"),
        ("person", "exact"),
        ("work", "exact"),
    ]


def test_one_hit_per_resource_under_its_best_name(index: SearchIndex) -> None:
    hits = index.search("lora").hits  # slug, preferred name, hidden name Lowra…
    assert [h.slug for h in hits].count("lora") == 1
    assert (hits[0].matched, hits[0].property, hits[0].match) == ("LoRA", "prefLabel", "exact")


@pytest.mark.parametrize(
    ("lang", "label", "label_lang"),
    [("fa", "لورا", "fa"), ("en", "LoRA", "en"), ("tr", "LoRA", "en")],  # tr → en fallback
)
def test_label_shown_in_the_asked_language(index, lang, label, label_lang) -> None:
    hit = index.search("low rank adaptation", lang=lang).hits[0]
    assert (hit.label, hit.lang) == (label, label_lang)
    assert (hit.matched, hit.matched_lang) == ("Low-Rank Adaptation", "en")


def test_hit_fields(index: SearchIndex) -> None:
    hit = index.search("lowra").hits[0]
    assert hit.to_json() == {
        "iri": "https://w3id.org/scholargate/method/lora",
        "type": "method",
        "slug": "lora",
        "label": "LoRA",
        "lang": "en",
        "matched": "Lowra",
        "matched_lang": "en",
        "property": "hiddenLabel",
        "match": "exact",
        "url": "/method/lora",
    }


def test_kinds_filter(index: SearchIndex) -> None:
    assert [h.kind for h in index.search("deep learning").hits] == ["method", "field"]
    assert [h.slug for h in index.search("deep learning", kinds=["field"]).hits] == [
        "deep-learning"
    ]
    assert [h.kind for h in index.search("adam", kinds=["person", "work"]).hits] == [
        "person",
        "work",
    ]


def test_limit_and_more(index: SearchIndex) -> None:
    results = index.search("a", limit=2)
    assert len(results.hits) == 2 and results.more
    results = index.search("adam", limit=3)
    assert len(results.hits) == 3 and not results.more


def test_nothing_found(index: SearchIndex) -> None:
    results = index.search("qzxv")
    assert results.hits == [] and not results.more
    assert index.search("lora qzxv").hits == []


@pytest.mark.parametrize(
    ("query", "options", "reason"),
    [
        ("", {}, "empty"),
        ("  -–— ", {}, "empty"),  # punctuation only: nothing to match
        ("x" * (MAX_QUERY + 1), {}, "too-long"),
        ("lora", {"kinds": ["planet"]}, "type"),
        ("lo\x00ra", {}, "control"),
        ("lora\r\nSet-Cookie: x=1", {}, "control"),
        ("lora\t", {}, "control"),
        ("lora\x85", {}, "control"),
    ],
)
def test_bad_queries_are_refused(index, query: str, options: dict, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        index.search(query, **options)
    assert caught.value.details.get("reason") == reason


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_out_of_range(index: SearchIndex, limit: int) -> None:
    with pytest.raises(InputError):
        index.search("lora", limit=limit)


# ---- freshness ----------------------------------------------------------------------------


def found(index: SearchIndex, query: str) -> list[str]:
    """The slugs a query finds, but for names close to it (QLoRA is one letter from LoRA)."""
    return [hit.slug for hit in index.search(query).hits if hit.match != "fuzzy"]


NEW_METHOD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/scholargate/method/qlora> skos:prefLabel "QLoRA"@en ."""


def test_refresh_after_a_write() -> None:
    store = fixture_store()
    index = SearchIndex(store, background=False)
    assert not found(index, "qlora")
    store.load(NEW_METHOD, by_name("ttl"), graph=GRAPH["search-test"])
    index.refresh()
    assert first(index, "qlora") == ("qlora", "exact")


def test_a_write_through_the_store_is_noticed_at_the_next_search() -> None:
    store = fixture_store()
    index = SearchIndex(store, background=False)  # check_every as in the app
    assert not found(index, "qlora")
    store.load(NEW_METHOD, by_name("ttl"), graph=GRAPH["search-test"])  # generation + 1
    assert first(index, "qlora") == ("qlora", "exact")


def test_a_new_graph_is_noticed_without_being_told() -> None:
    store = fixture_store()
    index = SearchIndex(store, check_every=0, background=False)
    assert not found(index, "qlora")
    graph = URIRef("https://w3id.org/scholargate/graph/new")
    store.native.load(NEW_METHOD, ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(graph)))
    assert first(index, "qlora") == ("qlora", "exact")  # written around the store object


def test_invalidate_rebuilds_in_the_background_and_old_answers_serve_meanwhile() -> None:
    store = fixture_store()
    index = index_for(store)
    assert not found(index, "qlora")
    # into a graph the index knows, around the store object: nothing to notice
    store.native.load(NEW_METHOD, ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH["search-test"]))
    assert not found(index, "qlora")
    invalidate(store)  # a writer tells search
    wait_for(index, "qlora")
    assert first(index, "qlora") == ("qlora", "exact")


def wait_for(index: SearchIndex, query: str) -> None:
    deadline = time.monotonic() + 30
    while not found(index, query):
        assert time.monotonic() < deadline, "the index was not rebuilt"
        time.sleep(0.05)


def test_writes_are_picked_up_in_the_background() -> None:
    store = fixture_store()
    index = SearchIndex(store, min_interval=0)
    assert not found(index, "qlora")
    store.load(NEW_METHOD, by_name("ttl"), graph=GRAPH["search-test"])
    wait_for(index, "qlora")


def test_background_rebuilds_are_spaced_out() -> None:
    store = fixture_store()
    index = SearchIndex(store, min_interval=3600)  # just built: the next may wait an hour
    assert not found(index, "qlora")
    store.load(NEW_METHOD, by_name("ttl"), graph=GRAPH["search-test"])
    for _ in range(3):
        assert not found(index, "qlora")  # stale, and no rebuild started
    assert not index._rebuilding  # noqa: SLF001
    index.invalidate()  # a writer that asks is not kept waiting
    wait_for(index, "qlora")


def test_one_index_per_store() -> None:
    store = fixture_store()
    assert index_for(store) is index_for(store)
    assert index_for(store) is not index_for(fixture_store())


# ---- the bundled graph ----------------------------------------------------------------------

REAL = [
    ("lora", "en", "lora"),
    ("low rank adaptation", "en", "lora"),
    ("LoRA ve PEFT", "tr", "lora"),
    ("توجه به خود", "fa", "multi-head-self-attention"),
    ("öz dikkat", "tr", "multi-head-self-attention"),
    ("cok basli oz-dikkat", "tr", "multi-head-self-attention"),
    ("BERT ince ayarı", "tr", "bert-fine-tuning"),
    ("BERT İNCE AYARI", "tr", "bert-fine-tuning"),
    ("تنظيم دقيق BERT", "fa", "bert-fine-tuning"),
    ("multi-head self-attention", "en", "multi-head-self-attention"),
]


@pytest.mark.parametrize(("typed", "lang", "slug"), REAL)
def test_bundled_graph(bundled_store, typed: str, lang: str, slug: str) -> None:
    hits = index_for(bundled_store).search(typed, lang=lang, kinds=["method"]).hits
    assert hits and hits[0].slug == slug


# issue 19: what people type (tests/search_queries.tsv has many more), and how it matched
TYPED = [
    ("نرمالسازی دسته ای", "fa", "batch-normalization", "exact"),  # spaces for ZWNJs
    ("دراپ اوت", "fa", "dropout", "exact"),  # دراپ‌اوت
    ("خود رمزنگار", "fa", "autoencoder", "exact"),  # a space inside خودرمزنگار
    ("شبکه های عصبی پیچشی", "fa", "convolutional-neural-network", "inflected"),  # plural
    ("ترانسفورمر", "fa", "transformer", "fuzzy"),  # one letter from ترنسفورمر
    # makinesi; the plural "makineleri" is an alias now (the Turkish Stanford cheatsheets)
    ("destek vektör makinesini", "tr", "support-vector-machine", "inflected"),  # accusative
    ("evrişimli sinir ağları", "tr", "convolutional-neural-network", "inflected"),
    ("ağırlık sönümünü", "tr", "weight-decay", "inflected"),  # accusative
    ("transformers", "en", "transformer", "inflected"),  # not TransE, which stems to trans
    ("support vector machines", "en", "support-vector-machine", "inflected"),
    ("maxpooling", "en", "max-pooling", "exact"),
    ("transfomer", "en", "transformer", "fuzzy"),
    ("generative adverserial network", "en", "generative-adversarial-network", "fuzzy"),
    # a word that is another name of a thing inside a longer name: برت is BERT's alias
    ("تنظیم دقیق برت", "fa", "bert-fine-tuning", "inflected"),
]


@pytest.mark.parametrize(("typed", "lang", "slug", "match"), TYPED)
def test_what_people_type(bundled_store, typed: str, lang: str, slug: str, match: str) -> None:
    hits = index_for(bundled_store).search(typed, lang=lang, kinds=["method"]).hits
    assert hits and (hits[0].slug, hits[0].match) == (slug, match)


def test_fuzzy_hits_rank_below_the_others_and_only_without_a_whole_name() -> None:
    store = fixture_store()
    store.load(NEW_METHOD, by_name("ttl"), graph=GRAPH["search-test"])
    layer = NEW_METHOD.replace("qlora", "dropotron").replace("QLoRA", "Dropotron")
    store.load(layer, by_name("ttl"), graph=GRAPH["search-test"])
    index = SearchIndex(store, background=False)
    hits = index.search("dropot").hits  # the start of a name, and one letter from Dropout
    assert [(h.slug, h.match) for h in hits] == [
        ("dropotron", "prefix"),
        ("dropout", "fuzzy"),
        ("spatial-dropout", "fuzzy"),  # its alias Spatial Dropout is further away
    ]
    # a whole name typed as it is: no typo to look for (QLoRA is one letter from LoRA)
    assert [(h.slug, h.match) for h in index.search("qlora").hits] == [("qlora", "exact")]


def test_nothing_found_offers_names_close_to_it(index: SearchIndex) -> None:
    results = index.search("lora qzxv")
    assert results.hits == []
    assert [hit.slug for hit in results.did_you_mean] == ["lora"]
    offered = results.to_json()["did_you_mean"][0]
    assert (offered["text"], offered["url"], offered["match"]) == ("LoRA", "/method/lora", "fuzzy")
    assert index.search("qzxv").did_you_mean == []  # nothing close either


# ---- HTTP ------------------------------------------------------------------------------------


def test_get_search_json(client) -> None:
    response = client.get("/search?q=low%20rank%20adaptation&lang=fa", headers=JSON)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "Accept" in response.headers["Vary"]
    body = response.get_json()
    assert body["normalized"] == "low rank adaptation" and body["lang"] == "fa"
    top = body["results"][0]
    assert (top["slug"], top["label"], top["lang"], top["match"]) == (
        "lora",
        "لورا و PEFT",
        "fa",
        "exact",
    )
    assert top["url"] == "/method/lora"


def test_get_search_json_suffix(client) -> None:
    response = client.get("/search.json?q=%DB%B2%DB%B0%DB%B1%DB%B7")  # ۲۰۱۷
    assert response.status_code == 200
    assert response.get_json()["normalized"] == "2017"


@pytest.mark.parametrize(
    ("accept", "status", "mimetype"),
    [
        ("text/html", 200, "text/html"),
        ("application/json", 200, "application/json"),
        ("*/*", 200, "text/html"),
        ("application/json;q=0.5, text/html", 200, "text/html"),
        ("text/turtle", 406, "application/json"),
    ],
)
def test_get_search_accept(client, accept: str, status: int, mimetype: str) -> None:
    response = client.get("/search?q=lora", headers={"Accept": accept})
    assert response.status_code == status
    assert response.mimetype == mimetype


def test_get_search_html_in_persian(client) -> None:
    response = client.get("/search?q=روشها&lang=fa", headers=HTML)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in page
    assert 'value="روشها"' in page and 'role="combobox"' not in page  # the script adds it
    assert 'data-suggest="/search/suggest"' in page
    assert "نتیجه برای «روشها»" in page
    assert 'href="/search.json?' in page


def test_get_search_html_did_you_mean(client) -> None:
    response = client.get("/search?q=lora%20qzxv&lang=en", headers=HTML)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing matches" in page and "Did you mean:" in page
    link = 'href="/search?q=LoRA+and+PEFT&amp;lang=en" lang="en" dir="auto">LoRA and PEFT</a>'
    assert link in page  # the label, where the closest name was the slug "lora"
    body = client.get("/search?q=lora%20qzxv", headers=JSON).get_json()
    assert body["results"] == [] and body["did_you_mean"][0]["slug"] == "lora"


def test_get_search_html_says_how_a_typo_matched(client) -> None:
    page = client.get("/search?q=transfomer&lang=tr&type=method", headers=HTML).get_data(
        as_text=True
    )
    assert 'data-slug="transformer" data-match="fuzzy"' in page and "ada yakın bir ad" in page


def test_get_search_html_without_query_shows_the_box(client) -> None:
    response = client.get("/search?lang=tr", headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="q"' in page and "Bir yöntemi adlarından biriyle bulun" in page
    assert 'class="results"' not in page


def test_get_search_html_with_only_punctuation(client) -> None:
    response = client.get("/search?q=---&lang=fa", headers=HTML)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="q"' in page and 'role="alert"' in page and "متنی برای جست‌وجو بدهید" in page


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/search?q=", "empty"),
        ("/search", "empty"),
        ("/search?q=%20%20", "empty"),
        ("/search?q=" + "x" * (MAX_QUERY + 1), "too-long"),
        ("/search?q=lora&limit=0", "limit"),
        ("/search?q=lora&limit=many", "limit"),
        ("/search?q=lora&limit=101", "limit"),
        ("/search?q=lora&type=planet", "type"),
        ("/search/suggest?q=", "empty"),
        ("/search/suggest?q=lora&limit=21", "limit"),
    ],
)
def test_get_search_bad_request(client, url: str, reason: str) -> None:
    response = client.get(url, headers=JSON)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad-input" and body["status"] == 400
    assert body["details"]["reason"] == reason
    assert body["message"]


def test_bad_request_message_in_the_asked_language(client) -> None:
    body = client.get("/search.json?q=&lang=tr").get_json()
    assert body["message"].startswith("Aranacak bir metin verin")


def test_get_suggest(client) -> None:
    response = client.get("/search/suggest?q=lora&lang=fa&type=method&limit=3")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response.headers["Vary"]
    body = response.get_json()
    assert body["q"] == "lora" and 1 <= len(body["results"]) <= 3
    top = body["results"][0]
    assert top == {
        "label": "لورا و PEFT",
        "lang": "fa",
        "type": "method",
        "slug": "lora",
        "url": "/method/lora",
    }  # matched the slug "lora": not worth showing
    assert all(r["type"] == "method" for r in body["results"])
    assert len(response.data) < 2000  # tiny


def test_get_suggest_says_which_name_matched_when_it_is_not_the_label(client) -> None:
    top = client.get("/search/suggest?q=low%20rank%20adaptation&lang=fa").get_json()["results"][0]
    assert (top["slug"], top["label"]) == ("lora", "لورا و PEFT")
    assert (top["matched"], top["matched_lang"]) == ("Low-Rank Adaptation", "en")
    top = client.get("/search/suggest?q=BERT%20ince&lang=tr").get_json()["results"][0]
    assert top["slug"] == "bert-fine-tuning" and "matched" not in top


def test_suggest_is_fast_enough_for_typing(client) -> None:
    # not a benchmark (bench/search.py is): a guard against an index that is not used
    started = time.perf_counter()
    for prefix in ("m", "mu", "mul", "mult", "multi", "multi-", "multi-h"):
        assert client.get(f"/search/suggest?q={prefix}").status_code == 200
    assert time.perf_counter() - started < 5


def test_the_index_is_built_when_the_app_starts(app) -> None:
    from scholargate.web.context import get_store

    with app.app_context():
        index = index_for(get_store())
        assert index._snapshot is not None  # noqa: SLF001 - built before any request


@pytest.mark.parametrize(
    ("raw", "reason", "says"),
    [
        (b"q=%ff%fe", "encoding", "UTF-8"),
        (b"q=lora%C3", "encoding", "UTF-8"),
        (b"q=lo%00ra", "control", "control character"),
        (b"q=a%0D%0ASet-Cookie:%20x=1", "control", "position 2"),
        (b"q=" + b"x" * (MAX_QUERY + 1), "too-long", str(MAX_QUERY)),
    ],
)
@pytest.mark.parametrize("route", ["/search", "/search.json", "/search/suggest"])
def test_text_that_is_not_a_search_is_a_400(client, route, raw, reason, says) -> None:
    response = client.get(f"{route}?{raw.decode()}", headers=JSON)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad-input" and body["details"]["reason"] == reason
    assert says in body["message"]


@pytest.mark.parametrize(
    "raw",
    [
        "روش‌ها",  # a zero-width non-joiner is Persian spelling, not a control character
        "‮evil 🦜",
        "x> } SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } #",
        "%ff%fe",  # typed as text: the percent sign was itself encoded
    ],
)
def test_any_text_is_searched_as_text(client, raw: str) -> None:
    response = client.get("/search", query_string={"q": raw}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json()["query"] == raw


def test_a_word_is_swapped_only_for_one_word_names_of_the_same_thing() -> None:
    from scholargate.services.search.forms import Forms

    keys = ["bert", "برت", "تنظیم دقیق bert", "adam", "lora"]
    subjects = [0, 0, 1, 2, 3]
    forms = Forms(keys, keys, ["en", "fa", "fa", "en", "en"], range(len(keys)), subjects)
    assert forms.one_word["برت"] == ("bert",)
    assert forms.one_word["bert"] == ("برت",)
    assert "adam" not in forms.one_word  # no other one-word name of its own
    assert forms.swapped("تنظیم دقیق برت") == ["تنظیم دقیق bert"]
    assert forms.swapped("برت") == []  # one word: the whole name is matched as it is
    assert forms.swapped("تنظیم دقیق adam") == []  # nothing to swap
    many = " ".join(["برت"] * 6)  # 2**6 combinations, at most 16 tried
    assert len(forms.swapped(many)) == 16 and many not in forms.swapped(many)
