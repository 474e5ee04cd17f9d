"""Article-level assembly: sentence-level claims in, one incident frame per incident out.

A wire story tells one incident over many sentences: the lead says who attacked where, a
later paragraph gives the toll, a quote adds the date, and the closing paragraphs recall
older attacks. The extractor reads each sentence on its own, so it hands over fragments.
This stage, over resolved records only (no spaCy, no RDF), puts them back together:

- claims that recall an older incident (dated well before the article's own incident, or
  told in the words of background) are kept as their own events, marked ``background``;
- the remaining claims of compatible types form one incident unless their places (both
  town-level and apart) or their stated dates tell them apart; the frame combines what every
  sentence says: the sides, the most precise place, the best date, the highest toll;
- the frame is typed in ACLED's terms from what it combines: an armed group against state
  forces is a battle, a bomb told as a suicide attack or an IED gets its sub-event type;
- state forces named by a generic word ("soldiers", "the army") are the country's forces.

Word lists come from a :class:`Lexicon` (English by default), so the rules stay
language-neutral.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from kg.codebook import EXPLOSIONS, PROTESTS, REMOTE, family, reported_alike
from kg.dates import NUMBER_WORDS
from kg.gazetteer import haversine_km
from kg.lang import LanguagePack, language
from kg.records import ActorRef, DateOrigin, EventClaim, Extraction, MaterielLot, PlaceRef
from kg.reference import ReferenceData, fold

NEAR_KM = 25.0  # town-level places further apart than this are different incidents
SAME_DAYS = 2  # a dated claim this close to the article's incident is not background
DAY_SLACK = 2  # "on Saturday night" and "early on Sunday" tell one incident
BACKGROUND_DAYS = 10  # a dated claim this long before the article's incident is background
STATE_FORCE_TYPES = frozenset({"state-forces"})
_AREA_NAME = language().area_after  # "the Lake region": an area, whether known or not


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The language-specific words the assembly reads, as data."""

    background: re.Pattern[str]  # a sentence that recalls an older incident
    generic: re.Pattern[str]  # a sentence that sums up a conflict, no incident
    suicide: re.Pattern[str]
    remote_explosive: re.Pattern[str]
    grenade: re.Pattern[str]
    military_words: frozenset[str]  # heads naming a country's armed forces
    police_words: frozenset[str]  # heads naming its police or gendarmerie
    military_places: frozenset[str]  # words of the places forces hold ("barracks")
    protesters: frozenset[str]  # heads naming people who protest
    crowds: frozenset[str]  # the same, and crowds that may turn on a place ("youths", "a mob")
    mobs: frozenset[str]  # people who can form a mob ("villagers", "angry residents")
    armed_words: frozenset[str]  # heads naming armed people (either side of a battle)
    civilian_words: frozenset[str]
    protest_violence: re.Pattern[str]  # what makes a protest a riot
    intervention: re.Pattern[str]  # what forces do to a protest ("fired tear gas")
    quantity_prefix: re.Pattern[str]  # "at least 50 people" -> "people"
    things: frozenset[str]  # heads of things hit that are counted like people ("20 houses")
    landmarks: frozenset[str]  # words of a landmark's name ("monument", "assembly")
    collectives: frozenset[str]  # "the group", alone: a group the article named, again
    protest_props: frozenset[str]  # what rioters burn ("tyres"): a riot, not an arson
    residue: frozenset[str]  # heads that name nobody ("21 others", "one")
    bare_people: frozenset[str]  # heads that only say people were hit ("30 people")
    event_nouns: frozenset[str]  # nouns that name an incident ("attack", "massacre")
    not_hit: frozenset[str]  # what a killing or a fire leaves, never what was hit ("bodies")
    attacker_roles: frozenset[str]  # words for the side that attacked ("the attackers")
    settlements: frozenset[str]  # what a town-level place is called ("the town")
    place_pair: re.Pattern[str]  # "the villages of X and Y"
    toll_at_place: re.Pattern[str]  # "70 dead in X": the count, the place
    number_words: dict[str, int]  # counts written as words ("thirty")


def lexicon_of(pack: LanguagePack) -> Lexicon:
    """The assembly's words from a language pack (kg/lang)."""
    return Lexicon(
        background=pack.background_cues,
        generic=pack.generic_cues,
        suicide=pack.suicide_cues,
        remote_explosive=pack.remote_explosive_cues,
        grenade=pack.grenade_cues,
        military_words=pack.military_words,
        police_words=pack.police_words,
        military_places=pack.military_places,
        protesters=pack.protester_nouns | {n + "s" for n in pack.protester_nouns},
        crowds=pack.crowd_nouns,
        mobs=pack.mob_nouns | pack.crowd_nouns,
        armed_words=pack.armed_nouns,
        civilian_words=pack.civilian_nouns,
        protest_violence=pack.riot_cues,
        intervention=pack.intervention_cues,
        quantity_prefix=pack.quantity_prefix,
        things=pack.thing_nouns,
        landmarks=pack.landmark_nouns,
        collectives=pack.collective_nouns,
        protest_props=pack.protest_props,
        residue=pack.residual_heads,
        bare_people=pack.bare_people_heads,
        event_nouns=frozenset(pack.noun_triggers),
        not_hit=pack.never_hit_heads,
        attacker_roles=pack.attacker_role_heads,
        settlements=pack.settlement_nouns,
        place_pair=pack.place_pair,
        toll_at_place=pack.toll_at_place,
        number_words=NUMBER_WORDS,
    )


# -- what a claim says ------------------------------------------------------------------------
def _text(claim: EventClaim) -> str:
    return " ".join(e.sentence for e in claim.evidence)


def _heads(ref: ActorRef) -> set[str]:
    """The last word of each mention, singular-ish: "10 Burkinabe soldiers" -> "soldier"."""
    heads = set()
    for mention in ref.mentions:
        words = fold(mention).split()
        if words:
            word = words[-1]
            heads.add(word)
            heads.add(word[:-1] if word.endswith("s") else word)
    return heads


def _force_kind(ref: ActorRef, reference: ReferenceData, lexicon: Lexicon) -> str | None:
    """ "military" or "police" when the participant is a state force, else ``None``."""
    actor = reference.actors.get(ref.actor_id or "")
    if actor is not None:
        if actor.type in STATE_FORCE_TYPES:
            return "police" if actor.id.startswith("police-") else "military"
        return None
    # people are named by their head ("Burkinabe soldiers"); a place of the forces by any
    # of its words ("a gendarme post", "the military base", "Djibo barracks")
    words = _heads(ref) if ref.kind != "object" else {
        w for m in ref.mentions for word in fold(m).split() for w in (word, word.rstrip("s"))
    }
    if words & lexicon.police_words:
        return "police"
    if words & (lexicon.military_words | lexicon.military_places):
        return "military"
    return None


