"""The SHACL shapes, compiled to SPARQL by kg.validate, against pySHACL as the reference.

One small valid graph, written here, is broken in every way the shapes forbid; for each break
both engines must find the same results (severity, focus node, path, value, constraint
component, and the message wherever the shapes give one). No statistical model needed.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from kg import validate as validation
from kg.resources import ontology_file
from kg.store import GraphStore
from kg.validate import (
    Severity,
    UnsupportedShape,
    compiled_shapes,
    shapes_graph,
    validate_graph,
    validate_store,
)

SH = Namespace("http://www.w3.org/ns/shacl#")
EX = "http://example.org/test/"

PREFIXES = """
@prefix ex: <http://example.org/test/> .
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix et: <https://w3id.org/conflict-kg/event-type/> .
@prefix at: <https://w3id.org/conflict-kg/actor-type/> .
@prefix wc: <https://w3id.org/conflict-kg/weapon-category/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Two reports of one invented clash near an invented town; every node the shapes target.
VALID = """
ex:article1 a ce:Article ; ce:docId "a1" ; schema:datePublished "2024-05-10"^^xsd:date ;
    ce:datelineDate "2024-05-10"^^xsd:date .
ex:article2 a ce:Article ; ce:docId "a2" ; schema:datePublished "2024-05-11"^^xsd:date .
ex:run a ce:ExtractionRun ; ce:softwareVersion "0.1" ; ce:modelName "m" ; ce:modelVersion "1" .

ex:claim1 a ce:EventClaim ; ce:eventType et:armed-clash ; sem:hasPlace ex:town ;
    ce:date "2024-05-09"^^xsd:date ; ce:earliestDate "2024-05-09"^^xsd:date ;
    ce:latestDate "2024-05-09"^^xsd:date ; ce:timePrecision 1 ; ce:geoPrecision 2 ;
    ce:dateOrigin ce:FromText ; ce:fatalities 3 ; ce:background false ;
    ce:mucExcluded false ; ce:participation ex:part1 ; ce:materiel ex:lot1 ;
    prov:wasDerivedFrom ex:article1 ; prov:wasGeneratedBy ex:run ; ce:evidence ex:ev1 ;
    ce:confidence 0.7 ; ce:trigger "exchanged fire" .
ex:claim2 a ce:EventClaim ; ce:eventType et:armed-clash ; sem:hasPlace ex:town ;
    ce:subEventOf ex:claim1 ; prov:wasDerivedFrom ex:article2 ; prov:wasGeneratedBy ex:run ;
    ce:evidence ex:ev2 ; ce:confidence 0.5 .
ex:ev1 a ce:Evidence ; ce:sentence "Two armed groups exchanged fire by the old mill." ;
    ce:charStart 0 ; ce:charEnd 48 ; prov:wasQuotedFrom ex:article1 .
ex:ev2 a ce:Evidence ; ce:sentence "Shots were heard by the mill." ;
    ce:charStart 10 ; ce:charEnd 39 ; prov:wasQuotedFrom ex:article2 .
ex:part1 a ce:Participation ; rdf:value ex:group ; ce:role ce:AttackerRole ;
    ce:actorKind "organization" ; ce:mention "the Mill Brigade" ; ce:attributionBasis "article" .
ex:lot1 a ce:MaterielLot ; ce:weaponModel ex:rifle ; ce:materielRole ce:Used ;
    ce:originCountry ex:country ; ce:originBasis "model" ; ce:quantity 2 ; ce:mention "two rifles" .
ex:rifle a ce:WeaponModel ; rdfs:label "Rifle T-1" ; ce:weaponCategory wc:small-arms ;
    ce:specificity "model" ; ce:designOrigin ex:country .
ex:country a ce:Country ; rdfs:label "Testland" ; ce:placeLevel "country" ; ce:countryCode "TL" .
ex:town a ce:Place ; rdfs:label "Millbrook" ; ce:placeLevel "locality" ; ce:locatedIn ex:country ;
    ce:countryCode "TL" ; geo:hasGeometry ex:town-point ; ce:geonamesId 99 ; ce:near ex:country .
ex:town-point geo:asWKT "POINT(10.5 -3.25)"^^geo:wktLiteral .
ex:group a ce:Actor ; rdfs:label "Mill Brigade" ; ce:actorType at:rebel-group ;
    skos:exactMatch <http://www.wikidata.org/entity/Q123> ; ce:operatesIn ex:country .
ex:other a ce:Actor ; rdfs:label "Hill Front" ; ce:affiliatedWith ex:group .
ex:affiliation a ce:Affiliation ; ce:affiliate ex:other ; ce:affiliatedTo ex:group ;
    ce:relation "allied-with" ; ce:startDate "2020-01" .

ex:event1 a ce:CanonicalEvent ; ce:eventType et:armed-clash ; sem:hasPlace ex:town ;
    ce:date "2024-05-09"^^xsd:date ; ce:claim ex:claim1 , ex:claim2 ; ce:sourceCount 2 ;
    ce:sourceArticle ex:article1 , ex:article2 ; ce:participation ex:part1 .
ex:decision a ce:MergeDecision ; ce:mergedClaim ex:claim1 , ex:claim2 ; ce:mergeScore 0.9 ;
    ce:matchedFeature "place" .
"""

