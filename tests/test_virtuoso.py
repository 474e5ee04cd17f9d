"""An external SPARQL server: ``kg push`` writes the graph there, ``kg query --endpoint`` asks it.

The server is Debian's Virtuoso 7 (``bash .ci/install-virtuoso.sh`` installs it), started here
on free ports of 127.0.0.1 with a database of its own; the tests that need it skip, saying so,
where ``virtuoso-t`` is not installed. The graph is MUC-4 dev built from
``../shared/eval/muc4/dev.jsonl`` when that file is there (about 40 s), else the two sample
articles. Every named question, with parameters taken from the graph itself, must give the
same rows on the server as in the embedded store, in the same order: the rows are compared as
``kg query --format json`` prints them, numbers by value (Virtuoso writes ``2.0`` where
Oxigraph writes ``2``) and ``GROUP_CONCAT`` lists as sets (SPARQL leaves their order to the
engine). ``kg serve`` stands in for a server that is not Virtuoso.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servers import (
    VIRTUOSO,
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    _free_port,
    running_server,
    running_virtuoso,
)
from typer.testing import CliRunner

from kg.cli import app
from kg.queries import list_queries
from kg.remote import GRAPH_NAMESPACE, Server, query_form, run_query
from kg.store import GraphStore

MUC4_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "muc4" / "dev.jsonl"
CONCATENATED = {"kgTypes", "sources", "disagreements"}  # GROUP_CONCAT columns
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
PREFIXES = "PREFIX ce: <https://w3id.org/conflict-kg/ontology#>\n"

needs_virtuoso = pytest.mark.skipif(
    VIRTUOSO is None,
    reason="virtuoso-t is not installed (bash .ci/install-virtuoso.sh installs Debian's "
           "virtuoso-opensource)")


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MUC-4 dev: a store named by ``KG_MUC4_STORE`` (as for the page's test), or one built
    here when ../shared has the file; else the seed store (built once per session)."""
    if os.environ.get("KG_MUC4_STORE"):
        return Path(os.environ["KG_MUC4_STORE"])
    if not MUC4_DEV.is_file():
        return request.getfixturevalue("seed_store_path")
    from kg import build

    path = tmp_path_factory.mktemp("muc4") / "store"
    store = GraphStore(path)
    summary = build([MUC4_DEV], store, validate=False)
    assert summary.articles_read == 200
    del store
    return path


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t is not installed (bash .ci/install-virtuoso.sh installs it)")
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def pushed(virtuoso: str, store_path: Path) -> str:
    """The store pushed to Virtuoso; its SPARQL endpoint."""
    result = _invoke("push", "--endpoint", virtuoso, "--store", str(store_path),
                     "--user", VIRTUOSO_USER, "--password", VIRTUOSO_PASSWORD)
    assert result.exit_code == 0, result.output
    graphs = len(GraphStore(store_path, read_only=True).graph_names())
    assert f"pushed {graphs} graphs" in result.output
    return virtuoso


# -- what each question is asked ------------------------------------------------------------------
def _one(store: GraphStore, sparql: str) -> dict[str, str]:
    rows = list(store.query(PREFIXES + sparql))
    if not rows:
        return {}
    return {v: rows[0][v].value for v in ("a", "b") if rows[0][v] is not None}


@pytest.fixture(scope="module")
def cases(store_path: Path) -> dict[str, list[dict[str, str]]]:
    """Parameters for each named question that the graph has answers to: its busiest year
    and country, a group that lost weapons, a town with events and its point."""
    store = GraphStore(store_path, read_only=True)
    events = ("{ ?e a ce:CanonicalEvent } UNION { ?e a ce:EventClaim "
              "FILTER NOT EXISTS { ?any a ce:CanonicalEvent } }")
    year = _one(store, f"SELECT (STR(?y) AS ?a) WHERE {{ {events} ?e ce:date ?d "
                       "BIND(YEAR(?d) AS ?y) } GROUP BY ?y ORDER BY DESC(COUNT(*)) ?y LIMIT 1"
                ).get("a", "2024")
    country = _one(store, f"SELECT ?a WHERE {{ {events} ?e <http://semanticweb.cs.vu.nl/2009/11/"
                          "sem/hasPlace>/ce:countryCode ?a } GROUP BY ?a "
                          "ORDER BY DESC(COUNT(*)) ?a LIMIT 1").get("a", "BF")
    loser = _one(store, "SELECT ?a WHERE { ?e ce:capturedFrom/<http://www.w3.org/2000/01/"
                        "rdf-schema#label> ?a ; ce:materiel ?m } GROUP BY ?a "
                        "ORDER BY DESC(COUNT(*)) ?a LIMIT 1").get("a", "JNIM")
    town = _one(store, f"""
        PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        SELECT ?a (STR(?w) AS ?b) WHERE {{
          {events} ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace> ?p .
          ?p ce:placeLevel "locality" ; <http://www.w3.org/2000/01/rdf-schema#label> ?a ;
             geo:hasGeometry/geo:asWKT ?w }}
        GROUP BY ?a ?w ORDER BY DESC(COUNT(*)) ?a LIMIT 1""")
    place = town.get("a", "Kaya")
    lon, lat = (town.get("b") or "POINT(-1.08 13.09)")[len("POINT("):-1].split()
    per_name: dict[str, list[dict[str, str]]] = {q.name: [] for q in list_queries()}
    for query in list_queries():
        if not any(p.required for p in query.params):
            per_name[query.name].append({})
    for name in ("captured-weapons", "events-per-actor-month", "actor-cooccurrence",
                 "attacker-target"):
        per_name[name] += [{"country": country}, {"year": year, "country": country}]
    per_name["weapons-captured-from"] += [{"actor": loser}, {"actor": loser, "year": year}]
    per_name["events-near"] += [
        {"place": place, "km": "100"},
        {"place": place, "km": "300", "include_coarse": "true"},
        {"lat": lat, "lon": lon, "km": "500", "include_coarse": "true"}]
    per_name["affiliate-events"] += [{"actor": "al-Qaeda"}, {"actor": "Islamic State"}]
    per_name["low-confidence"] += [{"threshold": "0.9"}]
    per_name["sources-disagreements"] += [{"disagreement": "any"}, {"disagreement": "date"}]
    per_name["independent-sources"] += [{"min": "1"}, {"min": "3"}]
    per_name["fatality-range"] += [{"spread": "0"}]
    return per_name