def _is_armed(ref: ActorRef, reference: ReferenceData, lexicon: Lexicon) -> bool:
    """Whether the participant can fight: an armed group, a force, armed people."""
    if ref.kind == "object":
        return False
    actor = reference.actors.get(ref.actor_id or "")
    if actor is not None:
        return actor.type not in {"civilians", "protesters", "rioters", "other"}
    heads = _heads(ref)
    if heads & lexicon.civilian_words:
        return False
    if ref.kind == "organization":
        return True
    return bool(heads & (lexicon.armed_words | lexicon.military_words | lexicon.police_words))


# -- background -------------------------------------------------------------------------------
def _anchor_date(claims: Sequence[EventClaim], extraction: Extraction) -> dt.date | None:
    """The day the article's own incident happened, as far as the article tells it: the first
    day it gives near its own date, or else the day of its lead incident (a report written
    weeks after the incident it codes)."""
    reference = extraction.article.reference_date
    for claim in claims:
        day = claim.date.value if claim.date and claim.date.origin == DateOrigin.TEXT else None
        if day and (reference is None or (reference - day).days <= BACKGROUND_DAYS):
            return day
    lead = next((c for c in claims if c.type not in {"materiel-capture", "arrests"}), None)
    if lead and lead.date and lead.date.origin == DateOrigin.TEXT and lead.date.value:
        return lead.date.value
    return reference


def is_background(
    claim: EventClaim, anchor: dt.date | None, lexicon: Lexicon, *, lead: bool
) -> bool:
    """Whether the claim recalls an incident older than the one the article reports."""
    if lead:
        return False
    date = claim.date
    if anchor and date and date.origin == DateOrigin.TEXT and date.value:
        if (anchor - date.value).days > BACKGROUND_DAYS:
            return True
        if abs((anchor - date.value).days) <= SAME_DAYS:
            return False
    return bool(lexicon.background.search(_text(claim)))


# -- one incident or two ----------------------------------------------------------------------
def _town(place: PlaceRef | None) -> bool:
    """A town-level place: resolved at precision 1-2, or a named place the gazetteer lacks
    (a village, most often)."""
    if place is None:
        return False
    if place.precision is None:
        return bool(place.name) and place.place_key is None and place.anchor_key is None
    if place.precision <= 2:
        return True
    # "Buni Gari, Yobe State": a village the gazetteer lacks, placed by the area it lies in
    first = place.segments[0] if place.segments else None
    return bool(
        place.place_key is None
        and first is not None
        and first.relation is None
        and len(place.segments) > 1
        and fold(first.name) == fold(place.name)
        and not _AREA_NAME.search(first.name)
    )


Within = Callable[[str, str], bool]  # (place key, area key): does the place lie in the area?


def places_apart(
    a: PlaceRef | None, b: PlaceRef | None, within: Within | None = None
) -> bool:
    """Two places that cannot be where one incident happened.

    Two town-level places apart (not the same place, not near each other); a town and a
    province or district it does not lie in; two different provinces; two countries. A
    country never keeps apart a place inside it: "in northern Burkina Faso" and "Djibo" are
    one story told twice.
    """
    if a is None or b is None:
        return False
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return True
    if _is_country(a) or _is_country(b):
        return False
    if _town(a) and _town(b):
        if a.anchor_key and a.anchor_key == b.anchor_key and (a.precision or 3) <= 2:
            return False  # both at or near one town (two villages of one province may not be)
        if fold(a.name) == fold(b.name):
            return False
        if None not in (a.lat, a.lon, b.lat, b.lon):
            return haversine_km(a.lat, a.lon, b.lat, b.lon) > NEAR_KM  # type: ignore[arg-type]
        return True
    # a province or district on one side at least
    key_a, key_b = a.anchor_key or a.place_key, b.anchor_key or b.place_key
    if not key_a or not key_b or key_a == key_b or within is None:
        return False
    return not (within(key_a, key_b) or within(key_b, key_a))


def _is_country(place: PlaceRef) -> bool:
    return bool(place.place_key and place.place_key.startswith("iso:") and place.precision == 3)


def dates_apart(a: EventClaim, b: EventClaim) -> bool:
    """Both sentences date their incident, and the days they allow do not meet."""
    if not (a.date and b.date and a.date.value and b.date.value):
        return False
    if a.date.origin != DateOrigin.TEXT or b.date.origin != DateOrigin.TEXT:
        return False
    # the day of a statement is the day the sentence names (its bound, the days before,
    # is for comparing reports across outlets)
    first_a = a.date.value if a.date.of_statement else a.date.earliest or a.date.value
    first_b = b.date.value if b.date.of_statement else b.date.earliest or b.date.value
    last_a, last_b = a.date.latest or a.date.value, b.date.latest or b.date.value
    slack = dt.timedelta(days=DAY_SLACK)
    return last_a + slack < first_b or last_b + slack < first_a


def _joinable(
    frame: EventClaim,
    claim: EventClaim,
    protest_article: bool,
    lexicon: Lexicon,
    within: Within | None = None,
) -> bool:
    fam_a, fam_b = family(frame.type), family(claim.type)
    if "arrests" in {frame.type, claim.type} and "protest" in {fam_a, fam_b}:
        # "police arrested 14 demonstrators during the march": the protest met by the forces
        arrest = frame if frame.type == "arrests" else claim
        return (
            _protesters_hit(arrest, lexicon)
            and not places_apart(frame.place, claim.place, within)
            and not dates_apart(frame, claim)
        )
    if {fam_a, fam_b} == {"remote", "violence"}:
        # "the jet struck the camp ... 52 people were killed there": what the strike did, told
        # without its author, or in the strike's own sentence
        other = claim if fam_b == "violence" else frame
        if other.attackers and not _share_sentence(frame, claim):
            return False
    elif fam_a != fam_b:
        # fire and looting during a protest are the protest turning violent
        if not (protest_article and {fam_a, fam_b} == {"protest", "violence"}):
            return False
        other = claim if fam_b == "violence" else frame
        if _riot_tactic(other, lexicon):
            return not places_apart(frame.place, claim.place, within) and not dates_apart(
                frame, claim
            )
        crowd_claim = frame if other is claim else claim
        # a building stormed by nobody named, where the crowd gathered ("protesters gathered
        # outside the embassy"): the crowd's doing
        riot_part = other.type in {"arson", "looting-property-destruction"} or (
            other.type == "attack"
            and not other.victims
            and bool(other.targets)
            and all(t.kind == "object" for t in other.targets)
            and bool(_things(other) & set(fold(_text(crowd_claim)).split()))
        )
        # "students clashed with police during a demonstration": people of the protest's
        # sentence who fight are its crowd
        crowd = _protesters(other, lexicon.crowds) or (
            _share_sentence(frame, claim) and _protesters(other, lexicon.mobs)
        )
        if other.attackers and not crowd and not _protesters_hit(other, lexicon):
            return False  # gunmen are not the crowd: an attack and a protest about it are two
        if not (
            crowd
            or _share_sentence(frame, claim)
            or (riot_part and not other.attackers)
            or _protesters_hit(other, lexicon)  # "two protesters were shot dead"
        ):
            return False
    if fam_a not in {"violence", "protest", "remote"} and frame.type != claim.type:
        return False
    if frame.type in {"materiel-capture", "arrests"}:
        return False
    if not _same_story(frame, claim):
        return False
    if _named_apart(frame, claim):
        return False
    return not places_apart(frame.place, claim.place, within) and not dates_apart(frame, claim)


