"""Assemble event claims from one parsed article: typing, roles, in-article coreference.

``extract_article`` is the NLP stage's one entry point: a Doc and its Article in, an
:class:`Extraction` out.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from itertools import pairwise

from spacy.tokens import Doc, Span, Token

from kg.codebook import EXPLOSIONS, anaphor_alike
from kg.codebook import family as type_family
from kg.lang import language
from kg.nlp.extract import (
    ActorCandidate,
    Trigger,
    TriggerArgs,
    _candidate_for,
    _is_civilian,
    _np_start,
    _object_ref,
    _partitive,
    _text,
    actor_candidates,
    date_of,
    fatalities_in,
    find_triggers,
    in_a_name,
    irrealis,
    is_anaphoric,
    materiel_lots,
    number_value,
    place_of,
    the_dead,
    trigger_args,
)
from kg.nlp.fillers import with_quantity
from kg.nlp.pipeline import WEAPON_LABEL, source_text, surface
from kg.nlp.roles import (
    TRAINED_TYPES,
    apply_roles,
    gate_by_categories,
    has_roles,
    role_fillers,
)
from kg.records import (
    ActorRef,
    Article,
    DateOrigin,
    EventClaim,
    Evidence,
    Extraction,
    MaterielLot,
    PlaceRef,
    Precision,
)
from kg.reference import ReferenceData, fold

LANG = language()  # the words and patterns of the language the pipeline reads

ARMED_TYPES = {
    "state-forces",
    "rebel-group",
    "political-militia",
    "identity-militia",
    "external-forces",
}
SIDE_KINDS = {"organization", "group"}  # what can fight: not objects, not named persons


def _evidence(sent: Span, offset: int) -> Evidence:
    return Evidence(
        source_text(sent.doc)[sent.start_char : sent.end_char],
        sent.start_char + offset,
        sent.end_char + offset,
    )


def _counted(ref: ActorRef, tok: Token) -> ActorRef:
    """Unnamed people also under their count, as the report words them ("132 civilians")."""
    if ref.kind not in {"group", "object"}:
        return ref
    of = tok.head
    if of.lower_ == "of" and of.head.lower_ in LANG.partitive_quantifiers and of.head.i < tok.i:
        # "scores of passengers", as the report counts them
        span = tok.doc[of.head.left_edge.i : tok.i + 1]
        text = surface(tok.doc, span.start_char, span.end_char)
        return replace(ref, mentions=tuple(dict.fromkeys((text, *ref.mentions))))
    wider = with_quantity(tok.doc, _np_start(tok), tok.i + 1)
    if wider is None:
        return ref
    span = tok.doc[wider[0] : wider[1]]
    text = surface(tok.doc, span.start_char, span.end_char)
    return replace(ref, mentions=tuple(dict.fromkeys((text, *ref.mentions))))


def _refs(
    tokens: list[Token],
    cands: list[ActorCandidate],
    doc: Doc,
    exact: set[int] | frozenset[int] = frozenset(),
) -> list[tuple[ActorRef, Token]]:
    out = [(_counted(ref, tok), tok) for ref, tok in _candidate_refs(tokens, cands, doc, exact)]
    return out


def _candidate_refs(
    tokens: list[Token],
    cands: list[ActorCandidate],
    doc: Doc,
    exact: set[int] | frozenset[int],
) -> list[tuple[ActorRef, Token]]:
    out: list[tuple[ActorRef, Token]] = []
    seen: set[tuple[int, int]] = set()
    for tok in tokens:
        for each in [tok, *tok.conjuncts] if tok.i not in exact else [tok]:
            cand = _candidate_for(each, cands)
            if cand is not None:
                if (cand.start, cand.end) not in seen:
                    seen.add((cand.start, cand.end))
                    out.append((cand.ref(doc), each))
                continue
            obj = _object_ref(each)
            if obj is not None and (each.i, each.i) not in seen:
                seen.add((each.i, each.i))
                out.append((obj, each))
    return out


def _is_armed(ref: ActorRef, reference: ReferenceData) -> bool:
    if ref.kind == "group":
        return not _people(ref)  # "gunmen" are; "villagers", "a mob" are not
    if ref.kind == "organization":
        actor = reference.actors.get(ref.actor_id or "")
        return actor is None or actor.type in ARMED_TYPES
    return False


def _refine_type(
    family: str,
    attackers: list[ActorRef],
    targets: list[ActorRef],
    sent: Span,
    has_materiel: bool,
    reference: ReferenceData,
    instruments: tuple[str, ...] = (),
    agent_words: tuple[str, ...] = (),
) -> str | None:
    words = {t.lower_ for t in sent} | {t.lemma_.lower() for t in sent}
    if family == "clash":
        return "armed-clash"
    if family == "attack" and set(instruments) & LANG.shelling_nouns:
        return "shelling"  # "killed 10 people with mortar shells"
    if family == "attack" and set(instruments) & LANG.grenade_nouns:
        return "grenade"  # "wounded four customers with a grenade"
    if family == "attack" and set(instruments) & LANG.explosive_nouns:
        family = "bombing"  # "killed by a bomb"
    if family == "attack" and (set(agent_words) | set(instruments)) & LANG.aircraft_words:
        return "air-drone-strike"  # "an air force jet struck a camp", "a drone hit a convoy"
    if family == "attack":
        org_targets = [t for t in targets if t.kind in {"organization", "group"}]
        if (
            attackers
            and org_targets
            and all(_is_armed(t, reference) for t in org_targets)
            and any(_is_armed(a, reference) for a in attackers)
        ):
            return "armed-clash"
        return "attack"
    if family == "bombing":
        if (set(instruments) | set(agent_words)) & LANG.aircraft_words or "strafe" in words:
            return "air-drone-strike"  # "the air force bombed and strafed the area"
        if "suicide" in words:
            return "suicide-bomb"
        if "grenade" in words:
            return "grenade"
        return "bombing"
    if family == "shelling":
        return "shelling"
    if family == "air":
        return "air-drone-strike"
    if family == "capture":
        if has_materiel:
            return "materiel-capture"
        if any(t.kind == "person" for t in targets):
            return "abduction"
        return None
    return {
        "abduction": "abduction",
        "arson": "arson",
        "robbery": "robbery",
        "looting": "looting-property-destruction",
        "arrests": "arrests",
        "protest": "peaceful-protest",
        "riot": "violent-demonstration",
    }.get(family)


def _region_after(trigger: Token, sent: Span) -> Span:
    return sent.doc[trigger.i : sent.end]


def _has_materiel_object(args_objects: list[Token], trigger: Token, sent: Span) -> bool:
    region = _region_after(trigger, sent)
    if any(e.label_ == WEAPON_LABEL for e in region.ents):
        return True
    return any(
        t.lemma_.lower() in LANG.materiel_nouns for o in args_objects for t in o.subtree
    ) or any(
        t.lemma_.lower() in LANG.materiel_nouns
        for t in trigger.children
        if t.dep_ in {"dobj", "obj"}
    )


def _instruments(trig: Trigger, args: TriggerArgs) -> tuple[str, ...]:
    """What the act was done with: "with a bomb", "a bomb attack", "set off a mine"."""
    token = trig.token
    instruments = tuple(t.lemma_.lower() for t in args.instruments)
    if token.pos_ == "VERB":
        # "killed 10 people and injured 21 others with mortar shells": one means for both
        instruments += tuple(
            obj.lemma_.lower()
            for verb in token.conjuncts
            for prep in verb.children
            if prep.dep_ == "prep" and prep.lower_ == "with"
            for obj in prep.children
            if obj.dep_ == "pobj"
        )
    if trig.phrase_object is not None:
        instruments += (trig.phrase_object.lemma_.lower(),)
    if token.pos_ in {"NOUN", "PROPN"}:
        # "a bomb attack", "dynamite attacks": the modifier is the means
        instruments += tuple(
            c.lemma_.lower() for c in token.lefts if c.dep_ in {"compound", "amod", "nmod"}
        )
    else:
        # "were killed when they set off a mine": the explosive is in the clause below, and
        # not what was hit ("attacked several mines")
        hit = {
            t.i for c in token.children if c.dep_ in {"dobj", "obj", "nsubjpass"} for t in c.subtree
        }
        instruments += tuple(
            t.lemma_.lower()
            for t in token.subtree
            if t.pos_ == "NOUN" and t.lemma_.lower() in LANG.blast_nouns and t.i not in hit
        )
        # "30 civilians were killed in an air strike", "died in a drone strike": the means
        instruments += tuple(
            word.lemma_.lower()
            for prep in token.children
            if prep.dep_ == "prep" and prep.lower_ in {"in", "by"}
            for obj in prep.children
            if obj.dep_ == "pobj"
            for word in [obj, *obj.lefts]
            if word.dep_ in {"pobj", "compound", "amod"}
        )
    return instruments


def _people_harmed(tok: Token, sent: Span) -> bool:
    """ "killed eleven fishermen", "a total of 23 herders were killed": whatever the noun, a
    killing's object is people; not a thing ("killed on the spot"), nor the conflict's toll
    ("36,000 people have been killed since 2009")."""
    direct = tok.dep_ in {"dobj", "obj", "nsubjpass"} or (
        tok.dep_ == "pobj" and tok.head.lower_ == "of"
    )
    named = any(t.ent_type_ == "PERSON" for t in tok.subtree)  # "the judge Maria Lopez"
    return (
        direct
        and not named
        and tok.lemma_.lower() not in LANG.thing_nouns
        and not LANG.conflict_toll.search(sent.text)
    )


def _hit(
    token: Token,
    event_type: str,
    patient_refs: list[tuple[ActorRef, Token]],
    sent: Span,
    cands: list[ActorCandidate],
    doc: Doc,
) -> tuple[list[ActorRef], list[ActorRef]]:
    """Who and what the act struck, as targets (sides, things) and victims (people)."""
    targets: list[ActorRef] = []
    victims: list[ActorRef] = []
    # people a killing, a wounding or a kidnapping struck are its victims, named or not
    harms = (
        token.lemma_.lower() in LANG.harm_verbs
        or token.lemma_.lower() in LANG.harm_nouns
        # "burnt scores of travellers to death"
        or any(c.lower_ == "to" and any(g.lower_ == "death" for g in c.children)
               for c in token.children)
    )
    for ref, tok in patient_refs:
        if event_type == "materiel-capture":
            continue
        if ref.kind == "person":
            victims.append(ref)
        elif ref.kind == "group" and _is_civilian(tok):
            victims.append(replace(ref, kind="group"))
        elif ref.kind == "group" and harms:
            victims.append(ref)
        elif ref.kind == "object" and harms and _people_harmed(tok, sent):
            victims.append(replace(ref, kind="group"))
        else:
            targets.append(ref)
    if event_type not in {"materiel-capture", "arrests"}:
        # "11 soldiers died in the attack", "the raid left 30 people dead": the dead the
        # sentence counts are the incident's victims, whichever word told of the incident
        named = {fold(m) for r in (*victims, *targets) for m in r.mentions}
        for ref, _ in _refs(the_dead(sent), cands, doc):
            if ref.kind != "person" and not {fold(m) for m in ref.mentions} & named:
                victims.append(replace(ref, kind="group"))
    return targets, victims


def _crowd(agents: list[Token]) -> list[ActorRef]:
    """Who protested, whatever the noun ("hundreds of traders protested", "students rioted",
    "supporters who were demonstrating"): the crowd is the protest's actor, as ACLED codes
    it."""
    out: list[ActorRef] = []
    for tok in agents:
        if tok.tag_ in {"WP", "WDT"} and tok.head.dep_ == "relcl":
            tok = tok.head.head  # "supporters who were demonstrating"
        tok = _partitive(tok)
        if tok.pos_ not in {"NOUN", "PROPN"} or tok.lemma_.lower() in LANG.collective_nouns:
            continue
        ref = _object_ref(tok)
        if ref is not None:
            out.append(replace(ref, kind="group"))
    return out


def _people(ref: ActorRef) -> bool:
    """Unarmed people named by their kind ("villagers", "angry residents", "a mob")."""
    for mention in ref.mentions:
        words = mention.lower().split()
        if not words:
            continue
        word = words[-1]
        singular = LANG.irregular_plurals.get(word) or word.removesuffix("s")
        if {word, singular} & (LANG.civilian_nouns | LANG.crowd_nouns):
            return True
    return False


def _people_noun(tok: Token) -> bool:
    lemma = tok.lemma_.lower()
    return lemma in LANG.mob_nouns or lemma in LANG.crowd_nouns


def claim_from_trigger(
    trig: Trigger,
    sent: Span,
    doc: Doc,
    article: Article,
    cands: list[ActorCandidate],
    reference: ReferenceData,
    offset: int,
) -> tuple[EventClaim | None, str | None]:
    token = trig.token
    reason = irrealis(token)
    if reason:
        return None, reason
    args = trigger_args(token, trig.phrase_object)
    attackers = [r for r, _ in _refs(args.agents, cands, doc, args.exact) if r.kind != "object"]
    if trig.family in {"protest", "riot"} and not attackers:
        # "youths protesting the arrest of a chief": the people the participle describes
        described = [token.head] if token.dep_ == "acl" and token.tag_ == "VBG" else []
        attackers = _crowd(args.agents or described)
    elif trig.family in {"attack", "arson", "looting", "clash"} and not attackers:
        # "angry residents burned the house", "villagers lynched a man", "students clashed
        # with police": the people who did it are a side (a mob, as ACLED codes them)
        attackers = _crowd([t for t in args.agents if _people_noun(_partitive(t))])
    patients = args.patients
    if trig.family == "protest":
        # what a protest is against is its cause ("protesting the arrest of a chief",
        # "demonstrating against the postponement"), not a thing it hit
        causes = {c.i for c in token.children if c.dep_ in {"dobj", "obj"}} | {
            o.i
            for p in token.children
            if p.dep_ == "prep" and p.lower_ in LANG.cause_prepositions
            for o in p.children
            if o.dep_ == "pobj"
        }
        patients = [p for p in patients if p.i not in causes]
    if trig.family not in {"capture", "looting"}:
        patients = patients + args.of_objects  # "the killing of the attorney general"
    patient_refs = _refs(patients, cands, doc, args.exact)
    source_refs = [r for r, _ in _refs(args.sources, cands, doc) if r.kind != "object"]
    evidence = _evidence(sent, offset)
    materiel = False
    if trig.family == "capture":
        materiel = _has_materiel_object(args.objects + args.patients, token, sent)
    instruments = _instruments(trig, args)
    event_type = _refine_type(
        trig.family,
        attackers,
        [r for r, _ in patient_refs],
        sent,
        materiel,
        reference,
        instruments,
        tuple(t.lower_ for a in args.agents for t in a.subtree),
    )
    if event_type is None:
        return None, f"'{token.text}': no event type fits its arguments"
    targets, victims = _hit(token, event_type, patient_refs, sent, cands, doc)
    if event_type == "materiel-capture":
        targets = source_refs
    if trig.family == "clash":
        # the other side of a clash is a force; "fought for some time" names no target
        targets = [t for t in targets if t.kind in SIDE_KINDS]
        if not (attackers or targets or victims) and fatalities_in(sent) is None:
            return None, f"'{token.text}': a clash that names no side and no casualties"
    nominal = token.pos_ in {"NOUN", "PROPN"}
    generic = is_anaphoric(token) or token.tag_ in {"NNS", "NNPS"}
    anaphor = nominal and generic and not attackers and not targets and not victims
    if anaphor and not is_anaphoric(token):
        return None, f"'{token.text}': generic, names no participant"
    if _habitual(token, sent):
        return None, f"'{token.text}': attacks in general, no incident"
    if trig.family == "clash" and token.dep_ == "relcl" and _present(token):
        # "Buhari, whose army is fighting Boko Haram": who someone is, a war going on
        return None, f"'{token.text}': a conflict described, no incident"
    lots: tuple[MaterielLot, ...] = ()
    if event_type == "materiel-capture":
        lots = materiel_lots(doc, _region_after(token, sent), "captured", reference, evidence)
    elif event_type != "arrests":
        lots = materiel_lots(doc, sent, "used", reference, evidence)
    confidence = (
        0.4
        + 0.2 * bool(attackers)
        + 0.2 * bool(targets or victims)
        + 0.1 * (not nominal)
        + 0.1 * bool(lots)
    )
    claim = EventClaim(
        doc_id=article.doc_id,
        key=f"{event_type}-{token.idx + offset}",
        type=event_type,
        trigger=_text(token),
        evidence=(evidence,),
        attackers=tuple(attackers),
        targets=tuple(targets),
        victims=tuple(victims),
        materiel=lots,
        place=place_of(token, sent),
        date=date_of(sent, article),
        fatalities=_toll(sent) if event_type not in {"materiel-capture", "arrests"} else None,
        confidence=round(min(confidence, 1.0), 2),
        # "The attack took place in Inata": it refers back, so it only adds its place and
        # date to the incident it names again (see ``extract_article``)
        supports_only=anaphor,
        background=_pluperfect(token),
    )
    return claim, None


def _habitual(token: Token, sent: Span) -> bool:
    """ "Attacks against the military are often blamed on JNIM": a bare plural names a kind
    of act, not an incident, when nothing counts, owns or dates it."""
    return (
        token.tag_ in {"NNS", "NNPS"}
        and not any(c.dep_ in {"det", "poss", "nummod"} for c in token.children)
        and not any(t.ent_type_ in {"DATE", "TIME"} for t in sent)
        and _present(sent.root)  # told in the present: what happens as a rule
    )


def _present(verb: Token) -> bool:
    """ "are blamed", "occur": the simple present, active or passive (not "have killed")."""
    if verb.tag_ in {"VBZ", "VBP"}:
        return verb.lemma_ != "have"
    return any(
        c.dep_ in {"aux", "auxpass"} and c.tag_ in {"VBZ", "VBP"} and c.lemma_ != "have"
        for c in verb.children
    )


def _pluperfect(token: Token) -> bool:
    """ "In 2019, a massacre had killed 160 people": the past perfect of a main clause sets the
    act before the story's time. Reported speech backshifts ("police said the gunmen had
    killed 12"), so a clause under a verb of saying is not read so."""
    return (
        token.tag_ == "VBN"
        and any(c.dep_ == "aux" and c.lower_ == "had" for c in token.children)
        and token.dep_ not in {"ccomp", "xcomp", "advcl", "relcl"}
    )


