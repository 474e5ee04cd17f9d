"""Every export is read back by a reader that does not share our code.

networkx reads GraphML, GEXF and Cytoscape.js JSON; rdflib reads the RDF formats; the json
module and a small GeoJSON check read GeoJSON; the csv module reads the CSV. The seed graph
is one armed clash and one materiel capture at Kalamba near Kaya (Burkina Faso) on
2024-03-21, both reported by the two sample articles.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app
from kg.export import FORMATS, counted, export
from kg.export.tables import ACLED_COLUMNS, COLUMNS
from kg.export.views import actor_view, cytoscape_json, event_view, group_names, is_generic
from kg.store import GraphStore

ISSP = "https://w3id.org/conflict-kg/id/actor/islamic-state-sahel-province"
JNIM = "https://w3id.org/conflict-kg/id/actor/jnim"
KALAMBA = "https://w3id.org/conflict-kg/id/place/unresolved/geonames-2359608/kalamba"
DOCS = ["000_69087c4d98a395b5", "001_62c5150fe37c3cba"]
KG = "https://w3id.org/conflict-kg/id/"
MODELS = {"PG-7V", "RPG-7", "Type 56", "Zastava M05E1", "Zastava M70AB2"}


@pytest.fixture(scope="module")
def seed(seed_store_path: Path) -> GraphStore:
    return GraphStore(seed_store_path, read_only=True)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


def _export(seed: GraphStore, out: Path, fmt: str, **options) -> tuple[Path, int]:
    path = out / f"seed.{fmt}"
    return path, export(seed, fmt, path, **options)


# -- graph views: unit tests on hand-made events --------------------------------------------------
def _event(eid: str, etype: str, date: str | None, attackers, targets, victims=(), weapons=()):
    def party(name, kind="organization", ident=None):
        return {"name": name, "kind": kind, "mentions": [name], "id": ident}
    return {"id": eid, "type": etype, "date": date, "parent": None, "parent_id": None,
            "location": None, "fatalities": None, "sources": [{"doc_id": "d"}],
            "attackers": [party(*a) for a in attackers], "targets": [party(*t) for t in targets],
            "victims": [], "unnamed_victims": [party(*v) for v in victims],
            "weapons": list(weapons)}


A, B = ("A", "organization", "a"), ("B", "organization", "b")


def test_actor_view_types_and_weights_edges() -> None:
    events = [
        _event("e1", "armed-clash", "2024-01-02", [A], [B]),
        _event("e2", "materiel-capture", "2024-01-02", [A], [B]),
        _event("e3", "attack", "2024-02-01", [("gunmen", "group")],
               [("a police post", "object")], victims=[("five civilians", "group")]),
        _event("e4", "attack", None, [B], [A]),
    ]
    graph = actor_view(events)
    edge = graph.edges["a", "b"]
    assert (edge["weight"], edge["relation"]) == (2, "clash+capture")
    assert (edge["attack"], edge["clash"], edge["capture"]) == (0, 1, 1)
    assert edge["first_date"] == "2024-01-02" and edge["event_ids"] == "e1; e2"
    back = graph.edges["b", "a"]
    assert back["relation"] == "attack" and back["first_date"] is None
    # unnamed parties ("gunmen", "five civilians") and physical targets are not actors
    assert set(graph) == {"a", "b"}
    assert graph.nodes["a"]["event_count"] == 3


@pytest.mark.parametrize(("name", "generic"), [
    ("men", True), ("TWO WOMEN", True), ("persons", True), ("gunmen", True),
    ("a group of armed men", True), ("Several unidentified individuals", True),
    ("the security forces", True), ("", True),
    ("Juan Pérez", False), ("FMLN", False), ("Shining Path", False),
    ("Front de libération X", False),
])
def test_generic_nouns_name_no_one(name: str, generic: bool) -> None:
    assert is_generic(name) is generic


def _labels(names: list[str], **options) -> dict[str, str]:
    return {name: group.label for name, group in group_names(names, **options).items()}


def test_names_that_differ_only_in_case_or_accents_are_one_person() -> None:
    labels = _labels(["MARIA ELENA GOMEZ", "María Elena Gómez", "Maria Elena Gomez",
                      "maria elena gómez", "Mario Gomez", "Maria Gomes"], acronyms=False)
    assert {labels[n] for n in ("MARIA ELENA GOMEZ", "Maria Elena Gomez",
                                "maria elena gómez")} == {"María Elena Gómez"}
    assert labels["Mario Gomez"] == "Mario Gomez" and labels["Maria Gomes"] == "Maria Gomes"


def test_a_name_and_its_acronym_are_one_group() -> None:
    labels = _labels(["Front de libération X (FLX)", "FLX", "FRONT DE LIBERATION X",
                      "Union des forces du Sud", "UFS", "Armée du peuple"])
    assert {labels[n] for n in ("FLX", "FRONT DE LIBERATION X", "Front de libération X (FLX)")} \
        == {"Front de libération X (FLX)"}
    assert labels["UFS"] == "Union des forces du Sud"  # initials, function words left out
    assert labels["Armée du peuple"] == "Armée du peuple"
    # people are never joined by initials: "ABC" is not Ana Beatriz Cruz
    people = _labels(["Ana Beatriz Cruz", "ABC"], acronyms=False)
    assert people["ABC"] == "ABC"


def test_an_acronym_of_two_different_names_joins_neither() -> None:
    labels = _labels(["Mouvement national de résistance", "Mouvement nouveau du renouveau",
                      "MNR"])
    assert labels["MNR"] == "MNR"
    assert labels["Mouvement national de résistance"] != labels["Mouvement nouveau du renouveau"]


def test_actor_view_groups_unlinked_names_across_events() -> None:
    """One person written three ways in three reports is one node with three events; a
    group's acronym and its full name are one node; unnamed parties are no node."""
    events = [
        _event("e1", "attack", "2024-01-01", [("FLX", "organization", KG + "actor/unlinked/flx")],
               [], victims=[("JUAN PEREZ", "person")]),
        _event("e2", "attack", "2024-01-05",
               [("Front de libération X (FLX)", "organization",
                 KG + "actor/unlinked/front-de-liberation-x-flx")], []),
        _event("e3", "attack", "2024-01-09", [("gunmen", "group")],
               [], victims=[("two women", "group")]),
    ]
    for event, name in zip(events, ("JUAN PEREZ", "Juan Pérez", "juan perez"), strict=True):
        event["victims"] = [{"name": name, "kind": "person", "mentions": [name], "id": None}]
        event["unnamed_victims"] = []
    events[2]["attackers"].append({"name": "F.L.X.", "kind": "organization",
                                   "mentions": ["F.L.X."], "id": None})
    graph = actor_view(events)
    assert graph.number_of_nodes() == 2 and graph.number_of_edges() == 1
    (source, target), = graph.edges
    assert graph.nodes[source]["label"] == "Front de libération X (FLX)"
    assert graph.nodes[target]["label"] == "Juan Pérez"
    edge = graph.edges[source, target]
    assert edge["weight"] == 3 and edge["event_ids"] == "e1; e2; e3"
    view = event_view(events)  # the event view keeps its unnamed parties, per event
    assert view.has_edge("e3", "e3#party/gunmen") and view.has_edge("e1", target)


