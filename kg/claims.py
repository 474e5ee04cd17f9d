"""Events and claims read back from the store as records, for the merge and the exports.

The cross-article merge (:mod:`kg.merge`) and the event exports (:mod:`kg.export`) read the
same thing: each event of the store, canonical or per-article claim, as one typed record
(:class:`kg.records.StoredEvent`: its type, dates, place with country and first-order region,
participants by role, materiel, fatalities and source articles). It is read here once, with
SPARQL, so that the merge does not depend on the exports and the exports do not depend on the
merge; the exports write it in the prediction format of ``shared/eval/FORMAT.md``
(:meth:`~kg.records.StoredEvent.as_prediction`).

:func:`read_events` reads every event of one kind (:func:`collect_events`: as records of the
prediction format); :func:`collect_claims` reads claims as the merge needs them, the whole
store or only the claims asked for (queries bound to their identifiers, whose cost follows
the claims asked for), with the same records either way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.rdf.iris import CANONICAL_GRAPH
from kg.rdf.namespace import CE
from kg.records import EventDates, EventLot, EventPlace, Participant, SourceRef, StoredEvent
from kg.store import GraphStore

PREFIXES = """
PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

EVENTS = (
    PREFIXES
    + """
SELECT ?e ?type ?date ?earliest ?latest ?origin ?tprec ?conf ?fat ?prec ?parent ?parentType ?place
       ?cc ?bg ?muc
WHERE {
  ?e a ?class ; ce:eventType ?t .
  BIND(STRAFTER(STR(?t), "/event-type/") AS ?type)
  OPTIONAL { ?e ce:date ?date }
  OPTIONAL { ?e ce:earliestDate ?earliest }
  OPTIONAL { ?e ce:latestDate ?latest }
  OPTIONAL { ?e ce:dateOrigin ?o BIND(STRAFTER(STR(?o), "#") AS ?origin) }
  OPTIONAL { ?e ce:confidence ?conf }
  OPTIONAL { ?e ce:timePrecision ?tprec }
  OPTIONAL { ?e sem:hasPlace/ce:countryCode ?cc }
  OPTIONAL { ?e ce:fatalities ?fat }
  OPTIONAL { ?e ce:background ?bg }
  OPTIONAL { ?e ce:mucExcluded ?muc }
  OPTIONAL { ?e ce:geoPrecision ?prec }
  OPTIONAL { ?e sem:hasPlace ?place }
  OPTIONAL { ?e ce:subEventOf ?parent . ?parent ce:eventType ?pt .
             BIND(STRAFTER(STR(?pt), "/event-type/") AS ?parentType) }
} ORDER BY ?e
"""
)

SOURCES = (
    PREFIXES
    + """
SELECT ?e ?doc ?title ?published WHERE {
  ?e a ?class ; ce:sourceArticle ?a . ?a ce:docId ?doc .
  OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a schema:datePublished ?published }
}
"""
)

PARTICIPANTS = (
    PREFIXES
    + """
SELECT ?e ?part ?role ?kind ?actor ?name ?wd ?mention ?basis WHERE {
  ?e a ?class ; ce:participation ?part .
  ?part ce:role ?r ; ce:actorKind ?kind ; rdf:value ?actor ; ce:mention ?mention .
  OPTIONAL { ?part ce:attributionBasis ?basis }
  BIND(STRAFTER(STR(?r), "#") AS ?role)
  OPTIONAL { ?actor rdfs:label ?name }
  OPTIONAL { ?actor skos:exactMatch ?wd
             FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/")) }
}
"""
)

MATERIEL = (
    PREFIXES
    + """
SELECT ?e ?lot ?model ?name ?category ?origin ?role ?qty ?mention WHERE {
  ?e a ?class ; ce:materiel ?lot .
  ?lot ce:weaponModel ?model ; ce:materielRole ?r ; ce:mention ?mention .
  BIND(LCASE(STRAFTER(STR(?r), "#")) AS ?role)
  OPTIONAL { ?model rdfs:label ?name }
  OPTIONAL { ?model ce:weaponCategory ?c BIND(STRAFTER(STR(?c), "/weapon-category/") AS ?category) }
  OPTIONAL { ?lot ce:originCountry/rdfs:label ?origin }
  OPTIONAL { ?lot ce:quantity ?qty }
}
"""
)

