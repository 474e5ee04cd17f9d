"""Train the role-filler classifier (``kg/models/fillers.npz``) on MUC-4 **train**.

    python training/train_fillers.py ../shared/eval/muc4/train.jsonl kg/models/fillers.npz

Hyperparameters are read from ``training/fillers.toml``. The article classifier
(``kg/models/doccat.npz``, see ``kg.nlp.doccat``) is trained from the same parses.

Each article is parsed by the project's own pipeline (``kg.nlp.pipeline.load_pipeline`` with
the trained components switched off), every candidate noun phrase
(``kg.nlp.fillers.candidates``) is labelled with the gold role whose mention it equals under
the scorer's normalisation (lower case, no punctuation, no articles), and a multinomial
logistic regression is fitted over the hashed features (``kg.nlp.fillers.features``) by
averaged stochastic gradient descent. The last ``--holdout`` articles of train are held out
to choose a probability threshold per label; the final model is then fitted on all of train.
Deterministic (fixed seed); about two and a half minutes, most of it parsing.
"""

from __future__ import annotations

import argparse
import json
import re
import string
import time
import tomllib
from pathlib import Path

import numpy as np

from kg.nlp.doccat import LABELS as DOC_LABELS
from kg.nlp.doccat import doc_features, train_doc_model
from kg.nlp.fillers import (
    LABELS,
    FillerModel,
    averaged_sgd,
    doc_context,
    grouped_features,
    hashed,
)

PRIORITY = ("VICTIM", "TARGET", "PERP_ORG", "PERP_IND", "WEAPON", "HUMAN")
_PUNCT = re.compile("[" + re.escape(string.punctuation) + "‘’“”–—]")


def norm(text: str) -> str:
    """The scorer's string normalisation (GTT's normalize_string)."""
    text = _PUNCT.sub("", text.lower())
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


def gold_roles(record: dict) -> dict[str, str]:
    out: dict[str, str] = {}

    def put(label: str, mention: str) -> None:
        key = norm(mention)
        if key and (key not in out or PRIORITY.index(label) < PRIORITY.index(out[key])):
            out[key] = label

    for event in record["events"]:
        for entity in event.get("attackers", []):
            label = "PERP_ORG" if entity.get("kind") == "organization" else "PERP_IND"
            for m in entity.get("mentions", []):
                put(label, m)
        for field, label in (
            ("targets", "TARGET"),
            ("victims", "VICTIM"),
            ("weapons", "WEAPON"),
            ("unnamed_human_targets", "HUMAN"),
        ):
            for entity in event.get(field, []) or []:
                for m in entity.get("mentions", []):
                    put(label, m)
    return out


def examples(record: dict, doc) -> tuple[list[np.ndarray], np.ndarray]:
    """One example per distinct candidate phrase of the article (see ``grouped_features``)."""
    roles = gold_roles(record)
    groups = grouped_features(doc, doc_context(doc))
    rows = [hashed(feats) for _occurrences, feats in groups.values()]
    labels = [LABELS.index(roles.get(norm(key), "NONE")) for key in groups]
    return rows, np.array(labels)


def train(
    rows: list[np.ndarray],
    labels: np.ndarray,
    epochs: int,
    seed: int = 0,
    rate: float = 0.05,
    l2: float = 0.0,
    positive_weight: float = 1.0,
) -> FillerModel:
    """Multinomial logistic regression; role fillers weigh ``positive_weight`` against none."""

    def gradient(scores: np.ndarray, example: int) -> np.ndarray:
        gold = labels[example]
        scores -= scores.max()
        probs = np.exp(scores)
        probs /= probs.sum()
        probs[gold] -= 1.0  # gradient of the log loss
        if gold:
            probs *= positive_weight
        return probs

    weights, bias = averaged_sgd(
        rows, len(LABELS), gradient, epochs=epochs, rate=rate, seed=seed, l2=l2
    )
    return FillerModel(weights, bias)