# -- in-article coreference ----------------------------------------------------------------
def _actor_keys(refs: tuple[ActorRef, ...]) -> set[str]:
    keys = set()
    for ref in refs:
        if ref.actor_id:
            keys.add(ref.actor_id)
        keys.update(fold(m) for m in ref.mentions)
    return keys


def _merge_refs(a: tuple[ActorRef, ...], b: tuple[ActorRef, ...]) -> tuple[ActorRef, ...]:
    out = list(a)
    for ref in b:
        keys = _actor_keys((ref,))
        for index, existing in enumerate(out):
            if keys & _actor_keys((existing,)):
                out[index] = replace(
                    existing, mentions=tuple(dict.fromkeys(existing.mentions + ref.mentions))
                )
                break
        else:
            out.append(ref)
    return tuple(out)


def _merge_claims(a: EventClaim, b: EventClaim) -> EventClaim:
    lots = {(lot.model_id or fold(lot.name)): lot for lot in a.materiel}
    for lot in b.materiel:
        key = lot.model_id or fold(lot.name)
        if key in lots:
            old = lots[key]
            lots[key] = replace(
                old,
                mentions=tuple(dict.fromkeys(old.mentions + lot.mentions)),
                origin=old.origin or lot.origin,
                origin_basis=old.origin_basis or lot.origin_basis,
            )
        else:
            lots[key] = lot
    explosion = next((t for t in (a.type, b.type) if t in EXPLOSIONS), None)
    type_ = (
        a.type
        if a.type == b.type
        else "armed-clash"
        if "armed-clash" in {a.type, b.type}
        else explosion or a.type
    )
    better_date = a.date
    if b.date is not None and (
        a.date is None or (a.date.origin != "text" and b.date.origin == "text")
    ):
        better_date = b.date
    return replace(
        a,
        type=type_,
        key=a.key if a.type == type_ else b.key,
        evidence=a.evidence + tuple(e for e in b.evidence if e not in a.evidence),
        attackers=_merge_refs(a.attackers, b.attackers),
        targets=_merge_refs(a.targets, b.targets),
        victims=_merge_refs(a.victims, b.victims),
        materiel=tuple(lots.values()),
        place=_finer_place(a.place, b.place),
        date=better_date,
        # the highest toll: reports give the latest figure last, and tolls rise
        fatalities=max((f for f in (a.fatalities, b.fatalities) if f is not None), default=None),
        confidence=max(a.confidence, b.confidence),
        muc_excluded=a.muc_excluded and b.muc_excluded,
        supports_only=a.supports_only and b.supports_only,
    )


