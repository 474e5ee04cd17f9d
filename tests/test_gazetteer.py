"""The places gazetteer: real look-ups against the shipped table, and fold() properties."""

from __future__ import annotations

import logging
import math
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg import cache as user_cache
from kg.cache import CACHE_ENV
from kg.gazetteer import COLUMNS, LEVELS, Gazetteer, Place, fold, haversine_km, load_gazetteer

KAYA = "geonames:2359608"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def test_load_is_cached_and_substantial(gaz: Gazetteer) -> None:
    assert load_gazetteer() is gaz
    assert len(gaz) > 150_000
    assert {p.level for p in gaz} == set(LEVELS)


def test_kaya_resolves_with_admin_names(gaz: Gazetteer) -> None:
    top = gaz.lookup("Kaya", "BF")[0]
    assert top.key == KAYA
    assert top.geonames_id == 2359608
    assert top.country_code == "BF"
    assert top.country == "Burkina Faso"
    assert top.admin1 == "Centre-Nord"
    assert top.admin2 == "Province du Sanmatenga"
    assert top.lat == pytest.approx(13.0883, abs=1e-4)
    assert top.lon == pytest.approx(-1.08368, abs=1e-4)
    assert top.level == "locality"
    assert gaz.get(KAYA) == top


def test_kaya_hierarchy(gaz: Gazetteer) -> None:
    kaya = gaz.get(KAYA)
    assert kaya is not None
    chain = gaz.hierarchy(kaya)
    assert [p.level for p in chain] == ["locality", "admin2", "admin1", "country"]
    assert "Sanmatenga" in chain[1].name
    assert chain[2].name == "Centre-Nord"
    assert chain[2].iso_code == "BF-05"
    assert chain[3].key == "iso:BF"
    assert gaz.parent(kaya) == chain[1]
    assert gaz.parent(chain[3]) is None
    # The stripped province name is an alternate name of the area.
    assert chain[1] in gaz.lookup("Sanmatenga", levels=("admin2",))


@pytest.mark.parametrize(
    "query",
    ["Burkina Faso", "burkina faso", "BF", "bf", "BFA", "854"],
)
def test_country_by_name_and_code(gaz: Gazetteer, query: str) -> None:
    place = gaz.country(query)
    assert place is not None and place.key == "iso:BF"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("cote d'ivoire", "CI"),
        ("USA", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("the Gambia", "GM"),
        ("DRC", "CD"),
        ("Democratic Republic of the Congo", "CD"),
        ("Syria", "SY"),
        ("Russia", "RU"),
        ("Kosovo", "XK"),
        ("MLI", "ML"),
    ],
)
def test_country_alternative_names(gaz: Gazetteer, query: str, code: str) -> None:
    place = gaz.country(query)
    assert place is not None
    assert place.country_code == code
    assert place.level == "country"


def test_country_unknown(gaz: Gazetteer) -> None:
    assert gaz.country("Atlantis") is None
    assert gaz.country("QQ") is None


def test_accent_and_case_folding(gaz: Gazetteer) -> None:
    assert gaz.lookup("SAN SALVADOR", "SV", levels=("locality",))[0].name == "San Salvador"
    bogota = gaz.lookup("Bogotá", levels=("locality",))[0]
    assert bogota.country_code == "CO"
    assert gaz.lookup("BOGOTA", levels=("locality",))[0] == bogota
    assert gaz.lookup("bogota")[0] == gaz.lookup("Bogotá")[0]
    segou = gaz.lookup("Ségou", levels=("locality",))[0]
    assert segou.country_code == "ML"
    assert gaz.lookup("SEGOU", levels=("locality",))[0] == segou
    assert gaz.lookup("Centre Nord", "BF", levels=("admin1",))[0].name == "Centre-Nord"


def test_country_code_changes_ranking(gaz: Gazetteer) -> None:
    anywhere = gaz.lookup("San Pedro", levels=("locality",))
    in_ci = gaz.lookup("San Pedro", "CI", levels=("locality",))
    in_ph = gaz.lookup("San Pedro", "PH", levels=("locality",))
    assert len(anywhere) > 5
    assert sorted(p.key for p in anywhere) == sorted(
        p.key for p in in_ph
    )  # a ranking, not a filter
    assert in_ci[0].country_code == "CI"
    assert in_ph[0].country_code == "PH"
    assert in_ci[0] != in_ph[0]
    santa_ana_sv = gaz.lookup("Santa Ana", "SV")
    santa_ana_us = gaz.lookup("Santa Ana", "US")
    assert santa_ana_sv[0].country_code == "SV"
    assert santa_ana_us[0].country_code == "US"


