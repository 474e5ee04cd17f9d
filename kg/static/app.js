// The query page of `kg serve`: pick a named question or write SPARQL, run it, read a table.
// Plain browser JavaScript, no libraries, nothing fetched from anywhere but this server.
"use strict";

const PREFIXES = [
  ["kgid:", "https://w3id.org/conflict-kg/id/"],
  ["ce:", "https://w3id.org/conflict-kg/ontology#"],
  ["et:", "https://w3id.org/conflict-kg/event-type/"],
];
const el = (id) => document.getElementById(id);
let questions = [];
let lastBound = null; // the text of the named question as last filled in

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
  if (!q) return;
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

function renderTable(data) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) {
      const cell = row.insertCell();
      const term = binding[name];
      if (term) {
        cell.textContent = term.type === "uri" ? shorten(term.value) : term.value;
        if (term.type === "uri") cell.title = term.value;
      }
    }
  }
  return table;
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
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: el("query").value,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("Content-Type") || "";
    const result = el("result");
    if (!response.ok) {
      result.replaceChildren();
      setStatus("error " + response.status + ": " + (await response.text()), true);
      return;
    }
    const cut = response.headers.get("X-SPARQL-MaxRows");
    const note = cut ? " (cut at the limit of " + cut + ")" : "";
    if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      if ("boolean" in data) {
        const p = document.createElement("p");
        p.id = "answer";
        p.textContent = String(data.boolean);
        result.replaceChildren(p);
        setStatus("answer in " + seconds + " s", false);
      } else {
        result.replaceChildren(renderTable(data));
        setStatus(data.results.bindings.length + " rows in " + seconds + " s" + note, false);
      }
    } else {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      result.replaceChildren(pre);
      setStatus("graph in " + seconds + " s" + note, false);
    }
  } catch (error) {
    setStatus(String(error), true);
  } finally {
    button.disabled = false;
  }
}

el("endpoint").textContent = new URL("/sparql", window.location.href).href;
el("question").addEventListener("change", chooseQuestion);
el("run").addEventListener("click", run);
loadQuestions().catch((error) => setStatus("cannot list the questions: " + error, true));
