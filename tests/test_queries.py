"""Named questions: their files, safe parameter binding, and their answers.

The answers are checked twice: on a small hand-written dataset that has what the seeds lack
(disagreeing sources, fatality ranges, low confidence, dates after publication, an event with
no place, a second place for distances), and on the seed graph built from the two sample
articles (merged into one armed clash and one materiel capture).
"""

from __future__ import annotations

import math
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import QueryError
from kg.queries import (
    PARAMS_MARKER,
    bind,
    bind_values,
    get_query,
    list_queries,
    parse,
    parse_assignments,
    run_named,
)
from kg.store import GraphStore

KG = "https://w3id.org/conflict-kg/id/"

SMALL = """
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix et: <https://w3id.org/conflict-kg/event-type/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kg: <https://w3id.org/conflict-kg/id/> .

kg:graph\\/reference {
  kg:actor\\/al-qaeda a ce:Actor ; rdfs:label "al-Qaeda" .
  kg:actor\\/islamic-state a ce:Actor ; rdfs:label "Islamic State" .
  kg:actor\\/jnim a ce:Actor ; rdfs:label "JNIM" ; skos:altLabel "GSIM" ;
      ce:affiliatedWith kg:actor\\/al-qaeda .
  kg:actor\\/katiba-macina a ce:Actor ; rdfs:label "Katiba Macina" ; ce:factionOf kg:actor\\/jnim .
  kg:actor\\/army-bf a ce:Actor ; rdfs:label "Military Forces of Burkina Faso" .
  kg:place\\/djibo a ce:Place ; rdfs:label "Djibo" ; ce:countryCode "BF" ;
      geo:hasGeometry [ geo:asWKT "POINT(-1.63060 14.10220)"^^geo:wktLiteral ] .
  kg:place\\/dori a ce:Place ; rdfs:label "Dori" ; ce:countryCode "BF" ;
      geo:hasGeometry [ geo:asWKT "POINT(-0.03450 14.03540)"^^geo:wktLiteral ] .
  ce:AttackerRole rdfs:label "attacker"@en .
  ce:TargetRole rdfs:label "target"@en .
}

kg:graph\\/provenance {
  kg:article\\/a1 a ce:Article ; ce:docId "a1" ; schema:datePublished "2024-05-01"^^xsd:date ;
      ce:sourceName "Agence X" .
  kg:article\\/a2 a ce:Article ; ce:docId "a2" ; schema:datePublished "2024-05-02"^^xsd:date ;
      ce:sourceName "agence x" .
  kg:article\\/a3 a ce:Article ; ce:docId "a3" ; schema:datePublished "2024-04-01"^^xsd:date ;
      ce:sourceName "Radio Y" .
}

kg:graph\\/article\\/a1 {
  kg:claim\\/a1\\/c1 a ce:EventClaim ; ce:eventType et:attack ; ce:sourceArticle kg:article\\/a1 ;
      ce:confidence 0.3 ; ce:fatalities 10 ; ce:date "2024-05-03"^^xsd:date ;
      sem:hasPlace kg:place\\/djibo ; ce:attacker kg:actor\\/katiba-macina ;
      ce:target kg:actor\\/army-bf ;
      ce:participation [ rdf:value kg:actor\\/katiba-macina ; ce:role ce:AttackerRole ] ,
                       [ rdf:value kg:actor\\/army-bf ; ce:role ce:TargetRole ] .
}
kg:graph\\/article\\/a2 {
  kg:claim\\/a2\\/c2 a ce:EventClaim ; ce:eventType et:attack ; ce:sourceArticle kg:article\\/a2 ;
      ce:confidence 0.4 ; ce:fatalities 14 ; ce:date "2024-05-03"^^xsd:date ;
      sem:hasPlace kg:place\\/djibo ; ce:attacker kg:actor\\/katiba-macina ;
      ce:participation [ rdf:value kg:actor\\/katiba-macina ; ce:role ce:AttackerRole ] .
}
kg:graph\\/article\\/a3 {
  kg:claim\\/a3\\/c3 a ce:EventClaim ; ce:eventType et:armed-clash ;
      ce:sourceArticle kg:article\\/a3 ;
      ce:confidence 0.9 ; ce:date "2024-03-30"^^xsd:date ; sem:hasPlace kg:place\\/dori ;
      ce:attacker kg:actor\\/jnim ; ce:target kg:actor\\/army-bf ;
      ce:participation [ rdf:value kg:actor\\/jnim ; ce:role ce:AttackerRole ] ,
                       [ rdf:value kg:actor\\/army-bf ; ce:role ce:TargetRole ] .
  kg:claim\\/a3\\/c4 a ce:EventClaim ; ce:eventType et:attack ; ce:sourceArticle kg:article\\/a3 ;
      ce:confidence 0.8 ; ce:date "2024-03-31"^^xsd:date .
}
"""

