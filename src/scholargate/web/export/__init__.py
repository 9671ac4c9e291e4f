"""Downloads: dataset dumps, the ontology and its JSON-LD context, and citations of works.

Routes (blueprint ``export``, the table below):

- ``/export`` (HTML, JSON): every named graph with its size, licence, attribution and
  dumps (``catalogue.py``).
- ``/export/{graph}.{ext}`` and ``/export/all.{ext}``: a named graph, or the whole dataset,
  in any RDF format of the format table; streamed, with ``ETag``/``Last-Modified`` and
  conditional GET (``dumps.py``; the versions in ``version.py``, the streaming through an
  OS thread and a pipe in ``streaming.py``). ``all`` in a triple format is the union of
  the graphs; TriG and N-Quads keep graph names.
- ``/ontology`` (negotiated, or ``/ontology.{ext}``) and ``/ontology/context.jsonld``
  (``ontology.py``).
- ``/work/{slug}.bib``, ``/work/{slug}.csl.json``, ``/method/{slug}.bib`` (the method's
  foundational works) (``citations.py``).
"""

from __future__ import annotations

from flask import Blueprint

from ..negotiate import other_suffixes, suffix_rule
from . import catalogue, citations, dumps, ontology
from .streaming import CHUNK, DEPTH, stream

__all__ = ["CHUNK", "DEPTH", "bp", "stream"]

bp = Blueprint("export", __name__)

# rule → view; each view's endpoint is ``export.<its name>``
_ROUTES = (
    ("/export/<graph>.<ext>", dumps.dump),
    ("/export/<graph>", dumps.dump_negotiated),
    ("/export", catalogue.index),
    (f"/export.<{suffix_rule(catalogue.INDEX_FORMATS)}:ext>", catalogue.index),
    ("/ontology", ontology.ontology),
    (f"/ontology.<{suffix_rule(ontology.ONTOLOGY_FORMATS)}:ext>", ontology.ontology),
    ("/ontology/context.jsonld", ontology.context),
    ("/work/<slug>.bib", citations.work_bib),
    ("/work/<slug>.csl.json", citations.work_csl),
    ("/method/<slug>.bib", citations.method_bib),
)
for _rule, _view in _ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=["GET"])
# other suffixes of /export and /ontology: the same views, so still their 406
other_suffixes(bp, "/export.<ext>", catalogue.index)
other_suffixes(bp, "/ontology.<ext>", ontology.ontology)
