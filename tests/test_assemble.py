"""Article-level assembly (kg/assemble.py) on hand-made records: no statistical model needed.

The sentences below are our own, written in the manner of wire copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from kg.assemble import assemble, dates_apart, places_apart
from kg.records import (
    ActorRef,
    Article,
    DateOrigin,
    DateValue,
    EventClaim,
    Evidence,
    Extraction,
    PlaceRef,
    PlaceSegment,
    Precision,
)
from kg.reference import load_reference

PUBLISHED = dt.date(2023, 5, 9)


@pytest.fixture(scope="module")
def reference():
    return load_reference()


def town(name: str, lat: float, lon: float, cc: str = "BF", key: str | None = None) -> PlaceRef:
    return PlaceRef((name,), name, key or f"gn:{name}", key or f"gn:{name}", None, cc, 1,
                    lat=lat, lon=lon)


def country(cc: str, name: str) -> PlaceRef:
    return PlaceRef((name,), name, f"iso:{cc}", f"iso:{cc}", None, cc, 3)


def text_date(day: dt.date) -> DateValue:
    return DateValue(day, day, day, Precision.DAY, DateOrigin.TEXT, day.isoformat())


def claim(
    key: str,
    sentence: str,
    start: int,
    *,
    type_: str = "attack",
    attackers: tuple[ActorRef, ...] = (),
    targets: tuple[ActorRef, ...] = (),
    victims: tuple[ActorRef, ...] = (),
    place: PlaceRef | None = None,
    date: DateValue | None = None,
    fatalities: int | None = None,
    parent: str | None = None,
) -> EventClaim:
    return EventClaim(
        "doc", key, type_, "attacked", (Evidence(sentence, start, start + len(sentence)),),
        attackers=attackers, targets=targets, victims=victims, place=place, date=date,
        fatalities=fatalities, parent_key=parent,
    )


def group(*mentions: str, kind: str = "group") -> ActorRef:
    return ActorRef(mentions, kind, None, mentions[0])


def nationality(text: str) -> str | None:
    """A stand-in for the resolver's reading of nationalities in a phrase."""
    return {"nigerian": "NG", "malian": "ML"}.get(text.split()[0].lower())


def run(reference, *claims: EventClaim, fallback: str | None = "BF") -> list[EventClaim]:
    article = Article("doc", "text", published=PUBLISHED)
    extraction = Extraction(article, claims)
    return list(
        assemble(extraction, reference, fallback_country=fallback, country_named=nationality)
        .claims
    )


def test_sentences_about_one_incident_become_one_frame(reference) -> None:
    lead = claim("attack-0", "Gunmen stormed a market town in the north on Sunday.", 0,
                 attackers=(group("gunmen"),), place=country("BF", "Burkina Faso"),
                 date=text_date(dt.date(2023, 5, 7)))
    toll = claim("attack-60", "Officials said the raiders killed 14 traders in Tougouri.", 60,
                 victims=(group("14 traders", "traders"),), fatalities=14,
                 place=town("Tougouri", 13.3, -0.5))
    later = claim("attack-130", "The toll of the attack later rose to 19.", 130, fatalities=19)
    [frame] = run(reference, lead, toll, later)
    assert frame.place is not None and frame.place.name == "Tougouri"
    assert frame.fatalities == 19  # the latest, highest figure
    assert frame.date is not None and frame.date.value == dt.date(2023, 5, 7)
    assert {a.mentions[0] for a in frame.attackers} == {"gunmen"}
    assert len(frame.evidence) == 3


def test_an_older_incident_recalled_is_background_and_stays_apart(reference) -> None:
    lead = claim("attack-0", "Militants attacked a convoy near Dori on Monday.", 0,
                 attackers=(group("militants"),), date=text_date(dt.date(2023, 5, 8)))
    old = claim("attack-80", "In a similar attack in March, 30 soldiers died.", 80,
                victims=(group("30 soldiers"),), date=text_date(dt.date(2023, 3, 12)),
                fatalities=30)
    frames = run(reference, lead, old)
    assert [f.background for f in frames] == [False, True]


def test_a_summary_of_the_conflict_is_no_incident(reference) -> None:
    lead = claim("attack-0", "Jihadists ambushed a patrol near Djibo on Monday.", 0,
                 attackers=(group("jihadists"),), date=text_date(dt.date(2023, 5, 8)))
    summary = claim("attack-70", "The insurgency has killed thousands since 2015.", 70)
    frames = run(reference, lead, summary)
    assert len(frames) == 1 and not frames[0].background


