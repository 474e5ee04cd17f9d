"""Read events out of a parsed spaCy ``Doc``: triggers, roles, materiel, place, date, fatalities.

Functions here read a Doc and return records; they never change the Doc, never touch files
and never link to reference identities beyond the ids the rulers put on entities (linking in
context is the resolution stage's job).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from kg.dates import (
    NUMBER_WORDS,
    WEEKDAYS,
    ResolvedDate,
    date_by_weekday,
    parse_date,
    written_days,
)
from kg.lang import language
from kg.nlp.pipeline import ACTOR_LABEL, WEAPON_LABEL, surface
from kg.records import (
    AFFILIATE_NOTE,
    ActorRef,
    Article,
    DateOrigin,
    DateValue,
    Evidence,
    MaterielLot,
    PlaceRef,
    PlaceSegment,
    Precision,
)
from kg.reference import ReferenceData, fold

LANG = language()  # the words and patterns of the language the pipeline reads

_DROP_LEFT = {"det", "poss", "predet", "nummod", "case", "punct", "cc", "quantmod"}


def number_value(text: str) -> int | None:
    cleaned = text.lower().replace(",", "").strip()
    if cleaned.isdigit():
        return int(cleaned)
    return NUMBER_WORDS.get(cleaned)


# -- candidates --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ActorCandidate:
    """An actor mention in a Doc: the core entity and the span the article uses for it."""

    start: int  # token span of the whole mention
    end: int
    core_start: int
    core_end: int
    kind: str
    ruler_id: str | None
    affiliate: bool

    def mentions(self, doc: Doc) -> tuple[str, ...]:
        whole = _clean(doc[self.start : self.end])
        core = _text(doc[self.core_start : self.core_end])
        return tuple(dict.fromkeys(m for m in (whole, core) if m))

    def ref(self, doc: Doc) -> ActorRef:
        core = _text(doc[self.core_start : self.core_end])
        return ActorRef(
            mentions=self.mentions(doc),
            kind=self.kind,
            actor_id=self.ruler_id,
            name=core,
            link_note=AFFILIATE_NOTE if self.affiliate else None,
        )


def _clean(span: Span) -> str:
    tokens = list(span)
    while tokens and (
        tokens[0].dep_ in {"det", "poss"}
        or tokens[0].is_punct
        or tokens[0].lower_ in {"the", "a", "an", "their", "its", "his", "her"}
    ):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct and tokens[-1].text not in {")"}:
        tokens = tokens[:-1]
    if not tokens:
        return ""
    return surface(span.doc, tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))


def _text(span: Span | Token) -> str:
    """A span as the article writes it (the Doc may hold a truecased copy)."""
    if isinstance(span, Token):
        return surface(span.doc, span.idx, span.idx + len(span.text))
    return surface(span.doc, span.start_char, span.end_char)


def actor_candidates(doc: Doc) -> list[ActorCandidate]:
    """Every actor mention of the Doc, named (rulers, NER) or generic ("gunmen")."""
    cands: list[ActorCandidate] = []
    covered: set[int] = set()
    ents = list(doc.ents)
    skip: set[int] = set()
    for index, ent in enumerate(ents):
        if index in skip or ent.label_ not in {ACTOR_LABEL, "ORG", "PERSON", "NORP"}:
            continue
        if ent.label_ == "NORP":
            continue
        if ent.label_ in {"ORG", "PERSON"} and not any(
            t.pos_ == "PROPN" or (t.is_upper and len(t) > 1) for t in ent
        ):
            continue
        if ent.label_ in {"ORG", "PERSON"} and ent.root.lemma_.lower() in LANG.materiel_nouns:
            continue
        start, core_start, core_end = ent.start, ent.start, ent.end
        ruler_id = ent.ent_id_ or None if ent.label_ == ACTOR_LABEL else None
        kind = "person" if ent.label_ == "PERSON" else "organization"
        affiliate = False
        end = ent.end
        nxt = ents[index + 1] if index + 1 < len(ents) else None
        # "Al-Qaeda's JNIM faction": the possessor is context, the possessed is the actor.
        if (
            nxt is not None
            and nxt.label_ == ACTOR_LABEL
            and nxt.start == ent.end + 1
            and doc[ent.end].tag_ == "POS"
        ):
            core_start, core_end, ruler_id = nxt.start, nxt.end, nxt.ent_id_ or None
            end = nxt.end
            skip.add(index + 1)
        # extend over "affiliated forces", "militants", "affiliates"
        position = end
        while position < len(doc):
            tok = doc[position]
            if tok.lemma_.lower() in LANG.affiliate_words or tok.lower_ in LANG.affiliate_words:
                affiliate = True
            elif (
                tok.text == "-"
                and position + 1 < len(doc)
                and doc[position + 1].lower_ in LANG.affiliate_words
            ):
                pass
            elif tok.lemma_.lower() in LANG.actor_head_nouns and tok.pos_ in {"NOUN", "PROPN"}:
                if tok.lemma_.lower() == "affiliate":
                    affiliate = True
            else:
                break
            position += 1
        end = (
            max(end, position)
            if position > end and doc[position - 1].pos_ in {"NOUN", "PROPN"}
            else end
        )
        # "Al-Qaeda affiliates (JNIM)": the bracketed name is the actor itself.
        if (
            end + 2 < len(doc)
            and doc[end].text == "("
            and index + 1 < len(ents)
            and ents[index + 1].start == end + 1
            and ents[index + 1].label_ == ACTOR_LABEL
            and doc[ents[index + 1].end].text == ")"
        ):
            inner = ents[index + 1]
            core_start, core_end, ruler_id = inner.start, inner.end, inner.ent_id_ or None
            end = inner.end + 1
            affiliate = False
            skip.add(index + 1)
        if affiliate and core_start != ent.start:
            affiliate = False
        if kind == "person" and doc[end - 1].lemma_.lower() in LANG.armed_nouns:
            kind = "group"  # "Nigerien forces", the demonym taken for a name: a force
        cands.append(ActorCandidate(start, end, core_start, core_end, kind, ruler_id, affiliate))
        covered.update(range(start, end))
    for tok in doc:
        if tok.i in covered or tok.pos_ not in {"NOUN", "PROPN"}:
            continue
        lemma = tok.lemma_.lower()
        if (
            lemma in LANG.armed_nouns
            or (lemma in LANG.protester_nouns
            and lemma not in {"member", "group", "element", "unit", "cell", "man", "individual"})
        ) or (
            lemma in {"man", "individual", "group", "element", "unit", "member"}
            and _has_armed_modifier(tok)
        ):
            if any(c.dep_ == "compound" and c.i in covered for c in tok.children):
                continue
            if (
                tok.dep_ in {"compound", "amod", "nmod"}
                and tok.head.pos_ in {"NOUN", "PROPN"}
                and tok.head.lemma_.lower() not in LANG.armed_nouns
            ):
                continue
            start = _np_start(tok)
            cands.append(ActorCandidate(start, tok.i + 1, start, tok.i + 1, "group", None, False))
            covered.update(range(start, tok.i + 1))
    return sorted(cands, key=lambda c: c.start)


def _has_armed_modifier(tok: Token) -> bool:
    return any(
        c.lower_
        in {
            "armed",
            "heavily",
            "unidentified",
            "unknown",
            "masked",
            "guerrilla",
            "terrorist",
            "rebel",
            "urban",
        }
        for c in tok.lefts
    )


def _np_start(tok: Token) -> int:
    start = tok.i
    for child in sorted(tok.lefts, key=lambda c: c.i, reverse=True):
        if child.dep_ in _DROP_LEFT or (
            child.i != start - 1 and child.i < start - 1 and child.dep_ in _DROP_LEFT
        ):
            break
        if child.i == start - 1 or child.right_edge.i == start - 1:
            start = child.left_edge.i
        else:
            break
    while start < tok.i and (tok.doc[start].dep_ in _DROP_LEFT or tok.doc[start].is_punct):
        start += 1
    return start


# -- arguments ---------------------------------------------------------------------------
class TriggerArgs:
    def __init__(self) -> None:
        self.agents: list[Token] = []
        self.patients: list[Token] = []
        self.sources: list[Token] = []
        self.instruments: list[Token] = []
        self.objects: list[Token] = []  # what was captured / burned / stolen
        self.of_objects: list[Token] = []  # "the killing of <X>", "the capture of <X>"
        self.exact: set[int] = set()  # tokens whose conjuncts belong to another role


def _pobj(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ in {"pobj", "pcomp"}]



def _partitive(tok: Token, *, numbers: bool = True) -> Token:
    """The people counted, not the count: "six of their members", "some of the hostages".
    Without ``numbers``, a count stays the participant ("six of its staff were killed": six
    people, whatever the parse makes of "staff")."""
    if (numbers and tok.like_num) or tok.lower_ in LANG.partitive_quantifiers:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                return next(iter(_pobj(prep)), tok)
    return tok


def _prep_args(head: Token, args: TriggerArgs, nominal: bool) -> None:
    for child in head.children:
        if child.dep_ not in {"prep", "agent"}:
            continue
        word = child.lower_
        objs = _pobj(child)
        if child.dep_ == "agent" or word == "by":
            args.agents.extend(objs)
        elif word in {"against", "on", "upon", "at"}:
            args.patients.extend(_partitive(obj, numbers=False) for obj in objs)
        elif word == "between":
            for obj in objs:
                conj = obj.conjuncts
                args.agents.append(obj)
                args.patients.extend(conj)
                args.exact.update([obj.i, *(c.i for c in conj)])
        elif word == "with" and head.lemma_.lower() in LANG.reciprocal_triggers:
            args.patients.extend(objs)  # "clashed with JNIM fighters": the other side
        elif word == "with":
            args.instruments.extend(objs)
        elif word == "from":
            args.sources.extend(objs)
        elif (word == "of" and nominal) or word == "over":
            objs = [_partitive(obj) for obj in objs]  # "the killing of six of their members"
            args.objects.extend(objs)
            if word == "of":
                args.of_objects.extend(objs)


def trigger_args(trigger: Token, phrase_object: Token | None) -> TriggerArgs:
    args = TriggerArgs()
    nominal = trigger.pos_ in {"NOUN", "PROPN"}
    if nominal:
        _prep_args(trigger, args, nominal=True)
        hit_on = [
            obj
            for prep in trigger.children
            if prep.dep_ == "prep" and prep.lower_ in {"on", "against"}
            for obj in _pobj(prep)
            if obj.ent_type_ not in {"DATE", "TIME"}
        ]
        if hit_on and args.of_objects:
            # "the attack of Boko Haram on the school": with what was hit given after "on",
            # the "of" names who attacked
            args.agents.extend(args.of_objects)
            args.objects = [o for o in args.objects if o not in args.of_objects]
            args.of_objects = []
        for child in trigger.children:
            if child.dep_ in {"compound", "poss", "amod", "nmod"} and child.pos_ in {
                "PROPN",
                "NOUN",
            }:
                args.agents.append(child)
        # "the killing of six priests, including the rector, carried out by uniformed men":
        # the parser hangs the examples and the participle on the trigger or on its object
        for host in (trigger, *args.of_objects):
            for child in list(host.children):
                if child.dep_ == "prep" and child.lower_ == "including":
                    args.of_objects.extend(_pobj(child))
                elif (
                    child.dep_ == "acl"
                    and child.lemma_.lower() in LANG.light_verbs
                    # not "a wave of kidnappings carried out by ...": that sums incidents up
                    and trigger.tag_ not in {"NNS", "NNPS"}
                ):
                    args.agents.extend(
                        obj for c in child.children if c.dep_ == "agent" for obj in _pobj(c)
                    )
        head = trigger.head
        if trigger.dep_ in {"dobj", "attr"} and head.lemma_ in LANG.light_verbs:
            args.agents.extend(c for c in head.children if c.dep_ in {"nsubj", "agent"})
            _prep_args(head, args, nominal=False)
        if (
            trigger.dep_ == "pobj"
            and head.lower_ in LANG.undergo_preps
            and head.head.lemma_.lower() in LANG.undergo_verbs
        ):
            # "the embassy came under attack": the subject is what was hit
            args.patients.extend(c for c in head.head.children if c.dep_ == "nsubj")
        return args
    subjects = [c for c in trigger.children if c.dep_ in {"nsubj", "csubj"}]
    passive_subjects = [c for c in trigger.children if c.dep_ == "nsubjpass"]
    if not subjects and not passive_subjects:
        if trigger.dep_ == "conj":
            subjects = [c for c in trigger.head.children if c.dep_ == "nsubj"]
        elif trigger.dep_ == "relcl":
            subjects = [trigger.head]
        elif trigger.dep_ == "acl" and trigger.tag_ == "VBN":
            passive_subjects = [trigger.head]
    args.agents.extend(_partitive(s) for s in subjects)  # "thousands of protesters marched"
    for subject in subjects:
        if subject.lemma_.lower() in LANG.noun_triggers or any(
            c.dep_ in {"compound", "amod"} and c.lower_ in LANG.aircraft_words
            for c in subject.children
        ):
            # "a drone strike by the army killed eight civilians": who struck killed
            args.agents.extend(
                obj
                for prep in subject.children
                if prep.dep_ in {"prep", "agent"} and prep.lower_ == "by"
                for obj in _pobj(prep)
            )
    # "a total of 53 people were killed", "killed a group of six tourists"
    args.patients.extend(_partitive(s, numbers=False) for s in passive_subjects)
    for child in trigger.children:
        if child.dep_ in {"dobj", "obj"} and child is not phrase_object:
            args.patients.append(_partitive(child, numbers=False))
        elif child.dep_ == "prt":
            continue
    _prep_args(trigger, args, nominal=False)
    if phrase_object is not None:
        _prep_args(phrase_object, args, nominal=True)
    return args


def _candidate_for(tok: Token, cands: list[ActorCandidate]) -> ActorCandidate | None:
    for cand in cands:
        if cand.start <= tok.i < cand.end:
            return cand
    if _is_civilian(tok):
        return None  # "15 Dogon villagers": the villagers, whatever the word before them names
    left, right = tok.left_edge.i, tok.i + 1
    inside = [c for c in cands if left <= c.core_start and c.core_end <= right]
    return inside[-1] if inside else None


def _object_ref(tok: Token) -> ActorRef | None:
    """A physical target ("the presidential farm", "a bus") as the shortest complete NP."""
    if tok.pos_ not in {"NOUN", "PROPN"} or tok.lemma_.lower() in LANG.materiel_nouns:
        return None
    if tok.ent_type_ in {"GPE", "LOC", "DATE", "TIME", "CARDINAL", "NORP"}:
        return None
    start = _np_start(tok)
    text = _clean(tok.doc[start : tok.i + 1])
    return ActorRef(mentions=(text,), kind="object", name=text) if text else None


def _is_civilian(tok: Token) -> bool:
    return tok.lemma_.lower() in LANG.civilian_nouns


# -- materiel ----------------------------------------------------------------------------
def _weapon_span(ent: Span) -> tuple[int, int, int | None]:
    """Extend a weapon entity over its head noun ("rifles") and a demonym before it."""
    doc = ent.doc
    end = ent.end
    while (
        end < len(doc)
        and doc[end].pos_ in {"NOUN", "PROPN"}
        and (
            doc[end].lemma_.lower() in LANG.materiel_nouns
            or doc[end].lower_ in LANG.materiel_nouns
            or doc[end].lemma_.lower() in {"launcher", "round", "shell", "model", "pistol"}
        )
    ):
        end += 1
    demonym = ent.start - 1 if ent.start > 0 else None
    return ent.start, end, demonym


def in_a_name(span: Span) -> bool:
    """ "Government Girls Science and Technical Secondary School": a capitalised word in the
    middle of a name is part of the name, not the thing it also names ("a technical")."""
    doc = span.doc
    if not span.text[:1].isupper() or span.text.isupper() or span[0].is_sent_start:
        return False
    neighbours = [doc[i] for i in (span.start - 1, span.end) if 0 <= i < len(doc)]
    return any(
        t.is_title and t.pos_ == "PROPN" and t.ent_type_ != "NORP" and not t.is_sent_start
        for t in neighbours
    )


def materiel_lots(
    doc: Doc, region: Span, role: str, reference: ReferenceData, evidence: Evidence
) -> tuple[MaterielLot, ...]:
    lots: dict[str, MaterielLot] = {}
    for ent in doc.ents:
        if ent.label_ != WEAPON_LABEL or not (region.start <= ent.start < region.end):
            continue
        if in_a_name(ent):
            continue
        weapon = reference.weapons.get(ent.ent_id_) if ent.ent_id_ else None
        start, end, demonym_i = _weapon_span(ent)
        origin = None
        mentions = [_text(doc[start:end]), _text(ent)]
        if demonym_i is not None:
            demonym = doc[demonym_i]
            country = reference.country_of_demonym(demonym.text)
            if country:
                origin = country
                mentions.insert(0, _text(doc[demonym_i:end]))
        basis = "text" if origin else None
        if origin is None and weapon is not None and reference.maker_country(weapon):
            origin, basis = reference.maker_country(weapon), "model"
        quantity = None
        head = doc[end - 1]
        for child in head.children:
            # a number inside the model's name ("Type 56") is not a count of items
            if child.dep_ == "nummod" and not ent.start <= child.i < ent.end:
                quantity = number_value(child.text)
        key = weapon.id if weapon else fold(ent.text)
        if (
            weapon is not None
            and weapon.specificity == "generic"
            and any(lot.model_id and lot.model_id != weapon.id for lot in lots.values())
        ):
            continue
        lot = MaterielLot(
            mentions=tuple(dict.fromkeys(mentions)),
            model_id=weapon.id if weapon else None,
            name=weapon.name if weapon else _text(ent),
            category=weapon.category if weapon else None,
            origin=origin,
            origin_basis=basis,
            role=role,
            quantity=quantity,
            evidence=evidence,
        )
        if key in lots:
            previous = lots[key]
            lot = replace(previous, mentions=tuple(dict.fromkeys(previous.mentions + lot.mentions)))
        lots[key] = lot
    return tuple(lots.values())


# -- place -------------------------------------------------------------------------------
_DISTANCE = re.compile(
    r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>km|kms|kilometers|kilometres|miles|mi)\s+"
    r"(?P<bearing>(?:north|south|east|west|northeast|northwest|southeast|southwest|"
    r"north-east|north-west|south-east|south-west)\s+of)\s+(?P<name>.+)$",
    re.I,
)


_DISTANCE_UNITS = frozenset({"km", "kms", "kilometers", "kilometres", "miles"})


def _place_segments(doc: Doc, start: int, limit: int) -> list[PlaceSegment]:
    """Split "Gorom, near Dori, Burkina Faso" or "Gorom (Oudalan, Sahel)" into segments, most
    specific first."""
    segments: list[PlaceSegment] = []
    words: list[Token] = []
    relation: str | None = None
    bracket = False  # inside "Tanwalbougou (Fada N'Gourma, Gourma)": the places around it
    i = start

    def close() -> None:
        nonlocal words, relation
        if words:
            text = surface(doc, words[0].idx, words[-1].idx + len(words[-1].text))
            match = _DISTANCE.match(text)
            if match:
                km = float(match["n"]) * (1.609 if match["unit"].lower().startswith("mi") else 1)
                segments.append(PlaceSegment(match["name"], match["bearing"].lower(), km))
            else:
                segments.append(PlaceSegment(text, relation))
        words, relation = [], None

    while i < limit:
        tok = doc[i]
        low = tok.lower_
        two = f"{low} {doc[i + 1].lower_}" if i + 1 < limit else ""
        if tok.text == ",":
            close()
        elif words and not segments and low in LANG.road_nouns and _joined_towns(words):
            # "the Kaduna-Abuja highway": on the road out of the first town
            first = words[: [t.text for t in words].index("-")]
            words, relation = first, "near"
            close()
        elif tok.text == "(" and not bracket and len(segments) + bool(words) == 1:
            # the one place named so far, its containers in the bracket
            close()
            bracket = True
        elif tok.text == ")" and bracket:
            break
        elif words and not bracket and low == "near" and i + 1 < limit and _place_word(tok.nbor()):
            close()  # "the village of X near Djibo": X, then the town it is near
            relation = "near"
        elif not words and two in LANG.location_relations:
            relation = LANG.location_relations[two]
            i += 1
        elif not words and low in LANG.location_relations:
            relation = LANG.location_relations[low]
        elif not words and (low in {"the", "in"} or _bearing_word(tok, limit)):
            pass
        elif (
            not words
            and (tok.ent_type_ == "NORP" or tok.pos_ == "ADJ")
            and not _named_area(tok)
            and i + 1 < limit
            and doc[i + 1].lower_ in LANG.place_class_nouns
        ):
            pass  # "the Malian village of X", "a remote town of X"
        elif not words and (skip := _described_name(doc, i, limit)) is not None:
            i = skip  # "in predominantly-Christian Mozogo", "in the restive Tillaberi region"
            continue
        elif (
            not words
            and (low in LANG.place_class_nouns or low == "capital")
            and i + 2 < limit
            and (doc[i + 1].lower_ == "of" or (doc[i + 1].text == "," and low == "capital"))
        ):
            i += 1  # "the village of X", "the capital, X"
        elif (
            not words
            and (tok.like_num or low in LANG.partitive_quantifiers)
            and i + 3 < limit
            and tok.nbor().lemma_.lower() in LANG.place_class_nouns
            and tok.nbor(2).lower_ == "of"
        ):
            i += 2  # "several districts of X", "two villages of X"
        elif (
            (
                not words
                and tok.like_num
                and i + 2 < limit
                and doc[i + 1].lower_ in _DISTANCE_UNITS
            )
            or (words and words[0].like_num and tok.ent_type_ != ACTOR_LABEL and not tok.is_punct)
            or _place_word(tok)
        ):
            words.append(tok)
        else:
            break
        i += 1
    close()
    return segments


def _joined_towns(words: list[Token]) -> bool:
    """ "Kaduna-Abuja", "Monguno - Maiduguri": two names joined by a hyphen, a road's ends."""
    texts = [t.text for t in words]
    if "-" not in texts:
        return False
    cut = texts.index("-")
    return 0 < cut < len(texts) - 1 and texts[0][:1].isupper() and texts[cut + 1][:1].isupper()