def test_ranking_rules(gaz: Gazetteer) -> None:
    # Countries come first among primary-name matches.
    assert gaz.lookup("Georgia")[0].key == "iso:GE"
    # Within a level, larger population first; the order is deterministic.
    results = gaz.lookup("San Pedro", levels=("locality",))
    primary = [p for p in results if fold(p.name) == "san pedro"]
    pops = [p.population or 0 for p in primary]
    assert pops == sorted(pops, reverse=True)
    # ... and every primary-name match precedes every alternate-name-only match.
    first_alt = next(i for i, p in enumerate(results) if fold(p.name) != "san pedro")
    assert all(fold(p.name) != "san pedro" for p in results[first_alt:])
    assert gaz.lookup("San Pedro") == gaz.lookup("san  pedro")
    # A primary-name match beats a place that only lists the name as a variant.
    kaya = gaz.lookup("Kaya")
    assert kaya[0].key == KAYA


def test_levels_filter(gaz: Gazetteer) -> None:
    assert all(p.level == "admin1" for p in gaz.lookup("Mopti", levels=("admin1",)))
    assert {p.level for p in gaz.lookup("Mopti")} >= {"admin1", "locality"}


@pytest.mark.parametrize("name", ["Xqzvillewplk", "", "   ", "!!!"])
def test_unknown_names(gaz: Gazetteer, name: str) -> None:
    assert gaz.lookup(name) == []
    assert gaz.get("geonames:0") is None


def test_haversine_sanity() -> None:
    assert haversine_km(0, 0, 0, 0) == 0
    # One degree of latitude is about 111.2 km; a quarter meridian about 10 008 km.
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.195, rel=1e-3)
    assert haversine_km(0, 0, 90, 0) == pytest.approx(10_007.5, rel=1e-3)
    assert haversine_km(10, 179.5, 10, -179.5) == pytest.approx(haversine_km(10, 0, 10, 1))
    # Ouagadougou to Kaya, about 98 km by air.
    assert haversine_km(12.36566, -1.53388, 13.0883, -1.08368) == pytest.approx(94, abs=6)
    assert haversine_km(1, 2, 3, 4) == pytest.approx(haversine_km(3, 4, 1, 2))


def test_nearest_to_kaya(gaz: Gazetteer) -> None:
    near = gaz.nearest(13.10, -1.09)
    assert near is not None
    assert near.key == KAYA
    assert near.lat is not None and near.lon is not None
    assert haversine_km(13.10, -1.09, near.lat, near.lon) < 2
    in_bf = gaz.nearest(13.10, -1.09, country_code="BF")
    assert in_bf == near
    # A point 20 km east of Kaya still lands on a locality within a few tens of km.
    east = gaz.nearest(13.0883, -1.08368 + 20 / (111.2 * math.cos(math.radians(13.09))))
    assert east is not None and east.lat is not None and east.lon is not None
    assert haversine_km(13.0883, -0.9, east.lat, east.lon) < 40
    admin = gaz.nearest(13.10, -1.09, levels=("admin1",))
    assert admin is not None and admin.level == "admin1"


def test_nearest_matches_brute_force(gaz: Gazetteer) -> None:
    """The grid search returns what a full scan returns, including across the antimeridian."""
    localities = [p for p in gaz if p.level == "locality" and p.lat is not None]
    for lat, lon in [(13.1, -1.1), (-17.7, 179.9), (64.0, -150.0), (0.0, -140.0), (-45.0, 170.0)]:
        expected = min(localities, key=lambda p: (haversine_km(lat, lon, p.lat, p.lon), p.key))  # type: ignore[arg-type]
        assert gaz.nearest(lat, lon) == expected


def test_every_parent_key_resolves(gaz: Gazetteer) -> None:
    expected_parent_level = {
        "admin2": {"admin1"},
        "admin1": {"country"},
        "locality": {"admin2", "admin1", "country"},
    }
    keys = set()
    for place in gaz:
        assert place.key not in keys
        keys.add(place.key)
        if place.level == "country":
            assert place.parent_key is None
            continue
        parent = gaz.parent(place)
        assert parent is not None, place.key
        assert parent.level in expected_parent_level[place.level], place.key
        assert parent.country_code == place.country_code, place.key


def test_key_formats(gaz: Gazetteer) -> None:
    for place in gaz:
        prefix = {"country": "iso:", "admin1": "adm1:", "admin2": "adm2:", "locality": "geonames:"}
        assert place.key.startswith(prefix[place.level])
        if place.level == "locality":
            assert place.key == f"geonames:{place.geonames_id}"


