"""Checks on the weapons reference table and the country demonym table.

Only the standard library and pycountry are used: these tests guard the data
files themselves, whatever code later reads them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pycountry
import pytest

DATA = Path(__file__).parent.parent / "data"
WEAPONS_CSV = DATA / "weapons" / "weapons.csv"
DEMONYMS_CSV = DATA / "countries" / "demonyms.csv"

WEAPON_COLUMNS = [
    "id",
    "name",
    "specificity",
    "family",
    "category",
    "design_origin",
    "manufacturer",
    "manufacturer_country",
    "wikidata",
    "aliases",
    "source",
]
DEMONYM_COLUMNS = ["alpha2", "country", "adjectives", "source"]
SPECIFICITIES = {"model", "family", "generic"}
CATEGORIES = {
    "small-arms",
    "light-weapons",
    "heavy-weapons",
    "ammunition",
    "explosives",
    "vehicles",
    "aircraft",
    "other",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID = re.compile(r"^Q[1-9][0-9]*$")
HISTORIC = {"SU": "Soviet Union", "YU": "Yugoslavia", "CS": "Czechoslovakia", "DD": "East Germany"}

# The weapons named in the two seed articles, with the family row each must hang from.
SEED_MODELS = {
    "zastava-m05e1": "zastava-m05",
    "zastava-m70ab2": "zastava-m70",
    "type-56": "ak-47",
    "rpg-7": None,
    "pg-7v": "pg-7",
}


def _read(path: Path, columns: list[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == columns, f"{path.name}: header {reader.fieldnames}"
        rows = list(reader)
    assert rows, f"{path.name} is empty"
    for number, row in enumerate(rows, start=2):
        assert None not in row, f"{path.name} line {number}: too many fields"
        assert all(value is not None for value in row.values()), f"line {number}: too few fields"
    return rows


@pytest.fixture(scope="module")
def weapons() -> list[dict[str, str]]:
    return _read(WEAPONS_CSV, WEAPON_COLUMNS)


@pytest.fixture(scope="module")
def demonyms() -> list[dict[str, str]]:
    return _read(DEMONYMS_CSV, DEMONYM_COLUMNS)


def _pycountry_names() -> set[str]:
    names: set[str] = set()
    for country in list(pycountry.countries) + list(pycountry.historic_countries):
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.add(value)
    return names


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key, as the linker compares aliases."""
    kept = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        kept.append(char.lower() if char.isalnum() else " ")
    return " ".join("".join(kept).split())


def _aliases(row: dict[str, str]) -> list[str]:
    return [alias for alias in row["aliases"].split("|") if alias]


# ---------------------------------------------------------------- weapons.csv


def test_weapon_ids_unique_and_slugs(weapons):
    ids = [row["id"] for row in weapons]
    assert len(ids) == len(set(ids)), "duplicate ids"
    bad = [i for i in ids if not SLUG.match(i)]
    assert not bad, f"ids that are not lowercase ASCII slugs: {bad}"


def test_weapon_required_text(weapons):
    for row in weapons:
        assert row["name"].strip() == row["name"] and row["name"], row["id"]
        assert row["source"].strip(), f"{row['id']}: no source"
        assert _aliases(row), f"{row['id']}: no aliases"


def test_weapon_vocabularies(weapons):
    for row in weapons:
        assert row["specificity"] in SPECIFICITIES, (row["id"], row["specificity"])
        assert row["category"] in CATEGORIES, (row["id"], row["category"])


def test_generic_rows_have_no_origin(weapons):
    for row in weapons:
        if row["specificity"] == "generic":
            assert not row["design_origin"], row["id"]
            assert not row["manufacturer"], row["id"]


def test_family_references_exist_without_cycles(weapons):
    parent = {row["id"]: row["family"] for row in weapons}
    for child, family in parent.items():
        assert family != child, f"{child} is its own family"
        assert not family or family in parent, f"{child}: unknown family {family!r}"
    for start in parent:
        seen = {start}
        node = parent[start]
        while node:
            assert node not in seen, f"family cycle through {start}"
            seen.add(node)
            node = parent[node]


def test_countries_resolve(weapons, demonyms):
    known = _pycountry_names() | {row["country"] for row in demonyms}
    for row in weapons:
        for column in ("design_origin", "manufacturer_country"):
            value = row[column]
            assert not value or value in known, f"{row['id']}: {column} {value!r} unknown"


def test_manufacturer_country_needs_no_orphan_name(weapons):
    # A named manufacturer always comes with its country.
    for row in weapons:
        if row["manufacturer"]:
            assert row["manufacturer_country"], row["id"]