# Each break: (name, SPARQL update on the valid graph). Together they reach every kind of
# constraint the shapes use, each severity, and nodes reached only through sh:node.
BREAKS = [
    ("no evidence", "DELETE WHERE { ex:claim1 ce:evidence ?e }"),
    ("two event types", "INSERT DATA { ex:claim1 ce:eventType et:bombing }"),
    (
        "type outside the scheme",
        "DELETE WHERE { ex:claim2 ce:eventType ?t } ;"
        "INSERT DATA { ex:claim2 ce:eventType et:picnic }",
    ),
    (
        "place that is not a place",
        "DELETE WHERE { ex:claim2 sem:hasPlace ?p } ;"
        "INSERT DATA { ex:claim2 sem:hasPlace ex:rifle }",
    ),
    (
        "geo precision 7",
        "DELETE WHERE { ex:claim1 ce:geoPrecision ?p } ;"
        "INSERT DATA { ex:claim1 ce:geoPrecision 7 }",
    ),
    ("date as plain text", 'INSERT DATA { ex:claim2 ce:date "last week" }'),
    ("ill-typed date", 'INSERT DATA { ex:claim2 ce:date "2024-02-30"^^xsd:date }'),
    (
        "ill-typed integer",
        "DELETE WHERE { ex:claim1 ce:fatalities ?f } ;"
        'INSERT DATA { ex:claim1 ce:fatalities "several"^^xsd:integer }',
    ),
    (
        "negative fatalities",
        "DELETE WHERE { ex:claim1 ce:fatalities ?f } ;INSERT DATA { ex:claim1 ce:fatalities -2 }",
    ),
    (
        "confidence above 1",
        "DELETE WHERE { ex:claim2 ce:confidence ?c } ;INSERT DATA { ex:claim2 ce:confidence 1.5 }",
    ),
    (
        "confidence as words",
        "DELETE WHERE { ex:claim2 ce:confidence ?c } ;"
        'INSERT DATA { ex:claim2 ce:confidence "high" }',
    ),
    ("background twice, once as text", 'INSERT DATA { ex:claim1 ce:background "yes" }'),
    (
        "participation without mention, odd role",
        "DELETE WHERE { ex:part1 ce:mention ?m } ; DELETE WHERE { ex:part1 ce:role ?r } ;"
        "INSERT DATA { ex:part1 ce:role ce:BystanderRole }",
    ),
    (
        # not a target of its shape: found through the event's sh:node alone
        "untyped participation without mention",
        "DELETE WHERE { ex:part1 rdf:type ?t } ; DELETE WHERE { ex:part1 ce:mention ?m }",
    ),
    (
        "participant as a literal",
        'DELETE WHERE { ex:part1 rdf:value ?v } ;INSERT DATA { ex:part1 rdf:value "Mill Brigade" }',
    ),
    (
        "empty sentence",
        'DELETE WHERE { ex:ev2 ce:sentence ?s } ;INSERT DATA { ex:ev2 ce:sentence "" }',
    ),
    (
        "reversed offsets",
        "DELETE WHERE { ex:ev2 ce:charEnd ?e } ;INSERT DATA { ex:ev2 ce:charEnd 4 }",
    ),
    (
        "event after publication",
        "DELETE WHERE { ex:event1 ce:date ?d } ;"
        'INSERT DATA { ex:event1 ce:date "2024-05-20"^^xsd:date }',
    ),
    (
        "earliest after latest",
        "DELETE WHERE { ex:claim1 ce:latestDate ?d } ;"
        'INSERT DATA { ex:claim1 ce:latestDate "2024-05-01"^^xsd:date }',
    ),
    ("place inside itself", "INSERT DATA { ex:country ce:locatedIn ex:town }"),
    (
        "country codes differ",
        'DELETE WHERE { ex:town ce:countryCode ?c } ;INSERT DATA { ex:town ce:countryCode "ZZ" }',
    ),
    (
        "geometry that is no point",
        "DELETE WHERE { ex:town-point geo:asWKT ?w } ;"
        'INSERT DATA { ex:town-point geo:asWKT "LINESTRING(1 2, 3 4)"^^geo:wktLiteral }',
    ),
    (
        "link outside Wikidata",
        'INSERT DATA { ex:group skos:exactMatch <http://example.org/elsewhere/Q1> , "Q5" }',
    ),
    ("sources disagree (warning)", 'INSERT DATA { ex:event1 ce:disagreement "date" }'),
    ("no place (info)", "DELETE WHERE { ex:claim2 sem:hasPlace ?p }"),
    ("article not an article", "DELETE WHERE { ex:article2 a ce:Article }"),
    ("merge of one claim", "DELETE WHERE { ex:decision ce:mergedClaim ex:claim2 }"),
    (
        "affiliation date in words",
        "DELETE WHERE { ex:affiliation ce:startDate ?d } ;"
        'INSERT DATA { ex:affiliation ce:startDate "spring 2020" }',
    ),
    (
        "lot of none, basis unknown",
        "DELETE WHERE { ex:lot1 ce:quantity ?q } ;"
        'INSERT DATA { ex:lot1 ce:quantity 0 ; ce:originBasis "guess" }',
    ),
    ("sub-event of a non-event", "INSERT DATA { ex:claim2 ce:subEventOf ex:town }"),
    ("canonical event without claims", "DELETE WHERE { ex:event1 ce:claim ?c }"),
]


