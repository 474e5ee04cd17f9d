"""GeoJSON of located events, for QGIS and kepler.gl.

One Point feature per event that has coordinates (RFC 7946: longitude first, WGS 84). The
properties are flat strings and numbers, because that is what QGIS's attribute table and
kepler.gl's filters handle: lists (actors, sources) are joined with "; ". Events without
coordinates are not features; ``kg query --named quality`` lists those without a place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.export.events import collect_events
from kg.store import GraphStore


def _names(parties: list[dict[str, Any]]) -> str:
    return "; ".join(p.get("name") or (p.get("mentions") or [""])[0] for p in parties)


def feature(event: dict[str, Any]) -> dict[str, Any] | None:
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
            "sources": "; ".join(s["doc_id"] for s in event["sources"]),
            "source_count": len(event["sources"]),
        },
    }


def feature_collection(events: list[dict[str, Any]]) -> dict[str, Any]:
    features = [f for f in (feature(e) for e in events) if f is not None]
    features.sort(key=lambda f: (f["properties"]["date"] or "", f["id"]))
    return {"type": "FeatureCollection", "features": features}


def write_geojson(store: GraphStore, output: Path, *, claims: bool = False) -> int:
    collection = feature_collection(collect_events(store, claims=claims))
    output.write_text(json.dumps(collection, indent=1, ensure_ascii=False), encoding="utf-8")
    return len(collection["features"])