def test_an_armed_group_against_soldiers_is_a_battle_with_the_state_forces(reference) -> None:
    lead = claim("attack-0", "Jihadists killed 12 soldiers in an ambush near Djibo.", 0,
                 attackers=(group("jihadists"),), victims=(group("12 soldiers", "soldiers"),),
                 fatalities=12, place=town("Djibo", 14.1, -1.63))
    [frame] = run(reference, lead)
    assert frame.type == "armed-clash"
    state = [t for t in frame.targets if t.actor_id == "military-forces-of-burkina-faso"]
    assert state and state[0].name == "Military Forces of Burkina Faso"
    assert any("soldiers" in v.mentions for v in frame.victims)  # the fallen stay victims


def test_an_attack_on_villagers_stays_an_attack(reference) -> None:
    lead = claim("attack-0", "Gunmen killed 20 villagers near Seytenga.", 0,
                 attackers=(group("gunmen"),), victims=(group("20 villagers", "villagers"),),
                 fatalities=20)
    [frame] = run(reference, lead)
    assert frame.type == "attack"
    assert not frame.targets


def test_generic_soldiers_name_the_country_forces_and_keep_their_words(reference) -> None:
    lead = claim("attack-0", "Nigerian troops attacked a camp of the insurgents.", 0,
                 type_="armed-clash", attackers=(group("Nigerian troops"),),
                 targets=(group("insurgents"),))
    [frame] = run(reference, lead, fallback="NE")
    [force] = [a for a in frame.attackers if a.actor_id]
    assert force.actor_id == "military-forces-of-nigeria"  # the nationality, not the fallback
    assert force.kind == "group" and "Nigerian troops" in force.mentions


@pytest.mark.parametrize(
    ("words", "hit", "expected"),
    [
        ("A suicide bomber blew himself up at a mosque.", "mosque", "suicide-bomb"),
        ("An improvised explosive device hit a bus on the road.", "bus", "remote-explosive"),
        ("Militants lobbed a grenade into a bar.", "bar", "grenade"),
    ],
)
def test_explosions_get_their_sub_event_type(
    reference, words: str, hit: str, expected: str
) -> None:
    bombing = claim("bombing-0", words, 0, type_="bombing", targets=(group(hit, kind="object"),))
    [frame] = run(reference, bombing)
    assert frame.type == expected


def test_incidents_of_different_kinds_with_their_own_sides_stay_apart(reference) -> None:
    kidnapping = claim("abduction-0", "Bandits kidnapped 30 pupils from a school.", 0,
                       type_="abduction", attackers=(group("bandits"),),
                       victims=(group("30 pupils"),))
    bombing = claim("bombing-90", "Separately, a bomb wrecked a power pylon.", 90,
                    type_="bombing", targets=(group("power pylon", kind="object"),))
    assert len(run(reference, kidnapping, bombing)) == 2


def test_a_fragment_that_names_nobody_joins_the_incident(reference) -> None:
    lead = claim("attack-0", "Militants attacked a supply convoy near Gaskinde.", 0,
                 attackers=(group("militants"),), targets=(group("supply convoy",
                                                                  kind="object"),))
    fire = claim("arson-70", "Several trucks were set on fire.", 70, type_="arson")
    [frame] = run(reference, lead, fire)
    assert frame.type == "attack" and len(frame.evidence) == 2


def test_two_named_towns_far_apart_are_two_incidents(reference) -> None:
    a = claim("attack-0", "Gunmen attacked Djibo.", 0, attackers=(group("gunmen"),),
              place=town("Djibo", 14.1, -1.63))
    b = claim("attack-40", "Another group raided Fada N'Gourma.", 40,
              attackers=(group("raiders"),), place=town("Fada N'Gourma", 12.06, 0.36))
    assert len(run(reference, a, b)) == 2


def test_a_sub_event_follows_its_parent_into_the_frame(reference) -> None:
    lead = claim("armed-clash-0", "Rebels clashed with troops near Menaka.", 0,
                 type_="armed-clash", attackers=(group("rebels"),))
    again = claim("armed-clash-50", "The fighting lasted hours.", 50, type_="armed-clash")
    capture = claim("materiel-capture-90", "The rebels seized rifles.", 90,
                    type_="materiel-capture", attackers=(group("rebels"),),
                    parent="armed-clash-50")
    frames = run(reference, lead, again, capture)
    keys = {f.key for f in frames}
    [seized] = [f for f in frames if f.type == "materiel-capture"]
    assert seized.parent_key in keys  # re-attached to the frame that absorbed its parent


def test_places_apart_reads_the_hierarchy() -> None:
    djibo, kaya = town("Djibo", 14.1, -1.63), town("Kaya", 13.09, -1.08)
    assert places_apart(djibo, kaya)
    assert not places_apart(djibo, country("BF", "Burkina Faso"))
    assert places_apart(djibo, country("ML", "Mali"))
    region = PlaceRef(("Sahel",), "Sahel", "adm:sahel", "adm:sahel", None, "BF", 3)
    inside = {("gn:Djibo", "adm:sahel")}
    assert not places_apart(djibo, region, lambda p, a: (p, a) in inside)
    assert places_apart(kaya, region, lambda p, a: (p, a) in inside)


