"""Resolution: places to the gazetteer with precision codes, actors linked in context."""

from __future__ import annotations

import pytest

from kg.gazetteer import haversine_km, load_gazetteer
from kg.records import AFFILIATE_NOTE, ActorRef, EventClaim, Evidence, PlaceRef, PlaceSegment
from kg.reference import load_reference
from kg.resolve import ActorLinker, _place_in_sentences, resolve_place

KAYA = (13.0883, -1.08368)


def place(*segments: PlaceSegment) -> PlaceRef:
    return PlaceRef(
        mentions=tuple(s.name for s in segments),
        name=segments[0].name,
        place_key=None,
        anchor_key=None,
        relation=None,
        country_code=None,
        precision=None,
        segments=segments,
    )


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="module")
def linker():
    return ActorLinker(load_reference())


def test_village_missing_from_gazetteer_is_kept_near_the_town(gazetteer) -> None:
    ref = resolve_place(
        place(PlaceSegment("Kalamba"), PlaceSegment("Kaya", "near"), PlaceSegment("Burkina Faso")),
        gazetteer,
    )
    assert ref.name == "Kalamba" and ref.place_key is None
    assert ref.anchor_key == "geonames:2359608"
    assert (ref.country_code, ref.precision, ref.relation) == ("BF", 2, "near")
    assert haversine_km(ref.lat, ref.lon, *KAYA) < 1


def test_comma_hierarchy_resolves_like_near(gazetteer) -> None:
    ref = resolve_place(
        place(PlaceSegment("Kalamba"), PlaceSegment("Kaya"), PlaceSegment("Burkina Faso")),
        gazetteer,
    )
    assert (ref.anchor_key, ref.precision, ref.relation) == ("geonames:2359608", 2, "in")


def test_known_town_is_precision_one(gazetteer) -> None:
    ref = resolve_place(place(PlaceSegment("Kaya"), PlaceSegment("Burkina Faso")), gazetteer)
    assert (ref.place_key, ref.precision, ref.name) == ("geonames:2359608", 1, "Kaya")


def test_distance_and_bearing_move_the_point(gazetteer) -> None:
    ref = resolve_place(place(PlaceSegment("Djibo", "north of", 20.0)), gazetteer)
    djibo = gazetteer.get(ref.anchor_key)
    assert djibo is not None and djibo.name == "Djibo" and ref.precision == 2
    assert haversine_km(ref.lat, ref.lon, djibo.lat, djibo.lon) == pytest.approx(20, abs=0.5)
    assert ref.lat > djibo.lat


def test_province_only_is_precision_three(gazetteer) -> None:
    ref = resolve_place(place(PlaceSegment("Centre-Nord"), PlaceSegment("Burkina Faso")), gazetteer)
    assert ref.precision == 3 and ref.country_code == "BF"


def test_country_only(gazetteer) -> None:
    ref = resolve_place(place(PlaceSegment("Mali")), gazetteer)
    assert (ref.place_key, ref.precision) == ("iso:ML", 3)


def test_unknown_place_stays_unresolved_with_fallback_country(gazetteer) -> None:
    ref = resolve_place(place(PlaceSegment("Xqzvillage")), gazetteer, fallback_country="NE")
    assert ref.anchor_key is None and ref.precision is None and ref.country_code == "NE"


def org(alias: str, note: str | None = None) -> ActorRef:
    actor = load_reference().actor_by_alias(alias)
    return ActorRef(
        mentions=(alias,),
        kind="organization",
        actor_id=actor.id if actor else None,
        name=alias,
        link_note=note,
    )


@pytest.mark.parametrize("alias", ["ISIS", "ISIL", "Daesh", "Islamic State"])
def test_aliases_of_the_islamic_state_are_one_identity(linker, alias: str) -> None:
    assert linker.link(org(alias), None, None).actor_id == "islamic-state"


def test_isis_in_burkina_faso_in_2024_is_the_sahel_province(linker) -> None:
    linked = linker.link(org("ISIS"), "BF", 2024)
    assert linked.actor_id == "islamic-state-sahel-province"
    assert linker.is_ancestor("islamic-state", linked.actor_id)


def test_isis_in_syria_stays_the_islamic_state(linker) -> None:
    assert linker.link(org("ISIS"), "SY", 2019).actor_id == "islamic-state"


