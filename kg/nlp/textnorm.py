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

    What a word is (acronym, unknown, strong, month) does not depend on where it stands, so it
    is worked out once per distinct word and remembered; only initials, months by a number
    and sentence starts are read from the text around each word.
    """

    def __init__(
        self,
        known_lower: Callable[[str], bool],
        names: Iterable[str] = (),
        acronyms: Iterable[str] = (),
        strong: Iterable[str] = (),
    ) -> None:
        name_words: set[str] = set()
        for name in names:
            words = _WORD.findall(name.lower())
            if words:
                name_words.add(" ".join(words))
        self._setup(
            known_lower,
            frozenset(name_words),
            frozenset(a.lower() for a in acronyms),
            frozenset(w.lower() for w in strong) - _NAME_PARTICLES,
        )

    @classmethod
    def from_tables(cls, known_lower: Callable[[str], bool], tables: TruecaseTables) -> Truecaser:
        """A truecaser from what :meth:`tables` gave (kept in the user's cache between runs:
        splitting some 150,000 names into words takes a good part of a second)."""
        names, name_lengths, acronyms, strong = tables
        truecaser = cls.__new__(cls)
        truecaser._setup(
            known_lower, frozenset(names), frozenset(acronyms), frozenset(strong), name_lengths
        )
        return truecaser

    def tables(self) -> TruecaseTables:
        """The names (their words joined by a space), the lengths of the names each word
        opens, the acronyms and the strong words, as plain data."""
        return (
            sorted(self.names),
            self._name_lengths,
            sorted(self.acronyms),
            sorted(self.strong),
        )

    def _setup(
        self,
        known_lower: Callable[[str], bool],
        names: frozenset[str],
        acronyms: frozenset[str],
        strong: frozenset[str],
        name_lengths: dict[str, tuple[int, ...]] | None = None,
    ) -> None:
        self.known_lower = known_lower
        self.names = names  # "farabundo marti national liberation front"
        self.acronyms = acronyms
        self.strong = strong
        if name_lengths is None:
            # the lengths (longest first, at most _MAX_NAME words) of the names each word
            # opens: most words open none
            lengths: dict[str, set[int]] = {}
            for name in names:
                words = name.split(" ")
                if len(words) <= _MAX_NAME:
                    lengths.setdefault(words[0], set()).add(len(words))
            name_lengths = {w: tuple(sorted(n, reverse=True)) for w, n in lengths.items()}
        self._name_lengths = name_lengths
        self._kinds: dict[str, int] = {}

    def _kind(self, word: str) -> int:
        """What a word is, wherever it stands (:data:`_ACRONYM` ... :data:`_MONTH` bits)."""
        kind = self._kinds.get(word)
        if kind is not None:
            return kind
        kind = 0
        if word in self.acronyms:
            kind |= _ACRONYM
        elif len(word) > 1 and not self.known_lower(word) and word not in _NAME_PARTICLES:
            if len(word) <= 4 and not any(v in word for v in "aeiouy"):
                kind |= _UNKNOWN_UPPER  # "fmln", "psd"
            else:
                kind |= _UNKNOWN
        if word in self.strong or word in _ALWAYS_CAPITAL:
            kind |= _STRONG
        if word in _MONTH_ABBREVIATIONS:
            kind |= _MONTH
        if len(self._kinds) >= _KINDS_MAX:
            self._kinds.clear()
        self._kinds[word] = kind
        return kind

    def _known_name(self, words: list[str], index: int) -> int:
        """How many words from ``index`` on make a known name (0: none)."""
        left = len(words) - index
        for size in self._name_lengths.get(words[index], ()):
            if size > left:
                continue
            if size == 1:
                if words[index] in self.names and not self.known_lower(words[index]):
                    return 1
            elif " ".join(words[index : index + size]) in self.names:
                return size
        return 0

    def __call__(self, text: str) -> str:
        low = lower_same_length(text)
        chars = list(low)
        spans = [m.span() for m in _WORD.finditer(low)]
        words = [low[start:end] for start, end in spans]
        capital = [False] * len(words)
        upper = [False] * len(words)
        # known multi-word names first
        name_lengths = self._name_lengths
        index = 0
        while index < len(words):
            size = self._known_name(words, index) if words[index] in name_lengths else 0
            for j in range(index, index + size):
                capital[j] = words[j] not in _NAME_PARTICLES or j == index
            index += max(size, 1)
        kind_of = self._kind
        for i, (start, end) in enumerate(spans):
            word = words[i]
            kind = kind_of(word)
            if kind & _ACRONYM or (
                len(word) == 1
                and low[end : end + 1] == "."
                and (word != "a" or low[start - 1 : start] == ".")
            ):
                upper[i] = True  # "fmln", "u.s.", initials
            elif not capital[i] and kind & (_UNKNOWN | _UNKNOWN_UPPER):
                if kind & _UNKNOWN_UPPER:
                    upper[i] = True
                else:
                    capital[i] = True
            if kind & _STRONG or (kind & _MONTH and _by_number(low, start, end)):
                capital[i] = True
            if capital[i] or upper[i]:
                continue  # a sentence start would change nothing
            before = low[start - 2 : start]
            if len(before) == 2 and before[1] == " " and before[0] not in _NOT_MID_SENTENCE:
                continue  # the common case, "... word": no sentence starts here
            if _sentence_start(low, start):
                capital[i] = True
        for i, (start, end) in enumerate(spans):
            if upper[i]:
                chars[start:end] = [
                    c.upper() if len(c.upper()) == 1 else c for c in chars[start:end]
                ]
            elif capital[i]:
                first = chars[start].upper()
                if len(first) == 1:
                    chars[start] = first
        return "".join(chars)


TruecaseTables = tuple[list[str], dict[str, tuple[int, ...]], list[str], list[str]]
_MAX_NAME = 6  # words: longer names are not looked for
_ACRONYM, _UNKNOWN, _UNKNOWN_UPPER, _STRONG, _MONTH = 1, 2, 4, 8, 16
_KINDS_MAX = 1 << 18  # distinct words remembered (MUC-4 dev has some 10,000)
# what may stand before the space before a word for _sentence_start to say anything but False
_NOT_MID_SENTENCE = frozenset(" \t\"'([“‘\n].!?:")


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
