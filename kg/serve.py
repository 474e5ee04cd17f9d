"""``kg serve``: the store as a read-only SPARQL 1.1 Protocol endpoint, with a query page.

* ``/sparql`` answers queries by GET (``?query=``) and POST (a form with ``query=``, or an
  ``application/sparql-query`` body), with ``default-graph-uri`` / ``named-graph-uri`` as the
  protocol defines them; without them the default graph is the union of all graphs, as in
  ``kg query``. Results are negotiated from the Accept header (or a ``format`` parameter, as
  SPARQLWrapper and browsers send it): SPARQL JSON, XML, CSV or TSV for SELECT and ASK;
  Turtle, N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE.
* It reads the store and nothing else. Updates are refused with 403 before anything runs
  and the store is opened read-only. Oxigraph would fetch a ``SERVICE`` endpoint over HTTP
  and has no switch to stop it, so every query is parsed first (:func:`checked_query`) and
  refused when its syntax tree holds a ``SERVICE`` anywhere; on Linux the workers also run
  in a network namespace of their own, where no connection can be opened at all.
* Each query runs in a worker process with a time limit and a memory limit: a query still
  running at the time limit is stopped by ending its worker (a native Oxigraph query cannot
  be interrupted from Python); one that outgrows the memory limit ends its own worker (Rust
  aborts when an allocation fails). Either is answered with 503 and a fresh worker takes the
  place. Requests that find every worker busy wait in a short queue; when the queue is full
  a newcomer gets 503 with ``Retry-After`` at once, and the queries already running are not
  touched. Results are cut at ``max_rows`` rows or triples (the ``X-SPARQL-MaxRows`` header).
* It follows builds: a worker opens the generation the store's pointer names
  (:func:`kg.store.current_generation`); when a build moves the pointer, idle workers are
  replaced and busy ones are replaced after their query, so each answer comes from one
  complete build.
* Browsers: no CORS headers unless ``cors`` names the origins to allow (or ``*``); a
  preflight from an allowed origin that asks for private-network access gets it. A server
  that listens on a loopback address answers only requests addressed to a loopback name, so
  a web page cannot reach it by pointing its own host name at 127.0.0.1 (DNS rebinding).
* ``/`` is a small page (``kg/static/``, no network needed) to type a query or pick a named
  question, and read the result as a table; ``/queries`` lists the named questions and
  ``/queries/NAME?param=value`` returns one with its parameters bound.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import csv
import ctypes
import functools
import io
import ipaddress
import json
import math
import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.store import current_generation, generation_folder

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
RESULT_TYPES = (RESULTS_JSON, RESULTS_XML, CSV, TSV)  # the first is the default
GRAPH_TYPES = (TURTLE, NTRIPLES, JSONLD, RDFXML)
_RDF_FORMAT = {TURTLE: ox.RdfFormat.TURTLE, NTRIPLES: ox.RdfFormat.N_TRIPLES,
               JSONLD: ox.RdfFormat.JSON_LD, RDFXML: ox.RdfFormat.RDF_XML}
# names a client may put in ?format= (SPARQLWrapper sends json, xml, csv, tsv, turtle, ...)
_FORMAT_NAMES = {
    "json": (RESULTS_JSON, JSONLD), "xml": (RESULTS_XML, RDFXML), "csv": (CSV, None),
    "tsv": (TSV, None), "turtle": (None, TURTLE), "ttl": (None, TURTLE),
    "n3": (None, TURTLE), "nt": (None, NTRIPLES), "ntriples": (None, NTRIPLES),
    "n-triples": (None, NTRIPLES), "json-ld": (None, JSONLD), "jsonld": (None, JSONLD),
    "rdf+xml": (None, RDFXML), "rdfxml": (None, RDFXML),
}
# media types clients use loosely, per kind of result
_LOOSE = {"application/json": (RESULTS_JSON, JSONLD), "application/xml": (RESULTS_XML, RDFXML),
          "text/xml": (RESULTS_XML, RDFXML), "text/plain": (None, NTRIPLES),
          "application/x-turtle": (None, TURTLE), "text/n3": (None, TURTLE)}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# prefixes of CONSTRUCT results in Turtle (vocabularies only: the identifiers of
# kgid: hold slashes that Turtle would have to escape)
PREFIXES = {
    "ce": "https://w3id.org/conflict-kg/ontology#",
    "et": "https://w3id.org/conflict-kg/event-type/", "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "geo": "http://www.opengis.net/ont/geosparql#", "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/", "dcterms": "http://purl.org/dc/terms/",
}

MEBIBYTE = 1 << 20
# names a request may carry in its Host header when the server listens on a loopback address
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
EXPOSED_HEADERS = "X-SPARQL-MaxRows, X-Query-Time, Retry-After"


@dataclass(frozen=True)
class ServeConfig:
    store: Path
    timeout: float = 30.0  # seconds a query may run
    max_rows: int = 10_000  # rows or triples a response may hold
    workers: int = 2  # queries that run at once
    max_query_bytes: int = 100_000
    memory: int = 1024  # MiB a worker may grow by while it runs a query
    queue: int = 8  # requests that may wait for a free worker; more are answered 503
    cors: tuple[str, ...] = ()  # origins allowed to read answers from a browser ("*": any)


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    retire: bool = False  # the worker that made it must not run another query


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers or {})


# -- content negotiation -------------------------------------------------------------------
def negotiate(kind: str, accept: str | None, fmt: str | None = None) -> str | None:
    """The media type to answer with for ``kind`` ("results" or "graph"); None: none fits."""
    index = 0 if kind == "results" else 1
    offered = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    if fmt:
        name = fmt.strip().lower()
        if name in offered:
            return name
        pair = _FORMAT_NAMES.get(name) or _LOOSE.get(name)
        if pair and pair[index]:
            return pair[index]
    if not accept:
        return offered[0]
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media, *options = (part.strip() for part in item.split(";"))
        quality = 1.0
        for option in options:
            if option.startswith("q="):
                try:
                    quality = float(option[2:])
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranges):
        if media in offered:
            return media
        loose = _LOOSE.get(media)
        if loose and loose[index]:
            return loose[index]
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate in offered:
                if candidate.startswith(major):
                    return candidate
    return None


# -- serialisation of results (in the worker) ------------------------------------------------
def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
            f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}</object></triple>")


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _tsv_term(term: Any) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_solutions(variables: list[str], rows: list[list[Any]], media: str) -> bytes:
    if media == RESULTS_JSON:
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
                    for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode()
    if media == RESULTS_XML:
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head>",
               "<results>"]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                       for v, t in zip(variables, row, strict=True) if t is not None)
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode()
    if media == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([[_csv_term(t) for t in row] for row in rows])
        return buffer.getvalue().encode()
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend("\t".join(_tsv_term(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


def serialize_boolean(value: bool, media: str) -> bytes:
    if media == RESULTS_XML:
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n").encode()
    if media in {CSV, TSV}:
        return f"boolean\r\n{str(value).lower()}\r\n".encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


# -- what a query may do -----------------------------------------------------------------------
class RefusedQuery(QueryError):
    """A well-formed query that this endpoint will not run: it would reach outside the store."""


# parts of a query's syntax tree that make Oxigraph read something other than the store (FROM
# and FROM NAMED only pick graphs of the store; DESCRIBE and unknown functions fetch nothing)
_OUTSIDE = {"ServiceGraphPattern": "federated queries (SERVICE) are disabled on this endpoint"}


@functools.lru_cache(maxsize=64)
def checked_query(text: str) -> str:
    """The text Oxigraph may run for the query ``text``, once its parsed form is checked.

    The check reads the syntax tree that rdflib's SPARQL 1.1 grammar makes of the query, so a
    SERVICE is found wherever it stands (in a FILTER EXISTS, a sub-query, an OPTIONAL, after a
    string that a pattern over the text would have taken for an IRI), and "service" inside
    strings, IRIs, comments, prefixed names and variables is left alone.

    Oxigraph then runs the very text that was parsed. SPARQL expands ``\\u`` escapes in the
    whole query before parsing it, as rdflib does; Oxigraph expands them inside strings and
    IRIs only. The two can then cut one query into different tokens: in
    ``FILTER('a\\u005C' = ?x) SERVICE <...> {...} FILTER(<urn:'> + 1)`` rdflib reads a string
    that swallows the SERVICE, Oxigraph a string, a SERVICE call and an IRI. Expanded here
    once, the text holds no escape left for the two to read differently.

    Raises :class:`QueryError` for text that is not a SPARQL 1.1 query (updates included) and
    :class:`RefusedQuery` for a query that would reach outside the store.
    """
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery

    try:
        expanded = expandUnicodeEscapes(text)
        expanded.encode("utf-8")  # \uD800 expands to a lone surrogate, which is no text
    except ValueError as error:  # UnicodeEncodeError is one
        raise QueryError(f"SPARQL syntax error: a \\u escape: {error}") from None
    if expandUnicodeEscapes(expanded) != expanded:
        raise QueryError("SPARQL syntax error: a \\u escape spells another escape")
    try:
        tree = parseQuery(expanded)
    except RecursionError:
        raise QueryError("the query nests too deeply to be read") from None
    except Exception as error:  # pyparsing's ParseException, or an error of a parse action
        raise QueryError(f"SPARQL syntax error: {error}") from None
    names = _node_names(tree)
    for name, reason in _OUTSIDE.items():
        if name in names:
            raise RefusedQuery(reason)
    return expanded


def _node_names(tree: Any) -> set[str]:
    """The names of every node of an rdflib syntax tree (walked without recursion)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, ParseResults):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return names