def _data(update: str | None = None) -> Graph:
    graph = Graph()
    with ontology_file("conflict.ttl").open("rb") as handle:
        graph.parse(handle, format="turtle")  # the subclasses: a ce:Country is a ce:Place
    graph.parse(data=PREFIXES + VALID, format="turtle")
    if update:
        prologue = "".join(
            f"PREFIX {line.split()[1]} {line.split()[2]}\n"
            for line in PREFIXES.strip().splitlines()
        )
        graph.update(prologue + update)
    return graph


def _custom_messages() -> set[str]:
    return {str(m) for m in shapes_graph().objects(None, SH.message)}


def _rows(report: Graph) -> set[tuple[str | None, ...]]:
    """Every result of a SHACL report graph, details included, as comparable tuples; the
    message counts where the shapes wrote it (or, for SPARQL constraints, its template)."""
    custom = _custom_messages()
    rows = set()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        component = str(report.value(node, SH.sourceConstraintComponent))
        message = str(report.value(node, SH.resultMessage))
        if not (component.endswith("SPARQLConstraintComponent") or message in custom):
            message = None  # each engine words its own default messages
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        rows.add(
            (
                str(report.value(node, SH.resultSeverity)),
                str(report.value(node, SH.focusNode)),
                None if path is None else str(path),
                None if value is None else value.n3(),
                component,
                message,
            )
        )
    return rows


def _pyshacl(data: Graph) -> set[tuple[str | None, ...]]:
    pyshacl = pytest.importorskip("pyshacl")
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return _rows(report)


