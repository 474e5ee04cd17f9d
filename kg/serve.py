"""``kg serve``: the store as a read-only SPARQL 1.1 Protocol endpoint, with a query page.

* ``/sparql`` answers queries by GET (``?query=``) and POST (a form with ``query=``, or an
  ``application/sparql-query`` body), with ``default-graph-uri`` / ``named-graph-uri`` as the
  protocol defines them; without them the default graph is the union of all graphs, as in
  ``kg query``. Results are negotiated from the Accept header (or a ``format`` parameter, as
  SPARQLWrapper and browsers send it): SPARQL JSON, XML, CSV or TSV for SELECT and ASK;
  Turtle, N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE.
* It is read-only: updates are refused with 403 before anything runs, the store is opened
  read-only, and federated queries (``SERVICE``) are refused so the server fetches nothing.
* Each query runs in a worker process with a time limit: a query still running at the limit
  is stopped by ending its worker (a native Oxigraph query cannot be interrupted from
  Python), answered with 503, and a fresh worker takes its place. Results are cut at
  ``max_rows`` rows or triples, and the ``X-SPARQL-MaxRows`` header says so.
* ``/`` is a small page (``kg/static/``, no network needed) to type a query or pick a named
  question, and read the result as a table; ``/queries`` lists the named questions and
  ``/queries/NAME?param=value`` returns one with its parameters bound.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import multiprocessing
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError

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
# the SERVICE keyword, not a variable (?service), a prefixed name (ex:service) or a prefix
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)
_HIDDEN = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                     r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*")


@dataclass(frozen=True)
class ServeConfig:
    store: Path
    timeout: float = 30.0  # seconds a query may run
    max_rows: int = 10_000  # rows or triples a response may hold
    workers: int = 2  # queries that run at once
    max_query_bytes: int = 100_000


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode())


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


def run_job(store: ox.Store, job: dict[str, Any]) -> Answer:
    """Run one query and serialise its result (in a worker process)."""
    options: dict[str, Any] = {"use_default_graph_as_union": True}
    if job.get("default_graphs"):
        options = {"default_graph": [ox.NamedNode(g) for g in job["default_graphs"]]}
    if job.get("named_graphs"):
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        results = store.query(job["query"], **options)
    except SyntaxError as error:
        return _text(400, f"SPARQL syntax error: {error}")
    except OSError as error:
        return _text(500, f"the query failed: {error}")
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


def _worker_main(store_path: str, conn: Any) -> None:
    """A query worker: one read-only store, one query at a time, until the pipe closes."""
    store = ox.Store.read_only(store_path)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = run_job(store, job)
        except Exception as error:  # a bug: answer it rather than lose the worker
            answer = _text(500, f"internal error ({type(error).__name__}: {error})")
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


# -- the worker pool (in the server) -------------------------------------------------------
class _Worker:
    def __init__(self, context: Any, store_path: str) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(store_path, child),
                                       daemon=True, name="kg-sparql-worker")
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """Worker processes that run queries; a query over its time limit costs its worker."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self._context: Any
        if "forkserver" in multiprocessing.get_all_start_methods():
            # workers fork from a clean server process that has imported this module once,
            # so a worker that replaces a stopped one starts in milliseconds
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["pyoxigraph", "kg.serve"])
        else:  # Windows
            self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, str(self.config.store))
        self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()

    def start(self) -> None:
        for _ in range(self.config.workers):
            self._idle.put_nowait(self._spawn())

    def close(self) -> None:
        for worker in list(self._all):
            self._retire(worker)

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

    async def run(self, job: dict[str, Any]) -> Answer:
        limit = self.config.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=limit)
        except TimeoutError:
            return _text(503, f"the server is busy: no worker was free for {limit:g} s")
        try:
            worker.conn.send(job)
            return await asyncio.wait_for(self._reply(worker), timeout=limit)
        except TimeoutError:
            self._retire(worker)
            worker = self._spawn()
            return _text(503, f"the query was stopped at the time limit ({limit:g} s)")
        except (EOFError, OSError):
            self._retire(worker)
            worker = self._spawn()
            return _text(500, "the query worker died; try again")
        except asyncio.CancelledError:  # its answer may still come: never reuse this worker
            self._retire(worker)
            worker = self._spawn()
            raise
        finally:
            self._idle.put_nowait(worker)


