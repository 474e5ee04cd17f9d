"""The orchestrator: read -> parse -> extract -> resolve -> map to RDF -> store -> validate.

Each stage is a pure function of typed records; this module only chains them, batches the
NLP, isolates failures per article and reports what happened.

Articles flow: they are read one at a time, parsed in the batches of ``nlp.pipe`` and loaded
into the store as they come, so memory does not grow with the corpus (the ids of the articles
read, kept to catch duplicates, aside). The whole build writes into a new generation of the
store, which readers see only once it is complete (see :mod:`kg.store`).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import Graph

import kg
from kg.errors import InputError
from kg.gazetteer import load_gazetteer
from kg.ingest import check_paths, estimate_articles, iter_articles
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
from kg.validate import ValidationReport
from kg.validate import validate_store as _validate_store

ONTOLOGY_GRAPH = iris.URIRef(iris.BASE + "graph/ontology")
ONTOLOGY_FILES = ("conflict.ttl", "event-types.ttl", "vocabularies.ttl")

PIECE_CHARS = 50_000
"""An article body longer than this is parsed in pieces of at most this many characters, cut
at a paragraph break, else at the end of a sentence, else at a space. spaCy refuses one text
over ``nlp.max_length`` (1,000,000), and raising that limit is no cure: the parse holds its
whole batch in memory, about 2.5 kB per character with the small English model (measured:
400,000 characters in one batch, 1 GB above the model's 0.6 GB). In pieces, memory depends
on the batch (16 texts, so at most 800,000 characters, about 2 GB), not on the length of the
article: an 800,000-character article cut into 25,000-character pieces peaked 1.15 GB above
the model. Pieces of 50,000 characters (some 8,000 words) leave nearly every news report
whole, so what is read across paragraphs (coreference, sub-events) is rarely cut."""
PROVENANCE_BATCH = 64
"""Articles whose provenance is gathered before it is written to the store."""

Phase = str
STARTING = "loading the model"
READING, LOADING, MERGING, VALIDATING = "reading and parsing", "loading", "merging", "validating"


@runtime_checkable
class Progress(Protocol):
    """What a build tells about itself while it runs (the command line draws it with rich).

    Phases come one after the other; ``total`` is None when the count is not known in
    advance (articles stream in), and ``advance`` counts what was done.
    """

    def phase(self, name: Phase, total: int | None = None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def finish(self) -> None: ...


class _CallbackProgress:
    """The older form, ``progress(done, total)`` per article: total is the count so far,
    so ``done == total`` holds for each call and the last one comes when reading ends."""

    def __init__(self, callback: Callable[[int, int], None]) -> None:
        self.callback, self.done, self.reading = callback, 0, False

    def phase(self, name: Phase, total: int | None = None) -> None:
        self.reading = name == READING

    def advance(self, amount: int = 1) -> None:
        if self.reading:
            self.done += amount
            self.callback(self.done, self.done)

    def finish(self) -> None:
        pass


class _Silent:
    def phase(self, name: Phase, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


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
    replaced: int = 0  # articles of this build whose id was already in the store
    generation: str | None = None  # the store generation the build made

    @property
    def violations(self) -> int:
        from kg.validate import Severity

        return self.report.count(Severity.VIOLATION) if self.report else 0


def versions(model: str | None = None) -> dict[str, str]:
    from kg.nlp.pipeline import load_pipeline, pipeline_versions

    nlp = load_pipeline(model)
    info = pipeline_versions(nlp)
    return {"software": kg.__version__, **info}


_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
_SPACE = re.compile(r"\s+")


def body_pieces(text: str, start: int = 0, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Cut ``text[start:]`` into spans of at most ``limit`` characters, (start, end) offsets
    into ``text``, at the last paragraph break, sentence end or space of each window (in its
    second half, so that pieces stay long); a text without any is cut at the limit."""
    pieces = []
    end = len(text)
    while end - start > limit:
        low, high = start + limit // 2, start + limit
        cut = high
        for pattern in (_PARAGRAPH, _SENTENCE_END, _SPACE):
            found = [m.end() for m in pattern.finditer(text, low, high)]
            if found and found[-1] > start:
                cut = found[-1]
                break
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


@dataclass
class _Pending:
    article: Article
    pieces: int
    parts: list[Extraction] = field(default_factory=list)
    error: Exception | None = None


def join_pieces(article: Article, parts: list[Extraction]) -> Extraction:
    """One article's extraction from those of its pieces, in order: every tuple of records
    (claims, uncoded reports, mentions, names...) end to end, anything else from the first."""
    if len(parts) == 1:
        return dataclasses.replace(parts[0], article=article)
    joined: dict[str, object] = {}
    for spec in dataclasses.fields(Extraction):
        values = [getattr(part, spec.name) for part in parts]
        if spec.name == "article":
            continue
        if all(isinstance(v, tuple) for v in values):
            joined[spec.name] = tuple(item for value in values for item in value)
        else:
            joined[spec.name] = values[0]
    return Extraction(article=article, **joined)  # type: ignore[arg-type]


def extract(
    articles: Iterable[Article],
    *,
    model: str | None = None,
    n_process: int = 1,
    batch_size: int = 16,
    piece_chars: int = PIECE_CHARS,
) -> Iterator[Extraction | InputError]:
    """Run the NLP and resolution stages; a failing article yields an error, not an exception.

    Articles are consumed lazily, in the batches of ``nlp.pipe``. A long body is parsed in
    pieces (:func:`body_pieces`), each read with its own offset into ``Article.text``, so that
    every evidence offset stays exact; events told across a cut are not joined up.
    """
    from kg.nlp.events import extract_article  # spaCy loads here, not at import time
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline(model)
    reference = load_reference()
    gazetteer = load_gazetteer()
    pending: dict[int, _Pending] = {}  # only the articles inside the pipe's batches

    def texts() -> Iterator[tuple[str, tuple[int, int, int]]]:
        for key, article in enumerate(articles):
            pieces = body_pieces(article.text, article.body_start, piece_chars)
            pending[key] = _Pending(article, len(pieces))
            for index, (start, end) in enumerate(pieces):
                yield article.text[start:end], (key, index, start)

    parsed = nlp.pipe(texts(), as_tuples=True, batch_size=batch_size, n_process=n_process)
    for doc, (key, index, start) in parsed:
        state = pending[key]
        if state.error is None:
            try:
                piece = dataclasses.replace(state.article, body_start=start)
                state.parts.append(extract_article(doc, piece, reference))
            except Exception as error:  # one broken article never stops a build
                state.error = error
        if index + 1 < state.pieces:
            continue
        del pending[key]
        article = state.article
        try:
            if state.error is not None:
                raise state.error
            extraction = join_pieces(article, state.parts)
            yield resolve_extraction(extraction, reference, gazetteer)
        except Exception as error:
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
    progress: Progress | Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Build or update the graph in ``store`` from the articles under ``paths``.

    New articles are added and articles built before are replaced; the canonical graph is then
    recomputed from every claim in the store. ``rebuild`` forgets earlier merge decisions and
    event identifiers (so a change of merge rules or reference data is applied to everything);
    ``clear`` starts from an empty graph. ``paths`` may be empty, to re-merge only.

    The build is all or nothing: it writes a new generation of the store, which replaces the
    current one only when everything is loaded and merged. If it fails or is killed, the store
    holds the graph it held before. Validation reads the new graph once it is in place.
    """
    started = time.perf_counter()
    report: Progress
    if progress is None:
        report = _Silent()
    elif isinstance(progress, Progress):
        report = progress
    else:
        report = _CallbackProgress(progress)
    roots = check_paths(paths)  # a wrong path fails before the store changes
    summary = BuildSummary(store=str(store.path) if store.path else ":memory:")
    try:
        report.phase(STARTING)
        gazetteer = load_gazetteer()
        reference = load_reference()
        run = iris.run_iri(versions(model))
        reference_graph = new_graph(iris.REFERENCE_GRAPH)
        reference_triples(reference_graph, reference, gazetteer)
        with store.new_generation(empty=clear) as target:
            report.phase(READING, total=estimate_articles(roots) if progress else None)
            _load_articles(roots, target, summary, model, n_process, run, reference_graph,
                           report)
            report.phase(LOADING, total=3)
            target.add_to_graph(reference_graph)
            report.advance()
            provenance = new_graph(iris.PROVENANCE_GRAPH)
            run_triples(provenance, run, versions(model))
            target.add_to_graph(provenance)
            report.advance()
            target.replace_graph(ontology_graph())
            report.advance()
            report.phase(MERGING)
            summary.canonical_events = recompute_canonical(target, fresh=rebuild or clear)
            target.flush()
        summary.generation = store.generation_name
        summary.triples = len(store)
        if validate:
            report.phase(VALIDATING)
            summary.report = _validate_store(store)
    finally:
        report.finish()
    summary.seconds = time.perf_counter() - started
    return summary


def _load_articles(
    roots: list[Path],
    store: GraphStore,
    summary: BuildSummary,
    model: str | None,
    n_process: int,
    run: iris.URIRef,
    reference_graph: Graph,
    report: Progress,
) -> None:
    """Read, parse and load every article under ``roots`` into ``store``, as they come."""
    gazetteer = load_gazetteer()

    def articles() -> Iterator[Article]:
        for result in iter_articles(roots):
            if isinstance(result, InputError):
                summary.skipped.append(result)
                report.advance()
            else:
                yield result

    provenance = new_graph(iris.PROVENANCE_GRAPH)
    batch = 0
    for result in extract(articles(), model=model, n_process=n_process):
        report.advance()
        if isinstance(result, InputError):
            summary.skipped.append(result)
            continue
        doc_id = result.article.doc_id
        try:
            graph = article_graph(result, run, reference_graph, gazetteer)
            replaced = _known_article(store, doc_id)
            store.replace_graph(graph)
        except OSError:  # the store itself failed: no later article would load either
            raise
        except Exception as error:  # this article's graph is broken, not the build
            summary.skipped.append(
                InputError(
                    result.article.path or doc_id,
                    f"cannot load its graph ({type(error).__name__}: {error})",
                )
            )
            continue
        summary.replaced += replaced
        _forget_article_provenance(store, doc_id)
        article_provenance(provenance, result, run)
        summary.articles_read += 1
        summary.claims += len(result.claims)
        summary.uncoded += len(result.uncoded)
        batch += 1
        if batch == PROVENANCE_BATCH:
            store.add_to_graph(provenance)
            provenance, batch = new_graph(iris.PROVENANCE_GRAPH), 0
    store.add_to_graph(provenance)


def _known_article(store: GraphStore, doc_id: str) -> bool:
    """Was an article of this id built before (its provenance says so, claims or none)?"""
    return bool(
        store.query(
            f"ASK {{ GRAPH <{iris.PROVENANCE_GRAPH}> "
            f"{{ <{iris.article_graph_iri(doc_id)}> ?p <{iris.article_iri(doc_id)}> }} }}"
        )
    )


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
    """The whole stored graph against the shapes, answered by the store itself."""
    return _validate_store(store)
