"""The role filler's and the article classifier's features, read from a Doc's token table.

The features are what the trained models were fitted on, so they must stay string for string
what they were; the probabilities must stay bit for bit what ``weights[row].sum(axis=0)``
gave (a filler's score decides between overlapping phrases). The Doc is built by hand, as
spaCy's own tests do, so no statistical model is needed.
"""

from __future__ import annotations

import numpy as np
import spacy
from spacy.tokens import Doc

from kg.nlp import fillers
from kg.nlp.doccat import doc_features
from kg.nlp.fillers import (
    LABELS,
    FillerModel,
    candidate_key,
    doc_context,
    features,
    grouped_features,
    hashed,
    hashed_rows,
    token_table,
)

# word, POS, tag, dependency, head, lemma, entity (IOB)
TOKENS = [
    ("Gunmen", "NOUN", "NNS", "nsubj", 3, "gunman", "O"),
    ("did", "AUX", "VBD", "aux", 3, "do", "O"),
    ("not", "PART", "RB", "neg", 3, "not", "O"),
    ("attack", "VERB", "VB", "ROOT", 3, "attack", "O"),
    ("the", "DET", "DT", "det", 6, "the", "O"),
    ("army", "NOUN", "NN", "compound", 6, "army", "O"),
    ("post", "NOUN", "NN", "dobj", 3, "post", "O"),
    ("of", "ADP", "IN", "prep", 6, "of", "O"),
    ("Kidal", "PROPN", "NNP", "pobj", 7, "Kidal", "B-GPE"),
    (".", "PUNCT", ".", "punct", 3, ".", "O"),
    ("Three", "NUM", "CD", "nummod", 11, "three", "B-CARDINAL"),
    ("soldiers", "NOUN", "NNS", "nsubjpass", 13, "soldier", "O"),
    ("were", "AUX", "VBD", "auxpass", 13, "be", "O"),
    ("killed", "VERB", "VBN", "ROOT", 13, "kill", "O"),
    ("by", "ADP", "IN", "agent", 13, "by", "O"),
    ("FMLN", "PROPN", "NNP", "compound", 16, "FMLN", "B-ACTOR"),
    ("guerrillas", "NOUN", "NNS", "pobj", 14, "guerrilla", "O"),
    ("in", "ADP", "IN", "prep", 13, "in", "O"),
    ("San", "PROPN", "NNP", "compound", 19, "San", "B-GPE"),
    ("Miguel", "PROPN", "NNP", "pobj", 17, "Miguel", "I-GPE"),
    (".", "PUNCT", ".", "punct", 13, ".", "O"),
]


def make_doc() -> Doc:
    vocab = spacy.blank("en").vocab  # English lexical attributes: stop words, like_num
    words, pos, tags, deps, heads, lemmas, ents = (list(c) for c in zip(*TOKENS, strict=True))
    return Doc(
        vocab, words=words, pos=pos, tags=tags, deps=deps, heads=heads, lemmas=lemmas, ents=ents
    )


def test_token_table_is_the_tokens_attributes() -> None:
    doc = make_doc()
    table = token_table(doc)
    for tok in doc:
        i = tok.i
        assert table.lower[i] == tok.lower_ and table.lemma[i] == tok.lemma_.lower()
        assert (table.pos[i], table.tag[i], table.dep[i]) == (tok.pos_, tok.tag_, tok.dep_)
        assert table.ent[i] == tok.ent_type_ and table.head[i] == tok.head.i
        flags = (table.punct[i], table.alpha[i], table.space[i], table.num[i], table.stop[i])
        assert flags == (tok.is_punct, tok.is_alpha, tok.is_space, tok.like_num, tok.is_stop)
    assert table.passive == {13}  # "were killed": an auxpass and an nsubjpass child


def test_doc_features_are_those_the_classifier_was_trained_on() -> None:
    feats = doc_features(make_doc())
    assert feats == doc_features(make_doc(), token_table(make_doc()))
    # "did not attack" is not real, "were killed" is; names become their entity type
    assert "fam=attack|irr|VERB" in feats and "fam=attack|real|VERB" in feats
    assert "l=<GPE>" in feats and "l=<ACTOR>" in feats and "l=kidal" not in feats
    assert feats == [
        *("b=<ACTOR>|guerrilla", "b=<GPE>|<GPE>", "b=<s>|gunman", "b=army|post", "b=be|kill"),
        *("b=by|<ACTOR>", "b=in|<GPE>", "b=not|attack", "b=of|<GPE>", "b=the|army"),
        *("b=three|soldier", "bias", "fam=attack", "fam=attack|irr|VERB"),
        *("fam=attack|real|VERB", "l=<ACTOR>", "l=<GPE>", "l=army", "l=attack"),
        *("l=guerrilla", "l=gunman", "l=kill", "l=post", "l=soldier", "lead=<ACTOR>"),
        *("lead=<GPE>", "lead=army", "lead=attack", "lead=guerrilla", "lead=gunman"),
        *("lead=kill", "lead=post", "lead=soldier", "leadfam=attack"),
    ]


