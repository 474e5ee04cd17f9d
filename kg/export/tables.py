"""A flat CSV of events in ACLED's export layout, for spreadsheets, pandas, R and QGIS.

One row per event (canonical events when the store has them, per-article claims otherwise).
The first 31 columns are ACLED's export columns in ACLED's order (:data:`ACLED_COLUMNS`), so
code written for an ACLED download reads the file; the columns after them start with ``kg_``
and link each row back to the graph. ``docs/acled-columns.md`` documents every column: what
ACLED means by it, what this project writes, and when it stays empty. In short:

* ``event_type`` / ``sub_event_type`` are ACLED's names, reached through the SKOS mappings
  of the event-type scheme in the store's ontology graph; a bombing of no stated kind is a
  ``Remote explosive/landmine/IED`` (ACLED's sub-event for a bomb set off by other means than
  a suicide bomber, a grenade, an air strike or shelling). ``disorder_type`` follows from the
  two by ACLED's own grouping (:data:`DISORDER_BY_EVENT_TYPE`).
* ``actor1`` is the first attacker (capturer), ``assoc_actor_1`` the others; ``actor2`` the
  first target, victim or side that lost materiel, ``assoc_actor_2`` the others. Physical
  targets are not actors (ACLED puts them in the notes), so they are left out.
* ``inter1`` / ``inter2`` / ``interaction`` are ACLED's actor categories in words, as ACLED's
  API returns them by default ("State forces", "Rebel group", ..., "State forces-Civilians",
  "Rebel group only"), from the ACLED actor type of a linked actor or from the words that name
  an unnamed party ("five soldiers" are state forces, "three peasants" civilians); a party
  whose category nothing tells leaves them empty.
* ``fatalities`` is empty when no source gives a number (ACLED would write 0); ``source_scale``
  and ``tags`` are always empty, because nothing in the graph says them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from kg.export.events import collect_events
from kg.export.geo import event_location_level, place_kinds
from kg.reference import fold
from kg.resources import data_file
from kg.store import GraphStore

# ACLED's export columns, in ACLED's order.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
# This project's columns: the event in the graph, its own type code, how precisely the point
# locates it (kg/export/geo.py), and the articles behind it.
KG_COLUMNS = ("kg_event_id", "kg_event_type", "kg_location_level", "kg_sources",
              "kg_source_count")
COLUMNS = ACLED_COLUMNS + KG_COLUMNS

POLITICAL_VIOLENCE = "Political violence"
DEMONSTRATIONS = "Demonstrations"
STRATEGIC_DEVELOPMENTS = "Strategic developments"
# ACLED's disorder type of each event type, and the sub-event types that differ from their
# event type (ACLED's own table, acledR's ``acled_event_categories``): mob violence is
# political violence though riots are demonstrations; excessive force against protesters
# is both.
DISORDER_BY_EVENT_TYPE = {
    "Battles": POLITICAL_VIOLENCE,
    "Explosions/Remote violence": POLITICAL_VIOLENCE,
    "Violence against civilians": POLITICAL_VIOLENCE,
    "Protests": DEMONSTRATIONS,
    "Riots": DEMONSTRATIONS,
    "Strategic developments": STRATEGIC_DEVELOPMENTS,
}
DISORDER_BY_SUB_EVENT_TYPE = {
    "Mob violence": POLITICAL_VIOLENCE,
    "Excessive force against protesters": f"{POLITICAL_VIOLENCE}; {DEMONSTRATIONS}",
}
# A project code mapped to an ACLED event type but to no single sub-event type, and the
# sub-event ACLED coders choose when nothing more is said: a bomb of no stated kind.
DEFAULT_SUB_EVENT_TYPE = {"bombing": "Remote explosive/landmine/IED"}

# ACLED's actor categories (the ``type`` slugs of data/actors/actors.csv) with ACLED's
# numeric code, which orders the two sides of an interaction, and ACLED's words for them.
ACTOR_CATEGORIES = {
    "state-forces": (1, "State forces"),
    "rebel-group": (2, "Rebel group"),
    "political-militia": (3, "Political militia"),
    "identity-militia": (4, "Identity militia"),
    "rioters": (5, "Rioters"),
    "protesters": (6, "Protesters"),
    "civilians": (7, "Civilians"),
    "external-forces": (8, "External/Other forces"),
}
CIVILIAN_TARGETING = "Civilian targeting"

def _words(text: str) -> frozenset[str]:
    """A word list written as text, one word after another."""
    return frozenset(text.split())


# Words that name an unnamed party's category ("two policemen", "a group of gunmen").
_STATE_WORDS = _words("""
army soldier soldiers troop troops trooper troopers military servicemen serviceman police
policeman policemen policewoman policewomen gendarme gendarmes gendarmerie guardsman
guardsmen paratrooper paratroopers marine marines sailors airmen
""")
_ARMED_WORDS = _words("""
gunman gunmen guerrilla guerrillas guerrilleros rebel rebels militant militants insurgent
insurgents fighter fighters terrorist terrorists militia militias militiaman militiamen
jihadist jihadists combatant combatants assailant assailants attacker attackers bandit
bandits subversive subversives kidnapper kidnappers hitman hitmen extremist extremists
commando commandos
""")

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
} ORDER BY ?code ?sub
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

ACTOR_TYPES = _PREFIXES + """
SELECT ?actor ?type WHERE {
  ?actor ce:actorType ?t BIND(STRAFTER(STR(?t), "/actor-type/") AS ?type)
}
"""

OUTLETS = _PREFIXES + """
SELECT DISTINCT ?doc ?outlet WHERE { ?article ce:docId ?doc ; ce:sourceName ?outlet }
"""


@dataclass(frozen=True, slots=True)
class AcledCountry:
    """A country as ACLED names and groups it."""

    alpha2: str
    name: str  # ACLED's name ("Democratic Republic of Congo", "Ivory Coast")
    region: str  # ACLED's region ("Middle Africa")


@cache
def acled_countries() -> dict[str, AcledCountry]:
    """ISO alpha-2 code -> ACLED's name and region, from ``data/countries/acled_regions.csv``."""
    text = data_file("countries/acled_regions.csv").read_text(encoding="utf-8")
    return {row["alpha2"]: AcledCountry(row["alpha2"], row["acled_country"], row["acled_region"])
            for row in csv.DictReader(io.StringIO(text))}