def test_event_view_links_roles_places_weapons_and_parents() -> None:
    clash = _event("e1", "armed-clash", "2024-01-02", [("A", "organization", "a")],
                   [("B", "organization", "b")])
    capture = _event("e2", "materiel-capture", "2024-01-02", [("A", "organization", "a")],
                     [("B", "organization", "b")],
                     weapons=[{"name": "RPG-7", "id": "w/rpg-7", "role": "captured",
                               "origin": None, "category": "light-weapons"}])
    capture["parent_id"] = "e1"
    clash["location"] = {"id": "p", "name": "Kalamba", "lat": 13.0, "lon": -1.0,
                         "country": "Burkina Faso", "admin1": None, "precision": 2}
    graph = event_view([clash, capture])
    assert graph.edges["e1", "a"]["role"] == "attacker"
    assert graph.edges["e2", "a"]["role"] == "captured by"
    assert graph.edges["e2", "b"]["role"] == "captured from"
    assert graph.edges["e1", "p"]["role"] == "located in"
    assert graph.edges["e2", "w/rpg-7"]["role"] == "captured"
    assert graph.edges["e2", "e1"]["role"] == "sub-event of"
    assert {graph.nodes[n]["kind"] for n in graph} == {"event", "actor", "place", "weapon"}
    data = cytoscape_json(graph)
    ids = [e["data"]["id"] for e in data["elements"]["edges"]]
    assert len(ids) == len(set(ids)) == graph.number_of_edges()