@functools.cache
def _country_names() -> frozenset[str]:
    from kg.reference import load_reference

    return frozenset(fold(name) for name in load_reference().demonyms.values())


def _toll(sent: Span) -> int | None:
    """The sentence's toll, unless it is the conflict's ("36,000 killed since 2009")."""
    return None if LANG.conflict_toll.search(sent.text) else fatalities_in(sent)


def _finer_place(a: PlaceRef | None, b: PlaceRef | None) -> PlaceRef | None:
    """The place that says more: a town rather than the country it lies in."""
    if a is None or b is None:
        return a or b
    if fold(a.name) in _country_names() and fold(b.name) not in _country_names():
        return b
    return a


def _corefer(a: EventClaim, b: EventClaim) -> bool:
    if a.supports_only or b.supports_only:
        # "the attack took place in Inata" names again the incident told before
        return anaphor_alike(a.type, b.type) and not _text_dates_differ(a, b)
    if not anaphor_alike(a.type, b.type) or _places_differ(a, b) or _text_dates_differ(a, b):
        return False
    a_actors = _actor_keys(a.attackers)
    b_actors = _actor_keys(b.attackers)
    if a_actors and b_actors:
        return bool(a_actors & b_actors)
    if a.type != b.type and {a.type, b.type} & EXPLOSIONS:
        return True  # "the attack" naming who set off the bomb the other sentence reports
    a_all = a_actors | _actor_keys(a.targets) | _actor_keys(a.victims)
    b_all = b_actors | _actor_keys(b.targets) | _actor_keys(b.victims)
    if a_all and b_all:
        return bool(a_all & b_all)
    return True


