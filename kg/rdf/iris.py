"""Deterministic identifiers: the same input always mints the same IRI.

Rebuilding a graph gives the same nodes, so an incremental build never duplicates and a
SPARQL query saved today still finds its nodes tomorrow.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

BASE = "https://w3id.org/conflict-kg/id/"

REFERENCE_GRAPH = URIRef(BASE + "graph/reference")
PROVENANCE_GRAPH = URIRef(BASE + "graph/provenance")
CANONICAL_GRAPH = URIRef(BASE + "graph/canonical")
ENTITIES_GRAPH = URIRef(BASE + "graph/entities")
"""Nodes that articles introduce and share (places missing from the gazetteer, organisations
with no table entry, unlisted weapon models), each described once for the whole store: a
description copied into every article graph that names the node made the union default graph
return one row per copy, and joins over those copies multiplied."""


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; never empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower())
    if words:
        return "-".join(words)[:80]
    return "x" + hashlib.sha1(text.encode()).hexdigest()[:10]


def _segment(value: str) -> str:
    return quote(value, safe="-._~")


def article_iri(doc_id: str) -> URIRef:
    return URIRef(f"{BASE}article/{_segment(doc_id)}")


def article_graph_iri(doc_id: str) -> URIRef:
    return URIRef(f"{BASE}graph/article/{_segment(doc_id)}")


def claim_iri(doc_id: str, key: str) -> URIRef:
    return URIRef(f"{BASE}claim/{_segment(doc_id)}/{_segment(key)}")


def claim_part_iri(claim: URIRef, kind: str, index: int) -> URIRef:
    """A node that belongs to one claim (a participation, a lot, evidence)."""
    return URIRef(f"{claim}/{kind}/{index}")


def actor_iri(actor_id: str) -> URIRef:
    return URIRef(f"{BASE}actor/{_segment(actor_id)}")


def unlinked_actor_iri(name: str) -> URIRef:
    """An organisation named in text with no table entry: one node per normalised name."""
    return URIRef(f"{BASE}actor/unlinked/{slug(name)}")


def place_iri(key: str) -> URIRef:
    """A gazetteer place: ``geonames:2359608`` -> .../place/geonames/2359608."""
    return URIRef(BASE + "place/" + "/".join(_segment(p) for p in key.split(":")))


def unresolved_place_iri(name: str, anchor_key: str | None, country_code: str | None) -> URIRef:
    """A place missing from the gazetteer, kept by name under the place it is near or in."""
    scope = anchor_key.replace(":", "-") if anchor_key else (country_code or "world").lower()
    return URIRef(f"{BASE}place/unresolved/{_segment(scope)}/{slug(name)}")


def weapon_iri(weapon_id: str) -> URIRef:
    return URIRef(f"{BASE}weapon/{_segment(weapon_id)}")


def unlisted_weapon_iri(name: str) -> URIRef:
    return URIRef(f"{BASE}weapon/unlisted/{slug(name)}")


def run_iri(versions: dict[str, str]) -> URIRef:
    """An extraction run named by the versions that made it, not by a timestamp."""
    digest = hashlib.sha1(
        "|".join(f"{k}={versions[k]}" for k in sorted(versions)).encode()
    ).hexdigest()[:16]
    return URIRef(f"{BASE}run/{digest}")


def canonical_event_iri(claim_iris: list[str]) -> URIRef:
    """A canonical event named by the earliest of its claims, so that adding a later
    report to an event keeps the event's identifier."""
    anchor = min(claim_iris)
    digest = hashlib.sha1(anchor.encode()).hexdigest()[:16]
    return URIRef(f"{BASE}event/{digest}")


def affiliation_iri(actor_id: str, relation: str, other_id: str) -> URIRef:
    return URIRef(f"{BASE}affiliation/{_segment(actor_id)}/{relation}/{_segment(other_id)}")
