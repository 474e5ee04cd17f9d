// The page of `kg serve`: a query box (a named question or your own SPARQL) with its result as
// a sortable table to download, and beside it a map, a timeline and the actor network of the
// whole graph or of the events in the current result, filtered by country, actor, type and
// date; a click on an event opens its card. Everything comes from this server: /sparql, the
// named questions at /queries, and the libraries and country outlines in /static/vendor.

import { backToList, closeCard, openCard, showEvents } from "./card.js";
import { eventRow, loadGraph, matches, typeColours } from "./events.js";
import { EventMap, Network, Timeline } from "./views.js";

const PREFIXES = [
  ["kgid:", "https://w3id.org/conflict-kg/id/"],
  ["ce:", "https://w3id.org/conflict-kg/ontology#"],
  ["et:", "https://w3id.org/conflict-kg/event-type/"],
  ["sem:", "http://semanticweb.cs.vu.nl/2009/11/sem/"],
  ["rdfs:", "http://www.w3.org/2000/01/rdf-schema#"],
  ["rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
  ["prov:", "http://www.w3.org/ns/prov#"],
  ["skos:", "http://www.w3.org/2004/02/skos/core#"],
  ["geo:", "http://www.opengis.net/ont/geosparql#"],
  ["xsd:", "http://www.w3.org/2001/XMLSchema#"],
];
const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger)$/;
const MAX_TABLE_ROWS = 2000;
const el = (id) => document.getElementById(id);

let questions = [];
let lastBound = null; // the text of the named question as last filled in
let graph = null; // what loadGraph() read: every event of the store
let colours = new Map();
let resultEvents = null; // ids of the events the current result names
let views = null;

function shorten(value) {
  for (const [prefix, iri] of PREFIXES) {
    if (value.startsWith(iri)) return prefix + value.slice(iri.length);
  }
  return value;
}

function setStatus(text, isError) {
  el("status").textContent = text;
  el("status").className = isError ? "error" : "";
}

// -- named questions -------------------------------------------------------------------------
async function loadQuestions() {
  const response = await fetch("/queries");
  questions = await response.json();
  for (const q of questions) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = (q.question ? q.question + ". " : "") + q.title;
    el("question").appendChild(option);
  }
}

function currentQuestion() {
  return questions.find((q) => q.name === el("question").value);
}

function paramValues() {
  const values = new URLSearchParams();
  for (const input of el("params").querySelectorAll("input")) {
    if (input.value.trim() !== "") values.set(input.name, input.value.trim());
  }
  return values;
}

async function showBoundQuery() {
  const q = currentQuestion();
  if (!q) return true;
  const response = await fetch("/queries/" + encodeURIComponent(q.name) + "?" + paramValues());
  const text = await response.text();
  if (response.ok) {
    el("query").value = text;
    lastBound = text;
    setStatus("", false);
  } else {
    setStatus(text, true);
  }
  return response.ok;
}

function chooseQuestion() {
  const q = currentQuestion();
  el("params").replaceChildren();
  el("description").textContent = q ? q.description : "";
  if (!q) return;
  for (const p of q.params) {
    const box = document.createElement("div");
    const label = document.createElement("label");
    label.htmlFor = "param-" + p.name;
    label.textContent = p.name + (p.required ? " (required)" : "");
    label.title = p.meaning + " — " + p.expects;
    const input = document.createElement("input");
    input.id = "param-" + p.name;
    input.name = p.name;
    input.value = p.default ?? "";
    input.placeholder = p.required ? p.expects : p.default_text;
    input.addEventListener("change", showBoundQuery);
    box.append(label, input);
    el("params").appendChild(box);
  }
  showBoundQuery();
}

// -- results ---------------------------------------------------------------------------------
// The event a term names: a canonical event, or a claim (then the canonical event it is
// merged into, when the views show canonical events).
function eventOf(term) {
  if (!graph || !term || term.type !== "uri") return null;
  if (graph.events.has(term.value)) return term.value;
  const merged = graph.claimToEvent.get(term.value);
  return merged && graph.events.has(merged) ? merged : null;
}

function compareTerms(a, b) {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  if (NUMERIC.test(a.datatype || "") && NUMERIC.test(b.datatype || "")) {
    return Number(a.value) - Number(b.value);
  }
  return a.value.localeCompare(b.value, undefined, { numeric: true });
}

