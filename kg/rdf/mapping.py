"""Map resolved extraction records to RDF.

Pure functions: records and reference data in, rdflib graphs out. This module reads no files
and runs no NLP. Layout of the dataset:

* one named graph per article (``graph/article/<doc_id>``) with what that article says: its
  claims, their participations, materiel lots and evidence, and the unnamed parties that
  exist only in its words ("gunmen", "a bus");
* ``graph/entities``: the nodes articles introduce and share, described once (places missing
  from the gazetteer, organisations with no table entry, unlisted weapon models): their
  labels, types, geometry and place in the hierarchy. An article graph only points at them,
  so that a village named by a hundred reports is one label and one point, not a hundred;
* ``graph/provenance``: the articles, the extraction run, and what made each claim graph;
* ``graph/reference``: actors, affiliations, weapon models and the places the claims use.

A shared node's description depends only on its identifier (the name and the place it is
near or in are part of the IRI), so an article that is replaced or rebuilt leaves the
entities graph true: the description stays, like reference data, whoever else names it.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.gazetteer import Gazetteer, Place
from kg.rdf import iris
from kg.rdf.namespace import (
    ACTOR_TYPE,
    CE,
    ET,
    GEO,
    GEONAMES,
    ONTOLOGY_VERSION,
    PREFIXES,
    SCHEMA,
    SEM,
    WD,
    WEAPON_CATEGORY,
)
from kg.rdf.ntriples import TripleBuffer, TripleSink
from kg.records import (
    TIME_PRECISION_CODE,
    ActorRef,
    Article,
    DateOrigin,
    EventClaim,
    Extraction,
    MaterielLot,
    PlaceRef,
    Precision,
)
from kg.reference import ReferenceData

DATE_ORIGIN = {
    DateOrigin.TEXT: CE.FromText,
    DateOrigin.DATELINE: CE.FromDateline,
    DateOrigin.PUBLICATION: CE.FromPublication,
    DateOrigin.COREFERENCE: CE.FromCoreferentArticle,
}
MATERIEL_ROLE = {
    "captured": CE.Captured,
    "used": CE.Used,
    "seized": CE.Seized,
    "destroyed": CE.Destroyed,
}
ROLE_TERMS: dict[tuple[str, bool], tuple[URIRef, URIRef]] = {
    # (record field, is a capture) -> (direct property, participation role)
    ("attackers", False): (CE.attacker, CE.AttackerRole),
    ("attackers", True): (CE.capturedBy, CE.CapturerRole),
    ("targets", False): (CE.target, CE.TargetRole),
    ("targets", True): (CE.capturedFrom, CE.CapturedFromRole),
    ("victims", False): (CE.victim, CE.VictimRole),
    ("victims", True): (CE.victim, CE.VictimRole),
}
RELATION_PROPERTY = {
    "affiliated-with": CE.affiliatedWith,
    "branch-of": CE.branchOf,
    "faction-of": CE.factionOf,
    "splinter-of": CE.splinterOf,
    "merged-into": CE.mergedInto,
    "part-of": CE.partOf,
    "allied-with": CE.alliedWith,
}


def new_graph(identifier: URIRef | None = None) -> Graph:
    graph = Graph(identifier=identifier)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _wkt(lat: float, lon: float) -> Literal:
    return Literal(f"POINT({lon:.5f} {lat:.5f})", datatype=GEO.wktLiteral)


def _geometry(graph: TripleSink, node: URIRef, lat: float | None, lon: float | None) -> None:
    if lat is None or lon is None:
        return
    geometry = URIRef(f"{node}/geometry")
    graph.add((node, GEO.hasGeometry, geometry))
    graph.add((geometry, RDF.type, GEO.Geometry))
    graph.add((geometry, GEO.asWKT, _wkt(lat, lon)))


# -- places -------------------------------------------------------------------------------
def place_node(graph: TripleSink, place: Place, gazetteer: Gazetteer) -> URIRef:
    """Describe a gazetteer place and every place above it."""
    node = iris.place_iri(place.key)
    child: URIRef | None = None
    for level in gazetteer.hierarchy(place):
        current = iris.place_iri(level.key)
        if child is not None:
            graph.add((child, CE.locatedIn, current))
        if (current, RDF.type, None) in graph:
            break
        graph.add((current, RDF.type, CE.Country if level.level == "country" else CE.Place))
        graph.add((current, RDFS.label, Literal(level.name)))
        graph.add((current, CE.placeLevel, Literal(level.level)))
        graph.add((current, CE.countryCode, Literal(level.country_code)))
        if level.iso_code:
            graph.add((current, CE.isoCode, Literal(level.iso_code)))
        if level.geonames_id:
            graph.add((current, CE.geonamesId, Literal(level.geonames_id, datatype=XSD.integer)))
            graph.add((current, SKOS.exactMatch, GEONAMES[f"{level.geonames_id}/"]))
        _geometry(graph, current, level.lat, level.lon)
        child = current
    return node


def country_node(graph: TripleSink, name: str, gazetteer: Gazetteer) -> URIRef:
    """A country by English name; historic states missing from ISO 3166-1 get a node too."""
    found = gazetteer.lookup(name, levels=("country",))
    if found:
        return place_node(graph, found[0], gazetteer)
    node = URIRef(f"{iris.BASE}place/historic/{iris.slug(name)}")
    graph.add((node, RDF.type, CE.Country))
    graph.add((node, RDFS.label, Literal(name)))
    graph.add((node, CE.placeLevel, Literal("country")))
    return node


def event_place(
    entities: TripleSink, ref: PlaceRef, reference_graph: TripleSink, gazetteer: Gazetteer
) -> URIRef | None:
    """The node for where an event happened; unknown places are minted under their anchor
    and described in ``entities``, gazetteer places in ``reference_graph``."""
    if ref.place_key:
        place = gazetteer.get(ref.place_key)
        return place_node(reference_graph, place, gazetteer) if place else None
    anchor = gazetteer.get(ref.anchor_key) if ref.anchor_key else None
    node = iris.unresolved_place_iri(ref.name, ref.anchor_key, ref.country_code)
    entities.add((node, RDF.type, CE.Place))
    entities.add((node, RDFS.label, Literal(ref.name)))
    entities.add((node, CE.placeLevel, Literal("unresolved")))
    if ref.country_code:
        entities.add((node, CE.countryCode, Literal(ref.country_code)))
    if anchor is not None:
        # A village "near Dori" or written "Gorom, Dori" lies in Dori's area and near the
        # town: the same two links whichever way the article put it, so reports agree.
        anchor_node = place_node(reference_graph, anchor, gazetteer)
        if anchor.level == "locality":
            entities.add((node, CE.near, anchor_node))
            if anchor.parent_key:
                entities.add((node, CE.locatedIn, iris.place_iri(anchor.parent_key)))
        else:
            entities.add((node, CE.locatedIn, anchor_node))
    _geometry(entities, node, ref.lat, ref.lon)
    return node


# -- claims -------------------------------------------------------------------------------
def _actor_node(
    graph: TripleSink, entities: TripleSink, claim_node: URIRef, ref: ActorRef, index: int
) -> URIRef:
    """A linked actor, an unlinked organisation (shared: described in ``entities``), or an
    unnamed party of this claim (described in the article's ``graph``)."""
    if ref.actor_id:
        return iris.actor_iri(ref.actor_id)
    if ref.kind == "organization":
        node = iris.unlinked_actor_iri(ref.name or ref.mentions[0])
        entities.add((node, RDF.type, CE.Actor))
        entities.add((node, RDFS.label, Literal(ref.name or ref.mentions[0])))
        return node
    node = iris.claim_part_iri(claim_node, "party", index)
    graph.add((node, RDF.type, CE.PhysicalTarget if ref.kind == "object" else CE.UnidentifiedActor))
    graph.add((node, RDFS.label, Literal(ref.mentions[0] if ref.mentions else "unnamed")))
    return node


def _participations(
    graph: TripleSink,
    entities: TripleSink,
    claim_node: URIRef,
    refs: Iterable[ActorRef],
    direct: URIRef,
    role: URIRef,
    start: int,
) -> int:
    index = start
    for ref in refs:
        actor = _actor_node(graph, entities, claim_node, ref, index)
        graph.add((claim_node, direct, actor))
        part = iris.claim_part_iri(claim_node, "participation", index)
        graph.add((claim_node, CE.participation, part))
        graph.add((part, RDF.type, CE.Participation))
        graph.add((part, RDF.value, actor))
        graph.add((part, CE.role, role))
        graph.add((part, CE.actorKind, Literal(ref.kind)))
        for mention in ref.mentions:
            graph.add((part, CE.mention, Literal(mention)))
        if ref.link_note:
            graph.add((part, CE.linkNote, Literal(ref.link_note)))
        if ref.basis:
            graph.add((part, CE.attributionBasis, Literal(ref.basis)))
        index += 1
    return index


def _lot(
    graph: TripleSink,
    reference_graph: TripleSink,
    entities: TripleSink,
    claim_node: URIRef,
    lot: MaterielLot,
    index: int,
    article_node: URIRef,
    gazetteer: Gazetteer,
) -> None:
    node = iris.claim_part_iri(claim_node, "materiel", index)
    graph.add((claim_node, CE.materiel, node))
    graph.add((node, RDF.type, CE.MaterielLot))
    graph.add((node, RDFS.label, Literal(lot.mentions[0] if lot.mentions else lot.name)))
    if lot.model_id:
        graph.add((node, CE.weaponModel, iris.weapon_iri(lot.model_id)))
    else:
        model = iris.unlisted_weapon_iri(lot.name)
        graph.add((node, CE.weaponModel, model))
        entities.add((model, RDF.type, CE.WeaponModel))
        entities.add((model, RDFS.label, Literal(lot.name)))
    graph.add((node, CE.materielRole, MATERIEL_ROLE.get(lot.role, CE.Used)))
    if lot.origin:
        graph.add((node, CE.originCountry, country_node(reference_graph, lot.origin, gazetteer)))
        graph.add((node, CE.originBasis, Literal(lot.origin_basis or "text")))
    if lot.quantity is not None:
        graph.add((node, CE.quantity, Literal(lot.quantity, datatype=XSD.integer)))
    for mention in lot.mentions:
        graph.add((node, CE.mention, Literal(mention)))
    if lot.evidence is not None:
        graph.add(
            (node, CE.evidence, _evidence_node(graph, claim_node, lot.evidence, article_node))
        )


def _evidence_node(graph: TripleSink, claim_node: URIRef, evidence, article_node: URIRef) -> URIRef:
    node = iris.claim_part_iri(claim_node, "evidence", evidence.start)
    if (node, RDF.type, CE.Evidence) not in graph:
        graph.add((node, RDF.type, CE.Evidence))
        graph.add((node, CE.sentence, Literal(evidence.sentence.strip())))
        graph.add((node, CE.charStart, Literal(evidence.start, datatype=XSD.integer)))
        graph.add((node, CE.charEnd, Literal(evidence.end, datatype=XSD.integer)))
        graph.add((node, PROV.wasQuotedFrom, article_node))
    return node


def claim_triples(
    graph: TripleSink,
    reference_graph: TripleSink,
    claim: EventClaim,
    run: URIRef,
    gazetteer: Gazetteer,
    entities: TripleSink | None = None,
) -> URIRef:
    """Add one claim to its article's ``graph``; the shared nodes it names are described in
    ``entities`` (in ``reference_graph`` when none is given), gazetteer places in
    ``reference_graph``."""
    shared = reference_graph if entities is None else entities
    node = iris.claim_iri(claim.doc_id, claim.key)
    article_node = iris.article_iri(claim.doc_id)
    graph.add((node, RDF.type, CE.EventClaim))
    graph.add((node, CE.eventType, ET[claim.type]))
    graph.add((node, CE.trigger, Literal(claim.trigger)))
    graph.add((node, PROV.wasDerivedFrom, article_node))
    graph.add((node, PROV.wasGeneratedBy, run))
    graph.add((node, CE.sourceArticle, article_node))
    graph.add((node, CE.confidence, Literal(f"{claim.confidence:.2f}", datatype=XSD.decimal)))
    for evidence in claim.evidence:
        graph.add((node, CE.evidence, _evidence_node(graph, node, evidence, article_node)))
    capture = claim.type == "materiel-capture"
    index = 0
    for field in ("attackers", "targets", "victims"):
        direct, role = ROLE_TERMS[(field, capture)]
        index = _participations(graph, shared, node, getattr(claim, field), direct, role, index)
    for number, lot in enumerate(claim.materiel):
        _lot(graph, reference_graph, shared, node, lot, number, article_node, gazetteer)
    if claim.place is not None:
        place = event_place(shared, claim.place, reference_graph, gazetteer)
        if place is not None:
            graph.add((node, SEM.hasPlace, place))
        for mention in claim.place.mentions:
            graph.add((node, CE.placeMention, Literal(mention)))
        if claim.place.precision is not None:
            graph.add((node, CE.geoPrecision, Literal(claim.place.precision, datatype=XSD.integer)))
        if claim.place.relation:
            graph.add((node, CE.placeRelation, Literal(claim.place.relation)))
    if claim.date is not None:
        date = claim.date
        if date.value is not None and date.origin == DateOrigin.TEXT:
            graph.add((node, CE.date, Literal(date.value, datatype=XSD.date)))
        elif date.latest is not None:
            # A date line or publication date bounds the event; it is the best single day too.
            graph.add((node, CE.date, Literal(date.latest, datatype=XSD.date)))
        if date.earliest is not None:
            graph.add((node, CE.earliestDate, Literal(date.earliest, datatype=XSD.date)))
        if date.latest is not None:
            graph.add((node, CE.latestDate, Literal(date.latest, datatype=XSD.date)))
        # A date line or publication date bounds the event to the days before it: a week.
        precision = date.precision or (
            Precision.WEEK if date.origin in {DateOrigin.DATELINE, DateOrigin.PUBLICATION} else None
        )
        if precision is not None:
            graph.add(
                (
                    node,
                    CE.timePrecision,
                    Literal(TIME_PRECISION_CODE[precision], datatype=XSD.integer),
                )
            )
        graph.add((node, CE.dateOrigin, DATE_ORIGIN[date.origin]))
        if date.text:
            graph.add((node, CE.dateText, Literal(date.text)))
    if claim.fatalities is not None:
        graph.add((node, CE.fatalities, Literal(claim.fatalities, datatype=XSD.integer)))
    if claim.parent_key:
        graph.add((node, CE.subEventOf, iris.claim_iri(claim.doc_id, claim.parent_key)))
    if claim.background:
        graph.add((node, CE.background, Literal(True)))
    if claim.muc_excluded:
        graph.add((node, CE.mucExcluded, Literal(True)))
    return node


def article_graph(
    extraction: Extraction,
    run: URIRef,
    reference_graph: TripleSink,
    gazetteer: Gazetteer,
    entities: TripleSink | None = None,
) -> Graph:
    """The named graph of one article: what the article says (its claims and the unnamed
    parties only it knows). The shared nodes it names are described in ``entities`` (the
    ``graph/entities`` graph; ``reference_graph`` when none is given), the gazetteer places
    in ``reference_graph``: the caller adds those to the store's graphs of the same names."""
    graph = new_graph(iris.article_graph_iri(extraction.article.doc_id))
    for claim in extraction.claims:
        claim_triples(graph, reference_graph, claim, run, gazetteer, entities)
    return graph


def article_ntriples(
    extraction: Extraction, run: URIRef, gazetteer: Gazetteer
) -> tuple[bytes, bytes, bytes]:
    """What :func:`article_graph` makes, as N-Triples to load: the article's graph, the
    reference nodes it needs (``graph/reference``) and the shared nodes it introduces
    (``graph/entities``), made without rdflib graphs (see :mod:`kg.rdf.ntriples`)."""
    graph, shared, entities = TripleBuffer(), TripleBuffer(), TripleBuffer()
    for claim in extraction.claims:
        claim_triples(graph, shared, claim, run, gazetteer, entities)
    return graph.ntriples(), shared.ntriples(), entities.ntriples()


# -- provenance ---------------------------------------------------------------------------
def run_triples(graph: TripleSink, run: URIRef, versions: dict[str, str]) -> None:
    graph.add((run, RDF.type, CE.ExtractionRun))
    graph.add(
        (
            run,
            RDFS.label,
            Literal(
                f"conflict-kg {versions['software']} with "
                f"{versions['model']} {versions['model_version']}"
            ),
        )
    )
    graph.add((run, CE.softwareVersion, Literal(versions["software"])))
    graph.add((run, CE.modelName, Literal(versions["model"])))
    graph.add((run, CE.modelVersion, Literal(versions["model_version"])))
    graph.add((run, CE.spacyVersion, Literal(versions["spacy"])))
    graph.add((run, CE.ontologyVersion, Literal(ONTOLOGY_VERSION)))
    graph.add((run, PROV.used, URIRef("https://w3id.org/conflict-kg/ontology")))


def article_provenance(graph: TripleSink, extraction: Extraction, run: URIRef) -> None:
    article: Article = extraction.article
    node = iris.article_iri(article.doc_id)
    graph.add((node, RDF.type, CE.Article))
    graph.add((node, CE.docId, Literal(article.doc_id)))
    if article.title:
        graph.add((node, DCTERMS.title, Literal(article.title)))
    if article.published:
        graph.add((node, SCHEMA.datePublished, Literal(article.published, datatype=XSD.date)))
    if article.source:
        graph.add((node, CE.sourceName, Literal(article.source)))
    if article.url:
        graph.add((node, SCHEMA.url, Literal(article.url, datatype=XSD.anyURI)))
    if article.dateline_place:
        graph.add((node, CE.datelinePlace, Literal(article.dateline_place)))
    if article.dateline_date:
        graph.add((node, CE.datelineDate, Literal(article.dateline_date, datatype=XSD.date)))
    for report in extraction.uncoded:
        graph.add((node, CE.uncodedReport, Literal(report)))
    claims_graph = iris.article_graph_iri(article.doc_id)
    graph.add((claims_graph, RDF.type, CE.ClaimGraph))
    graph.add((claims_graph, PROV.wasDerivedFrom, node))
    graph.add((claims_graph, PROV.wasGeneratedBy, run))
    graph.add((run, PROV.used, node))


# -- reference ----------------------------------------------------------------------------
def reference_triples(graph: TripleSink, reference: ReferenceData, gazetteer: Gazetteer) -> None:
    """Actors with their dated affiliations and weapon models, from the reference tables."""
    for actor in reference.actors.values():
        node = iris.actor_iri(actor.id)
        graph.add((node, RDF.type, CE.Actor))
        graph.add((node, RDFS.label, Literal(actor.name)))
        graph.add((node, SKOS.prefLabel, Literal(actor.name)))
        for alias in actor.aliases:
            if alias != actor.name:
                graph.add((node, SKOS.altLabel, Literal(alias)))
        if actor.type:
            graph.add((node, CE.actorType, ACTOR_TYPE[actor.type]))
        if actor.wikidata:
            graph.add((node, SKOS.exactMatch, WD[actor.wikidata]))
        if actor.active_from:
            graph.add((node, CE.activeFrom, Literal(str(actor.active_from), datatype=XSD.gYear)))
        if actor.active_to:
            graph.add((node, CE.activeTo, Literal(str(actor.active_to), datatype=XSD.gYear)))
        for code in sorted(actor.countries):
            country = gazetteer.get(f"iso:{code}")
            if country is not None:
                graph.add((node, CE.operatesIn, place_node(graph, country, gazetteer)))
        if actor.source:
            graph.add((node, DCTERMS.source, Literal(actor.source)))
    for aff in reference.affiliations:
        if aff.actor not in reference.actors or aff.other not in reference.actors:
            continue
        subject, other = iris.actor_iri(aff.actor), iris.actor_iri(aff.other)
        prop = RELATION_PROPERTY.get(aff.relation, CE.associatedWith)
        graph.add((subject, prop, other))
        node = iris.affiliation_iri(aff.actor, aff.relation, aff.other)
        graph.add((subject, CE.affiliation, node))
        graph.add((node, RDF.type, CE.Affiliation))
        graph.add((node, CE.affiliate, subject))
        graph.add((node, CE.affiliatedTo, other))
        graph.add((node, CE.relation, Literal(aff.relation)))
        if aff.start:
            graph.add((node, CE.startDate, Literal(aff.start)))
        if aff.end:
            graph.add((node, CE.endDate, Literal(aff.end)))
        if aff.source:
            graph.add((node, DCTERMS.source, Literal(aff.source)))
    for weapon in reference.weapons.values():
        node = iris.weapon_iri(weapon.id)
        graph.add((node, RDF.type, CE.WeaponModel))
        graph.add((node, RDFS.label, Literal(weapon.name)))
        for alias in weapon.aliases:
            if alias != weapon.name:
                graph.add((node, SKOS.altLabel, Literal(alias)))
        graph.add((node, CE.specificity, Literal(weapon.specificity)))
        if weapon.category:
            graph.add((node, CE.weaponCategory, WEAPON_CATEGORY[weapon.category]))
        if weapon.family and weapon.family in reference.weapons:
            graph.add((node, CE.family, iris.weapon_iri(weapon.family)))
        if weapon.design_origin:
            graph.add((node, CE.designOrigin, country_node(graph, weapon.design_origin, gazetteer)))
        if weapon.manufacturer:
            graph.add((node, CE.manufacturer, Literal(weapon.manufacturer)))
        if weapon.manufacturer_country:
            graph.add(
                (
                    node,
                    CE.manufacturedIn,
                    country_node(graph, weapon.manufacturer_country, gazetteer),
                )
            )
        if weapon.wikidata:
            graph.add((node, SKOS.exactMatch, WD[weapon.wikidata]))
        if weapon.source:
            graph.add((node, DCTERMS.source, Literal(weapon.source)))
