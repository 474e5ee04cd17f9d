"""An external SPARQL server: push the store's graphs to it and ask it questions.

:func:`push` writes each named graph of the store with one ``PUT`` of the SPARQL 1.1 Graph
Store HTTP Protocol, as Turtle: the one way of writing that every server implementing the
protocol takes (Virtuoso's Graph Store takes one graph at a time and no N-Quads; Fuseki,
GraphDB and Oxigraph's server take it too). A ``PUT`` replaces its graph, so pushing again
after a build brings the server up to date, and the graphs of conflict-kg's namespace that the
server holds and the store no longer does are deleted: afterwards the server holds the store's
graphs under the store's names. Readers of the server may see a mix of old and new graphs while
a push runs; the store itself is only read.

:func:`run_query` sends a query by the SPARQL 1.1 Protocol (a POST form) and reads the answer
back into pyoxigraph terms, so that ``kg query`` prints a server's answer as it prints the
embedded store's. A named question runs there unchanged when the server's default graph is the
union of its graphs, as the store's is (Virtuoso's is; Fuseki needs ``unionDefaultGraph``).

HTTP is the standard library's ``urllib`` (Basic and Digest authentication, the proxies of the
environment); every failure becomes one :class:`~kg.errors.RemoteError` that names the address
and says what went wrong.
"""

from __future__ import annotations

import base64
import html
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

import pyoxigraph as ox

from kg.errors import RemoteError
from kg.rdf.iris import BASE
from kg.store import GraphStore

GRAPH_NAMESPACE = BASE + "graph/"  # every graph a build writes is named under it
DEFAULT_TIMEOUT = 600.0  # seconds a request may wait for the server's next bytes

# Accept headers by query form: the result formats pyoxigraph reads. XML first for SELECT and
# ASK: Virtuoso's JSON writer is the older draft's (``typed-literal``) and strays from it.
_ACCEPT_RESULTS = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples under its old media type
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# the prologue of a query (comments, BASE, PREFIX, Virtuoso's DEFINE), before its form
_PROLOGUE = re.compile(
    r"""\s+|\#[^\n]*
      |(?i:BASE)\s*<[^>]*>
      |(?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>
      |(?i:DEFINE)\s+\S+\s+(?:"[^"]*"|'[^']*'|<[^>]*>|\S+)(?:\s*,\s*(?:"[^"]*"|'[^']*'|<[^>]*>|\S+))*
    """, re.X)
_FORM = re.compile(r"(?i:SELECT|ASK|CONSTRUCT|DESCRIBE)\b")


@dataclass(frozen=True, slots=True)
class Server:
    """Where a SPARQL server answers, and who asks.

    ``endpoint`` is its SPARQL query endpoint; ``graph_store`` its Graph Store endpoint, which
    for Virtuoso is found from the endpoint (``/sparql-graph-crud-auth`` with a user,
    ``/sparql-graph-crud`` without) and must be given for any other server."""

    endpoint: str
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for url in (self.endpoint, self.graph_store):
            if url is not None:
                _check_url(url)
        if self.password is not None and self.user is None:
            raise RemoteError("a password needs its user (--user)")


@dataclass(frozen=True, slots=True)
class PushSummary:
    endpoint: str
    graph_store: str
    graphs: int
    triples: int
    removed: tuple[str, ...]  # graphs of conflict-kg's namespace the store no longer has
    seconds: float

    def to_text(self) -> str:
        removed = (f"removed from the server: {len(self.removed)} graphs the store no longer "
                   "has\n" if self.removed else "")
        return (f"pushed {self.graphs} graphs ({self.triples} triples) to {self.graph_store}\n"
                f"{removed}query them at {self.endpoint}\n"
                f"time: {self.seconds:.1f} s")


