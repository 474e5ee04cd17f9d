// The events of the graph as the views need them: one record per event with its type, day,
// place, point, precision, toll and sides, read with a few SELECTs over the whole store.
// Canonical events when the store has them, per-article claims otherwise (as the named
// questions do). Rows come once per graph that holds a triple, so every row is merged by key.

import { ask, select } from "./sparql.js";

// how precisely an event's place is known, from ACLED's geo precision and the place's level
export const PRECISIONS = {
  exact: "the town or village itself",
  near: "near or part of a known town",
  region: "only a district or province",
  country: "only the country",
};

export const ROLE_SIDE = {
  AttackerRole: "source", CapturerRole: "source",
  TargetRole: "target", VictimRole: "target", CapturedFromRole: "target",
};

function eventQuery(cls) {
  return `SELECT DISTINCT ?e ?type ?typeLabel ?date ?tprec ?prec ?place ?placeLabel ?level
       ?isCountry ?wkt ?cc ?fat ?low ?high ?sources
WHERE {
  ?e a ${cls} ; ce:eventType ?t .
  BIND(STRAFTER(STR(?t), "/event-type/") AS ?type)
  OPTIONAL { ?t skos:prefLabel ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en")) }
  OPTIONAL { ?e ce:date ?date }
  OPTIONAL { ?e ce:timePrecision ?tprec }
  OPTIONAL { ?e ce:geoPrecision ?prec }
  OPTIONAL {
    ?e sem:hasPlace ?place .
    OPTIONAL { ?place rdfs:label ?placeLabel }
    OPTIONAL { ?place ce:placeLevel ?level }
    OPTIONAL { ?place a ce:Country BIND(true AS ?isCountry) }
    OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
    OPTIONAL { ?place ce:countryCode ?cc }
  }
  OPTIONAL { ?e ce:fatalities ?fat }
  OPTIONAL { ?e ce:fatalitiesLow ?low }
  OPTIONAL { ?e ce:fatalitiesHigh ?high }
  OPTIONAL { ?e ce:sourceCount ?sources }
}`;
}

function sidesQuery(cls) {
  return `SELECT ?e ?role ?actor ?name ?unnamed ?object (SAMPLE(?m) AS ?mention)
WHERE {
  ?e a ${cls} ; ce:participation ?p .
  ?p ce:role ?r ; rdf:value ?actor .
  BIND(STRAFTER(STR(?r), "#") AS ?role)
  OPTIONAL { ?p ce:mention ?m }
  OPTIONAL { ?actor rdfs:label ?name }
  OPTIONAL { ?actor a ce:UnidentifiedActor BIND(true AS ?unnamed) }
  OPTIONAL { ?actor a ce:PhysicalTarget BIND(true AS ?object) }
}
GROUP BY ?e ?role ?actor ?name ?unnamed ?object`;
}

function countriesQuery(cls) {
  return `SELECT DISTINCT ?cc ?name WHERE {
  ?e a ${cls} ; sem:hasPlace/ce:countryCode ?cc .
  ?c a ce:Country ; ce:countryCode ?cc ; rdfs:label ?name .
}`;
}

const CLAIMS = `SELECT DISTINCT ?e ?c WHERE { ?e a ce:CanonicalEvent ; ce:claim ?c }`;

// "POINT(lon lat)" to [lat, lon]
function point(wkt) {
  const match = /POINT\s*\(\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\)/.exec(wkt || "");
  return match ? [Number(match[2]), Number(match[1])] : null;
}

function precisionOf(row) {
  if (row.isCountry || row.level === "country") return "country";
  const prec = Number(row.prec);
  if (prec === 3 || row.level === "admin1" || row.level === "admin2") return "region";
  if (prec === 2 || row.level === "unresolved") return "near";
  return "exact";
}

function number(value) {
  return value === undefined ? null : Number(value);
}