def test_a_phrase_has_the_features_it_was_trained_with() -> None:
    doc = make_doc()
    context = doc_context(doc)
    context["relevance"] = None
    groups = grouped_features(doc, context)
    assert list(groups) == [
        *("gunmen", "army", "army post", "army post of kidal", "post", "kidal", "soldiers"),
        *("fmln", "fmln guerrillas", "guerrillas", "san", "san miguel", "miguel"),
    ]
    occurrences, feats = groups["soldiers"]
    assert [(c.start, c.end, c.head, c.variant) for c in occurrences] == [(11, 12, 11, "np")]
    assert feats == [
        *("count=1", "count_h=1|soldier", "dep=nsubjpass", "ent=-", "ent_h=-|soldier"),
        *("first=1", "gg=ROOT|kill", "ggfam=ROOT|attack", "gov=nsubjpass|kill"),
        *("govfam=nsubjpass|attack", "govh=kill|soldier", "govpass=nsubjpass|True|attack"),
        *("govpos=nsubjpass|VERB", "h=soldier", "hs=ers", "l1=three", "l2=.", "len=1"),
        *("lex=armed", "occ=1", "plural", "pos=NOUN", "r1=were", "r2=killed", "sent=1"),
        *("sfam=attack", "sfam_dep=attack|nsubjpass", "sfam_h=attack|soldier", "tag=NNS"),
        *("var=np", "var_h=np|soldier", "var_len=np|1", "vup=kill"),
        *("vupfam=attack|nsubjpass", "w=soldiers"),
    ]
    # the first sentence says what did not happen
    assert {"mood=hedge", "mood_dep=hedge|nsubj"} <= set(groups["gunmen"][1])


def test_grouped_features_are_the_union_of_each_occurrences_features() -> None:
    doc = make_doc()
    context = doc_context(doc)
    context["relevance"] = 0.6
    expected: dict[str, set[str]] = {}
    for cand in context["candidates"]:  # type: ignore[attr-defined]
        key = candidate_key(doc, cand)
        if key:
            expected.setdefault(key, set()).update(features(doc, cand, context))
    groups = grouped_features(doc, context)
    assert {k: feats for k, (_, feats) in groups.items()} == {
        k: sorted(v) for k, v in expected.items()
    }
    assert all("rel=2" in feats for _, feats in groups.values())


def test_probabilities_are_the_bits_of_a_sum_per_row() -> None:
    rng = np.random.default_rng(7)
    weights = rng.normal(size=(5000, len(LABELS))).astype(np.float32)
    bias = rng.normal(size=len(LABELS)).astype(np.float32)
    model = FillerModel(weights, bias)
    # past some 500 rows numpy sums in blocks, which np.add.reduceat does not do
    sizes = [3, 0, 40, 700, 1, 1200, 0]
    rows = [rng.integers(0, len(weights), size=n) for n in sizes]
    expected = np.stack([weights[r].sum(axis=0) for r in rows]) + bias
    expected -= expected.max(axis=1, keepdims=True)
    expected = np.exp(expected)
    expected /= expected.sum(axis=1, keepdims=True)
    ends = list(np.cumsum(sizes))
    assert np.array_equal(model.probabilities(rows), expected)
    assert np.array_equal(model.probabilities_of(np.concatenate(rows), ends), expected)
    assert model.probabilities_of(np.zeros(0, dtype=np.int64), []).shape == (0, len(LABELS))


def test_hashed_rows_are_the_rows_end_to_end() -> None:
    rows = [["h=soldier", "dep=nsubj"], [], ["w=army", "h=soldier", "never-seen-before"]]
    columns, ends = hashed_rows(rows)
    assert ends == [2, 2, 5]
    assert columns.tolist() == [c for row in rows for c in hashed(row).tolist()]
    assert columns[0] == columns[3] and columns.min() >= 0 and columns.max() < fillers.N_FEATURES
