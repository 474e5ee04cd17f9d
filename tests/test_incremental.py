"""Incremental builds: articles added to a store re-merge only the events they can change,
and the build validates what it wrote; the graph is the one a whole merge gives."""

from __future__ import annotations

import importlib
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, SAMPLES
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from kg import GraphStore, build
from kg.claims import collect_claims
from kg.merge import MergeUpdate, recompute_canonical
from kg.rdf import iris
from kg.rdf.namespace import CE
from kg.validate import Severity, validate_store

pytestmark = pytest.mark.model

build_module = importlib.import_module("kg.build")  # ``kg.build`` is also the function
DEV = ROOT.parent / "shared" / "eval" / "muc4" / "dev.jsonl"
FIRST, SECOND = (SAMPLES / f"{doc}.txt" for doc in ("000_69087c4d98a395b5", "001_62c5150fe37c3cba"))
EVENT = re.compile(r"https://w3id\.org/conflict-kg/id/event/[0-9a-f]{16}")


def canonical(store: GraphStore) -> set[str]:
    """The canonical graph as N-Triples lines (it has no blank nodes)."""
    data = store.dump(ox.RdfFormat.N_TRIPLES, str(iris.CANONICAL_GRAPH))
    return set(data.decode().splitlines())


def named_by_claims(lines: set[str]) -> set[str]:
    """Canonical triples with every event named by its first claim, so that two graphs whose
    events got their names at different times compare: a store built in two steps keeps the
    names events had after the first step, one built at once names them from its claims."""
    claim = f"<{CE.claim}>"
    first: dict[str, str] = {}
    for line in lines:
        subject, predicate, obj = line.split(" ", 2)
        if predicate == claim:
            event, member = subject[1:-1], obj.rstrip(" .")[1:-1]
            first[event] = min(first.get(event, member), member)
    return {EVENT.sub(lambda m: "urn:event-of:" + first[m[0]], line) for line in lines}


