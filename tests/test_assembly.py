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
