"""Shared nodes are described once, in ``graph/entities``; article graphs hold what each
article says.

A village missing from the gazetteer, an organisation with no table entry and an unlisted
weapon model are nodes that many articles name. Their description (label, type, point,
place in the hierarchy) used to be copied into every article graph that named them, and the
union default graph returned one row per copy, so joins over them multiplied. The tests
build the graphs of two articles that name the same village, group and weapon, the way
``kg build`` loads them, and check that each fact is stored once, that the article graphs
only point at the nodes, and that the events read from the graph are those the records say,
the same as from the old layout (the descriptions copied into each article graph).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.build import ontology_graph
from kg.export import export
from kg.export.events import collect_events
from kg.gazetteer import load_gazetteer
from kg.rdf import iris
from kg.rdf.mapping import article_graph, article_provenance, new_graph, run_triples
from kg.rdf.namespace import CE, GEO, SEM
from kg.records import (
    ActorRef,
    Article,
    DateOrigin,
    DateValue,
    EventClaim,
    Evidence,
    Extraction,
    MaterielLot,
    PlaceRef,
    PlaceSegment,
)
from kg.store import GraphStore
from kg.validate import Severity, validate_store

KAYA = "geonames:2359608"
VILLAGE = iris.unresolved_place_iri("Kalamba", KAYA, "BF")
GROUP = iris.unlinked_actor_iri("Ansarul Islam")
WEAPON = iris.unlisted_weapon_iri("homemade mortar")
SHARED = (VILLAGE, GROUP, WEAPON)
VERSIONS = {"software": "test", "model": "m", "model_version": "1", "spacy": "3"}


def _report(doc_id: str, fatalities: int, day: int) -> Extraction:
    """One article: Ansarul Islam attacked Kalamba, near Kaya, with a homemade mortar."""
    text = (f"Ansarul Islam fighters attacked Kalamba, near Kaya, with a homemade mortar, "
            f"killing {fatalities} villagers.")
    evidence = Evidence(text, 0, len(text))
    date = dt.date(2024, 3, day)
    claim = EventClaim(
        doc_id=doc_id,
        key="attack-24",
        type="attack",
        trigger="attacked",
        evidence=(evidence,),
        attackers=(ActorRef(("Ansarul Islam fighters",), "organization", None, "Ansarul Islam"),),
        victims=(ActorRef(("villagers",), "group", None, "villagers"),),
        materiel=(MaterielLot(("a homemade mortar",), None, "homemade mortar", None, None, None,
                              "used", None, evidence),),
        place=PlaceRef(("Kalamba", "Kaya"), "Kalamba", None, KAYA, "near", "BF", 2,
                       (PlaceSegment("Kalamba"), PlaceSegment("Kaya", "near")), 13.0883, -1.08368),
        date=DateValue(date, date, date, None, DateOrigin.TEXT, "on Thursday"),
        fatalities=fatalities,
        confidence=0.8,
    )
    article = Article(doc_id, text, title=f"Report {doc_id}", published=dt.date(2024, 3, 25),
                      source=f"Outlet {doc_id}")
    return Extraction(article, (claim,), ())


REPORTS = (_report("a1", 12, 21), _report("a2", 14, 21))


def _described(graph: Graph, node: URIRef) -> Graph:
    """The description of ``node`` in ``graph``: its triples and those of its geometry."""
    found = Graph()
    for triple in graph.triples((node, None, None)):
        found.add(triple)
        if triple[1] == GEO.hasGeometry:
            for inner in graph.triples((triple[2], None, None)):
                found.add(inner)
    return found


def _store(extractions: tuple[Extraction, ...], *, copied: bool = False) -> GraphStore:
    """The graphs of ``extractions`` loaded as ``kg build`` loads them. With ``copied``, the
    layout before graph/entities: each article graph holds the description of every shared
    node it names, and there is no entities graph."""
    store = GraphStore(None)
    gazetteer = load_gazetteer()
    run = iris.run_iri(VERSIONS)
    provenance = new_graph(iris.PROVENANCE_GRAPH)
    run_triples(provenance, run, VERSIONS)
    for extraction in extractions:
        shared, entities = new_graph(iris.REFERENCE_GRAPH), new_graph(iris.ENTITIES_GRAPH)
        graph = article_graph(extraction, run, shared, gazetteer, entities)
        if copied:
            for node in {o for o in graph.objects() if (o, None, None) in entities}:
                for triple in _described(entities, node):
                    graph.add(triple)
        else:
            store.add_to_graph(entities)
        store.replace_graph(graph)
        store.add_to_graph(shared)
        article_provenance(provenance, extraction, run)
    store.add_to_graph(provenance)
    store.replace_graph(ontology_graph())  # ce:Country is a ce:Place for the shapes
    return store


def _graphs_holding(store: GraphStore, subject: URIRef, predicate: URIRef) -> list[str]:
    quads = store.oxigraph.quads_for_pattern(_ox(subject), _ox(predicate), None, None)
    return [quad.graph_name.value for quad in quads]


def _ox(term: URIRef):
    import pyoxigraph as ox

    return ox.NamedNode(str(term))


def test_a_node_two_articles_name_is_described_once_in_the_entities_graph() -> None:
    store = _store(REPORTS)
    geometry = URIRef(f"{VILLAGE}/geometry")
    for subject, predicate in [(VILLAGE, RDFS.label), (VILLAGE, RDF.type), (VILLAGE, CE.near),
                               (VILLAGE, GEO.hasGeometry), (geometry, GEO.asWKT),
                               (GROUP, RDFS.label), (WEAPON, RDFS.label)]:
        assert _graphs_holding(store, subject, predicate) == [str(iris.ENTITIES_GRAPH)], (
            subject, predicate)
    for report in REPORTS:
        name = iris.article_graph_iri(report.article.doc_id)
        graph = store.to_dataset().graph(name)
        claim = iris.claim_iri(report.article.doc_id, "attack-24")
        assert (claim, SEM.hasPlace, VILLAGE) in graph
        assert (claim, CE.attacker, GROUP) in graph
        # the article graph points at the shared nodes and says nothing about them
        for node in SHARED:
            assert not list(graph.triples((node, None, None))), node
        assert not list(graph.triples((geometry, None, None)))
    # so the union reads one label and one point, not one per article
    rows = list(store.query(f"SELECT ?label ?wkt WHERE {{ <{VILLAGE}> <{RDFS.label}> ?label ; "
                            f"<{GEO.hasGeometry}>/<{GEO.asWKT}> ?wkt }}"))
    assert [(r["label"].value, r["wkt"].value) for r in rows] == [
        ("Kalamba", "POINT(-1.08368 13.08830)")]


def test_the_old_layout_repeated_the_description_in_every_article_graph() -> None:
    """What the entities graph replaces: one copy of each fact per article that named it."""
    store = _store(REPORTS, copied=True)
    assert sorted(_graphs_holding(store, VILLAGE, RDFS.label)) == [
        str(iris.article_graph_iri("a1")), str(iris.article_graph_iri("a2"))]
    assert len(list(store.query(f"SELECT ?l WHERE {{ <{VILLAGE}> <{RDFS.label}> ?l }}"))) == 2


def test_events_read_from_the_graph_are_what_the_records_say() -> None:
    events = sorted(collect_events(_store(REPORTS), claims=True), key=lambda e: e["id"])
    assert [e["sources"][0]["doc_id"] for e in events] == ["a1", "a2"]
    assert [e["fatalities"] for e in events] == [12, 14]
    kaya = load_gazetteer().get(KAYA)
    assert kaya is not None
    for event in events:
        assert event["location"] == {
            "name": "Kalamba",  # the place's own name, with the point the records give it
            "lat": 13.0883,
            "lon": -1.08368,
            "country": kaya.country,  # from the hierarchy above Kaya
            "admin1": kaya.admin1,
            "geonames_id": kaya.geonames_id,  # of the town it is near
            "anchor": str(iris.place_iri(KAYA)),
            "mentions": ["Kalamba", "Kaya"],
            "precision": 2,
            "id": str(VILLAGE),
            "country_code": "BF",
        }
        [attacker] = event["attackers"]
        assert (attacker["name"], attacker["id"]) == ("Ansarul Islam", str(GROUP))
        [weapon] = event["weapons"]
        assert (weapon["name"], weapon["id"], weapon["role"]) == (
            "homemade mortar", str(WEAPON), "used")


def test_the_events_export_is_the_same_as_with_the_old_layout(tmp_path: Path) -> None:
    new, old = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    assert export(_store(REPORTS), "events-jsonl", new) == 2
    assert export(_store(REPORTS, copied=True), "events-jsonl", old) == 2
    assert new.read_text(encoding="utf-8") == old.read_text(encoding="utf-8")
    assert collect_events(_store(REPORTS), claims=True) == collect_events(
        _store(REPORTS, copied=True), claims=True)


def test_the_shapes_hold_with_the_descriptions_in_the_entities_graph() -> None:
    report = validate_store(_store(REPORTS))
    assert report.count(Severity.VIOLATION) == 0, report.to_text()


# -- the real pipeline ------------------------------------------------------------------------
@pytest.mark.model
def test_a_build_describes_the_village_of_both_samples_once(seed_store_path: Path) -> None:
    """Both sample articles place the clash at Kalamba, near Kaya."""
    store = GraphStore(seed_store_path, read_only=True)
    village = iris.unresolved_place_iri("Kalamba", KAYA, "BF")
    assert _graphs_holding(store, village, RDFS.label) == [str(iris.ENTITIES_GRAPH)]
    assert _graphs_holding(store, URIRef(f"{village}/geometry"), GEO.asWKT) == [
        str(iris.ENTITIES_GRAPH)]
    pointing = {r["g"].value for r in store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?claim <{SEM.hasPlace}> <{village}> }} }}")}
    assert {str(iris.article_graph_iri(p.stem)) for p in SAMPLES.glob("*.txt")} <= pointing


@pytest.mark.model
def test_rebuilding_an_article_leaves_the_shared_descriptions_and_the_events(
    seed_store_path: Path, tmp_path: Path
) -> None:
    from kg import build

    path = tmp_path / "store"
    shutil.copytree(seed_store_path, path)
    store = GraphStore(path)
    before_events, after_events = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    export(store, "events-jsonl", before_events)
    entities = set(store.to_dataset().graph(iris.ENTITIES_GRAPH))
    summary = build([sorted(SAMPLES.glob("*.txt"))[0]], store)
    assert summary.replaced == 1 and summary.violations == 0
    assert set(store.to_dataset().graph(iris.ENTITIES_GRAPH)) == entities
    export(store, "events-jsonl", after_events)
    assert after_events.read_text(encoding="utf-8") == before_events.read_text(encoding="utf-8")
    assert (URIRef(str(iris.unresolved_place_iri("Kalamba", KAYA, "BF"))), RDFS.label,
            Literal("Kalamba")) in entities
