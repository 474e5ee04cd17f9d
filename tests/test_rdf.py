"""Ontology, namespace, identifiers, mapping and SHACL shapes (no statistical model needed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from kg.gazetteer import load_gazetteer
from kg.rdf import iris
from kg.rdf.mapping import (
    article_graph,
    article_ntriples,
    article_provenance,
    new_graph,
    reference_triples,
    run_triples,
)
from kg.rdf.namespace import CE, ET, SEM
from kg.rdf.ntriples import TripleBuffer
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
from kg.reference import load_reference
from kg.resources import ontology_file
from kg.validate import Severity, validate_graph

CE_NS = str(CE._NS)


def _ontology() -> Graph:
    graph = Graph()
    with ontology_file("conflict.ttl").open("rb") as handle:
        graph.parse(handle, format="turtle")
    return graph


def test_python_namespace_and_turtle_define_the_same_terms() -> None:
    defined = {
        str(s)[len(CE_NS) :]
        for s in _ontology().subjects()
        if str(s).startswith(CE_NS) and str(s) != CE_NS
    }
    assert defined == set(CE.__annotations__)


def test_every_ontology_term_has_a_label_and_a_comment() -> None:
    graph = _ontology()
    for term in {s for s in graph.subjects() if str(s).startswith(CE_NS)}:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, RDFS.comment) is not None, term


def test_misspelt_term_fails_at_the_line_that_uses_it() -> None:
    with pytest.raises(AttributeError):
        _ = CE.atacker


def test_event_classes_are_aligned_to_sem_and_schema() -> None:
    graph = _ontology()
    assert (CE.ConflictEvent, RDFS.subClassOf, SEM.Event) in graph
    assert (CE.ConflictEvent, RDFS.subClassOf, URIRef("https://schema.org/Event")) in graph
    assert (CE.attacker, RDFS.subPropertyOf, SEM.hasActor) in graph
    assert (CE.ExtractionRun, RDFS.subClassOf, PROV.Activity) in graph
    assert (URIRef("https://w3id.org/conflict-kg/ontology"), RDF.type, OWL.Ontology) in graph


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=30))
def test_claim_iris_are_deterministic_and_distinct(doc_id: str, key: str) -> None:
    assert iris.claim_iri(doc_id, key) == iris.claim_iri(doc_id, key)
    assert iris.claim_iri(doc_id, key) != iris.claim_iri(doc_id + "x", key)
    assert " " not in str(iris.claim_iri(doc_id, key))


@given(st.text(max_size=60))
def test_slug_is_ascii_and_never_empty(text: str) -> None:
    value = iris.slug(text)
    assert value and value.isascii() and " " not in value
    assert iris.slug(text) == value


def test_run_iri_depends_only_on_versions() -> None:
    a = iris.run_iri({"software": "1", "model": "m"})
    assert a == iris.run_iri({"model": "m", "software": "1"})
    assert a != iris.run_iri({"software": "2", "model": "m"})


def _extraction(
    published: dt.date | None = dt.date(2024, 3, 22),
    date: dt.date = dt.date(2024, 3, 21),
    precision: int = 2,
) -> Extraction:
    text = "Militants of JNIM attacked soldiers near Djibo, capturing two AK-47 rifles."
    article = Article("t1", text, published=published)
    evidence = Evidence(text, 0, len(text))
    claim = EventClaim(
        doc_id="t1",
        key="armed-clash-12",
        type="armed-clash",
        trigger="attacked",
        evidence=(evidence,),
        attackers=(
            ActorRef(("Militants of JNIM", "JNIM"), "organization", "jnim", "JNIM", "alias"),
        ),
        targets=(ActorRef(("soldiers",), "group", None, "soldiers"),),
        materiel=(
            MaterielLot(
                ("two AK-47 rifles", "AK-47"),
                "ak-47",
                "AK-47",
                "small-arms",
                "Soviet Union",
                "model",
                "captured",
                2,
                evidence,
            ),
        ),
        place=PlaceRef(
            ("Djibo",),
            "Djibo",
            None,
            None,
            "near",
            "BF",
            precision,
            (PlaceSegment("Djibo", "near"),),
            14.1,
            -1.6,
        ),
        date=DateValue(date, date, date, None, DateOrigin.TEXT, "on Thursday"),
        fatalities=3,
        confidence=0.8,
    )
    return Extraction(article, (claim,), ("negated: no attack took place",))


def _dataset_graph(extraction: Extraction) -> tuple[Graph, Graph]:
    gazetteer = load_gazetteer()
    run = iris.run_iri({"software": "test"})
    reference = new_graph(iris.REFERENCE_GRAPH)
    reference_triples(reference, load_reference(), gazetteer)
    claims = article_graph(extraction, run, reference, gazetteer)
    provenance = new_graph(iris.PROVENANCE_GRAPH)
    run_triples(
        provenance, run, {"software": "test", "model": "m", "model_version": "1", "spacy": "3"}
    )
    article_provenance(provenance, extraction, run)
    union = Graph()
    for graph in (reference, claims, provenance):
        for triple in graph:
            union.add(triple)
    return claims, union


def test_claim_graph_holds_the_claim_with_its_evidence_and_provenance() -> None:
    claims, union = _dataset_graph(_extraction())
    assert claims.identifier == iris.article_graph_iri("t1")
    claim = iris.claim_iri("t1", "armed-clash-12")
    assert (claim, CE.eventType, ET["armed-clash"]) in claims
    assert (claim, PROV.wasDerivedFrom, iris.article_iri("t1")) in claims
    assert (claim, CE.attacker, iris.actor_iri("jnim")) in claims
    evidence = claims.value(claim, CE.evidence)
    assert str(claims.value(evidence, CE.sentence)).startswith("Militants of JNIM")
    lot = claims.value(claim, CE.materiel)
    assert claims.value(lot, CE.quantity) == Literal(2, datatype=XSD.integer)
    assert (iris.article_iri("t1"), CE.uncodedReport, None) in union


def test_valid_graph_conforms() -> None:
    _, union = _dataset_graph(_extraction())
    report = validate_graph(union)
    assert report.conforms, report.to_text()
    assert report.count(Severity.VIOLATION) == 0


def test_event_dated_after_publication_is_a_violation() -> None:
    _, union = _dataset_graph(_extraction(published=dt.date(2024, 3, 1)))
    report = validate_graph(union)
    assert not report.conforms
    [result] = [r for r in report.results if r.severity == Severity.VIOLATION]
    assert "later than the publication date" in result.message
    assert result.focus == str(iris.claim_iri("t1", "armed-clash-12"))


def test_out_of_range_precision_and_missing_evidence_are_violations() -> None:
    _, union = _dataset_graph(_extraction(precision=7))
    claim = iris.claim_iri("t1", "armed-clash-12")
    union.remove((claim, CE.evidence, None))
    report = validate_graph(union)
    paths = {r.path for r in report.results if r.severity == Severity.VIOLATION}
    assert str(CE.geoPrecision) in paths and str(CE.evidence) in paths
    assert '"conforms": false' in report.to_json()


def test_event_without_place_is_only_an_info() -> None:
    _, union = _dataset_graph(_extraction())
    claim = iris.claim_iri("t1", "armed-clash-12")
    union.remove((claim, SEM.hasPlace, None))
    report = validate_graph(union)
    assert report.conforms
    assert any(r.severity == Severity.INFO and "no place" in r.message for r in report.results)


def test_an_attribution_by_the_article_is_marked_on_the_participation() -> None:
    extraction = _extraction()
    [claim] = extraction.claims
    inferred = replace(claim.attackers[0], basis="article")
    extraction = replace(extraction, claims=(replace(claim, attackers=(inferred,)),))
    claims, union = _dataset_graph(extraction)
    assert set(claims.objects(None, CE.attributionBasis)) == {Literal("article")}
    assert validate_graph(union).conforms
    # a basis the ontology does not know is a violation
    part = next(claims.subjects(CE.attributionBasis, Literal("article")))
    union.set((part, CE.attributionBasis, Literal("guess")))
    assert not validate_graph(union).conforms


def _parsed(data: bytes) -> set:
    graph = Graph()
    graph.parse(data=data, format="nt")
    return set(graph)


@pytest.mark.parametrize(
    "sentence",
    [
        "Militants of JNIM attacked soldiers near Djibo.",
        'He said "they came at night",\n\ta back\\slash\r and Ségou — 𝔘 too.',
    ],
)
def test_article_ntriples_are_the_article_graphs(sentence: str) -> None:
    """The build writes article graphs without rdflib graphs: the same triples, lines as
    rdflib's N-Triples serializer writes them."""
    extraction = _extraction()
    claim = extraction.claims[0]
    evidence = Evidence(sentence, 0, len(sentence))
    extraction = replace(extraction, claims=(replace(claim, evidence=(evidence,)),))
    gazetteer = load_gazetteer()
    run = iris.run_iri({"software": "test"})
    shared, entities = new_graph(iris.REFERENCE_GRAPH), new_graph(iris.ENTITIES_GRAPH)
    graph = article_graph(extraction, run, shared, gazetteer, entities)
    made = article_ntriples(extraction, run, gazetteer)
    for ours, theirs in zip(made, (graph, shared, entities), strict=True):
        written = theirs.serialize(format="nt", encoding="utf-8")
        assert sorted(ours.splitlines()) == sorted(written.splitlines())
        assert _parsed(ours) == set(theirs)
    assert len(made[0].splitlines()) == len(graph) > 10


def test_triple_buffer_keeps_each_triple_once_and_matches_patterns() -> None:
    buffer = TripleBuffer()
    a, b = URIRef("http://example.org/a"), URIRef("http://example.org/b")
    buffer.add((a, RDF.type, b)).add((a, RDF.type, b)).add((a, RDFS.label, Literal("x", lang="en")))
    buffer.add((b, RDFS.label, Literal("1", datatype=XSD.integer)))
    assert len(buffer) == 3
    assert (a, RDF.type, None) in buffer
    assert (a, RDF.type, a) not in buffer
    assert (b, RDF.type, None) not in buffer
    assert (None, RDFS.label, Literal("1", datatype=XSD.integer)) in buffer
    assert (None, None, Literal("1")) not in buffer
    lines = buffer.ntriples().decode().splitlines()
    assert lines[1] == f'<{a}> <{RDFS.label}> "x"@en .'
    assert lines[2] == f'<{b}> <{RDFS.label}> "1"^^<{XSD.integer}> .'
