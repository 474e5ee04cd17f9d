"""Text normalisation before parsing: line wraps and all-capitals wire copy.

Offsets must survive: the normalised text always has the length of the original.
"""

from __future__ import annotations

from kg.nlp.textnorm import (
    Truecaser,
    is_hard_wrapped,
    is_upper_text,
    lower_same_length,
    unwrap_lines,
)

WRAPPED = (
    "SAN SALVADOR, 3 JAN 90 -- [TEXT] THE ARCE BATTALION COMMAND HAS REPORTED THAT ABOUT 50\n"
    "PEASANTS OF VARIOUS AGES HAVE BEEN KIDNAPPED BY TERRORISTS OF THE FARABUNDO MARTI\n"
    "NATIONAL LIBERATION FRONT [FMLN] IN SAN MIGUEL DEPARTMENT.\n"
    "\n"
    "   MEANWHILE, THREE SUBVERSIVES WERE KILLED AND SEVEN OTHERS WERE WOUNDED DURING\n"
    "CLASHES YESTERDAY IN USULUTAN AND MORAZAN DEPARTMENTS.\n"
)
WORDS = {
    "the",
    "has",
    "reported",
    "that",
    "about",
    "peasants",
    "of",
    "various",
    "ages",
    "have",
    "been",
    "kidnapped",
    "by",
    "terrorists",
    "in",
    "department",
    "meanwhile",
    "three",
    "were",
    "killed",
    "and",
    "seven",
    "others",
    "wounded",
    "during",
    "clashes",
    "yesterday",
    "departments",
    "subversives",
    "national",
    "liberation",
    "front",
    "command",
    "battalion",
    "text",
    "a",
    "bomb",
    "exploded",
    "at",
    "embassy",
    "gunmen",
}


def known(word: str) -> bool:
    return word in WORDS


def test_unwrap_keeps_length_and_paragraphs() -> None:
    assert is_hard_wrapped(WRAPPED)
    out = unwrap_lines(WRAPPED)
    assert len(out) == len(WRAPPED)
    assert "ABOUT 50 PEASANTS" in out  # a wrap is a space
    assert "DEPARTMENT.\n\n   MEANWHILE" in out  # a paragraph break stays


def test_prose_with_short_lines_is_not_unwrapped() -> None:
    text = "Rising Tensions in the Sahel\n\nGunmen attacked a village.\nThree died."
    assert not is_hard_wrapped(text)
    assert unwrap_lines(text) == text


def test_upper_text_detection() -> None:
    assert is_upper_text(WRAPPED)
    assert not is_upper_text("Gunmen attacked a village near Kaya on Monday, police said.")


def test_truecaser_restores_names_and_keeps_offsets() -> None:
    truecase = Truecaser(
        known, names=["San Miguel", "Farabundo Marti National Liberation Front"], acronyms=["FMLN"]
    )
    out = truecase(unwrap_lines(WRAPPED))
    assert len(out) == len(WRAPPED)
    assert "The Arce battalion command has reported" in out
    assert "kidnapped by terrorists of the Farabundo Marti National Liberation Front [FMLN]" in out
    assert "in San Miguel department." in out
    assert "Meanwhile, three subversives were killed" in out
    assert "in Usulutan and Morazan departments" in out  # unknown words are names
    assert "3 Jan 90" in out  # a month next to a number


def test_truecaser_sentence_starts_and_abbreviations() -> None:
    truecase = Truecaser(known)
    assert (
        truecase("A BOMB EXPLODED AT THE U.S. EMBASSY. GUNMEN")
        == "A bomb exploded at the U.S. embassy. Gunmen"
    )


def test_lower_same_length() -> None:
    text = "İSTANBUL ATTACK"  # 'İ'.lower() has two characters
    assert len(lower_same_length(text)) == len(text)
    assert lower_same_length("ABC Déf") == "abc déf"