PLACE_MENTIONS = PREFIXES + "SELECT ?e ?m WHERE { ?e a ?class ; ce:placeMention ?m }"

PLACES = (
    PREFIXES
    + """
SELECT DISTINCT ?place ?name ?wkt ?gn ?cc WHERE {
  ?e a ?class ; sem:hasPlace ?place .
  ?place rdfs:label ?name .
  OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
  OPTIONAL { ?place ce:geonamesId ?gn }
  OPTIONAL { ?place ce:countryCode ?cc }
}
"""
)

# The place hierarchy, read flat and walked in Python: a property path such as
# ce:locatedIn* inside OPTIONAL is evaluated from its unbound end by the store, which took
# minutes on a corpus-sized graph where this takes milliseconds.
PLACE_LINKS = (
    PREFIXES
    + """
SELECT ?from ?link ?to WHERE {
  VALUES ?link { ce:locatedIn ce:near }
  ?from ?link ?to .
}
"""
)

PLACE_NODES = (
    PREFIXES
    + """
SELECT ?node ?label ?level ?country ?cc ?gn WHERE {
  ?node rdfs:label ?label .
  { ?node ce:placeLevel ?level } UNION { ?node a ce:Country BIND(true AS ?country)
    OPTIONAL { ?node ce:countryCode ?cc } }
  OPTIONAL { ?node ce:geonamesId ?gn }
}
"""
)

# A claim's date as its article states it: the canonical graph adds an inherited date to
# undated claims, which the merge must not read back as their own.
CLAIM_DATES = (
    PREFIXES
    + f"""
SELECT ?e ?date ?origin WHERE {{
  GRAPH ?g {{ ?e a ?class .
    {{ ?e ce:date ?date }}
    UNION {{ ?e ce:dateOrigin ?o BIND(STRAFTER(STR(?o), "#") AS ?origin) }} }}
  FILTER (?g != <{CANONICAL_GRAPH}>)
}}
"""
)

_ROLE_FIELD = {
    "AttackerRole": "attackers",
    "CapturerRole": "attackers",
    "TargetRole": "targets",
    "CapturedFromRole": "targets",
    "VictimRole": "victims",
}


def _value(term: Any) -> Any:
    return None if term is None else term.value


def _rows(
    store: GraphStore,
    query: str,
    event_class: str,
    ids: list[str] | None = None,
    stable: bool = False,
):
    # the class is one of two constants of this module, never user input
    query = query.replace("?class", f"<{event_class}>")
    if ids is None:
        rows = store.query(query)
    else:
        rows = [row for part in _chunks(ids) for row in store.query(_only(query, "e", part))]
    return _stable(rows) if stable else rows


def _stable(rows: Iterable[Any]) -> list[Any]:
    """Rows in an order that does not depend on how the store found them: where a node has
    several values (two labels, two points), the one the first row holds is then the same
    whether the whole store was read or only some claims."""
    return sorted(rows, key=lambda row: tuple("" if t is None else str(t) for t in row))


IDS_PER_QUERY = 128
"""IRIs listed in one query's VALUES: Oxigraph's time for a VALUES joined with OPTIONALs
grows faster than the list (300 claims 15 ms, 1,900 claims 330 ms), so long lists are cut."""


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + IDS_PER_QUERY] for i in range(0, len(ids), IDS_PER_QUERY)]


def _only(query: str, var: str, iris: list[str]) -> str:
    """``query`` with ``?var`` bound to ``iris`` (a VALUES block first in its WHERE)."""
    listed = " ".join(f"<{iri}>" for iri in iris)
    return query.replace("WHERE {", f"WHERE {{ VALUES ?{var} {{ {listed} }}", 1)


