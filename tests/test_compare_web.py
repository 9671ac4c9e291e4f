"""The comparison page and its data forms over HTTP (Flask's test client)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from scholargate.namespaces import SG
from scholargate.services.writes.journal import Journal

SEED = "multi-head-self-attention,bert-fine-tuning,lora"
HTML = {"Accept": "text/html"}


def test_persian_page_has_the_seed_title_rows_and_marks(client) -> None:
    response = client.get(f"/compare?m={SEED}&lang=fa", headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert "مقایسهٔ روش‌ها" in page
    assert "روش‌های انتخابی خود را کنار هم مرور کنید؛ ردیف‌های متفاوت برجسته شده‌اند." in page
    for label in (
        "حوزه",
        "خانواده",
        "سال پیدایش",
        "پدیدآور",
        "نوع",
        "منبع بنیادین",
        "نام‌های دیگر",
        "مرتبط",
        "خلاصه",
        "منبع بنیادینش استناد می‌کند به",  # since citations: BERT's source cites another's
    ):
        assert f">{label}" in page
    # ≠ after the six rows the seed marks, and two it did not: Related (the Papers with
    # Code graph links more methods to multi-head self-attention, see test_compare.py) and
    # the citations row (only BERT fine-tuning's source cites another compared method's)
    assert page.count('<span class="ne"') == 8
    assert page.count('class="differs"') == 8
    assert "Hu, E. J. et al.; Lester, B. et al." in page
    assert "DOI ↗" in page and "link ↗" in page
    assert page.count('class="remove"') == 3
    assert 'href="/.well-known/void"' in page


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("tr", "ltr"), ("fa", "rtl")])
def test_page_direction_follows_the_language(client, lang: str, direction: str) -> None:
    page = client.get(f"/compare?m={SEED}&lang={lang}", headers=HTML).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in page


def test_accept_language_picks_the_page_language(client) -> None:
    page = client.get(f"/compare?m={SEED}", headers={**HTML, "Accept-Language": "tr, en;q=0.5"})
    assert '<html lang="tr"' in page.get_data(as_text=True)


def test_remove_link_drops_one_column(client) -> None:
    page = client.get(f"/compare?m={SEED}&lang=en", headers=HTML).get_data(as_text=True)
    assert "/compare?m=bert-fine-tuning,lora&amp;lang=en" in page


def test_differences_only_hides_equal_rows(client) -> None:
    page = client.get(f"/compare?m={SEED}&lang=en&diff=1", headers=HTML).get_data(as_text=True)
    assert 'class="comparison differences-only"' in page


def test_add_box_accepts_a_name_in_any_language(client) -> None:
    response = client.get("/compare.json?m=lora&add=BERT ince ayarı")
    assert [c["slug"] for c in response.get_json()["columns"]] == ["lora", "bert-fine-tuning"]


def test_json_form_has_rows_cells_and_differs(client) -> None:
    data = client.get(f"/compare.json?m={SEED}&lang=en").get_json()
    # Related differs unlike on the seed page (see test_compare.py); the last row, the
    # citations among the compared, is not on the seed page and differs
    assert [r["differs"] for r in data["rows"]] == [
        False, False, True, True, True, True, True, True, True, True
    ]  # fmt: skip
    assert data["sparql"].startswith("PREFIX")


def test_accept_json_gives_the_json_form(client) -> None:
    response = client.get(f"/compare?m={SEED}", headers={"Accept": "application/json"})
    assert response.content_type.startswith("application/json")
    assert "Accept" in response.headers["Vary"]


def test_csv_opens_cleanly_in_a_spreadsheet(client) -> None:
    response = client.get(f"/compare.csv?m={SEED}&lang=fa")
    assert response.content_type == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "property",
        "differs",
        "توجه به خود چند-سری",
        "تنظیم دقیق BERT",
        "لورا و PEFT",
    ]
    assert len(rows) == 11  # header + the seed's nine properties + the citations row
    assert rows[3][:3] == ["سال پیدایش", "≠", "2017"]


@pytest.mark.parametrize(("suffix", "rdf_format"), [("ttl", "turtle"), ("jsonld", "json-ld")])
def test_rdf_forms_parse_and_name_the_differing_rows(client, suffix: str, rdf_format: str) -> None:
    response = client.get(f"/compare.{suffix}?m={SEED}")
    graph = Graph().parse(data=response.get_data(), format=rdf_format)
    comparison = next(graph.subjects(predicate=SG.shapesVersion))
    differing = {str(o).rsplit("-", 1)[-1] for o in graph.objects(comparison, SG.differsOn)}
    # the seed page's six, Related (see test_compare.py) and the citations row
    assert differing == {"yearIntroduced", "introducedBy", "methodType", "foundationalWork",
                         "altLabel", "related", "summary", "citedAmong"}  # fmt: skip
    assert len(set(graph.objects(comparison, SG.method))) == 3


def test_unknown_method_is_404_with_suggestions(client) -> None:
    response = client.get("/compare?m=lora,multi-head-self-atention")
    assert response.status_code == 404
    body = response.get_json()
    assert "multi-head-self-atention" in body["message"]
    assert "multi-head-self-attention" in body["details"]["suggestions"]


def test_unknown_method_page_for_a_browser_is_html(client) -> None:
    response = client.get("/compare?m=nonexistent-method-xyz", headers=HTML)
    assert response.status_code == 404 and response.content_type.startswith("text/html")


def test_more_than_twenty_methods_is_400(client, app) -> None:
    from scholargate.web.context import get_store

    with app.app_context():
        rows = get_store().select(
            "SELECT ?m WHERE { ?m a <https://w3id.org/scholargate/ontology#Method> } LIMIT 21"
        )
    slugs = ",".join(str(r["m"]).rsplit("/", 1)[-1] for r in rows)
    response = client.get(f"/compare?m={slugs}")
    assert response.status_code == 400 and "at most 20" in response.get_json()["message"]


def test_unacceptable_format_is_406(client) -> None:
    response = client.get(f"/compare?m={SEED}", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_save_gives_a_stable_iri_that_resolves(client, app) -> None:
    first = client.post("/compare/save", data={"m": SEED}, headers={"Accept": "application/json"})
    assert first.status_code in (200, 201)
    again = client.post("/compare/save", data={"m": SEED}, headers={"Accept": "application/json"})
    assert again.get_json()["comparison"] == first.get_json()["comparison"]
    assert again.status_code == 200
    url = first.headers["Location"].split("?")[0]
    graph = Graph().parse(data=client.get(url + ".ttl").get_data(), format="turtle")
    iri = URIRef(first.get_json()["comparison"])
    assert (iri, SG.shapesVersion, None) in graph
    positions = sorted(
        (int(graph.value(col, SG.position)), str(graph.value(col, SG.method)).rsplit("/", 1)[-1])
        for col in graph.objects(iri, URIRef("http://purl.org/dc/terms/hasPart"))
        if graph.value(col, SG.position) is not None
    )
    assert [slug for _, slug in positions] == SEED.split(",")
    page = client.get(url + "?lang=fa", headers=HTML).get_data(as_text=True)
    assert "مقایسهٔ ذخیره‌شده" in page
    # it is queryable with SPARQL in the store
    with app.app_context():
        from scholargate.web.context import get_store

        assert get_store().ask(f"ASK {{ <{iri}> a <{SG.Comparison}> }}")
    # one write through the write path, journaled; the legacy file is not written
    entries = Journal(Path(app.config["JOURNAL"])).entries()
    saves = [e for e in entries if any(q[0] == iri for q in e.delta.added)]
    assert [e.by for e in saves] == ["compare/save"]
    assert not Path(app.config["SAVED"]).exists()


def test_unknown_saved_comparison_is_404(client) -> None:
    assert client.get("/comparison/000000000000").status_code == 404