def test_al_qaeda_affiliate_in_burkina_faso_is_jnim(linker) -> None:
    linked = linker.link(org("Al-Qaeda", AFFILIATE_NOTE), "BF", 2024)
    assert linked.actor_id == "jnim"
    assert linker.is_ancestor("al-qaeda", "jnim")


def test_plain_al_qaeda_is_not_turned_into_an_affiliate(linker) -> None:
    assert linker.link(org("al-Qaeda"), "BF", 2024).actor_id == "al-qaeda"


def test_unknown_group_stays_its_own_actor(linker) -> None:
    linked = linker.link(
        ActorRef(("Brigade of the Unknown",), "organization", None, "Brigade of the Unknown"),
        "BF",
        2024,
    )
    assert linked.actor_id is None and linked.name == "Brigade of the Unknown"
    assert linked.link_note == "no table entry"


def test_unnamed_perpetrators_are_not_linked(linker) -> None:
    ref = ActorRef(("gunmen",), "group", None, "gunmen")
    assert linker.link(ref, "BF", 2024) == ref


def test_event_without_place_is_placed_in_the_date_line_country(gazetteer) -> None:
    from kg.records import Article, EventClaim, Extraction
    from kg.resolve import resolve_extraction

    article = Article("m", "SAN SALVADOR, 3 JAN 90 -- X.", dateline_place="SAN SALVADOR")
    gunmen = ActorRef(("gunmen",), "group", None, "gunmen")
    claim = EventClaim("m", "attack-1", "attack", "attacked", (), attackers=(gunmen,))
    [resolved] = resolve_extraction(
        Extraction(article, (claim,)), load_reference(), gazetteer
    ).claims
    assert resolved.place is not None
    assert (resolved.place.place_key, resolved.place.precision) == ("iso:SV", 3)
    assert resolved.place.mentions == ()


def test_event_without_place_or_date_line_stays_unplaced(gazetteer) -> None:
    from kg.records import Article, EventClaim, Extraction
    from kg.resolve import resolve_extraction

    gunmen = ActorRef(("gunmen",), "group", None, "gunmen")
    claim = EventClaim("m", "attack-1", "attack", "attacked", (), attackers=(gunmen,))
    extraction = Extraction(Article("m", "Gunmen attacked."), (claim,))
    [resolved] = resolve_extraction(extraction, load_reference(), gazetteer).claims
    assert resolved.place is None


# -- a town the parse did not tie to the event (kg.resolve._place_in_sentences) -----------------
def _unplaced(sentence: str, country_code: str = "NE") -> EventClaim:
    return EventClaim(
        "doc", "attack-0", "attack", "attacked", (Evidence(sentence, 0, len(sentence)),),
        place=PlaceRef((country_code,), country_code, f"iso:{country_code}",
                       f"iso:{country_code}", None, country_code, 3),
    )


def test_a_settlement_named_as_one_is_kept_though_the_gazetteer_lacks_it(gazetteer) -> None:
    frame = _unplaced("Raiders on motorbikes struck the villages of Xqzbango and Yqzkoira.")
    found = _place_in_sentences(frame, gazetteer, None)
    assert found is not None
    assert (found.name, found.country_code, found.precision) == ("Xqzbango", "NE", None)


def test_an_ethnic_adjective_before_village_is_not_a_place(gazetteer) -> None:
    frame = _unplaced("Gunmen burned a Fulani village overnight, residents said.", "ML")
    assert _place_in_sentences(frame, gazetteer, None) is None


def test_the_story_reads_the_rest_of_the_article_but_not_the_byline(gazetteer) -> None:
    frame = _unplaced("At least 30 people were killed in the raid, the mayor said.", "BF")
    article = (
        "At least 30 people were killed in the raid, the mayor said.\n"
        "The attackers came at dawn to the village of Xqzgou on motorbikes.\n"
        "(Reporting by A. Writer in Ouagadougou; Editing by B. Editor)"
    )
    found = _place_in_sentences(frame, gazetteer, None, article)
    assert found is not None and found.name == "Xqzgou"
    byline_only = article.replace("the village of Xqzgou", "the bush")
    assert _place_in_sentences(frame, gazetteer, None, byline_only) is None


def test_a_known_town_after_a_preposition_is_resolved_in_the_events_country(gazetteer) -> None:
    frame = _unplaced("Soldiers repelled an assault on their base in Djibo on Sunday.", "BF")
    found = _place_in_sentences(frame, gazetteer, "NE")  # the event's country wins
    assert found is not None and found.name == "Djibo" and found.precision == 1
    assert _place_in_sentences(_unplaced("The attack came in May.", "BF"), gazetteer, "BF") is None


