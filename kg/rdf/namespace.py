"""The conflict-event ontology as a closed rdflib namespace.

A term that is not in ``ontology/conflict.ttl`` raises at the line that uses it (``_fail``);
``tests/test_ontology.py`` keeps this list and the Turtle file in step.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class CE(DefinedNamespace):
    """Terms of https://w3id.org/conflict-kg/ontology#."""

    _fail = True
    _NS = Namespace("https://w3id.org/conflict-kg/ontology#")

    Actor: URIRef
    Affiliation: URIRef
    Article: URIRef
    AttackerRole: URIRef
    CanonicalEvent: URIRef
    Captured: URIRef
    CapturedFromRole: URIRef
    CapturerRole: URIRef
    ClaimGraph: URIRef
    ConflictEvent: URIRef
    Country: URIRef
    DateOrigin: URIRef
    Destroyed: URIRef
    EventClaim: URIRef
    Evidence: URIRef
    ExtractionRun: URIRef
    FromCoreferentArticle: URIRef
    FromDateline: URIRef
    FromPublication: URIRef
    FromText: URIRef
    MaterielLot: URIRef
    MaterielRole: URIRef
    MergeDecision: URIRef
    ParticipantRole: URIRef
    Participation: URIRef
    PhysicalTarget: URIRef
    Place: URIRef
    Seized: URIRef
    TargetRole: URIRef
    UnidentifiedActor: URIRef
    Used: URIRef
    VictimRole: URIRef
    WeaponModel: URIRef
    activeFrom: URIRef
    activeTo: URIRef
    actorKind: URIRef
    actorType: URIRef
    affiliate: URIRef
    affiliatedTo: URIRef
    affiliatedWith: URIRef
    affiliation: URIRef
    alliedWith: URIRef
    associatedWith: URIRef
    attacker: URIRef
    attributionBasis: URIRef
    background: URIRef
    branchOf: URIRef
    capturedBy: URIRef
    capturedFrom: URIRef
    charEnd: URIRef
    charStart: URIRef
    claim: URIRef
    confidence: URIRef
    countryCode: URIRef
    date: URIRef
    dateOrigin: URIRef
    dateSourceArticle: URIRef
    dateText: URIRef
    datelineDate: URIRef
    datelinePlace: URIRef
    designOrigin: URIRef
    disagreement: URIRef
    docId: URIRef
    earliestDate: URIRef
    endDate: URIRef
    eventType: URIRef
    evidence: URIRef
    factionOf: URIRef
    family: URIRef
    fatalities: URIRef
    fatalitiesHigh: URIRef
    fatalitiesLow: URIRef
    geoPrecision: URIRef
    geonamesId: URIRef
    isoCode: URIRef
    latestDate: URIRef
    linkNote: URIRef
    locatedIn: URIRef
    manufacturedIn: URIRef
    manufacturer: URIRef
    matchedFeature: URIRef
    materiel: URIRef
    materielRole: URIRef
    mention: URIRef
    mucExcluded: URIRef
    mergeDecision: URIRef
    mergeScore: URIRef
    mergedClaim: URIRef
    mergedInto: URIRef
    modelName: URIRef
    modelVersion: URIRef
    near: URIRef
    ontologyVersion: URIRef
    operatesIn: URIRef
    originBasis: URIRef
    originCountry: URIRef
    partOf: URIRef
    participation: URIRef
    placeLevel: URIRef
    placeMention: URIRef
    placeRelation: URIRef
    quantity: URIRef
    relation: URIRef
    role: URIRef
    sentence: URIRef
    softwareVersion: URIRef
    sourceArticle: URIRef
    sourceCount: URIRef
    sourceName: URIRef
    spacyVersion: URIRef
    specificity: URIRef
    splinterOf: URIRef
    startDate: URIRef
    subEventOf: URIRef
    target: URIRef
    timePrecision: URIRef
    trigger: URIRef
    uncodedReport: URIRef
    victim: URIRef
    weaponCategory: URIRef
    weaponModel: URIRef


SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("https://schema.org/")
ET = Namespace("https://w3id.org/conflict-kg/event-type/")
ACTOR_TYPE = Namespace("https://w3id.org/conflict-kg/actor-type/")
WEAPON_CATEGORY = Namespace("https://w3id.org/conflict-kg/weapon-category/")
WD = Namespace("http://www.wikidata.org/entity/")
GEONAMES = Namespace("https://sws.geonames.org/")
ONTOLOGY_IRI = URIRef("https://w3id.org/conflict-kg/ontology")
ONTOLOGY_VERSION = "0.1.0"

PREFIXES = {
    "ce": str(CE._NS),
    "sem": str(SEM),
    "geo": str(GEO),
    "schema": str(SCHEMA),
    "et": str(ET),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "wd": str(WD),
    "kgid": "https://w3id.org/conflict-kg/id/",
}
