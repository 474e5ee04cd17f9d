"""Cross-article merging: the hard cases of issue 5, on claim records (no model needed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.merge import candidate_pairs, canonical_graph, cluster_claims, match
from kg.rdf.namespace import CE, SEM
from kg.records import EventDates, EventPlace, Participant, SourceRef, StoredEvent

ACTOR = "https://w3id.org/conflict-kg/id/actor/"
PLACE = "https://w3id.org/conflict-kg/id/place/geonames/"


def claim(
    doc: str,
    *,
    type_: str = "attack",
    date: str | None = "2024-03-21",
    origin: str = "FromText",
    attackers: tuple[str, ...] = ("islamic-state-sahel-province",),
    targets: tuple[str, ...] = ("military-forces-of-burkina-faso",),
    place: str = "2359608",
    lat: float = 13.09,
    lon: float = -1.08,
    cc: str = "BF",
    fatalities: int | None = None,
    key: str = "attack-10",
) -> StoredEvent:
    def party(actor_id: str) -> Participant:
        return Participant(actor_id, "organization", (actor_id.upper(),), ACTOR + actor_id)

    day = dt.date.fromisoformat(date) if date else None
    return StoredEvent(
        id=f"https://w3id.org/conflict-kg/id/claim/{doc}/{key}",
        type=type_,
        dates=EventDates(day, day, day, origin if date else None),
        confidence=0.8,
        place=EventPlace(
            id=PLACE + place,
            name="P",
            country_code=cc,
            precision=1,
            country="X",
            lat=lat,
            lon=lon,
            geonames_id=int(place),
            mentions=("P",),
        ),
        attackers=tuple(party(a) for a in attackers),
        targets=tuple(party(t) for t in targets),
        fatalities=fatalities,
        sources=(SourceRef(doc),),
    )


def placed(record: StoredEvent, **changes: Any) -> StoredEvent:
    """``record`` with some fields of its place changed."""
    assert record.place is not None
    return replace(record, place=replace(record.place, **changes))


def unplaced(*records: StoredEvent) -> list[StoredEvent]:
    return [replace(record, place=None) for record in records]


def on_day(day: str | None, origin: str = "FromText") -> EventDates:
    value = dt.date.fromisoformat(day) if day else None
    return EventDates(value, value, value, origin if day else None)


def group(words: str, *more: str, kind: str = "group") -> Participant:
    """A participant no actor table names, in the words of one source."""
    return Participant(words, kind, (words, *more))


def test_same_attack_in_other_words_a_day_apart_merges() -> None:
    a = claim("reuters", date="2024-03-21")
    b = claim("afp", date="2024-03-20", type_="armed-clash")
    result = match(a, b)
    assert result.merge, result
    assert set(result.matched) >= {"type", "actors", "place", "date"}
    [cluster] = cluster_claims([a, b])
    assert len(cluster.claims) == 2


def test_same_groups_same_province_a_week_apart_do_not_merge() -> None:
    a = claim("r1", date="2024-03-21")
    b = claim("r2", date="2024-03-28", place="2360000", lat=13.2, lon=-1.0)
    result = match(a, b)
    assert not result.merge and result.blocked_by and result.blocked_by.startswith("date")
    assert len(cluster_claims([a, b])) == 2


def test_same_date_and_type_in_different_countries_do_not_merge() -> None:
    a = claim("r1")
    b = claim("r2", cc="ML", place="2453348", lat=14.35, lon=-3.6)
    assert match(a, b).blocked_by == "country"
    assert len(cluster_claims([a, b])) == 2


def test_different_attackers_do_not_merge() -> None:
    a = claim("r1", attackers=("jnim",), targets=("vdp",))
    b = claim("r2", attackers=("islamic-state-sahel-province",), targets=("ansarul-islam",))
    assert match(a, b).blocked_by == "attackers"


def test_a_shared_group_and_date_without_place_or_target_is_not_enough() -> None:
    a, b = unplaced(claim("r1", targets=()), claim("r2", targets=()))
    result = match(a, b)
    assert not result.merge
    assert result.blocked_by == "neither the place nor both sides in common"


def test_same_attacker_and_target_without_place_merge() -> None:
    a, b = unplaced(claim("r1"), claim("r2", date=None))
    assert match(a, b).merge


def test_undated_report_matches_a_dated_one_and_inherits_its_date() -> None:
    dated = claim("dated", date="2024-03-21", origin="FromDateline")
    undated = claim("undated", date=None)
    [cluster] = cluster_claims([dated, undated])
    graph = canonical_graph([cluster], {})
    [event] = graph.subjects(CE.claim, URIRef(dated.id))
    assert graph.value(event, CE.date) == Literal("2024-03-21", datatype=XSD.date)
    assert graph.value(event, CE.dateOrigin) == CE.FromDateline
    assert str(graph.value(event, CE.dateSourceArticle)).endswith("/article/dated")
    inherited = URIRef(undated.id)
    assert graph.value(inherited, CE.dateOrigin) == CE.FromCoreferentArticle
    assert graph.value(inherited, CE.date) == Literal("2024-03-21", datatype=XSD.date)


def test_differing_casualty_counts_merge_with_a_range_and_a_disagreement() -> None:
    a = claim("r1", fatalities=12)
    b = claim("r2", fatalities=15)
    [cluster] = cluster_claims([a, b])
    graph = canonical_graph([cluster], {})
    [event] = set(graph.subjects(CE.claim, None))
    assert graph.value(event, CE.fatalitiesLow) == Literal(12, datatype=XSD.integer)
    assert graph.value(event, CE.fatalitiesHigh) == Literal(15, datatype=XSD.integer)
    assert graph.value(event, CE.fatalities) == Literal(12, datatype=XSD.integer)
    assert Literal("fatalities") in set(graph.objects(event, CE.disagreement))
    assert graph.value(event, CE.sourceCount) == Literal(2, datatype=XSD.integer)
    decision = graph.value(event, CE.mergeDecision)
    assert {str(f) for f in graph.objects(decision, CE.matchedFeature)} >= {"actors", "place"}


def test_dates_that_differ_by_a_day_are_kept_as_a_disagreement() -> None:
    [cluster] = cluster_claims([claim("r1", date="2024-03-21"), claim("r2", date="2024-03-20")])
    graph = canonical_graph([cluster], {})
    [event] = set(graph.subjects(CE.claim, None))
    assert Literal("date") in set(graph.objects(event, CE.disagreement))
    assert graph.value(event, CE.earliestDate) == Literal("2024-03-20", datatype=XSD.date)
    assert graph.value(event, CE.latestDate) == Literal("2024-03-21", datatype=XSD.date)


def test_claims_of_one_article_are_never_merged_across() -> None:
    a = claim("same", key="attack-10")
    b = claim("same", key="attack-99")
    assert match(a, b).blocked_by == "same article"


def test_a_chain_does_not_join_incompatible_claims() -> None:
    # b matches a and c, but a and c are a week apart: c must not join a's event
    a = claim("r1", date="2024-03-20")
    b = claim("r2", date=None)
    c = claim("r3", date="2024-03-27")
    clusters = cluster_claims([a, b, c])
    assert len(clusters) == 2
    assert all(not ({a.id, c.id} <= {x.id for x in cl.claims}) for cl in clusters)


def test_event_identifier_is_kept_when_a_report_is_added() -> None:
    a = claim("b-first")
    [alone] = cluster_claims([a])
    first = canonical_graph([alone], {})
    [event] = set(first.subjects(CE.claim, None))
    later = claim("a-later")  # sorts before: would win a fresh naming
    [both] = cluster_claims([a, later])
    second = canonical_graph([both], {a.id: str(event)})
    assert set(second.subjects(CE.claim, None)) == {event}


def test_capture_sub_event_points_at_the_merged_clash() -> None:
    clash_a = claim("r1", type_="armed-clash", key="armed-clash-1")
    clash_b = claim("r2", type_="armed-clash", key="armed-clash-1")
    capture_a = replace(
        claim("r1", type_="materiel-capture", key="materiel-capture-9"), parent_id=clash_a.id
    )
    capture_b = replace(
        claim("r2", type_="materiel-capture", key="materiel-capture-9"), parent_id=clash_b.id
    )
    clusters = cluster_claims([clash_a, clash_b, capture_a, capture_b])
    assert len(clusters) == 2
    graph = canonical_graph(clusters, {})
    [capture] = set(graph.subjects(CE.claim, URIRef(capture_a.id)))
    [clash] = set(graph.subjects(CE.claim, URIRef(clash_a.id)))
    assert graph.value(capture, CE.subEventOf) == clash


def test_the_same_named_victim_counts_as_a_shared_participant() -> None:
    def person(doc: str, name: str) -> StoredEvent:
        return replace(claim(doc, attackers=(), targets=()), victims=(group(name, kind="person"),))

    same = match(person("r1", "Ignacio Ellacuria"), person("r2", "Father Ignacio Ellacuría"))
    assert same.merge and "actors" in same.matched
    other = match(person("r1", "Ignacio Ellacuria"), person("r2", "Segundo Montes"))
    assert not other.merge


def test_a_shared_country_or_province_is_not_evidence_of_one_event() -> None:
    a, b = (
        placed(claim(doc, targets=()), precision=3, id="https://w3id.org/conflict-kg/id/place/iso/BF")
        for doc in ("r1", "r2")
    )
    result = match(a, b)
    assert "place" not in result.matched and not result.merge


def test_an_attribution_by_the_article_stays_marked_until_a_sentence_states_it() -> None:
    def attributed(doc: str, by_sentence: bool) -> StoredEvent:
        record = claim(doc)
        side = replace(record.attackers[0], basis=None if by_sentence else "article")
        return replace(record, attackers=(side,))

    def bases(records: list[StoredEvent]) -> set[Any]:
        graph = canonical_graph(cluster_claims(records), {})
        return set(graph.objects(None, CE.attributionBasis))

    assert bases([attributed("reuters", False), attributed("afp", False)]) == {Literal("article")}
    assert bases([attributed("reuters", False), attributed("afp", True)]) == set()


# -- several outlets, one incident (issue 15) -----------------------------------------------
def test_one_town_one_kind_of_violence_and_meeting_days_merge_without_shared_sides() -> None:
    a = claim("outlet-a", attackers=("jnim",), targets=())
    b = claim("outlet-b", type_="armed-clash", attackers=(), targets=(), date="2024-03-22")
    result = match(a, b)
    assert result.merge and "place" in result.matched and "actors" not in result.matched
    assert len(cluster_claims([a, b])) == 1


def test_a_kidnapping_and_an_attack_at_one_town_merge_but_not_elsewhere() -> None:
    a = claim("outlet-a", type_="abduction", attackers=(), targets=())
    b = claim("outlet-b", attackers=(), targets=())
    assert match(a, b).merge
    far = claim("outlet-c", attackers=(), targets=(), place="2357048", lat=12.06, lon=0.36)
    assert not match(a, far).merge


def test_the_same_sizeable_toll_on_the_same_days_merges_country_level_reports() -> None:
    a, b = unplaced(
        claim("outlet-a", attackers=(), targets=(), fatalities=37),
        claim("outlet-b", attackers=(), targets=(), fatalities=37, date="2024-03-22"),
    )
    result = match(a, b)
    assert result.merge and "fatalities" in result.matched
    assert not match(a, replace(b, fatalities=12)).merge


def test_a_toll_revised_by_a_few_still_names_one_event_but_not_without_days() -> None:
    a, b, undated = unplaced(
        claim("outlet-a", attackers=(), targets=(), fatalities=40),
        claim("outlet-b", attackers=(), targets=(), fatalities=37, date="2024-03-22"),
        claim("outlet-c", attackers=(), targets=(), fatalities=37, date=None),
    )
    assert match(a, b).merge
    assert {tuple(sorted((a.id, b.id)))} <= candidate_pairs([a, b])
    assert not match(a, undated).merge  # a toll alone, undated, names no event


def test_a_village_the_gazetteer_lacks_matches_by_name_in_its_country() -> None:
    a, b = (
        placed(claim(doc, attackers=(), targets=()), precision=None, id=None, lat=None,
               lon=None, name="Tinakof")
        for doc in ("outlet-a", "outlet-b")
    )
    assert match(a, b).merge
    assert not match(a, placed(b, name="Markoye")).merge


def test_a_report_does_not_merge_with_an_event_after_its_publication() -> None:
    a = claim("outlet-a", date="2024-03-22")
    b = replace(
        claim("outlet-b", date=None),
        sources=(SourceRef("outlet-b", published=dt.date(2024, 3, 21)),),
    )
    result = match(a, b)
    assert not result.merge and result.blocked_by == "date after the other's publication"


def test_at_one_town_outlets_naming_the_people_hit_differently_still_merge() -> None:
    a = claim("r1", targets=("red-cross",))
    b = claim("r2", targets=("military-forces-of-burkina-faso",))
    assert match(a, b).merge
    elsewhere = claim("r2", targets=("military-forces-of-burkina-faso",), place="2360000",
                      lat=12.0, lon=-2.5)
    assert not match(a, elsewhere).merge


def test_an_unknown_village_and_a_longer_name_that_begins_with_it_are_one_place() -> None:
    def village(doc: str, name: str) -> StoredEvent:
        return placed(claim(doc, attackers=(), targets=()), name=name, mentions=(name,),
                      precision=None, lat=None, lon=None, geonames_id=None, id=None,
                      country_code="NE")

    assert match(village("r1", "Xqzkoure"), village("r2", "Xqzkoure Wildlife Reserve")).merge
    assert not match(village("r1", "Xqzkoure"), village("r2", "Xqzkourteye")).merge
    assert candidate_pairs([village("r1", "Xqzkoure"), village("r2", "Xqzkoure Wildlife Reserve")])


def test_sources_counting_one_group_of_people_differently_give_one_participant() -> None:
    def counted(doc: str, words: str) -> StoredEvent:
        return replace(claim(doc, targets=()), unnamed_victims=(group(words),))

    clusters = cluster_claims([counted("r1", "at least 32 people"), counted("r2", "30 people")])
    assert len(clusters) == 1
    graph = canonical_graph(clusters, {})
    groups = [p for p in graph.objects(None, CE.participation)
              if str(graph.value(p, CE.actorKind)) == "group"]
    assert len(groups) == 1
    assert {str(m) for m in graph.objects(groups[0], CE.mention)} == {
        "at least 32 people", "30 people"}


def test_attackers_no_source_names_are_one_unidentified_armed_group() -> None:
    def unnamed(doc: str, words: str) -> StoredEvent:
        return replace(claim(doc, attackers=()), attackers=(group(words),))

    clusters = cluster_claims([unnamed("r1", "gunmen"), unnamed("r2", "the raiders")])
    assert len(clusters) == 1
    graph = canonical_graph(clusters, {})
    sides = [p for p in graph.objects(None, CE.participation)
             if str(graph.value(p, CE.actorKind)) == "group"]
    assert len(sides) == 1
    assert {str(m) for m in graph.objects(sides[0], CE.mention)} == {"gunmen", "the raiders"}


def _in_province(doc: str, precision: int, admin1: str | None, fatalities: int) -> StoredEvent:
    """An undated report placed at a province (precision 3) or near a town in it (2)."""
    record = claim(doc, date=None, attackers=(), targets=(), fatalities=fatalities,
                   place=str(100 + precision))
    return placed(record, precision=precision, admin1=admin1, name=f"{admin1}-{precision}")


def test_undated_reports_of_one_toll_in_one_province_merge() -> None:
    region = _in_province("outlet-a", 3, "Sahel", 80)
    town = _in_province("outlet-b", 2, "Sahel", 80)
    result = match(region, town)
    assert result.merge and "fatalities" in result.matched, result
    assert not match(region, _in_province("outlet-c", 2, "Sahel", 79)).merge  # undated: exact
    smaller = _in_province("outlet-f", 3, "Sahel", 12)
    assert match(smaller, _in_province("outlet-g", 2, "Sahel", 12)).merge
    assert not match(smaller, _in_province("outlet-d", 2, "Est", 12)).merge
    assert not match(region, _in_province("outlet-e", 2, "Sahel", 3)).merge  # a small toll


def test_the_canonical_place_is_the_village_before_its_province() -> None:
    village = placed(claim("outlet-a", key="attack-1"), precision=None, name="Xqzkaram",
                     lat=None, lon=None,
                     id="https://w3id.org/conflict-kg/id/place/unresolved/td/xqzkaram")
    province = placed(claim("outlet-b", key="attack-2"), precision=3, name="Lac",
                      id=PLACE + "999")
    [cluster] = cluster_claims([village, province])
    graph = canonical_graph([cluster], {})
    [node] = set(graph.subjects(CE.claim, None))
    assert village.place is not None
    assert (node, SEM.hasPlace, URIRef(village.place.id)) in graph


def test_two_undated_reports_of_one_large_toll_in_one_country_merge() -> None:
    a = _in_province("outlet-a", 3, "Sahel", 80)
    b = placed(_in_province("outlet-b", 2, "Nord", 80), admin1=None)
    assert match(a, b).merge
    one_day = replace(b, id=b.id.replace("outlet-b", "outlet-c"), dates=on_day("2024-03-21"),
                      sources=(SourceRef("outlet-c"),))
    assert not match(a, one_day).merge  # one dated: only within one province
    small = placed(_in_province("outlet-d", 2, "Nord", 12), admin1=None)
    assert not match(_in_province("outlet-e", 3, "Sahel", 12), small).merge


def test_unnamed_victims_sources_describe_with_a_word_in_common_are_one_party() -> None:
    def hit(doc: str, *words: str) -> StoredEvent:
        return replace(claim(doc, targets=()), unnamed_victims=(group(*words),))

    clusters = cluster_claims([
        hit("r1", "13 villagers", "women"),
        hit("r2", "at least 14 people", "fleeing villagers"),
        hit("r3", "two guards"),
    ])
    assert len(clusters) == 1
    graph = canonical_graph(clusters, {})
    groups = [p for p in graph.objects(None, CE.participation)
              if str(graph.value(p, CE.actorKind)) == "group"]
    described = sorted(sorted(str(m) for m in graph.objects(g, CE.mention)) for g in groups)
    assert described == [
        ["13 villagers", "at least 14 people", "fleeing villagers", "women"], ["two guards"]]


def test_a_protest_one_outlet_saw_turn_violent_is_a_riot_in_the_canonical_event() -> None:
    def report(doc: str, type_: str) -> StoredEvent:
        return claim(doc, type_=type_, attackers=(), targets=(), key=f"{type_}-5")

    clusters = cluster_claims([
        report("r1", "peaceful-protest"), report("r2", "peaceful-protest"),
        report("r3", "violent-demonstration"),
    ])
    assert len(clusters) == 1
    graph = canonical_graph(clusters, {})
    types = {str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
             for t in graph.objects(None, CE.eventType)}
    assert types == {"violent-demonstration"}