def test_a_post_named_after_its_village_places_the_event_but_a_nationality_does_not(
    gazetteer,
) -> None:
    frame = _unplaced("Gunmen overran the Xqzdougou gendarmerie before dawn.", "BF")
    found = _place_in_sentences(frame, gazetteer, None)
    assert found is not None and found.name == "Xqzdougou"
    malian = _unplaced("Gunmen overran the Malian gendarmerie before dawn.", "ML")
    reference = load_reference()
    assert _place_in_sentences(
        malian, gazetteer, None, named_otherwise=lambda n: bool(reference.country_of_demonym(n))
    ) is None


def test_the_country_where_it_happened_outweighs_the_country_that_reacted(gazetteer) -> None:
    from kg.resolve import _capitalised_names, _located_names, context_country

    text = ("France condemned the attack. French officials said France would respond. "
            "The French embassy in Niger was set on fire by protesters in Niger on Sunday.")
    names = (*_capitalised_names(text), *_located_names(text))
    assert context_country(names, gazetteer, load_reference()) == "NE"
    assert context_country(tuple(_capitalised_names(text)), gazetteer, load_reference()) == "FR"


def test_an_area_named_with_its_kind_is_the_area(gazetteer) -> None:
    far_north = place(PlaceSegment("Far North Region"), PlaceSegment("Cameroon"))
    ref = resolve_place(far_north, gazetteer)
    assert (ref.place_key, ref.precision, ref.country_code) == ("adm1:CM:far-north", 3, "CM")
    unknown = resolve_place(place(PlaceSegment("Xqz region"), PlaceSegment("Chad")), gazetteer)
    assert unknown.place_key is None and unknown.anchor_key == "iso:TD"


def test_a_name_the_story_gives_as_a_place_twice_places_it(gazetteer) -> None:
    frame = _unplaced("Gunmen killed eight visitors on Sunday, officials said.")
    article = (
        "Gunmen killed eight visitors on Sunday, officials said.\n"
        "Their bodies were found in their car in the park in Xqzkoure.\n"
        "The army has sealed off the area around Xqzkoure, the minister said in West Africa "
        "and again in West Africa in May and in May."
    )
    found = _place_in_sentences(frame, gazetteer, None, article)
    assert found is not None and (found.name, found.precision) == ("Xqzkoure", None)
    once = article.replace("the area around Xqzkoure", "the area")
    assert _place_in_sentences(frame, gazetteer, None, once) is None
    two_stories = article + " Another raid hit Yqzbaga; people fled in Yqzbaga and in Yqzbaga."
    assert _place_in_sentences(frame, gazetteer, None, two_stories) is None


def test_a_country_across_the_border_is_not_where_the_story_is() -> None:
    from kg.ingest import make_article
    from kg.nlp.events import extract_article
    from kg.nlp.pipeline import load_pipeline
    from kg.resolve import resolve_extraction

    text = ("Two Italian hikers were kidnapped in a nature reserve near the border with Niger, "
            "authorities in Mali said on Sunday. Their car was later found burnt out across the "
            "border in Niger. Niger's army has been alerted.")
    article = make_article("test", text)
    reference = load_reference()
    doc = load_pipeline()(article.text[article.body_start :])
    resolved = resolve_extraction(extract_article(doc, article, reference), reference,
                                  load_gazetteer())
    kidnap = [c for c in resolved.claims if c.type == "abduction"]
    assert kidnap and kidnap[0].place is not None and kidnap[0].place.country_code == "ML"


def test_a_district_named_after_its_seat_is_placed_at_the_seat_at_precision_two(
    gazetteer,
) -> None:
    marte = place(PlaceSegment("Marte Local Government Area"), PlaceSegment("Borno State"))
    ref = resolve_place(marte, gazetteer, "NG")
    assert ref.precision == 2 and ref.place_key is None
    seat = gazetteer.get(ref.anchor_key)
    assert seat is not None and seat.name == "Marte" and seat.country_code == "NG"


