"""Events read back from the store as typed records (issue 15): what the merge reads, what the
exports write, and the canonical graph the merge writes from them as N-Triples. The store is
written here by hand, two reports of one ambush in two articles; no model needed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.claims import collect_claims, collect_events, read_events
from kg.merge import canonical_graph, cluster_claims, match, recompute_canonical
from kg.rdf import iris
from kg.rdf.namespace import CE
from kg.records import EventDates, EventLot, Participant, SourceRef, StoredEvent
from kg.store import GraphStore

ID = "https://w3id.org/conflict-kg/id/"
CLAIM_A, CLAIM_B = f"{ID}claim/wire-a/attack-10", f"{ID}claim/wire-b/attack-42"
TOWN, PROVINCE, COUNTRY = f"{ID}place/t/xqz", f"{ID}place/p/yqz", f"{ID}place/iso/BF"
GROUP, MODEL = f"{ID}actor/xqz-front", f"{ID}weapon/xq-7"
# a mention with every character N-Triples escapes
ODD = 'the "Xqz Front"\\faction\nof the north'

PREFIXES = """
@prefix ce: <https://w3id.org/conflict-kg/ontology#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
"""

SHARED = f"""
<{TOWN}> rdfs:label "Xqzville" ; ce:countryCode "BF" ; ce:placeLevel "town" ;
    ce:locatedIn <{PROVINCE}> .
<{PROVINCE}> rdfs:label "Yqz" ; ce:placeLevel "admin1" ; ce:locatedIn <{COUNTRY}> .
<{COUNTRY}> a ce:Country ; rdfs:label "Burkina Faso" ; ce:countryCode "BF" .
<{GROUP}> rdfs:label "Xqz Front" .
<{MODEL}> rdfs:label "XQ-7 rifle" ;
    ce:weaponCategory <https://w3id.org/conflict-kg/weapon-category/rifle> .
"""


def _article(doc: str, claim: str, day: str, mention: str, toll: int, origin: str) -> str:
    lot = f"{claim}/materiel/0"
    return f"""
<{ID}article/{doc}> ce:docId "{doc}" ; dcterms:title "Ambush near Xqzville" ;
    schema:datePublished "2024-03-22"^^xsd:date .
<{claim}> a ce:EventClaim ;
    ce:eventType <https://w3id.org/conflict-kg/event-type/attack> ;
    ce:date "{day}"^^xsd:date ; ce:earliestDate "{day}"^^xsd:date ;
    ce:latestDate "{day}"^^xsd:date ; ce:dateOrigin ce:FromText ;
    ce:timePrecision "1"^^xsd:integer ; ce:confidence "0.70"^^xsd:decimal ;
    ce:fatalities "{toll}"^^xsd:integer ; ce:geoPrecision "1"^^xsd:integer ;
    sem:hasPlace <{TOWN}> ; ce:placeMention "Xqzville" ;
    ce:sourceArticle <{ID}article/{doc}> ;
    ce:participation <{claim}/participation/0>, <{claim}/participation/1> ;
    ce:materiel <{lot}> .
<{claim}/participation/0> ce:role ce:AttackerRole ; ce:actorKind "organization" ;
    rdf:value <{GROUP}> ; ce:mention {_turtle(mention)} .
<{claim}/participation/1> ce:role ce:VictimRole ; ce:actorKind "group" ;
    rdf:value <{claim}/party/1> ; ce:mention "12 soldiers" .
<{lot}> ce:weaponModel <{MODEL}> ; ce:materielRole ce:Used ; ce:mention "XQ-7" ;
    ce:originCountry <{COUNTRY}> ; ce:originBasis "{origin}" .