@cache
def iso_codes(alpha2: str) -> tuple[str, int | None]:
    """(ISO 3166-1 alpha-3, numeric) of a country; Kosovo, which has neither, gets XKX (the
    code ACLED and others use) and no number."""
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return ("XKX" if alpha2 == "XK" else ""), None
    return country.alpha_3, int(country.numeric)


def _value(term: Any) -> Any:
    return None if term is None else term.value


def acled_types(store: GraphStore) -> dict[str, tuple[str, str | None]]:
    """Project code -> (ACLED event type, ACLED sub-event type or None).

    An exact mapping wins over a close or broad one, and a sub-event type over an event type
    alone, so a code with several mappings always gives the same answer."""
    found: dict[str, tuple[str, str | None]] = {}
    for row in store.query(ACLED_TYPES):
        code, sub, parent = _value(row["code"]), _value(row["sub"]), _value(row["parent"])
        pair = (parent, sub) if parent else (sub, None)
        if code not in found or (found[code][1] is None and pair[1] is not None):
            found[code] = pair
    for code, sub in DEFAULT_SUB_EVENT_TYPE.items():
        if code in found and found[code][1] is None:
            found[code] = (found[code][0], sub)
    return found


def disorder_type(event_type: str | None, sub_event_type: str | None) -> str:
    """ACLED's disorder type of an ACLED event and sub-event type ('' when not ACLED's)."""
    if sub_event_type in DISORDER_BY_SUB_EVENT_TYPE:
        return DISORDER_BY_SUB_EVENT_TYPE[sub_event_type]
    return DISORDER_BY_EVENT_TYPE.get(event_type or "", "")


def party_category(party: dict[str, Any], actor_types: dict[str, str], *,
                   acting: bool) -> str | None:
    """The ACLED actor category (an :data:`ACTOR_CATEGORIES` key) of one party, or None.

    A linked actor has the type of the reference table. An unnamed party is read from its
    words: soldiers and police are state forces; gunmen, guerrillas and the like are what ACLED
    codes an unidentified armed group as, a political militia; anyone else unnamed who acts
    is one too, and anyone else unnamed who is harmed is a civilian, as is a named person
    harmed. A named group or person the graph cannot place has no category.
    """
    if party.get("id") in actor_types:
        return actor_types[party["id"]]
    kind = party.get("kind")
    if kind == "group":
        text = fold(" ".join([party.get("name") or "", *(party.get("mentions") or [])]))
        words = set(text.split())
        if words & _STATE_WORDS or "security forces" in text:
            return "state-forces"
        if acting or words & _ARMED_WORDS:
            return "political-militia"
        return "civilians"
    if kind == "person" and not acting:
        return "civilians"
    return None


def interaction(first: str | None, second: str | None, has_second: bool) -> str:
    """ACLED's interaction in words: the two categories, the lower ACLED code first, joined by
    a hyphen ("State forces-Civilians"), or "X only" when the event has no second actor."""
    if first is None:
        return ""
    if not has_second:
        return f"{ACTOR_CATEGORIES[first][1]} only"
    if second is None:
        return ""
    pair = sorted((ACTOR_CATEGORIES[first], ACTOR_CATEGORIES[second]))
    return f"{pair[0][1]}-{pair[1][1]}"


def civilian_targeting(disorder: str, event_type: str, categories: Iterable[str | None]) -> str:
    """"Civilian targeting" when civilians are the only actors acted upon in political
    violence other than a battle (ACLED: civilians were the main or only target)."""
    found = list(categories)
    if (POLITICAL_VIOLENCE in disorder and event_type != "Battles" and found
            and all(c == "civilians" for c in found)):
        return CIVILIAN_TARGETING
    return ""


