"""What a store holds, read from the store itself with SPARQL (``kg info``).

Articles are counted from their provenance records (one ``ce:Article`` per article read),
not from the claims that cite them: an article that reported no event has no claim, and it
was read all the same. Events are the canonical events when the store has them, the
per-article claims otherwise, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from kg.rdf.namespace import CE
from kg.store import GraphStore

_PREFIXES = """
PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
"""

ARTICLES = _PREFIXES + """
SELECT (COUNT(DISTINCT ?a) AS ?articles) (COUNT(DISTINCT ?cited) AS ?withClaims) WHERE {
  ?a a ce:Article .
  OPTIONAL { ?c a ce:EventClaim ; ce:sourceArticle ?a . BIND(?a AS ?cited) }
}
"""

COUNTS = _PREFIXES + """
SELECT
  (SUM(IF(?kind = "claim", 1, 0)) AS ?claims) (SUM(IF(?kind = "event", 1, 0)) AS ?events)
WHERE {
  { SELECT DISTINCT ?x ?kind WHERE {
      { ?x a ce:EventClaim BIND("claim" AS ?kind) }
      UNION { ?x a ce:CanonicalEvent BIND("event" AS ?kind) } } }
}
"""

UNCODED = _PREFIXES + "SELECT (COUNT(?r) AS ?n) WHERE { ?a ce:uncodedReport ?r }"

# ?class is replaced by ce:CanonicalEvent or ce:EventClaim (a constant, never user input)
DATES = _PREFIXES + """
SELECT ?first ?last ?events ?datedEvents WHERE {
  { SELECT (COUNT(DISTINCT ?e) AS ?events) WHERE { ?e a ?class } }
  { SELECT (MIN(?date) AS ?first) (MAX(?date) AS ?last) (COUNT(DISTINCT ?d) AS ?datedEvents)
    WHERE { ?d a ?class ; ce:date ?date } }
}
"""

COUNTRIES = _PREFIXES + """
SELECT ?cc (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a ?class .
  OPTIONAL { ?e sem:hasPlace/ce:countryCode ?code }
  BIND(COALESCE(?code, "") AS ?cc)
  OPTIONAL { ?country a ce:Country ; ce:countryCode ?cc ; rdfs:label ?label }
} GROUP BY ?cc ORDER BY DESC(?n) ?cc
"""

EVENT_TYPES = _PREFIXES + """
SELECT ?type (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a ?class ; ce:eventType ?t .
  BIND(STRAFTER(STR(?t), "/event-type/") AS ?type)
} GROUP BY ?type ORDER BY DESC(?n) ?type
"""

SOURCES = _PREFIXES + """
SELECT ?source (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a a ce:Article .
  OPTIONAL { ?a ce:sourceName ?name }
  BIND(COALESCE(STR(?name), "") AS ?source)
} GROUP BY ?source ORDER BY DESC(?n) ?source
"""

RUNS = _PREFIXES + """
SELECT ?run ?label (COUNT(DISTINCT ?a) AS ?articles) WHERE {
  ?run a ce:ExtractionRun .
  OPTIONAL { ?run rdfs:label ?label }
  OPTIONAL { ?run prov:used ?a . ?a a ce:Article }
} GROUP BY ?run ?label ORDER BY DESC(?articles) ?run
"""

# A build that records when it ended (prov:endedAtTime on any activity of the provenance
# graph); stores built before builds recorded it have none.
LAST_BUILD = _PREFIXES + "SELECT (MAX(?t) AS ?last) WHERE { ?activity prov:endedAtTime ?t }"


@dataclass(frozen=True, slots=True)
class Tally:
    """A name and how many events (or articles) have it."""

    name: str
    count: int


@dataclass(frozen=True, slots=True)
class StoreSummary:
    path: str
    quads: int
    named_graphs: int
    articles: int  # articles read (provenance), with or without claims
    articles_with_claims: int
    claims: int
    canonical_events: int
    uncoded: int  # event mentions no type covers, logged per article
    events_of: str  # "canonical events" or "claims": what the figures below count
    events: int
    dated_events: int
    first_date: str | None
    last_date: str | None
    countries: list[Tally] = field(default_factory=list)  # "" = no country known
    event_types: list[Tally] = field(default_factory=list)
    sources: list[Tally] = field(default_factory=list)  # outlets, "" = none given
    runs: list[Tally] = field(default_factory=list)  # extraction runs, by articles read
    last_build: datetime | None = None

    def to_text(self, limit: int = 10) -> str:
        """The summary as ``kg info`` prints it; lists longer than ``limit`` are cut."""

        def listing(items: list[Tally], empty: str) -> str:
            shown = [f"{t.name or empty} {t.count}" for t in items[:limit]]
            if len(items) > limit:
                shown.append(f"... {len(items) - limit} more")
            return ", ".join(shown) or "none"

        when = self.last_build.isoformat(timespec="seconds") if self.last_build else "not recorded"
        dates = (f"{self.first_date} to {self.last_date}" if self.first_date else "no dates")
        lines = [
            f"store {self.path}: {self.quads} quads in {self.named_graphs} graphs",
            f"articles: {self.articles} read ({self.articles_with_claims} with event claims, "
            f"{self.articles - self.articles_with_claims} without)",
            f"event claims: {self.claims}, canonical events: {self.canonical_events}, "
            f"uncoded event mentions: {self.uncoded}",
            f"dates ({self.events_of}): {dates}; {self.events - self.dated_events} of "
            f"{self.events} undated",
            f"countries ({self.events_of}): {listing(self.countries, '(none)')}",
            f"event types ({self.events_of}): {listing(self.event_types, '(none)')}",
            f"sources (articles): {listing(self.sources, '(not given)')}",
            f"last build: {when}",
            "extraction runs: " + ("; ".join(f"{t.name or '(unlabelled run)'} ({t.count} "
                                             f"articles)" for t in self.runs) or "none"),
        ]
        return "\n".join(lines)


def _int(value: str | None) -> int:
    return int(value) if value else 0


def _for(query: str, event_class: str) -> str:
    return query.replace("?class", f"<{event_class}>")


def _tallies(store: GraphStore, query: str, name: str) -> list[Tally]:
    return [Tally(row[name].value if row[name] is not None else "", int(row["n"].value))
            for row in store.query(query)]


def last_build_time(store: GraphStore) -> datetime | None:
    """When the last build ended, if the store recorded it (``prov:endedAtTime``)."""
    for row in store.query(LAST_BUILD):
        if row["last"] is not None:
            try:
                when = datetime.fromisoformat(row["last"].value)
            except ValueError:
                return None
            # a time without a zone is read as UTC, so the figure is the same on every machine
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def store_summary(store: GraphStore) -> StoreSummary:
    """Everything ``kg info`` reports about a store, read with SPARQL."""
    stats = store.stats()
    articles = _row(store, ARTICLES)
    counts = _row(store, COUNTS)
    claims, canonical = _int(counts.get("claims")), _int(counts.get("events"))
    event_class = str(CE.CanonicalEvent if canonical else CE.EventClaim)
    dates = _row(store, _for(DATES, event_class))
    countries = [Tally(row["name"].value if row["name"] is not None else row["cc"].value,
                       int(row["n"].value))
                 for row in store.query(_for(COUNTRIES, event_class))]
    return StoreSummary(
        path=stats.path,
        quads=stats.quads,
        named_graphs=stats.named_graphs,
        articles=_int(articles.get("articles")),
        articles_with_claims=_int(articles.get("withClaims")),
        claims=claims,
        canonical_events=canonical,
        uncoded=_int(_row(store, UNCODED).get("n")),
        events_of="canonical events" if canonical else "claims",
        events=_int(dates.get("events")),
        dated_events=_int(dates.get("datedEvents")),
        first_date=dates.get("first"),
        last_date=dates.get("last"),
        countries=countries,
        event_types=_tallies(store, _for(EVENT_TYPES, event_class), "type"),
        sources=_tallies(store, SOURCES, "source"),
        runs=[Tally(row["label"].value if row["label"] is not None else "",
                    int(row["articles"].value)) for row in store.query(RUNS)],
        last_build=last_build_time(store),
    )


def _row(store: GraphStore, query: str) -> dict[str, str | None]:
    """The single row of an aggregate query, as plain values."""
    results = store.query(query)
    names = [v.value for v in results.variables]
    for row in results:
        return {n: (None if row[n] is None else row[n].value) for n in names}
    return {}
