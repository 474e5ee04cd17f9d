// The event card: everything the graph holds about one event, down to the sentences of each
// source article, and the list of events a bar, a group of markers or an edge stands for.

import { iriRef, localName, select } from "./sparql.js";

const el = (id) => document.getElementById(id);
const SEP = "\\u001f"; // GROUP_CONCAT separator in the query text (a unit separator)
const UNIT = "\u001f";

// The card's questions, each about the event bound in a VALUES block.
export function cardQueries(iri) {
  const e = `VALUES ?e { ${iriRef(iri)} }`;
  const claims = `{ ?e ce:claim ?claim } UNION { ?e a ce:EventClaim BIND(?e AS ?claim) }`;
  return {
    event: `SELECT ?type ?typeLabel ?definition ?date ?earliest ?latest ?tprec ?origin ?dateText
       ?dateDoc ?prec ?relation ?place ?fat ?low ?high ?conf ?sources ?canonical
WHERE {
  ${e}
  ?e ce:eventType ?t .
  BIND(STRAFTER(STR(?t), "/event-type/") AS ?type)
  OPTIONAL { ?t skos:prefLabel ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en")) }
  OPTIONAL { ?t skos:definition ?definition FILTER(LANGMATCHES(LANG(?definition), "en")) }
  OPTIONAL { ?e ce:date ?date }
  OPTIONAL { ?e ce:earliestDate ?earliest }
  OPTIONAL { ?e ce:latestDate ?latest }
  OPTIONAL { ?e ce:timePrecision ?tprec }
  OPTIONAL { ?e ce:dateOrigin/rdfs:label ?origin }
  OPTIONAL { ?e ce:dateText ?dateText }
  OPTIONAL { ?e ce:dateSourceArticle/ce:docId ?dateDoc }
  OPTIONAL { ?e ce:geoPrecision ?prec }
  OPTIONAL { ?e ce:placeRelation ?relation }
  OPTIONAL { ?e sem:hasPlace ?place }
  OPTIONAL { ?e ce:fatalities ?fat }
  OPTIONAL { ?e ce:fatalitiesLow ?low }
  OPTIONAL { ?e ce:fatalitiesHigh ?high }
  OPTIONAL { ?e ce:confidence ?conf }
  OPTIONAL { ?e ce:sourceCount ?sources }
  OPTIONAL { ?e a ce:CanonicalEvent BIND(true AS ?canonical) }
}`,
    related: `SELECT DISTINCT ?other ?relation ?label WHERE {
  ${e}
  { ?e ce:subEventOf ?other BIND("part of" AS ?relation) }
  UNION { ?other ce:subEventOf ?e BIND("includes" AS ?relation) }
  ?other ce:eventType ?t .
  OPTIONAL { ?t skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
}`,
    // the place, and every place above or near it, as nodes and links
    places: `SELECT DISTINCT ?node ?label ?level ?gn ?wkt ?start WHERE {
  ${e}
  ?e sem:hasPlace ?first .
  ?first (ce:locatedIn|ce:near)* ?node .
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node ce:placeLevel ?level }
  OPTIONAL { ?node ce:geonamesId ?gn }
  OPTIONAL { ?node geo:hasGeometry/geo:asWKT ?wkt }
  BIND(?node = ?first AS ?start)
}`,
    links: `SELECT DISTINCT ?from ?link ?to WHERE {
  ${e}
  ?e sem:hasPlace ?first .
  ?first (ce:locatedIn|ce:near)* ?from .
  { ?from ce:locatedIn ?to BIND("in" AS ?link) } UNION { ?from ce:near ?to BIND("near" AS ?link) }
}`,
    sides: `SELECT ?p ?role ?roleLabel ?actor ?name ?kind ?basis ?actorType ?unnamed ?object
       (GROUP_CONCAT(DISTINCT ?m; separator="${SEP}") AS ?mentions)
       (GROUP_CONCAT(DISTINCT ?assoc; separator="${SEP}") AS ?assocs)
WHERE {
  ${e}
  ?e ce:participation ?p .
  ?p ce:role ?r ; rdf:value ?actor .
  BIND(STRAFTER(STR(?r), "#") AS ?role)
  OPTIONAL { ?r rdfs:label ?roleLabel }
  OPTIONAL { ?p ce:actorKind ?kind }
  OPTIONAL { ?p ce:attributionBasis ?basis }
  OPTIONAL { ?p ce:mention ?m }
  OPTIONAL { ?actor rdfs:label ?name }
  OPTIONAL { ?actor ce:actorType/skos:prefLabel ?actorType }
  OPTIONAL { ?actor a ce:UnidentifiedActor BIND(true AS ?unnamed) }
  OPTIONAL { ?actor a ce:PhysicalTarget BIND(true AS ?object) }
  OPTIONAL {
    VALUES ?rel { ce:branchOf ce:affiliatedWith ce:factionOf ce:partOf ce:splinterOf }
    ?actor ?rel ?up . ?up rdfs:label ?upName .
    BIND(CONCAT(STRAFTER(STR(?rel), "#"), " ", ?upName) AS ?assoc)
  }
}
GROUP BY ?p ?role ?roleLabel ?actor ?name ?kind ?basis ?actorType ?unnamed ?object`,
    materiel: `SELECT ?lot ?lotLabel ?model ?modelName ?category ?role ?origin ?basis ?qty
       (GROUP_CONCAT(DISTINCT ?m; separator="${SEP}") AS ?mentions)
WHERE {
  ${e}
  ?e ce:materiel ?lot .
  OPTIONAL { ?lot rdfs:label ?lotLabel }
  OPTIONAL { ?lot ce:weaponModel ?model .
             OPTIONAL { ?model rdfs:label ?modelName }
             OPTIONAL { ?model ce:weaponCategory/skos:prefLabel ?category } }
  OPTIONAL { ?lot ce:materielRole/rdfs:label ?role }
  OPTIONAL { ?lot ce:originCountry/rdfs:label ?origin }
  OPTIONAL { ?lot ce:originBasis ?basis }
  OPTIONAL { ?lot ce:quantity ?qty }
  OPTIONAL { ?lot ce:mention ?m }
}
GROUP BY ?lot ?lotLabel ?model ?modelName ?category ?role ?origin ?basis ?qty`,
    sources: `SELECT DISTINCT ?claim ?article ?doc ?title ?outlet ?published ?url ?dateline ?date
       ?origin ?dateText ?place ?fat ?trigger ?conf
WHERE {
  ${e}
  ${claims}
  ?claim ce:sourceArticle ?article .
  OPTIONAL { ?article ce:docId ?doc }
  OPTIONAL { ?article dcterms:title ?title }
  OPTIONAL { ?article ce:sourceName ?outlet }
  OPTIONAL { ?article schema:datePublished ?published }
  OPTIONAL { ?article schema:url ?url }
  OPTIONAL { ?article ce:datelinePlace ?dateline }
  OPTIONAL { ?claim ce:date ?date }
  OPTIONAL { ?claim ce:dateOrigin/rdfs:label ?origin }
  OPTIONAL { ?claim ce:dateText ?dateText }
  OPTIONAL { ?claim sem:hasPlace/rdfs:label ?place }
  OPTIONAL { ?claim ce:fatalities ?fat }
  OPTIONAL { ?claim ce:trigger ?trigger }
  OPTIONAL { ?claim ce:confidence ?conf }
}`,
    evidence: `SELECT DISTINCT ?claim ?sentence ?start WHERE {
  ${e}
  ${claims}
  ?claim (ce:evidence|ce:materiel/ce:evidence) ?ev .
  ?ev ce:sentence ?sentence .
  OPTIONAL { ?ev ce:charStart ?start }
}
ORDER BY ?claim ?start`,
    merge: `SELECT DISTINCT ?what ?value WHERE {
  ${e}
  { ?e ce:disagreement ?value BIND("disagreement" AS ?what) }
  UNION { ?e ce:mergeDecision/rdfs:comment ?value BIND("decision" AS ?what) }
}`,
  };
}