@pytest.fixture()
def whole_merge_check(monkeypatch: pytest.MonkeyPatch) -> list[tuple[MergeUpdate, set, set]]:
    """Every incremental merge a build makes, with the canonical graph it wrote and the one
    a whole merge (:func:`recompute_canonical`) writes from a copy of the same store."""
    checks: list[tuple[MergeUpdate, set, set]] = []
    incremental = build_module.merge_articles

    def checked(store: GraphStore, doc_ids: list[str]) -> MergeUpdate:
        copy = GraphStore(None)
        copy.oxigraph.load(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        update = incremental(store, doc_ids)
        recompute_canonical(copy)
        checks.append((update, canonical(store), canonical(copy)))
        return update

    monkeypatch.setattr(build_module, "merge_articles", checked)
    return checks


@pytest.mark.parametrize("order", [(FIRST, SECOND), (SECOND, FIRST)], ids=["dated", "undated"])
def test_an_article_added_later_merges_as_a_whole_merge_does(
    tmp_path: Path, whole_merge_check: list, order: tuple[Path, Path]
) -> None:
    """The samples report one clash, one with a date line and one without: the undated
    report's claims inherit the date, whichever article the store had first."""
    store = GraphStore(tmp_path / "store")
    build([order[0]], store)
    summary = build([order[1]], store)
    (first, _, _), (update, after, whole) = whole_merge_check
    assert first.touched is None  # into an empty store: the whole merge
    assert update.touched is not None  # then only what the new article can change
    assert after == whole
    assert summary.canonical_events == update.events == 2
    assert summary.report is not None and summary.report.conforms
    counts = [line for line in after if f"<{CE.sourceCount}>" in line]
    assert len(counts) == 2 and all(f'"2"^^<{XSD.integer}>' in line for line in counts)
    assert any(f"<{CE.FromCoreferentArticle}>" in line for line in after)


def test_the_merge_reads_some_claims_as_it_reads_the_whole_store(seed_store) -> None:
    whole = {claim.id: claim for claim in collect_claims(seed_store)}
    for claim_id, claim in whole.items():
        assert collect_claims(seed_store, [claim_id]) == [claim]
    undated = [c for c in whole.values() if c.dates.value is None]
    assert undated  # their inherited date, stated in the canonical graph, is not read back


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="needs ../shared/eval/muc4/dev.jsonl")
def test_a_corpus_built_in_two_steps_is_merged_as_at_once(
    tmp_path: Path, whole_merge_check: list
) -> None:
    """Step one: 24 MUC-4 articles. Step two: reports of six of their incidents under new
    ids (three without their date line, so undated until they merge), a new version of one
    of them (half its text: claims gone, events split) and twelve unrelated articles."""
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()[:36]]
    first, unrelated = rows[:24], rows[24:]
    again = []
    for index, row in enumerate(rows[:12:2]):
        text = row["text"]
        if index % 2 and " -- " in text[:120]:
            text = text.split(" -- ", 1)[1]  # no date line, no place line
        again.append({**row, "doc_id": row["doc_id"] + "-again", "text": text})
    shorter = {**rows[3], "text": rows[3]["text"][: len(rows[3]["text"]) // 2]}
    second = [*again, shorter, *unrelated]

    store = GraphStore(tmp_path / "steps")
    build([_jsonl(tmp_path / "first.jsonl", first)], store, validate=False)
    summary = build([_jsonl(tmp_path / "second.jsonl", second)], store)
    (update, stepped, whole) = whole_merge_check[-1]
    assert stepped == whole
    assert update.touched is not None
    assert summary.replaced == 1

    # the reports of one incident in both steps are one event with both sources
    sources: dict[str, set[str]] = {}
    for line in stepped:
        subject, predicate, obj = line.split(" ", 2)
        if predicate == f"<{CE.sourceArticle}>":
            sources.setdefault(subject, set()).add(obj.rstrip(" .").rsplit("/", 1)[-1][:-1])
    merged = [docs for docs in sources.values() if any(d.endswith("-again") for d in docs)]
    assert any(len(docs) > 1 for docs in merged)
    # only the events the second step can change were written again
    written = {n for n in update.touched if EVENT.fullmatch(n)}
    assert 0 < len(written) < len(sources)

    at_once = GraphStore(tmp_path / "at-once")
    everything = [shorter if row["doc_id"] == shorter["doc_id"] else row for row in first]
    build([_jsonl(tmp_path / "all.jsonl", [*everything, *again, *unrelated])], at_once)
    assert named_by_claims(canonical(at_once)) == named_by_claims(stepped)


def test_rebuild_still_merges_the_whole_store(tmp_path: Path, whole_merge_check: list) -> None:
    store = GraphStore(tmp_path / "store")
    build([FIRST], store, validate=False)
    merges = len(whole_merge_check)
    summary = build([SECOND], store, rebuild=True)
    assert len(whole_merge_check) == merges  # --rebuild recomputes everything itself
    assert summary.canonical_events == 2 and summary.report is not None


# -- validation of what a build wrote ------------------------------------------------------
def test_the_build_reports_a_violation_in_a_new_article_not_in_untouched_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore(tmp_path / "store")
    wire = (ROOT / "tests" / "data" / "wire" / "wire.jsonl").read_text(encoding="utf-8")
    other = tmp_path / "other.jsonl"  # another attack, another day: not merged again below
    other.write_text(wire.splitlines()[0] + "\n", encoding="utf-8")
    build([FIRST, other], store)
    # an old article broken behind the build's back: a build that leaves it alone does not
    # check it again; `kg validate` does
    old_claim = next(c.id for c in collect_claims(store) if "/claim/wire-001/" in c.id)
    store.oxigraph.update(f"DELETE WHERE {{ GRAPH ?g {{ <{old_claim}> <{CE.evidence}> ?e }} }}")
    mapped = build_module.article_ntriples

    def broken(*args, **kwargs):
        data, shared, entities = mapped(*args, **kwargs)
        graph = Graph().parse(data=data, format="nt")
        for claim in list(graph.subjects(RDF.type, CE.EventClaim)):
            graph.set((claim, CE.confidence, Literal("7.50", datatype=XSD.decimal)))
        return graph.serialize(format="nt", encoding="utf-8"), shared, entities

    monkeypatch.setattr(build_module, "article_ntriples", broken)
    summary = build([SECOND], store)
    assert summary.report is not None and not summary.report.conforms
    found = {(r.focus, r.path) for r in summary.report.results if r.severity == Severity.VIOLATION}
    assert found and all("/claim/001_62c5150fe37c3cba/" in focus for focus, _ in found)
    assert {path for _, path in found} == {str(CE.confidence)}
    whole = validate_store(GraphStore(store.path, read_only=True))
    assert (old_claim, str(CE.evidence)) in {(r.focus, r.path) for r in whole.results}


def _untouched_copies(store: GraphStore, copies: int) -> None:
    """Copies of everything the store says of its articles (article graphs, provenance,
    canonical events), under new article ids and event names: a larger store the next
    build does not touch."""
    data = store.dump(ox.RdfFormat.N_QUADS).decode().splitlines()
    docs = sorted({m for line in data for m in re.findall(r"/article/([^/>]+)>", line)})
    canonical_graph = f"<{iris.CANONICAL_GRAPH}> ."
    kept = [
        line for line in data if line.endswith(canonical_graph) or any(doc in line for doc in docs)
    ]
    pattern = re.compile("|".join(re.escape(doc) for doc in docs) + "|" + EVENT.pattern)
    for copy in range(copies):
        suffix = f"-copy{copy}"
        lines = [pattern.sub(lambda m, s=suffix: m[0] + s, line) for line in kept]
        store.oxigraph.load("\n".join(lines).encode(), format=ox.RdfFormat.N_QUADS)


def _fastest(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def test_the_build_validation_does_not_grow_with_the_untouched_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore(tmp_path / "store")
    build([FIRST], store, validate=False)
    scopes: list[tuple] = []
    validate = build_module._validate_store

    def recorded(store: GraphStore, graphs=None, nodes=()):
        scopes.append((graphs, tuple(nodes)))
        return validate(store, graphs, nodes)

    monkeypatch.setattr(build_module, "_validate_store", recorded)
    summary = build([SECOND], store)
    [(graphs, nodes)] = scopes
    assert graphs == [str(iris.article_graph_iri("001_62c5150fe37c3cba"))]
    assert any(EVENT.fullmatch(n) for n in nodes)  # the canonical events it wrote

    def scoped():
        return validate_store(store, graphs, nodes)

    small, small_whole = _fastest(scoped), _fastest(lambda: validate_store(store))
    before = store.stats()
    _untouched_copies(store, 150)
    after = store.stats()
    assert after.article_graphs == 151 * before.article_graphs
    assert after.canonical_events == 151 * before.canonical_events
    assert scoped().results == summary.report.results
    large, large_whole = _fastest(scoped), _fastest(lambda: validate_store(store))
    # the whole store takes many times longer; what the build checks, about as long as before
    assert large_whole > 5 * small_whole
    assert large < 2 * small + 0.2, (small, large, small_whole, large_whole)
