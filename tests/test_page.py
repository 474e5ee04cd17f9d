"""The analyst's page of ``kg serve`` in Chromium, on the seed graph.

One server over the seed store (two reports of one clash and one capture at Kalamba, Burkina
Faso, on 21 March 2024) and one headless Chromium for the module. The page must draw the two
events on the map (one group of two, placed near a known town), as bars on the timeline and as
an edge of the actor network; clicks on a marker, a bar and an edge open the events' cards
with their sources and evidence sentences; the filters narrow all three views; a named
question's result switches the views to its events and downloads as CSV; a CONSTRUCT result
reads as a table of triples. Everything the page loads comes from the server itself.

With ``KG_SCREENSHOTS=DIR`` set, the test also saves the screenshots shown in the README
(``page-map.png``, ``page-card.png``) into DIR.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import running_server

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "kg" / "static" / "vendor"
CE = "https://w3id.org/conflict-kg/ontology#"
Seed = dict[str, str]  # the IRIs of the seed's canonical events, by type

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def server(seed_store_path: Path) -> Iterator[str]:
    with running_server(seed_store_path) as base:
        yield base


@pytest.fixture(scope="module")
def seed_events(server: str) -> dict[str, str]:
    """The IRIs of the seed's two canonical events, by type, as the endpoint gives them."""
    query = (f"SELECT ?e ?t WHERE {{ ?e a <{CE}CanonicalEvent> ; <{CE}eventType> ?t }}")
    rows = httpx.post(f"{server}/sparql", data={"query": query},
                      headers={"Accept": "application/sparql-results+json"}).json()
    events = {row["t"]["value"].rsplit("/", 1)[-1]: row["e"]["value"]
              for row in rows["results"]["bindings"]}
    assert set(events) == {"armed-clash", "materiel-capture"}
    return events


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(binary).exists() and Path(driver_path).exists()):
        pytest.skip("Chromium and chromedriver are missing: run .ci/install-browser.sh")
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1600,1400", "--force-device-scale-factor=1",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(server: str, browser: Any) -> Any:
    """The page, loaded afresh, once its views have drawn the whole graph."""
    return _open(browser, server)


def _open(driver: Any, base: str) -> Any:
    from selenium.webdriver.support.wait import WebDriverWait

    driver.get(base + "/")
    WebDriverWait(driver, 120).until(
        lambda d: d.execute_script("return document.body.dataset.ready === 'true'"))
    driver.get_log("browser")  # start with an empty console
    return driver


def _wait(driver: Any, condition: Any, seconds: float = 30) -> Any:
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def _card(driver: Any) -> Any:
    from selenium.webdriver.common.by import By

    return _wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#card-body .event-card"))


def _list(driver: Any) -> list[Any]:
    """The buttons of the event list in the panel, once it shows."""
    from selenium.webdriver.common.by import By

    return _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                   "#card-body .event-list button"))


def _close_card(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "card-close").click()
    _wait(driver, lambda d: not d.find_element(By.ID, "card").is_displayed())