def _point(wkt: str | None) -> tuple[float | None, float | None]:
    if not wkt or not wkt.startswith("POINT("):
        return None, None
    lon, lat = wkt[6:-1].split()
    return float(lat), float(lon)


def collect_events(store: GraphStore, *, claims: bool = False) -> list[dict[str, Any]]:
    """Every canonical event of the store (its claims when it has none, or with ``claims``),
    as records of the prediction format."""
    return [event.as_prediction() for event in read_events(store, claims=claims)]


def read_events(store: GraphStore, *, claims: bool = False) -> list[StoredEvent]:
    """Every canonical event of the store (its claims when it has none, or with ``claims``)."""
    has_canonical = not claims and bool(store.query(f"ASK {{ ?e a <{CE.CanonicalEvent}> }}"))
    event_class = str(CE.CanonicalEvent if has_canonical else CE.EventClaim)
    return [draft.freeze() for draft in _collect(store, event_class).values()]


def collect_claims(store: GraphStore, ids: Iterable[str] | None = None) -> list[StoredEvent]:
    """The claims of the store, or the claims ``ids``, as the cross-article merge reads them:
    the records of :func:`read_events` with ``claims=True``, with two differences.

    - A claim reads as its article states it: the inherited date the canonical graph states
      on an undated claim is left out.
    - Where a node has several values (a village with two spellings of its name, a point
      given twice), the value taken does not depend on the order the store returns rows in.

    So the claims ``ids``, read with queries bound to them (their cost follows the claims
    asked for, not the store), give the same records as the whole store read at once.
    """
    wanted = None if ids is None else sorted(set(ids))
    if wanted == []:
        return []
    events = _collect(store, str(CE.EventClaim), wanted, stable=True)
    stated: dict[str, dict[str, Any]] = {}
    for row in _rows(store, CLAIM_DATES, str(CE.EventClaim), wanted, stable=True):
        found = stated.setdefault(_value(row["e"]), {})
        for name in ("date", "origin"):
            if row[name] is not None:
                found[name] = _value(row[name])
    out = []
    for key, draft in events.items():
        own = stated.get(key, {})
        draft.date, draft.origin = _date(own.get("date")), own.get("origin")
        out.append(draft.freeze())
    return out


_ROLES = ("attackers", "targets", "victims", "unnamed_victims")


@dataclass(slots=True)
class _Draft:
    """A :class:`StoredEvent` while its rows are read (the lists grow, then are frozen)."""

    id: str
    type: str
    date: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    origin: str | None
    time_precision: int | None
    confidence: float | None
    place: dict[str, Any] | None
    fatalities: int | None
    parent_id: str | None
    parent_type: str | None
    background: bool
    muc_excluded: bool
    place_mentions: set[str] = field(default_factory=set)
    sources: list[SourceRef] = field(default_factory=list)
    roles: dict[str, list[tuple[dict[str, Any], set[str]]]] = field(
        default_factory=lambda: {role: [] for role in _ROLES}
    )
    lots: list[tuple[dict[str, Any], set[str]]] = field(default_factory=list)

    def freeze(self) -> StoredEvent:
        """The record, its lists sorted so that the same graph always gives the same file."""
        parties = {
            role: tuple(
                sorted(
                    (Participant(**entry, mentions=_longest_first(m)) for entry, m in listed),
                    key=lambda p: (p.name or "", p.mentions),
                )
            )
            for role, listed in self.roles.items()
        }
        place = None
        if self.place is not None:
            place = EventPlace(**self.place, mentions=tuple(sorted(self.place_mentions)))
        return StoredEvent(
            id=self.id,
            type=self.type,
            dates=EventDates(
                self.date, self.earliest, self.latest, self.origin, self.time_precision
            ),
            place=place,
            attackers=parties["attackers"],
            targets=parties["targets"],
            victims=parties["victims"],
            unnamed_victims=parties["unnamed_victims"],
            materiel=tuple(
                sorted(
                    (EventLot(**entry, mentions=_longest_first(m)) for entry, m in self.lots),
                    key=lambda lot: (lot.name or "", lot.mentions),
                )
            ),
            fatalities=self.fatalities,
            sources=tuple(sorted(self.sources, key=lambda s: s.doc_id)),
            confidence=self.confidence,
            parent_id=self.parent_id,
            parent_type=self.parent_type,
            background=self.background,
            muc_excluded=self.muc_excluded,
        )


