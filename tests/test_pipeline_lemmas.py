"""The rule lemmatizer with its lemmas remembered: the same lemma as spaCy's for every token.

``RememberedLemmas`` keeps each lemma per (word, POS, morphology), the key the lemmatizer's
own cache uses, and the word lists become sets; Docs of random words, parts of speech and
features are lemmatized both ways and compared, with English's rules on small tables.
"""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

from kg.nlp.pipeline import remember_lemmas

WORDS = ["attacks", "attacked", "soldiers", "better", "was", "Kidal", "mice", "x", "going"]
POS = ["NOUN", "VERB", "ADJ", "PROPN", "AUX", "ADV", "SPACE"]
MORPHS = ["", "Number=Sing", "Number=Plur", "VerbForm=Inf", "Tense=Past|VerbForm=Fin"]
MORPHS += ["VerbForm=Fin|Tense=Pres", "Degree=Pos", "Degree=Cmp", "VerbForm=Ger"]


def make_lemmatizer() -> tuple[spacy.language.Language, Lemmatizer]:
    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    lookups = Lookups()
    lookups.add_table("lemma_index", {"noun": ["attack", "soldier", "mouse"], "verb": ["go"]})
    lookups.add_table("lemma_index_extra", {})
    lookups.add_table("lemma_exc", {"noun": {"mice": ["mouse"]}, "adj": {"better": ["good"]}})
    lookups.add_table(
        "lemma_rules",
        {"noun": [["s", ""], ["ies", "y"]], "verb": [["ed", ""], ["ing", ""], ["s", ""]]},
    )
    lemmatizer.initialize(lookups=lookups)  # type: ignore[attr-defined]
    return nlp, lemmatizer  # type: ignore[return-value]


NLP, STOCK = make_lemmatizer()
FAST_NLP, FAST_LEMMATIZER = make_lemmatizer()
remember_lemmas(FAST_NLP)

token = st.tuples(st.sampled_from(WORDS), st.sampled_from(POS), st.sampled_from(MORPHS))


def make_doc(nlp: spacy.language.Language, tokens: list[tuple[str, str, str]]) -> Doc:
    words = [w for w, _, _ in tokens]
    morphs = [m for _, _, m in tokens]
    return Doc(nlp.vocab, words=words, pos=[p for _, p, _ in tokens], morphs=morphs)


@settings(max_examples=200, deadline=None)
@given(st.lists(token, min_size=1, max_size=12), st.lists(st.booleans(), min_size=12))
def test_the_same_lemmas_as_the_lemmatizer(
    tokens: list[tuple[str, str, str]], preset: list[bool]
) -> None:
    stock, fast = make_doc(NLP, tokens), make_doc(FAST_NLP, tokens)
    for doc in (stock, fast):  # a lemma set before (by the attribute ruler) is kept
        for tok, keep in zip(doc, preset, strict=False):
            if keep:
                tok.lemma_ = "kept"
    STOCK(stock)
    (done,) = FAST_LEMMATIZER.pipe([fast])
    assert [t.lemma_ for t in done] == [t.lemma_ for t in stock]


def test_lemmas_through_the_pipeline_and_remembered() -> None:
    tokens = [("soldiers", "NOUN", "Number=Plur"), ("attacked", "VERB", "Tense=Past")]
    tokens += [("soldiers", "NOUN", "Number=Plur"), ("mice", "NOUN", "Number=Plur")]
    tokens += [("better", "ADJ", "Degree=Cmp"), ("attacks", "NOUN", "Number=Sing")]
    doc = next(FAST_NLP.pipe([make_doc(FAST_NLP, tokens)]))
    assert [t.lemma_ for t in doc] == ["soldier", "attack", "soldier", "mouse", "good", "attacks"]
    index = FAST_LEMMATIZER.lookups.get_table("lemma_index")
    assert all(isinstance(words, frozenset) for words in index.values())
    assert "pipe" in vars(FAST_LEMMATIZER) and "pipe" not in vars(STOCK)


@pytest.mark.model
def test_the_models_lemmas_are_spacys() -> None:
    from kg.nlp.pipeline import load_pipeline

    text = (
        "Suspected jihadists ambushed a convoy near Djibo on Tuesday, killing 12 soldiers "
        "and wounding several others, the army said. The attackers fled on motorbikes; "
        "they ain't been found. Villagers were better protected after the raids."
    )
    ours = load_pipeline()
    stock = spacy.load(ours.meta["lang"] + "_" + ours.meta["name"])
    assert "pipe" in vars(ours.get_pipe("lemmatizer"))
    with ours.select_pipes(disable=[n for n in ours.pipe_names if n.startswith("conflict_kg")]):
        (doc,) = ours.pipe([text])
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in stock(doc.text)]