RECALLED_DAYS = 30  # an incident the text dates this long before the article is recalled


def _recalled(claim: EventClaim, reference: dt.date | None) -> bool:
    """Dated by the text a month or more before the article, or told as "last March", "last
    year": a time the writer sets before the story's own."""
    date = claim.date
    if claim.background:
        return True
    if not date or date.origin != DateOrigin.TEXT:
        return False
    coarse = date.precision in {Precision.MONTH, Precision.YEAR}
    if coarse and date.text and LANG.recalled_period.search(date.text.strip()):
        return True
    return bool(reference and date.latest and (reference - date.latest).days > RECALLED_DAYS)


def corefer_claims(
    claims: list[EventClaim], reference: dt.date | None = None
) -> list[EventClaim]:
    """Claims that name one incident again, merged. An incident the text dates well before
    the article ("in July 2018, eight people were killed") is recalled: it is not the
    undated incident of the headline."""
    merged: list[EventClaim] = []
    for claim in claims:
        for index, existing in enumerate(merged):
            if _recalled(existing, reference) != _recalled(claim, reference):
                continue
            if _corefer(existing, claim):
                merged[index] = _merge_claims(existing, claim)
                break
        else:
            merged.append(claim)
    return merged


def _explosion_consequences(claims: list[EventClaim]) -> list[EventClaim]:
    """ "A bomb exploded ..., killing 12 people": the killing is the explosion's, not another
    attack. An attack claim of the sentence that names no attacker folds into its explosion."""
    explosion = next((c for c in claims if c.type in EXPLOSIONS), None)
    if explosion is None:
        return claims
    folded = [c for c in claims if c.type == "attack" and not c.attackers]
    merged = explosion
    for claim in folded:
        merged = _merge_claims(merged, claim)
    return [merged if c is explosion else c for c in claims if all(c is not f for f in folded)]


