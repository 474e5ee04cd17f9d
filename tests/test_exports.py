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
from kg.export.tables import COLUMNS
from kg.export.views import actor_view, cytoscape_json, event_view
from kg.store import GraphStore

ISSP = "https://w3id.org/conflict-kg/id/actor/islamic-state-sahel-province"
JNIM = "https://w3id.org/conflict-kg/id/actor/jnim"
KALAMBA = "https://w3id.org/conflict-kg/id/place/unresolved/geonames-2359608/kalamba"
DOCS = ["000_69087c4d98a395b5", "001_62c5150fe37c3cba"]
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
    # unnamed parties are nodes of their own event; a physical target is no actor
    assert graph.has_edge("e3#party/gunmen", "e3#party/five civilians")
    assert not any("police post" in n for n in graph)
    assert graph.nodes["a"]["event_count"] == 3


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
        assert props["actors"] == "Islamic State Sahel Province; JNIM"
        assert props["fatalities"] is None and props["location"] == "Kalamba"
        assert props["sources"] == "; ".join(DOCS) and props["source_count"] == 2
    assert sorted(f["properties"]["event_type"] for f in data["features"]) == [
        "armed-clash", "materiel-capture"]


# -- CSV ---------------------------------------------------------------------------------------
@pytest.mark.model
def test_csv_has_acled_like_columns(seed: GraphStore, out: Path) -> None:
    path, count = _export(seed, out, "csv")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == COLUMNS
        rows = {row["kg_event_type"]: row for row in reader}
    assert count == len(rows) == 2
    clash, capture = rows["armed-clash"], rows["materiel-capture"]
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert (capture["event_type"], capture["sub_event_type"]) == ("", "")
    for row in (clash, capture):
        assert row["event_date"] == "2024-03-21"
        assert (row["actor1"], row["actor2"]) == ("Islamic State Sahel Province", "JNIM")
        assert (row["country"], row["admin1"], row["admin2"], row["location"]) == (
            "Burkina Faso", "Centre-Nord", "Province du Sanmatenga", "Kalamba")
        assert float(row["latitude"]) == pytest.approx(13.0883)
        assert float(row["longitude"]) == pytest.approx(-1.08368)
        assert row["geo_precision"] == "2" and row["fatalities"] == ""
        assert row["sources"] == "; ".join(DOCS) and row["source_count"] == "2"
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