function renderTable(data) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  let order = { name: null, direction: 1 };
  const fill = (bindings) => {
    body.replaceChildren();
    for (const binding of bindings.slice(0, MAX_TABLE_ROWS)) {
      const row = body.insertRow();
      for (const name of data.head.vars) {
        const cell = row.insertCell();
        const term = binding[name];
        if (!term) continue;
        const text = term.type === "uri" ? shorten(term.value) : term.value;
        const event = eventOf(term);
        if (event) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "link event-link";
          button.textContent = text;
          button.title = "open the event card of " + event;
          button.addEventListener("click", () => openCard(event));
          cell.append(button);
        } else {
          cell.textContent = text;
        }
        if (term.type === "uri") cell.title = term.value;
        if (NUMERIC.test(term.datatype || "")) cell.className = "number";
      }
    }
  };
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    th.tabIndex = 0;
    th.title = "sort by " + name;
    const sort = () => {
      order = { name, direction: order.name === name ? -order.direction : 1 };
      for (const other of head.cells) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", order.direction > 0 ? "ascending" : "descending");
      const sorted = [...data.results.bindings].sort(
        (a, b) => order.direction * compareTerms(a[name], b[name]));
      fill(sorted);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (evt) => { if (evt.key === "Enter") sort(); });
    head.appendChild(th);
  }
  fill(data.results.bindings);
  return table;
}

// N-Triples (what the page asks CONSTRUCT and DESCRIBE for) to SPARQL JSON-like bindings, so
// that a graph reads as a table of subject, predicate and object like any other result.
const NT_TERM = /\s*(?:<([^>]*)>|(_:\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;

function unescapeLiteral(text) {
  return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (m, u4, u8, c) => {
    if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
    return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[c] ?? c;
  });
}

export function parseNTriples(text) {
  const bindings = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    NT_TERM.lastIndex = 0;
    const terms = [];
    for (let i = 0; i < 3; i += 1) {
      const match = NT_TERM.exec(line);
      if (!match) break;
      if (match[1] !== undefined) terms.push({ type: "uri", value: unescapeLiteral(match[1]) });
      else if (match[2] !== undefined) terms.push({ type: "bnode", value: match[2].slice(2) });
      else {
        const term = { type: "literal", value: unescapeLiteral(match[3]) };
        if (match[4]) term["xml:lang"] = match[4];
        if (match[5]) term.datatype = match[5];
        terms.push(term);
      }
    }
    if (terms.length === 3) {
      bindings.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    }
  }
  return { head: { vars: ["subject", "predicate", "object"] }, results: { bindings } };
}

function csvCell(value) {
  return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
}

function toCsv(vars, rows) {
  const lines = [vars.map(csvCell).join(",")];
  for (const row of rows) lines.push(vars.map((v) => csvCell(String(row[v] ?? ""))).join(","));
  return lines.join("\r\n") + "\r\n";
}

function offer(link, text, type, name) {
  if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
}

function offerResult(data, raw) {
  const base = currentQuestion()?.name || "result";
  const rows = data.results.bindings.map((b) => Object.fromEntries(
    Object.entries(b).map(([k, term]) => [k, term.value])));
  offer(el("download-csv"), toCsv(data.head.vars, rows), "text/csv", base + ".csv");
  offer(el("download-json"), JSON.stringify(data, null, 1),
    "application/sparql-results+json", base + ".json");
  el("download-nt").hidden = raw === null;
  el("show-raw").hidden = raw === null;
  if (raw !== null) offer(el("download-nt"), raw, "application/n-triples", base + ".nt");
  el("result-tools").hidden = false;
}

function useResultEvents(data) {
  const ids = new Set();
  for (const binding of data.results.bindings) {
    for (const term of Object.values(binding)) {
      const event = eventOf(term);
      if (event) ids.add(event);
    }
  }
  const option = el("scope").querySelector('option[value="result"]');
  resultEvents = ids.size ? ids : null;
  option.disabled = !ids.size;
  option.textContent = ids.size ? `the current result (${ids.size})` : "the current result";
  el("scope").value = ids.size ? "result" : "graph";
  refreshViews();
}

async function run() {
  // a named question whose text was not edited by hand is bound again with the current values
  if (currentQuestion() && el("query").value === lastBound && !(await showBoundQuery())) return;
  const button = el("run");
  button.disabled = true;
  setStatus("running…", false);
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
      },
      body: el("query").value,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("Content-Type") || "";
    const result = el("result");
    if (!response.ok) {
      result.replaceChildren();
      el("result-tools").hidden = true;
      setStatus("error " + response.status + ": " + (await response.text()), true);
      return;
    }
    const cut = response.headers.get("X-SPARQL-MaxRows");
    const note = cut ? " (cut at the limit of " + cut + ")" : "";
    let data;
    let raw = null;
    if (type.startsWith("application/sparql-results+json")) {
      data = await response.json();
      if ("boolean" in data) {
        const p = document.createElement("p");
        p.id = "answer";
        p.textContent = String(data.boolean);
        result.replaceChildren(p);
        el("result-tools").hidden = true;
        setStatus("answer in " + seconds + " s", false);
        return;
      }
      setStatus(data.results.bindings.length + " rows in " + seconds + " s" + note, false);
    } else {
      raw = await response.text();
      data = parseNTriples(raw);
      setStatus(data.results.bindings.length + " triples in " + seconds + " s" + note, false);
    }
    const parts = [renderTable(data)];
    if (data.results.bindings.length > MAX_TABLE_ROWS) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = `The first ${MAX_TABLE_ROWS} rows are shown; the downloads hold them all.`;
      parts.unshift(p);
    }
    if (raw !== null) {
      const pre = document.createElement("pre");
      pre.id = "raw";
      pre.hidden = true;
      pre.textContent = raw;
      parts.push(pre);
    }
    result.replaceChildren(...parts);
    offerResult(data, raw);
    useResultEvents(data);
  } catch (error) {
    setStatus(String(error), true);
  } finally {
    button.disabled = false;
  }
}