def attach_sub_events(claims: list[EventClaim], sentence_of: dict[str, int]) -> list[EventClaim]:
    """A capture that follows from a clash is a sub-event of it and shares its participants."""
    out = list(claims)
    battles = [c for c in claims if c.type in {"armed-clash", "attack"}]
    for index, claim in enumerate(out):
        if claim.type != "materiel-capture" or not battles:
            continue
        capturers = _actor_keys(claim.attackers)
        parent = next((b for b in battles if capturers & _actor_keys(b.attackers)), None)
        if parent is None:
            near = [
                b
                for b in battles
                if abs(sentence_of.get(b.key, -9) - sentence_of.get(claim.key, 9)) <= 1
            ]
            parent = near[0] if near else None
        if parent is None and not any(a.actor_id for a in claim.attackers):
            # "the attackers made away with weapons": the raid told a few sentences before
            here = sentence_of.get(claim.key, -1)
            before = [
                b for b in battles if 0 <= here - sentence_of.get(b.key, here + 1) <= 4
            ]
            parent = before[-1] if before else None
        if parent is None:
            continue
        out[index] = replace(
            claim,
            parent_key=parent.key,
            attackers=claim.attackers or parent.attackers,
            targets=claim.targets or parent.targets,
            place=claim.place or parent.place,
            date=claim.date
            if claim.date and claim.date.origin == "text"
            else parent.date or claim.date,
        )
    return out