CANONICAL = """
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix et: <https://w3id.org/conflict-kg/event-type/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kg: <https://w3id.org/conflict-kg/id/> .

kg:graph\\/canonical {
  kg:event\\/e1 a ce:CanonicalEvent ; ce:eventType et:attack ; ce:date "2024-05-03"^^xsd:date ;
      sem:hasPlace kg:place\\/djibo ; ce:claim kg:claim\\/a1\\/c1 , kg:claim\\/a2\\/c2 ;
      ce:sourceArticle kg:article\\/a1 , kg:article\\/a2 ; ce:sourceCount 2 ;
      ce:confidence 0.4 ; ce:fatalities 10 ;
      ce:fatalitiesLow 10 ; ce:fatalitiesHigh 14 ; ce:disagreement "fatalities" ;
      ce:attacker kg:actor\\/katiba-macina ; ce:target kg:actor\\/army-bf ;
      ce:participation [ rdf:value kg:actor\\/katiba-macina ; ce:role ce:AttackerRole ] ,
                       [ rdf:value kg:actor\\/army-bf ; ce:role ce:TargetRole ] .
  kg:event\\/e2 a ce:CanonicalEvent ; ce:eventType et:armed-clash ; ce:date "2024-03-30"^^xsd:date ;
      sem:hasPlace kg:place\\/dori ; ce:claim kg:claim\\/a3\\/c3 ;
      ce:sourceArticle kg:article\\/a3 ; ce:sourceCount 1 ; ce:confidence 0.9 ;
      ce:attacker kg:actor\\/jnim ; ce:target kg:actor\\/army-bf ;
      ce:participation [ rdf:value kg:actor\\/jnim ; ce:role ce:AttackerRole ] ,
                       [ rdf:value kg:actor\\/army-bf ; ce:role ce:TargetRole ] .
  kg:event\\/e3 a ce:CanonicalEvent ; ce:eventType et:attack ; ce:date "2024-03-31"^^xsd:date ;
      ce:claim kg:claim\\/a3\\/c4 ; ce:sourceArticle kg:article\\/a3 ; ce:sourceCount 1 ;
      ce:confidence 0.8 .
}
"""


def small_store(*, canonical: bool = True) -> GraphStore:
    store = GraphStore(None)
    store.oxigraph.load(SMALL + (CANONICAL if canonical else ""), format=ox.RdfFormat.TRIG)
    return store


def table(results) -> list[dict[str, str | None]]:
    names = [v.value for v in results.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in results]


def short(value: str | None) -> str | None:
    return value[len(KG):] if value and value.startswith(KG) else value


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# -- the files ----------------------------------------------------------------------------------
def test_every_question_of_the_design_has_a_documented_file() -> None:
    queries = list_queries()
    assert {q.question for q in queries} == set(range(1, 13))
    for query in queries:
        assert query.title and len(query.description) > 40, query.name
        text = query.text
        assert text.startswith("# title: "), query.name
        ox.Store().query(bind(query, {p.name: "JNIM" for p in query.params if p.required}))
        markers = sum(line.strip() == PARAMS_MARKER for line in text.splitlines())
        assert (markers > 0) == bool(query.params), query.name


def test_header_parsing_and_its_errors() -> None:
    query = parse("demo", "# title: T\n# description: D\n# question: 3\n"
                          "# param km: number — radius — `50`\n"
                          "# param who: string — a group — required\n"
                          "# param year: year — a year — any year\n"
                          "SELECT * WHERE {\n  # @params\n}\n")
    assert query.question == 3
    km, who, year = query.params
    assert (km.default, km.required) == ("50", False)
    assert (who.default, who.required) == (None, True)
    assert (year.default, year.required, year.default_text) == (None, False, "any year")
    with pytest.raises(QueryError, match="no '# title:' line"):
        parse("x", "# description: D\nSELECT * {}")
    with pytest.raises(QueryError, match="unknown parameter type 'colour'"):
        parse("x", "# title: T\n# description: D\n# param c: colour — c — red\nSELECT * {}")
    with pytest.raises(QueryError, match="no '# @params' line"):
        parse("x", "# title: T\n# description: D\n# param c: year — c — any\nSELECT * {}")
    with pytest.raises(QueryError, match="but no parameters"):
        parse("x", "# title: T\n# description: D\nSELECT * {\n  # @params\n}\n")
    with pytest.raises(QueryError, match="default `abc`"):
        parse("x", "# title: T\n# description: D\n# param c: year — c — `abc`\nSELECT * {}")


