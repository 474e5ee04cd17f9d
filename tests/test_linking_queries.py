"""Issue 4's analyst questions answered by SPARQL on the seed graph."""

from __future__ import annotations

import pytest

from kg import GraphStore

pytestmark = pytest.mark.model

PREFIXES = """PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

AFFILIATES_OF = (
    PREFIXES
    + """
SELECT DISTINCT ?type ?actor WHERE {
  ?event a ce:CanonicalEvent ; ce:eventType ?t ; ?role ?a .
  ?role rdfs:subPropertyOf* <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> .
  FILTER (?role != ce:participation)
  ?a (ce:affiliatedWith|ce:branchOf|ce:factionOf|ce:partOf)+ ?parent .
  ?parent rdfs:label ?parentName . FILTER (?parentName = ?wanted)
  ?a rdfs:label ?actor .
  BIND (STRAFTER(STR(?t), "/event-type/") AS ?type)
} ORDER BY ?type ?actor
"""
)

BY_ORIGIN = (
    PREFIXES
    + """
SELECT ?origin (GROUP_CONCAT(DISTINCT ?name; separator=", ") AS ?models) WHERE {
  ?event a ce:CanonicalEvent ; ce:materiel ?lot .
  ?lot ce:materielRole ce:Captured ; ce:weaponModel/rdfs:label ?name .
  OPTIONAL { ?lot ce:originCountry/rdfs:label ?o }
  BIND (COALESCE(?o, "unknown") AS ?origin)
} GROUP BY ?origin ORDER BY ?origin
"""
)


def rows(store: GraphStore, query: str) -> list[tuple[str, ...]]:
    results = store.query(query)
    names = [v.value for v in results.variables]
    return [tuple(r[n].value for n in names) for r in results]


def grouped(found: list[tuple[str, ...]]) -> list[tuple[str, set[str]]]:
    """GROUP_CONCAT's order is unspecified in SPARQL: compare the sets."""
    return [(key, set(values.split(", "))) for key, values in found]


def test_events_involving_affiliates_of_al_qaeda(seed_store_path) -> None:
    store = GraphStore(seed_store_path, read_only=True)
    query = AFFILIATES_OF.replace("?wanted", '"al-Qaeda"')
    assert rows(store, query) == [("armed-clash", "JNIM"), ("materiel-capture", "JNIM")]


def test_events_involving_branches_of_the_islamic_state(seed_store_path) -> None:
    store = GraphStore(seed_store_path, read_only=True)
    query = AFFILIATES_OF.replace("?wanted", '"Islamic State"')
    assert rows(store, query) == [
        ("armed-clash", "Islamic State Sahel Province"),
        ("materiel-capture", "Islamic State Sahel Province"),
    ]


def test_captured_weapons_by_country_of_origin(seed_store_path) -> None:
    store = GraphStore(seed_store_path, read_only=True)
    assert grouped(rows(store, BY_ORIGIN)) == [
        ("Bulgaria", {"PG-7V"}),
        ("China", {"Type 56"}),
        ("Serbia", {"Zastava M05E1", "Zastava M70AB2"}),
        ("unknown", {"RPG-7"}),
    ]


def test_place_hierarchy_and_coordinates_of_the_event(seed_store_path) -> None:
    store = GraphStore(seed_store_path, read_only=True)
    query = (
        PREFIXES
        + """
    SELECT DISTINCT ?place ?near ?area ?wkt ?gn WHERE {
      ?e a ce:CanonicalEvent ; sem:hasPlace ?p .
      ?p rdfs:label ?place ; ce:near ?n ; geo:hasGeometry/geo:asWKT ?wkt .
      ?n rdfs:label ?near ; skos:exactMatch ?gn .
      ?p ce:locatedIn+ ?a . ?a rdfs:label ?area .
    } ORDER BY ?area"""
    )
    found = rows(store, query)
    assert {r[2] for r in found} == {"Burkina Faso", "Centre-Nord", "Province du Sanmatenga"}
    assert {r[:2] for r in found} == {("Kalamba", "Kaya")}
    assert {r[4] for r in found} == {"https://sws.geonames.org/2359608/"}
    lon, lat = (float(x) for x in found[0][3][6:-1].split())
    assert abs(lat - 13.09) < 0.2 and abs(lon + 1.08) < 0.2