def tune_thresholds(probs: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    best_label = probs[:, 1:].argmax(axis=1) + 1
    out: dict[str, float] = {"NONE": 1.0}
    for index, label in enumerate(LABELS[1:], start=1):
        mine = best_label == index
        gold = labels == index
        best = (0.0, 0.5)
        for threshold in np.arange(0.1, 0.9, 0.05):
            pred = mine & (probs[:, index] >= threshold)
            tp = float((pred & gold).sum())
            p = tp / max(pred.sum(), 1)
            r = tp / max(gold.sum(), 1)
            f = 2 * p * r / (p + r) if p + r else 0.0
            if f > best[0]:
                best = (f, float(threshold))
        out[label] = round(best[1], 2)
        print(f"  {label:9} threshold {best[1]:.2f}  holdout candidate F1 {100 * best[0]:.1f}")
    return out


def parse(records: list[dict]):
    from kg.ingest import make_article
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline(roles=False)
    articles = [make_article(r["doc_id"], r["text"]) for r in records]
    return list(nlp.pipe((a.text[a.body_start :] for a in articles), batch_size=16))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path, help="MUC-4 train.jsonl")
    parser.add_argument("out", type=Path, help="where to write the weights (.npz)")
    parser.add_argument("--config", type=Path, default=Path(__file__).with_name("fillers.toml"))
    parser.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="a DocBin of the same articles already parsed (saves time)",
    )
    args = parser.parse_args()
    config = tomllib.loads(args.config.read_text(encoding="utf-8"))
    seed, fill, docc = config.get("seed", 0), config["fillers"], config["doccat"]
    records = [json.loads(line) for line in args.gold.open(encoding="utf-8") if line.strip()]
    if any(r.get("split") not in (None, "train") for r in records):
        raise SystemExit("only the train split may be used for training")
    started = time.time()
    if args.docs:
        from spacy.tokens import DocBin

        from kg.nlp.pipeline import load_pipeline

        nlp = load_pipeline(roles=False)
        docs = list(DocBin().from_disk(args.docs).get_docs(nlp.vocab))
    else:
        docs = parse(records)
    print(f"parsed {len(docs)} articles in {time.time() - started:.0f}s")
    cut = len(records) - fill["holdout"]
    # role fillers are learnt from articles that report an incident: whether an article
    # does is the article classifier's question, not the phrase classifier's
    pairs = [(r, d) for r, d in zip(records, docs, strict=True) if r["events"]]
    per_article = [examples(r, d) for r, d in pairs]
    rows = [row for article_rows, _ in per_article for row in article_rows]
    labels = np.concatenate([article_labels for _, article_labels in per_article])
    print(f"{len(rows)} candidates, {int((labels > 0).sum())} role fillers")
    options = {
        "seed": seed,
        "rate": fill["rate"],
        "l2": fill["l2"],
        "positive_weight": fill["positive_weight"],
    }
    # thresholds from out-of-fold probabilities over every article (k folds of articles):
    # one held-out slice is too small, its choice swings from one seed to the next
    folds = fill["folds"]
    held_probs, held_labels = [], []
    for fold in range(folds):
        fit_rows, fit_labels, out_rows, out_labels = [], [], [], []
        for index, (article_rows, article_labels) in enumerate(per_article):
            if index % folds == fold:
                out_rows += article_rows
                out_labels.append(article_labels)
            else:
                fit_rows += article_rows
                fit_labels.append(article_labels)
        fold_model = train(fit_rows, np.concatenate(fit_labels), fill["epochs"], **options)
        held_probs.append(fold_model.probabilities(out_rows))
        held_labels.append(np.concatenate(out_labels))
    thresholds = tune_thresholds(np.concatenate(held_probs), np.concatenate(held_labels))
    # the thresholds chosen, the final model learns from every article of train
    model = train(rows, labels, fill["epochs"], **options)
    model.thresholds = thresholds
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    doc_out = args.out.with_name("doccat.npz")
    doc_rows = [hashed(doc_features(d)) for d in docs]
    targets = doc_targets(records)
    doc_options = {"epochs": docc["epochs"], "rate": docc["rate"], "seed": seed}
    doc_model = train_doc_model(doc_rows[:cut], targets[:cut], **doc_options)
    report_doc_model(doc_model, doc_rows[cut:], targets[cut:])
    doc_model = train_doc_model(doc_rows, targets, **doc_options)
    doc_model.save(doc_out)
    print(
        f"wrote {doc_out} ({doc_out.stat().st_size / 1e6:.1f} MB); "
        f"{time.time() - started:.0f}s in all"
    )


TYPE_LABELS = {
    "attack": "ATTACK",
    "bombing": "BOMBING",
    "abduction": "KIDNAPPING",
    "arson": "ARSON",
    "robbery": "ROBBERY",
    "forced-work-stoppage": "FORCED_WORK_STOPPAGE",
}


def doc_targets(records: list[dict]) -> np.ndarray:
    out = np.zeros((len(records), len(DOC_LABELS)), dtype=np.float32)
    for row, record in enumerate(records):
        for event in record["events"]:
            for code in (event["type"], *(event.get("alt_types") or [])):
                if code in TYPE_LABELS:
                    out[row, DOC_LABELS.index(TYPE_LABELS[code])] = 1.0
        out[row, DOC_LABELS.index("RELEVANT")] = float(bool(record["events"]))
    return out


def report_doc_model(model, rows: list[np.ndarray], targets: np.ndarray) -> None:
    scores = np.stack([model.scores(r) for r in rows])
    for index, label in enumerate(DOC_LABELS):
        pred = scores[:, index] >= 0.5
        gold = targets[:, index] > 0.5
        tp = float((pred & gold).sum())
        p, r = tp / max(pred.sum(), 1), tp / max(gold.sum(), 1)
        print(f"  {label:22} holdout P {100 * p:5.1f} R {100 * r:5.1f} (gold {int(gold.sum())})")


if __name__ == "__main__":
    main()
