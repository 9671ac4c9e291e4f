"""Citations of works: ``/work/{slug}.bib``, ``/work/{slug}.csl.json``, and
``/method/{slug}.bib`` (the method's foundational works)."""

from __future__ import annotations

from flask import Response
from flask.typing import ResponseReturnValue

from ...errors import NotFoundError
from ...formats import Format
from ...render import bib
from ...services.citation import foundational_works, get_work, is_method, method_iri, work_iri
from ..context import get_store
from ..cors import allow_origin


def _citation_response(body: str, fmt: Format, filename: str) -> Response:
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return allow_origin(response)


def _work_or_404(slug: str):  # noqa: ANN202 - a Work
    work = get_work(get_store(), str(work_iri(slug)))
    if work is None:
        raise NotFoundError(
            f"no work {slug!r}; works are named by the first words of their title, "
            "e.g. /work/attention-is-all-you-need.bib"
        )
    return work


def work_bib(slug: str) -> ResponseReturnValue:
    work = _work_or_404(slug)
    key = bib.citation_key(work)
    return _citation_response(bib.to_bibtex([work]), bib.BIBTEX, f"{key}.bib")


def work_csl(slug: str) -> ResponseReturnValue:
    work = _work_or_404(slug)
    return _citation_response(
        bib.to_csl_json([work]), bib.CSL_JSON, f"{bib.citation_key(work)}.csl.json"
    )


def method_bib(slug: str) -> ResponseReturnValue:
    store = get_store()
    iri = str(method_iri(slug))
    if not is_method(store, iri):
        raise NotFoundError(f"no method {slug!r}")
    works = foundational_works(store, iri)
    comment = f"Foundational works of {iri}"
    if not works:
        comment += "\nNone are recorded yet."
    return _citation_response(bib.to_bibtex(works, comment=comment), bib.BIBTEX, f"{slug}.bib")