def test_dates_apart_allows_the_night_across_midnight() -> None:
    a = claim("a-0", "x", 0, date=text_date(dt.date(2023, 5, 6)))
    b = claim("b-9", "y", 9, date=text_date(dt.date(2023, 5, 7)))
    c = claim("c-19", "z", 19, date=text_date(dt.date(2023, 4, 20)))
    assert not dates_apart(a, b)
    assert dates_apart(a, c)


def test_the_day_of_a_statement_gives_way_to_the_day_of_the_incident(reference) -> None:
    said = DateValue(dt.date(2023, 5, 8), dt.date(2023, 5, 8), dt.date(2023, 5, 8), Precision.DAY,
                     DateOrigin.TEXT, "on Monday", of_statement=True)
    lead = claim("attack-0", "Twelve police officers were killed, the ministry said on Monday.", 0,
                 fatalities=12, date=said, place=town("Tougouri", 13.3, -0.5))
    told = claim("attack-70", "The attack on the post took place on Sunday morning.", 70,
                 date=text_date(dt.date(2023, 5, 7)))
    [frame] = run(reference, lead, told)
    assert frame.date is not None and frame.date.value == dt.date(2023, 5, 7)


def test_an_air_strike_and_the_killings_it_caused_are_one_incident(reference) -> None:
    strike = claim("air-drone-strike-60", "A military jet bombed a camp for displaced people.", 60,
                   type_="air-drone-strike", attackers=(group("military jet", kind="object"),),
                   place=town("Tougouri", 13.3, -0.5))
    dead = claim("attack-0", "Medics said 52 people were killed in a camp on Tuesday.", 0,
                 type_="armed-clash", victims=(group("52 people", "people"),), fatalities=52)
    [frame] = run(reference, dead, strike)
    assert frame.type == "air-drone-strike" and frame.fatalities == 52


def test_the_many_names_of_one_unidentified_group_are_one_attacker(reference) -> None:
    lead = claim("attack-0", "Gunmen raided a village near the border at dawn on Sunday.", 0,
                 attackers=(group("gunmen"),), place=town("Tougouri", 13.3, -0.5))
    more = claim("attack-60", "The jihadists torched granaries before the assailants fled.", 60,
                 attackers=(group("the jihadists", "jihadists"), group("the assailants")))
    [frame] = run(reference, lead, more)
    assert len(frame.attackers) == 1
    assert {"gunmen", "jihadists", "the assailants"} <= set(frame.attackers[0].mentions)


def test_a_named_group_stays_apart_from_the_generic_names(reference) -> None:
    named = ActorRef(("Boko Haram",), "organization", "boko-haram", "Boko Haram")
    lead = claim("attack-0", "Boko Haram insurgents stormed a camp on Sunday.", 0,
                 attackers=(named, group("insurgents"), group("fighters")),
                 place=town("Tougouri", 13.3, -0.5))
    [frame] = run(reference, lead)
    assert [a.actor_id for a in frame.attackers] == ["boko-haram", None]
    assert set(frame.attackers[1].mentions) == {"insurgents", "fighters"}


def test_people_counted_among_things_hit_are_victims(reference) -> None:
    lead = claim("attack-0", "The blast hit seven peacekeepers and two trucks on Sunday.", 0,
                 targets=(group("seven peacekeepers", kind="object"),
                          group("two trucks", kind="object")),
                 place=town("Tougouri", 13.3, -0.5))
    [frame] = run(reference, lead)
    assert [v.mentions[0] for v in frame.victims] == ["seven peacekeepers"]
    assert [t.mentions[0] for t in frame.targets] == ["two trucks"]


def test_people_read_as_things_hit_do_not_keep_a_report_apart(reference) -> None:
    strike = claim("air-drone-strike-0", "A military jet bombed the camp at Tougouri on Sunday.", 0,
                   type_="air-drone-strike", targets=(group("the camp", kind="object"),),
                   place=town("Tougouri", 13.3, -0.5), date=text_date(dt.date(2023, 5, 7)))
    told = claim("attack-60", "Medics said the strike killed at least 50 people.", 60,
                 type_="attack", targets=(group("at least 50 people", kind="object"),),
                 fatalities=50, place=country("BF", "Burkina Faso"))
    [frame] = run(reference, strike, told)
    assert frame.fatalities == 50
    assert [v.mentions[0] for v in frame.victims] == ["at least 50 people"]