def _described_name(doc: Doc, start: int, limit: int) -> int | None:
    """Where the name begins after words that describe the place ("predominantly-Christian",
    "mostly-Muslim", "restive", "remote"), or ``None`` when no name follows them."""
    i = start
    while i < limit and i - start < 4:
        tok = doc[i]
        if tok.text == "-" and i > start and doc[i - 1].pos_ == "ADV":
            i += 2  # "mostly-Muslim": the word after the hyphen describes too
        elif (tok.pos_ in {"ADV", "ADJ"} or tok.ent_type_ == "NORP") and not _place_word(tok):
            i += 1
        else:
            break
    if i == start or i >= limit or doc[i - 1].text == "-" or not _place_word(doc[i]):
        return None
    return i


def _bearing_word(tok: Token, limit: int) -> bool:
    """ "northern" in "in northern Mali" says where in Mali; "Far North Region" and "Eastern
    Region" are names, capitalised before another such word or a kind of area."""
    if tok.lower_ not in LANG.place_adjectives:
        return False
    if tok.is_lower or tok.i + 1 >= limit:
        return True
    nxt = tok.nbor().lower_
    return nxt not in LANG.place_adjectives and nxt not in LANG.place_class_nouns


def _place_word(tok: Token) -> bool:
    if tok.text in LANG.calendar_words:
        return False  # "in Bamako July 20"
    if _named_area(tok):
        return True
    if tok.ent_type_ in {ACTOR_LABEL, WEAPON_LABEL, "DATE", "TIME", "CARDINAL", "NORP"}:
        return False
    if tok.ent_type_ in {"GPE", "LOC", "FAC"}:
        return True
    if tok.pos_ == "PROPN" or (tok.is_title and not tok.is_sent_start):
        return True
    return tok.text in {"-", "'"} or (tok.is_upper and tok.is_alpha and len(tok) > 1)


