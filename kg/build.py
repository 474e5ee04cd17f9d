"""The orchestrator: read -> parse -> extract -> resolve -> map to RDF -> store -> validate.

Each stage is a pure function of typed records; this module only chains them, batches the
NLP, isolates failures per article and reports what happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

import kg
from kg.errors import InputError
from kg.gazetteer import load_gazetteer
from kg.ingest import iter_articles
from kg.merge import recompute_canonical
from kg.rdf import iris
from kg.rdf.mapping import (
    article_graph,
    article_provenance,
    new_graph,
    reference_triples,
    run_triples,
)
from kg.records import Article, Extraction
from kg.reference import load_reference
from kg.resolve import resolve_extraction
from kg.resources import ontology_file
from kg.store import GraphStore
from kg.validate import ValidationReport, validate_graph

ONTOLOGY_GRAPH = iris.URIRef(iris.BASE + "graph/ontology")
ONTOLOGY_FILES = ("conflict.ttl", "event-types.ttl", "vocabularies.ttl")
Progress = Callable[[int, int], None]


@dataclass
class BuildSummary:
    store: str
    articles_read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    claims: int = 0
    canonical_events: int = 0
    triples: int = 0
    seconds: float = 0.0
    report: ValidationReport | None = None
    uncoded: int = 0

    @property
    def violations(self) -> int:
        from kg.validate import Severity

        return self.report.count(Severity.VIOLATION) if self.report else 0


def versions(model: str | None = None) -> dict[str, str]:
    from kg.nlp.pipeline import load_pipeline, pipeline_versions

    nlp = load_pipeline(model)
    info = pipeline_versions(nlp)
    return {"software": kg.__version__, **info}


def extract(
    articles: Iterable[Article],
    *,
    model: str | None = None,
    n_process: int = 1,
    batch_size: int = 16,
) -> Iterable[Extraction | InputError]:
    """Run the NLP and resolution stages; a failing article yields an error, not an exception."""
    from kg.nlp.events import extract_article  # spaCy loads here, not at import time
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline(model)
    reference = load_reference()
    gazetteer = load_gazetteer()
    pending = list(articles)
    texts = (a.text[a.body_start :] for a in pending)
    for article, doc in zip(
        pending, nlp.pipe(texts, batch_size=batch_size, n_process=n_process), strict=True
    ):
        try:
            extraction = extract_article(doc, article, reference)
            yield resolve_extraction(extraction, reference, gazetteer)
        except Exception as error:  # one broken article never stops a build
            yield InputError(
                article.path or article.doc_id,
                f"extraction failed ({type(error).__name__}: {error})",
            )


def ontology_graph() -> Graph:
    graph = new_graph(ONTOLOGY_GRAPH)
    for name in ONTOLOGY_FILES:
        with ontology_file(name).open("rb") as handle:
            graph.parse(handle, format="turtle")
    return graph


def build(
    paths: Iterable[str | Path],
    store: GraphStore,
    *,
    model: str | None = None,
    rebuild: bool = False,
    clear: bool = False,
    validate: bool = True,
    n_process: int = 1,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build or update the graph in ``store`` from the articles under ``paths``.

    New articles are added and articles built before are replaced; the canonical graph is then
    recomputed from every claim in the store. ``rebuild`` forgets earlier merge decisions and
    event identifiers (so a change of merge rules or reference data is applied to everything);
    ``clear`` empties the store first. ``paths`` may be empty, to re-merge only.
    """
    started = time.perf_counter()
    summary = BuildSummary(store=str(store.path) if store.path else ":memory:")
    results = list(iter_articles(paths))
    articles = [r for r in results if isinstance(r, Article)]
    summary.skipped = [r for r in results if isinstance(r, InputError)]
    if clear:
        store.oxigraph.clear()
    gazetteer = load_gazetteer()
    reference = load_reference()
    run = iris.run_iri(versions(model))
    reference_graph = new_graph(iris.REFERENCE_GRAPH)
    reference_triples(reference_graph, reference, gazetteer)
    provenance = new_graph(iris.PROVENANCE_GRAPH)
    run_triples(provenance, run, versions(model))
    done = 0
    for result in extract(articles, model=model, n_process=n_process):
        done += 1
        if progress is not None:
            progress(done, len(articles))
        if isinstance(result, InputError):
            summary.skipped.append(result)
            continue
        store.replace_graph(article_graph(result, run, reference_graph, gazetteer))
        _forget_article_provenance(store, result.article.doc_id)
        article_provenance(provenance, result, run)
        summary.articles_read += 1
        summary.claims += len(result.claims)
        summary.uncoded += len(result.uncoded)
    store.add_to_graph(reference_graph)
    store.add_to_graph(provenance)
    store.replace_graph(ontology_graph())
    summary.canonical_events = recompute_canonical(store, fresh=rebuild or clear)
    store.flush()
    summary.triples = len(store)
    if validate:
        summary.report = validate_graph(store.union_graph())
    summary.seconds = time.perf_counter() - started
    return summary


def _forget_article_provenance(store: GraphStore, doc_id: str) -> None:
    """Drop what the provenance graph said of an article before it is described again."""
    article = iris.article_iri(doc_id)
    claims_graph = iris.article_graph_iri(doc_id)
    store.oxigraph.update(
        f"DELETE WHERE {{ GRAPH <{iris.PROVENANCE_GRAPH}> {{ <{article}> ?p ?o }} }};"
        f"DELETE WHERE {{ GRAPH <{iris.PROVENANCE_GRAPH}> {{ <{claims_graph}> ?p ?o }} }};"
        f"DELETE WHERE {{ GRAPH <{iris.PROVENANCE_GRAPH}> "
        f"{{ ?run <http://www.w3.org/ns/prov#used> <{article}> }} }}"
    )


def validate_store(store: GraphStore) -> ValidationReport:
    return validate_graph(store.union_graph())