def test_wikidata_ids(weapons):
    for row in weapons:
        assert not row["wikidata"] or QID.match(row["wikidata"]), (row["id"], row["wikidata"])
    qids = [row["wikidata"] for row in weapons if row["wikidata"]]
    assert len(qids) == len(set(qids)), "one Wikidata item on two rows"


def test_aliases_not_shared(weapons):
    owner: dict[str, str] = {}
    for row in weapons:
        aliases = _aliases(row)
        assert all(alias == alias.strip() for alias in aliases), row["id"]
        for alias in aliases:
            key = alias.casefold()
            assert owner.get(key, row["id"]) == row["id"], (
                f"alias {alias!r} on both {owner[key]} and {row['id']}"
            )
            owner[key] = row["id"]


def test_aliases_not_shared_after_folding(weapons):
    # "AK-47" and "AK 47" are one key for the linker: the same key must not name two rows.
    owner: dict[str, str] = {}
    for row in weapons:
        for alias in _aliases(row):
            key = _fold(alias)
            assert key, f"{row['id']}: alias {alias!r} folds to nothing"
            assert owner.get(key, row["id"]) == row["id"], (
                f"alias {alias!r} folds onto {owner[key]} and {row['id']}"
            )
            owner[key] = row["id"]


def test_seed_models_present(weapons):
    by_id = {row["id"]: row for row in weapons}
    for model, family in SEED_MODELS.items():
        assert model in by_id, f"seed model {model} missing"
        row = by_id[model]
        assert row["specificity"] == "model", model
        assert row["design_origin"], model
        if family:
            assert row["family"] == family, (model, row["family"])
            assert by_id[family]["specificity"] in {"model", "family"}, family
    assert by_id["ak-47"]["specificity"] == "family"
    assert by_id["pg-7v"]["category"] == "ammunition"
    assert by_id["rpg-7"]["category"] == "light-weapons"
    assert by_id["zastava-m05e1"]["design_origin"] == "Serbia"
    assert by_id["type-56"]["design_origin"] == "China"


def test_seed_mentions_have_an_alias(weapons):
    # Each weapon phrase of the seed articles is found, case-insensitively, as an alias.
    aliases = {alias.casefold() for row in weapons for alias in _aliases(row)}
    for phrase in ("Zastava M05E1", "RPG-7", "PG-7V", "Type 56", "Zastava M70AB2", "AK-47", "M-16"):
        assert phrase.casefold() in aliases, phrase


# ---------------------------------------------------------------- demonyms.csv


def test_demonym_codes_valid(demonyms):
    codes = [row["alpha2"] for row in demonyms]
    assert len(codes) == len(set(codes)), "duplicate alpha2"
    for row in demonyms:
        code = row["alpha2"]
        if code in HISTORIC:
            assert row["country"] == HISTORIC[code], code
            assert any(c.alpha_2 == code for c in pycountry.historic_countries), code
            continue
        country = pycountry.countries.get(alpha_2=code)
        assert country is not None, f"unknown alpha2 {code}"
        expected = getattr(country, "common_name", None) or country.name
        assert row["country"] == expected, (code, row["country"], expected)


def test_demonyms_cover_members_and_historic_states(demonyms):
    codes = {row["alpha2"] for row in demonyms}
    assert set(HISTORIC) <= codes
    assert len(codes) >= 193 + len(HISTORIC)


def test_demonym_adjectives_not_shared(demonyms):
    owner: dict[str, str] = {}
    for row in demonyms:
        assert row["source"].strip(), row["alpha2"]
        for adjective in filter(None, row["adjectives"].split("|")):
            assert adjective == adjective.strip(), row["alpha2"]
            key = _fold(adjective)
            assert owner.get(key, row["alpha2"]) == row["alpha2"], (
                f"adjective {adjective!r} on both {owner[key]} and {row['alpha2']}"
            )
            owner[key] = row["alpha2"]


@pytest.mark.parametrize("adjective", ["Congolese", "Guinean", "Korean"])
def test_ambiguous_adjectives_left_out(demonyms, adjective):
    listed = {a.casefold() for row in demonyms for a in row["adjectives"].split("|")}
    assert adjective.casefold() not in listed


@pytest.mark.parametrize(
    ("adjective", "code"),
    [
        ("Serbian", "RS"),
        ("Bulgarian", "BG"),
        ("Chinese", "CN"),
        ("Burkinabe", "BF"),
        ("Nigerien", "NE"),
        ("Nigerian", "NG"),
        ("Soviet", "SU"),
        ("Yugoslav", "YU"),
        ("Malian", "ML"),
        ("Salvadoran", "SV"),
    ],
)
def test_key_adjectives(demonyms, adjective, code):
    by_code = {row["alpha2"]: row["adjectives"].split("|") for row in demonyms}
    assert adjective in by_code[code]