def _rows(output: str) -> list[dict[str, object]]:
    """``kg query --format json`` rows, each value in a form both engines agree on."""

    def value(name: str, text: str | None) -> object:
        if text is None:
            return None
        if name in CONCATENATED:
            return tuple(sorted(text.split(", ")))
        if NUMBER.match(text):
            return round(float(text), 6)
        return text

    return [{k: value(k, v) for k, v in row.items()} for row in json.loads(output)]


def _asked(case: dict[str, str]) -> list[str]:
    return [arg for key, value in case.items() for arg in ("--param", f"{key}={value}")]


def _same_rows_everywhere(endpoint: str, store_path: Path, name: str,
                          cases: dict[str, list[dict[str, str]]]) -> int:
    """Every case of question ``name`` on the server and in the store; the rows seen."""
    seen = 0
    for case in cases[name]:
        embedded = _invoke("query", "--store", str(store_path), "--named", name, *_asked(case),
                           "--format", "json")
        remote = _invoke("query", "--endpoint", endpoint, "--named", name, *_asked(case),
                         "--format", "json")
        assert embedded.exit_code == 0, embedded.output
        assert remote.exit_code == 0, f"{name} {case}: {remote.output}"
        expected, got = _rows(embedded.stdout), _rows(remote.stdout)
        assert got == expected, f"{name} {case}: {len(got)} rows on the server, {len(expected)}"
        seen += len(expected)
    return seen


# -- on Virtuoso ----------------------------------------------------------------------------------
@needs_virtuoso
@pytest.mark.slow
@pytest.mark.model
def test_push_keeps_every_named_graph_and_every_triple(pushed: str, store_path: Path) -> None:
    store = GraphStore(store_path, read_only=True)
    per_graph = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                 f'FILTER(STRSTARTS(STR(?g), "{GRAPH_NAMESPACE}")) }} GROUP BY ?g')
    local = {row["g"].value: int(row["n"].value) for row in store.query(per_graph)}
    answer = run_query(Server(pushed), per_graph).results
    assert {row["g"].value: int(row["n"].value) for row in answer} == local
    # the same nodes, spelled the same (Virtuoso once kept the "\" of kgid:event\/1)
    subjects = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"
    remote_subjects = {row["s"].value for row in run_query(Server(pushed), subjects).results}
    assert {row["s"].value for row in store.query(subjects)} <= remote_subjects


@needs_virtuoso
@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_named_question_gives_the_same_rows_on_virtuoso(
        name: str, pushed: str, store_path: Path, cases: dict[str, list[dict[str, str]]]) -> None:
    seen = _same_rows_everywhere(pushed, store_path, name, cases)
    if MUC4_DEV.is_file() and name not in {"affiliate-events", "quality"}:
        assert seen > 0, f"{name}: no rows in any case, so nothing was compared"


@needs_virtuoso
@pytest.mark.slow
@pytest.mark.model
def test_ask_and_construct_run_on_the_server(pushed: str, store_path: Path, tmp_path: Path) -> None:
    ask = tmp_path / "ask.rq"
    ask.write_text(PREFIXES + "ASK { ?e a ce:EventClaim }", encoding="utf-8")
    result = _invoke("query", "--endpoint", pushed, str(ask))
    assert (result.exit_code, result.stdout.strip()) == (0, "true")
    construct = tmp_path / "construct.rq"
    construct.write_text(PREFIXES + "# a comment before the form\n"
                         "CONSTRUCT { ?e a ce:EventClaim } WHERE { ?e a ce:EventClaim }",
                         encoding="utf-8")
    remote = _invoke("query", "--endpoint", pushed, str(construct))
    embedded = _invoke("query", "--store", str(store_path), str(construct))
    assert remote.exit_code == 0, remote.output
    assert sorted(remote.stdout.splitlines()) == sorted(embedded.stdout.splitlines())


