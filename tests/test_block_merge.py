"""The whole merge a group of claims at a time (issue 13): the store's claims are read a few at
a time, the groups of claims that can merge are found a blocking key at a time and each group
is clustered and written on its own; the canonical graph is the one clustering every claim at
once gives. No model needed: the claims are records made here and served as the store would."""

from __future__ import annotations

import random
from dataclasses import replace

import pyoxigraph as ox
import pytest
from test_merge import claim, placed

from kg import merge
from kg.merge import (
    blocking_record,
    candidate_groups,
    candidate_pairs,
    canonical_graph,
    cluster_claims,
)
from kg.rdf import iris
from kg.rdf.namespace import CE
from kg.records import SourceRef, StoredEvent
from kg.store import GraphStore

GROUPS = ("jnim", "islamic-state-sahel-province", "ansaroul-islam")
ARMIES = ("military-forces-of-burkina-faso", "military-forces-of-mali")
TOWNS = (("2359608", 13.09, -1.08, "BF"), ("2357048", 13.58, -2.42, "BF"),
         ("2460596", 14.35, -3.61, "ML"))


def corpus(seed: int = 7, incidents: int = 14) -> list[StoredEvent]:
    """Incidents told by two to four outlets each, in their own ways (a day apart, without a
    date, another toll, no attacker named, a village the gazetteer lacks), with the capture
    of weapons some clashes end in; and the same groups active on days close by, elsewhere,
    so that many pairs are compared and few merge."""
    pick = random.Random(seed)
    claims: list[StoredEvent] = []
    for number in range(incidents):
        kind = pick.choice(("attack", "armed-clash", "abduction"))
        town, lat, lon, cc = pick.choice(TOWNS)
        day = 10 + number // 3
        toll = pick.choice((None, 3, 12, 40))
        attacker, army = pick.choice(GROUPS), pick.choice(ARMIES)
        for outlet in range(pick.randint(2, 4)):
            doc = f"{pick.choice('abcdef')}{number:02d}-outlet{outlet}"
            told_day = day + pick.choice((0, 0, 1))
            told = claim(
                doc,
                type_=kind,
                date=None if pick.random() < 0.25 else f"2024-03-{told_day:02d}",
                attackers=() if pick.random() < 0.2 else (attacker,),
                targets=(army,),
                place=town,
                lat=lat + pick.uniform(-0.05, 0.05),
                lon=lon + pick.uniform(-0.05, 0.05),
                cc=cc,
                fatalities=None if toll is None else toll + pick.choice((0, 0, 1)),
                key=f"{kind}-{number}",
            )
            if pick.random() < 0.2:  # a village the gazetteer lacks
                told = placed(told, precision=None, id=None, lat=None, lon=None,
                              name=f"Village {number}")
            claims.append(told)
            if kind == "armed-clash" and outlet < 2:
                capture = claim(doc, type_="materiel-capture", attackers=(attacker,),
                                targets=(army,), place=town, lat=lat, lon=lon, cc=cc,
                                key=f"materiel-capture-{number}")
                claims.append(replace(capture, dates=told.dates, parent_id=told.id))
    return claims


def test_the_groups_of_pairs_hold_every_candidate_pair_and_no_other() -> None:
    claims = corpus()
    pairs = candidate_pairs(claims)
    grouped = [
        pair for group in candidate_groups([blocking_record(c) for c in claims]) for pair in group
    ]
    assert set(grouped) == pairs
    assert all(left < right for left, right in grouped)
    assert len(grouped) > len(pairs)  # a pair of claims sharing two keys comes twice


class _ServedStore:
    """Claims served to the merge as the store would give them, counting what is asked."""

    def __init__(self, claims: list[StoredEvent]) -> None:
        self.claims = {c.id: c for c in claims}
        self.asked: list[int] = []

    def ids(self, store: GraphStore) -> list[str]:
        return sorted(self.claims)

    def read(self, store: GraphStore, ids: list[str]) -> list[StoredEvent]:
        self.asked.append(len(ids))
        return [self.claims[i] for i in ids]


def _canonical(store: GraphStore) -> set[str]:
    data = store.dump(ox.RdfFormat.N_TRIPLES, str(iris.CANONICAL_GRAPH))
    return set(data.decode().splitlines())


def _at_once(claims: list[StoredEvent], previous: dict[str, str]) -> set[str]:
    graph = canonical_graph(cluster_claims(claims), previous)
    store = GraphStore(None)
    store.add_to_graph(graph)
    return _canonical(store)


@pytest.fixture()
def served(monkeypatch: pytest.MonkeyPatch) -> _ServedStore:
    claims = corpus()
    server = _ServedStore(claims)
    monkeypatch.setattr(merge, "claim_ids", server.ids)
    monkeypatch.setattr(merge, "collect_claims", server.read)
    # small reads, a small cache and small writes: every part of the stream is exercised
    monkeypatch.setattr(merge, "READ_CLAIMS", 5)
    monkeypatch.setattr(merge, "WRITE_TRIPLES", 60)
    monkeypatch.setattr(merge._Spool, "CACHED", 3)
    return server


def test_the_whole_merge_a_group_at_a_time_writes_what_clustering_all_at_once_does(
    served: _ServedStore,
) -> None:
    claims = list(served.claims.values())
    store = GraphStore(None)
    events = merge.recompute_canonical(store, fresh=True)
    written = _canonical(store)
    clusters = cluster_claims(claims)
    assert events == len(clusters)
    assert written == _at_once(claims, {})
    # the corpus merges reports across outlets and links captures to the merged clashes
    assert any(len({s.doc_id for c in k.claims for s in c.sources}) > 2 for k in clusters)
    assert any(f"<{CE.subEventOf}>" in line for line in written)
    # the claims were read five at a time, never all at once
    assert sum(served.asked) == len(claims) and max(served.asked) == 5


def test_a_merge_again_keeps_event_names_as_the_merge_of_all_claims_does(
    served: _ServedStore,
) -> None:
    store = GraphStore(None)
    merge.recompute_canonical(store, fresh=True)
    previous = merge._previous_assignment(store)
    # one report more of the first incident, and one report fewer of another: events keep
    # the names their claims had, and a split event's first part keeps its name
    first = next(iter(served.claims.values()))
    again = replace(first, id=first.id.replace("/claim/", "/claim/zz-"),
                    sources=(SourceRef("zz-late"),))
    served.claims[again.id] = again
    gone = sorted(served.claims)[len(served.claims) // 2]
    del served.claims[gone]
    merge.recompute_canonical(store)
    assert _canonical(store) == _at_once(list(served.claims.values()), previous)
    events = {line.split(" ", 1)[0] for line in _canonical(store) if f"<{CE.claim}>" in line}
    assert {f"<{e}>" for e in previous.values()} & events


def test_the_groups_are_those_of_the_pairs_that_merge(served: _ServedStore) -> None:
    claims = list(served.claims.values())
    with merge._Spool() as spool:
        for record in claims:
            spool.add(record)
        blocking = [blocking_record(c) for c in claims]
        groups = merge._merge_groups(blocking, spool)
    assert sorted(i for group in groups for i in group) == sorted(served.claims)
    group_of = {i: n for n, group in enumerate(groups) for i in group}
    clusters = cluster_claims(claims)
    # every event lies in one group; a group of several claims holds pairs that merge
    assert all(len({group_of[c.id] for c in k.claims}) == 1 for k in clusters)
    assert len(groups) < len(claims) and len(groups) <= len(clusters)
