"""Role fillers by a trained classifier over noun phrases of the parse.

Every noun phrase of an article is a candidate; a multinomial logistic regression over
lexical and syntactic features decides whether it is a perpetrator (named organisation or
unnamed individuals), a physical target, a named victim, unnamed people harmed, a weapon,
or none of these. The features are what conflict reporting is written with: the phrase's
head and words, its grammatical relation to the verb or noun that governs it ("kidnapped
by <X>", "<X> were killed", "attack on <X>"), the event words of its sentence, and where it
stands in the article. They are read from the truecased parse, so capitals are not needed.

The weights (``kg/models/fillers.npz``) are trained on MUC-4 train by
``training/train_fillers.py``; features are hashed, so the file holds no vocabulary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from murmurhash.mrmr import hash as murmur
from spacy.tokens import Doc, Span, Token

from kg.lang import language
from kg.nlp.pipeline import ACTOR_LABEL, WEAPON_LABEL

LANG = language()  # the words and patterns of the language the pipeline reads

LABELS = ("NONE", "PERP_IND", "PERP_ORG", "TARGET", "VICTIM", "HUMAN", "WEAPON")
N_FEATURES = 1 << 20
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "fillers.npz"

_TRIGGER_LEMMAS = {**LANG.noun_triggers, **LANG.verb_triggers}
_LEFT_DROP = {"det", "predet", "poss", "nummod", "quantmod", "case", "punct", "cc", "preconj"}
_LEFT_DROP_WORDS = {
    "some",
    "several",
    "other",
    "another",
    "many",
    "various",
    "few",
    "both",
    "all",
    "most",
    "numerous",
    "more",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "dozens",
    "hundreds",
    "about",
    "at",
    "least",
    "approximately",
    "nearly",
    "almost",
    "over",
}


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    head: int
    variant: str = "np"


TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "general",
    "col",
    "colonel",
    "lt",
    "maj",
    "major",
    "capt",
    "captain",
    "sgt",
    "msgr",
    "monsignor",
    "father",
    "fr",
    "president",
    "mayor",
    "minister",
    "senator",
    "deputy",
    "judge",
    "governor",
    "bishop",
    "archbishop",
    "commander",
    "chief",
    "journalist",
    "engineer",
    "attorney",
    "lawyer",
    "professor",
    "rev",
    "reverend",
    "sister",
    "brother",
    "don",
    "dona",
    "doctor",
    "leader",
}


def _trim(doc: Doc, start: int, end: int, head: int) -> tuple[int, int]:
    while start < head and (
        doc[start].dep_ in _LEFT_DROP
        or doc[start].lower_ in _LEFT_DROP_WORDS
        or doc[start].is_punct
        or doc[start].like_num
    ):
        start += 1
    while end - 1 > head and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def candidates(doc: Doc) -> list[Candidate]:
    """Noun phrases at several lengths: the phrase, its "of" phrase, its name, its head.

    The coding conventions want the shortest complete noun phrase, which is sometimes the
    whole phrase ("the Las Canas bridge"), sometimes only a name in it ("Colonel Luis Arturo
    Isaacs" -> "Luis Arturo Isaacs") and sometimes the head ("a fuel truck" -> "truck"); the
    classifier sees every variant and the surest one wins.
    """
    seen: set[tuple[int, int]] = set()
    out: list[Candidate] = []

    def add(start: int, end: int, head: int, variant: str) -> None:
        start, end = _trim(doc, start, end, head)
        if end <= start or (start, end) in seen:
            return
        if not any(t.is_alpha for t in doc[start:end]):
            return
        seen.add((start, end))
        out.append(Candidate(start, end, head, variant))

    def variants(start: int, end: int, root: Token) -> None:
        add(start, end, root.i, "np")
        # the compound nouns before the head, without adjectives: "fuel truck"
        left = root.i
        while left > start and doc[left - 1].dep_ == "compound":
            left -= 1
        add(left, root.i + 1, root.i, "compound")
        add(root.i, root.i + 1, root.i, "head")
        # the run of proper nouns around the head, without titles: "Luis Arturo Isaacs"
        if root.pos_ == "PROPN":
            a = b = root.i
            while a > start and doc[a - 1].pos_ == "PROPN" and doc[a - 1].lower_ not in TITLES:
                a -= 1
            while b + 1 < end and doc[b + 1].pos_ == "PROPN":
                b += 1
            while a < b and doc[a].lower_.rstrip(".") in TITLES:
                a += 1
            add(a, b + 1, root.i, "name")

    chunks = list(doc.noun_chunks) if doc.has_annotation("DEP") else []
    for chunk in chunks:
        root = chunk.root
        variants(chunk.start, chunk.end, root)
        # "members of the FMLN", "offices of the mayor": the head noun and its "of" phrase
        for prep in root.rights:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                objs = [c for c in prep.children if c.dep_ == "pobj"]
                if objs and objs[0].right_edge.i - chunk.start < 12:
                    add(chunk.start, objs[0].right_edge.i + 1, root.i, "of")
        # "a terrorist attack", "guerrilla sabotage": a noun modifier can be a participant
        for tok in chunk:
            if (
                tok.i != root.i
                and tok.dep_ in {"compound", "amod", "nmod"}
                and tok.pos_ in {"NOUN", "PROPN"}
            ):
                add(tok.i, tok.i + 1, tok.i, "modifier")
    for ent in doc.ents:
        if ent.label_ in {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}:
            continue
        variants(ent.start, ent.end, ent.root)
    return sorted(out, key=lambda c: (c.start, c.end))


def _governor(tok: Token) -> tuple[str, Token | None, str]:
    """The relation of a phrase head to what governs it, climbing over conjuncts/appositions."""
    steps = 0
    while tok.dep_ in {"conj", "appos", "compound"} and tok.head is not tok and steps < 4:
        tok = tok.head
        steps += 1
    dep = tok.dep_
    if dep == "pobj" and tok.head.dep_ in {"prep", "agent"}:
        prep = tok.head
        return f"{dep}:{prep.lower_}", prep.head, prep.lower_
    return dep, tok.head if tok.head is not tok else None, ""


def features(doc: Doc, cand: Candidate, context: dict[str, object]) -> list[str]:
    """The candidate's features: those of its words and surroundings, and those of its head
    (its governor, sentence and article), worked out once per head and kept in ``context``:
    the variants of a phrase share their head."""
    head = doc[cand.head]
    span = doc[cand.start : cand.end]
    heads: dict[int, tuple[str, list[str]]] = context.setdefault("head_features", {})  # type: ignore[assignment]
    known = heads.get(cand.head)
    if known is None:
        known = heads[cand.head] = _head_features(doc, head, context)
    lemma, feats = known[0], list(known[1])
    feats += [
        f"len={min(len(span), 6)}",
        f"var={cand.variant}",
        f"var_h={cand.variant}|{lemma}",
        f"var_len={cand.variant}|{min(len(span), 4)}",
    ]
    key = " ".join(t.lower_ for t in span)
    occurrences = context["texts"][key]  # type: ignore[index]
    feats.append(f"occ={min(occurrences, 4)}")
    feats.append(f"first={min(context['first'].get(key, 0), 6)}")  # type: ignore[attr-defined]
    feats.extend(f"w={t.lower_}" for t in span if not t.is_punct)
    feats.extend(f"wm={t.lower_}" for t in span if t.i != head.i and not t.is_punct)
    if any(t.ent_type_ == ACTOR_LABEL for t in span):
        feats.append("ruler=actor")
    if any(t.ent_type_ == WEAPON_LABEL for t in span):
        feats.append("ruler=weapon")
    if all(t.pos_ == "PROPN" or not t.is_alpha for t in span):
        feats.append("allpropn")
    for offset, name in ((-1, "l1"), (-2, "l2")):
        i = cand.start + offset
        feats.append(f"{name}={doc[i].lower_ if i >= 0 else '<s>'}")
    for offset, name in ((0, "r1"), (1, "r2")):
        i = cand.end + offset
        feats.append(f"{name}={doc[i].lower_ if i < len(doc) else '</s>'}")
    return feats


def _head_features(doc: Doc, head: Token, context: dict[str, object]) -> tuple[str, list[str]]:
    """The features a candidate owes to its head alone, and the head's lemma."""
    lemma = head.lemma_.lower()
    feats = [
        f"h={lemma}",
        f"hs={head.lower_[-3:]}",
        f"pos={head.pos_}",
        f"tag={head.tag_}",
    ]
    ent = head.ent_type_ or "-"
    feats.append(f"ent={ent}")
    feats.append(f"ent_h={ent}|{lemma}")
    for name, words in (
        ("armed", LANG.armed_nouns),
        ("civ", LANG.civilian_nouns),
        ("mat", LANG.materiel_nouns),
        ("place", LANG.place_class_nouns),
    ):
        if lemma in words:
            feats.append(f"lex={name}")
    if head.tag_ in {"NNS", "NNPS"}:
        feats.append("plural")
    dep, gov, prep = _governor(head)
    feats.append(f"dep={dep}")
    if gov is not None:
        glemma = gov.lemma_.lower()
        family = _TRIGGER_LEMMAS.get(glemma, "-")
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in gov.children)
        feats += [
            f"gov={dep}|{glemma}",
            f"govfam={dep}|{family}",
            f"govpos={dep}|{gov.pos_}",
            f"govpass={dep}|{passive}|{family}",
            f"govh={glemma}|{lemma}",
        ]
        if prep:
            feats.append(f"prepfam={prep}|{family}")
        gg = gov.head if gov.head is not gov else None
        if gg is not None:
            feats.append(f"gg={gov.dep_}|{gg.lemma_.lower()}")
            feats.append(f"ggfam={gov.dep_}|{_TRIGGER_LEMMAS.get(gg.lemma_.lower(), '-')}")
    sent_index = context["sent_of"][head.i]  # type: ignore[index]
    families = context["families"][sent_index]  # type: ignore[index]
    feats.extend(f"sfam={f}" for f in families)
    feats.extend(f"sfam_h={f}|{lemma}" for f in families)
    feats.extend(f"sfam_dep={f}|{dep}" for f in families)
    if not families:
        feats.append("sfam=none")
        feats.append(f"sfam_h=none|{lemma}")
    # the verbs above the phrase up to its clause's root: "were <killed> when <gunmen> ..."
    up = head.head
    for _ in range(4):
        if up.pos_ == "VERB":
            feats.append(f"vup={up.lemma_.lower()}")
            feats.append(f"vupfam={_TRIGGER_LEMMAS.get(up.lemma_.lower(), '-')}|{dep}")
        if up.head is up:
            break
        up = up.head
    # what the sentence does: a report of a real incident, a hedge (denial, threat, plan,
    # negation), a statement someone makes, a claim of responsibility or an accusation
    for mood in context["moods"][sent_index]:  # type: ignore[index]
        feats.append(f"mood={mood}")
        feats.append(f"mood_dep={mood}|{dep}")
    if gov is not None and dep in {"nsubj", "nsubjpass"} and gov.lemma_.lower() in _SPEECH:
        feats.append("speaker")
    feats.append(f"sent={min(sent_index, 8)}")
    count = context["head_counts"][lemma]  # type: ignore[index]
    feats.append(f"count={min(count, 5)}")
    feats.append(f"count_h={min(count, 3)}|{lemma}")
    if context.get("relevance") is not None:
        feats.append(f"rel={int(float(context['relevance']) * 4)}")  # type: ignore[arg-type]
    return lemma, feats