def test_an_event_at_a_landmark_is_placed_in_the_town_its_sentence_names(reference) -> None:
    monument = PlaceRef(("the Monument of the Martyrs",), "Monument of the Martyrs", None, None,
                        None, "ML", None)
    bamako = town("Bamako", 12.65, -8.0, cc="ML")
    rally = claim("peaceful-protest-0", "Thousands rallied in Bamako near the Monument.", 0,
                  type_="peaceful-protest", place=monument)
    article = Article("doc", "text", published=PUBLISHED)
    [frame] = assemble(Extraction(article, (rally,)), reference, fallback_country="ML",
                       find_place=lambda c, story: bamako).claims
    assert frame.place is not None and frame.place.name == "Bamako"
    assert "the Monument of the Martyrs" in frame.place.mentions


def test_tyres_burnt_during_a_protest_are_the_protest_turning_violent(reference) -> None:
    march = claim("peaceful-protest-0", "Thousands of traders marched on the town hall.", 0,
                  type_="peaceful-protest", attackers=(group("traders"),),
                  place=town("Kaya", 13.09, -1.08))
    tyres = claim("arson-60", "Youths set tyres alight on the main road.", 60, type_="arson",
                  targets=(group("tyres", kind="object"),), place=town("Kaya", 13.09, -1.08))
    [frame] = run(reference, march, tyres)
    assert frame.type == "violent-demonstration"
    alone = claim("arson-0", "Residents burned tyres to block the highway.", 0, type_="arson",
                  targets=(group("tyres", kind="object"),), place=town("Kaya", 13.09, -1.08))
    [riot] = run(reference, alone)
    assert riot.type == "violent-demonstration"


def test_a_kind_of_event_in_a_country_and_nothing_else_is_no_incident(reference) -> None:
    lead = claim("attack-0", "Gunmen killed nine herders near Dori on Monday.", 0,
                 attackers=(group("gunmen"),), victims=(group("nine herders"),),
                 place=town("Dori", 14.03, -0.03), date=text_date(dt.date(2023, 5, 8)))
    mourning = claim("peaceful-protest-70", "The country observed a day of mourning.", 70,
                     type_="peaceful-protest", place=country("BF", "Burkina Faso"))
    frames = run(reference, lead, mourning)
    assert [f.type for f in frames] == ["attack"]


def test_frames_join_once_they_grow_whatever_the_order_of_sentences(reference) -> None:
    toll = claim("attack-0", "At least nine people were killed on Friday.", 0,
                 victims=(group("nine people"),), fatalities=9)
    march = claim("peaceful-protest-50", "Protesters gathered outside the assembly.", 50,
                  type_="peaceful-protest", attackers=(group("protesters"),),
                  place=town("Niamey", 13.51, 2.11, cc="NE"))
    clash = claim("armed-clash-100", "Protesters clashed with riot police on Friday.", 100,
                  type_="armed-clash", attackers=(group("protesters"),),
                  targets=(group("riot police"),))
    frames = run(reference, toll, march, clash, fallback="NE")
    assert len(frames) == 1 and frames[0].type == "violent-demonstration"
    assert frames[0].fatalities == 9


def test_two_kinds_of_strike_on_one_thing_are_one_incident(reference) -> None:
    jet = claim("air-drone-strike-0", "A military jet bombed a camp for displaced people.", 0,
                type_="air-drone-strike", attackers=(group("air force", kind="organization"),),
                targets=(group("camp", kind="object"),), place=town("Rann", 12.28, 14.47, "NG"))
    shells = claim("shelling-80", "Witnesses said the camp was pounded for an hour.", 80,
                   type_="shelling", targets=(group("the camp", kind="object"),),
                   victims=(group("dozens of people"),), place=country("NG", "Nigeria"))
    [frame] = run(reference, jet, shells, fallback="NG")
    assert frame.type == "air-drone-strike" and frame.place and frame.place.name == "Rann"


def test_the_town_and_the_rest_of_a_count_are_not_among_those_hit(reference) -> None:
    raid = claim("attack-0", "Gunmen raided Tanout village and killed nine herders, wounding "
                 "four others.", 0, attackers=(group("gunmen"),),
                 targets=(group("Tanout village", kind="object"),),
                 victims=(group("nine herders"), group("four others")),
                 place=town("Tanout", 14.97, 8.88, cc="NE"))
    [frame] = run(reference, raid, fallback="NE")
    assert not frame.targets
    assert [v.mentions[0] for v in frame.victims] == ["nine herders"]


def in_area(name: str, area: str, anchor: str, cc: str) -> PlaceRef:
    """What the resolver makes of "<name>, <area>" when it knows only the area."""
    return PlaceRef((name, area), name, None, anchor, "in", cc, 3,
                    segments=(PlaceSegment(name), PlaceSegment(area)))


