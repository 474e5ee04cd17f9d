"""GeoJSON of located events, for QGIS and kepler.gl, and how precisely each is located.

One Point feature per event that has coordinates (RFC 7946: longitude first, WGS 84). The
properties are flat strings and numbers, because that is what QGIS's attribute table and
kepler.gl's filters handle: lists (actors, sources) are joined with "; ". Events without
coordinates are not features; ``kg query --named quality`` lists those without a place.

A point is not always where the event happened. The gazetteer gives a country the point of
its capital and a province the point of its seat, so an event the article places only "in El
Salvador" sits on San Salvador. ``location_level`` says which kind of point a feature is:

=========  =================================================================================
exact      the town or village itself (ACLED geo precision 1)
near       a place near a known town, or a stated distance from it (precision 2): the point
           is the town's, or the town's moved by the stated distance and bearing
region     only a province or district is known (precision 3): the point is the area's
country    only the country is known: the point is the country's capital, not the event's
=========  =================================================================================

Maps should draw ``region`` and ``country`` points differently, and distance questions leave
them out (``kg/queries/events-near.rq``) unless asked for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.export.events import collect_events
from kg.store import GraphStore

LOCATION_LEVELS = ("exact", "near", "region", "country")
_AREA_LEVELS = frozenset({"admin1", "admin2"})

# Every place some event or claim is located at, with what tells how precise its point is:
# its own level, whether it is a country, whether it lies near a town (ce:near), and the
# levels of the places it lies in (for places missing from the gazetteer, kept by name).
PLACE_KINDS = """
PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT DISTINCT ?place ?level ?country ?near ?parentLevel ?parentCountry WHERE {
  ?e sem:hasPlace ?place .
  OPTIONAL { ?place ce:placeLevel ?level }
  OPTIONAL { ?place a ce:Country BIND(true AS ?country) }
  OPTIONAL { ?place ce:near ?anchor BIND(true AS ?near) }
  OPTIONAL { ?place ce:locatedIn ?parent .
             OPTIONAL { ?parent ce:placeLevel ?parentLevel }
             OPTIONAL { ?parent a ce:Country BIND(true AS ?parentCountry) } }
}
"""


@dataclass(slots=True)
class PlaceKind:
    """What the graph says of an event's place that bears on where its point lies."""

    level: str | None = None  # country, admin1, admin2, locality, unresolved
    near: bool = False  # lies near a known town (ce:near)
    parents: set[str] = field(default_factory=set)  # levels of the places it lies in


def place_kinds(store: GraphStore) -> dict[str, PlaceKind]:
    """Place IRI -> its :class:`PlaceKind`, for every place an event is located at."""
    kinds: dict[str, PlaceKind] = {}
    for row in store.query(PLACE_KINDS):
        kind = kinds.setdefault(row["place"].value, PlaceKind())
        if row["country"] is not None:
            kind.level = "country"
        elif row["level"] is not None and kind.level is None:
            kind.level = row["level"].value
        if row["near"] is not None:
            kind.near = True
        if row["parentCountry"] is not None:
            kind.parents.add("country")
        elif row["parentLevel"] is not None:
            kind.parents.add(row["parentLevel"].value)
    return kinds


def location_level(precision: int | None, kind: PlaceKind | None = None) -> str | None:
    """``exact``, ``near``, ``region`` or ``country`` (see the module docstring); None when
    neither the precision nor the place tells.

    The place decides first, because a country's point is its capital whatever precision a
    claim carries: a country, or a place missing from the gazetteer that is known only to lie
    in a country, is ``country``; a province or district, or a missing place known only to lie
    in one, is ``region``. Otherwise ACLED's precision code decides (1 exact, 2 near, 3
    region), and without one the place's own level.
    """
    if kind is not None:
        if kind.level == "country":
            return "country"
        if kind.level in _AREA_LEVELS:
            return "region"
        if kind.level == "unresolved" and not kind.near and kind.parents:
            return "country" if kind.parents <= {"country"} else "region"
    if precision in (1, 2, 3):
        return LOCATION_LEVELS[precision - 1]
    if kind is not None:
        if kind.level == "locality":
            return "exact"
        if kind.near:
            return "near"
    return None


def event_location_level(event: dict[str, Any],
                         kinds: Mapping[str, PlaceKind] | None = None) -> str | None:
    """The location level of one event of :func:`kg.export.events.collect_events`."""
    location = event.get("location") or {}
    if not location:
        return None
    kind = (kinds or {}).get(location.get("id") or "")
    return location_level(location.get("precision"), kind)


def _names(parties: list[dict[str, Any]]) -> str:
    return "; ".join(p.get("name") or (p.get("mentions") or [""])[0] for p in parties)


def feature(event: dict[str, Any],
            kinds: Mapping[str, PlaceKind] | None = None) -> dict[str, Any] | None:
    location = event["location"] or {}
    lat, lon = location.get("lat"), location.get("lon")
    if lat is None or lon is None:
        return None
    actors = event["attackers"] + event["targets"] + event["victims"] + event["unnamed_victims"]
    return {
        "type": "Feature",
        "id": event["id"],
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "event_id": event["id"],
            "event_type": event["type"],
            "parent_type": event.get("parent"),
            "date": event["date"],
            "earliest_date": event.get("earliest"),
            "latest_date": event.get("latest"),
            "date_origin": event.get("date_origin"),
            "actor1": _names(event["attackers"]),
            "actor2": _names(event["targets"] + event["victims"] + event["unnamed_victims"]),
            "actors": _names(actors),
            "fatalities": event["fatalities"],
            "weapons": "; ".join(w.get("name") or "" for w in event["weapons"]),
            "location": location.get("name"),
            "admin1": location.get("admin1"),
            "country": location.get("country"),
            "country_code": location.get("country_code"),
            "geonames_id": location.get("geonames_id"),
            "geo_precision": location.get("precision"),
            "location_level": event_location_level(event, kinds),
            "sources": "; ".join(s["doc_id"] for s in event["sources"]),
            "source_count": len(event["sources"]),
        },
    }


def feature_collection(events: list[dict[str, Any]],
                       kinds: Mapping[str, PlaceKind] | None = None) -> dict[str, Any]:
    features = [f for f in (feature(e, kinds) for e in events) if f is not None]
    features.sort(key=lambda f: (f["properties"]["date"] or "", f["id"]))
    return {"type": "FeatureCollection", "features": features}


def write_geojson(store: GraphStore, output: Path, *, claims: bool = False) -> int:
    collection = feature_collection(collect_events(store, claims=claims), place_kinds(store))
    output.write_text(json.dumps(collection, indent=1, ensure_ascii=False), encoding="utf-8")
    return len(collection["features"])
