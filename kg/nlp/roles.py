"""Role fillers from the trained component, attached to the events the rules found.

The rules (``extract.py``/``events.py``) find event triggers, type them and read place, date
and fatalities from the parse. The trained component (``pipeline.FillerTagger``, models in
``fillers.py`` and ``doccat.py``) marks role fillers the way analysts code them:
perpetrators, physical targets, named victims, unnamed people harmed and instruments, and
scores whether the article reports an incident at all and of which types. This module joins
the two:

- each role filler goes to the event reported in its sentence, or to the nearest event of
  its paragraph (an explosive to the explosion); one entity goes to one event;
- for the event types the trained component knows (attacks, bombings, abductions, arson,
  robbery) its fillers replace the rules' targets and victims, whose parse-based reading does
  not follow the coding conventions (a target is a physical object, a victim a named person);
- the article's verdict vetoes those events in an article that reports no incident
  (statements, denials, background), and adds the incident an article reports in words no
  trigger knows. It never retypes what a trigger says.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span

from kg.nlp.fillers import with_quantity
from kg.nlp.mentions import ArticleMentions
from kg.nlp.pipeline import ACTOR_LABEL, ROLES_KEY, WEAPON_LABEL, surface
from kg.records import ActorRef, Article, EventClaim, Evidence, MaterielLot
from kg.reference import ReferenceData, fold

# event type codes whose roles the trained component codes, and its category for them
TRAINED_TYPES = {
    "attack": "ATTACK",
    "bombing": "BOMBING",
    "remote-explosive": "BOMBING",
    "suicide-bomb": "BOMBING",
    "grenade": "BOMBING",
    "abduction": "KIDNAPPING",
    "arson": "ARSON",
    "robbery": "ROBBERY",
    "forced-work-stoppage": "FORCED_WORK_STOPPAGE",
}
CATEGORY_TYPE = {
    "ATTACK": "attack",
    "BOMBING": "bombing",
    "KIDNAPPING": "abduction",
    "ARSON": "arson",
    "ROBBERY": "robbery",
    "FORCED_WORK_STOPPAGE": "forced-work-stoppage",
}

# Article scores (chosen on held-out MUC-4 train articles): below RELEVANT_THRESHOLD the
# article reports no incident, unless a sentence says who did it to whom (then below
# EXPLICIT_RELEVANT_THRESHOLD); at ADD_THRESHOLD an incident no trigger found is added.
ADD_THRESHOLD = 0.5
RELEVANT_THRESHOLD = 0.35
EXPLICIT_RELEVANT_THRESHOLD = 0.1
# incidents of no MUC-4 type that still are the article's attack: none is added beside them
_ALSO_ATTACKS = {"armed-clash": "ATTACK", "air-drone-strike": "ATTACK", "shelling": "ATTACK"}

RULE_ATTACKER_KINDS = {"organization", "group"}
_SHOOTING = {"attack", "armed-clash", "abduction", "robbery"}
_LEAD_WORDS = re.compile(r"^(?:the|a|an|some|several|other|these|those|this|that)\s+", re.I)


@dataclass(frozen=True, slots=True)
class RoleFiller:
    label: str  # PERP_ORG | PERP_IND | TARGET | VICTIM | HUMAN | WEAPON
    start: int  # token offsets in the Doc
    end: int
    start_char: int
    end_char: int
    text: str  # as written in the article
    sentence: int
    actor_id: str | None = None
    weapon_id: str | None = None
    alternatives: tuple[str, ...] = ()  # the same filler written longer ("45 soldiers")

    @property
    def mentions(self) -> tuple[str, ...]:
        return (self.text, *self.alternatives)


def has_roles(doc: Doc) -> bool:
    return ROLES_KEY in doc.spans


def category_scores(doc: Doc) -> dict[str, float]:
    return {k[4:]: v for k, v in doc.cats.items() if k.startswith("muc:")}


def _ruler_ids(
    span: Span, linked: list[tuple[int, int, str, str]]
) -> tuple[str | None, str | None]:
    """The reference actor and weapon the span overlaps (``linked``: the Doc's entities
    with an id, as start, end, label, id)."""
    actor = weapon = None
    for start, end, label, ent_id in linked:
        if end <= span.start or start >= span.end:
            continue
        if label == ACTOR_LABEL:
            actor = actor or ent_id
        elif label == WEAPON_LABEL:
            weapon = weapon or ent_id
    return actor, weapon


def _without_place_tail(span: Span) -> Span:
    """ "the house of a suspected kidnapper in Gusau (Gusau, Zamfara": the thing, without the
    place phrase or the bracket that the "of" phrase's right edge took along."""
    doc = span.doc
    for tok in span[1:]:
        if tok.text == "(" or (
            tok.dep_ == "prep"
            and tok.lower_ in {"in", "at", "near"}
            and any(
                c.dep_ == "pobj" and (c.ent_type_ in {"GPE", "LOC"} or c.pos_ == "PROPN")
                for c in tok.children
            )
        ):
            return Span(doc, span.start, tok.i, label=span.label)
    return span