@dataclass(frozen=True, slots=True)
class Solutions:
    """A SELECT answer read back from a server: its variables and its rows, in order."""

    variables: list[ox.Variable]
    rows: list[ox.QuerySolution]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a server answered: :class:`Solutions`, a ``QueryBoolean`` (ASK) or a list of
    triples (CONSTRUCT, DESCRIBE); ``max_rows`` when the server says it cut the answer."""

    results: Solutions | ox.QueryBoolean | list[ox.Triple]
    max_rows: int | None
    seconds: float


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RemoteError(f"{url}: not an http:// or https:// address")
    if parts.username or parts.password:
        raise RemoteError(f"{parts.hostname}: give the user and password with --user and "
                          "--password, not in the address")


def _root(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _summary(body: bytes, limit: int = 300) -> str:
    """The gist of an error page: its text without tags, on one line, with Virtuoso's echo
    of the whole query left out."""
    text = body.decode("utf-8", errors="replace")
    text = text.split("SPARQL query:", 1)[0]
    if "<" in text and ">" in text:
        text = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", text)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _DigestAuth(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that answers the server's last challenge up front.

    urllib answers a challenge only after a request was refused, so each ``PUT`` would carry
    its graph twice, and a server that refuses before reading a large body and closes the
    connection breaks the first sending ("broken pipe"). Once challenged, every request carries
    its answer (the nonce counted up); a stale nonce is refused and answered afresh."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self._challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str):
        _scheme, challenge = auth.split(" ", 1)
        self._challenge = urllib.request.parse_keqv_list(
            [part for part in urllib.request.parse_http_list(challenge) if part])
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self._challenge is not None and not req.has_header(self.auth_header):
            answer = self.get_authorization(req, self._challenge)
            if answer:
                req.add_unredirected_header(self.auth_header, f"Digest {answer}")
        return req

    https_request = http_request


class _BasicAuth(urllib.request.HTTPBasicAuthHandler):
    """Basic authentication sent up front to a host once it asked for it, never before:
    a server that asks for Digest never sees the password."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self._hosts: set[str] = set()

    def retry_http_basic_auth(self, host: str, req: urllib.request.Request, realm: str):
        self._hosts.add(host)
        return super().retry_http_basic_auth(host, req, realm)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        host = urllib.parse.urlsplit(req.full_url).netloc
        if host in self._hosts and not req.has_header(self.auth_header):
            user, password = self.passwd.find_user_password(None, req.full_url)  # type: ignore[arg-type]
            if user is not None:
                token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
                req.add_unredirected_header(self.auth_header, f"Basic {token}")
        return req

    https_request = http_request


