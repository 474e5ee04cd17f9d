"""Other mentions of an entity in the same article: in-article coreference of names.

A role filler is one span, but the article often names the same entity again, longer or
shorter: "Bernardo Jaramillo Ossa ... Jaramillo", "the Farabundo Marti National Liberation
Front (FMLN) ... the FMLN". Every mention is kept on the entity, so that each one can be traced
to its text and matched against other reports. The evidence, each kind conservative:

- a person's name and the longer or shorter forms of it in the article's PERSON entities
  (a single word only when the longer names containing it are one name);
- a name written with its abbreviation in brackets gives both;
- a reference actor linked by the entity ruler gives every alias of it the article uses;
- a target named again with the same head noun ("the U.S. embassy ... the embassy"), the shorter
  form only when nothing else in the article has that head noun;
- a person's name the parse cut short, written out over the census given names and surnames
  beside it.
"""

from __future__ import annotations

import re
from functools import cache, cached_property

from spacy.tokens import Doc, Span, Token

from kg.nlp.fillers import TITLES
from kg.nlp.pipeline import ACTOR_LABEL, surface
from kg.reference import fold

_BRACKETED = re.compile(r"^(?P<name>.+?)\s*[(\[]\s*(?P<short>[^()\[\]]+?)\s*[)\]]$")
_TITLES = TITLES | {"lieutenant", "sergeant"}  # titles are no part of a name
PERSON_LABELS = {"VICTIM", "PERP_IND", "HUMAN"}


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in fold(text).split() if w.isalnum() and w not in _TITLES)


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return 0 < n <= len(longer) and any(
        longer[i : i + n] == shorter for i in range(len(longer) - n + 1)
    )


def bracketed_forms(text: str) -> tuple[str, ...]:
    """ "Farabundo Marti National Liberation Front (FMLN)" -> the name and the abbreviation."""
    found = _BRACKETED.match(text)
    if found is None:
        return ()
    return tuple(f for f in (found["name"].strip(), found["short"].strip()) if f)