"""


def _turtle(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@pytest.fixture()
def store() -> GraphStore:
    """Two articles that report one ambush, one naming the group oddly and giving the
    rifles' origin from its text, the other by the model's maker."""
    made = GraphStore(None)
    for graph, text in (
        (iris.ENTITIES_GRAPH, SHARED),
        (iris.article_graph_iri("wire-a"),
         _article("wire-a", CLAIM_A, "2024-03-21", ODD, 12, "model")),
        (iris.article_graph_iri("wire-b"),
         _article("wire-b", CLAIM_B, "2024-03-20", "Xqz Front", 14, "text")),
    ):
        data = Graph().parse(data=PREFIXES + text, format="turtle").serialize(format="nt")
        made.oxigraph.load(
            data.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(graph))
        )
    return made


def test_claims_read_back_as_typed_immutable_records(store: GraphStore) -> None:
    first, second = collect_claims(store)
    assert isinstance(first, StoredEvent) and first.id == CLAIM_A
    assert first.dates == EventDates(
        dt.date(2024, 3, 21), dt.date(2024, 3, 21), dt.date(2024, 3, 21), "FromText", 1
    )
    assert first.sources == (SourceRef("wire-a", "Ambush near Xqzville", dt.date(2024, 3, 22)),)
    assert first.place is not None
    assert (first.place.name, first.place.country, first.place.admin1) == (
        "Xqzville", "Burkina Faso", "Yqz")
    assert first.attackers == (Participant("Xqz Front", "organization", (ODD,), GROUP),)
    assert [p.mentions for p in first.unnamed_victims] == [("12 soldiers",)]
    assert first.materiel == (
        EventLot(MODEL, "XQ-7 rifle", "used", ("XQ-7",), f"{CLAIM_A}/materiel/0", "rifle",
                 "Burkina Faso"),
    )
    assert (first.fatalities, second.fatalities, first.confidence) == (12, 14, 0.7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.type = "riot"  # type: ignore[misc]


def test_the_exports_write_the_records_in_the_prediction_format(store: GraphStore) -> None:
    [record, _] = read_events(store)
    [row, _] = collect_events(store)
    assert row == record.as_prediction()
    assert list(row) == [
        "id", "type", "parent", "parent_id", "date", "earliest", "latest", "date_origin",
        "time_precision", "confidence", "location", "attackers", "targets", "victims",
        "unnamed_victims", "weapons", "fatalities", "optional", "_muc_excluded", "sources",
    ]
    assert row["date"] == "2024-03-21" and row["sources"][0]["published"] == "2024-03-22"
    assert row["weapons"][0]["kind"] == "weapon" and row["location"]["mentions"] == ["Xqzville"]


def test_the_merge_decides_on_records_and_writes_them_to_the_store(store: GraphStore) -> None:
    claims = collect_claims(store)
    assert match(*claims).merge
    [cluster] = cluster_claims(claims)
    assert [c.id for c in cluster.claims] == [CLAIM_A, CLAIM_B]
    assert recompute_canonical(store, fresh=True) == 1
    written = Graph().parse(
        data=store.dump(ox.RdfFormat.N_TRIPLES, str(iris.CANONICAL_GRAPH)), format="nt"
    )
    [event] = set(written.subjects(CE.claim, None))
    # the literal with quotes, a backslash and a line break is written back as it was read
    assert Literal(ODD) in set(written.objects(None, CE.mention))
    assert {str(d) for d in written.objects(event, CE.disagreement)} == {"date", "fatalities"}
    assert written.value(event, CE.earliestDate).toPython() == dt.date(2024, 3, 20)
    # the canonical lot's origin: the one a text states beats the model's maker
    lot = written.value(event, CE.materiel)
    assert written.value(lot, CE.originCountry) == URIRef(COUNTRY)
    assert str(written.value(lot, CE.originBasis)) == "text"
    # the store has what canonical_graph describes, and the origins (its decimals as
    # Oxigraph writes them: "0.7" for "0.70")
    described = {(s, p) for s, p, _ in canonical_graph([cluster], {})}
    origins = {(lot, CE.originCountry), (lot, CE.originBasis)}
    assert described == {(s, p) for s, p, _ in written} - origins
    # and read back as a canonical event
    [canonical] = read_events(store)
    assert canonical.id == str(event) and canonical.fatalities == 12
    assert {s.doc_id for s in canonical.sources} == {"wire-a", "wire-b"}
