// Talking to /sparql (SPARQL 1.1 Protocol, JSON results) and small helpers for its answers.
// The page asks everything it shows through this endpoint, as any other client would.

export const CE = "https://w3id.org/conflict-kg/ontology#";
export const KGID = "https://w3id.org/conflict-kg/id/";
export const PREFIXES = `PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
`;

export class EndpointError extends Error {}

// A SELECT through the protocol: the rows as plain objects of strings (a missing binding is
// absent) and whether the server cut the result at its row limit.
export async function select(query) {
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query",
               "Accept": "application/sparql-results+json" },
    body: PREFIXES + query,
  });
  if (!response.ok) {
    throw new EndpointError(`the endpoint answered ${response.status}: ${await response.text()}`);
  }
  const data = await response.json();
  const rows = data.results.bindings.map((binding) => {
    const row = {};
    for (const [name, term] of Object.entries(binding)) row[name] = term.value;
    return row;
  });
  return { rows, cut: response.headers.get("X-SPARQL-MaxRows") };
}

export async function ask(query) {
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query",
               "Accept": "application/sparql-results+json" },
    body: PREFIXES + query,
  });
  if (!response.ok) throw new EndpointError(`the endpoint answered ${response.status}`);
  return (await response.json()).boolean === true;
}

// An IRI the page may write into a query between angle brackets: the characters SPARQL's
// IRIREF forbids would let a value end the IRI and add query text of its own.
const IRI_OK = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i;

export function iriRef(iri) {
  if (!IRI_OK.test(iri)) throw new EndpointError(`not an IRI the page can query: ${iri}`);
  return `<${iri}>`;
}

// The last path segment or fragment of an IRI, for compact labels.
export function localName(iri) {
  return iri.replace(/[#/]$/, "").split(/[#/]/).pop();
}