def _named_area(tok: Token) -> bool:
    """ "the Tahoua region": a proper noun before a kind of area names it, whatever the
    entity recogniser took it for (a demonym there is an adjective: "the Malian region")."""
    nxt = tok.nbor() if tok.i + 1 < len(tok.doc) else None
    return (
        tok.tag_ == "NNP"
        and tok.ent_type_ not in {ACTOR_LABEL, WEAPON_LABEL}
        and nxt is not None
        and nxt.lower_ in LANG.place_class_nouns
    )


def _on_a_place(prep: Token) -> bool:
    """ "the attack on Ogossagou": an attack on a place the recogniser knows as one."""
    return prep.lower_ == "on" and any(
        c.dep_ == "pobj"
        and (
            c.ent_type_ in {"GPE", "LOC"}
            # "on the island of Barkaram", "the raid on the village of X"
            or (c.lower_ in LANG.place_class_nouns and any(g.lower_ == "of" for g in c.children))
        )
        for c in prep.children
    )


def _on_a_road(prep: Token) -> bool:
    """ "on the Kaduna-Abuja highway", "along the Monguno-Maiduguri road"."""
    return prep.lower_ in {"on", "along"} and any(
        c.dep_ == "pobj" and c.lower_ in LANG.road_nouns for c in prep.children
    )


