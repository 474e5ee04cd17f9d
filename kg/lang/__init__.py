"""Language packs: the words and patterns that make the extractor read one language.

Each pack is a folder holding ``lexicon.toml`` (``kg/lang/en/`` for English), with four
tables: ``words`` (sets of words), ``pairs`` (verb + object phrases), ``patterns`` (regular
expressions) and ``maps`` (word -> code). Language-neutral code asks for a pack by its code
and reads its entries as attributes (``language("en").armed_nouns``), so that a French pack
can sit beside the English one without a change to that code.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

DEFAULT = "en"


class LanguagePack:
    """The entries of one ``lexicon.toml``: frozensets, dicts and compiled patterns."""

    def __init__(self, code: str, tables: dict[str, Any]) -> None:
        self.code = code
        entries: dict[str, Any] = {}
        for name, items in tables.get("words", {}).items():
            entries[name] = frozenset(items)
        for name, rows in tables.get("pairs", {}).items():
            entries[name] = {(verb, noun): family for verb, noun, family in rows}
        for name, pattern in tables.get("patterns", {}).items():
            entries[name] = re.compile(pattern)
        for name, mapping in tables.get("maps", {}).items():
            entries[name] = dict(mapping)
        self._entries = entries

    def __getattr__(self, name: str) -> Any:
        try:
            return self._entries[name]
        except KeyError:
            raise AttributeError(f"language pack {self.code!r} has no entry {name!r}") from None

    def __dir__(self) -> list[str]:
        return sorted(self._entries)


@cache
def language(code: str = DEFAULT) -> LanguagePack:
    """The language pack of ``code`` (an ISO 639-1 code such as ``"en"``)."""
    folder = resources.files("kg.lang") / code
    lexicon = folder / "lexicon.toml"
    if not lexicon.is_file():
        available = sorted(p.name for p in resources.files("kg.lang").iterdir() if p.is_dir()
                           and (p / "lexicon.toml").is_file())
        raise LookupError(f"no language pack for {code!r} (available: {', '.join(available)})")
    return LanguagePack(code, tomllib.loads(lexicon.read_text(encoding="utf-8")))