@cache
def census_names() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Given names, the most frequent surnames and all surnames of the 1990 US census, as the
    ``names`` package ships them."""
    from importlib.resources import files

    root = files("names")

    def read(*filenames: str) -> dict[str, int]:
        """name -> rank by frequency (the census files list names most frequent first)"""
        ranks: dict[str, int] = {}
        for filename in filenames:
            for line in (root / filename).read_text(encoding="ascii").splitlines():
                if line.strip():
                    ranks.setdefault(line.split()[0].lower(), int(line.split()[3]))
        return ranks

    return (
        frozenset(read("dist.male.first", "dist.female.first")),
        frozenset(w for w, rank in read("dist.all.last").items() if rank <= _COMMON_SURNAME),
        frozenset(read("dist.all.last")),
    )


_COMMON_SURNAME = 200  # "garcia", "rivera": surnames first, whatever else they are


def _name_word(token: Token) -> bool:
    """A given name, a common surname, or a surname the text (or the truecaser) capitalises."""
    word = token.lower_
    if not token.is_alpha or token.is_stop or word in _TITLES or token.pos_ == "ADJ":
        return False
    given, common, surnames = census_names()
    return word in given or word in common or (word in surnames and token.text[:1].isupper())


def written_out(doc: Doc, span: Span) -> str | None:
    """The whole name where the parse cut it short: "MARIA ELENA DIAZ [PEREZ]" in capitals,
    where the truecaser left a surname that is also an English word in lower case."""
    start, end = span.start, span.end
    while start > 0 and _name_word(doc[start - 1]) and doc[start - 1].whitespace_ == " ":
        start -= 1
    while end < len(doc) and _name_word(doc[end]) and doc[end - 1].whitespace_ == " ":
        end += 1
    if (start, end) == (span.start, span.end):
        return None
    return surface(doc, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))


class ArticleMentions:
    """The article's person names, actor aliases and noun phrases by head noun, read once."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.persons: dict[tuple[str, ...], str] = {}
        self.actors: dict[str, list[str]] = {}
        for ent in doc.ents:
            text = surface(doc, ent.start_char, ent.end_char)
            if ent.label_ == "PERSON":
                words = _words(ent.text)
                if words:
                    self.persons.setdefault(words, text)
            elif ent.label_ == ACTOR_LABEL and ent.ent_id_:
                aliases = self.actors.setdefault(ent.ent_id_, [])
                if text not in aliases:
                    aliases.append(text)

    @cached_property
    def phrases(self) -> dict[str, dict[tuple[str, ...], str]]:
        """The article's common-noun phrases by the lemma of their head, read when a thing
        hit is first looked up (the noun chunks are the costliest part of the article)."""
        doc = self.doc
        phrases: dict[str, dict[tuple[str, ...], str]] = {}
        if not doc.has_annotation("DEP"):
            return phrases
        for chunk in doc.noun_chunks:
            if chunk.root.pos_ == "PROPN":
                continue
            words, start, end = _chunk_words(chunk)
            if words:
                last = doc[end - 1]
                phrases.setdefault(chunk.root.lemma_.lower(), {}).setdefault(
                    words, surface(doc, doc[start].idx, last.idx + len(last))
                )
        return phrases

    def person_forms(self, span: Span) -> tuple[str, ...]:
        """The longer and shorter forms of the person's name that span is, among PERSON ents."""
        names = self.persons
        mine = _words(span.text)
        if not mine:
            return ()
        longer = [w for w in names if len(w) > len(mine) and _contains(w, mine)]
        if len(mine) == 1 and longer:
            longest = max(longer, key=len)
            if not all(_contains(longest, w) for w in longer):
                return ()  # a lone surname shared by two people names neither
        out = [names[w] for w in longer]
        if len(mine) >= 2:
            # shorter forms of two words or more: one word alone could be anybody's
            out += [
                text
                for words, text in names.items()
                if len(words) < len(mine) and _contains(mine, words) and len(words) >= 2
            ]
        return tuple(dict.fromkeys(out))

    def actor_forms(self, actor_id: str) -> tuple[str, ...]:
        """Every alias of a linked reference actor that the article uses."""
        return tuple(self.actors.get(actor_id, ()))

    def object_forms(self, span: Span) -> tuple[str, ...]:
        """The same thing named again with the same head noun, longer or shorter: "the U.S.
        embassy ... the embassy". A shorter form only when no other thing shares the head."""
        mine = tuple(t.lower_ for t in span if _wordlike(t))
        if not mine:
            return ()
        same_head = {
            w: text
            for w, text in self.phrases.get(span.root.lemma_.lower(), {}).items()
            if w != mine
        }
        longer = [w for w in same_head if len(w) > len(mine) and w[-len(mine) :] == mine]
        shorter = [w for w in same_head if len(w) < len(mine) and mine[-len(w) :] == w]
        others = [w for w in same_head if w not in longer and w not in shorter]
        nested = all(v[-len(w) :] == w or w[-len(v) :] == v for v in longer for w in longer)
        out = [same_head[w] for w in longer] if nested else []
        if not others and not longer:
            out += [same_head[w] for w in shorter]
        return tuple(dict.fromkeys(out))

    def coreferent(
        self, span: Span, text: str, label: str, actor_id: str | None
    ) -> tuple[str, ...]:
        """Other mentions of the entity ``span`` (written ``text``) names, without ``text``."""
        found: list[str] = list(bracketed_forms(text))
        if label in PERSON_LABELS and not actor_id:
            longer = written_out(self.doc, span)
            if longer is not None:
                found.append(longer)
            found += self.person_forms(span)
        if actor_id:
            found += self.actor_forms(actor_id)
        if label == "TARGET":
            found += self.object_forms(span)
        own = fold(text)
        return tuple(dict.fromkeys(m for m in found if fold(m) != own))


_DETERMINERS = {"det", "poss", "predet", "case", "punct", "nummod"}


def _wordlike(token: Token) -> bool:
    return any(c.isalnum() for c in token.text)


def _chunk_words(chunk: Span) -> tuple[tuple[str, ...], int, int]:
    """A noun phrase's words without its determiners, and its start and end without them."""
    start = chunk.start
    while start < chunk.end - 1 and chunk.doc[start].dep_ in _DETERMINERS:
        start += 1
    words = tuple(t.lower_ for t in chunk.doc[start : chunk.end] if _wordlike(t))
    return words, start, chunk.end