def _of_the_source(prep: Token) -> bool:
    """ "according to officials in Maroua", "a police officer in Maroua told AFP": where the
    source sits, not where the event was."""
    owner = prep.head
    if owner.pos_ not in {"NOUN", "PROPN"}:
        return False
    if owner.dep_ == "pobj" and owner.head.lower_ == "to" and owner.head.head.lower_ == "according":
        return True
    return owner.dep_ == "nsubj" and owner.head.lemma_.lower() in LANG.speech_verbs


def _distance_from(prep: Token) -> bool:
    """ "30 km from Gourguin": a stated distance, the event near the place named."""
    doc = prep.doc
    return (
        prep.lower_ == "from"
        and prep.i >= 2
        and doc[prep.i - 2].like_num
        and doc[prep.i - 1].lower_ in _DISTANCE_UNITS
    )


def place_of(trigger: Token, sent: Span) -> PlaceRef | None:
    """The location phrase of an event: an "in/at/near X" phrase of its sentence.

    The town the verb struck comes first ("raided the village of X"), then phrases after the
    trigger (news says "attacked X in Y"), then those before it.
    """
    struck = _place_attacked(trigger, sent)
    if struck is not None:
        return struck
    clause = (
        {trigger.i}
        | {a.i for a in trigger.ancestors}
        | {t.i for t in trigger.subtree if t.pos_ in {"NOUN", "PROPN", "VERB"}}
        # "the embassy in Niamey came under attack": the subject that was hit
        | {
            c.i
            for a in trigger.ancestors
            if a.pos_ == "VERB" and a.lemma_.lower() not in LANG.speech_verbs
            for c in a.children
            if c.dep_ in {"nsubj", "nsubjpass"}
        }
    )
    # "occurred during prayers in the village of X": the object of a time phrase of the
    # clause carries its place on
    clause |= {
        obj.i
        for i in list(clause)
        for prep in sent.doc[i].children
        if prep.dep_ == "prep" and prep.lower_ in LANG.time_prepositions
        for obj in prep.children
        if obj.dep_ == "pobj"
    }
    preps = [
        t
        for t in sent
        if t.dep_ == "prep"
        and t.head.i in clause
        and (
            t.lower_ in {"in", "at", "near", "outside"}
            or _distance_from(t)
            or _on_a_place(t)
            or _on_a_road(t)
        )
        and not _of_the_source(t)
    ]
    ordered = [t for t in preps if t.i > trigger.i] + [
        t for t in reversed(preps) if t.i < trigger.i
    ]
    # "in Barranca, 200 km from Lima": the distance from a town only when nothing else says
    ordered = [t for t in ordered if not _distance_from(t)] + [
        t for t in ordered if _distance_from(t)
    ]
    for prep in ordered:
        first = prep.i + 1
        segments = _place_segments(sent.doc, first, sent.end)
        if (prep.lower_ in {"near", "outside"} or _distance_from(prep)) and segments:
            segments[0] = replace(segments[0], relation=segments[0].relation or "near")
        segments = [
            s for s in segments
            if s.name and s.name[0].isupper() and s.name.lower() not in LANG.macro_regions
        ]
        end = prep.i + 1
        while (
            end < sent.end
            and not sent.doc[end].is_punct
            and sent.doc[end].dep_ != "prep"
            and end - prep.i < 12
        ):
            end += 1
        owner = [t for t in sent.doc[prep.i : end] if t.tag_ == "POS"]
        if owner:
            # "in Chad's Lake region" names a part of the place before it; "in the Sahel's
            # security landscape" names no place of the event
            part = _place_segments(sent.doc, owner[0].i + 1, sent.end)
            part = [s for s in part if s.name and s.name[0].isupper()]
            named = sent.doc[first : owner[0].i]
            if not (part and segments and all(_place_word(t) or t.lower_ == "the" for t in named)):
                continue
            if named.text.lower().removeprefix("the ") in LANG.macro_regions:
                continue  # "West Africa's vast Sahel region": a part of a continent
            segments = part + segments
        if segments:
            return _written_place(segments)
    return _where_antecedent(trigger, sent)