def test_a_village_the_gazetteer_lacks_in_a_known_province_is_a_town() -> None:
    assert places_apart(in_area("Xqzgari", "Yobe State", "adm1:NG:yobe", "NG"),
                        in_area("Yqzmarte", "Yobe State", "adm1:NG:yobe", "NG"))
    assert not places_apart(in_area("Xqzgari", "Yobe State", "adm1:NG:yobe", "NG"),
                            in_area("Xqzgari", "Nigeria", "iso:NG", "NG"))
    # an area the gazetteer lacks is no town: it keeps nothing apart
    assert not places_apart(in_area("Lake region", "Chad", "iso:TD", "TD"),
                            in_area("Xqzkoro", "Chad", "iso:TD", "TD"))


def test_a_province_says_more_than_its_country(reference) -> None:
    lead = claim("attack-0", "Gunmen killed nine herders in Niger.", 0,
                 attackers=(group("gunmen"),), place=country("NE", "Niger"))
    where = claim("attack-90", "The governor of the region where the attack took place spoke.",
                  90, place=PlaceRef(("Tahoua",), "Tahoua", "adm1:NE:tahoua", "adm1:NE:tahoua",
                                     None, "NE", 3))
    [frame] = run(reference, lead, where)
    assert frame.place is not None and frame.place.place_key == "adm1:NE:tahoua"


def test_the_attackers_own_dead_and_a_whole_conflict_are_nobody_the_incident_harmed(
    reference,
) -> None:
    lead = claim("attack-0", "Extremists attacked a convoy, killing 20 civilians; 30 extremists "
                 "died.", 0, attackers=(group("extremists"),),
                 victims=(group("20 civilians"), group("30 extremists")))
    scale = claim("attack-90", "The war has killed 35,000 people.", 90,
                  victims=(group("35,000 people"),))
    [frame] = run(reference, lead, scale)
    [victims] = frame.victims
    assert all("civilians" in m for m in victims.mentions)


def test_a_bare_count_of_people_joins_the_group_it_counts(reference) -> None:
    lead = claim("bombing-0", "A bomber killed 30 football fans watching a match; 30 people "
                 "died in all.", 0, type_="suicide-bomb", attackers=(group("a bomber"),),
                 victims=(group("30 football fans"), group("30 people")))
    [frame] = run(reference, lead)
    [victims] = frame.victims
    assert {"30 football fans", "30 people"} <= set(victims.mentions)


def test_the_post_a_force_holds_is_told_as_the_force_hit(reference) -> None:
    lead = claim("attack-0", "Jihadists overran an army base near Djibo, killing 9 soldiers.", 0,
                 attackers=(group("jihadists"),), victims=(group("9 soldiers"),),
                 targets=(group("an army base", kind="object"),), fatalities=9,
                 place=town("Djibo", 14.1, -1.63))
    [frame] = run(reference, lead)
    [force] = frame.targets
    assert force.actor_id == "military-forces-of-burkina-faso"
    assert "an army base" in force.mentions
    market = claim("attack-0", "Jihadists burnt a market near Djibo, killing 9 soldiers.", 0,
                   attackers=(group("jihadists"),), victims=(group("9 soldiers"),),
                   targets=(group("a market", kind="object"),), fatalities=9,
                   place=town("Djibo", 14.1, -1.63))
    [frame] = run(reference, market)
    assert any("a market" in t.mentions for t in frame.targets)  # not a post of the forces


def test_a_frame_whose_only_target_was_its_country_is_no_incident(reference) -> None:
    lead = claim("attack-0", "Jihadists killed 9 soldiers near Djibo.", 0,
                 attackers=(group("jihadists"),), victims=(group("9 soldiers"),), fatalities=9,
                 place=town("Djibo", 14.1, -1.63))
    other = claim("attack-200", "In January raiders struck Burkina Faso.", 200,
                  targets=(group("Burkina Faso", kind="object"),),
                  place=country("BF", "Burkina Faso"), date=text_date(dt.date(2023, 1, 2)))
    lead = replace(lead, date=text_date(dt.date(2023, 5, 8)))
    assert [f.key for f in run(reference, lead, other)] == ["armed-clash-0"]


def test_a_sentence_summing_up_a_conflict_in_a_country_is_no_incident(reference) -> None:
    lead = claim("attack-0", "Jihadists killed 9 soldiers near Djibo on Monday.", 0,
                 attackers=(group("jihadists"),), victims=(group("9 soldiers"),), fatalities=9,
                 place=town("Djibo", 14.1, -1.63), date=text_date(dt.date(2023, 5, 8)))
    summary = claim("attack-90", "The insurgency has killed thousands in Mali since 2012.", 90,
                    place=country("ML", "Mali"), victims=(group("thousands of civilians"),))
    assert len(run(reference, lead, summary)) == 1


