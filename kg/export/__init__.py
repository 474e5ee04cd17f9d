"""Exports of the stored graph for other tools: RDF, flat event tables, maps, graph views.

=====================  ===========================================================  =========
format                 what and for which tool                                      counts
=====================  ===========================================================  =========
trig, nquads           the dataset with its named graphs (any RDF tool)             triples
turtle, ntriples       every graph merged into one (any RDF tool)                   triples
jsonld                 the dataset as JSON-LD (JSON tools, rdflib, pyld)            triples
events-jsonl           one JSON object per event (``shared/eval/FORMAT.md``)        records
csv                    one row per event, ACLED-like columns (spreadsheets, pandas) records
geojson                one point per located event (QGIS, kepler.gl)                records
graphml, gexf,         the actor-to-actor view (Gephi, yEd, Cytoscape)              edges
cytoscape
graphml-events,        the event-centred view: events, actors, places, weapons      edges
gexf-events,
cytoscape-events
=====================  ===========================================================  =========

Event exports read canonical events when the store has them, per-article claims otherwise
or with ``claims=True``.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import ExportError
from kg.store import GraphStore

RDF_FORMATS = ("trig", "nquads", "turtle", "ntriples", "jsonld")
TABLE_FORMATS = ("events-jsonl", "csv", "geojson")
GRAPH_FORMATS = ("graphml", "gexf", "cytoscape", "graphml-events", "gexf-events",
                 "cytoscape-events")
FORMATS = RDF_FORMATS + TABLE_FORMATS + GRAPH_FORMATS


def counted(fmt: str) -> str:
    """What the number :func:`export` returns counts, for messages."""
    if fmt in RDF_FORMATS:
        return "triples"
    if fmt in GRAPH_FORMATS:
        return "edges"
    return "records"  # one per event


def export(
    store: GraphStore, fmt: str, output: Path, *, claims: bool = False, view: str = "native"
) -> int:
    """Write the store in ``fmt`` to ``output``; returns the number of triples, events or
    edges (see :func:`counted`)."""
    if fmt in RDF_FORMATS:
        from kg.export.rdf import export_rdf

        return export_rdf(store, fmt, output)
    if fmt == "events-jsonl":
        from kg.export.events import write_events_jsonl

        return write_events_jsonl(store, output, claims=claims, view=view)
    if fmt == "csv":
        from kg.export.tables import write_csv

        return write_csv(store, output, claims=claims)
    if fmt == "geojson":
        from kg.export.geo import write_geojson

        return write_geojson(store, output, claims=claims)
    if fmt in GRAPH_FORMATS:
        from kg.export.views import export_view

        writer, _, view = fmt.partition("-")
        return export_view(store, writer, view or "actors", output, claims=claims)
    raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
