"""Reference tables (actors, affiliations, weapon models, demonyms) and the linking over them.

The tables live in ``data/`` with their sources; this module only reads them. Linking is
context-aware: a mention resolves to the most specific actor that fits the event's country and
year ("ISIS" fighting in Burkina Faso in 2024 is the Islamic State's Sahel province), and a
mention that fits nothing is left unlinked rather than forced onto a wrong identity.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from kg.gazetteer import fold  # one way to compare names, for places and actors alike
from kg.resources import data_file

# Relations that make an actor a more specific unit of another (walked down when linking).
DESCENDANT_RELATIONS = ("branch-of", "faction-of", "part-of")





@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    type: str
    countries: frozenset[str]
    active_from: int | None
    active_to: int | None
    wikidata: str | None
    aliases: tuple[str, ...]
    source: str

    def active_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.active_from is not None and year < self.active_from:
            return False
        return not (self.active_to is not None and year > self.active_to)

    def operates_in(self, country_code: str | None) -> bool:
        return country_code is None or not self.countries or country_code in self.countries


@dataclass(frozen=True, slots=True)
class Affiliation:
    actor: str
    relation: str
    other: str
    start: str | None
    end: str | None
    source: str

    def holds_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.start and year < int(self.start[:4]):
            return False
        return not (self.end and year > int(self.end[:4]))


@dataclass(frozen=True, slots=True)
class WeaponModel:
    id: str
    name: str
    specificity: str  # model | family | generic
    family: str | None
    category: str | None
    design_origin: str | None
    manufacturer: str | None
    manufacturer_country: str | None
    wikidata: str | None
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class ActorLink:
    actor: Actor | None
    note: str


def _rows(relative: str) -> list[dict[str, str]]:
    node = data_file(relative)
    if not node.is_file():
        return []
    with node.open("rb") as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(text)]


def _year(value: str) -> int | None:
    return int(value[:4]) if value[:4].isdigit() else None


def _split(value: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(sep) if part.strip())


class ReferenceData:
    """All reference tables, indexed for linking. Build once with :func:`load_reference`."""

    def __init__(
        self,
        actors: Iterable[Actor],
        affiliations: Iterable[Affiliation],
        weapons: Iterable[WeaponModel],
        demonyms: dict[str, str],
    ) -> None:
        self.actors = {a.id: a for a in actors}
        self.affiliations = list(affiliations)
        self.weapons = {w.id: w for w in weapons}
        self.demonyms = demonyms  # folded adjective -> country name
        self._actor_alias: dict[str, str] = {}
        for actor in self.actors.values():
            for alias in (actor.name, *actor.aliases):
                self._actor_alias.setdefault(fold(alias), actor.id)
        self._weapon_alias: dict[str, str] = {}
        for weapon in self.weapons.values():
            for alias in (weapon.name, *weapon.aliases):
                self._weapon_alias.setdefault(fold(alias), weapon.id)
        self._children: dict[str, list[Affiliation]] = defaultdict(list)
        for aff in self.affiliations:
            self._children[aff.other].append(aff)

    # -- actors -------------------------------------------------------------------------
    def actor_by_alias(self, text: str) -> Actor | None:
        actor_id = self._actor_alias.get(fold(text))
        return self.actors.get(actor_id) if actor_id else None

    def parents(self, actor_id: str) -> list[Affiliation]:
        return [a for a in self.affiliations if a.actor == actor_id]

    def _descendants(
        self, actor_id: str, relations: tuple[str, ...], year: int | None
    ) -> list[Actor]:
        found: list[Actor] = []
        stack, seen = [actor_id], {actor_id}
        while stack:
            current = stack.pop()
            for aff in self._children.get(current, ()):
                if aff.relation in relations and aff.holds_in(year) and aff.actor not in seen:
                    seen.add(aff.actor)
                    child = self.actors.get(aff.actor)
                    if child is not None:
                        found.append(child)
                        stack.append(child.id)
        return found

    def specialise(self, actor: Actor, country_code: str | None, year: int | None) -> ActorLink:
        """The most specific unit of ``actor`` active in that country and year, if one fits.

        Only branches and provinces are walked (not affiliates): "ISIS" in the Sahel is the
        Islamic State's Sahel province, but "al-Qaeda" is not silently turned into JNIM.
        """
        if country_code is None:
            return ActorLink(actor, "alias")
        candidates = [
            a
            for a in self._descendants(actor.id, ("branch-of",), year)
            if a.countries and country_code in a.countries and a.active_in(year)
        ]
        if len(candidates) == 1:
            return ActorLink(candidates[0], f"branch of {actor.name} active in {country_code}")
        return ActorLink(actor, "alias")

    def affiliate_in(self, actor: Actor, country_code: str | None, year: int | None) -> ActorLink:
        """Resolve "an affiliate of X" to the affiliate of X that operates in the country.

        The chain of affiliations is followed down (al-Qaeda <- AQIM <- JNIM) and the deepest
        affiliate active in the country and year wins: in Burkina Faso, al-Qaeda's affiliate
        is JNIM, through which AQIM also acts. Factions (member units) are not affiliates.
        """
        depth: dict[str, int] = {}
        stack = [(actor.id, 0)]
        while stack:
            current, level = stack.pop()
            for aff in self._children.get(current, ()):
                if aff.relation not in ("affiliated-with", "branch-of") or not aff.holds_in(year):
                    continue
                if depth.get(aff.actor, -1) < level + 1 and aff.actor != actor.id:
                    depth[aff.actor] = level + 1
                    stack.append((aff.actor, level + 1))
        candidates = [
            (level, self.actors[a])
            for a, level in depth.items()
            if a in self.actors
            and country_code is not None
            and country_code in self.actors[a].countries
            and self.actors[a].active_in(year)
        ]
        if not candidates:
            return ActorLink(None, f"affiliate of {actor.name}: none known in {country_code}")
        deepest = max(level for level, _ in candidates)
        top = [a for level, a in candidates if level == deepest]
        if len(top) == 1:
            return ActorLink(top[0], f"affiliate of {actor.name} active in {country_code}")
        names = ", ".join(sorted(a.name for a in top))
        return ActorLink(None, f"affiliate of {actor.name}: several in {country_code} ({names})")

    def ancestors(
        self, actor_id: str, relations: Collection[str] | None = None
    ) -> list[tuple[Affiliation, Actor]]:
        """Every (affiliation, actor) reachable upwards, for transitive affiliation queries;
        with ``relations``, through affiliations of those kinds only."""
        out: list[tuple[Affiliation, Actor]] = []
        stack, seen = [actor_id], {actor_id}
        while stack:
            current = stack.pop()
            for aff in self.parents(current):
                if aff.other in seen or aff.other not in self.actors:
                    continue
                if relations is not None and aff.relation not in relations:
                    continue
                seen.add(aff.other)
                out.append((aff, self.actors[aff.other]))
                stack.append(aff.other)
        return out

    # -- weapons and countries ----------------------------------------------------------
    def weapon_by_alias(self, text: str) -> WeaponModel | None:
        weapon_id = self._weapon_alias.get(fold(text))
        return self.weapons.get(weapon_id) if weapon_id else None

    def country_of_demonym(self, adjective: str) -> str | None:
        return self.demonyms.get(fold(adjective))

    def maker_country(self, weapon: WeaponModel) -> str | None:
        """Country a model's make implies: only national models with a single maker."""
        if weapon.specificity != "model":
            return None
        return weapon.manufacturer_country or None