def _place_attacked(trigger: Token, sent: Span) -> PlaceRef | None:
    """ "raided the village of X", "attacked the town of X": the place the verb struck is
    where. (A bare name struck may be a nation: "those who attack France".)"""
    if trigger.pos_ != "VERB":
        return None
    doc = sent.doc
    for obj in trigger.children:
        if obj.dep_ not in {"dobj", "obj"} or not (
            obj.lower_ in LANG.place_class_nouns or obj.lemma_.lower() in LANG.place_class_nouns
        ):
            continue
        names = [
            o
            for prep in obj.children
            if prep.dep_ == "prep" and prep.lower_ == "of"
            for o in prep.children
            if o.dep_ == "pobj" and _place_word(o)
        ]
        if not names:
            continue
        segments = [
            s
            for s in _place_segments(doc, names[0].left_edge.i, sent.end)
            if s.name and s.name[0].isupper()
        ]
        if segments:
            return _written_place(segments)
    return None


def _written_place(segments: list[PlaceSegment]) -> PlaceRef:
    """The place as the sentence writes it, most specific segment first, not yet resolved."""
    return PlaceRef(
        mentions=tuple(s.name for s in segments),
        name=segments[0].name,
        place_key=None,
        anchor_key=None,
        relation=segments[0].relation,
        country_code=None,
        precision=None,
        segments=tuple(segments),
    )