_SPEECH = {"say", "state", "report", "announce", "add", "declare", "tell", "indicate", "note"}
_RESPONSIBILITY = {"responsibility", "responsible", "blame", "accuse", "attribute", "claim"}
_HEDGE = LANG.hedge_verbs | {"reject"}


def _moods(sent: Span) -> frozenset[str]:
    lemmas = {t.lemma_.lower() for t in sent}
    moods = set()
    if any(t.dep_ == "neg" for t in sent) or lemmas & _HEDGE:
        moods.add("hedge")
    if any(t.dep_ in {"aux", "auxpass"} and t.lower_ in LANG.irrealis_aux for t in sent):
        moods.add("modal")
    if lemmas & _SPEECH:
        moods.add("speech")
    if lemmas & _RESPONSIBILITY:
        moods.add("blame")
    return frozenset(moods)


def doc_context(doc: Doc) -> dict[str, object]:
    sents = list(doc.sents)
    texts: Counter[str] = Counter()
    first: dict[str, int] = {}
    cands = candidates(doc)
    sent_of = [0] * len(doc)
    families: list[frozenset[str]] = []
    moods: list[frozenset[str]] = []
    for number, sent in enumerate(sents):
        sent_of[sent.start : sent.end] = [number] * (sent.end - sent.start)
        moods.append(_moods(sent))
        families.append(
            frozenset(
                _TRIGGER_LEMMAS[t.lemma_.lower()]
                for t in sent
                if t.lemma_.lower() in _TRIGGER_LEMMAS
            )
        )
    for cand in cands:
        key = " ".join(t.lower_ for t in doc[cand.start : cand.end])
        texts[key] += 1
        first.setdefault(key, sent_of[cand.start])
    return {
        "sent_of": sent_of,
        "moods": moods,
        "families": families,
        "head_counts": Counter(t.lemma_.lower() for t in doc if t.pos_ in {"NOUN", "PROPN"}),
        "texts": texts,
        "first": first,
        "candidates": cands,
    }


