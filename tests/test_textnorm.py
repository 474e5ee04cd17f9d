"""The truecaser's fast paths and its cached tables: the same text out as the plain rules.

``_plain_truecase`` is the truecaser as first written, word by word and position by
position; the one in :mod:`kg.nlp.textnorm` remembers what each word is and skips what
cannot change the result, and must give the same characters for any text.
"""

from __future__ import annotations

import logging
import marshal
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cache import CACHE_ENV
from kg.nlp import pipeline
from kg.nlp.pipeline import EnglishWords, LazyTruecaser
from kg.nlp.textnorm import (
    _ALWAYS_CAPITAL,
    _MONTH_ABBREVIATIONS,
    _NAME_PARTICLES,
    _WORD,
    Truecaser,
    _by_number,
    _sentence_start,
    lower_same_length,
)
from kg.reference import load_reference

KNOWN = EnglishWords(
    ["the", "a", "bomb", "exploded", "at", "embassy", "in", "of", "may", "march", "army", "san"]
)
NAMES = ["San Salvador", "Farabundo Marti National Liberation Front", "Santa Ana", "Army"]
ACRONYMS = ["FMLN", "x"]
STRONG = ["Salvador", "May"]


def _plain_truecase(
    text: str,
    known_lower: Callable[[str], bool],
    names: list[str],
    acronyms: list[str],
    strong: list[str],
) -> str:
    """The rules, applied word by word with nothing remembered."""
    strong_set = frozenset(w.lower() for w in strong) - _NAME_PARTICLES
    acronym_set = frozenset(a.lower() for a in acronyms)
    name_set: set[tuple[str, ...]] = set()
    max_name = 1
    for name in names:
        parts = tuple(_WORD.findall(name.lower()))
        if parts:
            name_set.add(parts)
            max_name = max(max_name, min(len(parts), 6))
    low = lower_same_length(text)
    chars = list(low)
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(low)]
    capital = [False] * len(words)
    upper = [False] * len(words)
    index = 0
    while index < len(words):
        for size in range(min(max_name, len(words) - index), 0, -1):
            key = tuple(w for _, _, w in words[index : index + size])
            if key in name_set and (size > 1 or not known_lower(key[0])):
                for j in range(index, index + size):
                    capital[j] = key[j - index] not in _NAME_PARTICLES or j == index
                index += size - 1
                break
        index += 1
    for i, (start, end, word) in enumerate(words):
        if word in acronym_set or (
            len(word) == 1
            and low[end : end + 1] == "."
            and (word != "a" or low[start - 1 : start] == ".")
        ):
            upper[i] = True
        elif (
            not capital[i]
            and len(word) > 1
            and not known_lower(word)
            and word not in _NAME_PARTICLES
        ):
            if len(word) <= 4 and not any(v in word for v in "aeiouy"):
                upper[i] = True
            else:
                capital[i] = True
        if (
            word in strong_set
            or word in _ALWAYS_CAPITAL
            or (word in _MONTH_ABBREVIATIONS and _by_number(low, start, end))
        ):
            capital[i] = True
        if _sentence_start(low, start):
            capital[i] = True
    for i, (start, end, _word) in enumerate(words):
        if upper[i]:
            chars[start:end] = [c.upper() if len(c.upper()) == 1 else c for c in chars[start:end]]
        elif capital[i]:
            first = chars[start].upper()
            if len(first) == 1:
                chars[start] = first
    return "".join(chars)


_WORDS = "SAN SALVADOR SANTA ANA FARABUNDO MARTI NATIONAL LIBERATION FRONT FMLN THE A BOMB"
_MORE = "EXPLODED AT U.S. EMBASSY IN OF MAY MARCH 4 90 PSD USULUTAN X ARMY DE İSTANBUL MR."
_BETWEEN = (" ", " ", " ", "  ", ". ", ", ", "\n", "\n\n", '"', "(", ")", "[TEXT] ", "-- ")
_PIECES = st.sampled_from(
    [*_WORDS.split(" "), *_MORE.split(" "), *_BETWEEN, "] ", "[", ":", "?", "'", "“", "\t"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_the_truecaser_gives_what_the_plain_rules_give(pieces: list[str]) -> None:
    text = "".join(pieces)
    truecase = Truecaser(KNOWN, NAMES, ACRONYMS, STRONG)
    expected = _plain_truecase(text, KNOWN, NAMES, ACRONYMS, STRONG)
    assert truecase(text) == expected
    assert truecase(text) == expected  # and again, from what it remembered


def test_the_tables_round_trip_as_plain_data() -> None:
    truecase = Truecaser(KNOWN, NAMES, ACRONYMS, STRONG)
    tables = marshal.loads(marshal.dumps(truecase.tables()))
    copy = Truecaser.from_tables(KNOWN, tables)
    text = "SAN SALVADOR, 4 MAY 90 -- THE FARABUNDO MARTI NATIONAL LIBERATION FRONT [FMLN]."
    assert copy(text) == truecase(text) == _plain_truecase(text, KNOWN, NAMES, ACRONYMS, STRONG)
    assert "San Salvador, 4 May 90 -- the Farabundo Marti National" in copy(text)


# --------------------------------------------------------------------------- the cache


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("truecase-*.marshal"))


def test_the_tables_are_cached_and_made_again_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    reference = load_reference()
    text = "GUERRILLAS ATTACKED SAN SALVADOR AND SANTA ANA, THE FMLN SAID IN PARIS."
    made = LazyTruecaser(KNOWN, reference)()  # makes the tables and writes them
    (entry,) = _entries(tmp_path)

    def no_names(*args: object) -> object:
        raise AssertionError("the tables should have come from the cache")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "truecase_names", no_names)
        cached = LazyTruecaser(KNOWN, reference)()
    assert cached(text) == made(text)
    assert cached.names == made.names and cached.acronyms == made.acronyms
    assert cached.strong == made.strong and cached._name_lengths == made._name_lengths
    # a damaged entry: a warning, the tables made again and written anew
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="kg.cache"):
        again = LazyTruecaser(KNOWN, reference)()
    assert "damaged cache file" in caplog.text
    assert again(text) == made(text)
    assert _entries(tmp_path)[0].read_bytes() != bytes(data)


def test_an_entry_of_another_shape_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from kg import cache as user_cache

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    reference = load_reference()
    user_cache.write("truecase", pipeline.truecase_cache_key(reference), ["not", "tables"])
    with caplog.at_level(logging.WARNING, logger="kg.nlp.pipeline"):
        truecase = LazyTruecaser(KNOWN, reference)()
    assert "not what this version writes" in caplog.text
    assert truecase("THE FMLN EXPLODED A BOMB") == "The FMLN exploded a bomb"


def test_a_turned_off_cache_only_means_making_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    truecase = LazyTruecaser(KNOWN, load_reference())()
    assert truecase("THE FMLN EXPLODED A BOMB") == "The FMLN exploded a bomb"
