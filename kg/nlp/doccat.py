"""Article classifier: does the article report an incident, and of which types?

Independent logistic regressions over hashed bag-of-lemma features, with extra weight on the
lead (the first two sentences, where news puts the event) and on the event words the lexicon
knows. Trained on MUC-4 train by ``training/train_fillers.py`` (``kg/models/doccat.npz``).
Statements, denials, threats and background score low on ``RELEVANT``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from kg.lang import language
from kg.nlp.fillers import _Tokens, averaged_sgd, hashed, token_table

LANG = language()  # the words and patterns of the language the pipeline reads

LABELS = ("ATTACK", "BOMBING", "KIDNAPPING", "ARSON", "ROBBERY", "FORCED_WORK_STOPPAGE", "RELEVANT")
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "doccat.npz"
_TRIGGERS = {**LANG.noun_triggers, **LANG.verb_triggers}
_NAME_ENTS = {"GPE", "LOC", "NORP", "PERSON", "ORG", "FAC"}


def doc_features(doc: Doc, tokens: _Tokens | None = None) -> list[str]:
    """The article's features (``tokens``: its :func:`~kg.nlp.fillers.token_table`, when the
    caller has it: read through Token objects, this took 0.3-0.5 s of MUC-4 dev)."""
    if tokens is None:
        tokens = token_table(doc)
    feats: set[str] = {"bias"}
    lead_end = 0
    for number, sent in enumerate(doc.sents):
        if number == 2:
            break
        lead_end = sent.end
    lemmas, pos, ent, alpha, stop = tokens.lemma, tokens.pos, tokens.ent, tokens.alpha, tokens.stop
    children: dict[int, list[int]] | None = None
    previous = "<s>"
    for i, lemma in enumerate(lemmas):
        if not alpha[i]:
            continue
        if stop[i]:
            previous = lemma
            continue
        if pos[i] == "PROPN" or ent[i] in _NAME_ENTS:
            # names of places, people and groups tie a model to one corpus's geography
            lemma = f"<{ent[i] or 'PROPN'}>"
        feats.add(f"l={lemma}")
        feats.add(f"b={previous}|{lemma}")
        if i < lead_end:
            feats.add(f"lead={lemma}")
        family = _TRIGGERS.get(lemma)
        if family is not None:
            if children is None:
                children = _children(tokens.head)
            feats.add(f"fam={family}")
            mood = "irr" if _negated(tokens, children.get(i, ())) else "real"
            feats.add(f"fam={family}|{mood}|{pos[i]}")
            if i < lead_end:
                feats.add(f"leadfam={family}")
        previous = lemma
    return sorted(feats)


def _children(heads: list[int]) -> dict[int, list[int]]:
    """The tokens each token governs (``Token.children``: those whose head it is)."""
    out: dict[int, list[int]] = {}
    for child, head in enumerate(heads):
        if head != child:
            out.setdefault(head, []).append(child)
    return out


def _negated(tokens: _Tokens, children: Iterable[int]) -> bool:
    """A word negated ("did not attack") or under an auxiliary of what is not real ("would
    attack")."""
    dep, lower = tokens.dep, tokens.lower
    return any(dep[c] == "neg" for c in children) or any(
        dep[c] in {"aux", "auxpass"} and lower[c] in LANG.irrealis_aux for c in children
    )


class DocModel:
    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = weights
        self.bias = bias

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> DocModel:
        data = np.load(path, allow_pickle=False)
        if tuple(str(x) for x in data["labels"]) != LABELS:
            raise ValueError(f"{path}: unexpected labels")
        return cls(data["weights"].astype(np.float32), data["bias"].astype(np.float32))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, weights=self.weights.astype(np.float16), bias=self.bias, labels=np.array(LABELS)
        )

    def scores(self, rows: np.ndarray) -> np.ndarray:
        logits = self.weights[np.unique(rows)].sum(axis=0) + self.bias
        return 1.0 / (1.0 + np.exp(-logits))


def classify(doc: Doc, model: DocModel, tokens: _Tokens | None = None) -> dict[str, float]:
    scores = model.scores(hashed(doc_features(doc, tokens)))
    return {label: float(s) for label, s in zip(LABELS, scores, strict=True)}


@cache
def load_doc_model() -> DocModel | None:
    return DocModel.load() if MODEL_PATH.is_file() else None


def train_doc_model(
    rows: list[np.ndarray], targets: np.ndarray, epochs: int = 10, rate: float = 0.05, seed: int = 0
) -> DocModel:
    """Averaged SGD on the log loss of each label independently."""

    def gradient(logits: np.ndarray, example: int) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-logits)) - targets[example]

    weights, bias = averaged_sgd(rows, len(LABELS), gradient, epochs=epochs, rate=rate, seed=seed)
    return DocModel(weights, bias)