def _same_story(a: EventClaim, b: EventClaim) -> bool:
    """Claims of different kinds (a kidnapping, a bombing, a shooting) are one incident only
    when they share a sentence or one of them names nobody at all (a fragment: "trucks were
    set on fire"). A group that bombs a pylon and shoots a mayor on one day has done two
    things; a list of incidents in one article stays a list."""
    if reported_alike(a.type, b.type) or "protest" in {family(a.type), family(b.type)}:
        return True  # (a protest and what its crowd did: _joinable decides)
    if _share_sentence(a, b) or _hit_alike(a, b):
        return True
    return not [*a.attackers, *a.targets, *a.victims] or not [*b.attackers, *b.targets, *b.victims]


def _things(claim: EventClaim) -> set[str]:
    """The head words of the things the claim says were hit."""
    return {fold(m).split()[-1] for t in claim.targets if t.kind == "object" for m in t.mentions}


def _hit_alike(a: EventClaim, b: EventClaim) -> bool:
    """Both hit a thing of one kind: "bombed a camp" and "bombarded the camp"."""
    return bool(_things(a) & _things(b))


def _named_apart(a: EventClaim, b: EventClaim) -> bool:
    """Both name the people they struck, or the things they hit, and none in common: two
    killings or two bombings, not one."""
    names_a = {k for v in a.victims if v.kind == "person" for k in _keys(v)}
    names_b = {k for v in b.victims if v.kind == "person" for k in _keys(v)}
    if names_a and names_b and not names_a & names_b:
        return True
    things_a, things_b = _things(a), _things(b)
    return bool(things_a and things_b and not things_a & things_b)


def _share_sentence(a: EventClaim, b: EventClaim) -> bool:
    return bool({e.start for e in a.evidence} & {e.start for e in b.evidence})


def _riot_tactic(claim: EventClaim, lexicon: Lexicon) -> bool:
    """Tyres burnt or streets barricaded, by nobody armed: what a protest does when it turns
    violent, whoever the sentence names."""
    return (
        claim.type in {"arson", "looting-property-destruction"}
        and bool(claim.targets)
        and all(_heads(t) & lexicon.protest_props for t in claim.targets)
        and not any(_heads(a) & lexicon.armed_words for a in claim.attackers)
    )


def _protesters(claim: EventClaim, words: frozenset[str]) -> bool:
    return any(_heads(a) & words for a in claim.attackers)


def _protesters_hit(claim: EventClaim, lexicon: Lexicon) -> bool:
    """Protesters among the people the incident struck or arrested."""
    return any(_heads(v) & lexicon.protesters for v in (*claim.victims, *claim.targets))


# -- combining --------------------------------------------------------------------------------
def _keys(ref: ActorRef) -> set[str]:
    keys = {fold(m) for m in ref.mentions}
    if ref.actor_id:
        keys.add("id:" + ref.actor_id)
    return keys


def merge_refs(a: Iterable[ActorRef], b: Iterable[ActorRef]) -> tuple[ActorRef, ...]:
    out = list(a)
    for ref in b:
        for index, existing in enumerate(out):
            if _keys(ref) & _keys(existing) and ref.kind == existing.kind:
                out[index] = replace(
                    existing,
                    mentions=tuple(dict.fromkeys(existing.mentions + ref.mentions)),
                    actor_id=existing.actor_id or ref.actor_id,
                    basis=existing.basis if existing.basis is None else ref.basis,
                )
                break
        else:
            out.append(ref)
    return tuple(out)


def _merge_lots(a: Iterable[MaterielLot], b: Iterable[MaterielLot]) -> tuple[MaterielLot, ...]:
    lots: dict[tuple[str, str], MaterielLot] = {}
    for lot in (*a, *b):
        key = (lot.model_id or fold(lot.name), lot.role)
        old = lots.get(key)
        lots[key] = (
            lot
            if old is None
            else replace(
                old,
                mentions=tuple(dict.fromkeys(old.mentions + lot.mentions)),
                origin=old.origin or lot.origin,
                origin_basis=old.origin_basis or lot.origin_basis,
                quantity=old.quantity or lot.quantity,
            )
        )
    return tuple(lots.values())


def _better_place(a: PlaceRef | None, b: PlaceRef | None) -> PlaceRef | None:
    if a is None or b is None:
        return a or b

    def rank(p: PlaceRef) -> tuple[float, int, int]:
        # a village the gazetteer lacks still says more than the province or country; a
        # province says more than its country at the same precision
        return (p.precision or (2.5 if p.name else 4), _is_country(p), 0 if p.place_key else 1)

    return b if rank(b) < rank(a) else a


def _better_date(frame: EventClaim, claim: EventClaim) -> EventClaim:
    a, b = frame.date, claim.date
    if b is None or b.value is None:
        return frame
    if a is None or a.value is None:
        return replace(frame, date=b)
    if a.origin != DateOrigin.TEXT and b.origin == DateOrigin.TEXT:
        return replace(frame, date=b)
    if a.of_statement and b.origin == DateOrigin.TEXT and not b.of_statement:
        # "said on Monday" gives way to "the attack, which took place on Sunday"
        return replace(frame, date=b)
    return frame


def combine(frame: EventClaim, claim: EventClaim) -> EventClaim:
    """One frame from two reports of one incident: everything each says, the best of each."""
    merged = replace(
        frame,
        evidence=frame.evidence + tuple(e for e in claim.evidence if e not in frame.evidence),
        attackers=merge_refs(frame.attackers, claim.attackers),
        targets=merge_refs(frame.targets, claim.targets),
        victims=merge_refs(frame.victims, claim.victims),
        materiel=_merge_lots(frame.materiel, claim.materiel),
        place=_better_place(frame.place, claim.place),
        fatalities=max(
            (f for f in (frame.fatalities, claim.fatalities) if f is not None), default=None
        ),
        confidence=max(frame.confidence, claim.confidence),
        muc_excluded=frame.muc_excluded and claim.muc_excluded,
    )
    return _better_date(merged, claim)