# -- graph views of the seed graph, read back by networkx ------------------------------------------
@pytest.mark.model
def test_graphml_views(seed: GraphStore, out: Path) -> None:
    path, edges = _export(seed, out, "graphml")
    graph = nx.read_graphml(path)
    assert edges == 1 and graph.is_directed()
    assert {graph.nodes[n]["label"] for n in graph} == {"Islamic State Sahel Province", "JNIM"}
    edge = graph.edges[ISSP, JNIM]
    assert (edge["weight"], edge["relation"]) == (2, "clash+capture")
    assert (edge["attack"], edge["clash"], edge["capture"]) == (0, 1, 1)
    path, _ = _export(seed, out, "graphml-events")
    graph = nx.read_graphml(path)
    kinds = {}
    for _, data in graph.nodes(data=True):
        kinds.setdefault(data["kind"], set()).add(data["label"])
    assert kinds["actor"] == {"Islamic State Sahel Province", "JNIM"}
    assert kinds["place"] == {"Kalamba"}
    assert kinds["weapon"] == MODELS
    assert kinds["event"] == {"armed-clash 2024-03-21", "materiel-capture 2024-03-21"}
    roles = sorted(d["role"] for _, _, d in graph.edges(data=True))
    assert roles.count("captured") == 5 and roles.count("located in") == 2
    assert {"attacker", "target", "captured by", "captured from", "sub-event of"} <= set(roles)


@pytest.mark.model
def test_gexf_views_carry_dates_for_the_timeline(seed: GraphStore, out: Path) -> None:
    for fmt in ("gexf", "gexf-events"):
        path, _ = _export(seed, out, fmt)
        root = ET.parse(path).getroot()
        graph_element = root.find("{http://www.gexf.net/1.2draft}graph")
        assert graph_element.get("mode") == "dynamic" and graph_element.get("timeformat") == "date"
        graph = nx.read_gexf(path)
        assert all(d.get("start") == "2024-03-21" for _, d in graph.nodes(data=True))
        assert all(d.get("start") == "2024-03-21" for _, _, d in graph.edges(data=True))
    events = [n for n, d in graph.nodes(data=True) if d["kind"] == "event"]
    assert len(events) == 2
    assert graph.number_of_nodes() == 10  # 2 events, 2 actors, 1 place, 5 weapon models


@pytest.mark.model
def test_cytoscape_json(seed: GraphStore, out: Path) -> None:
    path, edges = _export(seed, out, "cytoscape-events")
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes = {n["data"]["id"] for n in data["elements"]["nodes"]}
    for edge in data["elements"]["edges"]:
        assert edge["data"]["source"] in nodes and edge["data"]["target"] in nodes
    graph = nx.cytoscape_graph(data)
    assert graph.number_of_edges() == edges == 12 and graph.number_of_nodes() == 10
    assert graph.nodes[KALAMBA]["name"] == "Kalamba"


