"""ScholarGate: a multilingual knowledge graph of research methods."""

__version__ = "0.1.0"
