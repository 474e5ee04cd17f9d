"""In-article coreference of names (kg.nlp.mentions), on hand-built Docs: no model needed."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

from kg.nlp.mentions import ArticleMentions, bracketed_forms
from kg.nlp.pipeline import ACTOR_LABEL


def _doc(text: str, ents: list[tuple[str, str, str]]) -> Doc:
    """``ents``: (phrase, label, id); each phrase marks its first occurrence after the last."""
    doc = spacy.blank("en")(text)
    spans, cursor = [], 0
    for phrase, label, ident in ents:
        start = text.index(phrase, cursor)
        cursor = start + len(phrase)
        span = doc.char_span(start, cursor, label=label, kb_id=ident)
        assert span is not None, phrase
        spans.append(Span(doc, span.start, span.end, label=label, span_id=ident))
    doc.ents = spans
    return doc


def _span(doc: Doc, phrase: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(phrase, start + 1)
    span = doc.char_span(start, start + len(phrase))
    assert span is not None
    return span


def test_a_shortened_name_gets_the_full_name_and_back() -> None:
    doc = _doc(
        "Gunmen killed Bernardo Jaramillo Ossa at the airport. Jaramillo Ossa was a candidate.",
        [("Bernardo Jaramillo Ossa", "PERSON", ""), ("Jaramillo Ossa", "PERSON", "")],
    )
    names = ArticleMentions(doc)
    assert names.person_forms(_span(doc, "Jaramillo Ossa", 1)) == ("Bernardo Jaramillo Ossa",)
    assert names.person_forms(_span(doc, "Bernardo Jaramillo Ossa")) == ("Jaramillo Ossa",)


def test_a_lone_surname_of_two_people_names_neither() -> None:
    doc = _doc(
        "Alan Garcia said that Jorge Garcia was shot. Garcia died.",
        [("Alan Garcia", "PERSON", ""), ("Jorge Garcia", "PERSON", "")],
    )
    assert ArticleMentions(doc).person_forms(_span(doc, "Garcia", 2)) == ()
    single = _doc(
        "Police said Jorge Garcia was shot. Garcia died.", [("Jorge Garcia", "PERSON", "")]
    )
    assert ArticleMentions(single).person_forms(_span(single, "Garcia", 1)) == ("Jorge Garcia",)


def test_titles_do_not_make_names_differ() -> None:
    doc = _doc(
        "Colonel Orlando Cepeda was wounded. Orlando Cepeda is in hospital.",
        [("Colonel Orlando Cepeda", "PERSON", ""), ("Orlando Cepeda", "PERSON", "")],
    )
    # the same words once titles are set aside: neither longer nor shorter
    assert ArticleMentions(doc).person_forms(_span(doc, "Orlando Cepeda", 1)) == ()


def test_bracketed_abbreviation_gives_both_forms() -> None:
    assert bracketed_forms("Farabundo Marti National Liberation Front (FMLN)") == (
        "Farabundo Marti National Liberation Front",
        "FMLN",
    )
    assert bracketed_forms("the FMLN") == ()


def test_a_linked_actor_collects_the_aliases_the_article_uses() -> None:
    text = "The Farabundo Marti National Liberation Front attacked. The FMLN later withdrew."
    doc = _doc(
        text,
        [
            ("Farabundo Marti National Liberation Front", ACTOR_LABEL, "fmln"),
            ("FMLN", ACTOR_LABEL, "fmln"),
        ],
    )
    span = _span(doc, "FMLN")
    assert ArticleMentions(doc).coreferent(span, "FMLN", "PERP_ORG", "fmln") == (
        "Farabundo Marti National Liberation Front",
    )
    assert ArticleMentions(doc).coreferent(span, "FMLN", "PERP_ORG", "other") == ()



def test_a_name_cut_short_is_written_out_with_census_names() -> None:
    from kg.nlp.mentions import written_out

    doc = _doc("THE JUDGE MARIA ELENA DIAZ PEREZ, OF MEDELLIN, WAS KILLED.", [])
    assert written_out(doc, _span(doc, "ELENA")) == "MARIA ELENA DIAZ PEREZ"
    # a title, a comma and words that are no names end the name
    assert written_out(doc, _span(doc, "MARIA ELENA DIAZ PEREZ")) is None
    other = _doc("GUERRILLAS KILLED XQZLOP YESTERDAY.", [])
    assert written_out(other, _span(other, "XQZLOP")) is None
