"""Cross-article merging: one canonical event per real-world event, explained and reversible.

Claims stay in their articles' graphs. This stage reads them back from the store, decides
which claims report the same event, and writes the canonical graph from scratch: every
canonical event links to the claims it merges, records why (the features that matched and a
score), keeps each source's values and marks where sources disagree. Recomputing it from the
claims is cheap, so a wrong merge is undone by changing the rules or the data and building
again, never by editing the graph.

Identifiers are stable: a canonical event keeps the identifier it had before as long as one
of its claims was already part of it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg.codebook import alike_at_one_place, family, reported_alike
from kg.gazetteer import haversine_km
from kg.rdf import iris
from kg.rdf.mapping import MATERIEL_ROLE, ROLE_TERMS, new_graph
from kg.rdf.namespace import CE, ET, SEM
from kg.reference import fold
from kg.store import GraphStore

NEAR_KM = 25.0  # places further apart than this are different events (the scorer's radius)
DATE_TOLERANCE_DAYS = 1  # reports of one event may differ by a day ("last night")
MERGE_THRESHOLD = 0.6
TOLL_EVIDENCE = 5  # a toll this high, equal in two reports of the same days, names the event
WEIGHTS = {"type": 0.2, "actors": 0.35, "place": 0.25, "date": 0.2}
ORIGIN_RANK = {"FromText": 0, "FromDateline": 1, "FromPublication": 2, "FromCoreferentArticle": 3}


@dataclass(frozen=True, slots=True)
class MatchResult:
    score: float
    matched: tuple[str, ...]
    blocked_by: str | None = None

    @property
    def merge(self) -> bool:
        return self.blocked_by is None and self.score >= MERGE_THRESHOLD


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _identities(entries: list[dict[str, Any]]) -> set[str]:
    keys = set()
    for entry in entries:
        if entry.get("id") and "/claim/" not in entry["id"]:
            keys.add(entry["id"])
        elif entry.get("kind") == "person" and entry["mentions"]:
            longest = max(entry["mentions"], key=len)
            keys.add("person:" + " ".join(fold(longest).split()[-2:]))
    return keys


def _actors(
    event: dict[str, Any], fields: tuple[str, ...] = ("attackers", "targets", "victims")
) -> set[str]:
    """Identities of the participants: linked actors, unlinked named organisations, and
    named people by their normalised name (a named victim is strong evidence of identity).

    Computed once per claim and kept under the internal key ``_identities``.
    """
    cache = event.setdefault("_identities", {})
    if fields not in cache:
        cache[fields] = set().union(*(_identities(event[name]) for name in fields))
    return cache[fields]


def _date_window(event: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The days the event may have happened on, as its source dates it (cached on the claim)."""
    if "_window" not in event:
        event["_window"] = _compute_window(event)
    window: tuple[dt.date, dt.date] | None = event["_window"]
    return window


