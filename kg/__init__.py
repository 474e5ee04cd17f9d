"""conflict-kg: news articles in, a validated conflict-event knowledge graph out.

The library does the work; the ``kg`` command is a thin layer over it::

    from kg import build, GraphStore
    summary = build(["data/samples"], GraphStore("kg-store"))

Importing the package does not load spaCy or pySHACL; the stages that need them import them
when they run, so the server's workers and ``kg --help`` start quickly.
"""

from __future__ import annotations

__version__ = "0.1.0"

from kg.build import BuildSummary, build, validate_store
from kg.store import GraphStore

__all__ = ["BuildSummary", "GraphStore", "__version__", "build", "validate_store"]
