"""Consistency checks for the actors reference table (data/actors/).

Stdlib ``csv`` + ``pycountry`` only, so the table can be checked without the project installed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

DATA = Path(__file__).parent.parent / "data" / "actors"
ACTORS = DATA / "actors.csv"
AFFILIATIONS = DATA / "affiliations.csv"
README = DATA / "README.md"

ACTOR_COLUMNS = [
    "id",
    "name",
    "type",
    "countries",
    "active_from",
    "active_to",
    "wikidata",
    "aliases",
    "source",
]
AFFILIATION_COLUMNS = ["actor", "relation", "other", "start", "end", "source"]
TYPES = {
    "state-forces",
    "rebel-group",
    "political-militia",
    "identity-militia",
    "rioters",
    "protesters",
    "civilians",
    "external-forces",
}
RELATIONS = {
    "branch-of",
    "affiliated-with",
    "faction-of",
    "splinter-of",
    "merged-into",
    "part-of",
    "allied-with",
}
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
YEAR_PATTERN = re.compile(r"^[12][0-9]{3}$")
DATE_PATTERN = re.compile(r"^[12][0-9]{3}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?$")
# Bare words that name a kind of actor, not an actor: the linker resolves them with context.
GENERIC_WORDS = {
    "army",
    "armies",
    "police",
    "guerrilla",
    "guerrillas",
    "rebel",
    "rebels",
    "militant",
    "militants",
    "soldier",
    "soldiers",
    "terrorist",
    "terrorists",
    "gunman",
    "gunmen",
    "military",
    "government",
    "armed forces",
    "troops",
    "insurgents",
    "jihadists",
    "militia",
    "militias",
    "bandits",
    "the army",
    "the police",
    "the military",
    "the government",
    "the guerrillas",
    "death squads",
    "terroristes",
    "militaires",
    "soldats",
    "armée",
    "djihadistes",
    "jihadistes",
    "guérilleros",
    "ejército",
    "policía",
    "guerrilleros",
    "terroristas",
    "militares",
    "soldados",
}
# Short function words of English, French and Spanish that an alias must never fold to:
# look-ups are case-insensitive, so an acronym spelled like one would fire on ordinary prose.
FUNCTION_WORDS = {
    "is",
    "as",
    "at",
    "an",
    "and",
    "or",
    "in",
    "on",
    "of",
    "to",
    "by",
    "it",
    "us",
    "we",
    "he",
    "far",
    "fact",
    "tip",
    "had",
    "let",
    "ant",
    "mend",
    "pip",
    "fan",
    "mas",
    "esa",
    "ese",
    "la",
    "le",
    "les",
    "el",
    "los",
    "las",
    "de",
    "del",
    "des",
    "du",
    "en",
    "et",
    "un",
    "une",
    "y",
    "que",
    "con",
    "por",
    "para",
    "contra",
    "mano",
    "pas",
    "sur",
}
CURRENT_YEAR_LIMIT = 2100


def fold(text: str) -> str:
    """Same key as the linker uses: case-, accent- and punctuation-insensitive."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        kept.append(char.lower() if char.isalnum() else " ")
    return " ".join("".join(kept).replace("’", " ").split())


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def actors() -> list[dict[str, str]]:
    header, rows = read(ACTORS)
    assert header == ACTOR_COLUMNS
    return rows


@pytest.fixture(scope="module")
def affiliations() -> list[dict[str, str]]:
    header, rows = read(AFFILIATIONS)
    assert header == AFFILIATION_COLUMNS
    return rows