# -- typing in the analysts' terms ------------------------------------------------------------
def refine_type(
    frame: EventClaim, types: Sequence[str], reference: ReferenceData, lexicon: Lexicon
) -> str:
    """ACLED's sub-event type of an assembled incident, from all its claims' types."""
    text = _text(frame)
    kinds = set(types)
    if _riot_tactic(frame, lexicon):
        return "violent-demonstration"  # "protesters burned tyres", told alone
    if (
        kinds
        <= PROTESTS | {"arson", "looting-property-destruction", "attack", "armed-clash", "arrests"}
        and kinds & PROTESTS
    ):
        # who did the violence: the crowd (a riot), or the forces that met it
        crowd_hit = _protesters_hit(frame, lexicon)
        if (kinds - PROTESTS - {"arrests"} and not crowd_hit) or lexicon.protest_violence.search(
            text
        ):
            return "violent-demonstration"
        if crowd_hit and (frame.fatalities or "attack" in kinds):
            return "excessive-force-against-protesters"  # "two protesters were shot dead"
        if crowd_hit or "arrests" in kinds or lexicon.intervention.search(text):
            return "protest-with-intervention"  # arrests, tear gas, a march dispersed
        return frame.type
    if frame.type in REMOTE:
        return frame.type
    if kinds & REMOTE:  # killings told before the strike that did them
        return next(t for t in types if t in REMOTE)
    if kinds & {"attack", "armed-clash", "arson", "looting-property-destruction"} and _protesters(
        frame, lexicon.protesters
    ):
        return "violent-demonstration"  # protesters who burn, loot or fight are rioters
    explosions = kinds & EXPLOSIONS
    if explosions:
        if lexicon.suicide.search(text):
            return "suicide-bomb"
        if "grenade" in explosions or lexicon.grenade.search(text):
            return "grenade"
        if lexicon.remote_explosive.search(text):
            return "remote-explosive"
        if frame.type in EXPLOSIONS or not (kinds & {"attack", "armed-clash"}):
            return "bombing" if frame.type not in EXPLOSIONS else frame.type
    if "abduction" in kinds and not frame.fatalities and frame.type != "armed-clash":
        return "abduction"
    if _mob(frame, reference, lexicon) and kinds & {
        "attack", "armed-clash", "arson", "looting-property-destruction"
    }:
        return "mob-violence"  # "villagers lynched a man", "angry residents burned a house"
    if frame.type == "arson" and (frame.fatalities or frame.victims):
        return "attack"  # "burnt ten travellers to death": people set on fire, not property
    if frame.type in {"attack", "armed-clash", "abduction"} or kinds & {"attack", "armed-clash"}:
        hit = frame.targets + frame.victims
        armed_attacker = any(_is_armed(a, reference, lexicon) for a in frame.attackers)
        force_hit = any(_force_kind(r, reference, lexicon) for r in hit)
        force_attacker = any(_force_kind(a, reference, lexicon) for a in frame.attackers)
        armed_hit = any(
            _is_armed(r, reference, lexicon) for r in frame.targets if r.kind != "object"
        )
        if force_hit and (armed_attacker or not frame.attackers):
            return "armed-clash"
        if force_attacker and armed_hit:
            return "armed-clash"
        if "armed-clash" in kinds and not any(
            r.kind == "group" and _heads(r) & lexicon.civilian_words for r in frame.victims
        ):
            return "armed-clash"
        if frame.type == "armed-clash" and not armed_hit and frame.victims:
            return "attack"
        return "attack" if frame.type not in {"abduction"} else frame.type
    return frame.type


def _mob(frame: EventClaim, reference: ReferenceData, lexicon: Lexicon) -> bool:
    """Violence done by people named by their kind alone ("villagers", "a mob", "angry
    residents"), with no armed group or force among those who did it: a mob, not a side of
    the conflict."""
    return bool(frame.attackers) and all(
        not a.actor_id
        and a.kind == "group"
        and bool(_heads(a) & lexicon.mobs)
        and not _is_armed(a, reference, lexicon)
        and _force_kind(a, reference, lexicon) is None
        for a in frame.attackers
    )


# -- state forces -----------------------------------------------------------------------------
CountryNamed = Callable[[str], str | None]


def state_force(
    ref: ActorRef,
    country_code: str | None,
    reference: ReferenceData,
    lexicon: Lexicon,
    country_named: CountryNamed | None = None,
) -> ActorRef:
    """ "Soldiers", "the army", "Nigerian troops" of an incident in a country: its state
    forces, linked as ACLED names them (Military / Police Forces of X), the words kept as
    mentions. A nationality in the words names the country; else the incident's country."""
    if ref.actor_id or ref.kind not in {"group", "organization"}:
        return ref
    named = next(
        (c for m in ref.mentions if country_named and (c := country_named(m))), None
    )
    country_code = named or country_code
    if not country_code:
        return ref
    kind = _force_kind(ref, reference, lexicon)
    if kind is None:
        return ref
    prefix = "police-forces-of-" if kind == "police" else "military-forces-of-"
    actor = next(
        (
            a
            for a in reference.actors.values()
            if a.id.startswith(prefix) and country_code in a.countries
        ),
        None,
    )
    if actor is None:
        return ref
    # the kind stays how the article names them ("soldiers" is an unnamed group); the link
    # says who they are
    return replace(ref, actor_id=actor.id, name=actor.name, link_note="state")


def _with_state_forces(
    frame: EventClaim,
    reference: ReferenceData,
    lexicon: Lexicon,
    fallback: str | None,
    country_named: CountryNamed | None,
) -> EventClaim:
    country = (frame.place.country_code if frame.place else None) or fallback

    def link(ref: ActorRef) -> ActorRef:
        return state_force(ref, country, reference, lexicon, country_named)

    attackers = merge_refs((), (link(r) for r in frame.attackers))
    targets = merge_refs((), (link(r) for r in frame.targets))
    # soldiers killed are victims; the force they belong to is the side that was attacked
    fallen = [
        link(v)
        for v in frame.victims
        if v.kind == "group" and _force_kind(v, reference, lexicon)
    ]
    forces = [
        replace(f, kind="organization", mentions=(f.name,), basis=None)
        for f in fallen
        if f.actor_id and f.name
    ]
    if forces and not any(t.actor_id for t in targets):
        targets = merge_refs(targets, forces[:1])
    # the force that was hit is not also among those who attacked it ("the army said")
    hit = {t.actor_id for t in targets if t.actor_id}
    if any(a.actor_id not in hit for a in attackers):
        attackers = tuple(a for a in attackers if not (a.actor_id and a.actor_id in hit))
    return replace(frame, attackers=attackers, targets=targets)


