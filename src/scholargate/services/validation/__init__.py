"""Validate data against the ScholarGate shapes, with the project's severity policy.

The shapes (``shapes/*.ttl``) mark well-formedness as ``sh:Violation`` and completeness
that imported data cannot always meet as ``sh:Warning``. A result *blocks* when it is a
violation, or a warning whose focus node comes from a strict (curated) graph. A report
conforms when nothing blocks. Messages come from the shapes' ``sh:message`` language tags.

Two engines give the same results (tests/test_shapes.py runs every example through both):

- ``compiled`` (the default): every constraint of the shapes becomes one SPARQL query over
  *all* its focus nodes, evaluated by the :class:`~scholargate.store.Store` in place (or a
  scratch store in memory for an rdflib graph). It knows the SHACL Core and SHACL-SPARQL
  features the shapes use and refuses others (:class:`UnsupportedShapeError`), in which
  case ``auto`` falls back to pySHACL.
- ``pyshacl``: the reference implementation, node by node. It is fine for a write's delta
  but takes minutes on the whole graph (each focus node costs ~50 shape evaluations and a
  re-parsed SPARQL query per SPARQL constraint).

Inference is off in both. The rooms:

- ``run``: the entry points :func:`validate`, :func:`validate_store`, :func:`validate_files`;
- ``features``: the SHACL parameters, targets and constraint components the compiler knows;
- ``compiler``: shapes into one SPARQL query per constraint;
- ``engines``: running the compiled queries (on a store or a scratch copy) or pySHACL;
- ``report``: results, the severity policy, and the report as text, JSON and messages.
"""

from __future__ import annotations

from .compiler import UnsupportedShapeError
from .report import ValidationReport, ValidationResult
from .run import NON_DATA_GRAPHS, Engine, validate, validate_files, validate_store

__all__ = [
    "NON_DATA_GRAPHS",
    "Engine",
    "UnsupportedShapeError",
    "ValidationReport",
    "ValidationResult",
    "validate",
    "validate_files",
    "validate_store",
]
