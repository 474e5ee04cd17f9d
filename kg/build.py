"""The orchestrator: read -> parse -> extract -> resolve -> map to RDF -> store -> validate.

Each stage is a pure function of typed records; this module only chains them, batches the
NLP, isolates failures per article and reports what happened.

Articles flow: they are read one at a time, parsed in the batches of ``nlp.pipe`` and loaded
into the store as they come, so memory does not grow with the corpus (the ids of the articles
read, kept to catch duplicates, aside). The merge that follows does not hold the whole corpus
either: a first build merges the stored claims a group at a time
(:func:`kg.merge.recompute_canonical`), a later one only the groups its articles fall in
(:func:`kg.merge.merge_articles`). The whole build writes into a new generation of the
store, which readers see only once it is complete (see :mod:`kg.store`).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import RDFS, Graph

import kg
from kg.errors import InputError, KGError, ModelError
from kg.gazetteer import load_gazetteer
from kg.ingest import check_paths, estimate_articles, iter_articles
from kg.merge import merge_articles, recompute_canonical
from kg.rdf import iris
from kg.rdf.mapping import (
    article_ntriples,
    article_provenance,
    new_graph,
    reference_triples,
    run_triples,
)
from kg.rdf.namespace import CE
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
"""Articles whose provenance is gathered before it is written to the store; the store is
flushed then too. Oxigraph (RocksDB) keeps what it is given in memory tables until they
fill up, about 100 MB per 100,000 quads; unflushed, a 5,000-article build held some 500 MB
of them by the end of reading (peak 1,250 MB against 740 MB at the start). Flushed every
64 articles (some 8,000 quads) they stay small, and loading is no slower (measured: the
661,800 quads of that build loaded in 130-quad batches in 12 s flushed every 8,300 quads,
19 s never flushed)."""
CHUNK_ARTICLES = 16
"""Articles sent to a worker at a time: one batch of ``nlp.pipe``. The parse of an article
does not depend on the batch it was in (checked on MUC-4 dev), so neither does the graph."""
DASK_TIMEOUT = "20s"
"""How long to wait for a Dask scheduler to answer before the build gives up."""

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
    return dict(_versions(model))


@cache
def _versions(model: str | None) -> tuple[tuple[str, str], ...]:
    """Read once per process: every chunk a worker takes is checked against the build's, and
    the model's ``meta`` is made anew on each read (17 ms)."""
    from kg.nlp.pipeline import load_pipeline, pipeline_versions

    nlp = load_pipeline(model)
    return (("software", kg.__version__), *pipeline_versions(nlp).items())


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