def test_an_unplaced_event_is_in_the_country_of_the_articles_placed_events(gazetteer) -> None:
    from kg.records import Article, EventClaim, Extraction
    from kg.resolve import resolve_extraction

    text = ("France condemned the raid. French officials said France would respond, and "
            "France recalled its envoy. The French school in Niger was stormed on Sunday. "
            "A crowd gathered outside the town hall.")
    stormed_at = text.index("The French school")
    crowd_at = text.index("A crowd")
    stormed = EventClaim(
        "d", "attack-1", "attack", "stormed",
        (Evidence(text[stormed_at:crowd_at - 1], stormed_at, crowd_at - 1),),
        targets=(ActorRef(("the French school",), "object", None, "the French school"),),
        place=place(PlaceSegment("Niger")),
    )
    crowd = EventClaim(
        "d", "peaceful-protest-2", "peaceful-protest", "gathered",
        (Evidence(text[crowd_at:], crowd_at, len(text)),),
        attackers=(ActorRef(("A crowd",), "group", None, "A crowd"),),
    )
    resolved = resolve_extraction(
        Extraction(Article("d", text), (stormed, crowd)), load_reference(), gazetteer
    ).claims
    assert {c.place.country_code for c in resolved if c.place} == {"NE"}
    # with no placed event, the country the article names most stays the fallback
    [alone] = resolve_extraction(
        Extraction(Article("d", text), (crowd,)), load_reference(), gazetteer
    ).claims
    assert alone.place is not None and alone.place.country_code == "FR"


def test_a_park_or_forest_named_as_such_places_the_event(gazetteer) -> None:
    frame = _unplaced("Gunmen seized two hikers on a game drive in the Xqzari National Park.",
                      "BJ")
    found = _place_in_sentences(frame, gazetteer, None)
    assert found is not None
    assert (found.name, found.country_code, found.precision) == (
        "Xqzari National Park", "BJ", None)
    frame = _unplaced("The fighters ambushed a patrol in Yqzbisa Forest on Friday.", "NG")
    found = _place_in_sentences(frame, gazetteer, None)
    assert found is not None and found.name == "Yqzbisa Forest"


def test_an_ally_is_not_folded_into_the_force_it_fights_beside(linker) -> None:
    assert not linker.is_ancestor("military-forces-of-mali", "wagner-group")
    assert linker.is_ancestor("islamic-state", "islamic-state-sahel-province")


def test_the_places_around_the_events_place_are_nobody(gazetteer) -> None:
    """ "in Xqzbaga (Dori, Seno)": a district read as a person hit is the parse's mistake."""
    from kg.records import Article, Extraction
    from kg.resolve import resolve_extraction

    text = "Gunmen killed four herders in Xqzbaga (Dori, Seno)."
    where = place(PlaceSegment("Xqzbaga"), PlaceSegment("Dori"), PlaceSegment("Seno"))
    claim = EventClaim(
        "b", "attack-0", "attack", "killed", (Evidence(text, 0, len(text)),), place=where,
        attackers=(ActorRef(("Gunmen",), "group", None, "Gunmen"),),
        victims=(
            ActorRef(("four herders",), "group", None, "four herders"),
            ActorRef(("Dori",), "person", None, "Dori"),
        ),
    )
    [resolved] = resolve_extraction(
        Extraction(Article("b", text), (claim,)), load_reference(), gazetteer
    ).claims
    assert [v.name for v in resolved.victims] == ["four herders"]
    assert resolved.place is not None
    assert (resolved.place.name, resolved.place.country_code, resolved.place.precision) == (
        "Xqzbaga", "BF", 2,
    )


def test_a_big_city_is_itself_when_the_articles_country_has_no_place_of_its_name(
    gazetteer,
) -> None:
    """A story about a protest against France: "Niamey" is the capital of Niger."""
    ref = resolve_place(place(PlaceSegment("Niamey")), gazetteer, fallback_country="FR")
    assert (ref.country_code, ref.precision) == ("NE", 1)
    # a village of the name elsewhere is not taken for a place in the article's country
    ref = resolve_place(place(PlaceSegment("Xqzbaga")), gazetteer, fallback_country="FR")
    assert (ref.country_code, ref.precision) == ("FR", None)


def test_a_bare_name_shared_by_a_state_and_its_big_seat_is_the_city(gazetteer) -> None:
    city = resolve_place(place(PlaceSegment("Kano")), gazetteer, fallback_country="NG")
    assert city.precision == 1 and (city.place_key or "").startswith("geonames:")
    state = resolve_place(place(PlaceSegment("Kano State")), gazetteer, fallback_country="NG")
    assert state.precision == 3
    region = resolve_place(place(PlaceSegment("Mopti")), gazetteer, fallback_country="ML")
    assert region.precision == 3  # a seat of 120,000: the name is the region's
