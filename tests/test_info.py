"""``kg info``: what a store holds, read from the store (no model needed).

The store is written by hand: three articles read, one of which reported no event (it has a
provenance record and no claim, and must still be counted), two canonical events in two
countries, one undated, and a build that recorded when it ended.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from typer.testing import CliRunner

from kg.cli import app
from kg.info import last_build_time, store_summary
from kg.store import GraphStore

GRAPH = """
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix et: <https://w3id.org/conflict-kg/event-type/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kg: <https://w3id.org/conflict-kg/id/> .

kg:graph\\/reference {
  kg:place\\/ml a ce:Country ; rdfs:label "Mali" ; ce:countryCode "ML" .
  kg:place\\/mopti a ce:Place ; rdfs:label "Mopti" ; ce:countryCode "ML" .
  kg:place\\/ne a ce:Country ; rdfs:label "Niger" ; ce:countryCode "NE" .
}
kg:graph\\/provenance {
  kg:run\\/1 a ce:ExtractionRun ; rdfs:label "conflict-kg 9.9 with some_model 1.0" ;
      prov:used kg:article\\/a1 , kg:article\\/a2 , kg:article\\/a3 .
  kg:article\\/a1 a ce:Article ; ce:docId "a1" ; ce:sourceName "Radio Nord" ;
      ce:uncodedReport "a speech" .
  kg:article\\/a2 a ce:Article ; ce:docId "a2" ; ce:sourceName "Radio Nord" .
  kg:article\\/a3 a ce:Article ; ce:docId "a3" .
  kg:build\\/1 a prov:Activity ; prov:endedAtTime "2024-05-01T08:00:00Z"^^xsd:dateTime .
  kg:build\\/2 a prov:Activity ; prov:endedAtTime "2024-05-02T09:30:00Z"^^xsd:dateTime .
}
kg:graph\\/article\\/a1 {
  kg:claim\\/a1\\/c1 a ce:EventClaim ; ce:eventType et:attack ; ce:sourceArticle kg:article\\/a1 ;
      ce:date "2023-02-03"^^xsd:date ; sem:hasPlace kg:place\\/mopti .
}
kg:graph\\/article\\/a2 {
  kg:claim\\/a2\\/c1 a ce:EventClaim ; ce:eventType et:attack ; ce:sourceArticle kg:article\\/a2 ;
      ce:date "2023-02-03"^^xsd:date ; sem:hasPlace kg:place\\/mopti .
  kg:claim\\/a2\\/c2 a ce:EventClaim ; ce:eventType et:armed-clash ;
      ce:sourceArticle kg:article\\/a2 ; sem:hasPlace kg:place\\/ne .
}
kg:graph\\/canonical {
  kg:event\\/e1 a ce:CanonicalEvent ; ce:eventType et:attack ; ce:date "2023-02-03"^^xsd:date ;
      sem:hasPlace kg:place\\/mopti ; ce:claim kg:claim\\/a1\\/c1 , kg:claim\\/a2\\/c1 .
  kg:event\\/e2 a ce:CanonicalEvent ; ce:eventType et:armed-clash ; sem:hasPlace kg:place\\/ne ;
      ce:claim kg:claim\\/a2\\/c2 .
}
"""


def _store(path: Path | None = None) -> GraphStore:
    store = GraphStore(path)
    store.oxigraph.load(GRAPH, format=ox.RdfFormat.TRIG)
    store.flush()
    return store


def test_articles_without_claims_are_counted() -> None:
    summary = store_summary(_store())
    assert (summary.articles, summary.articles_with_claims) == (3, 2)
    assert (summary.claims, summary.canonical_events, summary.uncoded) == (3, 2, 1)


def test_dates_countries_types_and_sources_of_the_events() -> None:
    summary = store_summary(_store())
    assert summary.events_of == "canonical events" and summary.events == 2
    assert (summary.first_date, summary.last_date, summary.dated_events) == (
        "2023-02-03", "2023-02-03", 1)
    assert [(t.name, t.count) for t in summary.countries] == [("Mali", 1), ("Niger", 1)]
    assert [(t.name, t.count) for t in summary.event_types] == [("armed-clash", 1),
                                                                 ("attack", 1)]
    assert [(t.name, t.count) for t in summary.sources] == [("Radio Nord", 2), ("", 1)]
    assert [(t.name, t.count) for t in summary.runs] == [
        ("conflict-kg 9.9 with some_model 1.0", 3)]
    assert summary.last_build == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)


def test_without_canonical_events_the_claims_are_summarised() -> None:
    store = _store()
    store.remove_graphs(["https://w3id.org/conflict-kg/id/graph/canonical"])
    summary = store_summary(store)
    assert summary.events_of == "claims" and summary.events == 3
    assert [(t.name, t.count) for t in summary.countries] == [("Mali", 2), ("Niger", 1)]


def test_a_store_that_recorded_no_build_time() -> None:
    store = GraphStore(None)
    assert last_build_time(store) is None
    text = store_summary(store).to_text()
    assert "last build: not recorded" in text and "articles: 0 read" in text


def test_cli_info_prints_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = _store(path)
    del store  # release the store's lock before the command opens it
    result = CliRunner().invoke(app, ["info", "--store", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "articles: 3 read (2 with event claims, 1 without)" in out
    assert "dates (canonical events): 2023-02-03 to 2023-02-03; 1 of 2 undated" in out
    assert "countries (canonical events): Mali 1, Niger 1" in out
    assert "sources (articles): Radio Nord 2, (not given) 1" in out
    assert "last build: 2024-05-02T09:30:00+00:00" in out