def _with_variants(ref: ActorRef, lexicon: Lexicon) -> ActorRef:
    """Unnamed people and things also under their bare noun: "at least 50 people" is also
    "50 people" and "people" in the article's words (a parse that cut "at" off is mended)."""
    if ref.kind not in {"group", "object"}:
        return ref
    out: list[str] = []
    for mention in ref.mentions:
        if mention.lower().startswith(("least ", "most ")):
            mention = "at " + mention
        out.append(mention)
        bare = lexicon.quantity_prefix.sub("", mention).strip()
        if bare and bare != mention:
            out.append(bare)
        counted = re.sub(r"^(?:at least|at most|up to|about|around|nearly|some)\s+", "", mention)
        if counted != mention:
            out.append(counted)
    return replace(ref, mentions=tuple(dict.fromkeys(out)))


def _without_places(
    frame: EventClaim, is_place: Callable[[str], bool], lexicon: Lexicon
) -> EventClaim:
    """A country or province named where a side should be ("Cameroon", "Borno", "at least
    10 Burkina Faso" cut from "10 Burkina Faso soldiers"), or a place around the event's place
    ("Fada" of "in Tanwalbougou (Fada, Gourma)"), is the parse mistaking a place for an actor;
    linked actors and physical targets stay."""
    written = {fold(m) for m in frame.place.mentions[1:]} if frame.place else set()

    def place_words(mention: str) -> bool:
        bare = lexicon.quantity_prefix.sub("", mention).strip()
        return is_place(mention) or bool(bare and is_place(bare)) or fold(mention) in written

    def keep(ref: ActorRef) -> bool:
        return bool(ref.actor_id) or ref.kind == "object" or not all(
            place_words(m) for m in ref.mentions
        )

    def tidy(ref: ActorRef) -> ActorRef:
        # "Burkina Faso", "10 Burkina Faso" among the mentions of "10 Burkina Faso soldiers"
        if ref.actor_id or ref.kind == "object":
            return ref
        kept = tuple(m for m in ref.mentions if not place_words(m))
        if not kept or kept == ref.mentions:
            return ref
        name = ref.name if ref.name in kept else kept[0]
        return replace(ref, mentions=kept, name=name)

    return replace(
        frame,
        attackers=tuple(tidy(r) for r in frame.attackers if keep(r)),
        targets=tuple(tidy(r) for r in frame.targets if keep(r)),
        victims=tuple(tidy(r) for r in frame.victims if keep(r)),
    )


def _posts_of_forces(
    frame: EventClaim, reference: ReferenceData, lexicon: Lexicon
) -> EventClaim:
    """ "the army base", "a gendarme post" attacked: the force that holds it is the side hit
    (as ACLED codes it); the post's words stay among the force's mentions."""
    forces = {
        kind: ref
        for ref in frame.targets
        if ref.actor_id and (kind := _force_kind(ref, reference, lexicon))
    }
    if not forces:
        return frame
    posts = {
        id(ref): forces.get(_force_kind(ref, reference, lexicon) or "")
        for ref in frame.targets
        if ref.kind == "object" and not ref.actor_id
    }
    posts = {key: force for key, force in posts.items() if force is not None}
    if not posts:
        return frame
    extra: dict[int, tuple[str, ...]] = {}
    for ref in frame.targets:
        if id(ref) in posts:
            host = posts[id(ref)]
            extra[id(host)] = extra.get(id(host), ()) + ref.mentions
    return replace(frame, targets=tuple(
        replace(r, mentions=tuple(dict.fromkeys(r.mentions + extra[id(r)])))
        if id(r) in extra else r
        for r in frame.targets
        if id(r) not in posts
    ))


def _what_was_hit(frame: EventClaim, lexicon: Lexicon) -> EventClaim:
    """The things hit, less the town where it happened ("invaded Dapchi", "Gidan Bawa
    village": the place says so) and the tyres a riot burnt. A peaceful protest hits nothing:
    what it was against ("against new taxes") is its cause."""
    if frame.type == "peaceful-protest":
        frame = replace(frame, targets=tuple(t for t in frame.targets if t.kind != "object"))
    if not frame.attackers:
        # "fought the attackers" with no side said to attack: the attackers are that side
        side = tuple(t for t in frame.targets if _heads(t) & lexicon.attacker_roles)
        if side:
            frame = replace(
                frame,
                attackers=side,
                targets=tuple(t for t in frame.targets if not any(t is a for a in side)),
            )
    place = frame.place
    names = {fold(m) for m in (place.name, *place.mentions) if m} if place else set()
    attacking = {k for r in frame.attackers for k in _keys(r)}

    def the_place(mention: str) -> bool:
        words = fold(mention).split()
        while words and words[-1] in lexicon.things:
            words = words[:-1]  # "Gidan Bawa village"
        if not words and _town(frame.place):
            return bool(set(fold(mention).split()[-1:]) & lexicon.settlements)  # "the town"
        return bool(words) and " ".join(words) in names

    def tactic(ref: ActorRef) -> bool:  # the tyres a riot burnt: how, not what it hit
        return frame.type in PROTESTS and bool(_heads(ref) & lexicon.protest_props)

    def not_hit(ref: ActorRef) -> bool:
        # the side that attacked ("Boko Haram" named on both sides, "the attackers" a clash
        # was fought against) and what a killing or a fire leaves ("bodies", "fire")
        roles = lexicon.attacker_roles if frame.attackers else frozenset()
        return bool(_keys(ref) & attacking) or bool(_heads(ref) & (lexicon.not_hit | roles))

    return replace(frame, targets=tuple(
        t for t in frame.targets
        if not not_hit(t)
        and (
            t.actor_id
            or t.kind == "group"
            or not (tactic(t) or all(the_place(m) for m in t.mentions))
        )
    ))


def _people_hit(frame: EventClaim, lexicon: Lexicon) -> EventClaim:
    """People the parse read as things hit ("killed 12 villagers") are victims: unnamed
    people harmed, in ACLED's codebook (the MUC-4 view keeps named people only)."""
    people = [
        t for t in frame.targets
        if (t.kind == "object" and _heads(t) & lexicon.civilian_words)
        or _counted_people(t, lexicon)
    ]
    if not people:
        return frame
    return replace(
        frame,
        targets=tuple(t for t in frame.targets if t not in people),
        victims=merge_refs(frame.victims, (replace(p, kind="group") for p in people)),
    )


def _counted_people(ref: ActorRef, lexicon: Lexicon) -> bool:
    """ "seven peacekeepers", "110 schoolgirls": people counted are people harmed, whatever
    the parse made of them (a unit or an organisation hit is named, not counted)."""
    if ref.actor_id or not ref.mentions:
        return False
    prefix = lexicon.quantity_prefix.match(ref.mentions[0])
    if not prefix or len(prefix.group(0)) >= len(ref.mentions[0]):
        return False
    counted = set(fold(prefix.group(0)).split()) - {"the", "a", "an"}
    return bool(counted) and not _heads(ref) & lexicon.things


