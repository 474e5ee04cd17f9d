"""Typed, immutable records that flow between the pipeline stages.

Every stage reads and returns these; none of them knows about files, spaCy or RDF. Character
offsets always refer to ``Article.text`` so that any claim can be traced back to the exact
sentence that made it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DateOrigin(StrEnum):
    """Where an event date came from, from most to least direct evidence."""

    TEXT = "text"  # a date expression in the event's own sentence or paragraph
    DATELINE = "dateline"  # the article's date line ("LIMA, 20 DEC 89 --", "date 2024-03-21")
    PUBLICATION = "publication"  # the article's publication metadata
    COREFERENCE = "coreference"  # inherited from a coreferent event in another article


class Precision(StrEnum):
    DAY = "day"
    WEEK = "week"  # a date line bounds the event to the days before it
    MONTH = "month"
    YEAR = "year"


TIME_PRECISION_CODE = {Precision.DAY: 1, Precision.WEEK: 2, Precision.MONTH: 3, Precision.YEAR: 3}
"""ACLED's time precision: 1 = the day is known, 2 = the week, 3 = only the month or longer."""

AFFILIATE_NOTE = "affiliate-of"
"""``ActorRef.link_note`` of a mention that names an affiliate ("al-Qaeda affiliates")."""


@dataclass(frozen=True, slots=True)
class Article:
    doc_id: str
    text: str
    path: str | None = None
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None
    dateline_date: dt.date | None = None
    dateline_place: str | None = None
    body_start: int = 0  # offset of the first character after the date line

    @property
    def reference_date(self) -> dt.date | None:
        """The date relative expressions are resolved against."""
        return self.dateline_date or self.published


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence of an article that supports a claim."""

    sentence: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DateValue:
    value: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    precision: Precision | None
    origin: DateOrigin
    text: str | None = None  # the expression as written, when it came from the text
    # the day of a statement ("the ministry said on Monday"), kept only for want of another
    of_statement: bool = False


@dataclass(frozen=True, slots=True)
class ActorRef:
    """One participant of an event: a canonical actor (if linked) and how the article names it."""

    mentions: tuple[str, ...]
    kind: str  # "organization" | "group" | "person" | "object"
    actor_id: str | None = None  # id in data/actors/actors.csv
    name: str | None = None  # canonical name, or the best mention when unlinked
    link_note: str | None = None  # how the link was made ("alias", "affiliate in country", ...)
    # None: the event's own sentences name it; "article": only the article's other reports do
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class MaterielLot:
    """Materiel of one model in one event: its own origin, quantity and role."""

    mentions: tuple[str, ...]
    model_id: str | None
    name: str
    category: str | None
    origin: str | None  # country of make or supply as stated (or implied by a national model)
    origin_basis: str | None  # "text" (a demonym in the text) or "model" (the model's maker)
    role: str  # "captured" | "used" | "seized" | "destroyed"
    quantity: int | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class PlaceSegment:
    """One part of a written location, most specific first: "Gorom" / "near Dori" / ..."""

    name: str
    relation: str | None = None  # None, "near", or a bearing such as "north of"
    offset_km: float | None = None


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """Where an event happened, resolved as far as the gazetteer allows."""

    mentions: tuple[str, ...]
    name: str
    place_key: str | None  # gazetteer key of the place itself, when known
    anchor_key: str | None  # gazetteer key of the most precise known place it lies in or near
    relation: str | None  # None (the place itself), "near" or "in"
    country_code: str | None
    precision: int | None  # ACLED geo precision 1-3
    segments: tuple[PlaceSegment, ...] = ()  # the location as written, most specific first
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class EventClaim:
    """One event as one article reports it."""

    doc_id: str
    key: str  # stable within the article: "<type>-<trigger offset>"
    type: str  # a code of the SKOS event-type scheme
    trigger: str
    evidence: tuple[Evidence, ...]
    attackers: tuple[ActorRef, ...] = ()
    targets: tuple[ActorRef, ...] = ()
    victims: tuple[ActorRef, ...] = ()
    materiel: tuple[MaterielLot, ...] = ()
    place: PlaceRef | None = None
    date: DateValue | None = None
    fatalities: int | None = None
    parent_key: str | None = None  # a capture inside a clash points at the clash
    confidence: float = 0.5
    background: bool = False  # an older incident the article recalls, not the one it reports
    # the MUC-4 relevance model finds no MUC-4 incident in the article: the MUC view leaves
    # the claim out, the graph keeps it (ACLED's codebook is wider)
    muc_excluded: bool = False
    # a mention that refers back to an incident ("the attack took place in ..."): it may add
    # to the incident it names again, never stand alone (extraction-internal)
    supports_only: bool = False


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the pipeline made of one article, including what it read and did not code."""

    article: Article
    claims: tuple[EventClaim, ...]
    uncoded: tuple[str, ...] = field(default=())  # trigger sentences dropped, with the reason
    actor_mentions: tuple[ActorRef, ...] = field(default=())  # every actor named in the article
    # every place and nationality the article names, in order ("Mali", "Malian", "Mopti"):
    # the context that decides between homonyms and gives unplaced events a country
    place_names: tuple[str, ...] = field(default=())


