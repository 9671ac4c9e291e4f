"""The method form made from the shapes: fields, preview, save, and refusals by field."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from scholargate.i18n import t
from scholargate.namespaces import SHAPE
from scholargate.services.tokens import TokenBook
from scholargate.services.writes.journal import Journal

from .conftest import Unchanged, csrf_of

SHAPES = Path(__file__).resolve().parents[2] / "shapes" / "method.ttl"
NEW = {
    "f-prefLabel": ["Form test method", "روش آزمایشی فرم"],
    "f-prefLabel-lang": ["en", "fa"],
    "f-field": "deep-learning",
    "f-family": "machine-learning",
    "f-introducedBy": "edward-hu",
    "f-methodType": "parameter-efficient-fine-tuning",
    "f-foundationalWork": "lora-low-rank-adaptation-of-large",
}


def _shapes() -> Graph:
    return Graph().parse(SHAPES)


def _message(shape: str, lang: str) -> str:
    found = [str(m) for m in _shapes().objects(SHAPE[shape], SH.message) if m.language == lang]
    assert found, shape
    return found[0]


def _post(client: FlaskClient, url: str, form: dict, action: str) -> object:
    page = client.get(url)
    data = {**form, "action": action, "csrf_token": csrf_of(page.text)}
    return client.post(url, data=data)


def _error_at(html: str, key: str) -> str:
    found = re.search(rf'<div class="field-error" id="error-{key}"[^>]*>(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_fields_follow_sh_order_under_their_persian_names(curator: FlaskClient) -> None:
    page = curator.get("/method/new?lang=fa")
    assert page.status_code == 200
    assert '<html lang="fa" dir="rtl">' in page.text
    shapes = _shapes()
    rows = sorted(
        (float(shapes.value(p, SH.order)), p)
        for p in shapes.objects(SHAPE["MethodShape"], SH.property)
        # a row on one property is a field; a row on a path (what the method's source
        # cites) is read from other statements and edited there
        if shapes.value(p, SH.order) is not None and isinstance(shapes.value(p, SH.path), URIRef)
    )
    expected = [
        next(str(n) for n in shapes.objects(p, SH.name) if n.language == "fa") for _o, p in rows
    ]
    legends = re.findall(r"<legend[^>]*>([^<(]+?)\s*(?:<span|</legend>)", page.text)
    assert legends[1:] == expected  # after the preferred names
    # required from sh:minCount: the year (a warning, blocking in the curated graph)
    year = re.search(r'id="field-yearIntroduced".*?</legend>', page.text, re.S).group(0)
    assert t("curate.required", "fa") in year
    summary = re.search(r'id="field-summary".*?</legend>', page.text, re.S).group(0)
    assert t("curate.required", "fa") not in summary
    # widgets: a pick asks the search box for its kind, a name has a language
    assert 'data-type="person"' in page.text and 'name="f-prefLabel-lang"' in page.text


def test_a_missing_year_is_refused_at_the_year_field_in_persian(
    app: Flask, curator: FlaskClient, unchanged: Unchanged
) -> None:
    response = _post(curator, "/method/new?lang=fa", NEW, "save")
    assert response.status_code == 422
    assert _message("MethodShape-yearIntroduced-required", "fa") in _error_at(
        response.text, "yearIntroduced"
    )
    assert "روش آزمایشی فرم" in response.text  # what was typed is kept
    assert 'value="edward-hu"' in response.text
    assert t("curate.refused", "fa") in response.text
    unchanged.check()


def test_what_the_guard_refuses_is_shown_at_its_field(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    """An other name equal to the preferred name (sh:disjoint): only the shapes' check
    on the write finds it, and its message goes to the field of its path."""
    form = {
        **NEW,
        "f-yearIntroduced": "2016",
        "f-altLabel": ["Form test method"],
        "f-altLabel-lang": ["en"],
    }
    assert _post(curator, "/method/new?lang=tr", form, "preview").status_code == 200
    response = _post(curator, "/method/new?lang=tr", form, "save")
    assert response.status_code == 422
    assert _message("MethodShape-altLabel", "tr") in _error_at(response.text, "altLabel")
    assert not _error_at(response.text, "yearIntroduced")
    assert t("curate.refused", "tr") in response.text
    year = {**NEW, "f-yearIntroduced": "1066"}  # a SPARQL constraint with no path
    refused = _post(curator, "/method/new?lang=en", year, "save")
    assert refused.status_code == 422
    assert "1066" in re.search(r'id="form-error".*?</div>', refused.text, re.S).group(0)
    unchanged.check()


def test_values_that_do_not_read_are_refused_by_field(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    form = {**NEW, "f-yearIntroduced": "20x1", "f-introducedBy": "no-such-person"}
    response = _post(curator, "/method/new?lang=tr", form, "preview")
    assert response.status_code == 422
    assert t("curate.bad_year", "tr") in _error_at(response.text, "yearIntroduced")
    assert "no-such-person" in _error_at(response.text, "introducedBy")
    form = {
        **NEW,
        "f-prefLabel": ["بازمحاسبه"],
        "f-prefLabel-lang": ["fa"],
        "f-yearIntroduced": "2016",
    }
    response = _post(curator, "/method/new?lang=en", form, "save")
    assert response.status_code == 422
    assert _message("MethodShape-prefLabel-en", "en") in _error_at(response.text, "prefLabel")
    form = {**form, "f-prefLabel": ["…", "بازمحاسبه"], "f-prefLabel-lang": ["en", "fa"]}
    response = _post(curator, "/method/new?lang=en", form, "save")  # no slug from "…"
    assert response.status_code == 422
    assert t("curate.name_en_needed", "en") in _error_at(response.text, "prefLabel")
    unchanged.check()


def test_preview_shows_labelled_statements_and_changes_nothing(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    form = {**NEW, "f-yearIntroduced": "۲۰۱۶"}  # Persian digits
    response = _post(curator, "/method/new?lang=fa", form, "preview")
    assert response.status_code == 200
    preview = re.search(r'<section class="preview".*?</section>', response.text, re.S).group(0)
    assert "2016" in preview
    assert "یادگیری عمیق" in preview  # the field's Persian label, not its IRI only
    assert "Edward J. Hu" in preview
    assert 'id="save"' in response.text
    unchanged.check()


def test_save_adds_the_method_through_the_journal(app: Flask, curator: FlaskClient) -> None:
    form = {
        **NEW,
        "f-prefLabel": ["Form-made method", "روش ساخته با فرم"],
        "f-yearIntroduced": "2016",
    }
    response = _post(curator, "/method/new?lang=fa", form, "save")
    assert response.status_code == 303
    assert response.headers["Location"] == "/method/form-made-method?lang=fa"
    page = curator.get(response.headers["Location"])
    assert "روش ساخته با فرم" in page.text and "2016" in page.text
    entries, _ = Journal(Path(app.config["JOURNAL"])).read(0)
    assert entries[-1].by == "ana" and "form-made-method" in entries[-1].what
    found = curator.get("/search.json?q=روش ساخته با فرم&type=method").get_json()
    assert found["results"][0]["slug"] == "form-made-method"
    compared = curator.get("/compare.json?m=form-made-method,lora")
    assert compared.status_code == 200
    again = _post(curator, "/method/new?lang=en", form, "save")  # the same name again
    assert again.status_code == 422
    assert "form-made-method" in _error_at(again.text, "prefLabel")


def test_editing_a_year_removes_the_old_one(app: Flask, curator: FlaskClient) -> None:
    page = curator.get("/method/lora/edit?lang=en")
    assert page.status_code == 200
    assert 'value="2022"' in page.text and 'value="edward-hu"' in page.text
    form = {k: v for k, v in _fields_of(page.text).items() if k != "action"}
    form["f-yearIntroduced"] = "2021"
    preview = _post(curator, "/method/lora/edit?lang=en", form, "preview")
    assert preview.status_code == 200
    removed = re.search(r'<table class="delta removed">.*?</table>', preview.text, re.S).group(0)
    added = re.search(r'<table class="delta added">.*?</table>', preview.text, re.S).group(0)
    assert "2022" in removed and "2021" in added
    assert removed.count("<tr>") == 1 and added.count("<tr>") == 1  # nothing else moves
    saved = _post(curator, "/method/lora/edit?lang=en", form, "save")
    assert saved.status_code == 303
    data = curator.get("/method/lora.nt").text
    assert '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>' in data
    assert '"2022"^^' not in data
    form["f-yearIntroduced"] = "2022"  # and back, for the other tests
    assert _post(curator, "/method/lora/edit?lang=en", form, "save").status_code == 303


def _fields_of(html: str) -> dict[str, list[str]]:
    """The form's values as a browser would send them (inputs, selected options, text)."""
    form: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]*name="(f-[^"]+)"[^>]*value="([^"]*)"', html):
        form.setdefault(name, []).append(Literal(value).toPython())
    for name, body in re.findall(r'<select[^>]*name="(f-[^"]+)"[^>]*>(.*?)</select>', html, re.S):
        form.setdefault(name, []).append(re.search(r'value="([^"]*)" selected', body).group(1))
    for name, text in re.findall(
        r'<textarea[^>]*name="(f-[^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        form.setdefault(name, []).append(text)
    return {k: [_unescape(v) for v in vs] for k, vs in form.items()}


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_a_graph_the_role_may_not_change_is_a_403_on_the_form(
    app: Flask, curator: FlaskClient, unchanged: Unchanged
) -> None:
    """An imported method's year lives in its import's graph: a writer cannot move it."""
    query = (
        "SELECT ?m WHERE { GRAPH <https://w3id.org/scholargate/graph/pwc-methods> "
        "{ ?m sg:yearIntroduced ?y } } ORDER BY ?m LIMIT 1"
    )
    answer = curator.get("/sparql", query_string={"query": query, "format": "json"}).get_json()
    iri = answer["results"]["bindings"][0]["m"]["value"]
    slug = iri.rsplit("/", 1)[-1]
    page = curator.get(f"/method/{slug}/edit?lang=en")
    form = _fields_of(page.text)
    form.update({k: v for k, v in NEW.items() if not k.startswith("f-prefLabel")})
    form["f-yearIntroduced"] = "1999"  # and every required field given: the role decides
    response = _post(curator, f"/method/{slug}/edit?lang=en", form, "save")
    assert response.status_code == 403
    assert "pwc-methods" in response.text  # the graph it may not change, named
    role = t("curate.role.writer", "en")
    assert t("curate.forbidden_graph", "en", role=role) in _unescape(response.text)
    assert 'value="1999"' in response.text  # the form as typed
    unchanged.check()


def test_a_form_without_its_csrf_token_is_refused(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    form = {**NEW, "f-yearIntroduced": "2016", "action": "save"}
    response = curator.post("/method/new?lang=fa", data=form, headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert t("curate.csrf_refused", "fa") in response.text
    forged = curator.post("/method/new", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403
    unchanged.check()


def test_not_signed_in_goes_to_sign_in_and_changes_nothing(
    app: Flask, unchanged: Unchanged
) -> None:
    client = app.test_client()
    response = client.get("/method/lora/edit?lang=fa")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/-/sign-in?next=/method/lora/edit")
    assert client.get("/method/no-such-method/edit").status_code == 303
    unchanged.check()


def test_an_unknown_or_malformed_method_is_a_404(curator: FlaskClient) -> None:
    assert curator.get("/method/no-such-method/edit").status_code == 404
    assert curator.get("/method/LoRA/edit").status_code == 404


def test_an_admin_token_signs_in_as_admin(app: Flask) -> None:
    client = app.test_client()
    token = TokenBook(Path(app.config["TOKENS"])).add("root", "admin")
    page = client.get("/-/sign-in?lang=fa")
    client.post("/-/sign-in", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert t("curate.role.admin", "fa") in client.get("/-/sign-in?lang=fa").text


def test_a_method_with_many_values_can_be_edited(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    """Convolution's form posts more fields than MAX_PARAMS: the form has its own cap."""
    page = curator.get("/method/convolution/edit?lang=en")
    form = _fields_of(page.text)
    assert sum(len(v) for v in form.values()) > 100
    response = _post(curator, "/method/convolution/edit?lang=en", form, "preview")
    assert response.status_code == 200
    assert t("curate.no_change", "en") in response.text  # the same values: no change
    # it has no year (imported): an edit is not refused for that, as the guard does not
    form["f-altLabel"] = [*form.get("f-altLabel", []), "convolution operator"]
    form["f-altLabel-lang"] = [*form.get("f-altLabel-lang", []), "en"]
    added = _post(curator, "/method/convolution/edit?lang=en", form, "preview")
    assert added.status_code == 200 and "convolution operator" in added.text
    assert not _error_at(added.text, "yearIntroduced")
    unchanged.check()


def test_too_many_values_are_refused(curator: FlaskClient, unchanged: Unchanged) -> None:
    form = {**NEW, "f-related": ["lora"] * 201}
    response = _post(curator, "/method/new?lang=en", form, "preview")
    assert response.status_code == 422
    assert t("curate.too_many", "en", n=200) in _error_at(response.text, "related")
    flood = _post(curator, "/method/new", {"f-related": ["lora"] * 4001}, "preview")
    assert flood.status_code == 413
    unchanged.check()
