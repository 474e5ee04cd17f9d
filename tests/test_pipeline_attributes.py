"""The attribute ruler matched per distinct token: the same matches as its own Matcher.

``AttributeMatches`` replaces ``AttributeRuler.match``; what the ruler then sets (POS, MORPH,
LEMMA) follows from the matches, so the matches must be the same tuples in the same order
for any Doc. Random Docs over a few words, tags and dependencies are compared with the
ruler's own matching, on patterns of every form the English models use.
"""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token

from kg.nlp.pipeline import AttributeMatches, speed_up_attribute_ruler

WORDS = ["ai", "n't", "nt", "gon", "na", "the", "The", "attack", "attacks", "'s", "let", " "]
TAGS = ["VBP", "VBZ", "NN", "NNS", "DT", "RB", "_SP", "TO", "VB"]
DEPS = ["nsubj", "neg", "det", "ROOT", "dobj", "aux"]

PATTERNS = [
    {"patterns": [[{"TAG": "_SP"}]], "attrs": {"POS": "SPACE", "MORPH": "_"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
    {"patterns": [[{"TAG": "NN", "LOWER": "attack"}]], "attrs": {"POS": "NOUN"}},
    {"patterns": [[{"TAG": "NNS"}], [{"TAG": "NNS"}]], "attrs": {"MORPH": "Number=Plur"}},
    {"patterns": [[{"TAG": {"IN": ["VBP", "VBZ"]}}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"TAG": {"NOT_IN": ["NN", "DT"]}, "DEP": "neg"}]], "attrs": {"POS": "PART"}},
    {
        "patterns": [
            [{"TAG": {"IN": ["VBP", "VBZ"]}, "LOWER": "ai"}, {"LOWER": {"REGEX": "^n'?t$"}}]
        ],
        "attrs": {"LEMMA": "be"},
    },
    {
        "patterns": [
            [{"TAG": {"IN": ["VBP", "VBZ"]}, "LOWER": "ai"}, {"LOWER": {"REGEX": "^n'?t$"}}]
        ],
        "attrs": {"LEMMA": "not"},
        "index": 1,
    },
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "go"}},
    {"patterns": [[{"lower": "let"}, {"ORTH": "'s"}]], "attrs": {"LEMMA": "us"}, "index": 1},
    {"patterns": [[{"TEXT": "The"}], [{"LOWER": "the", "DEP": "det"}]], "attrs": {"POS": "DET"}},
    {"patterns": [[{}, {"TAG": "TO"}]], "attrs": {"MORPH": "Case=Acc"}},
]


def make_ruler() -> tuple[Language, AttributeRuler]:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(PATTERNS)  # type: ignore[attr-defined]
    return nlp, ruler  # type: ignore[return-value]


NLP, RULER = make_ruler()
FAST = AttributeMatches(RULER)

token = st.tuples(st.sampled_from(WORDS), st.sampled_from(TAGS), st.sampled_from(DEPS))


@settings(max_examples=300, deadline=None)
@given(st.lists(token, max_size=14))
def test_the_same_matches_as_the_matcher(tokens: list[tuple[str, str, str]]) -> None:
    words = [w for w, _, _ in tokens]
    doc = Doc(NLP.vocab, words=words, tags=[t for _, t, _ in tokens], spaces=[True] * len(words))
    for tok, (_, _, dep) in zip(doc, tokens, strict=True):
        tok.dep_ = dep
    assert FAST.compiled is not None
    assert FAST(doc) == AttributeRuler.match(RULER, doc)


def test_the_ruler_sets_the_same_attributes() -> None:
    nlp, ruler = make_ruler()
    words = ["ai", "n't", "gon", "na", "let", "'s", "go", "to", "the", "attacks", " "]
    tags = ["VBZ", "RB", "VBG", "TO", "VB", "PRP", "VB", "TO", "DT", "NNS", "_SP"]

    def annotated(fast: bool) -> list[tuple[str, str, str]]:
        if fast:
            speed_up_attribute_ruler(nlp)
        doc = ruler(Doc(nlp.vocab, words=words, tags=tags))
        return [(t.pos_, str(t.morph), t.lemma_) for t in doc]

    stock = annotated(fast=False)
    assert "match" not in vars(ruler)
    assert annotated(fast=True) == stock and isinstance(vars(ruler)["match"], AttributeMatches)
    assert stock[0][2] == "be" and stock[1][2] == "not" and stock[5][2] == "us"


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "attack", "OP": "+"}],
        [{"_": {"kg_test_flag": True}}],
        [{"MORPH": {"IS_SUPERSET": ["Number=Plur"]}}],
        [{"LENGTH": {">=": 3}}],
        [{"LOWER": {"IN": ["attack"], "NOT_IN": ["attacks"]}}],
        [{"LOWER": {"FUZZY": "attack"}}],
    ],
)
def test_other_patterns_leave_the_ruler_its_own_matching(pattern: list[dict]) -> None:
    Token.set_extension("kg_test_flag", default=False, force=True)
    nlp, ruler = make_ruler()
    ruler.add([pattern], {"POS": "NOUN"})
    fast = AttributeMatches(ruler)
    assert fast.compiled is None
    doc = Doc(nlp.vocab, words=["attack", "attacks"], tags=["NN", "NNS"])
    assert fast(doc) == AttributeRuler.match(ruler, doc)


def test_patterns_added_later_are_matched_by_the_ruler() -> None:
    nlp, ruler = make_ruler()
    fast = AttributeMatches(ruler)
    ruler.add([[{"LOWER": "attacks"}]], {"POS": "VERB"})
    doc = Doc(nlp.vocab, words=["attacks"], tags=["NNS"])
    assert fast(doc) == AttributeRuler.match(ruler, doc)
    assert any(ordinal == len(PATTERNS) for ordinal, *_ in fast(doc))


@pytest.mark.model
def test_the_models_ruler_is_matched_per_token() -> None:
    from kg.nlp.pipeline import load_pipeline

    ruler = load_pipeline().get_pipe("attribute_ruler")
    fast = vars(ruler).get("match")
    assert isinstance(fast, AttributeMatches) and fast.compiled is not None
    doc = load_pipeline()("Gunmen ain't gonna let the army in. Let's go, said the mayor.")
    assert fast(doc) == AttributeRuler.match(ruler, doc)