def test_the_valid_graph_conforms_for_both_engines() -> None:
    data = _data()
    report = validate_graph(data)
    assert report.conforms, report.to_text()
    assert report.results == ()
    assert _rows(report.report_graph) == _pyshacl(data) == set()


@pytest.mark.parametrize(("name", "update"), BREAKS, ids=[name for name, _ in BREAKS])
def test_each_break_is_found_as_pyshacl_finds_it(name: str, update: str) -> None:
    data = _data(update)
    report = validate_graph(data)
    ours = _rows(report.report_graph)
    assert ours, f"{name}: nothing found"
    assert ours == _pyshacl(data)
    # the flat list holds every result of the report graph, details included
    listed = {
        (f"http://www.w3.org/ns/shacl#{r.severity.value}", r.focus, r.path) for r in report.results
    }
    assert listed == {row[:3] for row in ours}
    assert report.conforms == all(not row[0].endswith("Violation") for row in ours)


def test_severities_decide_conformance() -> None:
    warned = validate_graph(_data('INSERT DATA { ex:event1 ce:disagreement "place" }'))
    assert warned.conforms and warned.count(Severity.WARNING) == 1
    [warning] = warned.results
    assert (warning.focus, warning.path, warning.message) == (
        EX + "event1",
        "https://w3id.org/conflict-kg/ontology#disagreement",
        "sources disagree on this event",
    )
    broken = validate_graph(_data("DELETE WHERE { ex:claim1 ce:evidence ?e }"))
    assert not broken.conforms and broken.count(Severity.VIOLATION) == 1
    assert '"conforms": false' in broken.to_json()


def test_a_sparql_message_takes_the_solution_values() -> None:
    report = validate_graph(
        _data("DELETE WHERE { ex:ev2 ce:charEnd ?e } ;INSERT DATA { ex:ev2 ce:charEnd 4 }")
    )
    [result] = report.results
    assert result.message == "evidence offsets are reversed (10 >= 4)"
    assert (result.focus, result.value, result.path) == (EX + "ev2", EX + "ev2", None)
    assert result.shape == "https://w3id.org/conflict-kg/shapes#EvidenceShape"


def test_a_value_failing_a_nested_shape_has_the_reasons_as_details() -> None:
    report = validate_graph(_data("DELETE WHERE { ex:town-point geo:asWKT ?w }"))
    by_focus = {(r.focus, r.path): r for r in report.results}
    outer = by_focus[(EX + "town", "http://www.opengis.net/ont/geosparql#hasGeometry")]
    assert outer.value == EX + "town-point"
    assert "does not conform to cs:PointShape" in outer.message
    inner = by_focus[(EX + "town-point", "http://www.opengis.net/ont/geosparql#asWKT")]
    assert inner.message == "a geometry is one WKT point, longitude first"
    turtle = Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(list(turtle.subject_objects(SH.detail))) == 1


def test_the_report_graph_is_a_shacl_report() -> None:
    report = validate_graph(_data("INSERT DATA { ex:claim1 ce:geoPrecision 5 }"))
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    [node] = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(node, SH.conforms) == Literal(False)
    assert len(list(graph.objects(node, SH.result))) == len(report.results) == 2
    components = {str(c).rsplit("#")[-1] for c in graph.objects(None, SH.sourceConstraintComponent)}
    assert components == {"MaxCountConstraintComponent", "InConstraintComponent"}


def test_the_queries_do_not_grow_with_the_data() -> None:
    """Compiled once per run: the number of queries is that of the constraints, whatever the
    number of focus nodes (pySHACL ran each SPARQL constraint once per focus node)."""

    def count(graph: Graph) -> int:
        store = validation.ox.Store()
        store.load(
            graph.serialize(format="nt", encoding="utf-8"), format=validation.ox.RdfFormat.N_TRIPLES
        )
        queries: list[str] = []

        def run(sparql: str):
            queries.append(sparql)
            return store.query(sparql, use_default_graph_as_union=True)

        validation._validate(run)
        return len(queries)

    small = _data()
    large = _data()
    for i in range(40):
        claim = URIRef(f"{EX}claim-extra-{i}")
        for p, o in small.predicate_objects(URIRef(EX + "claim2")):
            large.add((claim, p, o))
    assert count(small) == count(large)


