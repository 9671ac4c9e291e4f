"""Find methods (and persons, works, fields, families, types) by any of their names.

An in-memory index over every name in the graph, in every language (which names:
``names.py``), keyed by :func:`~.folding.fold`, so ``روشها``
finds ``روش‌ها``, ``IŞIK`` finds ``ışık`` and ``low rank adaptation`` finds
``Low-Rank Adaptation``. A SPARQL ``FILTER(CONTAINS(LCASE(...)))`` over the labels of a
100,000-method graph takes about a second; this answers in milliseconds (bench/search.py).

Ranking, best first:

1. how the query matches the name: **exact** (the whole name, also with no space
   between its parts: ``نرمال سازی دسته ای`` = ``نرمال‌سازی دسته‌ای``, ``drop out`` =
   ``dropout``), **inflected** (the whole name, its words in other inflections:
   ``destek vektör makineleri`` = ``Destek vektör makinesi``, ``networks`` = ``network``;
   the closest spelling first), **prefix** (the name starts with it, also without
   spaces), **word** (a later word of the name starts with it), **substring** (anywhere;
   only for queries of three characters or more), and when these found fewer than three,
   **fuzzy** (a name close to it: a typo, ``ترانسفورمر`` for ``ترنسفورمر``, best score first);
   a query that finds nothing gets up to three names as "did you mean";
2. what is found: methods, then fields, families and types, then persons, then works;
3. which name matched: a preferred name (``skos:prefLabel``, a person's ``foaf:name``,
   a work's title) before an alias (``skos:altLabel``), before a hidden name or slug;
4. the shorter name (a closer match);
5. the more connected resource (``skos:related`` and ``sg:buildsOn`` links, both ways);
6. the name, then the IRI, so equal cases come out in a stable order.

Every resource appears once, under its best-matching name. Language does not rank:
a Persian reader who types a Latin name wants that name found; the label *shown* is
picked for the asked language with :func:`scholargate.services.labels.pick`.

Where each part lives:

- ``folding.py``: the key a name or a query is matched by: case, accents, Persian and
  Arabic letter forms, the zero-width non-joiner, Turkish dotted and dotless i, digits;
- ``variants.py``: a word's other forms: without spaces, and inflected (the Snowball
  stemmers for Turkish and English, the Persian plural); ``forms.py`` indexes them;
- ``fuzzy.py``: names close to a query (rapidfuzz, over a trigram-bounded set), and
  "did you mean";
- ``checks.py``: what a search may ask (the length, characters and kinds it accepts);
- ``names.py``: which properties are names, and the one query that reads them;
- ``snapshot.py``: the index over one state of the store, its names numbered in the
  ranking order above (2–6), and the name a hit shows;
- ``matching.py``: finding a query's matches in a snapshot, best first (1), fast;
- ``index.py``: one store's index, built on first use and rebuilt when the store changes;
- ``results.py``: the answer, its hits, and their JSON.
"""

from .checks import MAX_LIMIT, MAX_QUERY, check_options, check_query, control_character
from .folding import fold
from .index import SearchIndex, index_for, invalidate, search
from .results import MATCHES, Hit, Results

__all__ = [
    "MATCHES",
    "MAX_LIMIT",
    "MAX_QUERY",
    "Hit",
    "Results",
    "SearchIndex",
    "check_options",
    "check_query",
    "control_character",
    "fold",
    "index_for",
    "invalidate",
    "search",
]