@needs_virtuoso
@pytest.mark.slow
@pytest.mark.model
def test_pushing_again_removes_the_graphs_the_store_no_longer_has(
        pushed: str, store_path: Path) -> None:
    crud = urllib.parse.urljoin(pushed, "/sparql-graph-crud-auth")
    auth = httpx.DigestAuth(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
    stale, other = GRAPH_NAMESPACE + "article/gone", "http://example.org/someone-else"
    for graph in (stale, other):
        response = httpx.put(crud, params={"graph": graph}, auth=auth,
                             content=b"<http://example.org/s> <http://example.org/p> 1 .",
                             headers={"Content-Type": "text/turtle"}, timeout=30)
        assert response.status_code in {200, 201, 204}, response.text
    result = _invoke("push", "--endpoint", pushed, "--store", str(store_path),
                     "--user", VIRTUOSO_USER, "--password", VIRTUOSO_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "removed from the server: 1 graphs the store no longer has" in result.output
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    names = {row["g"].value for row in run_query(Server(pushed), graphs).results}
    assert stale not in names and other in names


@needs_virtuoso
@pytest.mark.slow
def test_server_errors_are_one_line_and_exit_2(virtuoso: str, seed_store_path: Path,
                                               tmp_path: Path) -> None:
    store = str(seed_store_path)
    result = _invoke("push", "--endpoint", virtuoso, "--store", store,
                     "--user", VIRTUOSO_USER, "--password", "not-the-password")
    assert result.exit_code == 2
    crud = urllib.parse.urljoin(virtuoso, "/sparql-graph-crud-auth")
    assert result.output.strip() == (
        f"Error: {crud}: the server refused user 'dba' with this password (HTTP 401)")
    result = _invoke("push", "--endpoint", virtuoso, "--store", store)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "not allowed (HTTP 403" in result.output
    assert "give --user and --password" in result.output
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    result = _invoke("query", "--endpoint", virtuoso, str(bad))
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"Error: {virtuoso}: HTTP 400 Bad Request: ")


# -- without Virtuoso -----------------------------------------------------------------------------
def test_an_unreachable_server_is_exit_2(seed_store_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_free_port()}/sparql"
    result = _invoke("query", "--endpoint", endpoint, "--named", "quality")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {endpoint}: cannot reach the server (connection refused)")
    result = _invoke("push", "--endpoint", endpoint, "--store", str(seed_store_path))
    assert result.exit_code == 2 and "cannot reach the server" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--endpoint", "ftp://example.org/sparql"], "not an http:// or https:// address"),
    (["--endpoint", "http://dba:dba@127.0.0.1:8890/sparql"], "not in the address"),
    (["--endpoint", "http://127.0.0.1:8890/sparql", "--password", "x"], "needs its user"),
])
def test_bad_server_options_are_exit_2(args: list[str], message: str) -> None:
    result = _invoke("query", "--named", "quality", *args)
    assert result.exit_code == 2 and message in result.output


def test_the_query_form_is_read_after_the_prologue() -> None:
    assert query_form("PREFIX a: <http://x/select#>\n# CONSTRUCT\nSELECT * {}") == "SELECT"
    assert query_form("BASE <http://x/>\nprefix : <ask:>\n construct {} where {}") == "CONSTRUCT"
    assert query_form('DEFINE input:inference "r"\nDESCRIBE <http://x/>') == "DESCRIBE"
    assert query_form("ASK {}") == "ASK"


@pytest.mark.slow
@pytest.mark.model
def test_kg_serve_answers_kg_query_endpoint_as_the_store_does(
        seed_store_path: Path) -> None:
    """Any SPARQL 1.1 endpoint will do for questions; a push needs its Graph Store, which
    only Virtuoso's is found without --graph-store."""
    every: dict[str, list[dict[str, str]]] = {
        q.name: [{}] for q in list_queries() if not any(p.required for p in q.params)}
    every["events-near"] = [{"place": "Kaya", "km": "100"}]
    with running_server(seed_store_path) as base:
        for name in every:
            _same_rows_everywhere(f"{base}/sparql", seed_store_path, name, every)
        result = _invoke("push", "--endpoint", f"{base}/sparql", "--store", str(seed_store_path))
    assert result.exit_code == 2 and "give --graph-store URL" in result.output


@pytest.mark.slow
@pytest.mark.model
def test_an_answer_the_server_cut_is_noted(seed_store_path: Path) -> None:
    with running_server(seed_store_path, "--max-rows", "1") as base:
        result = _invoke("query", "--endpoint", f"{base}/sparql", "--named",
                         "sources-disagreements", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 1
    assert "note: the server cut the answer at 1 rows" in result.stderr