# -- GeoJSON ---------------------------------------------------------------------------------
@pytest.mark.model
def test_geojson_features(seed: GraphStore, out: Path) -> None:
    path, count = _export(seed, out, "geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and count == len(data["features"]) == 2
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lon, lat = geometry["coordinates"]
        assert -5.6 < lon < 2.5 and 9.4 < lat < 15.1  # inside Burkina Faso, longitude first
        assert (lat, lon) == pytest.approx((13.0883, -1.08368), abs=1e-4)
        props = feature["properties"]
        assert all(isinstance(v, str | int | float | type(None)) for v in props.values())
        assert props["date"] == "2024-03-21" and props["geo_precision"] == 2
        assert props["location_level"] == "near"  # a village kept by name near Kaya
        assert props["actors"] == "Islamic State Sahel Province; JNIM"
        assert props["fatalities"] is None and props["location"] == "Kalamba"
        assert props["sources"] == "; ".join(DOCS) and props["source_count"] == 2
    assert sorted(f["properties"]["event_type"] for f in data["features"]) == [
        "armed-clash", "materiel-capture"]


# -- CSV ---------------------------------------------------------------------------------------
# ACLED's export columns in ACLED's order, written out here rather than imported, so that the
# test fails when the code's list changes.
ACLED_EXPORT_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]

# Two reports from El Salvador: a bomb of no stated kind that killed three farmers, set by
# gunmen in San Salvador, and a clash between the army and a rebel front known only to be in
# the country. Two outlets, one written in two cases; the build recorded when it ended.
CSV_GRAPH = """
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix et: <https://w3id.org/conflict-kg/event-type/> .
@prefix at: <https://w3id.org/conflict-kg/actor-type/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kg: <https://w3id.org/conflict-kg/id/> .

kg:graph\\/reference {
  kg:place\\/sv a ce:Country ; rdfs:label "El Salvador" ; ce:placeLevel "country" ;
      ce:countryCode "SV" ;
      geo:hasGeometry [ geo:asWKT "POINT(-89.18718 13.68935)"^^geo:wktLiteral ] .
  kg:place\\/ss a ce:Place ; rdfs:label "San Salvador" ; ce:placeLevel "locality" ;
      ce:countryCode "SV" ; ce:locatedIn kg:place\\/sv ;
      geo:hasGeometry [ geo:asWKT "POINT(-89.18718 13.68935)"^^geo:wktLiteral ] .
  kg:actor\\/army-sv a ce:Actor ; rdfs:label "Military Forces of El Salvador" ;
      ce:actorType at:state-forces .
  kg:actor\\/front a ce:Actor ; rdfs:label "Frente Rebelde" ; ce:actorType at:rebel-group .
}
kg:graph\\/provenance {
  kg:article\\/r1 a ce:Article ; ce:docId "r1" ; ce:sourceName "Radio Norte" .
  kg:article\\/r2 a ce:Article ; ce:docId "r2" ; ce:sourceName "RADIO NORTE" .
  kg:article\\/r3 a ce:Article ; ce:docId "r3" ; ce:sourceName "Diario Sur" .
  kg:build\\/1 a prov:Activity ; prov:endedAtTime "2024-06-01T12:00:00Z"^^xsd:dateTime .
}
kg:graph\\/article\\/r1 {
  kg:claim\\/r1\\/bomb a ce:EventClaim ; ce:eventType et:bombing ; ce:date "1989-11-12"^^xsd:date ;
      ce:timePrecision 1 ; ce:sourceArticle kg:article\\/r1 , kg:article\\/r2 ;
      sem:hasPlace kg:place\\/ss ; ce:geoPrecision 1 ; ce:fatalities 3 ;
      ce:participation [ rdf:value kg:claim\\/r1\\/bomb\\/party\\/0 ; ce:role ce:AttackerRole ;
                         ce:actorKind "group" ; ce:mention "gunmen" ] ,
                       [ rdf:value kg:claim\\/r1\\/bomb\\/party\\/1 ; ce:role ce:VictimRole ;
                         ce:actorKind "group" ; ce:mention "three farmers" ] .
  kg:claim\\/r1\\/bomb\\/party\\/0 rdfs:label "gunmen" .
  kg:claim\\/r1\\/bomb\\/party\\/1 rdfs:label "three farmers" .
}
kg:graph\\/article\\/r3 {
  kg:claim\\/r3\\/clash a ce:EventClaim ; ce:eventType et:armed-clash ;
      ce:date "1989-11-13"^^xsd:date ; ce:sourceArticle kg:article\\/r3 ;
      sem:hasPlace kg:place\\/sv ; ce:geoPrecision 3 ;
      ce:participation [ rdf:value kg:actor\\/front ; ce:role ce:AttackerRole ;
                         ce:actorKind "organization" ; ce:mention "the front" ] ,
                       [ rdf:value kg:actor\\/army-sv ; ce:role ce:TargetRole ;
                         ce:actorKind "organization" ; ce:mention "the army" ] .
}
"""


