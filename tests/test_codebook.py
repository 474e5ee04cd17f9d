"""One table of event-type families and of the types that can name one incident."""

from __future__ import annotations

from kg.codebook import alike_at_one_place, anaphor_alike, family, reported_alike


def test_families() -> None:
    assert family("suicide-bomb") == "violence"
    assert family("violent-demonstration") == "protest"
    assert family("air-drone-strike") == "remote"
    assert family("materiel-capture") == "materiel-capture"


def test_a_battle_and_an_attack_are_reported_alike_but_not_a_protest() -> None:
    assert reported_alike("attack", "armed-clash")
    assert reported_alike("grenade", "remote-explosive")
    assert not reported_alike("attack", "peaceful-protest")
    assert not reported_alike("attack", "bombing")  # two reports need more than this


def test_the_attack_after_a_bombing_may_name_the_bombing_again() -> None:
    assert anaphor_alike("attack", "suicide-bomb")
    assert not anaphor_alike("abduction", "suicide-bomb")


def test_at_one_town_a_raid_and_the_kidnapping_it_ended_in_are_one_incident() -> None:
    assert alike_at_one_place("attack", "abduction")
    assert alike_at_one_place("air-drone-strike", "shelling")
    assert not alike_at_one_place("peaceful-protest", "abduction")