def extract_article(doc: Doc, article: Article, reference: ReferenceData) -> Extraction:
    """Every event claim of one article. ``doc`` is the parse of the article's body."""
    offset = article.body_start
    cands = actor_candidates(doc)
    claims: list[EventClaim] = []
    uncoded: list[str] = []
    sentence_of: dict[str, int] = {}
    for number, sent in enumerate(doc.sents):
        in_sentence: list[EventClaim] = []
        for trig in find_triggers(sent):
            claim, reason = claim_from_trigger(trig, sent, doc, article, cands, reference, offset)
            if claim is None:
                if reason:
                    uncoded.append(f"{reason}: {sent.text.strip()[:160]}")
                continue
            in_sentence.append(claim)
        for claim in _explosion_consequences(corefer_claims(in_sentence)):
            sentence_of[claim.key] = number
            claims.append(claim)
    claims = corefer_claims(claims, article.reference_date)
    # a mention that refers back and joined no incident reports nothing on its own
    claims = [c for c in claims if not (c.supports_only and len(c.evidence) == 1)]
    claims = [replace(c, supports_only=False) for c in claims]
    claims = attach_sub_events(claims, sentence_of)
    if has_roles(doc):
        claims = _with_trained_roles(claims, doc, article, reference)
    claims = _attributed(claims, doc, cands, offset)
    claims = _toll_revised(claims, doc, offset)
    mentions = tuple(c.ref(doc) for c in cands if c.kind in {"organization", "group"})
    places = tuple(_text(e) for e in doc.ents if e.label_ in {"GPE", "LOC", "NORP"})
    return Extraction(article, tuple(claims), tuple(uncoded), mentions, places)


def _sentence_layout(doc: Doc) -> tuple[list[Span], list[int], list[int]]:
    """Sentences, their first tokens, and the paragraph number of each sentence."""
    sents = list(doc.sents)
    paragraph_of: list[int] = []
    paragraph = 0
    for index, sent in enumerate(sents):
        between = doc[sents[index - 1].start : sent.start + 1] if index else doc[0:0]
        if any(t.is_space and "\n" in t.text for t in between):
            paragraph += 1
        paragraph_of.append(paragraph)
    return sents, [s.start for s in sents], paragraph_of


def _with_trained_roles(
    claims: list[EventClaim], doc: Doc, article: Article, reference: ReferenceData
) -> list[EventClaim]:
    offset = article.body_start
    sents, token_starts, paragraph_of = _sentence_layout(doc)
    char_starts = [s.start_char + offset for s in sents]
    # a sentence summing up a conflict ("since 2018, attacks using explosive devices have
    # claimed 200 lives") names no instrument of the incident told
    fillers = role_fillers(doc, token_starts)
    numbers = {f.sentence for f in fillers}
    conditional = {n for n in numbers if _conditional(sents[n])}
    summary = {n for n in numbers if LANG.generic_cues.search(sents[n].text)}
    fillers = [
        f for f in fillers
        if not (f.label == "WEAPON" and f.sentence in summary)
        and f.sentence not in conditional
        and not _describes(doc[f.start : f.end])
        and not (f.label in {"VICTIM", "HUMAN"} and _suspect(doc[f.start : f.end]))
        and not (f.label == "WEAPON" and in_a_name(doc[f.start : f.end]))
    ]

    def make_claim(event_type: str) -> EventClaim | None:
        """An event the article reports with no trigger the rules know ("bank offices were
        shaken by explosives"): a claim on the sentence with the most role fillers, whatever
        their roles, since the article classifier already vouches for the incident."""
        counts: dict[int, int] = {}
        for filler in fillers:
            counts[filler.sentence] = counts.get(filler.sentence, 0) + 1
        counts = {n: c for n, c in counts.items() if not _hedged(sents[n])}
        if not counts:
            return None
        number = min(counts, key=lambda n: (-counts[n], n))
        sent = sents[number]
        return EventClaim(
            doc_id=article.doc_id,
            key=f"{event_type}-{sent.start_char + offset}",
            type=event_type,
            trigger=_text(sent.root),
            evidence=(_evidence(sent, offset),),
            place=place_of(sent.root, sent),
            date=date_of(sent, article),
            fatalities=_toll(sent),
            confidence=0.4,
        )

    claims, excluded = gate_by_categories(claims, doc, article, make_claim)
    claims = _merge_same_type(claims, article.reference_date)
    kept = _share_organisation(
        _fold_bare(apply_roles(claims, fillers, char_starts, paragraph_of, reference))
    )
    if not excluded:
        return kept
    return kept + apply_roles(
        _merge_same_type(excluded), fillers, char_starts, paragraph_of, reference
    )