# -- the per-article work, wherever it runs -----------------------------------------------
@dataclass(frozen=True)
class ExtractionJob:
    """What a worker needs besides the articles: plain values, so that it pickles."""

    model: str | None = None
    batch_size: int = 16
    piece_chars: int = PIECE_CHARS
    run: str | None = None  # the run IRI: with it, the article graphs are made too
    versions: tuple[tuple[str, str], ...] = ()  # those of the driver, checked by each worker


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """One article done: its resolved extraction and, for a build, its graphs as N-Triples
    (the article's named graph, the reference nodes it needs, such as the places above the
    places it names, and the shared nodes it introduces, such as a village missing from the
    gazetteer), so that the driver only loads them."""

    extraction: Extraction
    graph: bytes = b""
    shared: bytes = b""
    entities: bytes = b""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An article that failed, as plain strings (an ``InputError`` does not pickle)."""

    path: str
    reason: str


_WORKER_LOCK = threading.Lock()


def extract_chunk(articles: list[Article], job: ExtractionJob) -> list[ArticleResult | Skipped]:
    """Parse, extract and resolve a few articles (and map them to RDF when ``job.run`` is
    set): the whole per-article work, in whichever process runs it.

    The pipeline, the reference tables and the gazetteer load once per process (they are
    cached) and articles are parsed in the batches of ``nlp.pipe``, so a chunk of
    ``job.batch_size`` articles is one batch. One process works on one chunk at a time (a
    Dask worker with several threads takes turns): the pipeline is not shared between
    threads.
    """
    with _WORKER_LOCK:
        return list(_extract_chunk(articles, job))


def _extract_chunk(
    articles: list[Article], job: ExtractionJob
) -> Iterator[ArticleResult | Skipped]:
    from kg.nlp import events, pipeline  # spaCy loads here, not at import time

    nlp = pipeline.load_pipeline(job.model)
    if job.versions and dict(job.versions) != versions(job.model):
        raise ModelError(
            f"a worker runs other versions ({versions(job.model)}) than the build "
            f"({dict(job.versions)}): install the same packages everywhere"
        )
    reference = load_reference()
    gazetteer = load_gazetteer()
    pending: list[_Pending] = []
    texts: list[tuple[str, tuple[int, int, int]]] = []
    for key, article in enumerate(articles):
        pieces = body_pieces(article.text, article.body_start, job.piece_chars)
        pending.append(_Pending(article, len(pieces)))
        for index, (start, end) in enumerate(pieces):
            texts.append((article.text[start:end], (key, index, start)))
    parsed = nlp.pipe(texts, as_tuples=True, batch_size=job.batch_size)
    for doc, (key, index, start) in parsed:
        state = pending[key]
        if state.error is None:
            try:
                piece = dataclasses.replace(state.article, body_start=start)
                state.parts.append(events.extract_article(doc, piece, reference))
            except Exception as error:  # one broken article never stops a build
                state.error = error
        if index + 1 < state.pieces:
            continue
        article = state.article
        where = article.path or article.doc_id
        try:
            if state.error is not None:
                raise state.error
            extraction = resolve_extraction(join_pieces(article, state.parts), reference, gazetteer)
        except Exception as error:
            yield Skipped(where, f"extraction failed ({type(error).__name__}: {error})")
            continue
        if job.run is None:
            yield ArticleResult(extraction)
            continue
        try:
            graph, shared, entities = article_ntriples(extraction, iris.URIRef(job.run), gazetteer)
            yield ArticleResult(extraction, graph, shared, entities)
        except Exception as error:  # this article's graph is broken, not the build
            yield Skipped(where, f"cannot load its graph ({type(error).__name__}: {error})")


def _chunks(
    items: Iterable[Article | InputError], size: int
) -> Iterator[list[Article | InputError]]:
    """Items in lists of ``size`` articles (errors of reading ride along, in their place)."""
    chunk: list[Article | InputError] = []
    count = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Article):
            count += 1
            if count == size:
                yield chunk
                chunk, count = [], 0
    if chunk:
        yield chunk


def _results(
    items: Iterable[Article | InputError], job: ExtractionJob, runner: Runner
) -> Iterator[ArticleResult | InputError]:
    """Each item's result, in the order of the items, whichever runner does the work."""
    chunks = _chunks(items, job.batch_size)
    for chunk, done in runner.map(chunks, job):
        results = iter(done)
        for item in chunk:
            if isinstance(item, InputError):
                yield item
                continue
            result = next(results)
            if isinstance(result, Skipped):
                yield InputError(result.path, result.reason)
            else:
                yield result


def extract(
    articles: Iterable[Article],
    *,
    model: str | None = None,
    n_process: int = 1,
    batch_size: int = 16,
    piece_chars: int = PIECE_CHARS,
    scheduler: str | object | None = None,
) -> Iterator[Extraction | InputError]:
    """Run the NLP and resolution stages; a failing article yields an error, not an exception.

    Articles are consumed lazily, in chunks of ``batch_size`` (one batch of ``nlp.pipe``);
    with ``n_process`` above one, worker processes take the chunks, and with ``scheduler``
    (a Dask scheduler's address, or a ``distributed.Client``) a Dask cluster does. Results
    come in the order of the articles either way. A long body is parsed in pieces
    (:func:`body_pieces`), each read with its own offset into ``Article.text``, so that
    every evidence offset stays exact; events told across a cut are not joined up.
    """
    job = ExtractionJob(model=model, batch_size=batch_size, piece_chars=piece_chars)
    with open_runner(n_process, scheduler) as runner:
        for result in _results(articles, job, runner):
            yield result.extraction if isinstance(result, ArticleResult) else result


# -- where the work runs: this process, worker processes, or a Dask cluster ------------------
Chunk = list[Article | InputError]


class Runner(Protocol):
    def map(
        self, chunks: Iterator[Chunk], job: ExtractionJob
    ) -> Iterator[tuple[Chunk, list[ArticleResult | Skipped]]]:
        """Each chunk with the results of its articles, in the order of the chunks; only a
        few chunks are read ahead of the one handed back, so memory stays bounded."""
        ...

    def close(self) -> None:
        """Let the workers go (again: a no-op)."""
        ...