# -- the web application -------------------------------------------------------------------
def refuses_service(query: str) -> bool:
    """True when the query uses SERVICE (outside strings, IRIs and comments)."""
    return bool(_SERVICE.search(_HIDDEN.sub(" ", query)))


def _service_description(endpoint: str) -> str:
    formats = "\n".join(f"    sd:resultFormat <http://www.w3.org/ns/formats/{f}> ;" for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
    return (f"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\n"
            f"<{endpoint}> a sd:Service ;\n    sd:endpoint <{endpoint}> ;\n"
            f"    sd:supportedLanguage sd:SPARQL11Query ;\n{formats}\n"
            f"    sd:feature sd:UnionDefaultGraph .\n")


def create_app(config: ServeConfig):
    """The Starlette application (the CLI runs it with uvicorn; tests may mount it)."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from kg.queries import bind, get_query, list_queries

    if not config.store.is_dir():
        raise StoreError(f"{config.store}: no store here (run 'kg build' first)")
    try:  # open it once here, so that a folder that holds no store is named now
        ox.Store.read_only(str(config.store))
    except OSError as error:
        raise StoreError(f"{config.store}: cannot open the store ({error})") from None
    pool = QueryPool(config)

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
            length = int(request.headers.get("content-length") or 0)
            if length > 4 * config.max_query_bytes:
                return respond(_text(413, f"the request is over {length} bytes"))
            if media == "application/sparql-update":
                return respond(_text(403, "this endpoint is read-only: updates are refused"))
            body = (await request.body()).decode("utf-8", errors="replace")
            if media == "application/x-www-form-urlencoded":
                form = parse_qs(body, keep_blank_values=True)
                if "update" in form:
                    return respond(_text(403, "this endpoint is read-only: updates are refused"))
                query = form["query"][0] if form.get("query") else None
            elif media == "application/sparql-query":
                query = body
            else:
                return respond(_text(415, "POST a form (application/x-www-form-urlencoded) "
                                          "or an application/sparql-query body"))
        elif "update" in params:
            return respond(_text(403, "this endpoint is read-only: updates are refused"))
        if query is None:
            if request.method == "GET":
                return Response(_service_description(str(request.url_for("sparql"))),
                                media_type=TURTLE)
            return respond(_text(400, "no query: send it as 'query'"))
        if len(query.encode()) > config.max_query_bytes:
            return respond(_text(413, f"the query is over {config.max_query_bytes} bytes"))
        if refuses_service(query):
            return respond(_text(403, "federated queries (SERVICE) are disabled on this endpoint"))
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

    @asynccontextmanager
    async def lifespan(app):
        pool.start()
        try:
            yield
        finally:
            pool.close()

    return Starlette(
        routes=[
            Route("/", index),
            Route("/sparql", sparql, methods=["GET", "POST"], name="sparql"),
            Route("/queries", queries),
            Route("/queries/{name}", named),
            Mount("/static", StaticFiles(directory=_static_dir()), name="static"),
        ],
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                               allow_headers=["*"],
                               expose_headers=["X-SPARQL-MaxRows", "X-Query-Time"])],
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

    app = create_app(config)
    sock = _listen(host, port)
    bound_port = sock.getsockname()[1]
    print(f"serving {config.store} at http://{host}:{bound_port}/ "
          f"(SPARQL endpoint http://{host}:{bound_port}/sparql); Ctrl-C stops", file=sys.stderr,
          flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="on"))
    server.run(sockets=[sock])