def _toll_revised(claims: list[EventClaim], doc: Doc, offset: int) -> list[EventClaim]:
    """The article's story (the incident it tells first) takes a toll told apart from its own
    sentence: the latest figure ("The toll later rose to 41"), when higher, or, when its
    sentence gave none, the dead counted by the next sentence if that one tells no incident of
    its own ("Students clashed with police in Dakar. One student died.")."""
    told = [
        i for i, c in enumerate(claims) if not c.background and type_family(c.type) == "violence"
    ]
    if not told:
        return claims
    story = claims[told[0]]
    revised = [
        value
        for match in LANG.toll_revision.finditer(doc.text)
        if (value := number_value(match["n"])) is not None and value < 100_000
    ]
    toll = revised[-1] if revised and (story.fatalities or 0) < revised[-1] else None
    if toll is None and story.fatalities is None:
        evidence = {e.start for c in claims for e in c.evidence}
        for sent, after in pairwise(doc.sents):
            if sent.start_char + offset == story.evidence[0].start:
                if after.start_char + offset not in evidence:
                    toll = _toll(after)
                break
    if toll is None:
        return claims
    return [replace(c, fatalities=toll) if c is story else c for c in claims]


def _responsible(sent: Span) -> list[Token]:
    """The words naming who was behind an incident, by the sentence's own account: "police
    attributed the attack to Boko Haram", "the killings were blamed on ISWAP", "officials
    blamed JNIM for the raid", "ISGS claimed responsibility" (not "no group has claimed it")."""
    found: list[Token] = []
    for tok in sent:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in LANG.attribution_verbs:
            continue
        if irrealis(tok) or any(
            c.dep_ in {"nsubj", "nsubjpass"} and any(d.dep_ == "det" and d.lower_ == "no"
                                                     for d in c.children)
            for c in tok.children
        ):
            continue
        lemma = tok.lemma_.lower()
        objects = [c for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}]
        preps = {c.lower_: [g for g in c.children if g.dep_ == "pobj"]
                 for c in tok.children if c.dep_ in {"prep", "dative"}}
        if lemma == "claim":
            if any(o.lemma_.lower() in LANG.responsibility_nouns or _incident(o)
                   for o in objects):
                found += [c for c in tok.children if c.dep_ == "nsubj"]
        elif lemma == "attribute":
            if any(_incident(o) for o in objects):
                found += preps.get("to", [])
        else:  # blame
            if any(_incident(o) for o in objects):
                found += preps.get("on", [])  # "the attack was blamed on X"
            if any(_incident(o) for o in preps.get("for", [])):
                found += [o for o in objects if o.dep_ == "dobj"]  # "blamed X for the raid"
    return found


def _incident(tok: Token) -> bool:
    """A word for what happened: "the attack", "the killings", or "it"."""
    return tok.lemma_.lower() in LANG.noun_triggers or tok.lower_ in {"it", "this"}


def _attributed(
    claims: list[EventClaim], doc: Doc, cands: list[ActorCandidate], offset: int
) -> list[EventClaim]:
    """An organisation a sentence holds responsible is an attacker of the article's story
    (its first incident told), unless the story names its organisation already."""
    out = list(claims)
    told = [i for i, c in enumerate(out) if not c.background and c.type in TRAINED_TYPES]
    if not told:
        return out
    for sent in doc.sents:
        refs = [r for r, _ in _refs(_responsible(sent), cands, doc) if r.kind == "organization"]
        if not refs:
            continue
        claim = out[told[0]]  # the story the article tells, which "the attack" names again
        if any(a.kind == "organization" for a in claim.attackers):
            continue
        named = tuple(replace(r, basis="attribution") for r in refs)
        out[told[0]] = replace(
            claim,
            attackers=_merge_refs(claim.attackers, named),
            evidence=(*claim.evidence, _evidence(sent, offset)),
        )
    return out


def _describes(span: Span) -> bool:
    """ "four of them were women, two men": a predicate that says what the victims were, not
    another group hit."""
    root = span.root
    return root.dep_ == "attr" or (root.dep_ == "conj" and root.head.dep_ == "attr")


def _suspect(span: Span) -> bool:
    """ "Colonel X and Y were indicted", "Z was detained in connection with the attack",
    "suspected bomber X": suspects and perpetrators, not the attack's victims."""
    tok = span.root
    while tok.dep_ in {"conj", "appos"} and tok.head is not tok:
        tok = tok.head  # "X, Y and Z were charged": the first of the list is the subject
    # "X was charged", "police detained X"; not "the police who detained X"
    if tok.dep_ in {"nsubjpass", "dobj"} and tok.head.lemma_.lower() in LANG.legal_verbs:
        return True
    # "suspected bomber X", "the gunman, X": named as the one who did it
    before = span.doc[span.start - 2 : span.start] if span.start >= 2 else span.doc[:span.start]
    return any(
        t.lemma_.lower() in LANG.perpetrator_titles and t.head.i in range(span.start, span.end)
        for t in before
    ) or (span.root.dep_ == "appos" and span.root.head.lemma_.lower() in LANG.perpetrator_titles)