// Everything the views show, read once: {events (by IRI), canonical, claimToEvent, cut}.
export async function loadGraph() {
  const canonical = await ask("ASK { ?e a ce:CanonicalEvent }");
  const cls = canonical ? "ce:CanonicalEvent" : "ce:EventClaim";
  const [core, sides, countries, claims] = await Promise.all([
    select(eventQuery(cls)), select(sidesQuery(cls)), select(countriesQuery(cls)),
    canonical ? select(CLAIMS) : Promise.resolve({ rows: [], cut: null }),
  ]);
  const countryName = new Map(countries.rows.map((r) => [r.cc, r.name]));
  const events = new Map();
  for (const row of core.rows) {
    let event = events.get(row.e);
    if (!event) {
      event = {
        id: row.e, type: row.type, typeLabel: row.typeLabel || row.type,
        date: row.date || null, timePrecision: number(row.tprec),
        place: row.placeLabel || null, country: row.cc || null,
        countryName: countryName.get(row.cc) || row.cc || null,
        point: point(row.wkt), precision: row.place ? precisionOf(row) : null,
        fatalities: number(row.fat), low: number(row.low), high: number(row.high),
        sourceCount: number(row.sources), sides: [],
      };
      events.set(row.e, event);
    }
    // later rows fill what earlier ones missed (a label in one graph, a point in another)
    event.typeLabel = row.typeLabel || event.typeLabel;
    event.date = event.date || row.date || null;
    event.place = event.place || row.placeLabel || null;
    event.point = event.point || point(row.wkt);
    if (row.isCountry) event.precision = "country";
  }
  const seen = new Set();
  for (const row of sides.rows) {
    const event = events.get(row.e);
    const key = row.e + " " + row.role + " " + row.actor;
    if (!event || seen.has(key)) continue;
    seen.add(key);
    event.sides.push({
      role: row.role, side: ROLE_SIDE[row.role] || null, actor: row.actor,
      name: row.name || row.mention || row.actor, unnamed: Boolean(row.unnamed),
      object: Boolean(row.object),
    });
  }
  const claimToEvent = new Map(claims.rows.map((r) => [r.c, r.e]));
  const cut = core.cut || sides.cut || claims.cut;
  return { events, canonical, claimToEvent, cut };
}

// The filters as the form holds them, applied to one event.
export function matches(event, filter) {
  if (filter.country && event.country !== filter.country) return false;
  if (filter.type && event.type !== filter.type) return false;
  if (filter.actor) {
    const wanted = filter.actor.toLowerCase();
    if (!event.sides.some((s) => s.name.toLowerCase().includes(wanted))) return false;
  }
  if (filter.from && (!event.date || event.date < filter.from)) return false;
  if (filter.to && (!event.date || event.date > filter.to)) return false;
  return true;
}

// Colours by type: a qualitative palette, handed out by how often each type occurs, so that
// the commonest types get the most distinct colours.
const PALETTE = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
  "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
  "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d", "#393b79"];

export function typeColours(events) {
  const counts = new Map();
  for (const event of events) counts.set(event.type, (counts.get(event.type) || 0) + 1);
  const order = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || (a < b ? -1 : 1));
  return new Map(order.map((type, i) => [type, PALETTE[i % PALETTE.length]]));
}

// One flat row per event, for the "events in view" downloads.
export function eventRow(event) {
  const names = (side) => event.sides.filter((s) => s.side === side).map((s) => s.name).join("; ");
  return {
    event: event.id, type: event.type, date: event.date || "",
    time_precision: event.timePrecision ?? "", place: event.place || "",
    country: event.countryName || "", country_code: event.country || "",
    latitude: event.point ? event.point[0] : "", longitude: event.point ? event.point[1] : "",
    location_precision: event.precision || "", fatalities: event.fatalities ?? "",
    fatalities_low: event.low ?? "", fatalities_high: event.high ?? "",
    sides_acting: names("source"), sides_acted_upon: names("target"),
    sources: event.sourceCount ?? "",
  };
}
