"""``kg serve`` as a real process on localhost, queried by SPARQLWrapper, plain HTTP and Chromium.

The tests marked slow and model share one server over the seed store, with a 3-second time
limit and a 50-row limit, on 127.0.0.1 and a free port; it is always stopped. The browser test
drives Debian's Chromium through Selenium and /usr/bin/chromedriver
(``.ci/install-browser.sh`` installs both).
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from servers import running_server
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
from typer.testing import CliRunner

from kg.cli import app
from kg.serve import RefusedQuery, checked_query, negotiate
from kg.store import GraphStore

CE = "https://w3id.org/conflict-kg/ontology#"
TIME_LIMIT = 3.0
MAX_ROWS = 50
EVENTS = (f"SELECT ?event ?type WHERE {{ ?event a <{CE}CanonicalEvent> ; "
          f"<{CE}eventType> ?type }} ORDER BY ?type")
# three unconstrained patterns over ~12,000 triples: 10^12 combinations to count
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(seed_store_path: Path) -> Iterator[str]:
    with running_server(
        seed_store_path, "--timeout", str(TIME_LIMIT), "--max-rows", str(MAX_ROWS)
    ) as base:
        yield base


def _wrapper(base: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(20)
    return client


# -- SPARQLWrapper -----------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.model
def test_select_with_sparqlwrapper_json_and_xml(server: str) -> None:
    data = _wrapper(server, EVENTS, JSON).queryAndConvert()
    assert data["head"]["vars"] == ["event", "type"]
    types = [b["type"]["value"].rsplit("/", 1)[-1] for b in data["results"]["bindings"]]
    assert types == ["armed-clash", "materiel-capture"]
    document = _wrapper(server, EVENTS, XML).queryAndConvert()  # an xml.dom document
    assert len(document.getElementsByTagName("result")) == 2


@pytest.mark.slow
@pytest.mark.model
def test_ask_with_sparqlwrapper(server: str) -> None:
    client = _wrapper(server, f"ASK {{ ?e a <{CE}CanonicalEvent> ; <{CE}sourceCount> 2 }}", JSON)
    assert client.queryAndConvert()["boolean"] is True
    client = _wrapper(server, f"ASK {{ ?e <{CE}fatalities> ?n }}", XML)
    assert client.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "false"


@pytest.mark.slow
@pytest.mark.model
def test_construct_with_sparqlwrapper(server: str) -> None:
    query = (f"CONSTRUCT {{ ?e a <{CE}CanonicalEvent> ; <{CE}sourceArticle> ?a }} "
             f"WHERE {{ ?e a <{CE}CanonicalEvent> ; <{CE}sourceArticle> ?a }}")
    for fmt in (XML, TURTLE):  # RDF/XML and Turtle, parsed into rdflib graphs
        result = _wrapper(server, query, fmt).queryAndConvert()
        graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(
            data=result, format="turtle")
        assert len(graph) == 6  # two events, each typed and with two source articles
    response = httpx.post(f"{server}/sparql", data={"query": f"DESCRIBE <{CE}CanonicalEvent>"},
                          headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    assert len(graph) > 0


# -- plain HTTP -----------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.model
def test_updates_are_refused(server: str) -> None:
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    response = httpx.post(f"{server}/sparql", content=update,
                          headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403 and "read-only" in response.text
    response = httpx.post(f"{server}/sparql", data={"update": update})
    assert response.status_code == 403
    response = httpx.get(f"{server}/sparql", params={"update": update})
    assert response.status_code == 403
    response = httpx.post(f"{server}/sparql", data={"query": update})  # not a query at all
    assert response.status_code == 400 and "syntax error" in response.text
    ask = httpx.get(f"{server}/sparql", params={"query": "ASK { <urn:x:a> ?p ?o }"},
                    headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is False


@pytest.mark.slow
@pytest.mark.model
def test_an_endless_query_is_stopped_at_the_time_limit(server: str) -> None:
    started = time.monotonic()
    response = httpx.post(f"{server}/sparql", data={"query": ENDLESS}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and "time limit" in response.text
    assert TIME_LIMIT <= elapsed < TIME_LIMIT + 5
    # the worker was replaced: the endpoint still answers, quickly
    response = httpx.get(f"{server}/sparql", params={"query": EVENTS},
                         headers={"Accept": "application/sparql-results+json"}, timeout=20)
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 2


@pytest.mark.slow
@pytest.mark.model
def test_results_are_cut_at_the_row_limit(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    assert response.headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    response = httpx.get(f"{server}/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/n-triples"})
    assert len(response.text.strip().splitlines()) == MAX_ROWS
    response = httpx.get(f"{server}/sparql", params={"query": EVENTS})
    assert "X-SPARQL-MaxRows" not in response.headers


@pytest.mark.slow
@pytest.mark.model
def test_content_negotiation_cors_and_refusals(server: str) -> None:
    csv_text = httpx.get(f"{server}/sparql", params={"query": EVENTS},
                         headers={"Accept": "text/csv"}).text
    assert csv_text.splitlines()[0] == "event,type" and len(csv_text.splitlines()) == 3
    tsv = httpx.get(f"{server}/sparql", params={"query": EVENTS, "format": "tsv"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.splitlines()[0] == "?event\t?type"
    response = httpx.get(f"{server}/sparql", params={"query": EVENTS},
                         headers={"Origin": "http://example.org"})
    assert "access-control-allow-origin" not in response.headers  # no CORS unless --cors
    response = httpx.options(f"{server}/sparql", headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 403
    response = httpx.get(f"{server}/sparql", params={
        "query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 403 and "SERVICE" in response.text
    response = httpx.get(f"{server}/sparql", params={"query": EVENTS},
                         headers={"Accept": "image/png"})
    assert response.status_code == 406
    named = httpx.get(f"{server}/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?e a <{CE}CanonicalEvent> }} }}",
        "named-graph-uri": "https://w3id.org/conflict-kg/id/graph/reference"},
        headers={"Accept": "application/sparql-results+json"})
    assert named.json()["results"]["bindings"][0]["n"]["value"] == "0"
    description = httpx.get(f"{server}/sparql")
    assert description.status_code == 200 and "sd:Service" in description.text


@pytest.mark.slow
@pytest.mark.model
def test_named_questions_over_http(server: str) -> None:
    listed = httpx.get(f"{server}/queries").json()
    assert len(listed) == 13 and listed[0]["name"] == "captured-weapons"
    text = httpx.get(f"{server}/queries/weapons-captured-from", params={"actor": "JNIM"}).text
    assert 'VALUES (?actor ?year) { ("JNIM" UNDEF) }' in text
    result = httpx.post(f"{server}/sparql", content=text,
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"}).json()
    assert len(result["results"]["bindings"]) == 5
    refused = httpx.get(f"{server}/queries/captured-weapons", params={"year": "soon"})
    assert refused.status_code == 400 and "not a year" in refused.text


def test_serve_refuses_a_missing_store_and_a_busy_port(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no store here" in result.output
    result = runner.invoke(app, ["serve", "--store", str(tmp_path)])
    assert result.exit_code == 2 and "no store here" in result.output
    broken = tmp_path / "broken"  # a pointer to a generation that is not there
    broken.mkdir()
    (broken / "generation").write_text("000009\n")
    result = runner.invoke(app, ["serve", "--store", str(broken)])
    assert result.exit_code == 2 and "cannot open the store" in result.output
    store = GraphStore(tmp_path / "store")
    store.flush()
    del store
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--store", str(tmp_path / "store"),
                                     "--port", str(port)])
    assert result.exit_code == 2 and "cannot listen here" in result.output


def test_helpers() -> None:
    assert negotiate("results", "text/csv;q=0.5, application/sparql-results+xml") == \
        "application/sparql-results+xml"
    assert negotiate("graph", "application/json") == "application/ld+json"
    assert negotiate("graph", None, "xml") == "application/rdf+xml"
    assert negotiate("results", "text/*") == "text/csv"
    assert negotiate("results", "image/png") is None
    for query in ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
                  "select * { service silent <http://x/> { ?s ?p ?o } }"):
        with pytest.raises(RefusedQuery):
            checked_query(query)
    assert checked_query('SELECT ?service { ?s ex:service "SERVICE" } # SERVICE')


# -- a person in a browser -------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.model
def test_the_page_runs_a_named_question_in_chromium(server: str) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.get(server + "/")
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#question option")) > 1)
        Select(driver.find_element(By.ID, "question")).select_by_value("captured-weapons")
        wait.until(lambda d: "VALUES (?year ?country)" in
                   d.find_element(By.ID, "query").get_property("value"))
        driver.find_element(By.ID, "param-country").send_keys("BF")
        driver.find_element(By.ID, "run").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#result table tbody tr")))
        header = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#result thead th")]
        assert header == ["capturer", "model", "originCountry", "originBasis", "capturedFrom",
                          "events"]
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in driver.find_elements(By.CSS_SELECTOR, "#result tbody tr")]
        assert [r[1] for r in rows] == ["PG-7V", "RPG-7", "Type 56", "Zastava M05E1",
                                        "Zastava M70AB2"]
        assert {r[0] for r in rows} == {"Islamic State Sahel Province"}
        assert [r[2] for r in rows] == ["Bulgaria", "", "China", "Serbia", "Serbia"]
        assert '"BF"' in driver.find_element(By.ID, "query").get_property("value")
        assert driver.find_element(By.ID, "status").text.startswith("5 rows")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