def test_csv_derives_acled_columns_from_the_graph(tmp_path: Path) -> None:
    """Every ACLED column the graph can fill, on a small hand-made graph (no model needed)."""
    import pyoxigraph as ox

    from kg.build import ontology_graph

    store = GraphStore(None)
    store.replace_graph(ontology_graph())  # the SKOS mappings to ACLED's types
    store.oxigraph.load(CSV_GRAPH, format=ox.RdfFormat.TRIG)
    path = tmp_path / "events.csv"
    assert export(store, "csv", path) == 2
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["kg_event_type"]: row for row in csv.DictReader(handle)}
    bomb, clash = rows["bombing"], rows["armed-clash"]
    assert (bomb["disorder_type"], bomb["event_type"], bomb["sub_event_type"]) == (
        "Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED")
    assert (bomb["actor1"], bomb["inter1"], bomb["actor2"], bomb["inter2"]) == (
        "gunmen", "Political militia", "three farmers", "Civilians")
    assert bomb["interaction"] == "Political militia-Civilians"
    assert bomb["civilian_targeting"] == "Civilian targeting"
    assert (bomb["event_date"], bomb["year"], bomb["time_precision"]) == ("1989-11-12", "1989",
                                                                          "1")
    assert (bomb["iso"], bomb["region"], bomb["country"]) == ("222", "Central America",
                                                              "El Salvador")
    assert bomb["source"] == "Radio Norte"  # one outlet, whatever its case
    assert bomb["kg_sources"] == "r1; r2" and bomb["kg_source_count"] == "2"
    assert bomb["timestamp"] == "1717243200"  # 2024-06-01T12:00:00Z
    assert bomb["event_id_cnty"].startswith("SLV") and bomb["event_id_cnty"][3:].isdigit()
    assert (bomb["geo_precision"], bomb["kg_location_level"]) == ("1", "exact")
    assert bomb["fatalities"] == "3" and bomb["source_scale"] == bomb["tags"] == ""
    # the lower ACLED code comes first, whoever attacked; a battle targets no civilians
    assert (clash["inter1"], clash["inter2"]) == ("Rebel group", "State forces")
    assert clash["interaction"] == "State forces-Rebel group"
    assert clash["civilian_targeting"] == "" and clash["disorder_type"] == "Political violence"
    # placed only in the country: on the capital's point, and marked so
    assert (clash["location"], clash["geo_precision"], clash["kg_location_level"]) == (
        "El Salvador", "3", "country")
    assert clash["source"] == "Diario Sur"
    assert len({bomb["event_id_cnty"], clash["event_id_cnty"]}) == 2