def _articles_of(chunk: Chunk) -> list[Article]:
    return [item for item in chunk if isinstance(item, Article)]


class _InProcess:
    def map(
        self, chunks: Iterator[Chunk], job: ExtractionJob
    ) -> Iterator[tuple[Chunk, list[ArticleResult | Skipped]]]:
        for chunk in chunks:
            yield chunk, extract_chunk(_articles_of(chunk), job)

    def close(self) -> None:
        pass


def _in_order(
    chunks: Iterator[Chunk],
    submit: Callable[[list[Article]], Any],
    result: Callable[[Any], Any],
    ahead: int,
) -> Iterator[tuple[Chunk, list[ArticleResult | Skipped]]]:
    """Keep ``ahead`` chunks submitted and hand results back in order as they are done."""
    waiting: deque[tuple[Chunk, Any]] = deque()
    for chunk in chunks:
        waiting.append((chunk, submit(_articles_of(chunk))))
        if len(waiting) >= ahead:
            done, future = waiting.popleft()
            yield done, result(future)
    while waiting:
        done, future = waiting.popleft()
        yield done, result(future)


def _worker_start(parent: int) -> None:
    """A worker process dies with the build that forked it, which holds the store's lock
    (an orphan would keep the inherited lock file open), and leaves Ctrl-C to the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover
            pass
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)


def _ready() -> int:
    return os.getpid()


class _ProcessPool:
    """``jobs`` worker processes on this machine.

    Where the platform forks, the workers are forked from the build once it has loaded the
    pipeline, the reference data and the gazetteer, so they start at once and share those
    pages; elsewhere they start afresh and load them on their first chunk.
    """

    def __init__(self, jobs: int) -> None:
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.jobs = jobs
        self.executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context(method),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
        for future in [self.executor.submit(_ready) for _ in range(jobs)]:
            future.result()  # every worker forked now, before the store is opened

    def map(
        self, chunks: Iterator[Chunk], job: ExtractionJob
    ) -> Iterator[tuple[Chunk, list[ArticleResult | Skipped]]]:
        def submit(articles: list[Article]) -> Future[list[ArticleResult | Skipped]]:
            return self.executor.submit(extract_chunk, articles, job)

        def result(future: Future[list[ArticleResult | Skipped]]) -> list:
            try:
                return future.result()
            except BrokenProcessPool as error:
                raise KGError(
                    f"an extraction worker died ({error}); out of memory? try fewer --jobs"
                ) from None

        return _in_order(chunks, submit, result, ahead=2 * self.jobs)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


class _DaskCluster:
    """Chunks go to the workers of a Dask cluster (``dask.distributed``); this process
    reads the articles, and loads, merges and validates what comes back."""

    def __init__(self, scheduler: str | object) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise InputError(
                f"scheduler {scheduler}",
                "dask.distributed is not installed (pip install 'conflict-kg[dask]')",
            ) from None
        self.owned = isinstance(scheduler, str)
        self.client: Any
        if isinstance(scheduler, str):
            try:
                self.client = Client(scheduler, timeout=DASK_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as error:
                raise InputError(
                    f"scheduler {scheduler}", f"cannot reach the Dask scheduler ({error})"
                ) from None
        else:
            self.client = scheduler
        threads = sum(self.client.nthreads().values())
        if threads == 0:
            self.close()
            raise InputError(f"scheduler {scheduler}", "the Dask cluster has no workers")
        self.ahead = 2 * threads

    def map(
        self, chunks: Iterator[Chunk], job: ExtractionJob
    ) -> Iterator[tuple[Chunk, list[ArticleResult | Skipped]]]:
        client: Any = self.client

        def submit(articles: list[Article]) -> Any:
            return client.submit(extract_chunk, articles, job, pure=False)

        def result(future: Any) -> list[ArticleResult | Skipped]:
            done: list[ArticleResult | Skipped] = future.result()
            future.release()
            return done

        return _in_order(chunks, submit, result, ahead=self.ahead)

    def close(self) -> None:
        if self.owned:
            self.client.close()
            self.owned = False


@contextlib.contextmanager
def open_runner(jobs: int = 1, scheduler: str | object | None = None) -> Iterator[Runner]:
    """Where extraction runs: a Dask cluster when ``scheduler`` is given, else ``jobs``
    processes on this machine (this one alone when ``jobs`` is 1)."""
    runner: Runner
    if scheduler is not None:
        runner = _DaskCluster(scheduler)
    elif jobs > 1:
        runner = _ProcessPool(jobs)
    else:
        runner = _InProcess()
    try:
        yield runner
    finally:
        runner.close()


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
    scheduler: str | object | None = None,
    progress: Progress | Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Build or update the graph in ``store`` from the articles under ``paths``.

    New articles are added and articles built before are replaced; their claims are then
    merged into the canonical graph, re-merging only the events they can change
    (:func:`kg.merge.merge_articles`), and validation checks what the build wrote: the
    articles' graphs, the shared nodes they describe and the canonical events written again
    (the whole store on a first build, or when the software or model changed). ``rebuild``
    recomputes the canonical graph from every claim, forgetting earlier merge decisions and
    event identifiers (so a change of merge rules or reference data is applied to
    everything); ``clear`` starts from an empty graph. ``paths`` may be empty, to re-merge
    everything only.

    The per-article work (parsing, extraction, resolution, the article's graph) runs in
    ``n_process`` processes, or on the Dask cluster whose scheduler is ``scheduler`` (an
    address such as ``tcp://10.0.0.5:8786``, or a ``distributed.Client``); this process reads
    the articles, loads the graphs, merges and validates. The graph is the same either way.

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
    frozen = False
    try:
        report.phase(STARTING)
        gazetteer = load_gazetteer()
        reference = load_reference()
        run_versions = versions(model)
        run = iris.run_iri(run_versions)
        reference_graph = new_graph(iris.REFERENCE_GRAPH)
        reference_triples(reference_graph, reference, gazetteer)
        job = ExtractionJob(
            model=model,
            batch_size=CHUNK_ARTICLES,
            run=str(run),
            versions=tuple(sorted(run_versions.items())),
        )
        if roots:
            from kg.nlp.pipeline import load_models, load_pipeline

            load_models(load_pipeline(model))
        # What is loaded so far (the model, the reference data, the gazetteer: millions of
        # objects that live as long as the process) stays out of the cyclic garbage
        # collector's passes until the build ends. Each full pass walks every object, about
        # 0.5 s once these are loaded, and a build's churn starts one every few seconds (on
        # MUC-4 dev five, 1.9 s in all, with the store's own passes to close its database).
        # Workers forked from here on also keep these pages shared (what gc.freeze is for).
        gc.freeze()
        frozen = True
        # workers start (fork) before the store is opened, with everything loaded
        changes = _Changes()
        with (
            open_runner(n_process if roots else 1, scheduler) as runner,
            store.new_generation(empty=clear) as target,
        ):
            known_run = _known_run(target, run)
            report.phase(READING, total=estimate_articles(roots) if progress else None)
            _load_articles(roots, target, summary, job, runner, report, changes)
            runner.close()  # the workers' memory is free for the merge
            report.phase(LOADING, total=3)
            target.add_to_graph(reference_graph)
            report.advance()
            provenance = new_graph(iris.PROVENANCE_GRAPH)
            run_triples(provenance, run, run_versions)
            target.add_to_graph(provenance)
            report.advance()
            target.replace_graph(ontology_graph())
            report.advance()
            report.phase(MERGING)
            scope: tuple[str, ...] | None = None
            if rebuild or clear or not roots:
                summary.canonical_events = recompute_canonical(target, fresh=rebuild or clear)
            else:
                update = merge_articles(target, changes.docs)
                summary.canonical_events = update.events
                if update.touched is not None and known_run:
                    scope = (*update.touched, str(run))
            target.flush()
        summary.generation = store.generation_name
        summary.triples = len(store)
        if validate:
            report.phase(VALIDATING)
            if scope is None:
                summary.report = _validate_store(store)
            else:
                summary.report = _validate_store(
                    store,
                    graphs=[str(iris.article_graph_iri(doc)) for doc in changes.docs],
                    nodes=[*scope, *changes.nodes],
                )
    finally:
        if frozen:
            gc.unfreeze()
        report.finish()
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Changes:
    """What a build loaded, for the merge and the validation that follow: the articles whose
    graphs it wrote (or cleared), and the other nodes those graphs describe (the article and
    its graph in the provenance graph, shared places, actors and weapons)."""

    docs: list[str] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)

    def add(self, doc_id: str, *described: bytes) -> None:
        self.nodes.update((str(iris.article_iri(doc_id)), str(iris.article_graph_iri(doc_id))))
        for data in described:
            self.nodes.update(
                line[1 : line.index(b">")].decode()
                for line in data.splitlines()
                if line.startswith(b"<")
            )


def _load_articles(
    roots: list[Path],
    store: GraphStore,
    summary: BuildSummary,
    job: ExtractionJob,
    runner: Runner,
    report: Progress,
    changes: _Changes | None = None,
) -> None:
    """Read every article under ``roots``, have the runner extract them and map them to RDF,
    and load their graphs into ``store`` as they come back (noting them in ``changes``)."""
    changes = _Changes() if changes is None else changes
    run = iris.URIRef(job.run or "")
    provenance = new_graph(iris.PROVENANCE_GRAPH)
    batch = 0
    for result in _results(iter_articles(roots), job, runner):
        report.advance()
        if isinstance(result, InputError):
            summary.skipped.append(result)
            continue
        extraction = result.extraction
        doc_id = extraction.article.doc_id
        try:
            replaced = _known_article(store, doc_id)
            changes.docs.append(doc_id)  # before its graph goes: the merge must see it changed
            _replace_graph(store, iris.article_graph_iri(doc_id), result.graph)
            _add_to_graph(store, iris.REFERENCE_GRAPH, result.shared)
            _add_to_graph(store, iris.ENTITIES_GRAPH, _new_labels_only(store, result.entities))
        except OSError:  # the store itself failed: no later article would load either
            raise
        except Exception as error:  # this article's graph is broken, not the build
            summary.skipped.append(
                InputError(
                    extraction.article.path or doc_id,
                    f"cannot load its graph ({type(error).__name__}: {error})",
                )
            )
            continue
        summary.replaced += replaced
        changes.add(doc_id, result.shared, result.entities)
        _forget_article_provenance(store, doc_id)
        article_provenance(provenance, extraction, run)
        summary.articles_read += 1
        summary.claims += len(extraction.claims)
        summary.uncoded += len(extraction.uncoded)
        batch += 1
        if batch == PROVENANCE_BATCH:
            store.add_to_graph(provenance)
            store.flush()  # memory stays flat (see PROVENANCE_BATCH)
            provenance, batch = new_graph(iris.PROVENANCE_GRAPH), 0
    store.add_to_graph(provenance)


def _replace_graph(store: GraphStore, name: str, data: bytes) -> None:
    """Put the N-Triples ``data`` in the store as the named graph ``name``, instead of what
    that graph held."""
    database, node = store.oxigraph, ox.NamedNode(str(name))
    if database.contains_named_graph(node):
        database.clear_graph(node)
    database.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)


_LABEL = f" <{RDFS.label}> ".encode()


def _new_labels_only(store: GraphStore, data: bytes) -> bytes:
    """The shared nodes' descriptions less a second label: a village written "Kouré" by one
    outlet and "Koure" by another is one node, named as the first report named it (the
    spellings stay the events' place mentions)."""
    if _LABEL not in data:
        return data
    lines = data.splitlines(keepends=True)
    subject_of = {
        line: next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).subject
        for line in lines
        if _LABEL in line
    }
    values = " ".join(sorted({str(s) for s in subject_of.values()}))
    rows = store.query(  # one look-up for all of the article's labelled nodes
        f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} "
        f"GRAPH <{iris.ENTITIES_GRAPH}> {{ ?s <{RDFS.label}> [] }} }}"
    )
    named = {row["s"] for row in rows}
    kept: list[bytes] = []
    for line in lines:
        if line in subject_of:
            if subject_of[line] in named:
                continue
            named.add(subject_of[line])
        kept.append(line)
    return b"".join(kept)


def _add_to_graph(store: GraphStore, name: str, data: bytes) -> None:
    if data:
        store.oxigraph.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(name)))


def _known_run(store: GraphStore, run: iris.URIRef) -> bool:
    """Did a build with these versions (software, model, ontology) write to the store?
    Otherwise the shapes or the reference data may have changed, and validation checks
    everything."""
    return bool(
        store.query(
            f"ASK {{ GRAPH <{iris.PROVENANCE_GRAPH}> {{ <{run}> a <{CE.ExtractionRun}> }} }}"
        )
    )


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
