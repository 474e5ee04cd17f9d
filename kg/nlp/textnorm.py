"""Character-for-character normalisation of article text before parsing.

The statistical model reads the normalised text; every offset stays valid for the original
(``len(normalised) == len(original)`` always), so evidence and mentions are cut from the
article as it stands. Two things are normalised:

- **layout**: wire copy is hard-wrapped at ~75 columns. A newline that only wraps a line is
  read as a space; a newline before an indented line or a blank line stays a paragraph break.
- **case**: an article written in capitals (MUC-4, many agency wires) is read in lower case
  with capitals restored where English puts them: sentence starts, names the reference tables
  or the gazetteer know, acronyms, and words no English dictionary lists (most of them names).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_WRAP_MIN = 40  # a shorter line that closes a sentence ends a paragraph


def _lower_char(char: str) -> str:
    low = char.lower()
    return low if len(low) == 1 else char


def lower_same_length(text: str) -> str:
    """``text.lower()`` without the few characters whose lower case has another length."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(_lower_char(c) for c in text)


def is_upper_text(text: str, threshold: float = 0.85) -> bool:
    """True when (nearly) all letters are capitals: the text needs truecasing."""
    letters = [c for c in text[:5000] if c.isalpha()]
    if len(letters) < 20:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= threshold


def is_hard_wrapped(text: str) -> bool:
    lines = text.split("\n")
    if len(lines) < 4:
        return False
    lengths = [len(line.rstrip()) for line in lines[:-1] if line.strip()]
    if not lengths:
        return False
    long = sum(1 for n in lengths if 50 <= n <= 100)
    return long / len(lengths) >= 0.6 and max(lengths) <= 110


def unwrap_lines(text: str) -> str:
    """Turn line-wrap newlines into spaces; keep paragraph breaks (blank or indented line)."""
    if "\n" not in text or not is_hard_wrapped(text):
        return text
    chars = list(text)
    line_start = 0
    for index, char in enumerate(text):
        if char != "\n":
            continue
        line = text[line_start:index]
        line_start = index + 1
        after = text[index + 1 : index + 2]
        if not after or after in "\n\r\t ":
            continue  # a blank or an indented line: a new paragraph
        # a short line that closes a sentence ends a paragraph; the first line of a body cut
        # after its date line is short only because it started mid-line
        short = len(line.rstrip()) < _WRAP_MIN and line_start - len(line) - 1 > 0
        if short and line.rstrip().endswith((".", "!", "?", ":", '"')):
            continue
        if line.rstrip().endswith(("--", ":")) and after == "[":
            continue
        chars[index] = " "
    return "".join(chars)


class Truecaser:
    """Restore plausible capitals to an all-capitals text, character for character.

    ``known_lower`` tells whether a lower-case word is ordinary English (then it stays lower
    case); ``names`` are lower-case word sequences always written with capitals (places,
    actors); ``acronyms`` are lower-case words written in capitals ("fmln").
    """

    def __init__(
        self,
        known_lower: Callable[[str], bool],
        names: Iterable[str] = (),
        acronyms: Iterable[str] = (),
        strong: Iterable[str] = (),
    ) -> None:
        self.known_lower = known_lower
        self.strong = frozenset(w.lower() for w in strong) - _NAME_PARTICLES
        self.acronyms = frozenset(a.lower() for a in acronyms)
        self.name_words: set[str] = set()
        self.names: set[tuple[str, ...]] = set()
        self.max_name = 1
        for name in names:
            words = tuple(_WORD.findall(name.lower()))
            if words:
                self.names.add(words)
                self.max_name = max(self.max_name, min(len(words), 6))

    def __call__(self, text: str) -> str:
        low = lower_same_length(text)
        chars = list(low)
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(low)]
        capital = [False] * len(words)
        upper = [False] * len(words)
        # known multi-word names first
        index = 0
        while index < len(words):
            for size in range(min(self.max_name, len(words) - index), 0, -1):
                key = tuple(w for _, _, w in words[index : index + size])
                if key in self.names and (size > 1 or not self.known_lower(key[0])):
                    for j in range(index, index + size):
                        capital[j] = key[j - index] not in _NAME_PARTICLES or j == index
                    index += size - 1
                    break
            index += 1
        for i, (start, _end, word) in enumerate(words):
            if word in self.acronyms or (
                len(word) == 1
                and low[_end : _end + 1] == "."
                and (word != "a" or low[start - 1 : start] == ".")
            ):
                upper[i] = True  # "fmln", "u.s.", initials
            elif (
                not capital[i]
                and len(word) > 1
                and not self.known_lower(word)
                and word not in _NAME_PARTICLES
            ):
                if len(word) <= 4 and not any(v in word for v in "aeiouy"):
                    upper[i] = True  # "fmln", "psd"
                else:
                    capital[i] = True
            if (
                word in self.strong
                or word in _ALWAYS_CAPITAL
                or (word in _MONTH_ABBREVIATIONS and _by_number(low, start, _end))
            ):
                capital[i] = True
            if _sentence_start(low, start):
                capital[i] = True
        for i, (start, end, _word) in enumerate(words):
            if upper[i]:
                chars[start:end] = [
                    c.upper() if len(c.upper()) == 1 else c for c in chars[start:end]
                ]
            elif capital[i]:
                first = chars[start].upper()
                if len(first) == 1:
                    chars[start] = first
        return "".join(chars)


_ALWAYS_CAPITAL = frozenset(
    {
        "january",
        "february",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    }
)
_MONTH_ABBREVIATIONS = frozenset(
    {
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "march",
    }
)


def _by_number(text: str, start: int, end: int) -> bool:
    """A month word next to a day or year number ("4 feb 90", "march 21")."""
    before = text[max(0, start - 4) : start].strip()
    after = text[end : end + 4].strip()
    return bool(before[-1:].isdigit() or after[:1].isdigit())


_NAME_PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "el",
        "y",
        "da",
        "do",
        "dos",
        "of",
        "the",
        "al",
        "ben",
        "bin",
        "van",
        "von",
        "du",
        "des",
        "le",
    }
)


def _sentence_start(text: str, start: int) -> bool:
    """A word that opens the text, a paragraph, a quotation or a sentence."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'([“‘":
        i -= 1
    if i < 0:
        return True
    if text[i] == "\n":
        return True
    if text[i] == "]":
        # "-- [TEXT] THE ARMY ...": a bracketed heading ends; "THE FMLN] ATTACKED" goes on
        j = text.rfind("[", 0, i)
        k = j - 1
        while k >= 0 and text[k] in " \t":
            k -= 1
        return j >= 0 and (k < 0 or text[k] in "-\n.]")
    if text[i] in ".!?:":
        # "u.s. embassy": an abbreviation's full stop ends no sentence
        j = i - 1
        while j >= 0 and text[j].isalpha():
            j -= 1
        token = text[j + 1 : i]
        return not (text[i] == "." and (len(token) == 1 or token in _ABBREVIATIONS))
    return False


_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "col",
        "lt",
        "maj",
        "capt",
        "sgt",
        "st",
        "no",
        "nos",
        "jr",
        "sr",
        "msgr",
        "rev",
        "gov",
        "sen",
        "rep",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "prof",
        "pres",
        "adm",
        "cmdr",
        "brig",
        "fr",
        "mt",
        "ft",
    }
)