@cache
def load_reference() -> ReferenceData:
    actors = [
        Actor(
            id=row["id"],
            name=row["name"],
            type=row.get("type", ""),
            countries=frozenset(_split(row.get("countries", ""), ";")),
            active_from=_year(row.get("active_from", "")),
            active_to=_year(row.get("active_to", "")),
            wikidata=row.get("wikidata") or None,
            aliases=_split(row.get("aliases", "")),
            source=row.get("source", ""),
        )
        for row in _rows("actors/actors.csv")
    ]
    affiliations = [
        Affiliation(
            row["actor"],
            row["relation"],
            row["other"],
            row.get("start") or None,
            row.get("end") or None,
            row.get("source", ""),
        )
        for row in _rows("actors/affiliations.csv")
    ]
    weapons = [
        WeaponModel(
            id=row["id"],
            name=row["name"],
            specificity=row.get("specificity", "model"),
            family=row.get("family") or None,
            category=row.get("category") or None,
            design_origin=row.get("design_origin") or None,
            manufacturer=row.get("manufacturer") or None,
            manufacturer_country=row.get("manufacturer_country") or None,
            wikidata=row.get("wikidata") or None,
            aliases=_split(row.get("aliases", "")),
            source=row.get("source", ""),
        )
        for row in _rows("weapons/weapons.csv")
    ]
    demonyms: dict[str, str] = {}
    for row in _rows("countries/demonyms.csv"):
        for adjective in _split(row.get("adjectives", "")):
            demonyms.setdefault(fold(adjective), row["country"])
    return ReferenceData(actors, affiliations, weapons, demonyms)