def test_names_for_entity_ruler(gaz: Gazetteer) -> None:
    pairs = list(gaz.names(min_population=100_000, levels=("locality",)))
    assert ("Kaya", KAYA) in pairs
    assert all(key.startswith("geonames:") for _, key in pairs)
    assert ("Kaja", KAYA) in pairs  # an alternate name
    countries = dict(gaz.names(levels=("country",)))
    assert countries["Ivory Coast"] == "iso:CI"


def test_small_gazetteer_from_rows() -> None:
    rows = [
        ["iso:ZZ", "Zedland", "country", "ZZ", "", "", "1", "1", "", "", "ZZ", "", "Zed"],
        [
            "geonames:1",
            "Alpha",
            "locality",
            "ZZ",
            "",
            "",
            "1.0",
            "1.0",
            "1",
            "10",
            "",
            "iso:ZZ",
            "Älpha|Alfa",
        ],
    ]
    small = Gazetteer(rows)
    assert len(small) == 2
    alpha = small.lookup("ALFA")[0]
    assert isinstance(alpha, Place)
    assert alpha.country == "Zedland"
    assert small.hierarchy(alpha)[-1].key == "iso:ZZ"
    assert small.lookup("zed")[0].level == "country"
    assert len(COLUMNS) == len(rows[0])


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Bogotá", "bogota"),
        ("BOGOTA", "bogota"),
        ("Ségou", "segou"),
        ("Côte d'Ivoire", "cote divoire"),
        ("N'Djamena", "ndjamena"),
        ("Centre-Nord", "centre nord"),
        ("The Gambia", "gambia"),
        ("the", "the"),
        ("  São   Tomé ", "sao tome"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
    ],
)
def test_fold_examples(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text(alphabet=st.characters(codec="latin-1")))
def test_fold_ignores_case(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower())


# --------------------------------------------------------------------------- the index cache


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("gazetteer-*.marshal"))


def test_index_cache_written_read_and_rewritten_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    fresh = load_gazetteer.__wrapped__()  # indexes the table, writes the cache
    (entry,) = _cache_files(tmp_path / "cache")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    cached = load_gazetteer.__wrapped__()
    assert cached._index == fresh._index
    assert cached._rows == fresh._rows
    assert cached.lookup("Kaya", "BF") == fresh.lookup("Kaya", "BF")
    # a damaged entry is ignored with a warning, the index made again and the entry rewritten
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0xFF
    entry.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="kg.cache"):
        again = load_gazetteer.__wrapped__()
    assert "damaged cache file" in caplog.text
    assert again._index == fresh._index
    assert user_cache.read("gazetteer", entry.name.split("-")[1]) is not None


def test_index_cache_of_another_table_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    user_cache.write("gazetteer", user_cache.digest(b"an older table"), ([["x"] * 13], {}))
    (stale,) = _cache_files(tmp_path)
    gazetteer = load_gazetteer.__wrapped__()
    assert len(gazetteer) > 150_000  # not the one-row table of the stale entry
    (entry,) = _cache_files(tmp_path)
    assert entry != stale


def test_gazetteer_loads_when_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert len(load_gazetteer.__wrapped__()) > 150_000
    assert not (blocker / "cache").exists()


def test_cache_kept_only_where_no_one_else_can_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    user_cache.write("demo", "k", {"a": [1, 2]})
    assert user_cache.read("demo", "k") == {"a": [1, 2]}
    assert user_cache.read("demo", "other") is None
    (tmp_path / "cache").chmod(0o777)  # another account could plant an entry
    with caplog.at_level(logging.WARNING, logger="kg.cache"):
        assert user_cache.read("demo", "k") is None
    assert "writable by you alone" in caplog.text
    (tmp_path / "cache").chmod(0o700)
    (entry,) = (tmp_path / "cache").glob("demo-*")
    entry.chmod(0o666)
    assert user_cache.read("demo", "k") is None
    entry.chmod(0o600)
    assert user_cache.read("demo", "k") == {"a": [1, 2]}
    monkeypatch.setenv(CACHE_ENV, "")  # turned off
    assert user_cache.cache_dir() is None
    assert user_cache.read("demo", "k") is None


def test_cache_entry_of_another_key_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    user_cache.write("demo", "k1", [1])
    (entry,) = tmp_path.glob("demo-*")
    entry.rename(entry.with_name(entry.name.replace("-k1-", "-k2-")))  # a renamed file
    with caplog.at_level(logging.WARNING, logger="kg.cache"):
        assert user_cache.read("demo", "k2") is None
    assert "damaged" in caplog.text


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="root writes anyway")
def test_gazetteer_loads_from_a_read_only_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir(mode=0o500)
    try:
        assert len(load_gazetteer.__wrapped__()) > 150_000
        assert not _cache_files(tmp_path / "cache")
    finally:
        (tmp_path / "cache").chmod(0o700)