// -- small DOM helpers -------------------------------------------------------------------------
function node(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") element.className = value;
    else if (key.startsWith("data-")) element.setAttribute(key, value);
    else element[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function fact(label, ...value) {
  return [node("dt", {}, label), node("dd", {}, ...value)];
}

function section(title, ...content) {
  return node("section", { class: "card-section" }, node("h3", {}, title), ...content);
}

function unique(rows, key) {
  const seen = new Map();
  for (const row of rows) if (!seen.has(row[key])) seen.set(row[key], row);
  return [...seen.values()];
}

const TIME_PRECISION = { 1: "the day is known", 2: "the week or month is known",
                         3: "only a longer span is known" };
const GEO_PRECISION = { 1: "the place itself", 2: "near or part of a known place",
                        3: "only a region or country" };

function formatDay(iso) {
  if (!iso) return "";
  const day = new Date(iso + "T00:00:00Z");
  if (Number.isNaN(day.getTime())) return iso;
  return day.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric",
                                           timeZone: "UTC" });
}

// The place and its hierarchy: "Kalamba, near Kaya; in Province du Sanmatenga › Centre-Nord ›
// Burkina Faso", following locatedIn from the place (or, when it has none, from what it is near).
function placeHierarchy(places, links) {
  const byNode = new Map(unique(places, "node").map((r) => [r.node, r]));
  const out = new Map();
  for (const link of links) {
    if (!out.has(link.from)) out.set(link.from, []);
    out.get(link.from).push(link);
  }
  for (const list of out.values()) list.sort((a, b) => (a.to < b.to ? -1 : 1));
  const start = places.find((r) => r.start === "true");
  if (!start) return null;
  const near = (out.get(start.node) || []).filter((l) => l.link === "near").map((l) => l.to);
  const chain = [];
  const seen = new Set([start.node]);
  let current = start.node;
  const parentOf = (n) => (out.get(n) || []).find((l) => l.link === "in" && !seen.has(l.to));
  if (!parentOf(current) && near.length) current = near[0];
  for (let parent = parentOf(current); parent; parent = parentOf(current)) {
    seen.add(parent.to);
    chain.push(byNode.get(parent.to) || { node: parent.to, label: localName(parent.to) });
    current = parent.to;
  }
  return { start, near: near.map((n) => byNode.get(n) || { node: n, label: localName(n) }), chain };
}