def _conditional(sent: Span) -> bool:
    """ "France would retaliate if its citizens were attacked": who is named there was not hit."""
    return any(t.dep_ == "mark" and t.lower_ in LANG.conditional_marks for t in sent)


def _share_organisation(claims: list[EventClaim]) -> list[EventClaim]:
    """When the article names one organisation behind its incidents, the incidents it tells
    with unnamed perpetrators only ("the terrorists set fire to ...") are that
    organisation's too; the participation says the article, not the sentence, names it."""
    orgs: dict[str, ActorRef] = {}
    for claim in claims:
        if claim.type in TRAINED_TYPES:
            for ref in claim.attackers:
                if ref.kind == "organization":
                    orgs.setdefault(ref.actor_id or fold(ref.name or ref.mentions[0]), ref)
    if len(orgs) != 1:
        return claims
    org = replace(next(iter(orgs.values())), basis="article")
    return [
        replace(claim, attackers=(*claim.attackers, org))
        if claim.type in TRAINED_TYPES and all(a.kind == "group" for a in claim.attackers)
        else claim
        for claim in claims
    ]


def _fold_bare(claims: list[EventClaim]) -> list[EventClaim]:
    """An incident left with no participant at all beside one of its kind that has some is
    that incident mentioned again: its sentence joins the other's evidence."""
    out = list(claims)
    for claim in claims:
        if claim.type not in TRAINED_TYPES or claim.attackers or claim.targets or claim.victims:
            continue
        host = next(
            (
                index
                for index, other in enumerate(out)
                if other is not claim
                and TRAINED_TYPES.get(other.type) == TRAINED_TYPES[claim.type]
                and (other.attackers or other.targets or other.victims)
                and other.background == claim.background
                and _same_incident(other, claim)
            ),
            None,
        )
        if host is None:
            continue
        out[host] = _merge_claims(out[host], claim)
        out = [c for c in out if c is not claim]
    return out


def _hedged(sent: Span) -> bool:
    """A sentence that reports no real event: a threat, a denial, a plan, a negation."""
    return any(
        t.dep_ == "neg"
        or (t.dep_ in {"aux", "auxpass"} and t.lower_ in LANG.irrealis_aux)
        or t.lemma_.lower() in LANG.hedge_verbs
        for t in sent
    )


def _merge_same_type(
    claims: list[EventClaim], reference: dt.date | None = None
) -> list[EventClaim]:
    """One event per trained incident type and article unless place, date or what was hit
    tell them apart, or one of them is an older incident recalled."""
    out: list[EventClaim] = []
    for claim in claims:
        for index, existing in enumerate(out):
            if (
                existing.type == claim.type
                and _recalled(existing, reference) == _recalled(claim, reference)
                and claim.type in TRAINED_TYPES
                and _same_incident(existing, claim)
            ):
                out[index] = _merge_claims(existing, claim)
                break
        else:
            out.append(claim)
    return out


def _hit_keys(claim: EventClaim, kind: str) -> set[str]:
    """Who or what the claim says was hit, of one kind; objects also by their head word."""
    refs = tuple(r for r in claim.targets + claim.victims if r.kind == kind)
    keys = _actor_keys(refs)
    if kind == "object":
        keys |= {fold(m).split()[-1] for r in refs for m in r.mentions if fold(m).split()}
    return keys


def _hit_apart(a: EventClaim, b: EventClaim) -> bool:
    """Both name the people, or both the things, that were hit, and none in common."""
    for kind in ("person", "object"):
        keys_a, keys_b = _hit_keys(a, kind), _hit_keys(b, kind)
        if keys_a and keys_b and not keys_a & keys_b:
            return True
    return False


def _same_incident(a: EventClaim, b: EventClaim) -> bool:
    """Two reports of one incident type are one incident unless their places, the people or
    things they hit (when both name some) or their text dates differ."""
    if _places_differ(a, b) or _text_dates_differ(a, b):
        return False
    same_sentence = bool({e.start for e in a.evidence} & {e.start for e in b.evidence})
    # ("killed when guerrillas attacked the village" is one incident)
    return same_sentence or not _hit_apart(a, b)


def _places_differ(a: EventClaim, b: EventClaim) -> bool:
    """Both name a place, and not the same one."""
    return bool(
        a.place
        and b.place
        and fold(a.place.name) != fold(b.place.name)
        and not ({fold(m) for m in a.place.mentions} & {fold(m) for m in b.place.mentions})
    )


def _text_dates_differ(a: EventClaim, b: EventClaim) -> bool:
    """Both sentences give a date, and not the same one."""
    return bool(
        a.date
        and b.date
        and a.date.origin == "text"
        and b.date.origin == "text"
        and a.date.value != b.date.value
    )