def _where_antecedent(trigger: Token, sent: Span) -> PlaceRef | None:
    """ "the Dosso region, where the attack took place": the place a relative clause on
    "where" hangs from, when the trigger sits inside that clause."""
    doc = sent.doc
    for clause in [trigger, *trigger.ancestors]:
        if clause.dep_ != "relcl":
            continue
        where = [c for c in clause.children if c.lower_ in LANG.place_relatives and c.i < clause.i]
        if not where:
            continue
        # the phrase just before "where" (the parser may hang the clause on an earlier noun:
        # "the governor of the Tahoua region where ...")
        head = doc[where[0].i - 1]
        if head.is_punct and head.i > sent.start:
            head = doc[head.i - 1]
        if head.i < sent.start or head.pos_ not in {"NOUN", "PROPN"}:
            return None
        segments = _place_segments(doc, head.left_edge.i, head.i + 1)
        segments = [s for s in segments if s.name and s.name[0].isupper()]
        return _written_place(segments) if segments else None
    return None


# -- date and fatalities -----------------------------------------------------------------
def _speech_date(ent: Span) -> bool:
    """ "the government said on Monday": the day of the statement, not of the event."""
    head = ent.root.head
    if head.dep_ == "prep":
        head = head.head
    return head.pos_ in {"VERB", "AUX"} and head.lemma_.lower() in LANG.speech_verbs


def _names_other_thing(ent: Span) -> bool:
    """"the April election", "the 2019 budget": a date that names something else, not when
    the sentence's event happened ("the 2019 attack" still dates an attack)."""
    root = ent.root
    return (
        root.dep_ in {"compound", "amod", "nmod"}
        and root.head.pos_ == "NOUN"
        and root.head.lemma_.lower() not in LANG.noun_triggers
        # "during yesterday afternoon prayers" still says when
        and root.lower_ not in LANG.relative_days
    )


def _with_day_number(ent: Span) -> Span:
    """ "27 October" the recogniser split into a number and a month: the day joins the date."""
    doc = ent.doc
    start, end = ent.start, ent.end
    if start > 0 and _day_number(doc[start - 1]):
        start -= 1
    if end < len(doc) and _day_number(doc[end]) and start == ent.start:
        end += 1
    return ent if (start, end) == (ent.start, ent.end) else doc[start:end]


def _day_number(tok: Token) -> bool:
    if not (tok.is_digit and len(tok.text) <= 2) or tok.ent_type_ == "DATE":
        return False
    return 1 <= int(tok.text) <= 31


def _weekday_told_before(
    ent: Span, resolved: ResolvedDate, reference: dt.date | None
) -> ResolvedDate | None:
    """ "unrest on Friday, July 10 ... Clashes broke out on Friday": a bare weekday is the day
    of that name the sentences just before gave in full, not the last one before the date
    line."""
    if any(t.like_num for t in ent) or not any(t.lower_ in WEEKDAYS for t in ent):
        return None
    doc = ent.doc
    start = ent.sent.start
    before = list(doc[:start].sents) if start else []  # type: ignore[attr-defined]
    for sent in before[-3:]:
        for earlier in sent.ents:
            if earlier.label_ != "DATE" or not any(t.like_num for t in earlier):
                continue
            given = parse_date(_with_day_number(earlier).text, reference)
            if (
                given is not None
                and given.precision == Precision.DAY
                and given.value.weekday() == resolved.value.weekday()
                and given.value < resolved.value
            ):
                return given
    return None