def test_words_glued_to_page_markup_name_nobody(reference) -> None:
    lead = claim("bombing-0", "A bomber killed five soldiers at a base.", 0, type_="suicide-bomb",
                 attackers=(group("a bomber"),),
                 victims=(group("five soldiers"), group("Xqz Lemm[901"), group("US Bomb*2015")))
    [frame] = run(reference, lead)
    assert [m for v in frame.victims for m in v.mentions if "[" in m or "*" in m] == []
    assert frame.victims


def test_a_headline_read_as_a_name_is_nobody(reference) -> None:
    lead = claim("attack-0", "Death Toll In Xqz Attack Rises To 53. Gunmen killed 53 people.", 0,
                 attackers=(group("Xqz Attack Rises", kind="organization"), group("gunmen")),
                 victims=(group("53 people"),), fatalities=53)
    [frame] = run(reference, lead)
    assert [a.mentions[0] for a in frame.attackers] == ["gunmen"]


def test_what_was_hit_is_not_the_attacking_side_nor_what_the_killing_left(reference) -> None:
    lead = claim("attack-0", "Boko Haram fighters stormed the town of Xqzchi and its school, "
                 "set fire to it and left bodies in the street.", 0,
                 attackers=(group("Boko Haram", kind="organization"),),
                 targets=(group("Boko Haram", kind="organization"), group("school", kind="object"),
                          group("the town", kind="object"), group("fire", kind="object"),
                          group("bodies", kind="object")),
                 place=town("Xqzchi", 12.0, 11.0, cc="NG"))
    [frame] = run(reference, lead, fallback="NG")
    assert [t.mentions[0] for t in frame.targets] == ["school"]


def test_the_attackers_a_force_fought_are_the_side_that_attacked(reference) -> None:
    clash = claim("armed-clash-0", "During the confrontation with the attackers, 58 terrorists "
                  "were killed.", 0, type_="armed-clash",
                  targets=(group("the attackers"),), victims=(group("58 terrorists"),),
                  fatalities=58)
    [frame] = run(reference, clash)
    assert any("the attackers" in a.mentions for a in frame.attackers)
    assert not any("the attackers" in t.mentions for t in frame.targets)


def test_a_conflicts_count_joined_under_one_head_leaves_the_incidents_people(reference) -> None:
    lead = claim("attack-0", "Gunmen killed 47 people; the war has displaced two million people.",
                 0, attackers=(group("gunmen"),),
                 victims=(group("47 people", "two million people", "people"),), fatalities=47)
    [frame] = run(reference, lead)
    [victims] = frame.victims
    assert "47 people" in victims.mentions
    assert not [m for m in victims.mentions if "million" in m]


def test_a_banner_in_capitals_in_mixed_case_copy_is_no_victim(reference) -> None:
    lead = claim("attack-0", "XQZ EXPRESS NEWS Fighters killed at least 11 troops in a raid on "
                 "a base in the north, sources said.", 0, attackers=(group("fighters"),),
                 victims=(ActorRef(("XQZ EXPRESS NEWS",), "person", None, "XQZ EXPRESS NEWS"),
                          group("at least 11 troops")), fatalities=11)
    [frame] = run(reference, lead)
    assert not [v for v in frame.victims if v.kind == "person"]


def test_words_run_together_and_one_actor_named_twice(reference) -> None:
    lead = claim("bombing-0", "A bomber killed five soldiers at a base.", 0, type_="suicide-bomb",
                 attackers=(group("a bomber"),),
                 victims=(group("five soldiers"), group("US BombXqzullah Yqzid"),
                          group("another 15.Twenty insurgents")),
                 targets=(ActorRef(("the army",), "organization", "military-forces-of-burkina-faso",
                                   "Military Forces of Burkina Faso"),
                          ActorRef(("troops",), "organization", "military-forces-of-burkina-faso",
                                   "Military Forces of Burkina Faso")))
    [frame] = run(reference, lead)
    assert not [m for v in frame.victims for m in v.mentions if "Xqz" in m or "15.T" in m]
    assert len([t for t in frame.targets if t.actor_id == "military-forces-of-burkina-faso"]) == 1


def test_the_unnamed_people_an_incident_harmed_are_one_participant_per_side(reference) -> None:
    lead = claim("attack-0", "Raiders killed 12 people in a hamlet near the river, among them "
                 "women and children, and two soldiers guarding a well.", 0,
                 attackers=(group("raiders"),),
                 victims=(group("12 people"), group("women"), group("children"),
                          group("two soldiers"), group("Amadou Diallo", kind="person")))
    [frame] = run(reference, lead)
    by_first = {v.mentions[0]: v for v in frame.victims}
    assert set(by_first) == {"12 people", "two soldiers", "Amadou Diallo"}
    assert {"women", "children"} <= set(by_first["12 people"].mentions)


