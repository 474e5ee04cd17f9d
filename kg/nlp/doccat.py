"""Article classifier: does the article report an incident, and of which types?

Independent logistic regressions over hashed bag-of-lemma features, with extra weight on the
lead (the first two sentences, where news puts the event) and on the event words the lexicon
knows. Trained on MUC-4 train by ``training/train_fillers.py`` (``kg/models/doccat.npz``).
Statements, denials, threats and background score low on ``RELEVANT``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from kg.lang import language
from kg.nlp.fillers import averaged_sgd, hashed

LANG = language()  # the words and patterns of the language the pipeline reads

LABELS = ("ATTACK", "BOMBING", "KIDNAPPING", "ARSON", "ROBBERY", "FORCED_WORK_STOPPAGE", "RELEVANT")
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "doccat.npz"
_TRIGGERS = {**LANG.noun_triggers, **LANG.verb_triggers}
_NAME_ENTS = {"GPE", "LOC", "NORP", "PERSON", "ORG", "FAC"}


def doc_features(doc: Doc) -> list[str]:
    feats: set[str] = {"bias"}
    lead_end = 0
    for number, sent in enumerate(doc.sents):
        if number == 2:
            break
        lead_end = sent.end
    previous = "<s>"
    for tok in doc:
        if not tok.is_alpha:
            continue
        lemma = tok.lemma_.lower()
        if tok.is_stop:
            previous = lemma
            continue
        if tok.pos_ == "PROPN" or tok.ent_type_ in _NAME_ENTS:
            # names of places, people and groups tie a model to one corpus's geography
            lemma = f"<{tok.ent_type_ or 'PROPN'}>"
        feats.add(f"l={lemma}")
        feats.add(f"b={previous}|{lemma}")
        if tok.i < lead_end:
            feats.add(f"lead={lemma}")
        family = _TRIGGERS.get(lemma)
        if family is not None:
            feats.add(f"fam={family}")
            negated = any(c.dep_ == "neg" for c in tok.children) or any(
                c.dep_ in {"aux", "auxpass"} and c.lower_ in LANG.irrealis_aux for c in tok.children
            )
            feats.add(f"fam={family}|{'irr' if negated else 'real'}|{tok.pos_}")
            if tok.i < lead_end:
                feats.add(f"leadfam={family}")
        previous = lemma
    return sorted(feats)


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


def classify(doc: Doc, model: DocModel) -> dict[str, float]:
    scores = model.scores(hashed(doc_features(doc)))
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