def test_acled_tables() -> None:
    from kg.export.tables import (
        acled_countries,
        disorder_type,
        event_id_cnty,
        interaction,
        iso_codes,
        party_category,
    )

    regions = acled_countries()
    assert regions["BF"].region == "Western Africa" and regions["MX"].region == "North America"
    assert regions["CD"].name == "Democratic Republic of Congo"
    assert regions["AF"].region == "Caucasus and Central Asia"
    assert iso_codes("BF") == ("BFA", 854) and iso_codes("XK") == ("XKX", None)
    assert disorder_type("Riots", "Mob violence") == "Political violence"
    assert disorder_type("Riots", "Violent demonstration") == "Demonstrations"
    assert disorder_type("Protests", "Excessive force against protesters") == (
        "Political violence; Demonstrations")
    assert disorder_type("Strategic developments", "Arrests") == "Strategic developments"
    assert disorder_type(None, None) == ""
    assert interaction("civilians", "state-forces", True) == "State forces-Civilians"
    assert interaction("rebel-group", None, False) == "Rebel group only"
    assert interaction("rebel-group", None, True) == interaction(None, "civilians", True) == ""

    def party(name: str, kind: str = "group", ident: str | None = None) -> dict:
        return {"name": name, "kind": kind, "mentions": [name], "id": ident}

    types = {"a/army": "state-forces"}
    assert party_category(party("Army", "organization", "a/army"), types, acting=False) == (
        "state-forces")
    assert party_category(party("two policemen"), types, acting=False) == "state-forces"
    assert party_category(party("a guerrilla column"), types, acting=False) == (
        "political-militia")
    assert party_category(party("unknown men"), types, acting=True) == "political-militia"
    assert party_category(party("five teachers"), types, acting=False) == "civilians"
    assert party_category(party("Ana Ruiz", "person"), types, acting=False) == "civilians"
    assert party_category(party("Ana Ruiz", "person"), types, acting=True) is None
    assert party_category(party("Frente X", "organization"), types, acting=True) is None
    event = "https://w3id.org/conflict-kg/id/event/00000000000000ff"
    assert event_id_cnty(event, "BFA") == "BFA255" == event_id_cnty(event, "BFA")


@pytest.mark.model
def test_csv_has_the_31_acled_columns(seed: GraphStore, out: Path) -> None:
    path, count = _export(seed, out, "csv")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert list(reader.fieldnames)[:31] == ACLED_EXPORT_COLUMNS == list(ACLED_COLUMNS)
        assert tuple(reader.fieldnames) == COLUMNS
        assert all(c.startswith("kg_") for c in reader.fieldnames[31:])
        rows = {row["kg_event_type"]: row for row in reader}
    assert count == len(rows) == 2
    clash, capture = rows["armed-clash"], rows["materiel-capture"]
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert clash["disorder_type"] == "Political violence"
    assert (capture["event_type"], capture["sub_event_type"]) == ("", "")
    for row in (clash, capture):
        assert row["event_date"] == "2024-03-21" and row["year"] == "2024"
        assert (row["actor1"], row["actor2"]) == ("Islamic State Sahel Province", "JNIM")
        assert (row["inter1"], row["inter2"], row["interaction"]) == (
            "Rebel group", "Rebel group", "Rebel group-Rebel group")
        assert (row["iso"], row["region"], row["country"]) == ("854", "Western Africa",
                                                               "Burkina Faso")
        assert (row["admin1"], row["admin2"], row["location"]) == (
            "Centre-Nord", "Province du Sanmatenga", "Kalamba")
        assert float(row["latitude"]) == pytest.approx(13.0883)
        assert float(row["longitude"]) == pytest.approx(-1.08368)
        assert row["geo_precision"] == "2" and row["kg_location_level"] == "near"
        assert row["fatalities"] == "" and row["event_id_cnty"].startswith("BFA")
        assert row["kg_sources"] == "; ".join(DOCS) and row["kg_source_count"] == "2"
    assert "ISIS militants have launched a successful attack" in clash["notes"]
    assert "Zastava M70AB2" in capture["notes"] and "[001_62c5150fe37c3cba]" in capture["notes"]
    path, count = _export(seed, out, "csv", claims=True)
    assert count == 4