def test_a_building_stormed_where_the_crowd_gathered_is_the_protest_turning_violent(
    reference,
) -> None:
    crowd = claim("peaceful-protest-0", "Hundreds of students gathered outside the ministry.",
                  0, type_="peaceful-protest", attackers=(group("students"),),
                  place=town("Kaya", 13.09, -1.08))
    stormed = claim("attack-60", "The ministry came under attack and its gate was burnt.", 60,
                    targets=(group("the ministry", kind="object"),),
                    place=town("Kaya", 13.09, -1.08))
    [frame] = run(reference, crowd, stormed)
    assert frame.type == "violent-demonstration"
    elsewhere = claim("attack-60", "A bank came under attack and its gate was burnt.", 60,
                      targets=(group("a bank", kind="object"),),
                      place=town("Kaya", 13.09, -1.08))
    assert len(run(reference, crowd, elsewhere)) == 2


def test_victims_the_parse_read_as_a_thing_hit_are_people_harmed(reference) -> None:
    lead = claim("bombing-0", "The bomb tore through the station and its victims were taken "
                 "to hospital.", 0, type_="bombing", attackers=(group("a bomber"),),
                 targets=(group("the station", kind="object"), group("victims", kind="object")))
    [frame] = run(reference, lead)
    assert [t.mentions[0] for t in frame.targets] == ["the station"]
    assert [v.mentions[0] for v in frame.victims] == ["victims"]


def test_a_kidnapping_at_a_town_does_not_take_a_killing_told_without_a_place(reference) -> None:
    kidnap = claim("abduction-0", "Gunmen seized two aid workers in Tougouri on Monday.", 0,
                   type_="abduction", attackers=(group("gunmen"),),
                   victims=(group("two aid workers"),), place=town("Tougouri", 13.3, -0.5),
                   date=text_date(dt.date(2023, 5, 1)))
    rescue = claim("attack-60", "Two soldiers were killed in the operation to free them.",
                   60, victims=(group("two soldiers"),), place=country("BF", "Burkina Faso"))
    assert len(run(reference, kidnap, rescue)) == 2
    # a killing told without a place still folds into the attack placed at a town
    attack = replace(kidnap, key="attack-0", type="attack")
    assert len(run(reference, attack, rescue)) == 1


def test_two_villages_struck_with_their_own_dead_are_one_event_each(reference) -> None:
    text = ("Gunmen on motorbikes attacked the villages of Xqzbangou and Yqzkoira on Sunday. "
            "A local official said there were 41 dead in Xqzbangou and twelve dead in "
            "Yqzkoira.")
    lead = claim("attack-0", text[:80], 0, attackers=(group("gunmen"),),
                 place=town("Xqzbangou", 14.5, 1.5, cc="NE"),
                 date=text_date(dt.date(2023, 5, 7)), fatalities=53)

    def place_named(name: str, country: str | None) -> PlaceRef:
        return PlaceRef((name,), name, None, None, None, country, None)

    def assembled(body: str) -> list[EventClaim]:
        extraction = Extraction(Article("doc", body, published=PUBLISHED), (lead,))
        return list(assemble(extraction, reference, place_named=place_named).claims)

    frames = assembled(text)
    assert {(f.place.name, f.fatalities) for f in frames if f.place} == {
        ("Xqzbangou", 41), ("Yqzkoira", 12)}
    assert all(f.date == lead.date and f.attackers == frames[0].attackers for f in frames)
    assert len({f.key for f in frames}) == 2
    # without the dead of each village the article tells one incident
    assert len(assembled(text.split(" A local")[0])) == 1


def test_people_burnt_to_death_are_an_attack_not_an_arson(reference) -> None:
    burnt = claim("arson-0", "Bandits set a bus ablaze near Isa, burning 12 travellers to "
                  "death.", 0, type_="arson", attackers=(group("bandits"),),
                  targets=(group("a bus", kind="object"),), victims=(group("12 travellers"),),
                  fatalities=12)
    [frame] = run(reference, burnt)
    assert frame.type == "attack"
    granary = claim("arson-0", "Bandits set fire to a granary near Isa.", 0, type_="arson",
                    attackers=(group("bandits"),), targets=(group("a granary", kind="object"),))
    [frame] = run(reference, granary)
    assert frame.type == "arson"