class _Client:
    """One opener with the server's credentials, and the translation of every failure."""

    def __init__(self, server: Server) -> None:
        self.server = server
        handlers: list[urllib.request.BaseHandler] = []
        if server.user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {server.endpoint, server.graph_store or server.endpoint}:
                passwords.add_password(None, _root(url), server.user, server.password or "")
            handlers += [_DigestAuth(passwords), _BasicAuth(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def send(self, method: str, url: str, *, body: bytes | None = None,
             headers: dict[str, str] | None = None,
             also: frozenset[int] = frozenset()) -> tuple[Message, bytes]:
        """The answer's headers and body; an HTTP status in ``also`` counts as an answer too."""
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        where = _without_query(url)
        try:
            with self._opener.open(request, timeout=self.server.timeout) as response:
                return response.headers, response.read()
        except urllib.error.HTTPError as error:
            if error.code in also:
                return error.headers, error.read()
            raise self._refusal(where, error) from None
        except urllib.error.URLError as error:
            reason = error.reason
            why = (reason.strerror or str(reason)) if isinstance(reason, OSError) else reason
            raise RemoteError(f"{where}: cannot reach the server ({str(why).lower()})") from None
        except TimeoutError:
            raise RemoteError(
                f"{where}: no answer within {self.server.timeout:g} s") from None
        except (http.client.HTTPException, OSError) as error:
            raise RemoteError(f"{where}: the connection failed ({error})") from None

    def _refusal(self, where: str, error: urllib.error.HTTPError) -> RemoteError:
        try:
            detail = _summary(error.read())
        except OSError:
            detail = ""
        user = self.server.user
        if error.code == 401 and user is None:
            message = ("the server asks for a user and password (HTTP 401): give --user and "
                       "--password")
        elif error.code == 401:
            message = f"the server refused user {user!r} with this password (HTTP 401)"
        elif error.code == 403:
            hint = "; give --user and --password" if user is None else ""
            message = f"not allowed (HTTP 403{': ' + detail if detail else ''}){hint}"
        else:
            message = f"HTTP {error.code} {error.reason}" + (f": {detail}" if detail else "")
        return RemoteError(f"{where}: {message}")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read after the prologue; SELECT when unsure (the
    server then says what is wrong with the text)."""
    position = 0
    while found := _PROLOGUE.match(sparql, position):
        if found.end() == position:
            break
        position = found.end()
    form = _FORM.match(sparql, position)
    return form.group(0).upper() if form else "SELECT"


def run_query(server: Server, sparql: str) -> Answer:
    """Run ``sparql`` on the server's endpoint; raises RemoteError when it cannot."""
    client = _Client(server)
    form = query_form(sparql)
    graph_form = form in {"CONSTRUCT", "DESCRIBE"}
    body = urllib.parse.urlencode({"query": sparql}).encode()
    started = time.perf_counter()
    headers, data = client.send("POST", server.endpoint, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": _ACCEPT_GRAPH if graph_form else _ACCEPT_RESULTS})
    seconds = time.perf_counter() - started
    kind = headers.get_content_type()
    where = _without_query(server.endpoint)
    try:
        if kind in _RESULT_FORMATS:
            parsed = ox.parse_query_results(data, _RESULT_FORMATS[kind])
            results: Solutions | ox.QueryBoolean | list[ox.Triple]
            if isinstance(parsed, ox.QueryBoolean):
                results = parsed
            else:
                results = _ask_as_boolean(form, Solutions(list(parsed.variables), list(parsed)))
        elif kind in _GRAPH_FORMATS:
            results = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(data, format=_GRAPH_FORMATS[kind])]
        else:
            raise RemoteError(f"{where}: an answer of type {kind!r}, not SPARQL results or RDF")
    except (SyntaxError, ValueError) as error:
        raise RemoteError(f"{where}: an answer that is not valid {kind} ({error})") from None
    cut = headers.get("X-SPARQL-MaxRows")
    return Answer(results, int(cut) if cut and cut.isdigit() else None, seconds)


def _ask_as_boolean(form: str, solutions: Solutions) -> Solutions | ox.QueryBoolean:
    """Virtuoso answers an ASK that names a result format as a table of one cell,
    ``__ASK_RETVAL``, holding 1 or 0: read back as the boolean it is."""
    names = [v.value for v in solutions.variables]
    if form != "ASK" or names != ["__ASK_RETVAL"] or len(solutions) > 1:
        return solutions
    cell = solutions.rows[0]["__ASK_RETVAL"] if solutions.rows else None
    truth = cell is not None and cell.value.strip().lower() in {"1", "true"}
    boolean = ox.parse_query_results(json.dumps({"head": {}, "boolean": truth}),
                                     ox.QueryResultsFormat.JSON)
    assert isinstance(boolean, ox.QueryBoolean)
    return boolean


def graph_store_url(server: Server) -> str:
    """The Graph Store endpoint to write to: the one given, or Virtuoso's beside its SPARQL
    endpoint (a first request, which also proves the server answers)."""
    headers, _ = _Client(server).send("POST", server.endpoint, body=urllib.parse.urlencode(
        {"query": "ASK {}"}).encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": _ACCEPT_RESULTS})
    if server.graph_store is not None:
        return server.graph_store
    if "virtuoso" in (headers.get("Server") or "").lower():
        path = "/sparql-graph-crud-auth" if server.user is not None else "/sparql-graph-crud"
        return urllib.parse.urljoin(server.endpoint, path)
    raise RemoteError(f"{_without_query(server.endpoint)}: give --graph-store URL, the "
                      "server's SPARQL 1.1 Graph Store endpoint (it is found by itself only "
                      "for Virtuoso)")


def _graph_url(graph_store: str, graph: str | None) -> str:
    """``?graph=IRI`` (or ``?default``) on the Graph Store endpoint, as the protocol names
    a graph indirectly."""
    joiner = "&" if "?" in graph_store else "?"
    if graph is None:
        return f"{graph_store}{joiner}default"
    return f"{graph_store}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def remote_graphs(server: Server, prefix: str = GRAPH_NAMESPACE) -> set[str]:
    """The names of the server's graphs that start with ``prefix``."""
    sparql = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
              f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}")
    answer = run_query(server, sparql)
    assert isinstance(answer.results, Solutions)
    return {row["g"].value for row in answer.results if isinstance(row["g"], ox.NamedNode)}


def push(store: GraphStore, server: Server) -> PushSummary:
    """Write every graph of ``store`` to the server (see the module's description)."""
    started = time.perf_counter()
    target = graph_store_url(server)
    client = _Client(server)
    # a graph no build names: proves the Graph Store answers and takes the credentials before
    # anything is written, and brings the challenge the PUTs will answer up front
    client.send("GET", _graph_url(target, GRAPH_NAMESPACE), also=frozenset({404}))
    database = store.oxigraph
    names = store.graph_names()
    # Turtle with whole IRIs, no prefixed names: Virtuoso 7.2 keeps the backslash of an
    # escaped local name (``kgid:event\/1`` becomes ``.../id/event\/1``)
    turtle = {"Content-Type": "text/turtle; charset=utf-8"}
    for name in names:
        body = database.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.NamedNode(name))
        client.send("PUT", _graph_url(target, name), body=body, headers=turtle)
    default = ox.DefaultGraph()
    if next(iter(database.quads_for_pattern(None, None, None, default)), None) is not None:
        body = database.dump(format=ox.RdfFormat.TURTLE, from_graph=default)
        client.send("PUT", _graph_url(target, None), body=body, headers=turtle)
    stale = sorted(remote_graphs(server) - set(names))
    for name in stale:
        client.send("DELETE", _graph_url(target, name))
    return PushSummary(endpoint=server.endpoint, graph_store=target, graphs=len(names),
                       triples=len(database), removed=tuple(stale),
                       seconds=time.perf_counter() - started)
