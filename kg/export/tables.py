"""A flat CSV of events with ACLED-like columns, for spreadsheets, pandas and R.

One row per event (canonical events when the store has them, per-article claims otherwise),
with the columns an ACLED user expects and the same meaning where the two overlap:

* ``event_type`` / ``sub_event_type`` are ACLED's names, reached through the SKOS mappings of
  the event-type scheme in the store's ontology graph (the ACLED event type is the broader
  concept of the sub-event type). A type with no ACLED counterpart (the capture of materiel)
  leaves both empty; ``kg_event_type`` always holds this project's code.
* ``actor1`` is the first attacker (capturer), ``assoc_actor_1`` the others; ``actor2`` the
  first target, victim or side that lost materiel, ``assoc_actor_2`` the others. Physical
  targets are not actors (ACLED codes them in the notes), so they are left out.
* ``geo_precision`` and ``time_precision`` are ACLED's 1-3 codes when the graph has them;
  ``fatalities`` is empty when no source gives a number (ACLED would write 0).
* ``notes`` holds the evidence sentences, each after the id of the article it comes from.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from kg.export.events import collect_events
from kg.store import GraphStore

COLUMNS = (
    "event_id", "event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
    "actor2", "assoc_actor_2", "country", "admin1", "admin2", "location", "latitude",
    "longitude", "geo_precision", "time_precision", "fatalities", "sources", "source_count",
    "notes", "kg_event_type",
)

_PREFIXES = """
PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
"""

ACLED_TYPES = _PREFIXES + """
SELECT DISTINCT ?code ?sub ?parent WHERE {
  ?t skos:exactMatch|skos:closeMatch|skos:broadMatch ?m .
  FILTER(STRSTARTS(STR(?t), "https://w3id.org/conflict-kg/event-type/"))
  ?m skos:inScheme <https://w3id.org/conflict-kg/acled/> ; skos:prefLabel ?sub .
  OPTIONAL { ?m skos:broader ?b . ?b skos:inScheme <https://w3id.org/conflict-kg/acled/> ;
                                      skos:prefLabel ?parent }
  BIND(STRAFTER(STR(?t), "/event-type/") AS ?code)
}
"""

ADMIN2 = _PREFIXES + """
SELECT DISTINCT ?place ?admin2 WHERE {
  ?e sem:hasPlace ?place .
  ?place (ce:locatedIn|ce:near)* ?area .
  ?area ce:placeLevel "admin2" ; rdfs:label ?admin2 .
}
"""

TIME_PRECISION = _PREFIXES + """
SELECT DISTINCT ?e ?own ?claimed WHERE {
  { ?e ce:timePrecision ?own } UNION { ?e ce:claim/ce:timePrecision ?claimed }
}
"""

EVIDENCE = _PREFIXES + """
SELECT DISTINCT ?e ?doc ?start ?sentence WHERE {
  { ?e ce:evidence ?ev } UNION { ?e ce:claim/ce:evidence ?ev }
  ?ev ce:sentence ?sentence ; ce:charStart ?start ; prov:wasQuotedFrom/ce:docId ?doc .
}
"""


def _value(term: Any) -> Any:
    return None if term is None else term.value


def acled_types(store: GraphStore) -> dict[str, tuple[str, str | None]]:
    """Project code -> (ACLED event type, ACLED sub-event type or None)."""
    found: dict[str, tuple[str, str | None]] = {}
    for row in store.query(ACLED_TYPES):
        code, sub, parent = _value(row["code"]), _value(row["sub"]), _value(row["parent"])
        found[code] = (parent, sub) if parent else (sub, None)
    return found


def _extras(store: GraphStore) -> tuple[dict[str, str], dict[str, int], dict[str, str]]:
    admin2: dict[str, str] = {}
    for row in store.query(ADMIN2):
        place = _value(row["place"])
        admin2[place] = min(admin2.get(place, _value(row["admin2"])), _value(row["admin2"]))
    precision: dict[str, int] = {}
    own: set[str] = set()
    for row in store.query(TIME_PRECISION):
        event = _value(row["e"])
        if row["own"] is not None:
            value = int(_value(row["own"]))
            precision[event] = value if event not in own else min(value, precision[event])
            own.add(event)
        elif event not in own:
            value = int(_value(row["claimed"]))
            precision[event] = min(value, precision.get(event, value))
    sentences: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for row in store.query(EVIDENCE):
        sentences[_value(row["e"])].append(
            (_value(row["doc"]), int(_value(row["start"])), _value(row["sentence"])))
    notes = {}
    for event, found in sentences.items():
        by_doc: dict[str, list[str]] = defaultdict(list)
        for doc, _, sentence in sorted(set(found)):
            by_doc[doc].append(" ".join(sentence.split()))
        notes[event] = " | ".join(f"[{doc}] " + " ".join(text) for doc, text in by_doc.items())
    return admin2, precision, notes


def _name(party: dict[str, Any]) -> str:
    return party.get("name") or (party.get("mentions") or [""])[0]


def rows(store: GraphStore, *, claims: bool = False) -> list[dict[str, Any]]:
    events = collect_events(store, claims=claims)
    types = acled_types(store)
    admin2, precision, notes = _extras(store)
    table = []
    for event in events:
        location = event["location"] or {}
        first = [p for p in event["attackers"] if p.get("kind") != "object"]
        second = [p for f in ("targets", "victims", "unnamed_victims") for p in event[f]
                  if p.get("kind") != "object"]
        acled_type, acled_sub = types.get(event["type"], (None, None))
        table.append({
            "event_id": event["id"],
            "event_date": event["date"] or "",
            "event_type": acled_type or "",
            "sub_event_type": acled_sub or "",
            "actor1": _name(first[0]) if first else "",
            "assoc_actor_1": "; ".join(_name(p) for p in first[1:]),
            "actor2": _name(second[0]) if second else "",
            "assoc_actor_2": "; ".join(_name(p) for p in second[1:]),
            "country": location.get("country") or "",
            "admin1": location.get("admin1") or "",
            "admin2": admin2.get(location.get("id") or "", ""),
            "location": location.get("name") or "",
            "latitude": "" if location.get("lat") is None else f"{location['lat']:.5f}",
            "longitude": "" if location.get("lon") is None else f"{location['lon']:.5f}",
            "geo_precision": "" if location.get("precision") is None else location["precision"],
            "time_precision": precision.get(event["id"], ""),
            "fatalities": "" if event["fatalities"] is None else event["fatalities"],
            "sources": "; ".join(s["doc_id"] for s in event["sources"]),
            "source_count": len(event["sources"]),
            "notes": notes.get(event["id"], ""),
            "kg_event_type": event["type"],
        })
    table.sort(key=lambda r: (r["event_date"], r["event_id"]))
    return table


def write_csv(store: GraphStore, output: Path, *, claims: bool = False) -> int:
    table = rows(store, claims=claims)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(table)
    return len(table)