def test_what_a_peaceful_protest_was_against_is_not_a_thing_it_hit(reference) -> None:
    rally = claim("peaceful-protest-0", "Traders marched in Kaya against the new market tax.",
                  0, type_="peaceful-protest", attackers=(group("traders"),),
                  targets=(group("the new market tax", kind="object"),),
                  place=town("Kaya", 13.09, -1.08))
    [frame] = run(reference, rally)
    assert frame.type == "peaceful-protest" and not frame.targets


def test_a_capture_told_in_the_country_only_happened_at_the_storys_town(reference) -> None:
    raid = claim("armed-clash-0", "Fighters overran the army post in Tougouri on Monday.", 0,
                 type_="armed-clash", attackers=(group("fighters"),),
                 targets=(group("soldiers"),), place=town("Tougouri", 13.3, -0.5),
                 date=text_date(dt.date(2023, 5, 1)))
    loot = claim("materiel-capture-200", "The attackers made away with rifles.", 200,
                 type_="materiel-capture", attackers=(group("the attackers"),),
                 place=country("BF", "Burkina Faso"))
    frames = run(reference, raid, loot)
    capture = next(f for f in frames if f.type == "materiel-capture")
    assert capture.place is not None and capture.place.name == "Tougouri"
    assert capture.date is not None and capture.date.value == dt.date(2023, 5, 1)


def test_violence_by_people_named_by_their_kind_is_mob_violence(reference) -> None:
    lynching = claim("attack-0", "Villagers lynched two herders accused of theft near Isa.", 0,
                     attackers=(group("Villagers"),), victims=(group("two herders"),),
                     place=town("Isa", 13.2, -1.1))
    [frame] = run(reference, lynching)
    assert frame.type == "mob-violence"
    raid = claim("attack-0", "Gunmen killed two herders near Isa.", 0,
                 attackers=(group("Gunmen"),), victims=(group("two herders"),),
                 place=town("Isa", 13.2, -1.1))
    [frame] = run(reference, raid)
    assert frame.type == "attack"


def test_forces_meeting_a_protest_make_it_one_with_intervention_or_excessive_force(
    reference,
) -> None:
    march = claim("peaceful-protest-0", "Hundreds of teachers marched in Kaya over unpaid wages.",
                  0, type_="peaceful-protest", attackers=(group("teachers"),),
                  place=town("Kaya", 13.09, -1.08), date=text_date(dt.date(2023, 5, 6)))
    arrested = claim("arrests-60", "Police arrested nine protesters near the governor's office.",
                     60, type_="arrests", attackers=(group("Police"),),
                     victims=(group("nine protesters"),), place=town("Kaya", 13.09, -1.08))
    [frame] = run(reference, march, arrested)
    assert frame.type == "protest-with-intervention"
    shot = claim("attack-60", "Two protesters were shot dead as the crowd dispersed.", 60,
                 victims=(group("Two protesters"),), fatalities=2,
                 place=town("Kaya", 13.09, -1.08))
    [frame] = run(reference, march, shot)
    assert (frame.type, frame.fatalities) == ("excessive-force-against-protesters", 2)
    [frame] = run(reference, march)
    assert frame.type == "peaceful-protest"


def test_a_report_written_weeks_later_anchors_on_its_lead_incident(reference) -> None:
    """Published 9 May; the incident it codes was on 1 April: a second claim of that day is
    no recalled incident, one of January is."""
    day = text_date(dt.date(2023, 4, 1))
    raid = claim("attack-0", "Gunmen attacked Kaya on 1 April.", 0, attackers=(group("Gunmen"),),
                 place=town("Kaya", 13.09, -1.08), date=day)
    kidnap = claim("abduction-100", "Gunmen seized a teacher in Djibo that day.", 100,
                   type_="abduction", attackers=(group("Gunmen"),),
                   victims=(group("a teacher"),), place=town("Djibo", 14.1, -1.63), date=day)
    older = claim("attack-200", "Gunmen had raided Arbinda in January.", 200,
                  attackers=(group("Gunmen"),), place=town("Arbinda", 14.23, -0.87),
                  date=text_date(dt.date(2023, 1, 20)))
    frames = {f.place.name: f for f in run(reference, raid, kidnap, older) if f.place}
    assert not frames["Kaya"].background and not frames["Djibo"].background
    assert frames["Arbinda"].background


def test_people_who_fight_in_a_protests_sentence_are_its_crowd(reference) -> None:
    text = "Students clashed with police in Kaya during a march against school closures."
    march = claim("peaceful-protest-0", text, 0, type_="peaceful-protest",
                  place=town("Kaya", 13.09, -1.08))
    clash = claim("armed-clash-0", text, 0, type_="armed-clash",
                  attackers=(group("Students"),), targets=(group("police"),),
                  place=town("Kaya", 13.09, -1.08))
    [frame] = run(reference, march, clash)
    assert frame.type == "violent-demonstration"