STATEMENT_DAYS = 2  # an incident reported on a day happened then or in the days before


def _with_weekday(ent: Span) -> Span:
    """ "Friday, January 8" where the recogniser took "January 8" alone."""
    doc, start = ent.doc, ent.start
    if start >= 1 and doc[start - 1].text == ",":
        start -= 1
    if start >= 1 and doc[start - 1].lower_ in WEEKDAYS:
        return doc[start - 1 : ent.end]
    return ent


def _years_named(doc: Doc) -> set[int]:
    """The years a page's dates name ("in October 2020"), for a day it gives without one."""
    return {
        int(t.text)
        for ent in doc.ents
        if ent.label_ == "DATE"
        for t in ent
        if t.is_digit and len(t.text) == 4 and 1900 <= int(t.text) <= 2100
    }


def _text_date(resolved: ResolvedDate, words: str) -> DateValue:
    """A date the text gives, as written."""
    return DateValue(
        resolved.value,
        resolved.earliest,
        resolved.latest,
        resolved.precision,
        DateOrigin.TEXT,
        words,
    )


def date_of(sent: Span, article: Article) -> DateValue | None:
    reference = article.reference_date
    ents = [e for e in sent.ents if e.label_ in {"DATE", "TIME"} and not _names_other_thing(e)]
    ents = [e for e in ents if not _speech_date(e)] + [e for e in ents if _speech_date(e)]
    for ent in ents:
        ent = _with_day_number(ent)
        resolved = parse_date(ent.text, reference)
        if resolved is None and reference is None:
            resolved = date_by_weekday(_with_weekday(ent).text, _years_named(sent.doc))
        if resolved is None or (reference and resolved.value > reference):
            continue
        resolved = _weekday_told_before(ent, resolved, reference) or resolved
        if _speech_date(ent):
            # "X reported on Sunday that they had been kidnapped": the day of the report
            # bounds the incident from above, as a date line does
            return DateValue(
                resolved.value,
                resolved.earliest - dt.timedelta(days=STATEMENT_DAYS),
                resolved.latest,
                Precision.WEEK,
                DateOrigin.TEXT,
                _text(ent),
                of_statement=True,
            )
        return _text_date(resolved, _text(ent))
    seen = [(e.start_char, e.end_char) for e in sent.ents if e.label_ in {"DATE", "TIME"}]
    for offset, words, resolved in written_days(sent.text):
        start, end = sent.start_char + offset, sent.start_char + offset + len(words)
        if any(a < end and start < b for a, b in seen) or (
            reference and resolved.value > reference
        ):
            continue  # the recogniser's dates were read above
        return _text_date(resolved, surface(sent.doc, start, end))
    if article.dateline_date is not None:
        day = article.dateline_date
        return DateValue(day, None, day, None, DateOrigin.DATELINE, None)
    if article.published is not None:
        day = article.published
        return DateValue(day, None, day, None, DateOrigin.PUBLICATION, None)
    return None


def _count_of(tok: Token) -> int | None:
    """The number a noun phrase counts: "10 soldiers" -> 10, "18" -> 18."""
    if tok.like_num:
        return number_value(tok.text)
    for sub in tok.children:
        if sub.dep_ == "nummod":
            return number_value(sub.text)
    return None


def _killed_count(tok: Token) -> int | None:
    """All the people a killing counts: "10 soldiers and 18 attackers" -> 28."""
    counts = [c for c in (_count_of(t) for t in [tok, *tok.conjuncts]) if c is not None]
    return sum(counts) if counts else None


def _tolls(sent: Span) -> Iterator[tuple[Token | None, int | None]]:
    """Each statement of the dead in a sentence: the noun that counts them (``None`` for "a
    toll of 41" or "12 dead") and their number."""
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in LANG.fatality_verbs and tok.pos_ == "VERB":
            counted = [
                (child, _killed_count(child))
                for child in tok.children
                if child.dep_ in {"dobj", "nsubjpass", "nsubj"}
                and (child.dep_ != "nsubj" or lemma == "die")
            ]
            yield from counted
            if all(count is None for _, count in counted) and tok.dep_ in {
                "xcomp", "oprd", "ccomp"
            }:
                # "48 fighters were reported killed"
                for child in tok.head.children:
                    if child.dep_ in {"nsubjpass", "nsubj"}:
                        yield child, _killed_count(child)
        elif lemma in LANG.leave_dead_verbs and tok.pos_ == "VERB":
            # "the attack left at least 11 soldiers dead", "leaving 30 people dead"
            near = [*tok.children, *(g for c in tok.children for g in c.children)]
            if any(t.lower_ in LANG.dead_words for t in near):
                for child in tok.children:
                    if child.dep_ in {"dobj", "obj"}:
                        yield child, _killed_count(child)
        elif tok.pos_ == "VERB" and lemma not in LANG.hedge_verbs and any(
            c.dep_ in {"acomp", "oprd", "xcomp"} and c.lower_ in LANG.dead_words
            for c in tok.children
        ):
            # "five people have been confirmed dead", "12 bodies were found dead"
            for child in tok.children:
                if child.dep_ in {"nsubjpass", "nsubj"}:
                    yield child, _killed_count(child)
        elif lemma in LANG.lose_life_verbs and tok.pos_ == "VERB":
            if any(c.dep_ == "dobj" and c.lemma_.lower() in LANG.life_nouns for c in tok.children):
                for child in tok.children:
                    if child.dep_ == "nsubj":
                        yield child, _killed_count(child)
        elif lemma in LANG.fatality_nouns:
            for child in tok.children:
                if child.dep_ == "nummod":
                    yield None, number_value(child.text)
                elif child.dep_ == "prep" and child.lower_ == "of" and lemma == "death":
                    # "the deaths of 40 soldiers"
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            yield obj, _killed_count(obj)
        elif lemma == "toll":
            # "the toll rose to 41", "a toll of 41"
            for prep in [c for c in tok.children if c.dep_ == "prep"] + [
                c for c in tok.head.children if c.dep_ == "prep" and c.lower_ == "to"
            ]:
                for obj in prep.children:
                    if obj.dep_ == "pobj" and obj.like_num:
                        yield None, number_value(obj.text)