def _click_canvas(driver: Any, element: Any, x: float, y: float) -> None:
    """Click a canvas at (x, y) from its top-left corner (selenium offsets from the centre)."""
    from selenium.webdriver.common.action_chains import ActionChains

    # offsets count from the centre of the element's visible part: show it all first
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    size = element.size
    ActionChains(driver).move_to_element_with_offset(
        element, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


def _screenshot(driver: Any, name: str) -> None:
    folder = os.environ.get("KG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / name))


def _severe_console_messages(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


# -- the files the page needs ship with the package ----------------------------------------------
def test_vendored_libraries_carry_their_licences() -> None:
    for folder, built, licence in (
        ("leaflet", "leaflet.js", "LICENSE"), ("chart.js", "chart.umd.min.js", "LICENSE.md"),
        ("cytoscape", "cytoscape.min.js", "LICENSE"),
        ("topojson-client", "topojson-client.min.js", "LICENSE"),
        ("world-atlas", "countries-50m.json", "LICENSE"),
    ):
        assert (VENDOR / folder / built).stat().st_size > 1000, folder
        assert "Copyright" in (VENDOR / folder / licence).read_text(encoding="utf-8"), folder
    outlines = json.loads((VENDOR / "world-atlas" / "countries-50m.json").read_text())
    assert outlines["type"] == "Topology"
    assert len(outlines["objects"]["countries"]["geometries"]) > 200


def test_the_page_loads_only_from_its_own_server(server: str) -> None:
    html = httpx.get(server + "/").text
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in (
        html.replace("https://w3id.org/conflict-kg/ontology#", ""))
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
                 "/static/vendor/chart.js/chart.umd.min.js",
                 "/static/vendor/cytoscape/cytoscape.min.js",
                 "/static/vendor/topojson-client/topojson-client.min.js",
                 "/static/vendor/world-atlas/countries-50m.json", "/static/app.js",
                 "/static/events.js", "/static/views.js", "/static/card.js", "/static/sparql.js"):
        assert httpx.get(server + path).status_code == 200, path


# -- the three views ------------------------------------------------------------------------------
def test_map_timeline_and_network_draw_the_seed_events(page: Any, seed_events: Seed) -> None:
    from selenium.webdriver.common.by import By

    clash, capture = seed_events["armed-clash"], seed_events["materiel-capture"]
    markers = page.find_elements(By.CSS_SELECTOR, "#map path.kg-event-marker")
    # both events are at Kalamba, placed near Kaya (geo precision 2): one group of two markers
    assert len(markers) == 1
    assert set(markers[0].get_attribute("data-events").split()) == {clash, capture}
    assert "kg-precision-near" in markers[0].get_attribute("class")
    outlines = page.find_elements(By.CSS_SELECTOR, ".leaflet-base-pane path")
    assert len(outlines) > 200  # Natural Earth's countries, drawn from the shipped TopoJSON
    assert "Armed clash" in page.find_element(By.CSS_SELECTOR, ".map-legend").text

    timeline = page.execute_script("""
        const chart = window.kgViews.timeline.chart;
        return {labels: chart.data.labels,
                sets: chart.data.datasets.map((d, i) => ({label: d.label, data: d.data,
                      height: chart.getDatasetMeta(i).data[0].height}))};""")
    assert timeline["labels"] == ["week of 2024-03-18"]
    assert [(s["label"], s["data"]) for s in timeline["sets"]] == [
        ("Armed clash", [1]), ("Materiel capture", [1])]
    assert all(s["height"] > 10 for s in timeline["sets"])  # bars drawn, not only counted

    network = page.execute_script("""
        const cy = window.kgViews.network.cy;
        return {nodes: cy.nodes().map((n) => n.data('label')).sort(),
                edges: cy.edges().map((e) => [e.source().data('label'),
                                              e.target().data('label'), e.data('weight')])};""")
    assert network["nodes"] == ["Islamic State Sahel Province", "JNIM"]
    assert network["edges"] == [["Islamic State Sahel Province", "JNIM", 2]]
    assert page.find_element(By.ID, "view-status").text.startswith("2 of 2 events")
    assert _severe_console_messages(page) == []


def test_a_marker_opens_the_list_and_a_card_with_sentences(page: Any, seed_events: Seed) -> None:
    from selenium.webdriver.common.by import By

    clash, capture = seed_events["armed-clash"], seed_events["materiel-capture"]
    page.find_element(By.CSS_SELECTOR, "#map path.kg-event-marker").click()
    buttons = _list(page)
    assert len(buttons) == 2
    [item] = [b for b in buttons if "Materiel capture" in b.text]
    assert "Islamic State Sahel Province → JNIM" in item.text
    item.click()
    card = _card(page)
    assert card.get_attribute("data-event") == capture
    assert card.find_element(By.TAG_NAME, "h2").text == "Materiel capture"
    text = card.text
    assert "21 March 2024" in text and "from the date line" in text
    assert "Province du Sanmatenga › Centre-Nord › Burkina Faso" in text  # the place hierarchy
    assert "captured by" in text and "captured from" in text
    models = [strong.text for strong in
              card.find_elements(By.CSS_SELECTOR, "table.materiel tbody td:first-child strong")]
    assert models == ["PG-7V", "RPG-7", "Type 56", "Zastava M05E1", "Zastava M70AB2"]
    origins = [td.text for td in
               card.find_elements(By.CSS_SELECTOR, "table.materiel tbody td:nth-child(3)")]
    assert origins[0] == "Bulgaria\nsaid in the text"
    assert origins[4] == "Serbia\nthe model's only maker"
    sources = card.find_elements(By.CSS_SELECTOR, "ol.sources > li")
    assert [s.find_element(By.TAG_NAME, "strong").text for s in sources] == [
        "000_69087c4d98a395b5", "001_62c5150fe37c3cba"]
    quotes = [q.text for q in card.find_elements(By.CSS_SELECTOR, "ol.sources blockquote")]
    assert len(quotes) == 5 and all(q.endswith(".") for q in quotes)
    assert any("Zastava M70AB2" in q for q in quotes)
    # the undated report took its date from the other one, and says so
    assert "from a coreferent article" in sources[0].text
    page.find_element(By.ID, "card-back").click()
    _list(page)
    buttons = page.find_elements(By.CSS_SELECTOR, "#card-body .event-list button")
    assert ["Armed clash" in b.text for b in buttons] == [True, False]  # same day: by type
    buttons[0].click()
    _wait(page, lambda d: d.find_element(By.CSS_SELECTOR, "#card-body .event-card")
          .get_attribute("data-event") == clash)
    _screenshot(page, "page-card.png")
    related = page.find_element(By.CSS_SELECTOR, "#card-body .event-card")
    assert related.find_element(By.TAG_NAME, "h2").text == "Armed clash"
    _close_card(page)


def test_a_bar_and_an_edge_open_their_events(page: Any, seed_events: Seed) -> None:
    from selenium.webdriver.common.by import By

    clash, capture = seed_events["armed-clash"], seed_events["materiel-capture"]
    canvas = page.find_element(By.ID, "timeline")
    x, y = page.execute_script("""
        const chart = window.kgViews.timeline.chart;
        const i = chart.data.datasets.findIndex((d) => d.label === 'Armed clash');
        const bar = chart.getDatasetMeta(i).data[0];
        return [bar.x, bar.y + bar.height / 2];""")
    _click_canvas(page, canvas, x, y)
    card = _card(page)
    assert card.get_attribute("data-event") == clash
    assert len(card.find_elements(By.CSS_SELECTOR, "ol.sources > li")) == 2
    _close_card(page)

    box = page.find_element(By.ID, "network")
    x, y = page.execute_script("""
        const point = window.kgViews.network.cy.edges()[0].renderedMidpoint();
        return [point.x, point.y];""")
    _click_canvas(page, box, x, y)
    buttons = _list(page)
    assert {b.get_attribute("data-event") for b in buttons} == {clash, capture}
    title = page.find_element(By.CSS_SELECTOR, "#card-body h2").text
    assert "Islamic State Sahel Province → JNIM" in title
    _close_card(page)


def test_filters_narrow_every_view(page: Any, seed_events: Seed) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    clash = seed_events["armed-clash"]
    Select(page.find_element(By.ID, "f-type")).select_by_visible_text("Armed clash")
    status = page.find_element(By.ID, "view-status")
    _wait(page, lambda d: status.text.startswith("1 of 2 events"))
    marker = page.find_element(By.CSS_SELECTOR, "#map path.kg-event-marker")
    assert marker.get_attribute("data-events") == clash
    labels = page.execute_script(
        "return window.kgViews.timeline.chart.data.datasets.map((d) => d.label)")
    assert labels == ["Armed clash"]
    assert page.execute_script("return window.kgViews.network.cy.edges()[0].data('weight')") == 1

    page.find_element(By.ID, "f-reset").click()
    _wait(page, lambda d: status.text.startswith("2 of 2 events"))
    page.find_element(By.ID, "f-actor").send_keys("jnim")
    _wait(page, lambda d: status.text.startswith("2 of 2 events"))
    page.execute_script("""
        const from = document.getElementById('f-from');
        from.value = '2024-04-01';
        from.dispatchEvent(new Event('change'));""")
    _wait(page, lambda d: status.text.startswith("0 of 2 events"))
    assert page.find_elements(By.CSS_SELECTOR, "#map path.kg-event-marker") == []
    assert page.execute_script("return window.kgViews.network.cy.nodes().length") == 0
    Select(page.find_element(By.ID, "f-country")).select_by_visible_text("Burkina Faso")
    page.find_element(By.ID, "f-reset").click()
    _wait(page, lambda d: status.text.startswith("2 of 2 events"))
    assert Select(page.find_element(By.ID, "f-country")).first_selected_option.text == "all"


def test_the_card_shows_where_sources_disagree(
    seed_store_path: Path, seed_events: Seed, browser: Any, tmp_path: Path
) -> None:
    """The seed's two reports agree; a copy where they give 3 and 5 dead must say so."""
    from rdflib import Graph, Literal, URIRef
    from selenium.webdriver.common.by import By

    from kg.store import GraphStore

    clash = seed_events["armed-clash"]
    copy = tmp_path / "store"
    shutil.copytree(seed_store_path, copy)
    store = GraphStore(copy)
    claims = sorted(row["c"].value for row in store.query(
        f"SELECT ?c WHERE {{ <{clash}> <{CE}claim> ?c }}"))
    assert len(claims) == 2
    extra = Graph(identifier=URIRef("urn:test:disagreement"))
    for subject, prop, value in ((clash, "disagreement", Literal("fatalities")),
                                 (clash, "fatalities", Literal(3)),
                                 (clash, "fatalitiesLow", Literal(3)),
                                 (clash, "fatalitiesHigh", Literal(5)),
                                 (claims[0], "fatalities", Literal(3)),
                                 (claims[1], "fatalities", Literal(5))):
        extra.add((URIRef(subject), URIRef(CE + prop), value))
    store.add_to_graph(extra)
    del store  # closes the database, as the seed fixture does
    with running_server(copy) as base:
        page = _open(browser, base)
        page.execute_script(
            "document.querySelector('#map path.kg-event-marker')"
            ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        [button] = [b for b in _list(page) if b.get_attribute("data-event") == clash]
        button.click()
        card = _card(page)
        assert card.find_element(By.CSS_SELECTOR, ".warning").text == (
            "The sources disagree on: fatalities.")
        flagged = [dd.text for dd in card.find_elements(By.CSS_SELECTOR, "dd.disagrees")]
        assert flagged == ["3 to 5 (by source)", "3 killed", "5 killed"]


# -- results: views of the result, downloads, graphs as tables -------------------------------------
def test_a_result_with_events_drives_the_views_and_a_csv(page: Any, seed_events: Seed) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    clash, capture = seed_events["armed-clash"], seed_events["materiel-capture"]
    _wait(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#question option")) > 1)
    Select(page.find_element(By.ID, "question")).select_by_value("sources-disagreements")
    _wait(page, lambda d: "ce:disagreement" in d.find_element(By.ID, "query").get_property("value"))
    page.find_element(By.ID, "run").click()
    _wait(page, lambda d: d.find_element(By.ID, "status").text.startswith("4 rows"))
    scope = Select(page.find_element(By.ID, "scope"))
    assert scope.first_selected_option.text == "the current result (2)"

    link = page.find_element(By.ID, "download-csv")
    assert link.get_attribute("download") == "sources-disagreements.csv"
    csv_text = page.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => r.text()).then(done);", link.get_attribute("href"))
    lines = csv_text.strip().split("\r\n")
    assert lines[0].split(",")[:4] == ["event", "type", "eventDate", "article"]
    assert len(lines) == 5
    events = sorted(line.split(",")[0] for line in lines[1:])
    assert events == sorted([clash, clash, capture, capture])
    data = json.loads(page.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => r.text()).then(done);",
        page.find_element(By.ID, "download-json").get_attribute("href")))
    assert len(data["results"]["bindings"]) == 4
    _screenshot(page, "page-result.png")

    # a column is sorted by a click on its header, and an event in it opens the card
    header = page.find_elements(By.CSS_SELECTOR, "#result thead th")
    header[3].click()
    header[3].click()
    articles = [tr.find_elements(By.TAG_NAME, "td")[3].text
                for tr in page.find_elements(By.CSS_SELECTOR, "#result tbody tr")]
    assert articles == sorted(articles, reverse=True)
    page.find_element(By.CSS_SELECTOR, "#result .event-link").click()
    assert _card(page).get_attribute("data-event") in {clash, capture}
    _close_card(page)


def test_a_construct_result_reads_as_a_table_of_triples(page: Any) -> None:
    from selenium.webdriver.common.by import By

    query = page.find_element(By.ID, "query")
    query.clear()
    query.send_keys(
        "PREFIX ce: <https://w3id.org/conflict-kg/ontology#>\n"
        "CONSTRUCT { ?e ce:sourceCount ?n ; ce:placeMention ?m } "
        "WHERE { ?e a ce:CanonicalEvent ; ce:sourceCount ?n ; ce:placeMention ?m }")
    page.find_element(By.ID, "run").click()
    _wait(page, lambda d: "triples" in d.find_element(By.ID, "status").text)
    assert page.find_element(By.ID, "status").text.startswith("8 triples")
    header = [th.text for th in page.find_elements(By.CSS_SELECTOR, "#result thead th")]
    assert header == ["subject", "predicate", "object"]
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in page.find_elements(By.CSS_SELECTOR, "#result tbody tr")]
    assert {r[1] for r in rows} == {"ce:sourceCount", "ce:placeMention"}
    assert {r[2] for r in rows if r[1] == "ce:placeMention"} == {"Burkina Faso", "Kalamba", "Kaya"}
    assert not page.find_element(By.ID, "download-nt").get_attribute("hidden")
    assert not page.find_element(By.ID, "raw").is_displayed()
    page.find_element(By.ID, "show-raw").click()
    raw = page.find_element(By.ID, "raw").text
    assert "<https://w3id.org/conflict-kg/ontology#sourceCount>" in raw