# -- events read back from the store ----------------------------------------------------------
# What the cross-article merge and the event exports read of an event the store holds, a
# claim of one article or a canonical event (kg.claims reads them). The exports write them in
# the prediction format of shared/eval/FORMAT.md (``StoredEvent.as_prediction``).


@dataclass(frozen=True, slots=True)
class SourceRef:
    """An article that reports an event."""

    doc_id: str
    title: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EventDates:
    """When an event happened, as the store states it (all None: undated)."""

    value: dt.date | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    # the ontology's term for where the day came from: "FromText", "FromDateline",
    # "FromPublication" or "FromCoreferentArticle"
    origin: str | None = None
    precision: int | None = None  # ACLED's time precision (TIME_PRECISION_CODE)


@dataclass(frozen=True, slots=True)
class EventPlace:
    """Where an event happened, with the country and first-order region the place lies in."""

    id: str | None  # IRI of the place node
    name: str | None
    country_code: str | None
    precision: int | None  # ACLED geo precision 1-3; None: a village the gazetteer lacks
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    anchor: str | None = None  # IRI of the place it is near, when it is near one
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Participant:
    """A participant of a stored event, with every wording of its sources."""

    name: str | None
    kind: str  # "organization" | "group" | "person" | "object"
    mentions: tuple[str, ...]  # longest first
    id: str | None = None  # IRI of a canonical actor (``/actor/``), None for a party named ad hoc
    wikidata: str | None = None  # Q-identifier
    basis: str | None = None  # "article": only the article's other reports name it


@dataclass(frozen=True, slots=True)
class EventLot:
    """Materiel of one model in a stored event."""

    id: str  # IRI of the weapon model
    name: str | None
    role: str | None  # "captured" | "used" | "seized" | "destroyed"
    mentions: tuple[str, ...]  # longest first
    lot: str  # IRI of the lot node itself
    category: str | None = None
    origin: str | None = None  # label of the country of origin
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of the store, a claim of one article or a canonical event.

    Victims are split as the prediction format splits them: named people in ``victims``,
    the others ("13 villagers", a building) in ``unnamed_victims``.
    """

    id: str  # IRI
    type: str  # a code of the SKOS event-type scheme
    dates: EventDates = EventDates()
    place: EventPlace | None = None
    attackers: tuple[Participant, ...] = ()
    targets: tuple[Participant, ...] = ()
    victims: tuple[Participant, ...] = ()
    unnamed_victims: tuple[Participant, ...] = ()
    materiel: tuple[EventLot, ...] = ()
    fatalities: int | None = None
    sources: tuple[SourceRef, ...] = ()  # by document id
    confidence: float | None = None
    parent_id: str | None = None  # the event this one is a sub-event of
    parent_type: str | None = None
    background: bool = False  # an older incident recalled, not the one reported
    muc_excluded: bool = False  # outside MUC-4's scope (see EventClaim.muc_excluded)

    @property
    def doc_ids(self) -> frozenset[str]:
        return frozenset(source.doc_id for source in self.sources)

    def as_prediction(self) -> dict[str, Any]:
        """The event as a record of the prediction format (``shared/eval/FORMAT.md``),
        with the internal keys (those starting with an underscore) the exports leave out."""
        return {
            "id": self.id,
            "type": self.type,
            "parent": self.parent_type,
            "parent_id": self.parent_id,
            "date": _iso(self.dates.value),
            "earliest": _iso(self.dates.earliest),
            "latest": _iso(self.dates.latest),
            "date_origin": self.dates.origin,
            "time_precision": self.dates.precision,
            "confidence": self.confidence,
            "location": None if self.place is None else _place_prediction(self.place),
            "attackers": [_participant_prediction(p) for p in self.attackers],
            "targets": [_participant_prediction(p) for p in self.targets],
            "victims": [_participant_prediction(p) for p in self.victims],
            "unnamed_victims": [_participant_prediction(p) for p in self.unnamed_victims],
            "weapons": [_lot_prediction(lot) for lot in self.materiel],
            "fatalities": self.fatalities,
            "optional": self.background,
            "_muc_excluded": self.muc_excluded,
            "sources": [
                {"doc_id": s.doc_id, "title": s.title, "published": _iso(s.published)}
                for s in self.sources
            ],
        }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _place_prediction(place: EventPlace) -> dict[str, Any]:
    return {
        "name": place.name,
        "country": place.country,
        "admin1": place.admin1,
        "lat": place.lat,
        "lon": place.lon,
        "geonames_id": place.geonames_id,
        "anchor": place.anchor,
        "mentions": list(place.mentions),
        "precision": place.precision,
        "id": place.id,
        "country_code": place.country_code,
    }


def _participant_prediction(participant: Participant) -> dict[str, Any]:
    return {
        "name": participant.name,
        "kind": participant.kind,
        "mentions": list(participant.mentions),
        "id": participant.id,
        "wikidata": participant.wikidata,
        "basis": participant.basis,
    }


def _lot_prediction(lot: EventLot) -> dict[str, Any]:
    return {
        "name": lot.name,
        "kind": "weapon",
        "mentions": list(lot.mentions),
        "category": lot.category,
        "origin": lot.origin,
        "role": lot.role,
        "quantity": lot.quantity,
        "id": lot.id,
        "_lot": lot.lot,
    }