# -- RDF ---------------------------------------------------------------------------------------
CE = rdflib.Namespace("https://w3id.org/conflict-kg/ontology#")


@pytest.mark.model
@pytest.mark.parametrize(("fmt", "rdflib_format"), [("trig", "trig"), ("nquads", "nquads"),
                                                    ("jsonld", "json-ld")])
def test_rdf_datasets_keep_named_graphs(seed: GraphStore, out: Path, fmt: str,
                                        rdflib_format: str) -> None:
    path, triples = _export(seed, out, fmt)
    dataset = rdflib.Dataset()
    dataset.parse(path, format=rdflib_format)
    assert triples == len(seed)
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == len(seed)
    canonical = rdflib.URIRef("https://w3id.org/conflict-kg/id/graph/canonical")
    graph = dataset.graph(canonical)
    assert len(set(graph.subjects(rdflib.RDF.type, CE.CanonicalEvent))) == 2


@pytest.mark.model
def test_turtle_is_the_union(seed: GraphStore, out: Path) -> None:
    path, _ = _export(seed, out, "turtle")
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    assert len(set(graph.subjects(rdflib.RDF.type, CE.EventClaim))) == 4
    assert len(set(graph.subjects(rdflib.RDF.type, CE.CanonicalEvent))) == 2
    assert 0 < len(graph) <= len(seed)


# -- the command line ----------------------------------------------------------------------------
@pytest.mark.model
def test_cli_export_names_what_it_counted(seed_store_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt, expected in (("gexf-events", "12 edges"), ("geojson", "2 records")):
        target = tmp_path / f"seed.{fmt}"
        result = runner.invoke(app, ["export", "--store", str(seed_store_path), "-f", fmt,
                                     "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"wrote {target} ({fmt}, {expected})"


def test_every_format_is_counted() -> None:
    assert {counted(f) for f in FORMATS} == {"triples", "records", "edges"}
    assert counted("csv") == "records" and counted("gexf") == "edges"


def test_event_places_walk_the_hierarchy_up_through_near_anchors(tmp_path: Path) -> None:
    """A village near a town: the country comes from locatedIn, the region through the anchor."""
    from rdflib import RDF, RDFS, Literal, Namespace, URIRef

    from kg.export.events import collect_events

    ce = Namespace("https://w3id.org/conflict-kg/ontology#")
    sem = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    base = "https://example.org/"
    graph = rdflib.Graph(identifier=URIRef(base + "g"))
    event, village, town = URIRef(base + "e"), URIRef(base + "village"), URIRef(base + "town")
    region, country = URIRef(base + "region"), URIRef(base + "country")
    graph.add((event, RDF.type, ce.EventClaim))
    graph.add((event, ce.eventType, URIRef("https://w3id.org/conflict-kg/event-type/attack")))
    graph.add((event, sem.hasPlace, village))
    for node, name, level in [
        (village, "Village", "locality"),
        (town, "Town", "town"),
        (region, "Region", "admin1"),
        (country, "Country", "country"),
    ]:
        graph.add((node, RDFS.label, Literal(name)))
        graph.add((node, ce.placeLevel, Literal(level)))
    graph.add((country, RDF.type, ce.Country))
    graph.add((village, ce.near, town))
    graph.add((village, ce.locatedIn, country))
    graph.add((town, ce.locatedIn, region))
    graph.add((region, ce.locatedIn, country))
    graph.add((town, ce.geonamesId, Literal("123")))
    store = GraphStore(tmp_path / "store")
    store.replace_graph(graph)
    (found,) = collect_events(store, claims=True)
    place = found["location"]
    assert (place["name"], place["country"], place["admin1"]) == ("Village", "Country", "Region")
    assert place["anchor"] == str(town) and place["geonames_id"] == 123
