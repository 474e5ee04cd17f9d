"""The MUC-4 view: the graph's events read under the 1989 benchmark's narrower codebook.

The graph codes events as ACLED does: battles between state forces and armed groups,
protests and riots are events, and everyone harmed is a victim, named or not. MUC-4's
templates leave out clashes between the military and guerrillas and keep only named people
as human targets. This view applies those conventions to exported records, so that the
extractor never has to; ``kg export --view muc4`` writes it and ``kg evaluate --mode muc``
scores it.

The rules, in order:

0. Claims of an article in which the MUC-4 relevance model finds no MUC-4 incident
   (``ce:mucExcluded``, decided by the extractor's article classifier trained on MUC-4)
   are left out.
1. Victims are named people only; unnamed people harmed ("three peasants") move to
   ``unnamed_victims``, as MUC-4's HUM TGT: DESCRIPTION slot held them.
2. A battle between a state force and an armed group (an ``armed-clash`` whose sides are a
   state force on one side and armed people on the other, and that harmed no civilian) is
   left out: MUC-4 coded no army-versus-guerrilla combat.
3. Targets are physical targets only (MUC-4's PHYS TGT): the side an incident hit (a force,
   a group, ACLED's actor 2) is not a MUC-4 target.

A third view, ``template``, keeps the native codebook (every event, every victim) and only
fills MUC-4's slots: the people and organisations an incident hit go in the victim slot,
each description of the unnamed people harmed apart ("women", "children"; the graph keeps
them one participant per side), and things stay targets. WikiEvents' gold, modern news in
MUC-4's template, is coded so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

VIEWS = ("native", "template", "muc4")
_STATE_PREFIXES = ("military-forces-of-", "police-forces-of-")  # ACLED's state-force names


def _is_state(entry: dict[str, Any]) -> bool:
    ident = (entry.get("id") or "").rsplit("/", 1)[-1]
    return ident.startswith(_STATE_PREFIXES)


def _army_vs_guerrilla(event: dict[str, Any]) -> bool:
    if event["type"] != "armed-clash":
        return False
    sides = event["attackers"] + event["targets"]
    named_victims = [v for v in event["victims"] if v.get("kind") == "person"]
    return any(_is_state(s) for s in sides) and not named_victims


def muc4_view(events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for event in events:
        if event.get("_muc_excluded") or _army_vs_guerrilla(event):
            continue
        out = dict(event)
        out["victims"] = [v for v in event["victims"] if v.get("kind") == "person"]
        out["unnamed_victims"] = [
            *event.get("unnamed_victims", []),
            *(v for v in event["victims"] if v.get("kind") != "person"),
        ]
        out["targets"] = [t for t in event["targets"] if t.get("kind") == "object"]
        yield out


def template_view(events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The graph's native events in the slots of a MUC-style template (WikiEvents' gold): the
    people and organisations hit fill the victim slot, the target slot holds things."""
    for event in native_view(events):
        hit = [t for t in event["targets"] if t.get("kind") != "object"]
        event["targets"] = [t for t in event["targets"] if t.get("kind") == "object"]
        event["victims"] = [
            part for v in [*event["victims"], *hit] for part in _by_description(v)
        ]
        yield event


def _by_description(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The graph keeps the unnamed people an incident harmed as one participant per side
    ("13 people", "women", "children": its civilians); a MUC-style template lists each
    description apart (HUM TGT: DESCRIPTION), by the word it ends on."""
    if entry.get("id") or entry.get("kind") == "person" or len(entry["mentions"]) < 2:
        return [entry]
    groups: dict[str, list[str]] = {}
    for mention in entry["mentions"]:
        words = mention.lower().split()
        head = words[-1].rstrip("s") if words else ""
        groups.setdefault(head, []).append(mention)
    if len(groups) == 1:
        return [entry]
    return [
        {**entry, "name": mentions[0], "mentions": mentions} for mentions in groups.values()
    ]


def native_view(events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """ACLED's reading: everyone harmed is a victim, named people and unnamed groups alike."""
    for event in events:
        out = dict(event)
        out["victims"] = [*event["victims"], *event.get("unnamed_victims", [])]
        out.pop("unnamed_victims", None)
        yield out


def apply_view(events: Iterable[dict[str, Any]], view: str) -> Iterator[dict[str, Any]]:
    if view == "muc4":
        return muc4_view(events)
    if view == "native":
        return native_view(events)
    if view == "template":
        return template_view(events)
    raise ValueError(f"unknown view {view!r} (choose from {', '.join(VIEWS)})")