# -- what a worker process may do -------------------------------------------------------------
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


def deny_network() -> bool:
    """Move this process into a network namespace of its own, where it can open no connection.

    A new namespace has one interface, its own loopback, and that one down: connect() fails for
    every address, 127.0.0.1 included. This backs up :func:`checked_query` against whatever
    a parser might miss. Linux only; it needs CAP_SYS_ADMIN or unprivileged user namespaces
    (most distributions allow them, Docker's default profile does not), and must run before
    the process starts a thread. Returns False when it could not be done.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0
               for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def cap_memory(budget: int) -> bool:
    """Let this process's address space grow by at most ``budget`` bytes from now on.

    RLIMIT_AS counts virtual memory, and a process with an open store already maps hundreds
    of MB it hardly uses, so the limit is put over what is mapped now. Past it an allocation
    fails, and Rust answers a failed allocation by aborting: a runaway query ends its own
    worker, and the pool answers for it. Core dumps are turned off, so an abort leaves no file.
    Returns False where the limit cannot be set (Windows; macOS does not enforce it).
    """
    try:
        import resource
    except ImportError:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        with open("/proc/self/statm", encoding="ascii") as handle:
            mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = mapped + budget
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):
        return False
    return True


def run_job(store: ox.Store, job: dict[str, Any]) -> Answer:
    """Check one query, run it and serialise its result (in a worker process)."""
    try:
        query = checked_query(job["query"])
    except RefusedQuery as error:
        return _text(403, str(error))
    except QueryError as error:
        return _text(400, str(error))
    options: dict[str, Any] = {"use_default_graph_as_union": True}
    if job.get("default_graphs"):
        options = {"default_graph": [ox.NamedNode(g) for g in job["default_graphs"]]}
    if job.get("named_graphs"):
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:  # Oxigraph evaluates lazily: errors come while the results are read, too
        return _results_answer(store.query(query, **options), job)
    except SyntaxError as error:
        return _text(400, f"SPARQL syntax error: {error}")
    except (RuntimeError, ValueError) as error:  # an unknown function, a bad argument...
        return _text(400, f"the query cannot run: {error}")
    except OSError as error:
        return _text(500, f"the query failed: {error}")


def _results_answer(results: Any, job: dict[str, Any]) -> Answer:
    """Results in the negotiated format, cut at the row limit."""
    max_rows = job["max_rows"]
    headers: dict[str, str] = {}
    if isinstance(results, ox.QueryBoolean):
        media = negotiate("results", job.get("accept"), job.get("format"))
        if media is None:
            return _text(406, "ASK results come as " + ", ".join(RESULT_TYPES))
        return Answer(200, media, serialize_boolean(bool(results), media))
    if isinstance(results, ox.QueryTriples):
        media = negotiate("graph", job.get("accept"), job.get("format"))
        if media is None:
            return _text(406, "CONSTRUCT and DESCRIBE results come as " + ", ".join(GRAPH_TYPES))
        triples: list[ox.Triple] = []
        for triple in results:
            if len(triples) == max_rows:
                headers["X-SPARQL-MaxRows"] = str(max_rows)
                break
            triples.append(triple)
        body = ox.serialize(triples, format=_RDF_FORMAT[media],
                            prefixes=PREFIXES if media == TURTLE else None)
        return Answer(200, media, body or b"", headers)
    media = negotiate("results", job.get("accept"), job.get("format"))
    if media is None:
        return _text(406, "SELECT results come as " + ", ".join(RESULT_TYPES))
    variables = [v.value for v in results.variables]
    rows: list[list[Any]] = []
    for solution in results:
        if len(rows) == max_rows:
            headers["X-SPARQL-MaxRows"] = str(max_rows)
            break
        rows.append([solution[v] for v in variables])
    return Answer(200, media, serialize_solutions(variables, rows, media), headers)


def _memory_answer(memory: int) -> Answer:
    return _text(503, f"the query was stopped: it needed more than the memory limit ({memory} MB)")


def _answer(store: ox.Store, job: dict[str, Any], memory: int) -> Answer:
    try:
        return run_job(store, job)
    except MemoryError:  # Python ran out within the limit: this worker's state is suspect
        answer = _memory_answer(memory)
    except Exception as error:  # a bug: answer it rather than lose the worker
        return _text(500, f"internal error ({type(error).__name__}: {error})")
    except BaseException as error:  # pyo3's PanicException: Oxigraph itself failed
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        answer = _text(500, f"the query engine failed ({type(error).__name__}: {error})")
    answer.retire = True
    return answer


def _worker_main(folder: str, memory: int, conn: Any) -> None:
    """A query worker: one read-only store, one query at a time, until the pipe closes.

    It confines itself before it opens anything: a network namespace of its own, a lower
    priority (so that the server and the other workers stay responsive while it computes),
    and once the store is open, the memory limit.
    """
    deny_network()
    os.environ["RUST_BACKTRACE"] = "0"  # a query over the memory limit prints one line
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(5)
    sys.setrecursionlimit(10_000)  # the SPARQL parser recurses once per nested bracket
    store: ox.Store | None = None
    failure = _text(503, "the store could not be opened; try again", {"Retry-After": "1"})
    failure.retire = True
    try:
        store = ox.Store.read_only(folder)
        store.query("ASK { ?s ?p ?o }")  # its first pages are mapped now, not in the budget
    except (OSError, RuntimeError) as error:
        failure.body = f"the store could not be opened ({error}); try again\n".encode()
    cap_memory(memory * MEBIBYTE)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        answer = failure if store is None else _answer(store, job, memory)
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return
        if answer.retire:
            return


# -- the builds a store holds --------------------------------------------------------------------
@dataclass(frozen=True)
class StoreBuild:
    """One complete build of a store: its generation and the database folder that holds it."""

    generation: str
    folder: str


def current_build(path: Path) -> StoreBuild:
    """The build readers of the store at ``path`` should see now (a read of a few bytes).

    ``kg build`` writes a new generation beside the current one and moves the store's pointer
    to it in one rename, so this names either the old build or the new one, never a mix.
    """
    name = current_generation(path)
    if name is None:
        raise StoreError(f"{path}: no store here (run 'kg build' first)")
    return StoreBuild(name, str(generation_folder(path, name)))


# -- the worker pool (in the server) -------------------------------------------------------
class _Worker:
    def __init__(self, context: Any, build: StoreBuild, memory: int) -> None:
        self.build = build
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(build.folder, memory, child),
                                       daemon=True, name="kg-sparql-worker")
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """Worker processes that run queries, a bounded queue of requests that wait for one, and
    the build of the store they read.

    A query over the time limit costs its worker, and so does one over the memory limit (it
    aborts). A newcomer that finds every worker busy and the queue full is answered 503 with
    ``Retry-After`` at once; nothing that already runs is touched. Workers that read a build
    the store has moved past are replaced before they run another query.
    """

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self._context: Any
        if "forkserver" in multiprocessing.get_all_start_methods():
            # workers fork from a clean server process that has imported this module and the
            # SPARQL parser once, so a worker that replaces a stopped one starts in milliseconds
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(
                ["pyoxigraph", "kg.serve", "rdflib.plugins.sparql.parser"])
        else:  # Windows
            self._context = multiprocessing.get_context("spawn")
        self.build = current_build(config.store)
        self._idle: list[_Worker] = []
        self._waiting: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._busy: dict[_Worker, float] = {}  # when each started its query
        self._all: set[_Worker] = set()

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.build, self.config.memory)
        self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()

    def _replace(self, worker: _Worker) -> _Worker:
        self._retire(worker)
        return self._spawn()

    def start(self) -> None:
        for _ in range(self.config.workers):
            self._idle.append(self._spawn())

    def close(self) -> None:
        for waiter in self._waiting:
            waiter.cancel()
        for worker in list(self._all):
            self._retire(worker)

    def follow_store(self) -> bool:
        """Notice a build that completed since the last look; True when there was one.

        Idle workers are replaced now, so that they let go of the old build's files; busy
        ones when their query is done. A pointer that cannot be read (a store being moved
        by hand) leaves the workers on the build they have.
        """
        try:
            build = current_build(self.config.store)
        except StoreError:
            return False
        if build == self.build:
            return False
        self.build = build
        self._idle = [self._replace(worker) for worker in self._idle]
        return True

    def retry_after(self) -> int:
        """Seconds until a worker is sure to be free: the first running query's time limit."""
        now = time.monotonic()
        soonest = min((started + self.config.timeout - now for started in self._busy.values()),
                      default=1.0)
        return max(1, math.ceil(soonest))

    async def _acquire(self) -> _Worker | str:
        """An idle worker, after a wait in the queue if need be, or why there is none."""
        if self._idle:
            return self._idle.pop()
        if len(self._waiting) >= self.config.queue:
            return "every worker is busy and the queue is full"
        ticket: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(ticket)
        # a worker is free within the time limit at the latest; a second more covers the
        # replacement of a worker stopped at the limit, so the first in line never waits in vain
        wait = self.config.timeout + 1.0
        try:
            await asyncio.wait([ticket], timeout=wait)
        except asyncio.CancelledError:
            self._give_up(ticket)
            raise
        if ticket.done():
            return ticket.result()
        self._give_up(ticket)
        return f"no worker was free for {wait:g} s"

    def _give_up(self, ticket: asyncio.Future[_Worker]) -> None:
        """Leave the queue; a worker handed over at that very moment goes to the next."""
        if ticket in self._waiting:
            self._waiting.remove(ticket)
        if ticket.done() and not ticket.cancelled():
            self._release(ticket.result())
        else:
            ticket.cancel()

    def _release(self, worker: _Worker) -> None:
        while self._waiting:
            ticket = self._waiting.popleft()
            if not ticket.done():
                ticket.set_result(worker)
                return
        self._idle.append(worker)

    async def _reply(self, worker: _Worker) -> Answer:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        return worker.conn.recv()

    def _died(self, worker: _Worker) -> Answer:
        worker.process.join(timeout=2)
        code = worker.process.exitcode
        if code in (-signal.SIGABRT, -getattr(signal, "SIGKILL", 9)):
            # Rust aborts when an allocation fails under the limit; the kernel's OOM killer
            # sends SIGKILL when the machine runs out first
            return _memory_answer(self.config.memory)
        return _text(500, f"the query worker died (exit code {code}); try again")

    async def run(self, job: dict[str, Any]) -> Answer:
        self.follow_store()
        worker = await self._acquire()
        if isinstance(worker, str):
            return _text(503, f"the server is busy ({worker}); try again later",
                         {"Retry-After": str(self.retry_after())})
        if worker.build != self.build or not worker.process.is_alive():
            worker = self._replace(worker)
        self._busy[worker] = time.monotonic()
        running = worker
        limit = self.config.timeout
        try:
            worker.conn.send(job)
            answer = await asyncio.wait_for(self._reply(worker), timeout=limit)
            if answer.retire:
                worker = self._replace(worker)
            return answer
        except TimeoutError:
            worker = self._replace(worker)
            return _text(503, f"the query was stopped at the time limit ({limit:g} s)")
        except (EOFError, OSError):
            answer = self._died(worker)
            worker = self._replace(worker)
            return answer
        except asyncio.CancelledError:  # its answer may still come: never reuse this worker
            worker = self._replace(worker)
            raise
        finally:
            del self._busy[running]
            if worker.build != self.build:  # a build completed while it ran
                worker = self._replace(worker)
            self._release(worker)