def role_fillers(doc: Doc, sentence_starts: list[int]) -> list[RoleFiller]:
    out: list[RoleFiller] = []
    spans = doc.spans.get(ROLES_KEY, [])
    if not len(spans):
        return out
    names = ArticleMentions(doc)  # read once for all the fillers
    linked = [(e.start, e.end, e.label_, e.ent_id_) for e in doc.ents if e.ent_id_]
    for span in spans:
        span = _without_place_tail(span)
        text = surface(doc, span.start_char, span.end_char).strip(" ,.;:\"'")
        text = _LEAD_WORDS.sub("", text)
        if not text or not any(c.isalnum() for c in text):
            continue
        actor_id, weapon_id = _ruler_ids(span, linked)
        sentence = bisect.bisect_right(sentence_starts, span.start) - 1
        alternatives: tuple[str, ...] = ()
        wider = with_quantity(doc, span.start, span.end)
        if wider is not None:
            longer = doc[wider[0] : wider[1]]
            alternatives = (surface(doc, longer.start_char, longer.end_char),)
        alternatives += names.coreferent(span, text, span.label_, actor_id)
        alternatives = tuple(dict.fromkeys(a for a in alternatives if fold(a) != fold(text)))
        out.append(
            RoleFiller(
                span.label_,
                span.start,
                span.end,
                span.start_char,
                span.end_char,
                text,
                sentence,
                actor_id,
                weapon_id,
                alternatives,
            )
        )
    return out


def _actor_ref(filler: RoleFiller) -> ActorRef:
    mentions = filler.mentions
    if filler.label == "PERP_ORG" or (filler.label == "PERP_IND" and filler.actor_id):
        return ActorRef(mentions, "organization", filler.actor_id, filler.text)
    if filler.label == "PERP_IND":
        return ActorRef(mentions, "group", None, filler.text)
    if filler.label == "TARGET":
        return ActorRef(mentions, "object", None, filler.text)
    if filler.label == "VICTIM":  # named by the fullest form of the name
        return ActorRef(mentions, "person", None, max(mentions, key=len))
    return ActorRef(mentions, "group", None, filler.text)  # HUMAN: unnamed people


def _lot(filler: RoleFiller, reference: ReferenceData, evidence: Evidence | None) -> MaterielLot:
    weapon = reference.weapons.get(filler.weapon_id or "") if filler.weapon_id else None
    return MaterielLot(
        mentions=filler.mentions,
        model_id=weapon.id if weapon else None,
        name=weapon.name if weapon else filler.text,
        category=weapon.category if weapon else None,
        origin=reference.maker_country(weapon) if weapon else None,
        origin_basis="model" if weapon and reference.maker_country(weapon) else None,
        role="used",
        evidence=evidence,
    )


def _add_refs(refs: list[ActorRef], new: ActorRef) -> None:
    """Add ``new`` unless a ref already names it (the same string, or the same actor)."""
    keys = {fold(m) for m in new.mentions}
    for index, ref in enumerate(refs):
        known = {fold(m) for m in ref.mentions}
        if keys & known or (new.actor_id and ref.actor_id == new.actor_id and new.kind == ref.kind):
            extra = tuple(m for m in new.mentions if fold(m) not in known)
            if extra:
                refs[index] = replace(ref, mentions=(*ref.mentions, *extra))
            return
    refs.append(new)


def _claim_sentences(claim: EventClaim, char_starts: list[int]) -> list[int]:
    return sorted({bisect.bisect_right(char_starts, e.start) - 1 for e in claim.evidence})


def assign_fillers(
    claims: list[EventClaim],
    fillers: list[RoleFiller],
    char_starts: list[int],
    paragraph_of: list[int],
) -> dict[int, list[RoleFiller]]:
    """Which claim each filler belongs to: same sentence, else nearest in the paragraph."""
    sentences = [_claim_sentences(c, char_starts) for c in claims]
    trained = [c.type in TRAINED_TYPES for c in claims]
    out: dict[int, list[RoleFiller]] = {i: [] for i in range(len(claims))}
    for filler in fillers:
        best: tuple[int, int, int, int] | None = None
        for index, sents in enumerate(sentences):
            if not trained[index] or not sents:
                continue
            distance = min(abs(s - filler.sentence) for s in sents)
            same_paragraph = any(paragraph_of[s] == paragraph_of[filler.sentence] for s in sents)
            # a filler before any mention of the event is less likely to be its own
            after = 0 if min(sents) <= filler.sentence else 1
            # an explosive belongs to the explosion rather than to the shooting beside it
            fits = 0 if filler.label != "WEAPON" or claims[index].type not in _SHOOTING else 1
            rank = (0 if same_paragraph else 1, fits, distance * 2 + after, index)
            if best is None or rank < best:
                best = rank
        if best is not None:
            out[best[3]].append(filler)
    # one entity, one event: a filler named near two events goes to the one naming it most
    votes: dict[tuple[str, str], Counter[int]] = {}
    for index, mine in out.items():
        for filler in mine:
            votes.setdefault((filler.label, fold(filler.text)), Counter())[index] += 1
    owner = {key: min(counter, key=lambda i: (-counter[i], i)) for key, counter in votes.items()}
    return {
        index: [f for f in mine if owner[(f.label, fold(f.text))] == index]
        for index, mine in out.items()
    }