# -- a real corpus ---------------------------------------------------------------------------------
MUC4_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "muc4" / "dev.jsonl"


def test_the_page_on_a_muc4_dev_store(browser: Any, tmp_path: Path) -> None:
    """The page over MUC-4 dev: a store named by ``KG_MUC4_STORE``, or one built here from
    ``../shared/eval/muc4/dev.jsonl`` (under a minute on two cores) when that file is there."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    from kg import GraphStore, build

    store = os.environ.get("KG_MUC4_STORE")
    if not store:
        if not MUC4_DEV.is_file():
            pytest.skip(f"no MUC-4 dev file at {MUC4_DEV} (../shared is not beside the project)")
        store = str(tmp_path / "muc4-store")
        build([MUC4_DEV], GraphStore(store), validate=False)
    with running_server(Path(store)) as base:
        page = _open(browser, base)
        status = page.find_element(By.ID, "view-status").text
        total = int(status.split(" of ")[1].split()[0])
        assert total > 100
        markers = page.find_elements(By.CSS_SELECTOR, "#map path.kg-event-marker")
        assert len(markers) > 10
        # events known only to their country are rings, never points at the capital
        rings = page.find_elements(By.CSS_SELECTOR, "#map path.kg-precision-country")
        assert rings and all(r.get_attribute("stroke-dasharray") for r in rings)
        assert all(r.get_attribute("fill-opacity") == "0" for r in rings)
        bars = page.execute_script(
            "return window.kgViews.timeline.chart.data.datasets"
            ".reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0)")
        assert bars > 100
        assert page.execute_script("return window.kgViews.network.cy.nodes().length") > 20
        # a question whose answer is every event (independent sources, at least one) puts
        # them all in the views: the page follows the result, not the whole graph
        Select(page.find_element(By.ID, "question")).select_by_value("independent-sources")
        _wait(page, lambda d: "?min" in d.find_element(By.ID, "query").get_property("value"))
        page.execute_script("""
            const input = document.getElementById('param-min');
            input.value = '1';
            input.dispatchEvent(new Event('change'));""")
        _wait(page, lambda d: '("1"^^' in d.find_element(By.ID, "query").get_property("value"))
        page.find_element(By.ID, "run").click()
        _wait(page, lambda d: d.find_element(By.ID, "status").text.startswith(f"{total} rows"))
        assert page.find_element(By.ID, "view-status").text.startswith(f"{total} of {total}")
        _screenshot(page, "page-map.png")
        # the marker with the most events opens their list, and the first one its card
        page.execute_script("""
            const paths = [...document.querySelectorAll('#map path.kg-event-marker')];
            paths.sort((a, b) => b.dataset.events.split(' ').length
                                 - a.dataset.events.split(' ').length);
            paths[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));""")
        buttons = _list(page)
        buttons[0].click()
        card = _card(page)
        assert card.find_elements(By.CSS_SELECTOR, "ol.sources > li")
        assert card.find_elements(By.CSS_SELECTOR, "ol.sources blockquote")
        link = page.find_element(By.ID, "events-csv")
        csv_text = page.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then((r) => r.text()).then(done);", link.get_attribute("href"))
        assert len(csv_text.strip().split("\r\n")) == total + 1
        assert _severe_console_messages(page) == []