def _longest_first(mentions: set[str]) -> tuple[str, ...]:
    return tuple(sorted(mentions, key=lambda m: (-len(m), m)))


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _int(term: Any) -> int | None:
    return None if term is None else int(term.value)


def _collect(
    store: GraphStore, event_class: str, ids: list[str] | None = None, stable: bool = False
) -> dict[str, _Draft]:
    places = _places(store, event_class, ids, stable)
    events: dict[str, _Draft] = {}
    for row in _rows(store, EVENTS, event_class, ids, stable):
        key = _value(row["e"])
        place = places.get(_value(row["place"]) or "")
        location = None
        if place is not None:
            location = {
                **place,
                "precision": _int(row["prec"]),
                "id": _value(row["place"]),
                "country_code": _value(row["cc"]),
            }
        events[key] = _Draft(
            id=key,
            type=_value(row["type"]),
            date=_date(_value(row["date"])),
            earliest=_date(_value(row["earliest"])),
            latest=_date(_value(row["latest"])),
            origin=_value(row["origin"]),
            time_precision=_int(row["tprec"]),
            confidence=float(_value(row["conf"])) if row["conf"] is not None else None,
            place=location,
            fatalities=_int(row["fat"]),
            parent_id=_value(row["parent"]),
            parent_type=_value(row["parentType"]),
            background=_value(row["bg"]) == "true",
            muc_excluded=_value(row["muc"]) == "true",
        )
    for row in _rows(store, SOURCES, event_class, ids, stable):
        event = events.get(_value(row["e"]))
        if event is not None:
            event.sources.append(
                SourceRef(_value(row["doc"]), _value(row["title"]), _date(_value(row["published"])))
            )
    for row in _rows(store, PLACE_MENTIONS, event_class, ids, stable):
        event = events.get(_value(row["e"]))
        if event is not None and event.place is not None:
            event.place_mentions.add(_value(row["m"]))
    def participant(event: _Draft, row: Any, mentions: set[str]) -> None:
        kind = _value(row["kind"])
        role = _ROLE_FIELD[_value(row["role"])]
        if role == "victims" and kind != "person":
            role = "unnamed_victims"
        actor = _value(row["actor"])
        entry = {
            "name": _value(row["name"]),
            "kind": kind,
            "id": actor if "/actor/" in actor else None,
            "wikidata": (_value(row["wd"]) or "").rsplit("/", 1)[-1] or None,
            "basis": _value(row["basis"]),
        }
        event.roles[role].append((entry, mentions))

    def lot(event: _Draft, row: Any, mentions: set[str]) -> None:
        entry = {
            "name": _value(row["name"]),
            "category": _value(row["category"]),
            "origin": _value(row["origin"]),
            "role": _value(row["role"]),
            "quantity": _int(row["qty"]),
            "id": _value(row["model"]),
            "lot": _value(row["lot"]),
        }
        event.lots.append((entry, mentions))

    _gather(_rows(store, PARTICIPANTS, event_class, ids, stable), events, "part", participant)
    _gather(_rows(store, MATERIEL, event_class, ids, stable), events, "lot", lot)
    return events


def _gather(
    rows: Iterable[Any],
    events: dict[str, _Draft],
    node: str,
    add: Callable[[_Draft, Any, set[str]], None],
) -> None:
    """Rows of (event, node, mention, ...): each node of an event added once (``add`` gets
    its first row and the set its mentions are collected in), every mention kept."""
    seen: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        event = events.get(_value(row["e"]))
        if event is None:
            continue
        key = (event.id, _value(row[node]))
        mentions = seen.get(key)
        if mentions is None:
            mentions = seen[key] = set()
            add(event, row, mentions)
        mentions.add(_value(row["mention"]))