def documented_ambiguous_aliases() -> set[str]:
    """Aliases listed in the README section "Deliberately ambiguous aliases" (one per bullet)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Deliberately ambiguous aliases", 1)
    assert len(section) == 2, "README must have a '## Deliberately ambiguous aliases' section"
    body = section[1].split("\n## ", 1)[0]
    return {fold(m) for m in re.findall(r"^- `([^`]+)`", body, flags=re.MULTILINE)}


def names_and_aliases(row: dict[str, str]) -> list[str]:
    return [row["name"], *[a for a in row["aliases"].split("|") if a.strip()]]


def test_files_are_utf8_and_not_empty(actors, affiliations):
    assert len(actors) > 100
    assert len(affiliations) > 20


def test_ids_unique_and_slugs(actors):
    ids = [row["id"] for row in actors]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    bad = [i for i in ids if not ID_PATTERN.match(i)]
    assert not bad, bad


def test_required_fields(actors):
    for row in actors:
        assert row["name"].strip(), row["id"]
        assert row["source"].strip(), row["id"]
        assert row["name"] == row["name"].strip(), row["id"]


def test_types(actors):
    bad = {row["id"]: row["type"] for row in actors if row["type"] not in TYPES}
    assert not bad, bad


def _valid_country(code: str) -> bool:
    if pycountry.countries.get(alpha_2=code) is not None:
        return True
    return any(c.alpha_2 == code for c in pycountry.historic_countries if hasattr(c, "alpha_2"))


def test_countries_are_iso_alpha2(actors):
    bad = {}
    for row in actors:
        if not row["countries"]:
            continue
        codes = row["countries"].split(";")
        assert len(codes) == len(set(codes)), row["id"]
        wrong = [c for c in codes if not re.fullmatch(r"[A-Z]{2}", c) or not _valid_country(c)]
        if wrong:
            bad[row["id"]] = wrong
    assert not bad, bad


def test_years(actors):
    for row in actors:
        years = {}
        for column in ("active_from", "active_to"):
            value = row[column]
            if value:
                assert YEAR_PATTERN.match(value), (row["id"], column, value)
                assert int(value) < CURRENT_YEAR_LIMIT, (row["id"], column, value)
                years[column] = int(value)
        if len(years) == 2:
            assert years["active_from"] <= years["active_to"], row["id"]


def test_wikidata_ids(actors):
    for row in actors:
        assert not row["wikidata"] or WIKIDATA_PATTERN.match(row["wikidata"]), row["id"]
    qids = [row["wikidata"] for row in actors if row["wikidata"]]
    assert len(qids) == len(set(qids))


def test_affiliations_reference_existing_actors(actors, affiliations):
    ids = {row["id"] for row in actors}
    for row in affiliations:
        assert row["actor"] in ids, row
        assert row["other"] in ids, row
        assert row["actor"] != row["other"], row
        assert row["relation"] in RELATIONS, row
        assert row["source"].strip(), row
        for column in ("start", "end"):
            assert not row[column] or DATE_PATTERN.match(row[column]), row
        if row["start"] and row["end"]:
            assert row["start"][:4] <= row["end"][:4], row


def test_affiliations_unique(affiliations):
    keys = [(r["actor"], r["relation"], r["other"]) for r in affiliations]
    assert len(keys) == len(set(keys))


def test_no_alias_shared_between_actors(actors):
    allowed = documented_ambiguous_aliases()
    owners: dict[str, set[str]] = defaultdict(set)
    for row in actors:
        for alias in names_and_aliases(row):
            owners[fold(alias)].add(row["id"])
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1 and k not in allowed}
    assert not shared, shared


def test_documented_ambiguous_aliases_really_are(actors):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in actors:
        for alias in names_and_aliases(row):
            owners[fold(alias)].add(row["id"])
    documented = documented_ambiguous_aliases()
    assert len(documented) <= 5, "keep deliberately ambiguous aliases near zero"
    for key in documented:
        assert len(owners.get(key, ())) > 1, f"{key!r} is documented as ambiguous but is not"


def test_no_generic_or_function_word_alias(actors):
    bad = {}
    for row in actors:
        for alias in names_and_aliases(row):
            key = fold(alias)
            if not key or key in GENERIC_WORDS or key in FUNCTION_WORDS or len(key) < 2:
                bad.setdefault(row["id"], []).append(alias)
    assert not bad, bad


def test_aliases_clean(actors):
    for row in actors:
        for alias in row["aliases"].split("|") if row["aliases"] else []:
            assert alias == alias.strip() and alias, (row["id"], alias)


def test_readme_counts_match(actors, affiliations):
    text = README.read_text(encoding="utf-8")
    wikidata = sum(1 for row in actors if row["wikidata"])
    assert f"{len(actors)} actors" in text
    assert f"{len(affiliations)} affiliations" in text
    assert f"{wikidata} Wikidata" in text