def apply_roles(
    claims: list[EventClaim],
    fillers: list[RoleFiller],
    char_starts: list[int],
    paragraph_of: list[int],
    reference: ReferenceData,
) -> list[EventClaim]:
    assigned = assign_fillers(claims, fillers, char_starts, paragraph_of)
    out: list[EventClaim] = []
    for index, claim in enumerate(claims):
        if claim.type not in TRAINED_TYPES:
            out.append(claim)
            continue
        mine = assigned[index]
        attackers = [a for a in claim.attackers if a.kind in RULE_ATTACKER_KINDS]
        # the parse's reading of who was hit stays for the sides and the unnamed people
        # harmed ("killed 12 soldiers"); physical targets and named victims are the trained
        # component's call
        targets = [t for t in claim.targets if t.kind in RULE_ATTACKER_KINDS or not mine]
        victims = [v for v in claim.victims if v.kind == "group" or not mine]
        # instruments are the trained component's call too: a weapon named in the sentence
        # is not always one that was used
        lots: list[MaterielLot] = []
        lot_keys = {fold(m) for lot in lots for m in lot.mentions}
        evidence = claim.evidence[0] if claim.evidence else None
        for filler in mine:
            if filler.label in {"PERP_ORG", "PERP_IND"}:
                _add_refs(attackers, _actor_ref(filler))
            elif filler.label == "TARGET":
                _add_refs(targets, _actor_ref(filler))
            elif filler.label in {"VICTIM", "HUMAN"}:
                _add_refs(victims, _actor_ref(filler))
            elif filler.label == "WEAPON" and fold(filler.text) not in lot_keys:
                lots.append(_lot(filler, reference, evidence))
                lot_keys.add(fold(filler.text))
        event_type = claim.type
        if event_type == "attack" and any(lot.category == "explosives" for lot in lots):
            # an attack carried out with a bomb or grenade is the explosion itself
            grenade = all(lot.model_id == "grenade" for lot in lots if lot.category == "explosives")
            event_type = "grenade" if grenade else "bombing"
        out.append(
            replace(
                claim,
                type=event_type,
                attackers=tuple(attackers),
                targets=tuple(targets),
                victims=tuple(victims),
                materiel=tuple(lots),
            )
        )
    return out


def gate_by_categories(
    claims: list[EventClaim],
    doc: Doc,
    article: Article,
    make_claim: Callable[[str], EventClaim | None],
) -> tuple[list[EventClaim], list[EventClaim]]:
    """Veto the incidents of an article that reports none; add the one no trigger found.

    Returns the kept claims and the vetoed ones (marked ``muc_excluded``)."""
    scores = category_scores(doc)
    if not scores:
        return claims, []
    relevant = scores.get("RELEVANT", 1.0)
    kept: list[EventClaim] = []
    excluded: list[EventClaim] = []
    for claim in claims:
        # the article-level verdict only vetoes, and a sentence that says who did it to whom
        # needs a clearer verdict against it; a trigger's own reading gives the type. The
        # verdict is MUC-4's (its codebook leaves army-versus-guerrilla fighting out), so a
        # vetoed claim is kept, marked for the MUC view to leave out.
        explicit = bool(claim.attackers) and bool(claim.targets or claim.victims)
        threshold = EXPLICIT_RELEVANT_THRESHOLD if explicit else RELEVANT_THRESHOLD
        if TRAINED_TYPES.get(claim.type) is not None and relevant < threshold:
            excluded.append(replace(claim, muc_excluded=True))
            continue
        kept.append(claim)
    present = {TRAINED_TYPES.get(c.type, _ALSO_ATTACKS.get(c.type)) for c in kept} - {None}
    if relevant >= RELEVANT_THRESHOLD:
        wanted = [c for c in CATEGORY_TYPE if scores.get(c, 0.0) >= ADD_THRESHOLD]
        if present or relevant < ADD_THRESHOLD:
            wanted = []  # the triggers found the incidents; the article score adds none
        for category in wanted:
            if category not in present:
                added = make_claim(CATEGORY_TYPE[category])
                if added is not None:
                    kept.append(added)
    return kept, excluded
