"""Import the Papers with Code methods dump as the named graph ``sgg:pwc-methods``.

Facts only: names and full names, the founding paper (title, arXiv id, DOI or link),
collections (families) and areas (fields), and the links between methods that the
descriptions make. The description prose is never copied.

Years come from the founding paper's arXiv id. The dump's ``introduced_year`` is the
placeholder 2000 in almost every record; the few other values belong to records with no
paper at all, so nothing in the dump backs them up, and some of them are visibly off (the
year of a textbook or of a later re-statement rather than of the method). They are not
used: a method without a paper gets no year, which the shapes report as a warning for
imported graphs.

A record that names a method the curated graph already has (same IRI; same normalised
name; or, failing that, the only record and the only curated method founded on one arXiv
paper) is *merged*: it adds only ``rdfs:seeAlso <its Papers with Code page>`` to the
curated method, and links between it and other methods are dropped, because curated
related sets are checked by hand.

The package, one job a file: ``identifiers.py`` (arXiv ids, DOIs, work slugs),
``records.py`` (one record of the dump), ``matching.py`` (which records are curated
methods), ``works.py`` (the papers behind the records and their IRIs) and
``importer.py`` (:func:`import_pwc`, the graph).
"""

from __future__ import annotations

from .identifiers import ArxivId, parse_arxiv, parse_doi, work_slug
from .importer import GRAPH_IRI, NAME, PLACEHOLDER_YEAR, SOURCE, import_pwc
from .records import Paper, Record, parse_record

__all__ = [
    "GRAPH_IRI",
    "NAME",
    "PLACEHOLDER_YEAR",
    "SOURCE",
    "ArxivId",
    "Paper",
    "Record",
    "import_pwc",
    "parse_arxiv",
    "parse_doi",
    "parse_record",
    "work_slug",
]