def _mention_variants(frame: EventClaim, lexicon: Lexicon) -> EventClaim:
    return replace(
        frame,
        attackers=tuple(_with_variants(r, lexicon) for r in frame.attackers),
        targets=tuple(_with_variants(r, lexicon) for r in frame.targets),
        victims=tuple(_with_variants(r, lexicon) for r in frame.victims),
    )


def _without_residue(refs: tuple[ActorRef, ...], lexicon: Lexicon) -> tuple[ActorRef, ...]:
    """ "21 others", "one": the rest of a count, no description of whom; named or linked
    participants stay."""
    return tuple(
        r for r in refs
        if r.actor_id
        or (
            not all(_MARKUP.search(m) or _headline(m, lexicon) for m in r.mentions)
            and (r.kind == "person" or _head_noun(r, lexicon) not in lexicon.residue)
        )
    )


def _headline(mention: str, lexicon: Lexicon) -> bool:
    """ "Burkina Faso Attack Rises": a headline in capitals read as a name, an incident's noun
    among its capitalised words."""
    words = mention.split()
    return len(words) > 2 and all(w[:1].isupper() for w in words) and any(
        w.lower() in lexicon.event_nouns for w in words[1:]
    )


# what no name is written with: a page's markup or another word glued to a word
# ("Lemm[901", "Bomb*2015", "BombZabiullah", "15.Twenty")
_MARKUP = re.compile(r"[\[\]{}*|#=<>]|[a-z]{3}[A-Z][a-z]|\w\.[A-Z][a-z]")


def _one_entity_per_side(
    frame: EventClaim, reference: ReferenceData, lexicon: Lexicon
) -> EventClaim:
    """One article names one side many ways: "gunmen", "the jihadists", "the assailants" are
    one unidentified armed group, "19 soldiers" and "the soldiers" the same soldiers, "the
    camp" and "a refugee camp" the same camp. A
    named group stays apart from the generic names ("Boko Haram" and "the insurgents"):
    codebooks such as MUC-4's count the organisation and its fighters separately."""
    return replace(
        frame,
        attackers=_one_armed_side(_without_residue(frame.attackers, lexicon), lexicon),
        targets=_same_heads(_without_residue(frame.targets, lexicon), lexicon),
        victims=_people_by_side(
            _counted_once(
                _same_heads(_without_residue(_hit_side(frame, lexicon), lexicon), lexicon),
                lexicon,
            ),
            reference,
            lexicon,
        ),
    )


def _people_by_side(
    refs: tuple[ActorRef, ...], reference: ReferenceData, lexicon: Lexicon
) -> tuple[ActorRef, ...]:
    """The unnamed people one incident harmed, one participant per side, as ACLED codes them:
    "13 people", "panicked villagers", "women and children" are the incident's civilians;
    "two soldiers" and "a military officer" its soldiers. Named persons and linked actors
    stay themselves; each description stays a mention."""
    out: list[ActorRef] = []
    host_of: dict[str, int] = {}
    for ref in refs:
        if ref.actor_id or ref.kind == "person":
            out.append(ref)
            continue
        side = _force_kind(ref, reference, lexicon) or (
            "armed" if _is_armed(ref, reference, lexicon) else "civilians"
        )
        if side not in host_of:
            host_of[side] = len(out)
            out.append(ref)
            continue
        host = out[host_of[side]]
        out[host_of[side]] = replace(
            host, mentions=tuple(dict.fromkeys(host.mentions + ref.mentions))
        )
    return tuple(out)


CONFLICT_SCALE = 10_000  # "1.5 million people", "87,000 peacekeepers": a conflict, no incident