def event_id_cnty(event_id: str, alpha3: str) -> str:
    """ACLED-style identifier: the country's alpha-3 code and a number unique to the event.

    The number is read from the event's identifier (a canonical event's IRI ends in a hash;
    a claim's is hashed here), so the same event always gets the same id."""
    tail = event_id.rsplit("/", 1)[-1]
    digest = tail if re.fullmatch(r"[0-9a-f]{16}", tail) else hashlib.sha1(
        event_id.encode()).hexdigest()[:16]
    return f"{alpha3 or 'XXX'}{int(digest, 16)}"


def last_build_seconds(store: GraphStore) -> int | None:
    """When the store was last built, in Unix seconds, if a build recorded it."""
    from kg.info import last_build_time

    when = last_build_time(store)
    return int(when.timestamp()) if isinstance(when, datetime) else None


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


def _outlets(store: GraphStore) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for row in store.query(OUTLETS):
        found[_value(row["doc"])].append(" ".join(_value(row["outlet"]).split()))
    return found


def _name(party: dict[str, Any]) -> str:
    return party.get("name") or (party.get("mentions") or [""])[0]


def _join_outlets(docs: Iterable[str], outlets: dict[str, list[str]]) -> str:
    seen: dict[str, str] = {}
    for doc in docs:
        for outlet in sorted(outlets.get(doc, ())):
            seen.setdefault(fold(outlet), outlet)
    return "; ".join(sorted(seen.values(), key=str.lower))


def rows(store: GraphStore, *, claims: bool = False) -> list[dict[str, Any]]:
    events = collect_events(store, claims=claims)
    types = acled_types(store)
    admin2, precision, notes = _extras(store)
    actor_types = {_value(r["actor"]): _value(r["type"]) for r in store.query(ACTOR_TYPES)}
    outlets = _outlets(store)
    kinds = place_kinds(store)
    built = last_build_seconds(store)
    countries = acled_countries()
    table = []
    for event in events:
        location = event["location"] or {}
        first = [p for p in event["attackers"] if p.get("kind") != "object"]
        second = [p for f in ("targets", "victims", "unnamed_victims") for p in event[f]
                  if p.get("kind") != "object"]
        acled_type, acled_sub = types.get(event["type"], (None, None))
        disorder = disorder_type(acled_type, acled_sub)
        category1 = party_category(first[0], actor_types, acting=True) if first else None
        category2 = party_category(second[0], actor_types, acting=False) if second else None
        code = location.get("country_code") or ""
        alpha3, numeric = iso_codes(code) if code else ("", None)
        acled_country = countries.get(code)
        date = event["date"] or ""
        docs = [s["doc_id"] for s in event["sources"]]
        table.append({
            "event_id_cnty": event_id_cnty(event["id"], alpha3),
            "event_date": date,
            "year": date[:4],
            "time_precision": precision.get(event["id"], ""),
            "disorder_type": disorder,
            "event_type": acled_type or "",
            "sub_event_type": acled_sub or "",
            "actor1": _name(first[0]) if first else "",
            "assoc_actor_1": "; ".join(_name(p) for p in first[1:]),
            "inter1": ACTOR_CATEGORIES[category1][1] if category1 else "",
            "actor2": _name(second[0]) if second else "",
            "assoc_actor_2": "; ".join(_name(p) for p in second[1:]),
            "inter2": ACTOR_CATEGORIES[category2][1] if category2 else "",
            "interaction": interaction(category1, category2, bool(second)),
            "civilian_targeting": civilian_targeting(
                disorder, acled_type or "",
                (party_category(p, actor_types, acting=False) for p in second)),
            "iso": "" if numeric is None else numeric,
            "region": acled_country.region if acled_country else "",
            "country": (acled_country.name if acled_country else None)
                       or location.get("country") or "",
            "admin1": location.get("admin1") or "",
            "admin2": admin2.get(location.get("id") or "", ""),
            "admin3": "",
            "location": location.get("name") or "",
            "latitude": "" if location.get("lat") is None else f"{location['lat']:.5f}",
            "longitude": "" if location.get("lon") is None else f"{location['lon']:.5f}",
            "geo_precision": "" if location.get("precision") is None else location["precision"],
            "source": _join_outlets(docs, outlets),
            "source_scale": "",
            "notes": notes.get(event["id"], ""),
            "fatalities": "" if event["fatalities"] is None else event["fatalities"],
            "tags": "",
            "timestamp": "" if built is None else built,
            "kg_event_id": event["id"],
            "kg_event_type": event["type"],
            "kg_location_level": event_location_level(event, kinds) or "",
            "kg_sources": "; ".join(docs),
            "kg_source_count": len(docs),
        })
    table.sort(key=lambda r: (r["event_date"], r["kg_event_id"]))
    return table


def write_csv(store: GraphStore, output: Path, *, claims: bool = False) -> int:
    table = rows(store, claims=claims)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(table)
    return len(table)