# -- binding ------------------------------------------------------------------------------------
def test_values_are_typed_terms_in_a_values_block() -> None:
    text = bind("events-near", {"lat": "14.1", "lon": "-1.6", "km": "25"})
    double = "<http://www.w3.org/2001/XMLSchema#double>"
    boolean = "<http://www.w3.org/2001/XMLSchema#boolean>"
    assert (f'VALUES (?place ?lat ?lon ?km ?include_coarse) {{ (UNDEF "14.1"^^{double} '
            f'"-1.6"^^{double} "25"^^{double} "false"^^{boolean}) }}') in text
    text = bind("events-near", {"place": "Kaya", "include_coarse": "Yes"})
    assert f'"true"^^{boolean}) }}' in text
    text = bind("captured-weapons", {"country": "bf", "year": "2024"})
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert f'VALUES (?year ?country) {{ ("2024"^^{integer} "BF") }}' in text
    assert PARAMS_MARKER not in text
    # a question that reads its parameters in two branches gets the values in each
    text = bind("independent-sources", {"min": "3"})
    assert text.count(f'VALUES (?min) {{ ("3"^^{double}) }}') == 2
    assert PARAMS_MARKER not in text


@pytest.mark.parametrize("evil", [
    'JNIM" ) } } DELETE WHERE { ?s ?p ?o } #',
    "JNIM'\n} INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    'a \\" b',
])
def test_a_hostile_value_stays_one_literal(evil: str) -> None:
    store = small_store()
    before = len(store)
    text = bind("weapons-captured-from", {"actor": evil})
    rows = table(store.query(text))  # parses: the value did not end the literal
    assert rows == [] and len(store) == before
    terms = bind_values(get_query("weapons-captured-from"), {"actor": evil})
    assert terms["actor"] == ox.Literal(evil.strip())


