"""Resolution: link actor mentions to canonical actors in context, and places to the gazetteer.

Reads extraction records and the reference data, returns the same records with identities
filled in. It knows nothing of spaCy or RDF.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import replace

from kg.assemble import assemble
from kg.gazetteer import Gazetteer, Place
from kg.lang import language
from kg.records import (
    AFFILIATE_NOTE,
    ActorRef,
    Article,
    EventClaim,
    Extraction,
    PlaceRef,
    PlaceSegment,
)
from kg.reference import ReferenceData, fold

LANG = language()  # the words and patterns of the language the pipeline reads

_BEARINGS = {
    "north of": 0,
    "northeast of": 45,
    "north-east of": 45,
    "east of": 90,
    "southeast of": 135,
    "south-east of": 135,
    "south of": 180,
    "southwest of": 225,
    "south-west of": 225,
    "west of": 270,
    "northwest of": 315,
    "north-west of": 315,
}
_AREA_LEVELS = ("admin1", "admin2", "locality")
LEAD_CHARS = 400  # the title and first sentences: where the story is


# -- places ------------------------------------------------------------------------------
def _country_of(segments: tuple[PlaceSegment, ...], gazetteer: Gazetteer) -> Place | None:
    for segment in reversed(segments):
        if len(segment.name) > 3:
            found = gazetteer.lookup(segment.name, levels=("country",))
            if found:
                return found[0]
    return None


SEAT_CITY = 500_000
"""A city this large is what its bare name means, not the region named after it."""

BIG_CITY = 1_000_000
"""A city this large is the one meant wherever the article's context points ("Niamey" in a
story that names France more than Niger)."""


def _resolve_segment(
    name: str, gazetteer: Gazetteer, country_code: str | None, *, context: bool = False
) -> Place | None:
    """The place a written name is, in ``country_code`` when given; with ``context`` (that
    country is only the article's, not written with the place), a city of a million people
    elsewhere when the country has no place of the name."""
    found = gazetteer.lookup(name, country_code, levels=_AREA_LEVELS)
    area = LANG.area_after.search(name)
    if not found and area and area.end() == len(name) and area.start() > 0:
        # "the Far North Region": the area whose name is "Far North"; "Marte Local
        # Government Area": the district of the town Marte, its seat
        found = gazetteer.lookup(name[: area.start()], country_code, levels=_AREA_LEVELS)
    if found and found[0].level != "locality" and not area:
        # "in Kano", "on the Kaduna road": a bare name shared by a region and its big seat is
        # the city ("Kano State", "the Mopti region" say the region)
        seat = next(
            (
                p
                for p in found
                if p.level == "locality"
                and p.country_code == found[0].country_code
                and fold(p.name) == fold(found[0].name)
                and (p.population or 0) >= SEAT_CITY
            ),
            None,
        )
        if seat is not None:
            found = [seat, *(p for p in found if p is not seat)]
    if country_code is not None:
        inside = [p for p in found if p.country_code == country_code]
        if not inside and context:
            inside = [
                p for p in found if p.level == "locality" and (p.population or 0) >= BIG_CITY
            ][:1]
        found = inside
    elif len({p.country_code for p in found}) > 1:
        # ambiguous across countries without context: accept only a clear dominant place
        found = [p for p in found if (p.population or 0) >= 100_000][:1]
    return found[0] if found else None


def _offset_point(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    radius = 6371.0088
    lat1, lon1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = km / radius
    lat2 = math.asin(
        math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta)
    )
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1),
        math.cos(delta) - math.sin(lat1) * math.sin(lat2),
    )
    return round(math.degrees(lat2), 5), round(math.degrees(lon2), 5)


def resolve_place(
    place: PlaceRef, gazetteer: Gazetteer, fallback_country: str | None = None
) -> PlaceRef:
    """The most precise known place for a written location, with ACLED's precision code.

    1 = the place itself is known (a town); 2 = a place near or inside a known town, or a
    stated distance from one; 3 = only a province, region or country is known.
    """
    segments = place.segments or (PlaceSegment(place.name),)
    country = _country_of(segments, gazetteer)
    country_code = country.country_code if country else fallback_country
    for index, segment in enumerate(segments):
        if country is not None and index == len(segments) - 1 and segment.name == country.name:
            break
        found = _resolve_segment(
            segment.name, gazetteer, country_code, context=country is None and index == 0
        )
        if found is None:
            if gazetteer.lookup(segment.name, levels=("country",)):
                break
            continue
        lat, lon = found.lat, found.lon
        if (
            segment.offset_km
            and segment.relation in _BEARINGS
            and lat is not None
            and lon is not None
        ):
            lat, lon = _offset_point(lat, lon, segment.offset_km, _BEARINGS[segment.relation])
        # a district named after its seat is about the town, not the town itself
        seat = found.level == "locality" and bool(LANG.area_after.search(segment.name))
        exact = index == 0 and segment.relation is None and not seat
        precision = (1 if exact else 2) if found.level == "locality" else 3
        return replace(
            place,
            name=found.name if exact else segments[0].name,
            place_key=found.key if exact else None,
            anchor_key=found.key,
            relation=None if exact else (segments[0].relation or segment.relation or "in"),
            country_code=found.country_code,
            precision=precision,
            lat=lat,
            lon=lon,
        )
    if country is not None:
        exact = segments[0].name == country.name
        return replace(
            place,
            name=country.name if exact else segments[0].name,
            place_key=country.key if exact else None,
            anchor_key=country.key,
            relation=None if exact else "in",
            country_code=country.country_code,
            precision=3,
            lat=country.lat,
            lon=country.lon,
        )
    return replace(place, country_code=fallback_country)


# -- actors ------------------------------------------------------------------------------
class ActorLinker:
    """Links actor mentions in the context of one event (its country and year)."""

    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference

    def link(self, ref: ActorRef, country_code: str | None, year: int | None) -> ActorRef:
        if ref.kind not in {"organization"}:
            return ref
        actor = self.reference.actors.get(ref.actor_id or "") or self.reference.actor_by_alias(
            ref.name or ref.mentions[-1]
        )
        if actor is None:
            return replace(
                ref, actor_id=None, name=ref.name or ref.mentions[0], link_note="no table entry"
            )
        if ref.link_note == AFFILIATE_NOTE:
            link = self.reference.affiliate_in(actor, country_code, year)
            if link.actor is None:
                return replace(
                    ref, actor_id=None, name=f"affiliate of {actor.name}", link_note=link.note
                )
        else:
            link = self.reference.specialise(actor, country_code, year)
        assert link.actor is not None
        return replace(ref, actor_id=link.actor.id, name=link.actor.name, link_note=link.note)

    def is_ancestor(self, maybe_parent: str, child: str) -> bool:
        """Whether ``child`` is part of ``maybe_parent`` (a branch, faction or affiliate of it,
        at any remove): an ally or a splinter is another side, named as its own."""
        return any(actor.id == maybe_parent for _, actor in self.reference.ancestors(child, _PARTS))


_PARTS = frozenset({"part-of", "branch-of", "faction-of", "affiliated-with", "merged-into"})
"""Affiliations that make an actor a part of another (``data/actors/affiliations.csv``)."""


def _merge_same(refs: list[ActorRef], linker: ActorLinker) -> tuple[ActorRef, ...]:
    """One entry per identity; a parent organisation named for its affiliate folds into it."""
    out: list[ActorRef] = []
    for ref in refs:
        for index, existing in enumerate(out):
            same = ref.actor_id is not None and ref.actor_id == existing.actor_id
            parent_of_existing = (
                ref.actor_id
                and existing.actor_id
                and linker.is_ancestor(ref.actor_id, existing.actor_id)
            )
            child_of_existing = (
                ref.actor_id
                and existing.actor_id
                and linker.is_ancestor(existing.actor_id, ref.actor_id)
            )
            if same or parent_of_existing:
                out[index] = replace(
                    existing, mentions=tuple(dict.fromkeys(existing.mentions + ref.mentions))
                )
                break
            if child_of_existing:
                out[index] = replace(
                    ref, mentions=tuple(dict.fromkeys(ref.mentions + existing.mentions))
                )
                break
            if (
                ref.actor_id is None
                and existing.actor_id is None
                and {fold(m) for m in ref.mentions} & {fold(m) for m in existing.mentions}
            ):
                out[index] = replace(
                    existing, mentions=tuple(dict.fromkeys(existing.mentions + ref.mentions))
                )
                break
        else:
            out.append(ref)
    return tuple(out)


def _link_all(
    refs: tuple[ActorRef, ...], linker: ActorLinker, country_code: str | None, year: int | None
) -> tuple[ActorRef, ...]:
    return _merge_same([linker.link(r, country_code, year) for r in refs], linker)


def _widen(refs: tuple[ActorRef, ...], everywhere: list[ActorRef]) -> tuple[ActorRef, ...]:
    """Add the article's other mentions of the same identity to each participant."""
    out = []
    for ref in refs:
        extra = [
            mention
            for other in everywhere
            if ref.actor_id and other.actor_id == ref.actor_id
            for mention in other.mentions
        ]
        out.append(replace(ref, mentions=tuple(dict.fromkeys(ref.mentions + tuple(extra)))))
    return tuple(out)


def resolve_extraction(
    extraction: Extraction, reference: ReferenceData, gazetteer: Gazetteer
) -> Extraction:
    article = extraction.article
    linker = ActorLinker(reference)
    dateline = _dateline_country(article, gazetteer)
    lead = article.text[article.body_start : article.body_start + LEAD_CHARS]
    fallback_country = context_country(
        (
            *_capitalised_names(article.title or ""),
            *_capitalised_names(lead),  # the title and the lead say where, so count twice
            *_capitalised_names(article.text),
            *_located_names(article.text),  # "in Niger", not "France condemned": once more
        ),
        gazetteer,
        reference,
        extraction.place_names,
        dateline=dateline,
    )
    placed = {
        claim.key: resolve_place(claim.place, gazetteer, fallback_country)
        for claim in extraction.claims
        if claim.place is not None
    }
    # an event the text places nowhere happened where the article's placed events did, when
    # they all lie in one country: "France" named ten times in a story from Niamey does not
    # move a protest at the embassy there to France
    story = {p.country_code for p in placed.values() if p.country_code}
    unplaced_country = story.pop() if len(story) == 1 else fallback_country
    resolved: list[EventClaim] = []
    for claim in extraction.claims:
        place = placed.get(claim.key) or _country_only(unplaced_country, gazetteer)
        country_code = place.country_code if place else fallback_country
        year = (
            claim.date.value.year
            if claim.date and claim.date.value
            else (article.reference_date.year if article.reference_date else None)
        )

        # mentions of the same identity anywhere in the article are coreferent mentions
        everywhere = [linker.link(m, country_code, year) for m in extraction.actor_mentions]
        resolved.append(
            replace(
                claim,
                place=place,
                attackers=_widen(
                    _link_all(claim.attackers, linker, country_code, year), everywhere
                ),
                targets=_widen(_link_all(claim.targets, linker, country_code, year), everywhere),
                victims=_link_all(claim.victims, linker, country_code, year),
            )
        )
    resolved = _inherit_from_parents(resolved, linker)
    return assemble(
        replace(extraction, claims=tuple(resolved)),
        reference,
        fallback_country=fallback_country,
        country_named=lambda text: _country_named(text, gazetteer, reference),
        within=lambda place, area: _within(place, area, gazetteer),
        find_place=lambda frame, story: _place_in_sentences(
            frame,
            gazetteer,
            fallback_country,
            extraction.article.text if story else None,
            named_otherwise=lambda name: bool(
                reference.actor_by_alias(name) or reference.country_of_demonym(name)
            ),
        ),
        place_named=lambda name, country: (
            _town(name, gazetteer, country) or _unknown_village(name, country)
            if country
            else None
        ),
        is_place=lambda text: bool(
            gazetteer.lookup(text, levels=("country", "admin1"))
            or reference.country_of_demonym(text)
        ),
    )


def _place_in_sentences(
    claim: EventClaim,
    gazetteer: Gazetteer,
    country_code: str | None,
    article: str | None = None,
    named_otherwise: Callable[[str], bool] = lambda name: False,
) -> PlaceRef | None:
    """The first town or district of the event's country that its sentences name after a
    preposition, when the parse gave the event no place finer than the country; failing
    that, a settlement they name as one ("the village of X") that the gazetteer lacks. With
    the article's text (for the incident the article is about), its other sentences are
    read after the event's own."""
    if claim.place is not None and claim.place.country_code:
        country_code = claim.place.country_code  # the event's own country, where it has one
    if not country_code:
        return None
    for evidence in claim.evidence:
        if found := _known_town(evidence.sentence, gazetteer, country_code):
            return found
    for text in [*(evidence.sentence for evidence in claim.evidence), article or ""]:
        if found := _named_settlement(text, gazetteer, country_code, named_otherwise):
            return found
    if article:
        article = LANG.byline.sub(" ", article)
        return _known_town(article, gazetteer, country_code) or _repeated_place(
            article, gazetteer, country_code, named_otherwise
        )
    return None


def _repeated_place(
    text: str, gazetteer: Gazetteer, country_code: str, named_otherwise: Callable[[str], bool]
) -> PlaceRef | None:
    """A name the gazetteer lacks that the article gives as a place more than once ("the
    reserve in Koure", "the area around Koure"): the village its story happened in."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for match in LANG.locative_name.finditer(text):
        name = match.group(1)
        first_word = name.split()[0]
        if first_word in LANG.calendar_words or first_word.lower() in LANG.place_adjectives:
            continue  # "in May"; "in West Africa", "in Northern Nigeria": a region, no village
        if named_otherwise(name) or gazetteer.lookup(name):
            continue  # a known place, wherever it is, is read by the other rules
        key = fold(name)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, name)
    repeated = [key for key, n in counts.items() if n > 1]
    if len(repeated) != 1:
        return None  # none, or several stories' villages
    return _unknown_village(first[repeated[0]], country_code)


def _unknown_village(name: str, country_code: str) -> PlaceRef:
    """A village the gazetteer lacks, in the event's country."""
    return PlaceRef(
        mentions=(name,),
        name=name,
        place_key=None,
        anchor_key=None,
        relation=None,
        country_code=country_code,
        precision=None,
    )


def _known_town(text: str, gazetteer: Gazetteer, country_code: str) -> PlaceRef | None:
    for match in LANG.place_phrase.finditer(text):
        name = match.group(1)
        if name.split()[0] in LANG.calendar_words:  # "in May", "on Sunday"
            continue
        if LANG.area_after.match(text, match.end()):  # "the Tillaberi region": not its town
            continue
        if found := _town(name, gazetteer, country_code):
            return found
    return None


def _town(name: str, gazetteer: Gazetteer, country_code: str) -> PlaceRef | None:
    found = [
        p
        for p in gazetteer.lookup(name, country_code, levels=("locality", "admin2"))
        if p.country_code == country_code
    ]
    if not found:
        return None
    town = found[0]
    return PlaceRef(
        mentions=(name,),
        name=town.name,
        place_key=town.key,
        anchor_key=town.key,
        relation=None,
        country_code=town.country_code,
        precision=1 if town.level == "locality" else 3,
        lat=town.lat,
        lon=town.lon,
    )


def _named_settlement(
    text: str, gazetteer: Gazetteer, country_code: str, named_otherwise: Callable[[str], bool]
) -> PlaceRef | None:
    for match in LANG.settlement_cue.finditer(text):
        name = next(group for group in match.groups() if group)
        if fold(name) in LANG.settlement_stopwords or named_otherwise(name):
            continue  # "the Boko Haram camp", "the Malian gendarmerie"
        if known := _town(name, gazetteer, country_code):
            return known
        if gazetteer.lookup(name, levels=("country", "admin1")):
            continue
        # a village the gazetteer lacks, named as one: the event's country holds it
        return _unknown_village(name, country_code)
    return None


def _within(place_key: str, area_key: str, gazetteer: Gazetteer) -> bool:
    place = gazetteer.get(place_key)
    return place is not None and any(p.key == area_key for p in gazetteer.hierarchy(place))


@functools.lru_cache(maxsize=1 << 16)
def _country_of_name(
    name: str, gazetteer: Gazetteer, reference: ReferenceData
) -> tuple[str | None, bool]:
    """The country a name is ("Mali") or a nationality of ("Malian"), and whether it was the
    country's own name. Remembered: an article's candidate names repeat across articles, and
    the tables do not change while they are loaded."""
    country = gazetteer.lookup(name, levels=("country",))
    if country:
        return country[0].country_code, True
    if demonym := reference.country_of_demonym(name):
        found = gazetteer.country(demonym)
        return (found.country_code if found else None), False
    return None, False


def _country_named(text: str, gazetteer: Gazetteer, reference: ReferenceData) -> str | None:
    """The country a phrase names by name or nationality ("Nigerian troops" -> NG)."""
    for name in _capitalised_names(text):
        code, _ = _country_of_name(name, gazetteer, reference)
        if code:
            return code
    return None


_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*(?:[ -](?:[A-Z][\w'’.-]*|d'\w+|of|du|de))*")


def _located_names(text: str) -> list[str]:
    """Capitalised runs that follow a locative phrase ("attacked in northern Mali")."""
    return [
        match.group(0).rstrip(".'’-")
        for match in _CAPITALISED.finditer(text)
        if LANG.locative_before.search(text, max(0, match.start() - 40), match.start())
        and not _neighbour(text, match.start())
    ]


def _neighbour(text: str, start: int) -> bool:
    """ "near the border with Niger": the name is the story's neighbour, not its place."""
    return bool(LANG.neighbour_before.search(text, max(0, start - 40), start))


def _capitalised_names(text: str) -> list[str]:
    """Runs of capitalised words ("Burkina Faso", "Malian", "Côte d'Ivoire"), and each word
    of a run, as candidate country names and nationalities."""
    out: list[str] = []
    for match in _CAPITALISED.finditer(text):
        if _neighbour(text, match.start()):
            continue
        run = match.group(0).rstrip(".'’-")
        out.append(run)
        words = run.split()
        if len(words) > 1:
            out.extend(w.rstrip(".'’-") for w in words if w[:1].isupper())
    return out


def context_country(
    names: tuple[str, ...],
    gazetteer: Gazetteer,
    reference: ReferenceData,
    places: tuple[str, ...] = (),
    *,
    dateline: str | None = None,
) -> str | None:
    """The country an article is about, from the countries and nationalities it names.

    ``names`` are candidate strings in text order: a country named outright counts twice, a
    nationality ("Malian") half as much. ``places`` (the parse's place names) count once each when
    they name a province or town of one country only; the date line's country counts as a
    country named once. The first named wins a tie, as the lead says where the story is.
    """
    votes: dict[str, float] = {}
    first: dict[str, int] = {}

    def vote(code: str | None, weight: float, position: int) -> None:
        if code:
            votes[code] = votes.get(code, 0.0) + weight
            first.setdefault(code, position)

    vote(dateline, 2.0, -1)  # where the report was filed: a country named once
    for position, name in enumerate(names):
        if len(name) < 4 and not name.isupper():
            continue
        code, named = _country_of_name(name, gazetteer, reference)
        # a nationality ("French soldiers", "the Nigerien guide") says whose more often than where
        vote(code, 2.0 if named else 0.5, position)
    for position, name in enumerate(places, start=len(names)):
        areas = gazetteer.lookup(name, levels=("admin1", "admin2", "locality"))
        if areas and len({p.country_code for p in areas}) == 1:
            vote(areas[0].country_code, 1.0, position)
    if not votes:
        return None
    return min(votes, key=lambda c: (-votes[c], first[c]))


def _inherit_from_parents(claims: list[EventClaim], linker: ActorLinker) -> list[EventClaim]:
    """A sub-event names the same sides as its parent: fold parent-organisation names in."""
    by_key = {c.key: c for c in claims}
    out = []
    for claim in claims:
        parent = by_key.get(claim.parent_key or "")
        if parent is not None:
            claim = replace(
                claim,
                attackers=_merge_same(list(parent.attackers) + list(claim.attackers), linker)
                if claim.attackers
                else parent.attackers,
                targets=_merge_same(list(parent.targets) + list(claim.targets), linker)
                if claim.targets
                else parent.targets,
                place=claim.place or parent.place,
            )
        out.append(claim)
    return out


def _country_only(country_code: str | None, gazetteer: Gazetteer) -> PlaceRef | None:
    """An event that names no place, in an article whose date line names a country, is
    placed in that country with precision 3 (ACLED's code for "only a larger area is
    known"); the date line's town is where the report was filed, not where the event was."""
    country = gazetteer.get(f"iso:{country_code}") if country_code else None
    if country is None:
        return None
    return PlaceRef(
        mentions=(),
        name=country.name,
        place_key=country.key,
        anchor_key=country.key,
        relation=None,
        country_code=country.country_code,
        precision=3,
        lat=country.lat,
        lon=country.lon,
    )


def _dateline_country(article: Article, gazetteer: Gazetteer) -> str | None:
    if not article.dateline_place:
        return None
    parts = [p.strip() for p in article.dateline_place.split(",") if p.strip()]
    for part in reversed(parts):
        country = gazetteer.lookup(part, levels=("country",))
        if country:
            return country[0].country_code
    found = gazetteer.lookup(parts[0], levels=("locality", "admin1"))
    return found[0].country_code if found else None