def hashed(feats: list[str]) -> np.ndarray:
    return np.fromiter(
        ((murmur(f) & 0xFFFFFFFF) % N_FEATURES for f in feats), dtype=np.int64, count=len(feats)
    )


def averaged_sgd(
    rows: list[np.ndarray],
    n_labels: int,
    gradient: Callable[[np.ndarray, int], np.ndarray],
    *,
    epochs: int,
    rate: float,
    seed: int = 0,
    l2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Averaged SGD of a linear model over rows of hashed feature indices; the weights and
    bias averaged over every step. ``gradient(logits, example)`` is the loss's gradient with
    respect to the logits of one example. Deterministic for a given ``seed``."""
    weights = np.zeros((N_FEATURES, n_labels), dtype=np.float32)
    bias = np.zeros(n_labels, dtype=np.float32)
    total_w = np.zeros_like(weights)
    total_b = np.zeros_like(bias)
    stamp = np.zeros(N_FEATURES, dtype=np.int64)  # lazy averaging
    rng = np.random.default_rng(seed)
    order = np.arange(len(rows))
    step = 0
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            idx = np.unique(rows[index])
            grad = gradient(weights[idx].sum(axis=0) + bias, int(index))
            step += 1
            # bring the averages of the touched rows up to date before they change
            total_w[idx] += weights[idx] * (step - stamp[idx])[:, None]
            stamp[idx] = step
            update = grad[None, :] + l2 * weights[idx] if l2 else grad[None, :]
            weights[idx] -= rate * update
            total_b += bias
            bias -= rate * grad
    total_w += weights * (step + 1 - stamp)[:, None]
    total_b += bias
    return total_w / (step + 1), total_b / (step + 1)


class FillerModel:
    """Multinomial logistic regression over hashed features."""

    def __init__(
        self, weights: np.ndarray, bias: np.ndarray, thresholds: dict[str, float] | None = None
    ) -> None:
        self.weights = weights
        self.bias = bias
        self.thresholds = thresholds or {}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> FillerModel:
        data = np.load(path, allow_pickle=False)
        labels = [str(x) for x in data["labels"]]
        if tuple(labels) != LABELS:
            raise ValueError(f"{path}: unexpected labels {labels}")
        thresholds = dict(zip(labels, (float(x) for x in data["thresholds"]), strict=True))
        return cls(data["weights"].astype(np.float32), data["bias"].astype(np.float32), thresholds)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            labels=np.array(LABELS),
            thresholds=np.array([self.thresholds.get(label, 0.5) for label in LABELS]),
        )

    def probabilities(self, rows: list[np.ndarray]) -> np.ndarray:
        if not rows:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        scores = np.stack([self.weights[r].sum(axis=0) for r in rows]) + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


@cache
def load_filler_model() -> FillerModel | None:
    return FillerModel.load() if MODEL_PATH.is_file() else None


@dataclass(frozen=True, slots=True)
class Filler:
    label: str
    start: int
    end: int
    score: float


def candidate_key(doc: Doc, cand: Candidate) -> str:
    """The phrase as the scorer compares it: lower case, no punctuation, no articles."""
    words = [t.lower_ for t in doc[cand.start : cand.end] if not t.is_punct and not t.is_space]
    return " ".join(w for w in words if w not in {"a", "an", "the"})


def grouped_features(
    doc: Doc, context: dict[str, object]
) -> dict[str, tuple[list[Candidate], list[str]]]:
    """One example per distinct phrase of the article: the union of its occurrences' features.

    Whether a phrase fills a role is decided once per article, from everything the article
    says around every mention of it ("the guerrillas" of a denial and of the attack itself).
    """
    groups: dict[str, tuple[list[Candidate], set[str]]] = {}
    for cand in context["candidates"]:  # type: ignore[attr-defined]
        key = candidate_key(doc, cand)
        if not key:
            continue
        occurrences, feats = groups.setdefault(key, ([], set()))
        occurrences.append(cand)
        feats.update(features(doc, cand, context))
    return {k: (occ, sorted(f)) for k, (occ, f) in groups.items()}


def predict_fillers(
    doc: Doc, model: FillerModel, relevance: float | None = None
) -> Iterator[Filler]:
    """Role fillers of a Doc, overlapping candidates resolved in favour of the surer one."""
    context = doc_context(doc)
    context["relevance"] = relevance
    groups = grouped_features(doc, context)
    keys = list(groups)
    probs = model.probabilities([hashed(groups[k][1]) for k in keys])
    chosen: list[Filler] = []
    for key, row in zip(keys, probs, strict=True):
        best = int(row[1:].argmax()) + 1
        label = LABELS[best]
        if row[best] >= model.thresholds.get(label, 0.5):
            chosen.extend(Filler(label, c.start, c.end, float(row[best])) for c in groups[key][0])
    chosen.sort(key=lambda f: (-f.score, f.start))
    taken: list[Filler] = []
    for filler in chosen:
        if all(filler.end <= t.start or filler.start >= t.end for t in taken):
            taken.append(filler)
    yield from sorted(taken, key=lambda f: f.start)


def filler_spans(doc: Doc, model: FillerModel, relevance: float | None = None) -> list[Span]:
    return [
        Span(doc, f.start, f.end, label=f.label) for f in predict_fillers(doc, model, relevance)
    ]


def with_quantity(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The filler with the numbers and quantifiers before it ("45 soldiers" for "soldiers"):
    reports and codings differ on whether the count is part of the name."""
    begin = start
    while begin > 0 and (
        doc[begin - 1].like_num
        or doc[begin - 1].dep_ in {"nummod", "quantmod"}
        or doc[begin - 1].lower_ in _LEFT_DROP_WORDS - {"at", "over", "all"}
    ):
        begin -= 1
    return (begin, end) if begin < start else None
