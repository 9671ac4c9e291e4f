"""The person and work forms, made from their shapes like the method's."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.namespace import SH

from scholargate.i18n import t
from scholargate.namespaces import SHAPE

from .conftest import Unchanged
from .test_method_form import SHAPES, _error_at, _fields_of, _post


def test_a_person_form_has_the_person_shape_fields(curator: FlaskClient) -> None:
    page = curator.get("/person/edward-hu/edit?lang=fa")
    assert page.status_code == 200
    assert 'id="field-name"' in page.text and 'id="field-orcid"' in page.text
    assert 'value="Edward J. Hu"' in page.text
    name = re.search(r'id="field-name".*?</legend>', page.text, re.S).group(0)
    assert t("curate.required", "fa") in name  # sh:minCount 1 on foaf:name
    resource = curator.get("/person/edward-hu?lang=fa")
    assert 'href="/person/edward-hu/edit?lang=fa"' in resource.text


def test_an_orcid_that_is_no_web_address_is_refused_at_its_field(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    form = _fields_of(curator.get("/person/edward-hu/edit").text)
    form["f-orcid"] = ["not an address"]
    response = _post(curator, "/person/edward-hu/edit?lang=tr", form, "preview")
    assert response.status_code == 422
    assert t("curate.bad_iri", "tr") in _error_at(response.text, "orcid")
    unchanged.check()


def test_an_orcid_the_shape_refuses_is_shown_at_its_field(
    curator: FlaskClient, unchanged: Unchanged
) -> None:
    form = _fields_of(curator.get("/person/edward-hu/edit").text)
    form["f-orcid"] = ["https://example.org/edward"]  # not an ORCID iD (sh:pattern)
    response = _post(curator, "/person/edward-hu/edit?lang=fa", form, "save")
    assert response.status_code == 422
    shapes = Graph().parse(SHAPES.with_name("person.ttl"))
    message = next(
        str(m) for m in shapes.objects(SHAPE["PersonShape-orcid"], SH.message) if m.language == "fa"
    )
    assert message in _error_at(response.text, "orcid")
    unchanged.check()


def test_a_work_form_previews_a_new_web_page(curator: FlaskClient, unchanged: Unchanged) -> None:
    url = "/work/lora-low-rank-adaptation-of-large/edit?lang=en"
    page = curator.get(url)
    assert page.status_code == 200
    assert 'id="field-title"' in page.text and 'id="field-issued"' in page.text
    assert 'id="field-authorList"' not in page.text  # a list: edited through SPARQL
    form = _fields_of(page.text)
    form["f-url"] = [*form.get("f-url", []), "https://arxiv.org/abs/2106.09685v2"]
    response = _post(curator, url, form, "preview")
    assert response.status_code == 200
    added = re.search(r'<table class="delta added">.*?</table>', response.text, re.S).group(0)
    assert "https://arxiv.org/abs/2106.09685v2" in added
    assert "delta removed" not in response.text
    unchanged.check()