# -- browsers: cross-origin requests and host names ------------------------------------------
def parse_origin(value: str) -> str:
    """``value`` as the Origin header spells it (scheme://host[:port]), or ``*``."""
    text = value.strip().rstrip("/")
    if text == "*":
        return text
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query:
        raise InputError("--cors", f"{value!r} is not an origin (scheme://host[:port]) or *")
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_loopback(host: str) -> bool:
    """True for an address (or ``localhost``) that only this machine can reach."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name in a Host header, without its port (``[::1]:8000`` -> ``::1``)."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class BrowserGuard:
    """ASGI middleware: CORS as configured (none by default), and the Host check.

    A cross-origin answer is readable only by the origins named in ``origins`` (``*``: any).
    A preflight from one of them is answered 204 with the methods and headers the endpoint
    takes, and with ``Access-Control-Allow-Private-Network: true`` when it asks for it (Private
    Network Access: a public page asking for a server on this machine or network); a preflight
    from any other origin gets 403 and no CORS header. With ``loopback_only``, a request
    whose Host header names something other than localhost or a loopback address is refused:
    a page whose own name resolves to 127.0.0.1 (DNS rebinding) would otherwise be
    same-origin with this server.
    """

    def __init__(self, app: Any, *, origins: tuple[str, ...] = (), loopback_only: bool = False):
        self.app = app
        self.origins = frozenset(origins)
        self.loopback_only = loopback_only

    def _allowed(self, origin: str | None) -> bool:
        return origin is not None and ("*" in self.origins or origin.lower() in self.origins)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        from starlette.datastructures import Headers, MutableHeaders
        from starlette.responses import PlainTextResponse, Response

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host")
        if self.loopback_only and host and not is_loopback(_host_name(host)):
            await PlainTextResponse(
                f"this server answers requests for localhost only, not for {host!r} (start it "
                "with --host to serve other names)\n", status_code=403)(scope, receive, send)
            return
        origin = headers.get("origin")
        allowed = self._allowed(origin)
        if scope["method"] == "OPTIONS" and origin and "access-control-request-method" in headers:
            if not allowed:
                await PlainTextResponse(f"cross-origin requests from {origin} are not allowed\n",
                                        status_code=403)(scope, receive, send)
                return
            answer = {"Access-Control-Allow-Origin": "*" if "*" in self.origins else origin,
                      "Access-Control-Allow-Methods": "GET, POST",
                      "Access-Control-Allow-Headers": "Accept, Content-Type",
                      "Access-Control-Max-Age": "600",
                      "Vary": "Origin, Access-Control-Request-Method, "
                              "Access-Control-Request-Headers, "
                              "Access-Control-Request-Private-Network"}
            if headers.get("access-control-request-private-network", "").lower() == "true":
                answer["Access-Control-Allow-Private-Network"] = "true"
            await Response(status_code=204, headers=answer)(scope, receive, send)
            return
        if not self.origins:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed and origin:
                    out["Access-Control-Allow-Origin"] = "*" if "*" in self.origins else origin
                    out["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)


# -- the web application -------------------------------------------------------------------
def _service_description(endpoint: str) -> str:
    formats = "\n".join(f"    sd:resultFormat <http://www.w3.org/ns/formats/{f}> ;" for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
    return (f"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\n"
            f"<{endpoint}> a sd:Service ;\n    sd:endpoint <{endpoint}> ;\n"
            f"    sd:supportedLanguage sd:SPARQL11Query ;\n{formats}\n"
            f"    sd:feature sd:UnionDefaultGraph .\n")


async def _read_body(request: Any, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes (a chunked body names no
    length in advance, so the count is kept while it streams in)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(config: ServeConfig, *, loopback_only: bool = False):
    """The Starlette application (the CLI runs it with uvicorn; tests may mount it)."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from kg.queries import bind, get_query, list_queries

    if not config.store.is_dir():
        raise StoreError(f"{config.store}: no store here (run 'kg build' first)")
    build = current_build(config.store)
    try:  # open it once here, so that a folder that holds no store is named now
        ox.Store.read_only(build.folder)
    except (OSError, RuntimeError) as error:
        raise StoreError(f"{config.store}: cannot open the store ({error})") from None
    origins = tuple(parse_origin(origin) for origin in config.cors)
    pool = QueryPool(config)
    refused = _text(403, "this endpoint is read-only: updates are refused")

    def respond(answer: Answer) -> Response:
        headers = {"Vary": "Accept", **answer.headers}
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type,
                        headers=headers)

    async def sparql(request: Request) -> Response:
        params = request.query_params
        form: dict[str, list[str]] = {}
        query: str | None = params.get("query")
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media == "application/sparql-update":
                return respond(refused)
            limit = 4 * config.max_query_bytes
            raw = await _read_body(request, limit)
            if raw is None:
                return respond(_text(413, f"the request is over {limit} bytes"))
            body = raw.decode("utf-8", errors="replace")
            if media == "application/x-www-form-urlencoded":
                form = parse_qs(body, keep_blank_values=True)
                if "update" in form:
                    return respond(refused)
                query = form["query"][0] if form.get("query") else None
            elif media == "application/sparql-query":
                query = body
            else:
                return respond(_text(415, "POST a form (application/x-www-form-urlencoded) "
                                          "or an application/sparql-query body"))
        elif "update" in params:
            return respond(refused)
        if query is None:
            if request.method == "GET":
                return Response(_service_description(str(request.url_for("sparql"))),
                                media_type=TURTLE)
            return respond(_text(400, "no query: send it as 'query'"))
        if len(query.encode(errors="replace")) > config.max_query_bytes:
            return respond(_text(413, f"the query is over {config.max_query_bytes} bytes"))
        graphs = {}
        for key in ("default-graph-uri", "named-graph-uri"):
            graphs[key] = params.getlist(key) + form.get(key, [])
            for iri in graphs[key]:
                try:
                    ox.NamedNode(iri)
                except ValueError:
                    return respond(_text(400, f"{key}: {iri!r} is not an IRI"))
        fmt = params.get("format") or (form["format"][0] if form.get("format") else None)
        job = {"query": query, "accept": request.headers.get("accept"), "format": fmt,
               "default_graphs": graphs["default-graph-uri"],
               "named_graphs": graphs["named-graph-uri"], "max_rows": config.max_rows}
        started = time.perf_counter()
        answer = await pool.run(job)
        answer.headers["X-Query-Time"] = f"{time.perf_counter() - started:.3f}"
        return respond(answer)

    async def queries(request: Request) -> Response:
        return JSONResponse([q.as_dict() for q in list_queries()])

    async def named(request: Request) -> Response:
        try:
            text = bind(get_query(request.path_params["name"]), dict(request.query_params))
        except QueryError as error:
            return PlainTextResponse(str(error) + "\n", status_code=400)
        return PlainTextResponse(text, media_type="application/sparql-query")

    async def index(request: Request) -> Response:
        return FileResponse(_static_dir() / "index.html", media_type="text/html")

    async def follow_builds() -> None:
        while True:  # so that idle workers let go of a replaced build without waiting for a query
            await asyncio.sleep(1.0)
            pool.follow_store()

    @asynccontextmanager
    async def lifespan(app):
        pool.start()
        watcher = asyncio.create_task(follow_builds())
        try:
            yield
        finally:
            watcher.cancel()
            pool.close()

    return Starlette(
        routes=[
            Route("/", index),
            Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
            Route("/queries", queries),
            Route("/queries/{name}", named),
            Mount("/static", StaticFiles(directory=_static_dir()), name="static"),
        ],
        middleware=[Middleware(BrowserGuard, origins=origins, loopback_only=loopback_only)],
        lifespan=lifespan,
    )


def _static_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("kg") / "static"))


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"{host}:{port}", f"cannot listen here ({reason})") from None
    return sock


def serve(config: ServeConfig, *, host: str = "127.0.0.1", port: int = 8000,
          log_level: str = "warning") -> None:
    """Run the endpoint until interrupted."""
    import uvicorn

    app = create_app(config, loopback_only=is_loopback(host))
    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"serving {config.store} at http://{shown}:{bound_port}/ "
          f"(SPARQL endpoint http://{shown}:{bound_port}/sparql); Ctrl-C stops", file=sys.stderr,
          flush=True)
    if config.cors:
        print("answers readable from web pages at " + ", ".join(config.cors), file=sys.stderr,
              flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="on"))
    server.run(sockets=[sock])
