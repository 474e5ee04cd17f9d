"""End to end on the sample articles: golden graph, merging, incremental builds, broken input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import GOLDEN, SAMPLES
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import PROV

from kg import GraphStore, build
from kg.export import export
from kg.export.events import collect_events
from kg.rdf import iris

pytestmark = pytest.mark.model

SEED_DOCS = ["000_69087c4d98a395b5", "001_62c5150fe37c3cba"]


def event_graphs(store: GraphStore) -> Graph:
    """Article, shared-entity and canonical graphs, without the run (its IRI names library
    versions)."""
    dataset = store.to_dataset()
    graph = Graph()
    for s, p, o, g in dataset.quads():
        name = str(g)
        if (
            "/graph/article/" in name
            or name in {str(iris.CANONICAL_GRAPH), str(iris.ENTITIES_GRAPH)}
        ) and p != PROV.wasGeneratedBy:
            graph.add((s, p, o))
    return graph


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    left, right = to_isomorphic(expected), to_isomorphic(actual)
    if left == right:
        return
    _, only_expected, only_actual = graph_diff(left, right)
    lines = [f"- {t}" for t in sorted(only_expected.serialize(format="nt").splitlines())[:25]]
    lines += [f"+ {t}" for t in sorted(only_actual.serialize(format="nt").splitlines())[:25]]
    pytest.fail(
        "graphs differ (rerun with --update-golden if the change is intended):\n" + "\n".join(lines)
    )


def test_seed_graph_matches_the_golden_graph(seed_store, update_golden: bool) -> None:
    actual = event_graphs(seed_store)
    golden = GOLDEN / "seeds.nt"
    if update_golden:
        golden.write_text(
            "".join(sorted(actual.serialize(format="nt").splitlines(True))), encoding="utf-8"
        )
    expected = Graph().parse(golden, format="nt")
    assert_isomorphic(expected, actual)


def test_seeds_make_one_clash_and_one_capture_with_both_sources(seed_store) -> None:
    events = collect_events(seed_store)
    assert sorted(e["type"] for e in events) == ["armed-clash", "materiel-capture"]
    for event in events:
        assert [s["doc_id"] for s in event["sources"]] == SEED_DOCS
        assert event["date"] == "2024-03-21" and event["date_origin"] == "FromDateline"
        assert event["location"]["name"] == "Kalamba"
        assert event["location"]["country"] == "Burkina Faso"
        assert event["location"]["precision"] == 2
        assert [a["name"] for a in event["attackers"]] == ["Islamic State Sahel Province"]
        assert [t["name"] for t in event["targets"]] == ["JNIM"]
    capture = next(e for e in events if e["type"] == "materiel-capture")
    assert capture["parent"] == "armed-clash"
    origins = {w["name"]: w["origin"] for w in capture["weapons"]}
    assert origins == {
        "Zastava M05E1": "Serbia",
        "RPG-7": None,
        "PG-7V": "Bulgaria",
        "Type 56": "China",
        "Zastava M70AB2": "Serbia",
    }
    assert all(w["role"] == "captured" for w in capture["weapons"])


def test_undated_article_claims_inherit_the_date_marked_as_inherited(seed_store) -> None:
    claims = [
        e
        for e in collect_events(seed_store, claims=True)
        if e["sources"][0]["doc_id"] == SEED_DOCS[0]
    ]
    assert claims and all(c["date"] == "2024-03-21" for c in claims)
    assert all(c["date_origin"] == "FromCoreferentArticle" for c in claims)


def test_every_claim_cites_its_sentence(seed_store) -> None:
    rows = list(
        seed_store.query(
            "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
            "SELECT ?claim ?sentence ?start ?end ?text WHERE { ?claim a ce:EventClaim ; "
            "ce:evidence ?ev . ?ev ce:sentence ?sentence ; ce:charStart ?start ; ce:charEnd ?end }"
        )
    )
    assert rows
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.txt")}
    for row in rows:
        doc = row["claim"].value.split("/claim/")[1].split("/")[0]
        start, end = int(row["start"].value), int(row["end"].value)
        assert texts[doc][start:end].strip() == row["sentence"].value


def test_rebuilding_gives_an_isomorphic_graph(seed_store_path: Path, tmp_path: Path) -> None:
    first = GraphStore(seed_store_path, read_only=True)
    again = GraphStore(tmp_path / "again")
    build([SAMPLES], again)
    build([SAMPLES], again)
    assert_isomorphic(event_graphs(first), event_graphs(again))
    assert len(again) == len(first)


@pytest.mark.parametrize("order", [SEED_DOCS, list(reversed(SEED_DOCS))])
def test_one_article_after_the_other_merges_in_either_order(
    tmp_path: Path, order: list[str]
) -> None:
    store = GraphStore(tmp_path / "inc")
    for doc in order:
        build([SAMPLES / f"{doc}.txt"], store, validate=False)
    events = collect_events(store)
    assert sorted(e["type"] for e in events) == ["armed-clash", "materiel-capture"]
    assert all([s["doc_id"] for s in e["sources"]] == SEED_DOCS for e in events)
    capture = next(e for e in events if e["type"] == "materiel-capture")
    assert len(capture["weapons"]) == 5


def test_broken_article_is_reported_and_the_rest_built(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES, folder)
    (folder / "broken.txt").write_bytes(b"Gunmen attacked \xff\xfe a village.\n")
    (folder / "batch.jsonl").write_text('{"doc_id": "j1", "text": ""}\n', encoding="utf-8")
    summary = build([folder], GraphStore(tmp_path / "store"))
    assert summary.articles_read == 2
    messages = sorted(str(e) for e in summary.skipped)
    assert len(messages) == 2
    assert "batch.jsonl:1: field 'text'" in messages[0]
    assert "broken.txt:1: field 'text': not UTF-8" in messages[1]
    assert summary.canonical_events == 2 and summary.report is not None and summary.report.conforms


def test_trig_export_has_one_graph_per_article_plus_provenance(seed_store, tmp_path: Path) -> None:
    out = tmp_path / "seeds.trig"
    export(seed_store, "trig", out)
    dataset = Dataset()
    dataset.parse(out, format="trig")
    names = {str(g.identifier) for g in dataset.graphs()}
    for doc in SEED_DOCS:
        assert str(iris.article_graph_iri(doc)) in names
    assert {
        str(iris.PROVENANCE_GRAPH),
        str(iris.CANONICAL_GRAPH),
        str(iris.REFERENCE_GRAPH),
    } <= names
    provenance = dataset.graph(URIRef(str(iris.PROVENANCE_GRAPH)))
    for doc in SEED_DOCS:
        assert (
            iris.article_graph_iri(doc),
            PROV.wasDerivedFrom,
            iris.article_iri(doc),
        ) in provenance


def test_rebuild_renames_events_from_their_claims_and_keeps_the_articles(
    seed_store_path: Path, tmp_path: Path
) -> None:
    store = GraphStore(tmp_path / "inc")
    for doc in reversed(SEED_DOCS):
        build([SAMPLES / f"{doc}.txt"], store, validate=False)
    grown = {e["id"] for e in collect_events(store)}
    fresh = {e["id"] for e in collect_events(GraphStore(seed_store_path, read_only=True))}
    assert grown != fresh  # identifiers kept from when only one report was known
    summary = build([], store, rebuild=True)
    assert summary.articles_read == 0 and summary.canonical_events == 2
    assert {e["id"] for e in collect_events(store)} == fresh
    assert store.stats().article_graphs == 2


def test_an_article_over_a_million_characters_is_read_whole(tmp_path: Path) -> None:
    """spaCy refuses one text over 1,000,000 characters; such an article used to stop the
    build. Its body is now parsed in pieces and evidence offsets still point into the file."""
    event = "Gunmen attacked a police post in Djibo, Burkina Faso, killing two officers."
    quiet = "The weekly market in the town stayed open and traders sold grain."
    padding = " " * 2000  # keeps the parse quick: one whitespace token
    paragraphs = [quiet + padding] * 560
    paragraphs[3] = event + padding
    paragraphs[-3] = event + padding
    text = "date 2024-03-21 " + "\n\n".join(paragraphs) + "\n"
    assert 1_100_000 < len(text) < 1_300_000 and text.rfind(event) > 1_000_000
    file = tmp_path / "long.txt"
    file.write_text(text, encoding="utf-8")
    store = GraphStore(tmp_path / "store")
    summary = build([file], store, validate=False)
    assert summary.articles_read == 1 and not summary.skipped
    rows = list(
        store.query(
            "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
            "SELECT ?start ?end ?sentence WHERE { ?claim a ce:EventClaim ; ce:evidence ?ev . "
            "?ev ce:sentence ?sentence ; ce:charStart ?start ; ce:charEnd ?end }"
        )
    )
    spans = {(int(r["start"].value), int(r["end"].value)) for r in rows}
    assert any(start > 1_000_000 for start, _ in spans), spans
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end].strip() == row["sentence"].value.strip()
        assert event in text[start:end]