// -- views -----------------------------------------------------------------------------------
function currentFilter() {
  return {
    country: el("f-country").value, type: el("f-type").value, actor: el("f-actor").value.trim(),
    from: el("f-from").value, to: el("f-to").value,
  };
}

function eventsInView() {
  if (!graph) return [];
  const filter = currentFilter();
  let events = [...graph.events.values()];
  if (el("scope").value === "result" && resultEvents) {
    events = events.filter((e) => resultEvents.has(e.id));
  }
  return events.filter((e) => matches(e, filter));
}

function fillFilterOptions() {
  const events = [...graph.events.values()];
  const countries = new Map();
  const types = new Map();
  const actors = new Set();
  for (const e of events) {
    if (e.country) countries.set(e.country, e.countryName || e.country);
    types.set(e.type, e.typeLabel);
    for (const s of e.sides) if (!s.object) actors.add(s.name);
  }
  const options = (select, entries) => {
    for (const [value, label] of entries.sort((a, b) => a[1].localeCompare(b[1]))) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      select.append(option);
    }
  };
  options(el("f-country"), [...countries.entries()]);
  options(el("f-type"), [...types.entries()]);
  const list = el("actor-names");
  for (const name of [...actors].sort((a, b) => a.localeCompare(b))) {
    const option = document.createElement("option");
    option.value = name;
    list.append(option);
  }
}

function refreshViews() {
  if (!graph || !views) return;
  const events = eventsInView();
  for (const e of events) e.colour = colours.get(e.type);
  const groups = views.map.show(events, colours);
  const dated = views.timeline.show(events, colours, el("bin").value);
  const network = views.network.show(events, colours, el("f-unnamed").value);
  const located = events.filter((e) => e.point).length;
  const countryOnly = events.filter((e) => e.point && e.precision === "country").length;
  const parts = [`${events.length} of ${graph.events.size} ${graph.canonical ? "events" : "event claims"}`,
    `${located} on the map` + (countryOnly ? ` (${countryOnly} located only to a country)` : ""),
    `${dated} dated`, `${network.nodes} actors, ${network.edges} links`];
  if (graph.cut) parts.push(`the server cut the events at its row limit (${graph.cut})`);
  el("view-status").textContent = parts.join(" · ");
  el("view-status").dataset.markers = groups;
  const rows = events.map(eventRow);
  const vars = rows.length ? Object.keys(rows[0]) : Object.keys(eventRow({ sides: [] }));
  offer(el("events-csv"), toCsv(vars, rows), "text/csv", "events.csv");
  offer(el("events-json"), JSON.stringify(rows, null, 1), "application/json", "events.json");
}

async function startViews() {
  const select = (title, events, onlyOne) => showEvents(title, events, onlyOne);
  views = {
    map: new EventMap(el("map"), select),
    timeline: new Timeline(el("timeline"), select),
    network: new Network(el("network"), select),
  };
  window.kgViews = views; // for the browser test and the console
  const base = views.map.loadBase().catch((error) => {
    el("view-status").textContent = "no base map: " + error.message;
  });
  graph = await loadGraph();
  colours = typeColours(graph.events.values());
  fillFilterOptions();
  await base;
  refreshViews();
  document.body.dataset.ready = "true";
}

el("endpoint").textContent = new URL("/sparql", window.location.href).href;
el("question").addEventListener("change", chooseQuestion);
el("run").addEventListener("click", run);
el("show-raw").addEventListener("click", () => {
  const raw = el("raw");
  if (!raw) return;
  raw.hidden = !raw.hidden;
  el("show-raw").textContent = raw.hidden ? "show the triples as text" : "hide the text";
});
for (const id of ["scope", "f-country", "f-type", "f-from", "f-to", "bin", "f-unnamed"]) {
  el(id).addEventListener("change", refreshViews);
}
el("f-actor").addEventListener("input", refreshViews);
el("filters").addEventListener("reset", (evt) => { // the filters only: the scope stays
  evt.preventDefault();
  for (const id of ["f-country", "f-type", "f-actor", "f-from", "f-to"]) el(id).value = "";
  refreshViews();
});
el("filters").addEventListener("submit", (evt) => evt.preventDefault());
el("card-close").addEventListener("click", closeCard);
el("card-back").addEventListener("click", backToList);
document.addEventListener("keydown", (evt) => { if (evt.key === "Escape") closeCard(); });
loadQuestions().catch((error) => setStatus("cannot list the questions: " + error, true));
startViews().catch((error) => {
  el("view-status").textContent = "cannot read the events: " + (error.message || error);
  el("view-status").className = "error";
});