def test_a_construct_the_compiler_does_not_know_is_refused() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/test/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:p ; sh:or ( [ sh:datatype ex:a ] [ sh:datatype ex:b ] ) ] .
    """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="sh:or on a property shape"):
        validation._Compiler(shapes).shapes()
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/test/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] .
    """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="property path"):
        validation._Compiler(shapes).shapes()


def test_the_shipped_shapes_compile_whole() -> None:
    shapes = compiled_shapes()
    graph = shapes_graph()
    targeted = {s for s in graph.subjects(SH.targetClass, None)}
    assert {s.node for s in shapes} == targeted
    checks, stack = [], list(shapes)
    while stack:  # the shapes reached through sh:node too
        shape = stack.pop()
        checks.extend(shape.checks)
        stack.extend(c.node for c in shape.checks if c.node is not None)
    assert set(graph.objects(None, SH.property)) <= {c.shape for c in checks}
    sparql = {c.shape for c in checks if c.kind == "sparql"}
    assert sparql == set(graph.subjects(SH.sparql, None))
    assert sum(c.kind == "sparql" for c in set(checks)) == len(set(graph.objects(None, SH.sparql)))


def _store_with_two_articles() -> GraphStore:
    """Article 1's claim is broken (no evidence); article 2's is sound; the articles
    themselves are described in a provenance graph, as a build lays them out."""
    data = _data("DELETE WHERE { ex:claim1 ce:evidence ?e }")
    store = GraphStore(None)
    placed = {
        EX + "graph/one": {EX + "claim1", EX + "ev1", EX + "part1", EX + "lot1"},
        EX + "graph/two": {EX + "claim2", EX + "ev2"},
        EX + "graph/canonical": {EX + "event1", EX + "decision"},
    }
    graphs = {name: Graph(identifier=URIRef(name)) for name in [*placed, EX + "graph/rest"]}
    for triple in data:
        home = next(
            (g for g, nodes in placed.items() if str(triple[0]) in nodes), EX + "graph/rest"
        )
        graphs[home].add(triple)
    for graph in graphs.values():
        store.add_to_graph(graph)
    return store


def test_validating_some_graphs_checks_only_the_nodes_they_describe() -> None:
    store = _store_with_two_articles()
    whole = validate_store(store)
    assert not whole.conforms
    assert {r.focus for r in whole.results} == {EX + "claim1"}
    assert validate_graph(_data("DELETE WHERE { ex:claim1 ce:evidence ?e }")).results == (
        whole.results
    )
    one = validate_store(store, graphs=[EX + "graph/one"])
    assert one.results == whole.results
    # claim 2's article and run live in another graph: still found, so no false violation
    two = validate_store(store, graphs=[EX + "graph/two", EX + "graph/canonical"])
    assert two.conforms and two.results == ()
    assert validate_store(store, graphs=[]).results == ()


def test_a_scope_with_blank_nodes_is_still_checked() -> None:
    """Blank nodes cannot be listed in a query; a scope holding one is matched by pattern."""
    store = _store_with_two_articles()
    graph = Graph(identifier=URIRef(EX + "graph/three"))
    graph.parse(
        data=PREFIXES
        + """
        ex:claim3 a ce:EventClaim ; ce:eventType et:arson ; sem:hasPlace ex:town ;
            prov:wasDerivedFrom ex:article2 ; prov:wasGeneratedBy ex:run ; ce:evidence ex:ev2 ;
            ce:confidence 0.4 ; ce:participation [ a ce:Participation ; rdf:value ex:group ;
                ce:role ce:TargetRole ; ce:actorKind "organization" ] .
    """,
        format="turtle",
    )
    store.add_to_graph(graph)
    report = validate_store(store, graphs=[EX + "graph/three"])
    assert {(r.path, r.message) for r in report.results} == {
        (
            "https://w3id.org/conflict-kg/ontology#mention",
            "a participant keeps the article's words for it",
        ),
        (
            "https://w3id.org/conflict-kg/ontology#participation",
            "the value does not conform to cs:ParticipationShape",
        ),
    }