function mentionsOf(row) {
  return (row.mentions || "").split(UNIT).filter(Boolean)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

function sidesList(rows) {
  const order = ["AttackerRole", "CapturerRole", "TargetRole", "CapturedFromRole", "VictimRole"];
  rows = unique(rows, "p").sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role)
                                       || (a.name || "").localeCompare(b.name || ""));
  if (!rows.length) return node("p", { class: "note" }, "No side is named.");
  const list = node("ul", { class: "sides" });
  for (const row of rows) {
    const mentions = mentionsOf(row);
    const name = row.name || mentions[0] || localName(row.actor);
    const details = [];
    if (row.actorType) details.push(row.actorType.toLowerCase());
    else if (row.kind) details.push(row.kind);
    if (row.unnamed) details.push("unnamed in the report");
    for (const assoc of (row.assocs || "").split(UNIT).filter(Boolean)) {
      details.push(assoc.replace(/^(branchOf|affiliatedWith|factionOf|partOf|splinterOf) /,
        (m, rel) => ({ branchOf: "branch of ", affiliatedWith: "affiliated with ",
                       factionOf: "faction of ", partOf: "part of ",
                       splinterOf: "splinter of " })[rel]));
    }
    const who = node("div", {}, node("strong", { title: row.actor }, name),
      details.length ? node("span", { class: "note" }, " (" + details.join("; ") + ")") : null);
    if (mentions.length) {
      who.append(node("div", { class: "mentions" }, "written as ",
        ...mentions.flatMap((m, i) => [i ? ", " : "", node("q", {}, m)])));
    }
    if (row.basis === "article") {
      who.append(node("div", { class: "note" },
        "named by the article's other reports, not by this event's sentences"));
    }
    list.append(node("li", {}, node("span", { class: "role" }, row.roleLabel || row.role), who));
  }
  return list;
}

