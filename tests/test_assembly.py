"""How one article's claims are put together into incidents (kg.nlp.events), on records."""

from __future__ import annotations


def test_an_incident_with_no_participant_joins_the_one_of_its_kind() -> None:
    """Regression (MUC-4 train): "shots were fired" beside the report of the same attack made a
    second, empty event; an empty report of another kind stays."""
    from kg.nlp.events import _fold_bare
    from kg.records import ActorRef, EventClaim, Evidence

    def claim(key: str, event_type: str, start: int, **roles) -> EventClaim:
        return EventClaim("d", key, event_type, "t", (Evidence("s", start, start + 1),), **roles)

    gunmen = (ActorRef(("gunmen",), "group"),)
    mayor = (ActorRef(("Jorge Perez",), "person"),)
    full = claim("attack-1", "attack", 1, attackers=gunmen, victims=mayor)
    bare = claim("attack-50", "attack", 50)
    arson = claim("arson-90", "arson", 90)
    folded = _fold_bare([full, bare, arson])
    assert [c.key for c in folded] == ["attack-1", "arson-90"]
    assert [e.start for e in folded[0].evidence] == [1, 50]
    assert folded[0].victims == mayor


def test_an_attack_whose_weapon_is_an_explosive_is_a_bombing() -> None:
    """Regression (MUC-4 train): "terrorists attacked the soda shop ... the bomb" stayed an
    attack because the bomb was named by the trained tagger after the trigger was typed."""
    from kg.nlp.roles import RoleFiller, apply_roles
    from kg.records import EventClaim, Evidence
    from kg.reference import load_reference

    def weapon(text: str, weapon_id: str | None) -> RoleFiller:
        return RoleFiller("WEAPON", 5, 6, 40, 44, text, 0, weapon_id=weapon_id)

    attack = EventClaim("d", "attack-1", "attack", "attacked", (Evidence("s", 0, 60),))
    reference = load_reference()

    def typed(*fillers: RoleFiller) -> str:
        [claim] = apply_roles([attack], list(fillers), [0], [0], reference)
        return claim.type

    assert typed(weapon("bomb", "bomb")) == "bombing"
    assert typed(weapon("dynamite", "dynamite")) == "bombing"
    assert typed(weapon("grenades", "grenade")) == "grenade"
    assert typed(weapon("rifles", "rifle")) == "attack"
    assert typed() == "attack"