@pytest.mark.parametrize(("name", "values", "message"), [
    ("captured-weapons", {"country": "Burkina"}, "not a two-letter country code"),
    ("captured-weapons", {"country": "B1"}, "not a two-letter country code"),
    ("captured-weapons", {"year": "20x4"}, "not a year"),
    ("captured-weapons", {"year": "2024 UNION"}, "not a year"),
    ("events-near", {"km": "-5"}, "negative"),
    ("events-near", {"km": "nan"}, "not a finite number"),
    ("events-near", {"lat": "91"}, "not a latitude"),
    ("events-near", {"lon": "-181"}, "not a longitude"),
    ("events-near", {"include_coarse": "maybe"}, "not true or false"),
    ("weapons-captured-from", {}, "'actor' is required"),
    ("weapons-captured-from", {"actor": "x" * 201}, "longer than 200"),
    ("weapons-captured-from", {"actor": "a\x00b"}, "control characters"),
    ("captured-weapons", {"colour": "red"}, "no parameter 'colour'"),
])
def test_bad_values_are_refused(name: str, values: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        bind(name, values)


def test_unknown_question_and_assignments() -> None:
    with pytest.raises(QueryError, match="no named question 'nope'"):
        get_query("nope")
    assert parse_assignments(["country=BF", "place=Kaya=town"]) == {"country": "BF",
                                                                     "place": "Kaya=town"}
    with pytest.raises(QueryError, match="name=value"):
        parse_assignments(["country"])


# -- answers on the hand-written dataset ----------------------------------------------------------
def test_sources_disagreements_per_article() -> None:
    # only e1 has two reports (e2 and e3 one each): one row per report, with what it says
    store = small_store()
    rows = table(run_named(store, "sources-disagreements"))
    assert [(short(r["event"]), r["article"], r["reportedDate"], r["reportedPlace"],
             r["reportedFatalities"], r["disagreements"]) for r in rows] == [
        ("event/e1", "a1", "2024-05-03", "Djibo", "10", "fatalities"),
        ("event/e1", "a2", "2024-05-03", "Djibo", "14", "fatalities")]
    for field in ("fatalities", "FATALITIES", "any"):
        found = table(run_named(store, "sources-disagreements", {"disagreement": field}))
        assert found == rows, field
    assert table(run_named(store, "sources-disagreements", {"disagreement": "date"})) == []
    # a third article reports e2 at the same place: two sources that agree are listed, with
    # no disagreement, unless only disagreements are asked for
    store.oxigraph.update(f"""PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
        INSERT DATA {{
          GRAPH <{KG}graph/article/a5> {{ <{KG}claim/a5/c6> a ce:EventClaim ;
              ce:sourceArticle <{KG}article/a5> }}
          GRAPH <{KG}graph/provenance> {{ <{KG}article/a5> ce:docId "a5" }}
          GRAPH <{KG}graph/canonical> {{ <{KG}event/e2> ce:claim <{KG}claim/a5/c6> ;
              ce:sourceArticle <{KG}article/a5> }} }} ;
        DELETE DATA {{ GRAPH <{KG}graph/canonical> {{ <{KG}event/e2> ce:sourceCount 1 }} }} ;
        INSERT DATA {{ GRAPH <{KG}graph/canonical> {{ <{KG}event/e2> ce:sourceCount 2 }} }}""")
    rows = table(run_named(store, "sources-disagreements"))
    assert [(short(r["event"]), r["article"], r["disagreements"]) for r in rows] == [
        ("event/e2", "a3", None), ("event/e2", "a5", None),
        ("event/e1", "a1", "fatalities"), ("event/e1", "a2", "fatalities")]
    found = table(run_named(store, "sources-disagreements", {"disagreement": "any"}))
    assert {short(r["event"]) for r in found} == {"event/e1"}


def test_events_near_a_named_place_and_a_point() -> None:
    store = small_store()
    rows = table(run_named(store, "events-near", {"place": "djibo", "km": "10"}))
    assert [(short(r["event"]), float(r["distanceKm"])) for r in rows] == [("event/e1", 0.0)]
    rows = table(run_named(store, "events-near", {"place": "Djibo", "km": "200"}))
    assert [short(r["event"]) for r in rows] == ["event/e1", "event/e2"]
    expected = haversine_km(14.1022, -1.6306, 14.0354, -0.0345)
    assert float(rows[1]["distanceKm"]) == pytest.approx(expected, rel=0.005)
    rows = table(run_named(store, "events-near", {"lat": "14.0354", "lon": "-0.0345", "km": "50"}))
    assert [short(r["event"]) for r in rows] == ["event/e2"]
    assert table(run_named(store, "events-near", {})) == []  # neither a place nor a point


COARSE = """
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix et: <https://w3id.org/conflict-kg/event-type/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kg: <https://w3id.org/conflict-kg/id/> .

kg:graph\\/reference {
  kg:place\\/sv a ce:Country ; rdfs:label "El Salvador" ; ce:placeLevel "country" ;
      geo:hasGeometry [ geo:asWKT "POINT(-89.18718 13.68935)"^^geo:wktLiteral ] .
  kg:place\\/ss a ce:Place ; rdfs:label "San Salvador" ; ce:placeLevel "locality" ;
      ce:locatedIn kg:place\\/sv ;
      geo:hasGeometry [ geo:asWKT "POINT(-89.18718 13.68935)"^^geo:wktLiteral ] .
  kg:place\\/cu a ce:Place ; rdfs:label "Cuscatlan" ; ce:placeLevel "admin1" ;
      ce:locatedIn kg:place\\/sv ;
      geo:hasGeometry [ geo:asWKT "POINT(-88.93333 13.71667)"^^geo:wktLiteral ] .
}
kg:graph\\/article\\/b1 {
  kg:place\\/unresolved\\/sv\\/hamlet a ce:Place ; rdfs:label "Some Hamlet" ;
      ce:placeLevel "unresolved" ; ce:locatedIn kg:place\\/sv ;
      geo:hasGeometry [ geo:asWKT "POINT(-89.18718 13.68935)"^^geo:wktLiteral ] .
  kg:place\\/unresolved\\/ss\\/farm a ce:Place ; rdfs:label "A Farm" ;
      ce:placeLevel "unresolved" ; ce:near kg:place\\/ss ; ce:locatedIn kg:place\\/sv ;
      geo:hasGeometry [ geo:asWKT "POINT(-89.18718 13.68935)"^^geo:wktLiteral ] .
  kg:claim\\/b1\\/country a ce:EventClaim ; ce:eventType et:attack ;
      sem:hasPlace kg:place\\/sv ; ce:geoPrecision 3 .
  kg:claim\\/b1\\/hamlet a ce:EventClaim ; ce:eventType et:attack ;
      sem:hasPlace kg:place\\/unresolved\\/sv\\/hamlet ; ce:geoPrecision 3 .
  kg:claim\\/b1\\/province a ce:EventClaim ; ce:eventType et:attack ;
      sem:hasPlace kg:place\\/cu ; ce:geoPrecision 3 .
  kg:claim\\/b1\\/town a ce:EventClaim ; ce:eventType et:attack ;
      sem:hasPlace kg:place\\/ss ; ce:geoPrecision 1 .
  kg:claim\\/b1\\/farm a ce:EventClaim ; ce:eventType et:attack ;
      sem:hasPlace kg:place\\/unresolved\\/ss\\/farm ; ce:geoPrecision 2 .
}
"""
COARSE_LEVELS = {"claim/b1/country": "country", "claim/b1/hamlet": "country",
                 "claim/b1/province": "region", "claim/b1/town": "exact", "claim/b1/farm": "near"}


def test_events_near_leaves_out_country_and_region_points_unless_asked() -> None:
    """An event known only to lie in El Salvador sits on the capital's point: it is not 0 km
    from San Salvador, so it is left out of distances unless include_coarse is true."""
    store = GraphStore(None)
    store.oxigraph.load(COARSE, format=ox.RdfFormat.TRIG)
    rows = table(run_named(store, "events-near", {"place": "San Salvador", "km": "50"}))
    assert {short(r["event"]): r["locationLevel"] for r in rows} == {
        "claim/b1/town": "exact", "claim/b1/farm": "near"}
    rows = table(run_named(store, "events-near", {"place": "San Salvador", "km": "50",
                                                  "include_coarse": "true"}))
    assert {short(r["event"]): r["locationLevel"] for r in rows} == COARSE_LEVELS
    (province,) = [float(r["distanceKm"]) for r in rows if short(r["event"]) == "claim/b1/province"]
    assert province == pytest.approx(haversine_km(13.68935, -89.18718, 13.71667, -88.93333),
                                     rel=0.005)


def test_the_map_export_labels_points_as_the_query_does() -> None:
    """GeoJSON's location_level (Python) and events-near's locationLevel (SPARQL) agree."""
    from kg.export.events import collect_events
    from kg.export.geo import event_location_level, place_kinds

    store = GraphStore(None)
    store.oxigraph.load(COARSE, format=ox.RdfFormat.TRIG)
    kinds = place_kinds(store)
    found = {short(e["id"]): event_location_level(e, kinds)
             for e in collect_events(store, claims=True)}
    assert found == COARSE_LEVELS


def test_affiliates_are_followed_transitively() -> None:
    rows = table(run_named(small_store(), "affiliate-events"))
    assert {(r["network"], r["member"], r["role"], short(r["event"])) for r in rows} == {
        ("al-Qaeda", "Katiba Macina", "attacker", "event/e1"),  # faction of JNIM, affiliate of AQ
        ("al-Qaeda", "JNIM", "attacker", "event/e2"),
    }
    rows = table(run_named(small_store(), "affiliate-events", {"actor": "GSIM"}))
    assert {(r["network"], r["member"]) for r in rows} == {("JNIM", "Katiba Macina"),
                                                           ("JNIM", "JNIM")}
    assert table(run_named(small_store(), "affiliate-events", {"actor": "Islamic State"})) == []


def test_independent_sources_count_outlets_once() -> None:
    store = small_store()
    every = {short(r["event"]): r
             for r in table(run_named(store, "independent-sources", {"min": "1"}))}
    assert (every["event/e1"]["articles"], every["event/e1"]["independentSources"]) == ("2", "1")
    assert (every["event/e2"]["articles"], every["event/e2"]["independentSources"]) == ("1", "1")
    assert set(every) == {"event/e1", "event/e2", "event/e3"}
    # two articles of one outlet are one source: e1 is not confirmed by two
    assert table(run_named(store, "independent-sources")) == []
    # an article of no known outlet counts as a source of its own
    store.oxigraph.update(f"""PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
        INSERT DATA {{
          GRAPH <{KG}graph/provenance> {{ <{KG}article/a5> ce:docId "a5" }}
          GRAPH <{KG}graph/canonical> {{ <{KG}event/e1> ce:sourceArticle <{KG}article/a5> }} }} ;
        DELETE DATA {{ GRAPH <{KG}graph/canonical> {{ <{KG}event/e1> ce:sourceCount 2 }} }} ;
        INSERT DATA {{ GRAPH <{KG}graph/canonical> {{ <{KG}event/e1> ce:sourceCount 3 }} }}""")
    rows = table(run_named(store, "independent-sources"))
    assert [(short(r["event"]), r["articles"], r["independentSources"],
             tuple(sorted(r["sources"].split(", ")))) for r in rows] == [
        ("event/e1", "3", "2", ("a1", "a2", "a5"))]
    assert table(run_named(store, "independent-sources", {"min": "3"})) == []


def test_fatality_range_low_confidence_and_quality() -> None:
    store = small_store()
    # only e1's reports give figures, and they differ (10 and 14)
    rows = table(run_named(store, "fatality-range"))
    assert [(short(r["event"]), r["type"], r["low"], r["high"], r["reports"],
             r["reportsWithNumber"]) for r in rows] == [
        ("event/e1", "attack", "10", "14", "2", "2")]
    assert table(run_named(store, "fatality-range", {"spread": "4"})) == rows
    assert table(run_named(store, "fatality-range", {"spread": "5"})) == []
    # e2's one report gives a figure: a range of none, listed with spread 0 only, after the
    # wider one
    store.oxigraph.update(f"""PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
        INSERT DATA {{ GRAPH <{KG}graph/article/a3> {{ <{KG}claim/a3/c3> ce:fatalities 3 }} }}""")
    assert table(run_named(store, "fatality-range")) == rows
    every = table(run_named(store, "fatality-range", {"spread": "0"}))
    assert [(short(r["event"]), r["low"], r["high"], r["reports"]) for r in every] == [
        ("event/e1", "10", "14", "2"), ("event/e2", "3", "3", "1")]
    rows = table(run_named(store, "low-confidence"))
    assert [(short(r["event"]), float(r["bestConfidence"]), r["claims"]) for r in rows] == [
        ("event/e1", 0.4, "2")]
    assert len(table(run_named(store, "low-confidence", {"threshold": "0.85"}))) == 2
    rows = table(run_named(store, "quality"))
    assert {(r["problem"], short(r["event"]), r["article"]) for r in rows} == {
        ("date after publication", "event/e1", "a1"),
        ("date after publication", "event/e1", "a2"),
        ("no place", "event/e3", None),
    }


def test_a_report_without_a_figure_leaves_the_fatality_range_as_it_is() -> None:
    # a third report of e1 gives no number: the range stays the other two's (Oxigraph's MIN
    # and MAX over a group with an unbound value are unbound, so only the figures are grouped)
    store = small_store()
    store.oxigraph.update(f"""PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
        INSERT DATA {{
          GRAPH <{KG}graph/article/a4> {{ <{KG}claim/a4/c5> a ce:EventClaim ;
              ce:eventType <https://w3id.org/conflict-kg/event-type/attack> ;
              ce:confidence 0.2 }}
          GRAPH <{KG}graph/canonical> {{ <{KG}event/e1> ce:claim <{KG}claim/a4/c5> }} }}""")
    rows = {short(r["event"]): r for r in table(run_named(store, "fatality-range"))}
    assert (rows["event/e1"]["low"], rows["event/e1"]["high"]) == ("10", "14")
    assert (rows["event/e1"]["reports"], rows["event/e1"]["reportsWithNumber"]) == ("3", "2")


def test_without_canonical_events_the_claims_are_read() -> None:
    store = small_store(canonical=False)
    rows = table(run_named(store, "independent-sources", {"min": "1"}))
    assert {short(r["event"]) for r in rows} == {"claim/a1/c1", "claim/a2/c2", "claim/a3/c3",
                                                 "claim/a3/c4"}
    # one article each: no claim has two sources, and nothing disagrees
    assert table(run_named(store, "independent-sources")) == []
    assert table(run_named(store, "sources-disagreements")) == []
    # one figure per claim: no range, unless spread 0 asks for every figure
    assert table(run_named(store, "fatality-range")) == []
    rows = table(run_named(store, "fatality-range", {"spread": "0"}))
    assert [(short(r["event"]), r["low"], r["high"], r["reports"]) for r in rows] == [
        ("claim/a2/c2", "14", "14", "1"), ("claim/a1/c1", "10", "10", "1")]
    # each claim an event of its own: Katiba Macina attacks in c1 and in c2
    rows = table(run_named(store, "events-per-actor-month", {"country": "BF"}))
    assert {(r["actor"], r["month"], r["events"]) for r in rows} == {
        ("Katiba Macina", "2024-05", "2"), ("Military Forces of Burkina Faso", "2024-05", "1"),
        ("JNIM", "2024-03", "1"), ("Military Forces of Burkina Faso", "2024-03", "1")}


# -- answers on the seed graph ------------------------------------------------------------
ISSP = "Islamic State Sahel Province"
SEED_ANSWERS = {
    # Q1: five models captured by IS Sahel from JNIM; origins as the articles (or the model) say
    ("captured-weapons", ()): [
        {"capturer": ISSP, "model": "PG-7V", "originCountry": "Bulgaria", "originBasis": "text",
         "capturedFrom": "JNIM", "events": "1"},
        {"capturer": ISSP, "model": "RPG-7", "originCountry": None, "originBasis": None,
         "capturedFrom": "JNIM", "events": "1"},
        {"capturer": ISSP, "model": "Type 56", "originCountry": "China", "originBasis": "text",
         "capturedFrom": "JNIM", "events": "1"},
        {"capturer": ISSP, "model": "Zastava M05E1", "originCountry": "Serbia",
         "originBasis": "text", "capturedFrom": "JNIM", "events": "1"},
        {"capturer": ISSP, "model": "Zastava M70AB2", "originCountry": "Serbia",
         "originBasis": "model", "capturedFrom": "JNIM", "events": "1"},
    ],
    ("captured-weapons", (("year", "2023"),)): [],
    ("captured-weapons", (("country", "ML"),)): [],
    # Q2
    ("events-per-actor-month", (("country", "BF"),)): [
        {"countryCode": "BF", "actor": ISSP, "month": "2024-03", "events": "2"},
        {"countryCode": "BF", "actor": "JNIM", "month": "2024-03", "events": "2"},
    ],
    ("events-per-actor-month", (("country", "NE"),)): [],
    # Q4
    ("actor-cooccurrence", ()): [{"actor1": ISSP, "actor2": "JNIM", "sharedEvents": "2"}],
    ("attacker-target", ()): [
        {"source": ISSP, "target": "JNIM", "type": "armed-clash", "events": "1"},
        {"source": ISSP, "target": "JNIM", "type": "materiel-capture", "events": "1"},
    ],
    # Q8: the clash is ACLED's Battles / Armed clash; ACLED has no type for the capture
    ("acled-event-types", ()): [
        {"acledEventType": "(no ACLED type)", "acledSubEventType": None, "events": "1",
         "kgTypes": "materiel-capture"},
        {"acledEventType": "Battles", "acledSubEventType": "Armed clash", "events": "1",
         "kgTypes": "armed-clash"},
    ],
    # Q11, Q12: nothing to report on the seeds
    ("low-confidence", ()): [],
    ("quality", ()): [],
}


@pytest.fixture(scope="module")
def seed(seed_store_path: Path) -> GraphStore:
    return GraphStore(seed_store_path, read_only=True)


def _drop_ids(rows: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    return [{k: v for k, v in r.items() if k not in {"event"}} for r in rows]


@pytest.mark.model
@pytest.mark.parametrize("key", list(SEED_ANSWERS), ids=lambda k: k[0] + "".join(
    f"-{n}={v}" for n, v in k[1]))
def test_seed_answers(seed: GraphStore, key) -> None:
    name, values = key
    assert table(run_named(seed, name, dict(values))) == SEED_ANSWERS[key]


@pytest.mark.model
def test_a_canonical_events_confidence_is_its_best_claims(seed: GraphStore) -> None:
    # low-confidence reads it so (one value per event, not every claim's)
    rows = list(seed.query("""PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
        SELECT ?event ?confidence (MAX(?claimConfidence) AS ?best) WHERE {
          ?event a ce:CanonicalEvent ; ce:confidence ?confidence ; ce:claim ?claim .
          ?claim ce:confidence ?claimConfidence } GROUP BY ?event ?confidence"""))
    assert rows
    assert all(row["confidence"] == row["best"] for row in rows)
    events = list(seed.query("PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
                             "SELECT ?e WHERE { ?e a ce:CanonicalEvent }"))
    assert len(rows) == len(events)


@pytest.mark.model
def test_seed_sources_and_dates(seed: GraphStore) -> None:
    # Q3: each event is reported by both articles; the undated one inherits the date line's day
    # (and nothing disagrees)
    rows = table(run_named(seed, "sources-disagreements"))
    assert len({r["event"] for r in rows}) == 2
    assert sorted((r["type"], r["article"], r["reportedDate"], r["dateOrigin"]) for r in rows) == [
        ("armed-clash", "000_69087c4d98a395b5", "2024-03-21", "FromCoreferentArticle"),
        ("armed-clash", "001_62c5150fe37c3cba", "2024-03-21", "FromDateline"),
        ("materiel-capture", "000_69087c4d98a395b5", "2024-03-21", "FromCoreferentArticle"),
        ("materiel-capture", "001_62c5150fe37c3cba", "2024-03-21", "FromDateline"),
    ]
    assert {r["eventDate"] for r in rows} == {"2024-03-21"}
    assert {r["reportedPlace"] for r in rows} == {"Kalamba"}
    assert {r["disagreements"] for r in rows} == {None}
    assert table(run_named(seed, "sources-disagreements", {"disagreement": "any"})) == []
    # Q9 and Q10: two independent sources each, no fatality figure anywhere (so no range)
    rows = table(run_named(seed, "independent-sources"))
    assert [(r["type"], r["articles"], r["independentSources"]) for r in
            sorted(rows, key=lambda r: r["type"])] == [("armed-clash", "2", "2"),
                                                       ("materiel-capture", "2", "2")]
    assert {tuple(sorted(r["sources"].split(", "))) for r in rows} == {
        ("000_69087c4d98a395b5", "001_62c5150fe37c3cba")}
    assert table(run_named(seed, "fatality-range", {"spread": "0"})) == []


@pytest.mark.model
def test_seed_weapons_near_and_affiliates(seed: GraphStore) -> None:
    # Q5: by name, alias or identifier, in 2024 and not in 2023
    for actor in ("JNIM", "jnim", "Jama'at Nusrat al-Islam wal-Muslimin"):
        rows = table(run_named(seed, "weapons-captured-from", {"actor": actor, "year": "2024"}))
        assert [(r["model"], r["originCountry"], r["capturer"]) for r in rows] == [
            ("PG-7V", "Bulgaria", ISSP), ("RPG-7", None, ISSP), ("Type 56", "China", ISSP),
            ("Zastava M05E1", "Serbia", ISSP), ("Zastava M70AB2", "Serbia", ISSP)]
    assert table(run_named(seed, "weapons-captured-from", {"actor": "JNIM", "year": "2023"})) == []
    assert table(run_named(seed, "weapons-captured-from", {"actor": ISSP})) == []
    # Q6: Kalamba lies near Kaya; Ouagadougou is about 93 km away
    rows = table(run_named(seed, "events-near", {"place": "Kaya", "km": "10"}))
    assert sorted((r["type"], r["eventPlace"], float(r["distanceKm"])) for r in rows) == [
        ("armed-clash", "Kalamba", 0.0), ("materiel-capture", "Kalamba", 0.0)]
    ouaga = {"lat": "12.3714", "lon": "-1.5197"}
    assert table(run_named(seed, "events-near", {**ouaga, "km": "50"})) == []
    rows = table(run_named(seed, "events-near", {**ouaga, "km": "120"}))
    assert [float(r["distanceKm"]) for r in rows] == [pytest.approx(
        haversine_km(12.3714, -1.5197, 13.0883, -1.08368), abs=0.5)] * 2
    # Q7: IS Sahel is a branch of the Islamic State, JNIM an affiliate of al-Qaeda
    rows = table(run_named(seed, "affiliate-events"))
    assert sorted((r["network"], r["member"], r["role"], r["type"]) for r in rows) == [
        ("Islamic State", ISSP, "attacker", "armed-clash"),
        ("Islamic State", ISSP, "captured by", "materiel-capture"),
        ("al-Qaeda", "JNIM", "captured from", "materiel-capture"),
        ("al-Qaeda", "JNIM", "target", "armed-clash"),
    ]
    rows = table(run_named(seed, "affiliate-events", {"actor": "al-qaeda"}))
    assert {r["member"] for r in rows} == {"JNIM"}


@pytest.mark.model
def test_cli_named_query(seed_store_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["query", "--store", str(seed_store_path), "--named",
                                 "weapons-captured-from", "--param", "actor=JNIM",
                                 "--param", "year=2024", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "model,category,originCountry,capturer,capturedFrom,events"
    assert lines[1] == f"PG-7V,ammunition,Bulgaria,{ISSP},JNIM,1" and len(lines) == 6
    result = runner.invoke(app, ["query", "--store", str(seed_store_path), "-n",
                                 "captured-weapons", "-p", "country=Burkina Faso"])
    assert result.exit_code == 2
    assert "parameter 'country'" in result.output and "two-letter" in result.output


def test_cli_list_and_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    assert "captured-weapons  (question 1)" in result.output
    assert "--param km=<number>" in result.output and "(default 50)" in result.output
    result = runner.invoke(app, ["query", "--list", "--format", "json"])
    assert result.exit_code == 0 and '"name": "events-near"' in result.output
    result = runner.invoke(app, ["query", "--store", str(tmp_path)])
    assert result.exit_code == 2 and "give either a query file or --named" in result.output
    result = runner.invoke(app, ["query", "--store", str(tmp_path), "-n", "nope"])
    assert result.exit_code == 2 and "no named question 'nope'" in result.output


def test_cli_prints_the_bound_question_without_a_store(tmp_path: Path) -> None:
    """--print shows the text that would run, values bound as typed literals; it needs no
    store, and what it prints runs as it stands on another store."""
    runner = CliRunner()
    result = runner.invoke(app, ["query", "--store", str(tmp_path / "absent"), "-n",
                                 "events-near", "-p", "place=Djibo", "-p", "km=10", "--print"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert PARAMS_MARKER not in text and text.startswith("# title: Events within N km")
    double = "<http://www.w3.org/2001/XMLSchema#double>"
    assert f'VALUES (?place ?lat ?lon ?km ?include_coarse) {{ ("Djibo" UNDEF UNDEF "10"^^{double}' \
        in text
    assert not (tmp_path / "absent").exists()
    rows = table(small_store().query(text))
    assert [(short(r["event"]), float(r["distanceKm"])) for r in rows] == [("event/e1", 0.0)]
    hostile = 'x" } } DROP ALL #'
    result = runner.invoke(app, ["query", "-n", "weapons-captured-from", "-p",
                                 f"actor={hostile}", "--print"])
    assert result.exit_code == 0 and '"x\\" } } DROP ALL #"' in result.output
    result = runner.invoke(app, ["query", "-n", "weapons-captured-from", "--print"])
    assert result.exit_code == 2 and "'actor' is required" in result.output
