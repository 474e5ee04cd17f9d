"""The event types as the pipeline groups them: one table, read by the sentence-level rules
(kg/nlp/events.py), the article assembly (kg/assemble.py) and the merge (kg/merge.py).

Type codes are those of the SKOS scheme (``ontology/event-types.ttl``, ACLED's sub-event
types and the project's own). Nothing here is language-specific.
"""

from __future__ import annotations

EXPLOSIONS = frozenset({"bombing", "remote-explosive", "suicide-bomb", "grenade"})
# Direct violence: a raid told as an attack, a killing, an ambush, a bombing, a kidnapping and
# the torching of a market may all be one incident.
VIOLENCE = frozenset(
    {"attack", "armed-clash", "abduction", "arson", "looting-property-destruction", "robbery"}
    | EXPLOSIONS
)
PROTESTS = frozenset(
    {
        "peaceful-protest",
        "protest-with-intervention",
        "excessive-force-against-protesters",
        "violent-demonstration",
        "mob-violence",
    }
)
REMOTE = frozenset({"air-drone-strike", "shelling"})  # violence from afar

# Types under which outlets (or the sentences of one article) report one incident whoever
# and wherever: an attack is a battle seen from the other side; bombings differ only in how
# the bomb was set off.
_ALIKE = (frozenset({"attack", "armed-clash"}), EXPLOSIONS)
# Types that reports of one incident use when they share its town as well: one calls the raid
# an attack, another a battle, a third the kidnapping it ended in.
_ALIKE_AT_ONE_PLACE = (VIOLENCE, PROTESTS, REMOTE)


def family(event_type: str) -> str:
    """"violence", "protest", "remote", or the type itself (captures, arrests, ...)."""
    if event_type in VIOLENCE:
        return "violence"
    if event_type in PROTESTS:
        return "protest"
    if event_type in REMOTE:
        return "remote"
    return event_type


def reported_alike(a: str, b: str) -> bool:
    """Whether two types can name one incident, with nothing else in common."""
    return a == b or any({a, b} <= group for group in _ALIKE)


def anaphor_alike(a: str, b: str) -> bool:
    """Whether a later sentence's event may be an earlier one named again: besides the types
    reported alike, "the attack" after a bombing is the bombing (read within one article; two
    reports, one of an attack and one of a bombing, need more in common to be one)."""
    return reported_alike(a, b) or ("attack" in {a, b} and bool({a, b} & EXPLOSIONS))


def alike_at_one_place(a: str, b: str) -> bool:
    """Whether two types can name one incident that two reports place at one town."""
    return reported_alike(a, b) or any({a, b} <= group for group in _ALIKE_AT_ONE_PLACE)