def fatalities_in(sent: Span) -> int | None:
    """The highest toll the sentence states (a toll that rose is given last and highest)."""
    counts = [count for _, count in _tolls(sent) if count is not None and count < 100_000]
    return max(counts, default=None)


def the_dead(sent: Span) -> list[Token]:
    """The nouns a sentence counts among the dead ("11 soldiers died", "killing 30 people")."""
    return [tok for tok, count in _tolls(sent) if tok is not None and count is not None]


# -- triggers ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Trigger:
    token: Token
    family: str
    phrase_object: Token | None = None


def _protest_aim(verb: Token) -> bool:
    """People who act "to protest", "to demand", "to denounce" something: a protest, whatever
    they did ("women marched to demand the release of ...", "traders shut their shops to
    protest power cuts")."""
    people = any(
        c.dep_ == "nsubj"
        and (
            c.lemma_.lower() in {"hundred", "thousand", "dozen"}
            or _partitive(c).lemma_.lower()
            in LANG.protester_nouns | LANG.crowd_nouns | LANG.mob_nouns | LANG.civilian_nouns
        )
        for c in verb.children
    )
    return people and any(
        c.dep_ in {"advcl", "xcomp"}
        and c.lemma_.lower() in LANG.protest_aims
        and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        for c in verb.children
    )


def find_triggers(sent: Span) -> Iterator[Trigger]:
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.pos_ == "VERB":
            for child in tok.children:
                if (
                    child.dep_ in {"dobj", "obj"}
                    and (lemma, child.lemma_.lower()) in LANG.phrase_triggers
                ):
                    yield Trigger(tok, LANG.phrase_triggers[(lemma, child.lemma_.lower())], child)
                    break
            else:
                if lemma in LANG.protest_verbs and any(
                    c.dep_ in {"nsubj", "nsubjpass"}
                    and _partitive(c).lemma_.lower()
                    in LANG.protester_nouns | {"thousand", "hundred"}
                    for c in tok.children
                ):
                    yield Trigger(tok, "protest")  # "thousands of protesters marched"
                    continue
                if lemma not in LANG.verb_triggers and _protest_aim(tok):
                    yield Trigger(tok, "protest")  # "traders shut their shops to protest ..."
                    continue
                if lemma in LANG.verb_triggers and tok.dep_ != "amod":
                    if lemma == "blow" and not any(c.lower_ == "up" for c in tok.children):
                        continue
                    yield Trigger(tok, LANG.verb_triggers[lemma])
        elif tok.pos_ in {"NOUN", "PROPN"} and lemma in LANG.noun_triggers:
            if tok.ent_type_ in {ACTOR_LABEL, WEAPON_LABEL, "DATE", "TIME"}:
                continue  # an actor's or a weapon's name; "last March"
            if tok.dep_ in {"compound", "amod", "nmod"} and tok.head.pos_ in {"NOUN", "PROPN"}:
                continue  # "assault rifles", "attack helicopter"
            yield Trigger(tok, LANG.noun_triggers[lemma])


def irrealis(trigger: Token) -> str | None:
    """Why a trigger does not report a real, specific event, or ``None`` when it does."""
    if trigger.dep_ == "conj" and (shared := irrealis(trigger.head)):
        return shared  # "could neither attack nor arrest them"
    for child in trigger.children:
        if child.dep_ == "neg" or (
            child.dep_ == "preconj" and child.lower_ in LANG.negative_preconj
        ):
            return "negated"
        if child.dep_ in {"aux", "auxpass"} and child.lower_ in LANG.irrealis_aux:
            return f"modal '{child.text}'"
        if child.dep_ == "aux" and child.lower_ == "to":
            return "infinitive (purpose or plan)"
        if child.dep_ in {"amod", "det"} and child.lower_ in LANG.irrealis_modifiers:
            return f"non-specific ('{child.text}')"
        if child.dep_ == "mark" and child.lower_ in LANG.conditional_marks:
            return f"conditional ('{child.text}')"  # "if its citizens were attacked"
    head = trigger.head
    if trigger.dep_ == "relcl" and head.lower_ in LANG.generic_subjects:
        return f"hypothetical ('{head.text}')"  # "anyone who attacks ..."
    if any(c.dep_ == "nsubj" and c.lower_ in LANG.generic_subjects for c in trigger.children):
        return "hypothetical (generic subject)"
    if head.lemma_.lower() in LANG.irrealis_heads:
        return f"under '{head.text}'"
    frame = head.head
    if head.dep_ == "prep" and head.lower_ == "of" and frame.lemma_ in LANG.hypothetical_frames:
        return f"hypothetical ('in the {frame.text} of')"  # "in the event of an attack"
    return None


def is_anaphoric(trigger: Token) -> bool:
    return trigger.pos_ in {"NOUN", "PROPN"} and any(
        c.dep_ in {"det", "poss"} and c.lower_ in LANG.anaphoric_determiners
        for c in trigger.children
    )
