"""Assemble event claims from one parsed article: typing, roles, in-article coreference.

``extract_article`` is the NLP stage's one entry point: a Doc and its Article in, an
:class:`Extraction` out.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from kg.nlp import english as en
from kg.nlp.extract import (
    ActorCandidate, Trigger, _candidate_for, _is_civilian, _object_ref, actor_candidates,
    date_of, fatalities_in, find_triggers, irrealis, is_anaphoric, materiel_lots, place_of,
    trigger_args,
)
from kg.nlp.pipeline import WEAPON_LABEL
from kg.records import ActorRef, Article, EventClaim, Evidence, Extraction
from kg.reference import ReferenceData, fold

ARMED_TYPES = {"state-forces", "rebel-group", "political-militia", "identity-militia",
               "external-forces"}


def _evidence(sent: Span, offset: int) -> Evidence:
    return Evidence(sent.text, sent.start_char + offset, sent.end_char + offset)


def _refs(
    tokens: list[Token], cands: list[ActorCandidate], doc: Doc, exact: set[int] | frozenset[int] = frozenset()
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
        return True
    if ref.kind == "organization":
        actor = reference.actors.get(ref.actor_id or "")
        return actor is None or actor.type in ARMED_TYPES
    return False


def _refine_type(family: str, attackers: list[ActorRef], targets: list[ActorRef],
                 sent: Span, has_materiel: bool, reference: ReferenceData) -> str | None:
    words = {t.lower_ for t in sent} | {t.lemma_.lower() for t in sent}
    if family == "clash":
        return "armed-clash"
    if family == "attack":
        org_targets = [t for t in targets if t.kind in {"organization", "group"}]
        if attackers and org_targets and all(_is_armed(t, reference) for t in org_targets) \
                and any(_is_armed(a, reference) for a in attackers):
            return "armed-clash"
        return "attack"
    if family == "bombing":
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
        "abduction": "abduction", "arson": "arson", "robbery": "robbery",
        "looting": "looting-property-destruction", "arrests": "arrests",
        "protest": "peaceful-protest", "riot": "violent-demonstration",
    }.get(family)


def _region_after(trigger: Token, sent: Span) -> Span:
    return sent.doc[trigger.i : sent.end]


def _has_materiel_object(args_objects: list[Token], trigger: Token, sent: Span) -> bool:
    region = _region_after(trigger, sent)
    if any(e.label_ == WEAPON_LABEL for e in region.ents):
        return True
    return any(t.lemma_.lower() in en.MATERIEL_NOUNS for o in args_objects for t in o.subtree) or any(
        t.lemma_.lower() in en.MATERIEL_NOUNS for t in trigger.children if t.dep_ in {"dobj", "obj"}
    )


def claim_from_trigger(
    trig: Trigger, sent: Span, doc: Doc, article: Article, cands: list[ActorCandidate],
    reference: ReferenceData, offset: int,
) -> tuple[EventClaim | None, str | None]:
    token = trig.token
    reason = irrealis(token)
    if reason:
        return None, reason
    args = trigger_args(token, trig.phrase_object)
    attackers = [r for r, _ in _refs(args.agents, cands, doc, args.exact) if r.kind != "object"]
    patient_refs = _refs(args.patients, cands, doc, args.exact)
    source_refs = [r for r, _ in _refs(args.sources, cands, doc) if r.kind != "object"]
    evidence = _evidence(sent, offset)
    materiel = False
    if trig.family == "capture":
        materiel = _has_materiel_object(args.objects + args.patients, token, sent)
    event_type = _refine_type(
        trig.family, attackers, [r for r, _ in patient_refs], sent, materiel, reference
    )
    if event_type is None:
        return None, f"'{token.text}': no event type fits its arguments"
    targets: list[ActorRef] = []
    victims: list[ActorRef] = []
    for ref, tok in patient_refs:
        if event_type == "materiel-capture":
            continue
        if ref.kind == "person":
            victims.append(ref)
        elif ref.kind == "group" and _is_civilian(tok):
            victims.append(replace(ref, kind="group"))
        else:
            targets.append(ref)
    if event_type == "materiel-capture":
        targets = source_refs
    nominal = token.pos_ in {"NOUN", "PROPN"}
    if nominal and not attackers and not targets and not victims:
        if is_anaphoric(token) or token.tag_ in {"NNS", "NNPS"}:
            return None, f"'{token.text}': refers back or is generic, names no participant"
    lots = ()
    if event_type == "materiel-capture":
        lots = materiel_lots(doc, _region_after(token, sent), "captured", reference, evidence)
    elif event_type != "arrests":
        lots = materiel_lots(doc, sent, "used", reference, evidence)
    confidence = 0.4 + 0.2 * bool(attackers) + 0.2 * bool(targets or victims) + 0.1 * (
        not nominal) + 0.1 * bool(lots)
    claim = EventClaim(
        doc_id=article.doc_id, key=f"{event_type}-{token.idx + offset}", type=event_type,
        trigger=token.text, evidence=(evidence,), attackers=tuple(attackers),
        targets=tuple(targets), victims=tuple(victims), materiel=lots,
        place=place_of(token, sent), date=date_of(sent, article),
        fatalities=fatalities_in(sent) if event_type not in {"materiel-capture", "arrests"} else None,
        confidence=round(min(confidence, 1.0), 2),
    )
    return claim, None


# -- in-article coreference ----------------------------------------------------------------
def _actor_keys(refs: tuple[ActorRef, ...]) -> set[str]:
    keys = set()
    for ref in refs:
        if ref.actor_id:
            keys.add(ref.actor_id)
        keys.update(fold(m) for m in ref.mentions)
    return keys


def _compatible_types(a: str, b: str) -> bool:
    if a == b:
        return True
    return {a, b} <= {"attack", "armed-clash"}


def _merge_refs(a: tuple[ActorRef, ...], b: tuple[ActorRef, ...]) -> tuple[ActorRef, ...]:
    out = list(a)
    for ref in b:
        keys = _actor_keys((ref,))
        for index, existing in enumerate(out):
            if keys & _actor_keys((existing,)):
                out[index] = replace(existing, mentions=tuple(dict.fromkeys(existing.mentions + ref.mentions)))
                break
        else:
            out.append(ref)
    return tuple(out)


def _merge_claims(a: EventClaim, b: EventClaim) -> EventClaim:
    lots = {(l.model_id or fold(l.name)): l for l in a.materiel}
    for lot in b.materiel:
        key = lot.model_id or fold(lot.name)
        if key in lots:
            old = lots[key]
            lots[key] = replace(old, mentions=tuple(dict.fromkeys(old.mentions + lot.mentions)),
                                origin=old.origin or lot.origin,
                                origin_basis=old.origin_basis or lot.origin_basis)
        else:
            lots[key] = lot
    type_ = a.type if a.type == b.type else "armed-clash" if "armed-clash" in {a.type, b.type} else a.type
    better_date = a.date
    if b.date is not None and (a.date is None or (a.date.origin != "text" and b.date.origin == "text")):
        better_date = b.date
    return replace(
        a, type=type_, key=a.key if a.type == type_ else b.key,
        evidence=a.evidence + tuple(e for e in b.evidence if e not in a.evidence),
        attackers=_merge_refs(a.attackers, b.attackers),
        targets=_merge_refs(a.targets, b.targets),
        victims=_merge_refs(a.victims, b.victims),
        materiel=tuple(lots.values()), place=a.place or b.place, date=better_date,
        fatalities=a.fatalities if a.fatalities is not None else b.fatalities,
        confidence=max(a.confidence, b.confidence),
    )


def _corefer(a: EventClaim, b: EventClaim) -> bool:
    if not _compatible_types(a.type, b.type):
        return False
    if a.place and b.place and fold(a.place.name) != fold(b.place.name) and not (
        {fold(m) for m in a.place.mentions} & {fold(m) for m in b.place.mentions}
    ):
        return False
    if a.date and b.date and a.date.origin == "text" and b.date.origin == "text" \
            and a.date.value != b.date.value:
        return False
    a_actors = _actor_keys(a.attackers)
    b_actors = _actor_keys(b.attackers)
    if a_actors and b_actors:
        return bool(a_actors & b_actors)
    a_all = a_actors | _actor_keys(a.targets) | _actor_keys(a.victims)
    b_all = b_actors | _actor_keys(b.targets) | _actor_keys(b.victims)
    if a_all and b_all:
        return bool(a_all & b_all)
    return True


def corefer_claims(claims: list[EventClaim]) -> list[EventClaim]:
    merged: list[EventClaim] = []
    for claim in claims:
        for index, existing in enumerate(merged):
            if _corefer(existing, claim):
                merged[index] = _merge_claims(existing, claim)
                break
        else:
            merged.append(claim)
    return merged


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
            near = [b for b in battles
                    if abs(sentence_of.get(b.key, -9) - sentence_of.get(claim.key, 9)) <= 1]
            parent = near[0] if near else None
        if parent is None:
            continue
        out[index] = replace(
            claim, parent_key=parent.key,
            attackers=claim.attackers or parent.attackers,
            targets=claim.targets or parent.targets,
            place=claim.place or parent.place,
            date=claim.date if claim.date and claim.date.origin == "text" else parent.date or claim.date,
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
        for claim in corefer_claims(in_sentence):
            sentence_of[claim.key] = number
            claims.append(claim)
    claims = corefer_claims(claims)
    claims = attach_sub_events(claims, sentence_of)
    mentions = tuple(c.ref(doc) for c in cands if c.kind in {"organization", "group"})
    return Extraction(article, tuple(claims), tuple(uncoded), mentions)
