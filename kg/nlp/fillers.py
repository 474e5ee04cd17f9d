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
from itertools import accumulate
from pathlib import Path

import numpy as np
from murmurhash.mrmr import hash as murmur
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    HEAD,
    IS_ALPHA,
    IS_PUNCT,
    IS_SPACE,
    IS_STOP,
    LEMMA,
    LIKE_NUM,
    LOWER,
    POS,
    TAG,
)
from spacy.tokens import Doc, Span

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


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A Doc's token attributes as plain lists, read once per Doc.

    Everything here reads them many times per token (every variant of every phrase, every
    head's governor and sentence), and each ``doc[i].dep_`` makes a new Token object: read
    through Tokens, the role component cost some 2 s of MUC-4 dev's 200 articles. The flags
    are 0 or 1, as ``Doc.to_array`` gives them.
    """

    lower: list[str]
    lemma: list[str]  # lower case
    pos: list[str]
    tag: list[str]
    dep: list[str]
    ent: list[str]  # the entity type, "" outside entities
    head: list[int]  # the root is its own head
    punct: list[int]
    alpha: list[int]
    space: list[int]
    num: list[int]  # like a number
    stop: list[int]  # a stop word
    passive: frozenset[int]  # tokens with an auxpass or nsubjpass child


_TABLE = (
    LOWER,
    LEMMA,
    POS,
    TAG,
    DEP,
    ENT_TYPE,
    HEAD,
    IS_PUNCT,
    IS_ALPHA,
    IS_SPACE,
    LIKE_NUM,
    IS_STOP,
)


def token_table(doc: Doc) -> _Tokens:
    """The token attributes of ``doc`` (shared by the role filler and the doc classifier)."""
    strings = doc.vocab.strings
    array = doc.to_array(list(_TABLE))  # uint64; a head is an offset, wrapped if negative
    columns = array.T.tolist()

    def text(column: list[int], fold: bool = False) -> list[str]:
        names = {key: strings[key] for key in set(column)}
        if fold:
            names = {key: name.lower() for key, name in names.items()}
        return list(map(names.__getitem__, column))

    lower, pos, tag, dep, ent = (text(columns[k]) for k in (0, 2, 3, 4, 5))
    head = (np.arange(len(doc), dtype=np.int64) + array[:, 6].astype(np.int64)).tolist()
    passive = frozenset(
        h
        for i, (h, d) in enumerate(zip(head, dep, strict=True))
        if (d == "auxpass" or d == "nsubjpass") and h != i
    )
    punct, alpha, space, num, stop = columns[7:12]
    return _Tokens(
        lower,
        text(columns[1], fold=True),
        pos,
        tag,
        dep,
        ent,
        head,
        punct,
        alpha,
        space,
        num,
        stop,
        passive,
    )


def _context_tokens(doc: Doc, context: dict[str, object]) -> _Tokens:
    tokens = context.get("tokens")
    if not isinstance(tokens, _Tokens):
        tokens = context["tokens"] = token_table(doc)
    return tokens


def _trim(tokens: _Tokens, start: int, end: int, head: int) -> tuple[int, int]:
    dep, lower, punct, num, space = tokens.dep, tokens.lower, tokens.punct, tokens.num, tokens.space
    while start < head and (
        dep[start] in _LEFT_DROP or lower[start] in _LEFT_DROP_WORDS or punct[start] or num[start]
    ):
        start += 1
    while end - 1 > head and (punct[end - 1] or space[end - 1]):
        end -= 1
    return start, end


def candidates(doc: Doc, tokens: _Tokens | None = None) -> list[Candidate]:
    """Noun phrases at several lengths: the phrase, its "of" phrase, its name, its head.

    The coding conventions want the shortest complete noun phrase, which is sometimes the
    whole phrase ("the Las Canas bridge"), sometimes only a name in it ("Colonel Luis Arturo
    Isaacs" -> "Luis Arturo Isaacs") and sometimes the head ("a fuel truck" -> "truck"); the
    classifier sees every variant and the surest one wins.
    """
    if tokens is None:
        tokens = token_table(doc)
    lower, pos, dep, alpha = tokens.lower, tokens.pos, tokens.dep, tokens.alpha
    seen: set[tuple[int, int]] = set()
    out: list[Candidate] = []

    def add(start: int, end: int, head: int, variant: str) -> None:
        start, end = _trim(tokens, start, end, head)
        if end <= start or (start, end) in seen:
            return
        if not any(alpha[start:end]):
            return
        seen.add((start, end))
        out.append(Candidate(start, end, head, variant))

    def variants(start: int, end: int, root: int) -> None:
        add(start, end, root, "np")
        # the compound nouns before the head, without adjectives: "fuel truck"
        left = root
        while left > start and dep[left - 1] == "compound":
            left -= 1
        add(left, root + 1, root, "compound")
        add(root, root + 1, root, "head")
        # the run of proper nouns around the head, without titles: "Luis Arturo Isaacs"
        if pos[root] == "PROPN":
            a = b = root
            while a > start and pos[a - 1] == "PROPN" and lower[a - 1] not in TITLES:
                a -= 1
            while b + 1 < end and pos[b + 1] == "PROPN":
                b += 1
            while a < b and lower[a].rstrip(".") in TITLES:
                a += 1
            add(a, b + 1, root, "name")

    chunks = list(doc.noun_chunks) if doc.has_annotation("DEP") else []
    for chunk in chunks:
        root = chunk.root
        variants(chunk.start, chunk.end, root.i)
        # "members of the FMLN", "offices of the mayor": the head noun and its "of" phrase
        for prep in root.rights:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                objs = [c for c in prep.children if c.dep_ == "pobj"]
                if objs and objs[0].right_edge.i - chunk.start < 12:
                    add(chunk.start, objs[0].right_edge.i + 1, root.i, "of")
        # "a terrorist attack", "guerrilla sabotage": a noun modifier can be a participant
        for i in range(chunk.start, chunk.end):
            if (
                i != root.i
                and dep[i] in {"compound", "amod", "nmod"}
                and pos[i] in {"NOUN", "PROPN"}
            ):
                add(i, i + 1, i, "modifier")
    for ent in doc.ents:
        if ent.label_ in {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}:
            continue
        variants(ent.start, ent.end, ent.root.i)
    return sorted(out, key=lambda c: (c.start, c.end))


def _governor(tokens: _Tokens, tok: int) -> tuple[str, int, str]:
    """The relation of a phrase head to what governs it, climbing over conjuncts/appositions.

    The root governs itself: the model was trained so (with Tokens, whose ``tok.head is
    not tok`` held even at the root), and reads the root's governor features as such.
    """
    dep, head = tokens.dep, tokens.head
    steps = 0
    while dep[tok] in {"conj", "appos", "compound"} and steps < 4:
        tok = head[tok]
        steps += 1
    relation = dep[tok]
    if relation == "pobj" and dep[head[tok]] in {"prep", "agent"}:
        prep = head[tok]
        word = tokens.lower[prep]
        return f"{relation}:{word}", head[prep], word
    return relation, head[tok], ""


def features(doc: Doc, cand: Candidate, context: dict[str, object]) -> list[str]:
    """The candidate's features: those of its words and surroundings, and those of its head
    (its governor, sentence and article), worked out once per head and kept in ``context``:
    the variants of a phrase share their head."""
    tokens = _context_tokens(doc, context)
    lemma, head_feats = _known_head_features(tokens, cand.head, context)
    return [*head_feats, *_own_features(tokens, cand, context, lemma)]


def _known_head_features(
    tokens: _Tokens, head: int, context: dict[str, object]
) -> tuple[str, list[str]]:
    heads: dict[int, tuple[str, list[str]]] = context.setdefault("head_features", {})  # type: ignore[assignment]
    known = heads.get(head)
    if known is None:
        known = heads[head] = _head_features(tokens, head, context)
    return known


def _own_features(
    tokens: _Tokens,
    cand: Candidate,
    context: dict[str, object],
    lemma: str,
    key: str | None = None,
) -> list[str]:
    """The features of the candidate's own words and surroundings (``lemma``: its head's;
    ``key``: its words joined by spaces, when the caller has them)."""
    lower, punct = tokens.lower, tokens.punct
    start, end, head, variant = cand.start, cand.end, cand.head, cand.variant
    size = end - start
    if key is None:
        key = " ".join(lower[start:end])
    occurrences = context["texts"][key]  # type: ignore[index]
    words = [lower[i] for i in range(start, end) if not punct[i]]
    feats = [
        f"len={min(size, 6)}",
        f"var={variant}",
        f"var_h={variant}|{lemma}",
        f"var_len={variant}|{min(size, 4)}",
        f"occ={min(occurrences, 4)}",
        f"first={min(context['first'].get(key, 0), 6)}",  # type: ignore[attr-defined]
        *[f"w={word}" for word in words],
        *[f"wm={lower[i]}" for i in range(start, end) if i != head and not punct[i]],
    ]
    entities = tokens.ent[start:end]
    if ACTOR_LABEL in entities:
        feats.append("ruler=actor")
    if WEAPON_LABEL in entities:
        feats.append("ruler=weapon")
    pos, alpha = tokens.pos, tokens.alpha
    if all(pos[i] == "PROPN" or not alpha[i] for i in range(start, end)):
        feats.append("allpropn")
    n = len(lower)
    feats.append(f"l1={lower[start - 1] if start >= 1 else '<s>'}")
    feats.append(f"l2={lower[start - 2] if start >= 2 else '<s>'}")
    feats.append(f"r1={lower[end] if end < n else '</s>'}")
    feats.append(f"r2={lower[end + 1] if end + 1 < n else '</s>'}")
    return feats


def _head_features(tokens: _Tokens, head: int, context: dict[str, object]) -> tuple[str, list[str]]:
    """The features a candidate owes to its head alone, and the head's lemma.

    Those its sentence gives every head (the event families and moods of the sentence, its
    number) are made once per sentence, in :func:`doc_context`."""
    lemmas, pos, heads, triggers = tokens.lemma, tokens.pos, tokens.head, _TRIGGER_LEMMAS
    lemma = lemmas[head]
    tag = tokens.tag[head]
    ent = tokens.ent[head] or "-"
    dep, gov, prep = _governor(tokens, head)
    glemma = lemmas[gov]
    family = triggers.get(glemma, "-")
    gov_dep = tokens.dep[gov]
    gg_lemma = lemmas[heads[gov]]  # the root's head is itself (see _governor)
    feats = [
        f"h={lemma}",
        f"hs={tokens.lower[head][-3:]}",
        f"pos={pos[head]}",
        f"tag={tag}",
        f"ent={ent}",
        f"ent_h={ent}|{lemma}",
        *[feature for feature, words in _LEXICONS if lemma in words],
        f"dep={dep}",
        f"gov={dep}|{glemma}",
        f"govfam={dep}|{family}",
        f"govpos={dep}|{pos[gov]}",
        f"govpass={dep}|{gov in tokens.passive}|{family}",
        f"govh={glemma}|{lemma}",
        f"gg={gov_dep}|{gg_lemma}",
        f"ggfam={gov_dep}|{triggers.get(gg_lemma, '-')}",
    ]
    if tag == "NNS" or tag == "NNPS":
        feats.append("plural")
    if prep:
        feats.append(f"prepfam={prep}|{family}")
    sent_index = context["sent_of"][head]  # type: ignore[index]
    common, families, moods = context["sentence_features"][sent_index]  # type: ignore[index]
    feats += common  # sfam=, mood=, sent=
    if families:
        feats.extend([f"sfam_h={f}|{lemma}" for f in families])
        feats.extend([f"sfam_dep={f}|{dep}" for f in families])
    else:
        feats.append(f"sfam_h=none|{lemma}")
    # the verbs above the phrase up to its clause's root: "were <killed> when <gunmen> ...";
    # four steps always, the root repeating itself, as the model was trained
    up = heads[head]
    for _ in range(4):
        if pos[up] == "VERB":
            feats.append(f"vup={lemmas[up]}")
            feats.append(f"vupfam={triggers.get(lemmas[up], '-')}|{dep}")
        up = heads[up]
    # what the sentence does: a report of a real incident, a hedge (denial, threat, plan,
    # negation), a statement someone makes, a claim of responsibility or an accusation
    feats.extend([f"mood_dep={mood}|{dep}" for mood in moods])
    if (dep == "nsubj" or dep == "nsubjpass") and glemma in _SPEECH:
        feats.append("speaker")
    count = context["head_counts"][lemma]  # type: ignore[index]
    feats.append(f"count={min(count, 5)}")
    feats.append(f"count_h={min(count, 3)}|{lemma}")
    if context.get("relevance") is not None:
        feats.append(f"rel={int(float(context['relevance']) * 4)}")  # type: ignore[arg-type]
    return lemma, feats


_LEXICONS = (
    ("lex=armed", LANG.armed_nouns),
    ("lex=civ", LANG.civilian_nouns),
    ("lex=mat", LANG.materiel_nouns),
    ("lex=place", LANG.place_class_nouns),
)


_SPEECH = {"say", "state", "report", "announce", "add", "declare", "tell", "indicate", "note"}
_RESPONSIBILITY = {"responsibility", "responsible", "blame", "accuse", "attribute", "claim"}
_HEDGE = LANG.hedge_verbs | {"reject"}


def _moods(tokens: _Tokens, start: int, end: int) -> frozenset[str]:
    """What the sentence of tokens ``start:end`` does (see the ``mood`` features)."""
    lemmas = set(tokens.lemma[start:end])
    deps = tokens.dep[start:end]
    moods = set()
    if "neg" in deps or lemmas & _HEDGE:
        moods.add("hedge")
    lower = tokens.lower
    if any(
        deps[i - start] in {"aux", "auxpass"} and lower[i] in LANG.irrealis_aux
        for i in range(start, end)
    ):
        moods.add("modal")
    if lemmas & _SPEECH:
        moods.add("speech")
    if lemmas & _RESPONSIBILITY:
        moods.add("blame")
    return frozenset(moods)


def doc_context(doc: Doc, tokens: _Tokens | None = None) -> dict[str, object]:
    if tokens is None:
        tokens = token_table(doc)
    lemma, lower = tokens.lemma, tokens.lower
    sents = [(sent.start, sent.end) for sent in doc.sents]
    texts: Counter[str] = Counter()
    first: dict[str, int] = {}
    cands = candidates(doc, tokens)
    sent_of = [0] * len(doc)
    families: list[frozenset[str]] = []
    moods: list[frozenset[str]] = []
    sentence_features: list[tuple[list[str], tuple[str, ...], tuple[str, ...]]] = []
    for number, (start, end) in enumerate(sents):
        sent_of[start:end] = [number] * (end - start)
        mood = _moods(tokens, start, end)
        family = frozenset(_TRIGGER_LEMMAS[w] for w in lemma[start:end] if w in _TRIGGER_LEMMAS)
        moods.append(mood)
        families.append(family)
        # what the sentence gives each of its heads (see _head_features)
        common = [f"sfam={f}" for f in family] or ["sfam=none"]
        common.extend(f"mood={m}" for m in mood)
        common.append(f"sent={min(number, 8)}")
        sentence_features.append((common, tuple(family), tuple(mood)))
    keys = [" ".join(lower[cand.start : cand.end]) for cand in cands]
    for cand, key in zip(cands, keys, strict=True):
        texts[key] += 1
        if key not in first:
            first[key] = sent_of[cand.start]
    return {
        "sent_of": sent_of,
        "moods": moods,
        "families": families,
        "sentence_features": sentence_features,
        "head_counts": Counter(
            w for w, p in zip(lemma, tokens.pos, strict=True) if p == "NOUN" or p == "PROPN"
        ),
        "texts": texts,
        "first": first,
        "candidates": cands,
        "candidate_texts": keys,
        "tokens": tokens,
    }


_HASHED: dict[str, int] = {}
_HASHED_LIMIT = 1 << 18  # strings remembered (MUC-4 dev has 80,000); past that it starts again


def hashed(feats: list[str]) -> np.ndarray:
    """The features' columns. The same few thousand strings recur in every article, so each
    is hashed once (a memo of at most ``_HASHED_LIMIT`` strings)."""
    return np.array(_columns(feats), dtype=np.int64)


def hashed_rows(rows: list[list[str]]) -> tuple[np.ndarray, list[int]]:
    """The columns of several feature lists end to end, and where each list ends: one array
    for all the examples of an article rather than one per example."""
    flat = [feat for feats in rows for feat in feats]
    ends = list(accumulate(map(len, rows)))
    return np.array(_columns(flat), dtype=np.int64), ends


def _columns(feats: list[str]) -> list[int]:
    memo = _HASHED
    columns = list(map(memo.get, feats))
    if None in columns:
        if len(memo) >= _HASHED_LIMIT:
            memo.clear()
        for i, feat in enumerate(feats):
            if columns[i] is None:
                columns[i] = memo[feat] = (murmur(feat) & 0xFFFFFFFF) % N_FEATURES
    return columns  # type: ignore[return-value]


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
        ends = list(accumulate(len(r) for r in rows))
        return self.probabilities_of(np.concatenate(rows), ends)

    def probabilities_of(self, columns: np.ndarray, ends: list[int]) -> np.ndarray:
        """The probabilities of examples given end to end (``hashed_rows``): example ``i``
        has the columns ``columns[ends[i - 1]:ends[i]]``.

        Each example's weights are summed as ``weights[columns].sum(axis=0)`` sums them (the
        same reduction over an array of the same shape and layout), so the probabilities are
        the same bits whichever way the examples come; the rows are gathered once for all of
        them. ``np.add.reduceat`` is not the same: past some 500 rows ``sum`` adds in blocks.
        """
        if not ends:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        gathered = self.weights[columns]
        reduce = np.add.reduce
        starts = [0, *ends[:-1]]
        sums = [reduce(gathered[a:b], axis=0) for a, b in zip(starts, ends, strict=True)]
        scores = np.stack(sums) + self.bias
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


_ARTICLES = frozenset({"a", "an", "the"})


def candidate_key(doc: Doc, cand: Candidate, tokens: _Tokens | None = None) -> str:
    """The phrase as the scorer compares it: lower case, no punctuation, no articles."""
    if tokens is None:
        tokens = token_table(doc)
    lower, punct, space = tokens.lower, tokens.punct, tokens.space
    return " ".join(
        [
            lower[i]
            for i in range(cand.start, cand.end)
            if not punct[i] and not space[i] and lower[i] not in _ARTICLES
        ]
    )


def grouped_features(
    doc: Doc, context: dict[str, object]
) -> dict[str, tuple[list[Candidate], list[str]]]:
    """One example per distinct phrase of the article: the union of its occurrences' features.

    Whether a phrase fills a role is decided once per article, from everything the article
    says around every mention of it ("the guerrillas" of a denial and of the attack itself).
    """
    groups: dict[str, tuple[list[Candidate], set[str]]] = {}
    tokens = _context_tokens(doc, context)
    cands: list[Candidate] = context["candidates"]  # type: ignore[assignment]
    texts: list[str] | None = context.get("candidate_texts")  # type: ignore[assignment]
    for index, cand in enumerate(cands):
        key = candidate_key(doc, cand, tokens)
        if not key:
            continue
        # what features() gives, without making its list: the head's part once per head
        lemma, head_feats = _known_head_features(tokens, cand.head, context)
        own = _own_features(tokens, cand, context, lemma, texts[index] if texts else None)
        group = groups.get(key)
        if group is None:
            groups[key] = ([cand], {*head_feats, *own})
        else:
            group[0].append(cand)
            group[1].update(head_feats)
            group[1].update(own)
    return {k: (occ, sorted(f)) for k, (occ, f) in groups.items()}


def predict_fillers(
    doc: Doc, model: FillerModel, relevance: float | None = None, tokens: _Tokens | None = None
) -> Iterator[Filler]:
    """Role fillers of a Doc, overlapping candidates resolved in favour of the surer one.
    (``tokens``: the Doc's :func:`token_table`, when the caller has it.)"""
    context = doc_context(doc, tokens)
    context["relevance"] = relevance
    groups = grouped_features(doc, context)
    keys = list(groups)
    columns, ends = hashed_rows([groups[k][1] for k in keys])
    probs = model.probabilities_of(columns, ends)
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


def filler_spans(
    doc: Doc, model: FillerModel, relevance: float | None = None, tokens: _Tokens | None = None
) -> list[Span]:
    return [
        Span(doc, f.start, f.end, label=f.label)
        for f in predict_fillers(doc, model, relevance, tokens)
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
