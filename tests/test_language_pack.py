"""Language packs (kg/lang): what is English is data in one folder, read by code that is not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.lang import LanguagePack, language

KG = Path(__file__).resolve().parents[1] / "kg"


def test_the_english_pack_reads_its_four_kinds_of_entry() -> None:
    pack = language("en")
    assert "gunman" in pack.armed_nouns and isinstance(pack.armed_nouns, frozenset)
    assert pack.phrase_triggers[("set", "fire")] == "arson"
    assert pack.verb_triggers["ambush"] == "attack"
    assert pack.suicide_cues.search("a SUICIDE bomber")  # (?i) in the file
    match = pack.settlement_cue.search("Gunmen stormed the villages of Kolo and Dara at dawn.")
    assert match and match.group(1) == "Kolo"


def test_a_missing_entry_or_pack_is_named_in_the_error() -> None:
    with pytest.raises(AttributeError, match="no entry 'no_such_words'"):
        _ = language("en").no_such_words
    with pytest.raises(LookupError, match=r"no language pack for 'xx'.*available: en"):
        language("xx")


def test_a_pack_is_built_from_tables_alone() -> None:
    pack = LanguagePack("fr", {
        "words": {"armed_nouns": ["assaillant", "djihadiste"]},
        "pairs": {"phrase_triggers": [["mettre", "feu", "arson"]]},
        "patterns": {"suicide_cues": "(?i)\\bkamikaze\\b"},
    })
    assert pack.armed_nouns == {"assaillant", "djihadiste"}
    assert pack.phrase_triggers == {("mettre", "feu"): "arson"}
    assert pack.suicide_cues.search("un KAMIKAZE")


def test_no_module_outside_the_packs_holds_its_own_english_word_list() -> None:
    """The extractor, the assembly and the resolver read their words from a pack."""
    for path in KG.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"from kg\.nlp import english|kg\.nlp\.english", text), path