function materielList(rows) {
  rows = unique(rows, "lot");
  if (!rows.length) return null;
  const counted = rows.some((row) => row.qty);
  const table = node("table", { class: "materiel" });
  const heads = ["model", "what happened", "origin", ...(counted ? ["how many"] : [])];
  table.append(node("thead", {}, node("tr", {}, ...heads.map((h) => node("th", {}, h)))));
  const body = node("tbody");
  for (const row of rows.sort((a, b) => (a.modelName || "").localeCompare(b.modelName || ""))) {
    const basis = { text: "said in the text", model: "the model's only maker" }[row.basis];
    const written = mentionsOf(row);
    body.append(node("tr", {},
      node("td", { title: row.model || "" }, node("strong", {}, row.modelName || row.lotLabel || ""),
        row.category ? node("span", { class: "note" }, " · " + row.category) : null,
        written.length ? node("div", { class: "mentions" }, "written as ",
          ...written.flatMap((m, i) => [i ? ", " : "", node("q", {}, m)])) : null),
      node("td", {}, row.role || ""),
      node("td", {}, row.origin || "", basis ? node("div", { class: "note" }, basis) : null),
      counted ? node("td", { class: "number" }, row.qty || "") : null));
  }
  table.append(body);
  return table;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function sourcesList(sources, evidence, disagreements) {
  const sentences = new Map();
  for (const row of evidence) {
    if (!sentences.has(row.claim)) sentences.set(row.claim, new Map());
    sentences.get(row.claim).set(row.start ?? row.sentence, row.sentence);
  }
  const byClaim = new Map();
  for (const row of sources) if (!byClaim.has(row.claim)) byClaim.set(row.claim, row);
  const list = node("ol", { class: "sources" });
  const rows = [...byClaim.values()].sort((a, b) => (a.doc || "").localeCompare(b.doc || ""));
  for (const row of rows) {
    const url = safeUrl(row.url || "");
    const head = node("div", { class: "source-head" },
      node("strong", {}, row.doc || localName(row.article)),
      row.title ? node("span", {}, " — ", row.title) : null,
      row.outlet ? node("span", { class: "note" }, " · ", row.outlet) : null,
      row.published ? node("span", { class: "note" }, " · published ", formatDay(row.published))
        : null,
      row.dateline ? node("span", { class: "note" }, " · date line ", row.dateline) : null,
      url ? node("span", {}, " · ", node("a", { href: url, target: "_blank", rel: "noopener noreferrer" },
        "article")) : null);
    const says = node("dl", { class: "facts says" });
    const mark = (field, ...value) => {
      const [dt, dd] = fact(field, ...value);
      if (disagreements.has(field === "toll" ? "fatalities" : field)) dd.className = "disagrees";
      says.append(dt, dd);
    };
    mark("date", row.date ? formatDay(row.date) : "not given",
      row.origin ? node("span", { class: "note" }, " (" + row.origin +
        (row.dateText ? ": “" + row.dateText + "”" : "") + ")") : null);
    mark("place", row.place || "not given");
    mark("toll", row.fat !== undefined ? row.fat + " killed" : "no figure");
    if (row.trigger) mark("reported by the word", node("q", {}, row.trigger));
    const quotes = node("div", { class: "evidence" });
    for (const sentence of (sentences.get(row.claim) || new Map()).values()) {
      quotes.append(node("blockquote", {}, sentence));
    }
    list.append(node("li", { "data-claim": row.claim }, head, says, quotes));
  }
  return list;
}

// -- the panel ------------------------------------------------------------------------------
let listState = null; // the list a card was opened from, to go back to it

function showPanel(...content) {
  el("card-body").replaceChildren(...content);
  el("card").hidden = false;
  el("card").scrollTop = 0;
}

export function closeCard() {
  el("card").hidden = true;
  listState = null;
}

// The events a bar, a group of markers, an edge or a node stands for; one event opens its card.
export function showEvents(title, events, onlyOne = true) {
  if (events.length === 1 && onlyOne) {
    listState = null;
    openCard(events[0].id);
    return;
  }
  listState = { title, events };
  el("card-back").hidden = true;
  const sorted = [...events].sort((a, b) => (a.date || "9").localeCompare(b.date || "9")
    || a.typeLabel.localeCompare(b.typeLabel) || a.id.localeCompare(b.id));
  const list = node("ul", { class: "event-list" });
  for (const event of sorted) {
    const acting = event.sides.filter((s) => s.side === "source").map((s) => s.name);
    const acted = event.sides.filter((s) => s.side === "target").map((s) => s.name);
    const button = node("button", { type: "button", class: "link", "data-event": event.id },
      node("span", { class: "swatch", style: `background:${event.colour || "#888"}` }),
      " ", event.date || "undated", " · ", event.typeLabel,
      event.place ? " · " + event.place : "",
      acting.length || acted.length ? node("span", { class: "note" },
        " · " + (acting.join(", ") || "?") + " → " + (acted.join(", ") || "?")) : null);
    button.addEventListener("click", () => openCard(event.id, true));
    list.append(node("li", {}, button));
  }
  showPanel(node("h2", {}, title), node("p", { class: "note" }, events.length + " events"), list);
}

export async function openCard(iri, fromList = false) {
  el("card-back").hidden = !(fromList && listState);
  showPanel(node("p", { class: "note" }, "reading the event…"));
  let answers;
  try {
    const queries = cardQueries(iri);
    const names = Object.keys(queries);
    const results = await Promise.all(names.map((name) => select(queries[name])));
    answers = Object.fromEntries(names.map((name, i) => [name, results[i].rows]));
  } catch (error) {
    showPanel(node("p", { class: "error" }, String(error.message || error)));
    return;
  }
  const event = answers.event[0];
  if (!event) {
    showPanel(node("p", { class: "error" }, "The graph holds no event " + iri));
    return;
  }
  for (const row of answers.event.slice(1)) {
    for (const [key, value] of Object.entries(row)) if (!(key in event)) event[key] = value;
  }
  const disagreements = new Set(answers.merge.filter((r) => r.what === "disagreement")
    .map((r) => r.value));
  const decisions = answers.merge.filter((r) => r.what === "decision").map((r) => r.value);

  const when = node("dl", { class: "facts" });
  const span = event.earliest && event.latest && event.earliest !== event.latest
    ? ` (between ${formatDay(event.earliest)} and ${formatDay(event.latest)})` : "";
  when.append(...fact("date", event.date ? formatDay(event.date) : "unknown", span));
  if (event.tprec) when.append(...fact("precision", TIME_PRECISION[event.tprec] || event.tprec));
  if (event.origin) {
    when.append(...fact("dated", event.origin,
      event.dateText ? node("span", {}, " “", event.dateText, "”") : null,
      event.dateDoc ? node("span", { class: "note" }, " (article " + event.dateDoc + ")") : null));
  }

  const where = node("dl", { class: "facts" });
  const hierarchy = placeHierarchy(answers.places, answers.links);
  if (hierarchy) {
    const start = hierarchy.start;
    where.append(...fact("place", node("strong", {}, start.label || localName(start.node)),
      start.level ? node("span", { class: "note" }, " (" + start.level + ")") : null,
      event.relation && event.relation !== "in" ? " — " + event.relation : null));
    if (hierarchy.near.length) {
      where.append(...fact("near", hierarchy.near.map((n) => n.label).join(", ")));
    }
    if (hierarchy.chain.length) {
      where.append(...fact("in", hierarchy.chain.map((n) => n.label).join(" › ")));
    }
    const point = /POINT\s*\(\s*(\S+)\s+(\S+)\s*\)/.exec(start.wkt || "");
    if (point) where.append(...fact("point", `${Number(point[2]).toFixed(4)}, ${Number(point[1]).toFixed(4)}`));
    const gn = start.gn || hierarchy.near.map((n) => n.gn).find(Boolean);
    if (gn) where.append(...fact("GeoNames", gn));
  } else {
    where.append(...fact("place", "unknown"));
  }
  if (event.prec) where.append(...fact("precision", GEO_PRECISION[event.prec] || event.prec));

  const toll = node("dl", { class: "facts" });
  const low = event.low ?? event.fat;
  const high = event.high ?? event.fat;
  toll.append(...fact("killed", low === undefined ? "no source gives a figure"
    : low === high ? String(low) : `${low} to ${high} (by source)`));
  if (disagreements.has("fatalities")) toll.lastChild.className = "disagrees";

  const sources = unique(answers.sources, "claim");
  const header = node("header", { class: "card-head" },
    node("h2", {}, event.typeLabel || event.type),
    node("p", { class: "note" }, event.canonical ? "canonical event" : "event claim", " · ",
      node("code", { title: iri }, localName(iri)),
      event.conf ? " · confidence " + Number(event.conf).toFixed(2) : ""),
    event.definition ? node("p", { class: "note definition" }, event.definition) : null);
  const related = unique(answers.related, "other").map((r) => {
    const button = node("button", { type: "button", class: "link" }, r.label || localName(r.other));
    button.addEventListener("click", () => openCard(r.other));
    return node("li", {}, r.relation + " ", button);
  });
  const parts = [header];
  if (disagreements.size) {
    parts.push(node("p", { class: "warning" }, "The sources disagree on: " +
      [...disagreements].sort().join(", ") + "."));
  }
  parts.push(section("When", when), section("Where", where),
    section("Sides", sidesList(answers.sides)), section("Toll", toll));
  const materiel = materielList(answers.materiel);
  if (materiel) parts.push(section("Materiel", materiel));
  if (related.length) parts.push(section("Related events", node("ul", {}, ...related)));
  parts.push(section(`Sources (${sources.length})`,
    sourcesList(sources, unique(answers.evidence.map((r) => ({ ...r, key: r.claim + " " + (r.start ?? r.sentence) })), "key"), disagreements),
    ...decisions.map((d) => node("p", { class: "note" }, "Merged: " + d))));
  showPanel(node("article", { class: "event-card", "data-event": iri }, ...parts));
}

export function backToList() {
  if (listState) showEvents(listState.title, listState.events, false);
}
