"""Exports of the stored graph for other tools: RDF, flat event tables, graph views."""

from __future__ import annotations

from pathlib import Path

from kg.errors import ExportError
from kg.store import GraphStore

RDF_FORMATS = ("trig", "nquads", "turtle", "ntriples", "jsonld")
TABLE_FORMATS = ("events-jsonl",)
GRAPH_FORMATS = ("graphml",)
FORMATS = RDF_FORMATS + TABLE_FORMATS + GRAPH_FORMATS


def export(store: GraphStore, fmt: str, output: Path, *, claims: bool = False) -> int:
    """Write the store in ``fmt`` to ``output``; returns the number of records or triples."""
    if fmt in RDF_FORMATS:
        from kg.export.rdf import export_rdf

        return export_rdf(store, fmt, output)
    if fmt == "events-jsonl":
        from kg.export.events import write_events_jsonl

        return write_events_jsonl(store, output, claims=claims)
    if fmt == "graphml":
        from kg.export.views import write_graphml

        return write_graphml(store, output)
    raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