def _mention_count(mention: str) -> int | None:
    """The number a mention counts: "47 people" 47, "1.5 million people" 1,000,000."""
    found = re.search(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(million)?\b", mention)
    if found:
        value = int(found[1].replace(",", ""))
        return value * 1_000_000 if found[2] else value
    if re.search(r"\b(?:millions?|billions?)\b", mention, re.I):
        return 1_000_000  # "two million people"
    return None


def _stated_count(ref: ActorRef) -> int | None:
    """The count of its first mention that gives one."""
    return next((n for m in ref.mentions if (n := _mention_count(m)) is not None), None)


def _hit_side(frame: EventClaim, lexicon: Lexicon) -> tuple[ActorRef, ...]:
    """The people an incident harmed: not the attackers' own dead ("80 extremists" killed in
    the fighting, when extremists are the side that attacked), nor a whole conflict's count."""
    attacker_heads = {h for r in frame.attackers for h in _heads(r)} & lexicon.armed_words
    text = _text(frame)
    mixed_case = sum(c.islower() for c in text) > sum(c.isupper() for c in text)
    out: list[ActorRef] = []
    for ref in frame.victims:
        if mixed_case and ref.kind == "person" and all(
            m.isupper() and len(m.split()) > 1 for m in ref.mentions
        ):
            continue  # "YERWA EXPRESS NEWS": an outlet's banner in wire copy, not a person
        if not (ref.actor_id or ref.kind == "person"):
            if _heads(ref) & attacker_heads:
                continue
            # a conflict's count may have joined the incident's people under one head word
            # ("1.5 million people" and "47 people"): its words go, the incident's stay
            kept = tuple(m for m in ref.mentions if (_mention_count(m) or 0) < CONFLICT_SCALE)
            if not kept:
                continue
            if len(kept) < len(ref.mentions):
                if not any(_mention_count(m) for m in kept):
                    continue  # nothing but the bare head word was left of it
                ref = replace(ref, mentions=kept, name=kept[0])
        out.append(ref)
    return tuple(out)


def _counted_once(refs: tuple[ActorRef, ...], lexicon: Lexicon) -> tuple[ActorRef, ...]:
    """ "30 people" and "30 football fans" count the same dead: the bare count joins the
    group it counts."""
    out = list(refs)
    for ref in refs:
        count = _stated_count(ref)
        if count is None or _head_noun(ref, lexicon) not in lexicon.bare_people:
            continue
        hosts = [
            r for r in out
            if r is not ref and _stated_count(r) == count
            and _head_noun(r, lexicon) not in lexicon.bare_people
        ]
        if hosts:
            host = hosts[0]
            out = [
                replace(r, mentions=tuple(dict.fromkeys(r.mentions + ref.mentions)))
                if r is host else r
                for r in out
                if r is not ref
            ]
    return tuple(out)


def _one_armed_side(refs: tuple[ActorRef, ...], lexicon: Lexicon) -> tuple[ActorRef, ...]:
    bare = [
        r for r in refs
        if not r.actor_id and all(fold(m) in lexicon.collectives for m in r.mentions)
    ]
    others = [r for r in refs if r.kind != "object" and not any(r is b for b in bare)]
    if bare and len(others) == 1:
        # "Boko Haram ... the group", "the raiders ... the group": the one side named again
        host = others[0]
        joined = tuple(dict.fromkeys((*host.mentions, *(m for b in bare for m in b.mentions))))
        refs = tuple(
            replace(r, mentions=joined) if r is host else r
            for r in refs
            if not any(r is b for b in bare)
        )
    forces = lexicon.military_words | lexicon.police_words
    unnamed = [
        r for r in refs
        if not r.actor_id and r.kind == "group" and _heads(r) & lexicon.armed_words
        and not _heads(r) & forces
    ]
    if len(unnamed) < 2:
        return refs
    host = unnamed[0]
    joined = tuple(dict.fromkeys(m for r in unnamed for m in r.mentions))
    return tuple(
        replace(host, mentions=joined) if ref is host else ref
        for ref in refs
        if ref is host or not any(ref is r for r in unnamed)
    )


def _same_heads(refs: tuple[ActorRef, ...], lexicon: Lexicon) -> tuple[ActorRef, ...]:
    out: list[ActorRef] = []
    index: dict[str, int] = {}
    linked: dict[str, int] = {}
    for ref in refs:
        head = _head_noun(ref, lexicon)
        if ref.actor_id and ref.actor_id in linked:  # one actor named twice
            old = out[linked[ref.actor_id]]
            out[linked[ref.actor_id]] = replace(
                old, mentions=tuple(dict.fromkeys(old.mentions + ref.mentions))
            )
            continue
        if ref.actor_id:
            linked[ref.actor_id] = len(out)
        if ref.actor_id or ref.kind == "person" or head is None:
            out.append(ref)
            continue
        if head in index:
            old = out[index[head]]
            out[index[head]] = replace(
                old, mentions=tuple(dict.fromkeys(old.mentions + ref.mentions))
            )
        else:
            index[head] = len(out)
            out.append(ref)
    return tuple(out)


def _head_noun(ref: ActorRef, lexicon: Lexicon) -> str | None:
    words = fold(ref.mentions[0]).split() if ref.mentions else []
    if not words:
        return None
    word = words[-1]
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


Frame = tuple[EventClaim, list[str], list[str]]  # a frame, its claims' types and keys


def _landmark(place: PlaceRef | None, lexicon: Lexicon) -> bool:
    """An unresolved place named after a landmark ("the National Assembly")."""
    return (
        place is not None
        and place.precision is None
        and bool(set(fold(place.name).split()) & lexicon.landmarks)
    )


def _in_town(claim: EventClaim, town: PlaceRef | None) -> EventClaim:
    """The event at the town its sentence names, the landmark kept among the mentions."""
    if town is None or claim.place is None or town.precision is None:
        return claim
    mentions = tuple(dict.fromkeys((*town.mentions, *claim.place.mentions)))
    return replace(claim, place=replace(town, mentions=mentions))


def _placed(
    frames: list[Frame],
    find_place: Callable[[EventClaim, bool], PlaceRef | None],
    within: Within | None,
) -> list[Frame]:
    """Frames the parse placed in no town: their sentences may name one it did not tie to
    the event; for the story the article is about (its first incident that is not recalled
    background), any sentence of it may ("the attack on the village of X")."""
    out: list[Frame] = []
    story_seen = False
    for frame, types, keys in frames:
        story = not frame.background and not story_seen
        story_seen = story_seen or story
        if frame.place is None or not _town(frame.place):
            found = find_place(frame, story)
            if found and frame.place and places_apart(frame.place, found, within):
                found = None  # a town outside the province the sentence placed it in
            frame = replace(frame, place=_better_place(frame.place, found))
        out.append((frame, types, keys))
    return out


def _one_per_village(
    frames: list[Frame],
    text: str,
    place_named: Callable[[str, str | None], PlaceRef | None],
    lexicon: Lexicon,
) -> list[Frame]:
    """ "The villages of X and Y came under attack ... 70 dead in X and 30 dead in Y": one
    event per village, as ACLED codes them, when the article counts the dead of each; the
    sides, the day and the sentences are shared."""
    tolls: dict[str, int] = {}
    for match in lexicon.toll_at_place.finditer(text):
        count = match[1]
        value = int(count) if count.isdigit() else lexicon.number_words.get(count.lower())
        if value is not None:
            tolls.setdefault(fold(match[2]), value)
    if len(tolls) < 2:
        return frames
    pairs = [
        (m[1], m[2])
        for m in lexicon.place_pair.finditer(text)
        if fold(m[1]) in tolls and fold(m[2]) in tolls
    ]
    out: list[Frame] = []
    for frame, types, keys in frames:
        place = frame.place
        pair = next(
            (p for p in pairs if place is not None and fold(place.name) in {fold(n) for n in p}),
            None,
        )
        if frame.background or place is None or pair is None:
            out.append((frame, types, keys))
            continue
        for number, name in enumerate(pair):
            village = place if fold(name) == fold(place.name) else place_named(
                name, place.country_code
            )
            if village is None:
                continue
            key = frame.key if number == 0 else f"{frame.key}-{fold(name).replace(' ', '-')}"
            out.append((
                replace(frame, key=key, place=village, fatalities=tolls[fold(name)]),
                types,
                keys if number == 0 else [],
            ))
    return out


def _empty(frame: EventClaim) -> bool:
    """A kind of event and a country, nothing else: no side, nobody or nothing hit, no toll,
    no materiel, no town ("a national day of mourning", "the kidnappings go on"). Nothing an
    analyst can code as an incident."""
    return (
        not (frame.attackers or frame.targets or frame.victims or frame.materiel)
        and frame.fatalities is None
        and (frame.place is None or _is_country(frame.place))
    )


def _joined_again(
    frames: list[Frame], protest_article: bool, lexicon: Lexicon, within: Within | None
) -> list[Frame]:
    """Frames that became one incident's once they grew: "11 people were killed" joins the
    protest only after "protesters clashed with police" told whose violence it was. The
    article's order of frames is kept; a later frame folds into an earlier one."""
    frames = list(frames)
    changed = True
    while changed:
        changed = False
        pairs = [(i, j) for i in range(len(frames)) for j in range(i + 1, len(frames))]
        for i, j in pairs:
            (a, types_a, keys_a), (b, types_b, keys_b) = frames[i], frames[j]
            if a.background == b.background and _joinable(a, b, protest_article, lexicon, within):
                frames[i] = (combine(a, b), [*types_a, *types_b], [*keys_a, *keys_b])
                del frames[j]
                changed = True
                break
    return frames


def _fold_unplaced(frames: list[Frame]) -> list[Frame]:
    """A report of violence that the article places only in the country, or nowhere, is
    the incident the article does place (at a town) told again: "an air strike on a camp at
    Rann" and "the strike killed 50 people in Nigeria". It folds into the first such
    incident, which keeps its type, unless their dates or the people or things they hit
    tell them apart."""
    told = [
        i for i, (f, _, _) in enumerate(frames)
        if not f.background and family(f.type) in {"violence", "remote"}
    ]
    # the incident placed at a town; else the first one the article tells, the lead
    host_index = next((i for i in told if _town(frames[i][0].place)), told[0] if told else None)
    if host_index is None:
        return frames
    host, host_types, host_keys = frames[host_index]
    # a host placed at a town takes any report of violence told without a place (but a
    # kidnapping only its own story); the lead, placed no better than the others, only one
    # that can be the same story
    placed = _town(host.place)
    kept: list[Frame] = []
    for index, (frame, types, keys) in enumerate(frames):
        if index == host_index:
            continue
        unplaced = frame.place is None or _is_country(frame.place)
        if (
            unplaced
            and not frame.background
            and family(frame.type) in {"violence", "remote"}
            and not (frame.place and host.place and frame.place.country_code
                     and frame.place.country_code != host.place.country_code)
            and not dates_apart(host, frame)
            # a kidnapping and a killing or a rescue are two incidents unless one story
            and (
                (placed and "abduction" not in {host.type, frame.type})
                or _same_story(host, frame)
            )
            and not _named_apart(host, frame)
            and not _sides_apart(host, frame)
        ):
            host = combine(host, frame)
            host_types, host_keys = [*host_types, *types], [*host_keys, *keys]
            continue
        kept.append((frame, types, keys))
    kept.insert(min(host_index, len(kept)), (host, host_types, host_keys))
    # the host keeps its place in the article's order; what folded into it is gone
    return kept


def _sides_apart(a: EventClaim, b: EventClaim) -> bool:
    """Both name who acted, and nobody in common."""
    keys_a = set().union(*(_keys(r) for r in a.attackers)) if a.attackers else set()
    keys_b = set().union(*(_keys(r) for r in b.attackers)) if b.attackers else set()
    return bool(keys_a and keys_b and not keys_a & keys_b)


# -- the stage --------------------------------------------------------------------------------
def assemble(
    extraction: Extraction,
    reference: ReferenceData,
    lexicon: Lexicon | None = None,
    *,
    fallback_country: str | None = None,
    country_named: CountryNamed | None = None,
    within: Within | None = None,
    is_place: Callable[[str], bool] | None = None,
    find_place: Callable[[EventClaim, bool], PlaceRef | None] | None = None,
    place_named: Callable[[str, str | None], PlaceRef | None] | None = None,
) -> Extraction:
    """Incident frames of one article from its resolved claims (see the module docstring)."""
    lexicon = lexicon or lexicon_of(language())
    claims = sorted(extraction.claims, key=lambda c: min((e.start for e in c.evidence), default=0))
    if not claims:
        return extraction
    anchor = _anchor_date(claims, extraction)
    protest_article = any(c.type in PROTESTS for c in claims)
    frames: list[Frame] = []
    lead_seen = False
    for claim in claims:
        # people the parse read as things hit are victims before frames are compared: "killed
        # 50 people" and "bombed the camp" hit no different things
        claim = _people_hit(claim, lexicon)
        if find_place is not None and _landmark(claim.place, lexicon):
            claim = _in_town(claim, find_place(claim, False))
        lead = not lead_seen and claim.type not in {"materiel-capture", "arrests"}
        background = is_background(claim, anchor, lexicon, lead=lead)
        if lead:
            lead_seen = True
        if background:
            if lexicon.generic.search(_text(claim)) and not _town(claim.place):
                continue  # "the insurgency has killed thousands": no incident at all
            claim = replace(claim, background=True)
        for index, (frame, types, keys) in enumerate(frames):
            if frame.background == claim.background and _joinable(
                frame, claim, protest_article, lexicon, within
            ):
                frames[index] = (combine(frame, claim), [*types, claim.type], [*keys, claim.key])
                break
        else:
            frames.append((claim, [claim.type], [claim.key]))
    frames = _joined_again(frames, protest_article, lexicon, within)
    if find_place is not None:
        frames = _placed(frames, find_place, within)
    frames = _fold_unplaced(frames)
    if place_named is not None:
        frames = _one_per_village(frames, extraction.article.text, place_named, lexicon)
    owner = {key: frame.key for frame, _, keys in frames for key in keys}
    out: list[EventClaim] = []
    frames = [f for f in frames if not _empty(f[0])]
    for frame, types, _ in frames:
        typed = replace(frame, type=refine_type(frame, types, reference, lexicon))
        typed = _with_state_forces(typed, reference, lexicon, fallback_country, country_named)
        typed = _posts_of_forces(typed, reference, lexicon)
        typed = _mention_variants(typed, lexicon)
        typed = _one_entity_per_side(_what_was_hit(typed, lexicon), reference, lexicon)
        if is_place is not None:
            typed = _without_places(typed, is_place, lexicon)
        if typed.type != frame.type:
            typed = replace(typed, key=f"{typed.type}-{frame.key.rsplit('-', 1)[-1]}")
        taken = {c.key for c in out} | {f.key for f, _, _ in frames if f is not frame}
        if typed.key in taken:  # two incidents told from one word: keys stay unique
            suffix = 2
            while f"{typed.key}-{suffix}" in taken:
                suffix += 1
            typed = replace(typed, key=f"{typed.key}-{suffix}")
        out.append(typed)
    renamed = {f.key: o.key for (f, _, _), o in zip(frames, out, strict=True)}
    # a frame the tidying left with nothing an analyst can code (its only side was the place
    # itself, say) goes too
    out = [c for c in out if not _empty(c)]
    by_key = {c.key: c for c in out}
    story = next(
        (c for c in out if not c.background and family(c.type) == "violence" and _town(c.place)),
        None,
    )
    final = []
    for claim in out:
        parent = claim.parent_key
        if parent is not None:
            parent = renamed.get(owner.get(parent, ""))
            if parent == claim.key or parent not in by_key:
                parent = None
        claim = replace(claim, parent_key=parent)
        if claim.type == "materiel-capture" and (claim.place is None or _is_country(claim.place)):
            # the capture told in the country only happened where its clash did, or the
            # story's incident ("the attackers made away with weapons")
            host = by_key[parent] if parent is not None else story
            if host is not None and not places_apart(claim.place, host.place, within):
                claim = replace(
                    claim,
                    place=_better_place(claim.place, host.place),
                    date=claim.date or host.date,
                )
        final.append(claim)
    return replace(extraction, claims=tuple(final))
