"""Cross-article merging: one canonical event per real-world event, explained and reversible.

Claims stay in their articles' graphs. This stage reads them back from the store as typed
records (:class:`kg.records.StoredEvent`, read by :mod:`kg.claims`), decides which claims
report the same event, and writes the canonical graph from scratch: every canonical event
links to the claims it merges, records why (the features that matched and a score), keeps
each source's values and marks where sources disagree. Recomputing it from the claims is
cheap, so a wrong merge is undone by changing the rules or the data and building again, never
by editing the graph. When articles are added to a store, only the events they can change are
merged and written again (:func:`merge_articles`), with the same result.

The decisions are pure functions of the records (:func:`match`, :func:`cluster_claims`, the
choices of a canonical event's type, date, place and sides); the canonical events are then
written as N-Triples text straight into the store (:class:`_Canonical`), not through rdflib
graphs, which cost most of the merge's time.

Identifiers are stable: a canonical event keeps the identifier it had before as long as one
of its claims was already part of it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import pickle
import sys
import tempfile
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg.claims import collect_claims
from kg.codebook import alike_at_one_place, family, reported_alike
from kg.gazetteer import haversine_km
from kg.rdf import iris
from kg.rdf.mapping import MATERIEL_ROLE, ROLE_TERMS
from kg.rdf.namespace import CE, ET, SEM
from kg.records import EventDates, EventLot, EventPlace, Participant, StoredEvent
from kg.reference import fold
from kg.store import GraphStore

NEAR_KM = 25.0  # places further apart than this are different events (the scorer's radius)
DATE_TOLERANCE_DAYS = 1  # reports of one event may differ by a day ("last night")
MERGE_THRESHOLD = 0.6
TOLL_EVIDENCE = 5  # a toll this high, equal in two reports of the same days, names the event
UNDATED_COUNTRY_TOLL = 20  # two undated reports of this very toll in one country: one event
TOLL_SLACK = 0.15  # tolls of one event as counts are revised: this share apart at most
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


Decision = tuple[str, str, MatchResult]
"""Two claims (IRIs) taken as one event, and why."""


@functools.lru_cache(maxsize=1 << 16)
def _person_key(mention: str) -> str:
    """An unlinked person by the last two words of a name ("Father Ignacio Ellacuría" and
    "Ignacio Ellacuria" are one); cached, as every pair a claim is in asks again."""
    return "person:" + " ".join(fold(mention).split()[-2:])


def _identities(*groups: tuple[Participant, ...]) -> set[str]:
    """Identities of participants: linked actors, unlinked named organisations, and named
    people by their normalised name (a named victim is strong evidence of identity)."""
    keys = set()
    for group in groups:
        for entry in group:
            if entry.id and "/claim/" not in entry.id:
                keys.add(entry.id)
            elif entry.kind == "person" and entry.mentions:
                keys.add(_person_key(max(entry.mentions, key=len)))
    return keys


def _participants_of(claim: StoredEvent) -> set[str]:
    """The identities of every named side of a claim (attackers, targets, victims)."""
    return _identities(claim.attackers, claim.targets, claim.victims)


def _date_window(dates: EventDates) -> tuple[dt.date, dt.date] | None:
    """The days the event may have happened on, as its source dates it."""
    day = dates.value
    if day is None:
        return None
    if dates.origin in {"FromDateline", "FromPublication"}:
        # a date line bounds the event from above: it happened that day or shortly before
        return day - dt.timedelta(days=2), day
    return dates.earliest or day, dates.latest or day


def _place_match(place_a: EventPlace | None, place_b: EventPlace | None) -> str | None:
    """ "same" for one town, the reason when the places keep two reports apart, else None."""
    if place_a is None or place_b is None:
        return None
    code_a, code_b = place_a.country_code, place_b.country_code
    if code_a and code_b and code_a != code_b:
        return "country"
    # Only town-level places (ACLED precision 1-2) say where; a province or a country holds
    # too many events to count as evidence, or to keep two reports apart.
    fine = (place_a.precision or 3) <= 2 and (place_b.precision or 3) <= 2
    same = fine and (
        place_a.id == place_b.id or bool(place_a.anchor and place_a.anchor == place_b.anchor)
    )
    distance = None
    lat_a, lon_a, lat_b, lon_b = place_a.lat, place_a.lon, place_b.lat, place_b.lon
    if fine and lat_a is not None and lon_a is not None and lat_b is not None and lon_b is not None:
        distance = haversine_km(lat_a, lon_a, lat_b, lon_b)
    # a village the gazetteer lacks: the same name in the same country
    unresolved = place_a.precision is None and place_b.precision is None
    same = same or (unresolved and code_a == code_b and _same_name(place_a, place_b))
    if same or (distance is not None and distance <= NEAR_KM):
        return "same"
    if distance is not None:
        return f"place ({distance:.0f} km apart)"
    return None


def _same_province(place_a: EventPlace | None, place_b: EventPlace | None) -> bool:
    """Both places lie in one named province of one country."""
    if place_a is None or place_b is None:
        return False
    return bool(
        place_a.admin1
        and place_a.admin1 == place_b.admin1
        and place_a.country_code == place_b.country_code
    )


def _same_name(place_a: EventPlace, place_b: EventPlace) -> bool:
    """One unknown village: the same name, or one name begins the other ("Kolo" and "Kolo
    Forest Reserve")."""
    a, b = fold(place_a.name or ""), fold(place_b.name or "")
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return short == long or long.startswith(short + " ")


def match(a: StoredEvent, b: StoredEvent) -> MatchResult:
    """Whether two claims report the same event, with the evidence for the decision.

    Hard conditions block a merge: incompatible types, one article, different countries,
    places further apart than NEAR_KM, dates further apart than a day, different linked
    attackers, different linked targets (except at one town, where outlets naming the
    people hit differently, or the sides the other way round, is a disagreement to record).
    A merge then needs two signs of identity:

    - the same town-level place (with compatible dates), whoever the reports name; outlets
      name the sides differently or not at all;
    - a sizeable toll on the same days (at least TOLL_EVIDENCE killed, TOLL_SLACK apart at
      most);
    - shared participants and the same targets as well as the same attackers.

    One group commits many attacks on a day; its name and a date alone do not make two
    reports one.
    """
    strict_types = reported_alike(a.type, b.type)
    if not alike_at_one_place(a.type, b.type):
        return MatchResult(0.0, (), "type")
    if a.doc_ids & b.doc_ids:
        return MatchResult(0.0, (), "same article")
    matched = ["type"]
    score = WEIGHTS["type"]
    place = _place_match(a.place, b.place)
    if place is not None and place != "same":
        return MatchResult(0.0, tuple(matched), place)
    attackers_a, attackers_b = _identities(a.attackers), _identities(b.attackers)
    actors_a, actors_b = _participants_of(a), _participants_of(b)
    # at one town, one report's attacker may be the other's target (who fired first)
    swapped = place == "same" and bool(attackers_a & actors_b or attackers_b & actors_a)
    if attackers_a and attackers_b and not attackers_a & attackers_b and not swapped:
        return MatchResult(0.0, tuple(matched), "attackers")
    targets_a = _identities(a.targets, a.victims)
    targets_b = _identities(b.targets, b.victims)
    if targets_a and targets_b and not targets_a & targets_b:
        # outlets name the people hit in their own words; at one town that is no reason to
        # split, unless both name the persons killed and name different ones
        named_a, named_b = (
            {k for k in t if k.startswith("person:")} for t in (targets_a, targets_b)
        )
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
    window_a, window_b = _date_window(a.dates), _date_window(b.dates)
    for window, other in ((window_a, b), (window_b, a)):
        published = min((s.published for s in other.sources if s.published), default=None)
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
    if "place" in matched and "date" not in matched and (a.background or b.background):
        # an older incident an article recalls without its day is not told precisely
        # enough to be one with a report at the same town
        return MatchResult(score, tuple(matched), "recalled without a day")
    if "place" in matched and "actors" not in matched:
        # Outlets name the sides differently ("gunmen", "jihadists", none at all); one town,
        # one kind of violence and days that meet make one incident all the same.
        return MatchResult(round(max(score, MERGE_THRESHOLD), 3), tuple(matched))
    same_toll = _close_tolls(a.fatalities, b.fatalities) and (
        "date" in matched
        # undated: only the very same toll, in the same province ("80 killed" in the Sahel
        # region and near Arbinda) or, when it is a large one, in the same country
        or (
            a.fatalities == b.fatalities
            and (
                _same_province(a.place, b.place)
                or ((a.fatalities or 0) >= UNDATED_COUNTRY_TOLL and not (window_a or window_b))
            )
        )
    )
    if same_toll:
        # "killed 37", "36 dead": the same sizeable toll on the same days in one country,
        # counts a few apart as they are revised
        matched.append("fatalities")
        score += WEIGHTS["place"]
        if strict_types:  # a participant in common only adds to it
            return MatchResult(round(min(max(score, MERGE_THRESHOLD), 1.0), 3), tuple(matched))
    if "actors" not in matched:
        return MatchResult(score, tuple(matched), "no participant in common")
    if "place" not in matched and not same_sides:
        return MatchResult(score, tuple(matched), "neither the place nor both sides in common")
    return MatchResult(round(min(score, 1.0), 3), tuple(matched))


def _toll_range(toll: int | None) -> range:
    """The tolls close enough to ``toll`` to be one event's (empty below TOLL_EVIDENCE)."""
    if toll is None or toll < TOLL_EVIDENCE:
        return range(0)
    slack = max(1, int(TOLL_SLACK * toll))
    return range(max(TOLL_EVIDENCE, toll - slack), toll + slack + 1)


def _close_tolls(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and a in _toll_range(b) and b in _toll_range(a)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Claims taken as one event, with the pairs that joined them (none: a claim alone)."""

    claims: tuple[StoredEvent, ...]
    decisions: tuple[Decision, ...] = ()


# -- blocking: the pairs worth comparing --------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockingRecord:
    """What blocking (:func:`candidate_groups`) reads of a claim, and nothing else: the
    whole merge holds one of these for every claim of the store, the full records only for
    the pairs it scores."""

    id: str
    family: str  # the family of its type (kg.codebook.family)
    window: tuple[dt.date, dt.date] | None  # its days (_date_window)
    identities: frozenset[str]  # its named sides (_participants_of)
    place_keys: frozenset[str]  # a town-level place and what it is near, or a village's name
    cell: tuple[int, int] | None  # the half-degree cell of a town-level place
    toll: int | None
    country_code: str  # of its place, "" when it has none


def blocking_record(claim: StoredEvent) -> BlockingRecord:
    """The blocking keys of ``claim``, its strings interned (one object for the many claims
    that name one actor, place or country)."""
    keys, cell = _place_keys(claim.place)
    return BlockingRecord(
        id=claim.id,
        family=sys.intern(family(claim.type)),
        window=_date_window(claim.dates),
        identities=frozenset(sys.intern(key) for key in _participants_of(claim)),
        place_keys=frozenset(sys.intern(key) for key in keys),
        cell=cell,
        toll=claim.fatalities,
        country_code=sys.intern((claim.place and claim.place.country_code) or ""),
    )


def candidate_pairs(claims: Iterable[StoredEvent]) -> set[tuple[str, str]]:
    """Pairs worth comparing: one family of types, a participant in common, dates that meet.

    A merge needs a shared participant and, when both reports are dated, days at most
    DATE_TOLERANCE_DAYS apart. Dated claims are indexed by (kind, participant, day) over
    their date window widened by the tolerance; an undated claim is compared with every claim
    sharing a participant. Only these pairs are scored, not all pairs of a large corpus.
    """
    pairs: set[tuple[str, str]] = set()
    for group in candidate_groups([blocking_record(claim) for claim in claims]):
        pairs.update(group)
    return pairs


def candidate_groups(claims: Sequence[BlockingRecord]) -> Iterator[Iterable[tuple[str, str]]]:
    """The pairs of :func:`candidate_pairs`, one blocking key at a time, each pair as
    (smaller id, larger id): a pair comes in every group of a key its claims share, so
    together they hold every candidate pair, some more than once. The whole set of pairs
    grows with the square of a block; a group at a time, it need not be held at once."""
    by_day: dict[tuple[str, str, dt.date], list[str]] = defaultdict(list)
    by_actor: dict[tuple[str, str], list[str]] = defaultdict(list)
    undated: list[tuple[str, str, str]] = []
    one_day = dt.timedelta(days=1)
    for claim in claims:
        kind, window = claim.family, claim.window
        for key in claim.identities:
            by_actor[(kind, key)].append(claim.id)
            if window is None:
                undated.append((kind, key, claim.id))
                continue
            day = window[0] - dt.timedelta(days=DATE_TOLERANCE_DAYS)
            while day <= window[1]:
                by_day[(kind, key, day)].append(claim.id)
                day += one_day
    for ids in by_day.values():
        yield _all_pairs(ids)
    for kind, key, claim_id in undated:
        yield (
            (min(claim_id, other), max(claim_id, other))
            for other in by_actor[(kind, key)]
            if other != claim_id
        )
    by_place: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_cell: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    tolls: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for claim in claims:
        kind = claim.family
        if claim.toll is not None and claim.toll >= TOLL_EVIDENCE:
            tolls[(kind, claim.country_code)].append((claim.toll, claim.id))
        for key in claim.place_keys:
            by_place[(kind, key)].append(claim.id)
        if claim.cell is not None:
            by_cell[(kind, *claim.cell)].append(claim.id)
    for ids in by_place.values():
        yield _all_pairs(ids)
    for listed in tolls.values():
        listed.sort()
        yield _toll_pairs(listed)
    # two points within NEAR_KM lie in the same half-degree cell or in neighbouring ones
    for (kind, row, col), ids in by_cell.items():
        for d_row in (-1, 0, 1):
            for d_col in (-1, 0, 1):
                others = by_cell.get((kind, row + d_row, col + d_col), ())
                yield (
                    (min(claim_id, other), max(claim_id, other))
                    for other in others
                    for claim_id in ids
                    if other != claim_id
                )


def _all_pairs(ids: list[str]) -> Iterator[tuple[str, str]]:
    ordered = sorted(set(ids))
    for i, left in enumerate(ordered):
        for right in ordered[i + 1 :]:
            yield left, right


def _toll_pairs(listed: list[tuple[int, str]]) -> Iterator[tuple[str, str]]:
    """Claims whose tolls are close, from a list sorted by toll."""
    for i, (toll, left) in enumerate(listed):
        for next_toll, right in listed[i + 1 :]:
            if next_toll not in _toll_range(toll):
                break
            yield min(left, right), max(left, right)


def _place_keys(place: EventPlace | None) -> tuple[set[str], tuple[int, int] | None]:
    """Blocking keys of a town-level place: its node and its anchor, and its half-degree
    grid cell (neighbouring cells are compared too)."""
    if place is None:
        return set(), None
    if (place.precision or 3) > 2:
        if place.precision is None and place.name:  # a village we lack
            first = fold(place.name).split()[0]  # "Kolo" blocks with "Kolo Forest"
            return {f"name:{place.country_code}:{first}"}, None
        return set(), None
    keys = {k for k in (place.id, place.anchor) if k}
    cell = None
    if place.lat is not None and place.lon is not None:
        cell = (int(place.lat // 0.5), int(place.lon // 0.5))
    return keys, cell


# -- clustering ---------------------------------------------------------------------------


def cluster_claims(claims: Iterable[StoredEvent]) -> list[Cluster]:
    """Greedy agglomeration by decreasing score; every pair inside a cluster must be mergeable."""
    return [cluster for _, cluster in _rooted_clusters(list(claims))]


def _rooted_clusters(claims: list[StoredEvent]) -> list[tuple[str, Cluster]]:
    """The clusters of :func:`cluster_claims`, each with the claim it grew from, in the
    order of those claims (the order events are named in)."""
    by_id = {c.id: c for c in claims}
    pairs = {key: match(by_id[key[0]], by_id[key[1]]) for key in candidate_pairs(claims)}
    owner = {c.id: c.id for c in claims}
    members = {c.id: [c.id] for c in claims}
    decisions: dict[str, list[Decision]] = defaultdict(list)
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
        (root, Cluster(tuple(by_id[c] for c in sorted(ids)), tuple(decisions.get(root, ()))))
        for root, ids in sorted(members.items())
    ]


# -- what a canonical event says: decisions over its claims -------------------------------


def _pick_type(claims: Sequence[StoredEvent]) -> str:
    counts = Counter(c.type for c in claims)
    if "violent-demonstration" in counts and "peaceful-protest" in counts:
        return "violent-demonstration"  # a protest one outlet saw turn violent was a riot
    if "armed-clash" in counts and "attack" in counts:
        return "armed-clash" if counts["armed-clash"] >= counts["attack"] else "attack"
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _best_date(claims: Sequence[StoredEvent]) -> StoredEvent | None:
    """The claim whose date is the most direct evidence of the day (None: all undated)."""
    dated = [c for c in claims if c.dates.value]
    if not dated:
        return None
    return min(
        dated,
        key=lambda c: (
            ORIGIN_RANK.get(c.dates.origin or "", 9),
            c.dates.value,
            c.sources[0].doc_id,
        ),
    )


def _date_disagrees(claims: Sequence[StoredEvent]) -> bool:
    """Sources give different days from their text, or from date lines only."""
    days = {c.dates.value for c in claims if c.dates.value}
    text_days = {c.dates.value for c in claims if c.dates.value and c.dates.origin == "FromText"}
    return len(text_days) > 1 or (len(days) > 1 and len(text_days) == 0)


def _best_place(claims: Sequence[StoredEvent]) -> EventPlace | None:
    """The most precise place: a village the gazetteer lacks says more than its province
    or country (as in the assembly); among equals, the place most sources name."""
    located = [c for c in claims if c.place is not None]
    if not located:
        return None
    named = Counter(fold(c.place.name or "") for c in located if c.place is not None)

    def rank(claim: StoredEvent) -> tuple[float, int, str]:
        place = claim.place
        assert place is not None
        precision = place.precision or (2.5 if place.name else 9)
        return precision, -named[fold(place.name or "")], claim.id

    best = min(located, key=rank).place
    assert best is not None
    return best


def _places_disagree(best: EventPlace | None, claims: Sequence[StoredEvent]) -> bool:
    """A source names a place further than NEAR_KM from the one chosen."""
    if best is None or best.lat is None or best.lon is None:
        return False
    return any(
        c.place is not None
        and c.place.lat is not None
        and c.place.lon is not None
        and haversine_km(best.lat, best.lon, c.place.lat, c.place.lon) > NEAR_KM
        for c in claims
    )


def _toll_span(claims: Sequence[StoredEvent]) -> tuple[int, int] | None:
    """The lowest and highest toll the sources give (the lowest is the canonical one)."""
    counts = sorted({c.fatalities for c in claims if c.fatalities is not None})
    return (counts[0], counts[-1]) if counts else None


def _lots(claims: Sequence[StoredEvent]) -> list[tuple[str, list[EventLot]]]:
    """One lot per model, with every source's lot of it."""
    lots: dict[str, list[EventLot]] = defaultdict(list)
    for claim in claims:
        for lot in claim.materiel:
            lots[lot.id].append(lot)
    return sorted(lots.items(), key=lambda kv: kv[0])


_SIDES = ("attackers", "targets", "victims", "unnamed_victims")


def _merged_participants(claims: Sequence[StoredEvent]) -> list[tuple[str, Participant]]:
    """One participant per identity (or per wording, for unnamed ones), by role, with the
    words of every source; an attribution by the article stays marked until one source's
    own sentence names it."""
    people = _people_keys([e for c in claims for e in (*c.victims, *c.unnamed_victims)])
    merged: dict[tuple[str, str], Participant] = {}
    for claim in claims:
        for side in _SIDES:
            for entry in getattr(claim, side):
                key = (
                    side,
                    entry.id
                    or (people.get(id(entry)) if side in ("victims", "unnamed_victims") else None)
                    or _party_key(side, entry),
                )
                slot = merged.get(key)
                mentions = (
                    set(entry.mentions) if slot is None else {*slot.mentions, *entry.mentions}
                )
                basis = (entry.basis if slot is None else slot.basis) if entry.basis else None
                merged[key] = Participant(
                    name=(slot or entry).name,
                    kind=(slot or entry).kind,
                    mentions=tuple(sorted(mentions)),
                    id=(slot or entry).id,
                    wikidata=(slot or entry).wikidata,
                    basis=basis,
                )
    return [(side, entry) for (side, _), entry in sorted(merged.items(), key=lambda kv: kv[0])]


def _people_keys(entries: list[Participant]) -> dict[int, str]:
    """Unnamed victims that sources describe with a word in common ("13 people" and
    "villagers, 14 people"; each source's are one side already) are one party: the key of
    each entry (by ``id()``) is that of the first entry of its party."""
    unnamed = [e for e in entries if not e.id and e.kind != "person"]
    parent = list(range(len(unnamed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for index, entry in enumerate(unnamed):
        for mention in entry.mentions:
            head = _head_word(mention)
            if not head:
                continue
            if head in first_with:
                parent[root(index)] = root(first_with[head])
            else:
                first_with[head] = index
    return {
        id(entry): "people:" + _head(unnamed[root(index)]) for index, entry in enumerate(unnamed)
    }


def _party_key(side: str, entry: Participant) -> str:
    """Unlinked participants that are one party: attackers no source names ("gunmen",
    "the raiders", "the group") are one unidentified armed group, as ACLED codes them; other
    unnamed participants go by their head noun."""
    if side == "attackers" and entry.kind == "group":
        return "group:unidentified"
    return entry.kind + ":" + _head(entry)


def _head(entry: Participant) -> str:
    """The head noun an unnamed participant goes by: sources that say "32 people", "at
    least 30 people" and "people" name one group; a named person goes by the full name."""
    if entry.kind == "person":
        return min(fold(m) for m in entry.mentions)
    return _head_word(min(entry.mentions, key=len))


def _head_word(mention: str) -> str:
    """The last word of a mention, singular-ish ("32 people" -> "people", "men" -> "men")."""
    words = fold(mention).split()
    word = words[-1] if words else ""
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


# -- the canonical graph, written as N-Triples ---------------------------------------------


class _Canonical:
    """Canonical triples as N-Triples text, and the lots whose origins are still to add.

    The canonical graph is only written, never read back while it is made: an rdflib graph
    indexed every triple three ways and parsed every literal, and was then serialized again
    for the store, most of the merge's time on a corpus."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.lots: dict[str, list[str]] = {}  # canonical lot -> the source lots it comes from

    def __len__(self) -> int:
        return len(self.lines)

    def iri(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> <{obj}> .\n")

    def text(self, subject: str, predicate: str, value: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {_quoted(value)} .\n")

    def typed(self, subject: str, predicate: str, lexical: str, datatype: str) -> None:
        self.lines.append(f'<{subject}> <{predicate}> "{lexical}"^^<{datatype}> .\n')

    def ntriples(self) -> bytes:
        return "".join(self.lines).encode("utf-8")

    def subjects(self) -> set[str]:
        return {line[1 : line.index(">")] for line in self.lines}


def _quoted(value: str) -> str:
    """A string literal as N-Triples writes it (as ``kg.rdf.ntriples`` quotes one)."""
    return (
        '"'
        + value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
        + '"'
    )


_TYPE, _LABEL, _COMMENT = str(RDF.type), str(RDFS.label), str(RDFS.comment)
_INTEGER, _DECIMAL, _DATE, _BOOLEAN = (
    str(XSD.integer),
    str(XSD.decimal),
    str(XSD.date),
    str(XSD.boolean),
)
_DERIVED = str(PROV.wasDerivedFrom)


def canonical_graph(
    clusters: list[Cluster], previous: dict[str, str], outside: dict[str, str] | None = None
) -> Graph:
    """The canonical events for ``clusters`` as an rdflib graph (to read them; the merge
    itself writes N-Triples); ``previous`` maps claim IRI -> old event IRI, ``outside`` the
    claims of events not among the clusters to their events (the parents of sub-events, when
    only part of the graph is merged again)."""
    graph = Graph(identifier=iris.CANONICAL_GRAPH)
    graph.parse(data=_canonical(clusters, previous, outside).ntriples(), format="nt")
    return graph


def _canonical(
    clusters: list[Cluster], previous: dict[str, str], outside: dict[str, str] | None = None
) -> _Canonical:
    out = _Canonical()
    event_of = _event_names([[c.id for c in cluster.claims] for cluster in clusters], previous)
    linked = {**(outside or {}), **event_of}
    for cluster in clusters:
        _describe(out, cluster, linked)
    return out


def _event_names(clusters: list[list[str]], previous: dict[str, str]) -> dict[str, str]:
    """Claim IRI -> the IRI of its canonical event, for ``clusters`` (the claim IRIs of each,
    in the order of :func:`cluster_claims`): an event keeps the identifier one of its claims
    had before, else it is named by its claims."""
    event_of: dict[str, str] = {}
    named: set[str] = set()
    for claim_ids in clusters:
        reused = sorted({previous[c] for c in claim_ids if c in previous})
        event_of_cluster = reused[0] if reused else str(iris.canonical_event_iri(claim_ids))
        if event_of_cluster in named:  # a split event: the first part keeps the id
            event_of_cluster = str(iris.canonical_event_iri(claim_ids))
        named.add(event_of_cluster)
        for claim_id in claim_ids:
            event_of[claim_id] = event_of_cluster
    return event_of


def _describe(out: _Canonical, cluster: Cluster, event_of: dict[str, str]) -> None:
    claims = cluster.claims
    node = event_of[claims[0].id]
    event_type = _pick_type(claims)
    out.iri(node, _TYPE, CE.CanonicalEvent)
    out.iri(node, CE.eventType, ET[event_type])
    docs = sorted({s.doc_id for c in claims for s in c.sources})
    for claim in claims:
        out.iri(node, CE.claim, claim.id)
    for doc in docs:
        out.iri(node, CE.sourceArticle, iris.article_iri(doc))
    out.typed(node, CE.sourceCount, str(len(docs)), _INTEGER)
    confidence = max((c.confidence or 0.0) for c in claims)
    out.typed(node, CE.confidence, f"{confidence:.2f}", _DECIMAL)
    disagreements: set[str] = set()
    _write_participants(out, node, _merged_participants(claims), event_type == "materiel-capture")
    best = _best_place(claims)
    _write_place(out, node, best, claims)
    if _places_disagree(best, claims):
        disagreements.add("place")
    chosen = _best_date(claims)
    if chosen is not None:
        _write_date(out, node, chosen, claims)
        if _date_disagrees(claims):
            disagreements.add("date")
    span = _toll_span(claims)
    if span is not None:
        out.typed(node, CE.fatalities, str(span[0]), _INTEGER)
        out.typed(node, CE.fatalitiesLow, str(span[0]), _INTEGER)
        out.typed(node, CE.fatalitiesHigh, str(span[1]), _INTEGER)
        if span[0] != span[1]:
            disagreements.add("fatalities")
    _write_materiel(out, node, _lots(claims))
    # sub-event: the canonical event of the parents of its claims
    parents = Counter(event_of[c.parent_id] for c in claims if c.parent_id in event_of)
    if parents:
        out.iri(node, CE.subEventOf, parents.most_common(1)[0][0])
    if cluster.decisions:
        _write_decision(out, node, cluster, docs)
    for name in sorted(disagreements):
        out.text(node, CE.disagreement, name)
    # an older incident recalled by every source, or outside MUC-4's scope in every source
    if all(c.background for c in claims):
        out.typed(node, CE.background, "true", _BOOLEAN)
    if all(c.muc_excluded for c in claims):
        out.typed(node, CE.mucExcluded, "true", _BOOLEAN)


def _write_participants(
    out: _Canonical, node: str, merged: list[tuple[str, Participant]], capture: bool
) -> None:
    for index, (side, entry) in enumerate(merged):
        direct, role = ROLE_TERMS[(side.removeprefix("unnamed_"), capture)]
        actor = entry.id or f"{node}/party/{index}"
        if not entry.id:
            kind = CE.PhysicalTarget if entry.kind == "object" else CE.UnidentifiedActor
            out.iri(actor, _TYPE, kind)
            out.text(actor, _LABEL, entry.mentions[0])
        out.iri(node, direct, actor)
        part = f"{node}/participation/{index}"
        out.iri(node, CE.participation, part)
        out.iri(part, _TYPE, CE.Participation)
        out.iri(part, RDF.value, actor)
        out.iri(part, CE.role, role)
        out.text(part, CE.actorKind, entry.kind)
        for mention in entry.mentions:
            out.text(part, CE.mention, mention)
        if entry.basis:
            out.text(part, CE.attributionBasis, entry.basis)


def _write_place(
    out: _Canonical, node: str, place: EventPlace | None, claims: Sequence[StoredEvent]
) -> None:
    if place is None:
        return
    if place.id:
        out.iri(node, SEM.hasPlace, place.id)
    if place.precision:
        out.typed(node, CE.geoPrecision, str(place.precision), _INTEGER)
    for claim in claims:
        for mention in claim.place.mentions if claim.place is not None else ():
            out.text(node, CE.placeMention, mention)


def _write_date(
    out: _Canonical, node: str, chosen: StoredEvent, claims: Sequence[StoredEvent]
) -> None:
    """The most direct evidence of the day; undated reports inherit it, marked as inherited."""
    day = chosen.dates.value
    assert day is not None
    out.typed(node, CE.date, day.isoformat(), _DATE)
    out.iri(node, CE.dateOrigin, CE[chosen.dates.origin or "FromText"])
    if chosen.dates.precision:
        out.typed(node, CE.timePrecision, str(chosen.dates.precision), _INTEGER)
    source = iris.article_iri(chosen.sources[0].doc_id)
    out.iri(node, CE.dateSourceArticle, source)
    days = sorted({c.dates.value for c in claims if c.dates.value})
    out.typed(node, CE.earliestDate, days[0].isoformat(), _DATE)
    out.typed(node, CE.latestDate, days[-1].isoformat(), _DATE)
    for claim in claims:
        if not claim.dates.value:
            out.typed(claim.id, CE.date, day.isoformat(), _DATE)
            out.iri(claim.id, CE.dateOrigin, CE.FromCoreferentArticle)
            out.iri(claim.id, CE.dateSourceArticle, source)


def _write_materiel(out: _Canonical, node: str, lots: list[tuple[str, list[EventLot]]]) -> None:
    for model, entries in lots:
        lot_node = f"{node}/materiel/{iris.slug(model.rsplit('/', 1)[-1])}"
        out.iri(node, CE.materiel, lot_node)
        out.iri(lot_node, _TYPE, CE.MaterielLot)
        out.text(lot_node, _LABEL, max((m for e in entries for m in e.mentions), key=len))
        out.iri(lot_node, CE.weaponModel, model)
        out.iri(lot_node, CE.materielRole, MATERIEL_ROLE.get(entries[0].role or "", CE.Used))
        for mention in sorted({m for e in entries for m in e.mentions}):
            out.text(lot_node, CE.mention, mention)
        for entry in entries:
            out.iri(lot_node, _DERIVED, entry.lot)
        out.lots.setdefault(lot_node, []).extend(entry.lot for entry in entries)
        quantities = [e.quantity for e in entries if e.quantity]
        if quantities:
            out.typed(lot_node, CE.quantity, str(max(quantities)), _INTEGER)


def _write_decision(out: _Canonical, node: str, cluster: Cluster, docs: list[str]) -> None:
    """Why the claims were taken as one event: the features matched and the weakest score."""
    decision = f"{node}/merge"
    out.iri(node, CE.mergeDecision, decision)
    out.iri(decision, _TYPE, CE.MergeDecision)
    for claim in cluster.claims:
        out.iri(decision, CE.mergedClaim, claim.id)
    for feature in sorted({f for _, _, r in cluster.decisions for f in r.matched}):
        out.text(decision, CE.matchedFeature, feature)
    score = min(r.score for _, _, r in cluster.decisions)
    out.typed(decision, CE.mergeScore, f"{score:.3f}", _DECIMAL)
    out.text(
        decision,
        _COMMENT,
        f"{len(cluster.claims)} claims from {len(docs)} articles taken as one event: "
        + "; ".join(
            f"{a.rsplit('/', 2)[-2]} ~ {b.rsplit('/', 2)[-2]} score {r.score:.2f} "
            f"({', '.join(r.matched)})"
            for a, b, r in cluster.decisions
        ),
    )


def _previous_assignment(store: GraphStore) -> dict[str, str]:
    rows = store.query(
        f"SELECT ?claim ?event WHERE {{ GRAPH <{iris.CANONICAL_GRAPH}> "
        f"{{ ?event <{CE.claim}> ?claim }} }}"
    )
    return {row["claim"].value: row["event"].value for row in rows}


def _lot_origins(out: _Canonical, store: GraphStore) -> None:
    """Canonical lots take the origin their sources state; text beats a model's maker (the
    origins of the source lots only are read, with a VALUES list)."""
    query = (
        "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
        "SELECT ?lot ?country ?basis WHERE { ?lot ce:originCountry ?country . "
        "OPTIONAL { ?lot ce:originBasis ?basis } }"
    )
    sources = sorted({lot for listed in out.lots.values() for lot in listed})
    rows: Any = [r for ids in _chunked(sources) for r in store.query(_bind(query, "lot", ids))]
    # a lot with two stated origins: the same one is kept however the rows come
    rows = sorted(rows, key=lambda row: tuple("" if t is None else str(t) for t in row))
    origin = {
        r["lot"].value: (r["country"].value, r["basis"].value if r["basis"] else "text")
        for r in rows
    }
    for lot_node, listed in out.lots.items():
        found = sorted(
            {origin[src] for src in listed if src in origin},
            key=lambda cb: (cb[1] != "text", cb[0]),
        )
        if found:
            out.iri(lot_node, CE.originCountry, found[0][0])
            out.text(lot_node, CE.originBasis, found[0][1])
    out.lots = {}


def _load(store: GraphStore, out: _Canonical) -> None:
    """Add canonical triples to the store, with the origins of their materiel."""
    _lot_origins(out, store)
    store.oxigraph.load(
        out.ntriples(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iris.CANONICAL_GRAPH)
    )


# -- the whole store, a group of claims at a time ------------------------------------------


def recompute_canonical(store: GraphStore, *, fresh: bool = False) -> int:
    """Rewrite the canonical graph from every claim in the store; returns the event count.

    Event identifiers are kept from the previous canonical graph unless ``fresh`` is set, in
    which case every event is named anew from its claims (the same claims always give the
    same names).

    The claims are not held all at once: :func:`cluster_claims` decides each group of
    claims linked by pairs that :func:`candidate_pairs` proposes and :func:`match` merges on
    its own, so the store's claims are read a few hundred at a time and set aside in a
    temporary file (:class:`_Spool`), what blocking needs is kept of each
    (:class:`BlockingRecord`), those groups are found a blocking key at a time
    (:func:`_merge_groups`), and each group is clustered and described on its own, its
    triples set aside in a second temporary file that is bulk-loaded at the end
    (``WRITE_TRIPLES``). Memory then follows the largest group and the blocking keys, not
    every claim's record and every pair of the store, and the graph is the one clustering all
    the claims at once gives. The load is not one transaction: a build merges into a new
    generation of the store, which becomes current only when it is complete.
    """
    previous = {} if fresh else _previous_assignment(store)
    store.remove_graphs([str(iris.CANONICAL_GRAPH)])
    with _Spool() as spool:
        blocking = []
        for start in range(0, len(ids := claim_ids(store)), READ_CLAIMS):
            for record in collect_claims(store, ids[start : start + READ_CLAIMS]):
                blocking.append(blocking_record(record))
                spool.add(record)
        del ids
        groups = _merge_groups(blocking, spool)
        del blocking
        rooted: list[tuple[str, list[str], tuple[Decision, ...]]] = []
        for group in groups:
            for root, cluster in _rooted_clusters(spool.read(group)):
                rooted.append((root, [c.id for c in cluster.claims], cluster.decisions))
        rooted.sort(key=lambda item: item[0])  # the order cluster_claims gives
        event_of = _event_names([claims for _, claims, _ in rooted], previous)
        with tempfile.TemporaryFile() as written:
            out = _Canonical()
            for _, claims, decisions in rooted:
                _describe(out, Cluster(tuple(spool.read(claims)), decisions), event_of)
                if len(out) >= WRITE_TRIPLES:
                    _lot_origins(out, store)
                    written.write(out.ntriples())
                    out = _Canonical()
            _lot_origins(out, store)
            written.write(out.ntriples())
            written.seek(0)
            # straight into the store's files: no transaction to hold it all (the whole
            # build is one generation of the store, made current only once it is merged)
            store.oxigraph.bulk_load(
                written, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iris.CANONICAL_GRAPH)
            )
    return len(rooted)


READ_CLAIMS = 512
"""Claims read from the store at a time when the whole canonical graph is written again."""
WRITE_TRIPLES = 20_000
"""Canonical triples gathered (as N-Triples text, about 0.2 kB a triple) before the origins
of their materiel are read and they are set aside in a temporary file; the file is loaded
into the store at the end, with Oxigraph's bulk loader (on MUC-4 train, 72,500 triples:
2 s less than loading them in transactions, and 60 MB less memory)."""


def claim_ids(store: GraphStore) -> list[str]:
    """Every claim of the store, sorted (those of one article together)."""
    rows = store.query(_PREFIXES + "SELECT DISTINCT ?x WHERE { ?x a ce:EventClaim }")
    return sorted(row["x"].value for row in rows)


REFUSED_KEPT = 50_000
"""Pairs that do not merge remembered at a time (twice as many at most), so that a pair
that comes in several groups of :func:`candidate_groups` is mostly scored once."""


def _merge_groups(blocking: list[BlockingRecord], spool: _Spool) -> list[list[str]]:
    """The claims linked by pairs that :func:`candidate_pairs` proposes and :func:`match`
    merges, one list per group, from the blocking records of every claim; the full records
    are read from ``spool`` for the pairs that are scored. A pair whose claims are linked
    already is not scored, and the pairs are never all held at once."""
    parent = {claim.id: claim.id for claim in blocking}

    def root(claim_id: str) -> str:
        while parent[claim_id] != claim_id:
            parent[claim_id] = parent[parent[claim_id]]
            claim_id = parent[claim_id]
        return claim_id

    # claims in the order of their days, so that a group of pairs reads records close by,
    # and a pair that comes again (the same two claims on the next day) comes soon again
    blocking.sort(key=lambda c: (c.window is None, c.window or (), c.id))
    refused: set[tuple[str, str]] = set()
    refused_before: set[tuple[str, str]] = set()
    for group in candidate_groups(blocking):
        for pair in group:
            root_l, root_r = root(pair[0]), root(pair[1])
            if root_l == root_r or pair in refused or pair in refused_before:
                continue
            if match(spool.get(pair[0]), spool.get(pair[1])).merge:
                parent[root_l] = root_r
            else:
                refused.add(pair)
                if len(refused) == REFUSED_KEPT:
                    refused_before, refused = refused, set()
    members: dict[str, list[str]] = defaultdict(list)
    for claim_id in sorted(parent):
        members[root(claim_id)].append(claim_id)
    return sorted(members.values())


class _Spool:
    """Claim records set aside in a temporary file, read back by id (the most recently used
    kept in memory), so that the whole merge never holds every record."""

    CACHED = 1024

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self.where: dict[str, tuple[int, int]] = {}
        self.end = 0
        self.cache: OrderedDict[str, StoredEvent] = OrderedDict()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.file.close()

    def add(self, record: StoredEvent) -> None:
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self.file.write(data)
        self.where[record.id] = (self.end, len(data))
        self.end += len(data)

    def get(self, claim_id: str) -> StoredEvent:
        record = self.cache.get(claim_id)
        if record is not None:
            self.cache.move_to_end(claim_id)
            return record
        if self.file.tell() != self.end:
            self.file.seek(self.end)
        self.file.flush()
        start, size = self.where[claim_id]
        record = pickle.loads(os.pread(self.file.fileno(), size, start))
        self.cache[claim_id] = record
        if len(self.cache) > self.CACHED:
            self.cache.popitem(last=False)
        return record

    def read(self, ids: list[str]) -> list[StoredEvent]:
        return [self.get(claim_id) for claim_id in ids]


# -- merging what new articles change, not the whole store ------------------------------------

_PREFIXES = (
    "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
    "PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> "
    "PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)
_CANONICAL = f"<{iris.CANONICAL_GRAPH}>"
_PER_QUERY = 128  # terms in one VALUES list (see kg.claims.IDS_PER_QUERY)


@dataclass(frozen=True, slots=True)
class MergeUpdate:
    """What a merge did: the canonical events in the store after it, and the nodes it wrote
    or rewrote (events, their parts, claims whose events changed), so that a build validates
    those; ``touched`` is None when the whole canonical graph was written again."""

    events: int
    touched: tuple[str, ...] | None = None


def merge_articles(store: GraphStore, doc_ids: Iterable[str]) -> MergeUpdate:
    """Merge the claims of the articles ``doc_ids`` (just added, or replaced) into the
    canonical graph, re-merging only what they can change; the result is the canonical graph
    :func:`recompute_canonical` would write, event identifiers included.

    Two claims can only end up in one event through a chain of pairs that
    :func:`candidate_pairs` proposes and :func:`match` accepts, and :func:`cluster_claims`
    decides each connected group of such pairs on its own. So the claims to merge again are
    those reachable from the articles' claims (and from what is left of the events their
    earlier versions were part of) by such pairs: they are found by the blocking keys of
    ``candidate_pairs`` (a participant and days that meet, a town or what it is near, the
    name of an unknown village, a half-degree cell, a toll), looked up in the store with
    queries bound to those keys, and every event they belong to is written again; the rest
    of the canonical graph stays as it is. The cost follows the groups the new claims fall
    in, not the size of the store. A store without a canonical graph is merged whole.
    """
    docs = sorted(set(doc_ids))
    if not store.has_graph(str(iris.CANONICAL_GRAPH)):
        return MergeUpdate(recompute_canonical(store))
    claims_now = _column(
        store,
        "SELECT ?x WHERE { GRAPH ?g { ?x a ce:EventClaim } }",
        "g",
        [f"<{iris.article_graph_iri(d)}>" for d in docs],
    )
    # the events the articles' earlier versions were part of lose the claims they no longer
    # make; what is left of them is merged again too
    stale = set(
        _column(
            store,
            f"SELECT DISTINCT ?x WHERE {{ GRAPH {_CANONICAL} {{ ?x ce:sourceArticle ?a }} }}",
            "a",
            [f"<{iris.article_iri(d)}>" for d in docs],
        )
    )
    left = sorted(set(_members(store, stale)) - set(claims_now))
    seeds = set(claims_now) | set(
        _column(store, "SELECT ?x WHERE { ?x a ce:EventClaim }", "x", _iris(left))
    )
    reach = _Reach(store)
    records = reach.grow(seeds, {})
    while True:
        previous = _assignment(store, records)
        replaced = set(previous.values()) | stale
        clusters = cluster_claims(list(records.values()))
        event_of = _event_names([[c.id for c in k.claims] for k in clusters], previous)
        # a name an event takes may belong to an event this merge does not reach (the claim
        # it is named after left that event earlier): merge that event again too, so that
        # the names are given out as the whole merge gives them
        taken = _column(
            store,
            f"SELECT ?x WHERE {{ GRAPH {_CANONICAL} {{ ?x a ce:CanonicalEvent }} }}",
            "x",
            _iris(sorted({str(e) for e in event_of.values()} - replaced)),
        )
        if not taken:
            break
        records = reach.grow(set(_members(store, set(taken))) - records.keys(), records)
    parents = sorted({c.parent_id for c in records.values() if c.parent_id} - records.keys())
    out = _canonical(clusters, previous, _assignment(store, parents))
    relinked = _sub_event_links(store, records, event_of, replaced)
    for event, parent in relinked.items():
        if parent is not None:
            out.iri(event, CE.subEventOf, parent)
    _remove(store, replaced, set(records) | set(_members(store, replaced)), set(relinked))
    _load(store, out)
    touched = out.subjects() | set(records) | set(relinked)
    return MergeUpdate(_count_events(store), tuple(sorted(touched)))


class _Reach:
    """Claims of the store that can merge with given claims, found by the blocking keys of
    :func:`candidate_pairs` with queries bound to those keys; their records are read once."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.records: dict[str, StoredEvent] = {}
        self.light: dict[str, _Light] = {}
        self._persons: dict[str, set[str]] | None = None
        self._places: dict[str, tuple[set[str], set[tuple[int, int]]]] | None = None

    def grow(self, seeds: set[str], found: dict[str, StoredEvent]) -> dict[str, StoredEvent]:
        """``found`` and ``seeds`` with every claim reachable from them by pairs that
        ``candidate_pairs`` proposes and ``match`` merges."""
        found = dict(found)
        frontier = self.read(sorted(seeds - found.keys()))
        found.update((c.id, c) for c in frontier)
        while frontier:
            others = self.read(sorted(self.candidates(frontier) - found.keys()))
            inner = {c.id for c in frontier}
            by_id = {c.id: c for c in [*frontier, *others]}
            reached: dict[str, StoredEvent] = {}
            for left, right in sorted(candidate_pairs([*frontier, *others])):
                if (left in inner) == (right in inner):
                    continue
                other = right if left in inner else left
                if other not in reached and match(by_id[left], by_id[right]).merge:
                    reached[other] = by_id[other]
            found.update(reached)
            frontier = list(reached.values())
        return found

    def read(self, ids: list[str]) -> list[StoredEvent]:
        missing = [i for i in ids if i not in self.records]
        for record in collect_claims(self.store, missing):
            self.records[record.id] = record
        return [self.records[i] for i in ids if i in self.records]

    def candidates(self, claims: list[StoredEvent]) -> set[str]:
        """Claims that share a blocking key with ``claims`` and may merge with them: looked
        up by key, then thinned by their type family, dates and place precision (every claim
        that ``candidate_pairs`` pairs with one of ``claims`` and ``match`` can merge with it
        is kept)."""
        wanted: dict[tuple[Any, ...], list[BlockingRecord]] = defaultdict(list)
        types: dict[str, str] = {}
        for record in claims:
            types[record.id] = record.type
            claim = blocking_record(record)
            kind, cell = claim.family, claim.cell
            for key in claim.identities:
                wanted[("actor", kind, key)].append(claim)
            for key in claim.place_keys:
                wanted[("name" if key.startswith("name:") else "place", kind, key)].append(claim)
            for toll in _toll_range(claim.toll):
                wanted[("toll", kind, toll)].append(claim)
            if cell is not None:
                for d_row in (-1, 0, 1):
                    for d_col in (-1, 0, 1):
                        wanted[("cell", kind, (cell[0] + d_row, cell[1] + d_col))].append(claim)
        hits = self._lookup({key[0]: set() for key in wanted} | _by_route(wanted))
        missing = sorted({hit for hit, _, _ in hits} - self.light.keys())
        self.light.update(_light(self.store, missing))
        out: set[str] = set()
        for hit, route, key in hits:
            found = self.light.get(hit)
            if found is None or hit in out:
                continue
            kind, precision = family(found.type), found.precision
            if route in ("place", "cell") and (precision is None or precision > 2):
                continue  # only a town-level place has these keys (_place_keys)
            if route == "name" and precision is not None:
                continue
            # ``match`` never merges types that cannot name one incident, nor dated claims
            # whose days do not meet: a claim that shares a key only with such claims
            # cannot join their group
            window = _date_window(found.dates)
            if any(
                alike_at_one_place(found.type, types[asker.id]) and _days_meet(window, asker.window)
                for asker in wanted.get((route, kind, key), ())
            ):
                out.add(hit)
        return out

    def _lookup(self, keys: dict[str, set[Any]]) -> list[tuple[str, str, Any]]:
        """(claim, route, key) for the stored claims holding one of ``keys`` (by route)."""
        hits: list[tuple[str, str, Any]] = []
        actors = sorted(k for k in keys.get("actor", ()) if not k.startswith("person:"))
        rows = _rows(
            self.store,
            "SELECT ?x ?k WHERE { ?p rdf:value ?k . ?x ce:participation ?p . ?x a ce:EventClaim }",
            "k",
            _iris(actors),
        )
        hits += [(r["x"].value, "actor", r["k"].value) for r in rows]
        persons = sorted(k for k in keys.get("actor", ()) if k.startswith("person:"))
        if persons:
            index = self.persons()
            hits += [(x, "actor", k) for k in persons for x in sorted(index.get(k, ()))]
        rows = _rows(
            self.store,
            "SELECT ?x ?k WHERE { { ?x sem:hasPlace ?k } UNION "
            "{ ?place ce:near ?k . ?x sem:hasPlace ?place } ?x a ce:EventClaim }",
            "k",
            _iris(sorted(keys.get("place", ()))),
        )
        hits += [(r["x"].value, "place", r["k"].value) for r in rows]
        names, cells = keys.get("name", set()), keys.get("cell", set())
        if names or cells:
            where: dict[str, list[tuple[str, Any]]] = defaultdict(list)
            for place, (place_names, place_cells) in self.places().items():
                for name in place_names & names:
                    where[place].append(("name", name))
                for cell in place_cells & cells:
                    where[place].append(("cell", cell))
            rows = _rows(
                self.store,
                "SELECT ?x ?k WHERE { ?x sem:hasPlace ?k . ?x a ce:EventClaim }",
                "k",
                _iris(sorted(where)),
            )
            hits += [(r["x"].value, route, key) for r in rows for route, key in where[r["k"].value]]
        tolls = sorted(keys.get("toll", ()))
        rows = _rows(
            self.store,
            "SELECT ?x ?k WHERE { ?x ce:fatalities ?k . ?x a ce:EventClaim }",
            "k",
            [f'"{toll}"^^<{XSD.integer}>' for toll in tolls],
        )
        hits += [(r["x"].value, "toll", int(r["k"].value)) for r in rows]
        return hits

    def persons(self) -> dict[str, set[str]]:
        """Person key -> claims: unlinked people are known by the words of each report, so
        they are looked up among the people the store's claims name (once per merge)."""
        if self._persons is None:
            rows = self.store.query(
                _PREFIXES + 'SELECT ?x ?m WHERE { GRAPH ?g { ?p ce:actorKind "person" ; '
                "ce:mention ?m ; rdf:value ?a . ?x ce:participation ?p ; a ce:EventClaim } "
                'FILTER (!CONTAINS(STR(?a), "/actor/")) }'
            )
            self._persons = defaultdict(set)
            for row in rows:
                self._persons[_person_key(row["m"].value)].add(row["x"].value)
        return self._persons

    def places(self) -> dict[str, tuple[set[str], set[tuple[int, int]]]]:
        """Place -> its unknown-village name keys and its half-degree cells (once per
        merge): the places of the store, not its claims, so this grows with the gazetteer
        places and villages the articles name, not with the articles."""
        if self._places is None:
            codes: dict[str, set[str]] = defaultdict(set)
            for row in self.store.query(
                _PREFIXES + "SELECT DISTINCT ?p ?cc WHERE { ?p ce:countryCode ?cc }"
            ):
                codes[row["p"].value].add(row["cc"].value)
            places: dict[str, tuple[set[str], set[tuple[int, int]]]] = defaultdict(
                lambda: (set(), set())
            )
            for row in self.store.query(
                _PREFIXES + "SELECT DISTINCT ?p ?name WHERE { "
                "{ SELECT DISTINCT ?p WHERE { ?p ce:placeLevel ?level } } ?p rdfs:label ?name }"
            ):
                words = fold(row["name"].value).split()
                if words:
                    place = row["p"].value
                    for code in codes.get(place) or {"None"}:
                        places[place][0].add(f"name:{code}:{words[0]}")
            for row in self.store.query(
                _PREFIXES + "SELECT DISTINCT ?p ?wkt WHERE { "
                "{ SELECT DISTINCT ?p ?g WHERE { ?p geo:hasGeometry ?g } } ?g geo:asWKT ?wkt }"
            ):
                wkt = row["wkt"].value
                if wkt.startswith("POINT("):
                    lon, lat = (float(v) for v in wkt[6:-1].split())
                    places[row["p"].value][1].add((int(lat // 0.5), int(lon // 0.5)))
            self._places = dict(places)
        return self._places


def _by_route(wanted: dict[tuple[Any, ...], list[BlockingRecord]]) -> dict[str, set[Any]]:
    keys: dict[str, set[Any]] = defaultdict(set)
    for route, _, key in wanted:
        keys[route].add(key)
    return keys


def _days_meet(
    window: tuple[dt.date, dt.date] | None, other: tuple[dt.date, dt.date] | None
) -> bool:
    """Whether two claims' days meet, DATE_TOLERANCE_DAYS allowed (an undated claim meets
    every day): ``candidate_pairs`` indexes such claims under one day, and ``match`` never
    merges two dated claims whose days do not meet."""
    if window is None or other is None:
        return True
    tolerance = dt.timedelta(days=DATE_TOLERANCE_DAYS)
    return window[0] - tolerance <= other[1] and other[0] - tolerance <= window[1]


@dataclass(frozen=True, slots=True)
class _Light:
    """What :meth:`_Reach.candidates` reads of a claim that shares a key with the claims it
    asks about: its type, its dates as its article states them and its place precision."""

    type: str
    dates: EventDates
    precision: int | None


def _light(store: GraphStore, ids: list[str]) -> dict[str, _Light]:
    """Type, dates as the article states them, and place precision of the claims ``ids``."""
    rows = _rows(
        store,
        "SELECT ?x ?t ?date ?earliest ?latest ?o ?prec WHERE { GRAPH ?g { "
        "?x a ce:EventClaim ; ce:eventType ?t . OPTIONAL { ?x ce:date ?date } "
        "OPTIONAL { ?x ce:earliestDate ?earliest } OPTIONAL { ?x ce:latestDate ?latest } "
        "OPTIONAL { ?x ce:dateOrigin ?o } OPTIONAL { ?x ce:geoPrecision ?prec } } }",
        "x",
        _iris(ids),
        at="GRAPH ?g {",  # Oxigraph joins a VALUES outside the GRAPH block 16 times slower
    )
    out = {}
    for row in rows:
        value = {name: None if row[name] is None else row[name].value for name in _LIGHT}
        out[row["x"].value] = _Light(
            type=str(value["t"]).rsplit("/", 1)[-1],
            dates=EventDates(
                value=_day(value["date"]),
                earliest=_day(value["earliest"]),
                latest=_day(value["latest"]),
                origin=value["o"].rsplit("#", 1)[-1] if value["o"] else None,
            ),
            precision=int(value["prec"]) if value["prec"] is not None else None,
        )
    return out


_LIGHT = ("t", "date", "earliest", "latest", "o", "prec")


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _sub_event_links(
    store: GraphStore,
    records: dict[str, StoredEvent],
    event_of: dict[str, str],
    replaced: set[str],
) -> dict[str, str | None]:
    """Events left as they are whose claims are sub-events of re-merged claims: the event
    their sub-event link points to now (None: no link), as ``_describe`` chooses it."""
    rows = _rows(
        store,
        "SELECT ?child WHERE { ?child ce:subEventOf ?k . ?child a ce:EventClaim }",
        "k",
        _iris(sorted(records)),
    )
    children = sorted({r["child"].value for r in rows} - records.keys())
    events = set(_assignment(store, children).values()) - replaced
    if not events:
        return {}
    members = _members(store, events)
    rows = _rows(
        store,
        "SELECT ?x ?k WHERE { ?x ce:subEventOf ?k . ?x a ce:EventClaim . ?k ce:eventType ?t }",
        "x",
        _iris(sorted(members)),
    )
    parent = {r["x"].value: r["k"].value for r in rows}
    outside = sorted(set(parent.values()) - records.keys())
    link = {**_assignment(store, outside), **{c: str(e) for c, e in event_of.items()}}
    out: dict[str, str | None] = {}
    for event in sorted(events):
        claims = sorted(c for c, e in members.items() if e == event)
        counts = Counter(link[parent[c]] for c in claims if parent.get(c) in link)
        out[event] = counts.most_common(1)[0][0] if counts else None
    return out


def _remove(store: GraphStore, events: set[str], claims: set[str], relinked: set[str]) -> None:
    """Take ``events`` (and the nodes under their IRIs), what the canonical graph says of
    ``claims`` (inherited dates) and the sub-event links of ``relinked`` out of the
    canonical graph."""
    import pyoxigraph as ox

    database, graph = store.oxigraph, ox.NamedNode(str(iris.CANONICAL_GRAPH))
    subjects, todo = set(claims), sorted(events)
    while todo:
        subjects.update(todo)
        below = set()
        for node in todo:
            for quad in database.quads_for_pattern(ox.NamedNode(node), None, None, graph):
                target = quad.object
                if isinstance(target, ox.NamedNode) and target.value.startswith(node + "/"):
                    below.add(target.value)
        todo = sorted(below - subjects)
    listed = sorted(subjects)
    for start in range(0, len(listed), _PER_QUERY):
        values = " ".join(f"<{s}>" for s in listed[start : start + _PER_QUERY])
        database.update(
            f"DELETE {{ GRAPH {_CANONICAL} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH {_CANONICAL} {{ ?s ?p ?o }} }}"
        )
    for event in sorted(relinked - events):
        database.update(
            f"DELETE WHERE {{ GRAPH {_CANONICAL} {{ <{event}> <{CE.subEventOf}> ?o }} }}"
        )


def _assignment(store: GraphStore, claims: Iterable[str]) -> dict[str, str]:
    """Claim -> the canonical event that holds it now, for ``claims``."""
    return _claim_events(store, "x", claims)


def _members(store: GraphStore, events: set[str]) -> dict[str, str]:
    """Claim -> event, for the claims the canonical ``events`` list now."""
    return _claim_events(store, "e", events)


def _claim_events(store: GraphStore, var: str, terms: Iterable[str]) -> dict[str, str]:
    """Claim -> canonical event, for the claims (``var`` "x") or events ("e") ``terms``."""
    rows = _rows(
        store,
        f"SELECT ?x ?e WHERE {{ GRAPH {_CANONICAL} {{ ?e ce:claim ?x }} }}",
        var,
        _iris(sorted(terms)),
    )
    return {r["x"].value: r["e"].value for r in rows}


def _count_events(store: GraphStore) -> int:
    rows = list(
        store.query(
            f"{_PREFIXES}SELECT (COUNT(?e) AS ?n) WHERE "
            f"{{ GRAPH {_CANONICAL} {{ ?e a ce:CanonicalEvent }} }}"
        )
    )
    return int(rows[0]["n"].value)


def _iris(values: Iterable[str]) -> list[str]:
    return [f"<{v}>" for v in values]


def _chunked(values: list[str]) -> list[list[str]]:
    return [values[i : i + _PER_QUERY] for i in range(0, len(values), _PER_QUERY)]


def _bind(query: str, var: str, terms: list[str], at: str = "WHERE {") -> str:
    """``query`` with ``?var`` bound to ``terms`` (SPARQL terms, or IRIs to bracket) by a
    VALUES block placed after ``at``."""
    listed = " ".join(t if t[0] in '<"' else f"<{t}>" for t in terms)
    return query.replace(at, f"{at} VALUES ?{var} {{ {listed} }}", 1)


def _rows(
    store: GraphStore, query: str, var: str, terms: list[str], at: str = "WHERE {"
) -> list[Any]:
    """The rows of ``query`` with ``?var`` bound to each of ``terms`` (none: no rows)."""
    return [
        row
        for part in _chunked(terms)
        for row in store.query(_bind(_PREFIXES + query, var, part, at))
    ]


def _column(store: GraphStore, query: str, var: str, terms: list[str]) -> list[str]:
    return sorted({row[0].value for row in _rows(store, query, var, terms)})