def _compute_window(event: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    day = _day(event["date"])
    if day is None:
        return None
    if event.get("date_origin") in {"FromDateline", "FromPublication"}:
        # a date line bounds the event from above: it happened that day or shortly before
        return day - dt.timedelta(days=2), day
    earliest = _day(event.get("earliest")) or day
    latest = _day(event.get("latest")) or day
    return earliest, latest


def _place_match(place_a: dict[str, Any] | None, place_b: dict[str, Any] | None) -> str | None:
    """"same" for one town, the reason when the places keep two reports apart, else None."""
    if not (place_a and place_b):
        return None
    code_a, code_b = place_a.get("country_code"), place_b.get("country_code")
    if code_a and code_b and code_a != code_b:
        return "country"
    # Only town-level places (ACLED precision 1-2) say where; a province or a country holds
    # too many events to count as evidence, or to keep two reports apart.
    fine = all((p.get("precision") or 3) <= 2 for p in (place_a, place_b))
    same = fine and (
        place_a.get("id") == place_b.get("id")
        or bool(place_a.get("anchor") and place_a.get("anchor") == place_b.get("anchor"))
    )
    distance = None
    if fine and None not in (place_a["lat"], place_a["lon"], place_b["lat"], place_b["lon"]):
        distance = haversine_km(place_a["lat"], place_a["lon"], place_b["lat"], place_b["lon"])
    # a village the gazetteer lacks: the same name in the same country
    unresolved = all(p.get("precision") is None for p in (place_a, place_b))
    same = same or (unresolved and code_a == code_b and _same_name(place_a, place_b))
    if same or (distance is not None and distance <= NEAR_KM):
        return "same"
    if distance is not None:
        return f"place ({distance:.0f} km apart)"
    return None


def _same_name(place_a: dict[str, Any], place_b: dict[str, Any]) -> bool:
    """One unknown village: the same name, or one name begins the other ("Kolo" and "Kolo
    Forest Reserve")."""
    a, b = fold(place_a.get("name") or ""), fold(place_b.get("name") or "")
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return short == long or long.startswith(short + " ")


def match(a: dict[str, Any], b: dict[str, Any]) -> MatchResult:
    """Whether two claims report the same event, with the evidence for the decision.

    Hard conditions block a merge: incompatible types, one article, different countries,
    places further apart than NEAR_KM, dates further apart than a day, different linked
    attackers, different linked targets (except at one town, where outlets naming the
    people hit differently, or the sides the other way round, is a disagreement to record).
    A merge then needs two signs of identity:

    - the same town-level place (with compatible dates), whoever the reports name; outlets
      name the sides differently or not at all;
    - the same sizeable toll on the same days (at least TOLL_EVIDENCE killed);
    - shared participants and the same targets as well as the same attackers.

    One group commits many attacks on a day; its name and a date alone do not make two
    reports one.
    """
    strict_types = reported_alike(a["type"], b["type"])
    if not alike_at_one_place(a["type"], b["type"]):
        return MatchResult(0.0, (), "type")
    if {s["doc_id"] for s in a["sources"]} & {s["doc_id"] for s in b["sources"]}:
        return MatchResult(0.0, (), "same article")
    matched = ["type"]
    score = WEIGHTS["type"]
    place = _place_match(a["location"], b["location"])
    if place is not None and place != "same":
        return MatchResult(0.0, tuple(matched), place)
    attackers_a, attackers_b = _actors(a, ("attackers",)), _actors(b, ("attackers",))
    actors_a, actors_b = _actors(a), _actors(b)
    # at one town, one report's attacker may be the other's target (who fired first)
    swapped = place == "same" and bool(attackers_a & actors_b or attackers_b & actors_a)
    if attackers_a and attackers_b and not attackers_a & attackers_b and not swapped:
        return MatchResult(0.0, tuple(matched), "attackers")
    targets_a, targets_b = _actors(a, ("targets", "victims")), _actors(b, ("targets", "victims"))
    if targets_a and targets_b and not targets_a & targets_b:
        # outlets name the people hit in their own words; at one town that is no reason to
        # split, unless both name the persons killed and name different ones
        named_a, named_b = ({k for k in t if k.startswith("person:")}
                            for t in (targets_a, targets_b))
        if place != "same" or (named_a and named_b):
            return MatchResult(0.0, tuple(matched), "targets")
    shared = actors_a & actors_b
    if shared:
        matched.append("actors")
        score += WEIGHTS["actors"] * (0.5 + 0.5 * len(shared) / len(actors_a | actors_b))
    same_sides = bool(attackers_a & attackers_b) and bool(targets_a & targets_b)
    if place == "same":
        matched.append("place")
        score += WEIGHTS["place"]
    window_a, window_b = _date_window(a), _date_window(b)
    for window, other in ((window_a, b), (window_b, a)):
        published = _day(min((s["published"] for s in other["sources"] if s.get("published")),
                             default=None))
        if window and published and window[0] > published:
            # a report cannot tell of an event that happened after it was published
            return MatchResult(0.0, tuple(matched), "date after the other's publication")
    if window_a and window_b:
        gap = max((window_a[0] - window_b[1]).days, (window_b[0] - window_a[1]).days, 0)
        if gap > DATE_TOLERANCE_DAYS:
            return MatchResult(0.0, tuple(matched), f"date ({gap} days apart)")
        matched.append("date")
        score += WEIGHTS["date"]
    else:
        score += WEIGHTS["date"] * 0.5  # an undated report can match a dated one
    if not strict_types and "place" not in matched:
        return MatchResult(score, tuple(matched), "types differ and no place in common")
    if "place" in matched and "date" not in matched and (a.get("optional") or b.get("optional")):
        # an older incident an article recalls without its day is not told precisely
        # enough to be one with a report at the same town
        return MatchResult(score, tuple(matched), "recalled without a day")
    if "place" in matched and "actors" not in matched:
        # Outlets name the sides differently ("gunmen", "jihadists", none at all); one town,
        # one kind of violence and days that meet make one incident all the same.
        return MatchResult(round(max(score, MERGE_THRESHOLD), 3), tuple(matched))
    same_toll = (
        a.get("fatalities") is not None
        and a.get("fatalities") == b.get("fatalities")
        and a["fatalities"] >= TOLL_EVIDENCE
        and "date" in matched
    )
    if same_toll:
        # "killed 37", "37 dead": the same sizeable toll on the same days in one country
        matched.append("fatalities")
        score += WEIGHTS["place"]
        if "actors" not in matched and strict_types:
            return MatchResult(round(max(score, MERGE_THRESHOLD), 3), tuple(matched))
    if "actors" not in matched:
        return MatchResult(score, tuple(matched), "no participant in common")
    if "place" not in matched and not same_sides:
        return MatchResult(score, tuple(matched), "neither the place nor both sides in common")
    return MatchResult(round(min(score, 1.0), 3), tuple(matched))


@dataclass
class Cluster:
    claims: list[dict[str, Any]]
    decisions: list[tuple[str, str, MatchResult]] = field(default_factory=list)


def candidate_pairs(claims: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Pairs worth comparing: one family of types, a participant in common, dates that meet.

    A merge needs a shared participant and, when both reports are dated, days at most
    DATE_TOLERANCE_DAYS apart. Dated claims are indexed by (kind, participant, day) over
    their date window widened by the tolerance; an undated claim is compared with every claim
    sharing a participant. Only these pairs are scored, not all pairs of a large corpus.
    """
    by_day: dict[tuple[str, str, dt.date], list[str]] = defaultdict(list)
    by_actor: dict[tuple[str, str], list[str]] = defaultdict(list)
    undated: list[tuple[str, str, str]] = []
    pairs: set[tuple[str, str]] = set()
    for claim in claims:
        kind, window = family(claim["type"]), _date_window(claim)
        for key in _actors(claim):
            by_actor[(kind, key)].append(claim["id"])
            if window is None:
                undated.append((kind, key, claim["id"]))
                continue
            day = window[0] - dt.timedelta(days=DATE_TOLERANCE_DAYS)
            while day <= window[1]:
                by_day[(kind, key, day)].append(claim["id"])
                day += dt.timedelta(days=1)
    for ids in by_day.values():
        ordered = sorted(set(ids))
        for i, left in enumerate(ordered):
            for right in ordered[i + 1 :]:
                pairs.add((left, right))
    for kind, key, claim_id in undated:
        for other in by_actor[(kind, key)]:
            if other != claim_id:
                pairs.add((min(claim_id, other), max(claim_id, other)))
    by_place: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_cell: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for claim in claims:
        kind = family(claim["type"])
        keys, cell = _place_keys(claim)
        toll = claim.get("fatalities")
        if toll is not None and toll >= TOLL_EVIDENCE:
            country = (claim["location"] or {}).get("country_code") or ""
            keys.add(f"toll:{country}:{toll}")
        for key in keys:
            by_place[(kind, key)].append(claim["id"])
        if cell is not None:
            by_cell[(kind, *cell)].append(claim["id"])
    for ids in by_place.values():
        ordered = sorted(set(ids))
        for i, left in enumerate(ordered):
            for right in ordered[i + 1 :]:
                pairs.add((left, right))
    # two points within NEAR_KM lie in the same half-degree cell or in neighbouring ones
    for (kind, row, col), ids in by_cell.items():
        for d_row in (-1, 0, 1):
            for d_col in (-1, 0, 1):
                for other in by_cell.get((kind, row + d_row, col + d_col), ()):
                    for claim_id in ids:
                        if other != claim_id:
                            pairs.add((min(claim_id, other), max(claim_id, other)))
    return pairs


def _place_keys(claim: dict[str, Any]) -> tuple[set[str], tuple[int, int] | None]:
    """Blocking keys of a town-level place: its node and its anchor, and its half-degree
    grid cell (neighbouring cells are compared too)."""
    place = claim["location"]
    if not place:
        return set(), None
    if (place.get("precision") or 3) > 2:
        if place.get("precision") is None and place.get("name"):  # a village we lack
            first = fold(place["name"]).split()[0]  # "Kolo" blocks with "Kolo Forest"
            return {f"name:{place.get('country_code')}:{first}"}, None
        return set(), None
    keys = {k for k in (place.get("id"), place.get("anchor")) if k}
    cell = None
    if place.get("lat") is not None and place.get("lon") is not None:
        cell = (int(place["lat"] // 0.5), int(place["lon"] // 0.5))
    return keys, cell


def cluster_claims(claims: list[dict[str, Any]]) -> list[Cluster]:
    """Greedy agglomeration by decreasing score; every pair inside a cluster must be mergeable."""
    by_id = {c["id"]: c for c in claims}
    pairs = {key: match(by_id[key[0]], by_id[key[1]]) for key in candidate_pairs(claims)}
    owner = {c["id"]: c["id"] for c in claims}
    members = {c["id"]: [c["id"]] for c in claims}
    decisions: dict[str, list[tuple[str, str, MatchResult]]] = defaultdict(list)
    for (left, right), result in sorted(pairs.items(), key=lambda kv: (-kv[1].score, kv[0])):
        if not result.merge:
            continue
        root_l, root_r = owner[left], owner[right]
        if root_l == root_r:
            continue
        ok = all(
            pairs.get((min(x, y), max(x, y)), MatchResult(0, (), "unseen")).merge
            for x in members[root_l]
            for y in members[root_r]
        )
        if not ok:
            continue
        members[root_l].extend(members.pop(root_r))
        for claim_id in members[root_l]:
            owner[claim_id] = root_l
        decisions[root_l].extend(decisions.pop(root_r, []))
        decisions[root_l].append((left, right, result))
    return [
        Cluster([by_id[c] for c in sorted(ids)], decisions.get(root, []))
        for root, ids in sorted(members.items())
    ]


# -- the canonical graph --------------------------------------------------------------------


def _pick_type(claims: list[dict[str, Any]]) -> str:
    counts = Counter(c["type"] for c in claims)
    if "armed-clash" in counts and "attack" in counts:
        return "armed-clash" if counts["armed-clash"] >= counts["attack"] else "attack"
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _best_date(claims: list[dict[str, Any]]) -> dict[str, Any] | None:
    dated = [c for c in claims if c["date"]]
    if not dated:
        return None
    return sorted(
        dated,
        key=lambda c: (
            ORIGIN_RANK.get(c.get("date_origin") or "", 9),
            c["date"],
            c["sources"][0]["doc_id"],
        ),
    )[0]


def canonical_graph(
    clusters: list[Cluster], previous: dict[str, str], outside: dict[str, str] | None = None
) -> Graph:
    """The canonical events for ``clusters``; ``previous`` maps claim IRI -> old event IRI,
    ``outside`` the claims of events not among the clusters to their events (the parents
    of sub-events, when only part of the graph is merged again)."""
    graph = new_graph(iris.CANONICAL_GRAPH)
    event_of = _event_names(clusters, previous)
    linked = {**{c: URIRef(e) for c, e in (outside or {}).items()}, **event_of}
    for cluster in clusters:
        _describe(graph, cluster, linked)
    return graph


def _event_names(clusters: list[Cluster], previous: dict[str, str]) -> dict[str, URIRef]:
    """Claim IRI -> the IRI of its canonical event: an event keeps the identifier one of its
    claims had before, else it is named by its claims."""
    event_of: dict[str, URIRef] = {}
    for cluster in clusters:
        claim_ids = [c["id"] for c in cluster.claims]
        reused = sorted({previous[c] for c in claim_ids if c in previous})
        event_of_cluster = URIRef(reused[0]) if reused else iris.canonical_event_iri(claim_ids)
        if event_of_cluster in event_of.values():  # a split event: the first part keeps the id
            event_of_cluster = iris.canonical_event_iri(claim_ids)
        for claim_id in claim_ids:
            event_of[claim_id] = event_of_cluster
    return event_of


def _describe(graph: Graph, cluster: Cluster, event_of: dict[str, URIRef]) -> None:
    claims = cluster.claims
    node = event_of[claims[0]["id"]]
    event_type = _pick_type(claims)
    graph.add((node, RDF.type, CE.CanonicalEvent))
    graph.add((node, CE.eventType, ET[event_type]))
    docs = sorted({s["doc_id"] for c in claims for s in c["sources"]})
    for claim in claims:
        graph.add((node, CE.claim, URIRef(claim["id"])))
    for doc in docs:
        graph.add((node, CE.sourceArticle, iris.article_iri(doc)))
    graph.add((node, CE.sourceCount, Literal(len(docs), datatype=XSD.integer)))
    confidence = max((c["confidence"] or 0.0) for c in claims)
    graph.add((node, CE.confidence, Literal(f"{confidence:.2f}", datatype=XSD.decimal)))
    disagreements: set[str] = set()
    _participants(graph, node, claims, capture=event_type == "materiel-capture")
    disagreements |= _place(graph, node, claims)
    disagreements |= _date(graph, node, claims)
    disagreements |= _fatalities(graph, node, claims)
    _materiel(graph, node, claims)
    # sub-event: the canonical event of the parents of its claims
    parents = Counter(event_of[c["parent_id"]] for c in claims if c.get("parent_id") in event_of)
    if parents:
        graph.add((node, CE.subEventOf, parents.most_common(1)[0][0]))
    if cluster.decisions:
        _merge_decision(graph, node, cluster, docs)
    for name in sorted(disagreements):
        graph.add((node, CE.disagreement, Literal(name)))
    # an older incident recalled by every source, or outside MUC-4's scope in every source
    if all(c.get("optional") for c in claims):
        graph.add((node, CE.background, Literal(True)))
    if all(c.get("_muc_excluded") for c in claims):
        graph.add((node, CE.mucExcluded, Literal(True)))




def _participants(
    graph: Graph, node: URIRef, claims: list[dict[str, Any]], *, capture: bool
) -> None:
    """One participant per identity (or per wording, for unnamed ones), with the words of
    every source."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for claim in claims:
        for field_name in ("attackers", "targets", "victims", "unnamed_victims"):
            for entry in claim[field_name]:
                key = (field_name, entry.get("id") or _party_key(field_name, entry))
                slot = merged.setdefault(key, {**entry, "mentions": []})
                slot["mentions"] = sorted(set(slot["mentions"]) | set(entry["mentions"]))
                if not entry.get("basis"):
                    slot["basis"] = None  # one source's own sentence names it
    for index, ((field_name, _), entry) in enumerate(sorted(merged.items())):
        direct, role = ROLE_TERMS[(field_name.removeprefix("unnamed_"), capture)]
        actor = URIRef(entry["id"]) if entry.get("id") else URIRef(f"{node}/party/{index}")
        if not entry.get("id"):
            graph.add(
                (
                    actor,
                    RDF.type,
                    CE.PhysicalTarget if entry["kind"] == "object" else CE.UnidentifiedActor,
                )
            )
            graph.add((actor, RDFS.label, Literal(entry["mentions"][0])))
        graph.add((node, direct, actor))
        part = URIRef(f"{node}/participation/{index}")
        graph.add((node, CE.participation, part))
        graph.add((part, RDF.type, CE.Participation))
        graph.add((part, RDF.value, actor))
        graph.add((part, CE.role, role))
        graph.add((part, CE.actorKind, Literal(entry["kind"])))
        for mention in entry["mentions"]:
            graph.add((part, CE.mention, Literal(mention)))
        if entry.get("basis"):
            graph.add((part, CE.attributionBasis, Literal(entry["basis"])))


def _party_key(field_name: str, entry: dict[str, Any]) -> str:
    """Unlinked participants that are one party: attackers no source names ("gunmen",
    "the raiders", "the group") are one unidentified armed group, as ACLED codes them; other
    unnamed participants go by their head noun."""
    if field_name == "attackers" and entry["kind"] == "group":
        return "group:unidentified"
    return entry["kind"] + ":" + _head(entry)


def _head(entry: dict[str, Any]) -> str:
    """The head noun an unnamed participant goes by: sources that say "32 people", "at
    least 30 people" and "people" name one group; a named person goes by the full name."""
    if entry["kind"] == "person":
        return min(fold(m) for m in entry["mentions"])
    words = fold(min(entry["mentions"], key=len)).split()
    word = words[-1] if words else ""
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _place(graph: Graph, node: URIRef, claims: list[dict[str, Any]]) -> set[str]:
    """The most precise place, and a disagreement when sources name places far apart."""
    disagreements: set[str] = set()
    located = [c for c in claims if c["location"]]
    if located:
        best = sorted(located, key=lambda c: (c["location"]["precision"] or 9, c["id"]))[0]
        place = best["location"]
        if place.get("id"):
            graph.add((node, SEM.hasPlace, URIRef(place["id"])))
        if place.get("precision"):
            graph.add((node, CE.geoPrecision, Literal(place["precision"], datatype=XSD.integer)))
        for claim in located:
            for mention in claim["location"]["mentions"]:
                graph.add((node, CE.placeMention, Literal(mention)))
            other = claim["location"]
            if (
                None not in (place["lat"], other["lat"])
                and haversine_km(place["lat"], place["lon"], other["lat"], other["lon"]) > NEAR_KM
            ):
                disagreements.add("place")
    return disagreements


def _date(graph: Graph, node: URIRef, claims: list[dict[str, Any]]) -> set[str]:
    """The most direct evidence of the day; undated reports inherit it, marked as inherited."""
    disagreements: set[str] = set()
    chosen = _best_date(claims)
    if chosen is not None:
        day = chosen["date"]
        graph.add((node, CE.date, Literal(day, datatype=XSD.date)))
        origin = chosen.get("date_origin") or "FromText"
        graph.add((node, CE.dateOrigin, CE[origin]))
        if chosen.get("time_precision"):
            graph.add(
                (node, CE.timePrecision, Literal(chosen["time_precision"], datatype=XSD.integer))
            )
        source_doc = chosen["sources"][0]["doc_id"]
        graph.add((node, CE.dateSourceArticle, iris.article_iri(source_doc)))
        days = sorted({c["date"] for c in claims if c["date"]})
        text_days = sorted(
            {c["date"] for c in claims if c["date"] and c.get("date_origin") == "FromText"}
        )
        graph.add((node, CE.earliestDate, Literal(days[0], datatype=XSD.date)))
        graph.add((node, CE.latestDate, Literal(days[-1], datatype=XSD.date)))
        if len(text_days) > 1 or (len(days) > 1 and len(text_days) == 0):
            disagreements.add("date")
        for claim in claims:
            if not claim["date"]:
                inherited = URIRef(claim["id"])
                graph.add((inherited, CE.date, Literal(day, datatype=XSD.date)))
                graph.add((inherited, CE.dateOrigin, CE.FromCoreferentArticle))
                graph.add((inherited, CE.dateSourceArticle, iris.article_iri(source_doc)))
    return disagreements


def _fatalities(graph: Graph, node: URIRef, claims: list[dict[str, Any]]) -> set[str]:
    """A range across sources; the canonical value is the lowest (conservative)."""
    counts = sorted({c["fatalities"] for c in claims if c["fatalities"] is not None})
    if counts:
        graph.add((node, CE.fatalities, Literal(counts[0], datatype=XSD.integer)))
        graph.add((node, CE.fatalitiesLow, Literal(counts[0], datatype=XSD.integer)))
        graph.add((node, CE.fatalitiesHigh, Literal(counts[-1], datatype=XSD.integer)))
        if len(counts) > 1:
            return {"fatalities"}
    return set()


def _materiel(graph: Graph, node: URIRef, claims: list[dict[str, Any]]) -> None:
    """One lot per model, derived from every source's lot."""
    lots: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        for lot in claim["weapons"]:
            lots[lot["id"]].append(lot)
    for model, entries in sorted(lots.items()):
        lot_node = URIRef(f"{node}/materiel/{iris.slug(model.rsplit('/', 1)[-1])}")
        graph.add((node, CE.materiel, lot_node))
        graph.add((lot_node, RDF.type, CE.MaterielLot))
        graph.add(
            (
                lot_node,
                RDFS.label,
                Literal(max((m for e in entries for m in e["mentions"]), key=len)),
            )
        )
        graph.add((lot_node, CE.weaponModel, URIRef(model)))
        graph.add((lot_node, CE.materielRole, MATERIEL_ROLE.get(entries[0]["role"], CE.Used)))
        for mention in sorted({m for e in entries for m in e["mentions"]}):
            graph.add((lot_node, CE.mention, Literal(mention)))
        for entry in entries:
            graph.add((lot_node, PROV.wasDerivedFrom, URIRef(entry["_lot"])))
        quantities = [e["quantity"] for e in entries if e.get("quantity")]
        if quantities:
            graph.add((lot_node, CE.quantity, Literal(max(quantities), datatype=XSD.integer)))


def _merge_decision(graph: Graph, node: URIRef, cluster: Cluster, docs: list[str]) -> None:
    """Why the claims were taken as one event: the features matched and the weakest score."""
    claims = cluster.claims
    decision = URIRef(f"{node}/merge")
    graph.add((node, CE.mergeDecision, decision))
    graph.add((decision, RDF.type, CE.MergeDecision))
    for claim in claims:
        graph.add((decision, CE.mergedClaim, URIRef(claim["id"])))
    features = set().union(*(set(r.matched) for _, _, r in cluster.decisions))
    for feature in sorted(features):
        graph.add((decision, CE.matchedFeature, Literal(feature)))
    score = min(r.score for _, _, r in cluster.decisions)
    graph.add((decision, CE.mergeScore, Literal(f"{score:.3f}", datatype=XSD.decimal)))
    graph.add(
        (
            decision,
            RDFS.comment,
            Literal(
                f"{len(claims)} claims from {len(docs)} articles taken as one event: "
                + "; ".join(
                    f"{a.rsplit('/', 2)[-2]} ~ {b.rsplit('/', 2)[-2]} score {r.score:.2f} "
                    f"({', '.join(r.matched)})"
                    for a, b, r in cluster.decisions
                )
            ),
        )
    )


def _previous_assignment(store: GraphStore) -> dict[str, str]:
    rows = store.query(
        f"SELECT ?claim ?event WHERE {{ GRAPH <{iris.CANONICAL_GRAPH}> "
        f"{{ ?event <{CE.claim}> ?claim }} }}"
    )
    return {row["claim"].value: row["event"].value for row in rows}


def _lot_origins(graph: Graph, store: GraphStore, *, listed: bool = False) -> None:
    """Canonical lots take the origin their sources state; text beats a model's maker.

    With ``listed``, only the origins of the graph's source lots are read (a VALUES list),
    not those of every lot in the store."""
    query = (
        "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?lot ?country ?basis WHERE { ?lot ce:originCountry ?country . "
        "OPTIONAL { ?lot ce:originBasis ?basis } }"
    )
    if listed:
        sources = sorted({str(s) for s in graph.objects(None, PROV.wasDerivedFrom)})
        rows: Any = [row for part in _chunked(sources) for row in store.query(_bind(query, "lot", part))]
    else:
        rows = store.query(query)
    origin = {
        r["lot"].value: (r["country"].value, r["basis"].value if r["basis"] else "text")
        for r in rows
    }
    for lot_node in set(graph.subjects(RDF.type, CE.MaterielLot)):
        found = sorted(
            {
                origin[str(src)]
                for src in graph.objects(lot_node, PROV.wasDerivedFrom)
                if str(src) in origin
            },
            key=lambda cb: (cb[1] != "text", cb[0]),
        )
        if found:
            graph.add((lot_node, CE.originCountry, URIRef(found[0][0])))
            graph.add((lot_node, CE.originBasis, Literal(found[0][1])))


def recompute_canonical(store: GraphStore, *, fresh: bool = False) -> int:
    """Rewrite the canonical graph from every claim in the store; returns the event count.

    Event identifiers are kept from the previous canonical graph unless ``fresh`` is set, in
    which case every event is named anew from its claims (the same claims always give the
    same names).
    """
    from kg.export.events import collect_events

    previous = {} if fresh else _previous_assignment(store)
    store.remove_graphs([str(iris.CANONICAL_GRAPH)])
    claims = collect_events(store, claims=True)
    clusters = cluster_claims(claims)
    graph = canonical_graph(clusters, previous)
    _lot_origins(graph, store)
    store.replace_graph(graph)
    return len(clusters)
