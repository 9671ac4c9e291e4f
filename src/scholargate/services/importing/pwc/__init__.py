"""Import the Papers with Code methods dump as the named graph ``sgg:pwc-methods``.

Names and full names, the founding paper (title, arXiv id, DOI or link), collections
(families) and areas (fields), the links between methods that the descriptions make,
and an English summary: the first paragraph of each description as plain text
(``summaries.py``), shared like the dump under CC BY-SA 4.0 with credit to Papers with
Code (the graph's metadata says so, and a method page shows it under the summary).

Years follow the one meaning ScholarGate gives them (``years.py``): the founding
paper's year at its venue, else its preprint's, with the basis on the work. The dump's
``introduced_year`` is the placeholder 2000 in almost every record and is not used.

A record that names a method the curated graph already has (same IRI; same name up to
case and separators, symbols such as + and # included; or, failing that, the only
record and the only curated method founded on one arXiv paper) is *merged*: it adds
``rdfs:seeAlso <its Papers with Code page>`` to the curated method and its links to
imported methods; links between two curated methods are dropped, because curated
related sets are checked by hand.

The package, one job a file: ``identifiers.py`` (arXiv ids, DOIs, work slugs),
``records.py`` (one record of the dump), ``matching.py`` (which records are curated
methods), ``works.py`` (the papers behind the records and their IRIs), ``years.py``
(a work's year and its basis), ``summaries.py`` (descriptions into summaries) and
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