def _places(
    store: GraphStore, event_class: str, ids: list[str] | None = None, stable: bool = False
) -> dict[str, dict[str, Any]]:
    """Each place of the events, with its country and first-order region found upwards."""
    place_rows = list(_rows(store, PLACES, event_class, ids, stable))
    if ids is None:
        link_rows, node_rows = store.query(PLACE_LINKS), store.query(PLACE_NODES)
        if stable:
            link_rows, node_rows = _stable(link_rows), _stable(node_rows)
    else:
        link_rows, node_rows = _places_above(
            store,
            {row["place"].value for row in place_rows},
            {row["cc"].value for row in place_rows if row["cc"] is not None},
        )
    links: dict[str, list[tuple[str, str]]] = {}
    for row in link_rows:
        links.setdefault(row["from"].value, []).append((row["link"].value, row["to"].value))
    label: dict[str, str] = {}
    level: dict[str, str] = {}
    countries: dict[str, str] = {}  # node -> label
    country_by_code: dict[str, str] = {}
    geonames: dict[str, str] = {}
    for row in node_rows:
        node = row["node"].value
        label.setdefault(node, row["label"].value)
        if row["level"] is not None:
            level[node] = row["level"].value
        if row["country"] is not None:
            countries[node] = row["label"].value
            if row["cc"] is not None:
                country_by_code.setdefault(row["cc"].value, row["label"].value)
        if row["gn"] is not None:
            geonames[node] = row["gn"].value
    near = str(CE.near)

    def upwards(start: str, *, follow_near: bool) -> list[str]:
        """Breadth-first over locatedIn (and near), the start first, nearest first."""
        seen, order, queue = {start}, [start], [start]
        while queue:
            node = queue.pop(0)
            for link, target in sorted(links.get(node, ())):
                if (link == near and not follow_near) or target in seen:
                    continue
                seen.add(target)
                order.append(target)
                queue.append(target)
        return order

    out: dict[str, dict[str, Any]] = {}
    for row in place_rows:
        key = row["place"].value
        if key in out:
            continue
        lat, lon = _point(_value(row["wkt"]))
        country = next(
            (countries[n] for n in upwards(key, follow_near=False) if n in countries), None
        ) or country_by_code.get(_value(row["cc"]) or "")
        admin1 = next(
            (label[n] for n in upwards(key, follow_near=True) if level.get(n) == "admin1"), None
        )
        anchor = next((t for link, t in sorted(links.get(key, ())) if link == near), None)
        geonames_id = _value(row["gn"]) or geonames.get(anchor or "")
        out[key] = {
            "name": _value(row["name"]),
            "country": country,
            "admin1": admin1,
            "lat": lat,
            "lon": lon,
            "geonames_id": int(geonames_id or 0) or None,
            "anchor": anchor,
        }
    return out


def _places_above(
    store: GraphStore, places: set[str], codes: set[str]
) -> tuple[list[Any], list[Any]]:
    """The rows of PLACE_LINKS and PLACE_NODES for ``places``, the places above them and the
    countries of the country ``codes``, found a level at a time, not over the whole store."""
    link_rows: list[Any] = []
    seen, level = set(places), sorted(places)
    while level:
        found = [
            row for ids in _chunks(level) for row in store.query(_only(PLACE_LINKS, "from", ids))
        ]
        link_rows.extend(found)
        level = sorted({row["to"].value for row in found} - seen)
        seen.update(level)
    if codes:
        listed = " ".join(json.dumps(code) for code in sorted(codes))
        rows = store.query(
            f"{PREFIXES} SELECT DISTINCT ?node WHERE {{ VALUES ?cc {{ {listed} }} "
            "?node ce:countryCode ?cc ; a ce:Country }"
        )
        seen.update(row["node"].value for row in rows)
    node_rows = [
        row for ids in _chunks(sorted(seen)) for row in store.query(_only(PLACE_NODES, "node", ids))
    ]
    return _stable(link_rows), _stable(node_rows)
