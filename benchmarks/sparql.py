"""Every named question on a store of at least a million triples: embedded, rdflib, Virtuoso.

    python benchmarks/sparql.py --cache DIR [--corpus FILE.jsonl | --base STORE]
                                [--triples 1000000] [--repeat N] [--bound SECONDS]
                                [--engines oxigraph rdflib virtuoso] [--only NAME ...]
                                [--endpoint URL]

The store is made once and kept in ``--cache`` (made again with ``--fresh``, or when the
corpus changed):

1. ``DIR/base``: ``kg build CORPUS --no-validate`` (default MUC-4 train,
   ``../shared/eval/muc4/train.jsonl``, 1,300 articles: some minutes), or a copy of the
   store given by ``--base``;
2. ``DIR/store``: that graph repeated until it holds ``--triples`` quads. Copy ``k`` renames
   every article (``DOC`` becomes ``DOC~k`` in its identifier, its graph, its claims and its
   ``ce:docId``) and every canonical event (``event/HASH`` becomes ``event/HASH~k``), so it
   reports new events, and it names the same actors, places and weapons: the reference
   graph, the ontology and the graph of shared nodes (``graph/entities``) stay one. It is
   the graph a build of the corpus repeated under new ids would give, without parsing it
   again, and without merging the copies into one another;
3. ``DIR/store.nq``: its N-Quads dump, read by rdflib.

Then each named question (``events-near`` around the town with the most events, 100 km,
by its name and by its point; ``weapons-captured-from`` for the group that lost materiel most
often; the others with their defaults) runs once to warm up and ``--repeat`` times more on
each engine, and the median is printed in milliseconds, every term of every row read (as a
tuple, in the variables' order; the form in which rows are compared is made after the clock
stops):

- ``oxigraph``: ``GraphStore.query`` on the on-disk store, read-only (the store ``kg query``
  and ``kg serve`` use);
- ``rdflib``: the N-Quads loaded into an rdflib ``Dataset(default_union=True)``, in memory;
- ``virtuoso``: Debian's Virtuoso 7 (``virtuoso-t``; ``bash .ci/install-virtuoso.sh``),
  started on free ports of 127.0.0.1 with a new database as ``tests/test_virtuoso.py`` does,
  filled by ``kg push``; the time is ``kg.remote.run_query``'s (HTTP, the server's work, and
  reading its SPARQL XML answer). Left out with a note when ``virtuoso-t`` is not installed.
  With ``--endpoint URL`` the questions go to a server that already holds the store (filled
  by an earlier ``kg push`` of ``DIR/store``), which is neither started nor filled here.

A run that takes longer than ``--bound`` seconds (default 60) is stopped and reported as
``> BOUND``: each embedded question runs in a child process, which is killed. The rows of
each engine are compared with Oxigraph's (sorted; numbers by value, ``GROUP_CONCAT`` lists
as sets). The figures depend on the machine (printed) and on what else runs on it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import math
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "muc4" / "train.jsonl"
sys.path.insert(0, str(ROOT / "tests"))  # tests/servers.py starts Virtuoso

from kg.queries import bind, list_queries  # noqa: E402
from kg.rdf import iris  # noqa: E402
from kg.store import GraphStore  # noqa: E402

ENGINES = ("oxigraph", "rdflib", "virtuoso")
SLOW = 1.0  # seconds: a question whose first run takes longer is timed twice, not --repeat times
DOC_ID = "https://w3id.org/conflict-kg/ontology#docId"
RENAMED = ("graph/article/", "article/", "claim/", "event/")  # IRIs under BASE, per copy
COPIED_GRAPHS = ("graph/article/", "graph/provenance", "graph/canonical")
PREFIXES = """PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


# -- the store ----------------------------------------------------------------------------------
def _stamp(path: Path) -> dict[str, Any] | None:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text(encoding="utf-8"))
    return None


def base_store(cache: Path, corpus: Path, base: Path | None, fresh: bool) -> Path:
    """``DIR/base``: the corpus built once (or a copy of ``base``)."""
    path, stamp_file = cache / "base", cache / "base.json"
    source = base or corpus
    stamp = {"source": str(source.resolve()),
             "size": None if base else corpus.stat().st_size,
             "mtime": None if base else corpus.stat().st_mtime}
    if not fresh and path.is_dir() and _stamp(stamp_file) == stamp:
        return path
    shutil.rmtree(path, ignore_errors=True)
    stamp_file.unlink(missing_ok=True)
    started = time.perf_counter()
    if base is not None:
        print(f"copying {base} ...", flush=True)
        shutil.copytree(base, path)
    else:
        from kg import build

        print(f"building {corpus} into {path} (validation off) ...", flush=True)
        store = GraphStore(path)
        summary = build([corpus], store, validate=False)
        store.close()
        print(f"  {summary.articles_read} articles, {summary.triples:,} quads", flush=True)
    print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    return path


def _renamer(copy: int) -> Callable[[Any], Any]:
    """Terms of copy ``copy``: its articles, claims and events under new names."""
    suffix = f"~{copy}"

    def rename(term: Any) -> Any:
        if copy == 0:
            return term
        if isinstance(term, ox.NamedNode) and term.value.startswith(iris.BASE):
            rest = term.value[len(iris.BASE):]
            for prefix in RENAMED:
                if rest.startswith(prefix):
                    head, sep, tail = rest[len(prefix):].partition("/")
                    return ox.NamedNode(f"{iris.BASE}{prefix}{head}{suffix}{sep}{tail}")
        return term

    return rename


def _copied(graph: Any) -> bool:
    return isinstance(graph, ox.NamedNode) and any(
        graph.value.startswith(iris.BASE + name) for name in COPIED_GRAPHS)


def repeated_store(cache: Path, base: Path, triples: int, fresh: bool) -> Path:
    """``DIR/store``: ``base`` repeated under new article and event names until it holds at
    least ``triples`` quads."""
    path, stamp_file = cache / "store", cache / "store.json"
    stamp = {"base": _stamp(cache / "base.json"), "triples": triples}
    if not fresh and path.is_dir() and _stamp(stamp_file) == stamp:
        return path
    shutil.rmtree(path, ignore_errors=True)
    stamp_file.unlink(missing_ok=True)
    (cache / "store.nq").unlink(missing_ok=True)
    started = time.perf_counter()
    source = GraphStore(base, read_only=True)
    quads = list(source.oxigraph.quads_for_pattern(None, None, None, None))
    source.close()
    per_copy = sum(1 for q in quads if _copied(q.graph_name))
    copies = max(1, math.ceil((triples - (len(quads) - per_copy)) / per_copy))
    print(f"repeating {base} ({len(quads):,} quads, {per_copy:,} of them per article, "
          f"claim or event) {copies} times ...", flush=True)
    target = ox.Store(str(path))
    for copy in range(copies):
        rename = _renamer(copy)
        batch = []
        for quad in quads:
            if copy and not _copied(quad.graph_name):
                continue
            obj = quad.object
            if copy and isinstance(obj, ox.Literal) and quad.predicate.value == DOC_ID:
                obj = ox.Literal(f"{obj.value}~{copy}")
            batch.append(ox.Quad(rename(quad.subject), quad.predicate, rename(obj),
                                 rename(quad.graph_name)))
        target.bulk_extend(batch)
    target.flush()
    target.optimize()  # compacted, as RocksDB leaves a store that was written over time
    size = len(target)
    del target
    gc.collect()
    # a store folder kg reads: generation 1 holds the database
    folder = path.with_name("store.tmp")
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "generations").mkdir(parents=True)
    path.rename(folder / "generations" / "000001")
    (folder / "generation").write_text("000001\n", encoding="ascii")
    folder.rename(path)
    print(f"  {size:,} quads in {time.perf_counter() - started:.0f} s", flush=True)
    stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    return path


def nquads(cache: Path, store_path: Path) -> Path:
    path = cache / "store.nq"
    if not path.is_file():
        store = GraphStore(store_path, read_only=True)
        path.write_bytes(store.dump(ox.RdfFormat.N_QUADS))
        store.close()
    return path


def first(store: GraphStore, sparql: str, default: str) -> str:
    rows = list(store.query(PREFIXES + sparql))
    return rows[0][0].value if rows and rows[0][0] is not None else default


def cases(store_path: Path, only: list[str]) -> list[tuple[str, dict[str, str]]]:
    store = GraphStore(store_path, read_only=True)
    town = first(store, """SELECT ?label WHERE { ?e a ce:CanonicalEvent ; sem:hasPlace ?p .
        ?p ce:placeLevel "locality" ; rdfs:label ?label } GROUP BY ?label
        ORDER BY DESC(COUNT(*)) ?label LIMIT 1""", "Kaya")
    point = first(store, f"""PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        SELECT (STR(?wkt) AS ?w) WHERE {{ ?p rdfs:label ?label ; geo:hasGeometry/geo:asWKT ?wkt
        FILTER(STR(?label) = {json.dumps(town)}) }} ORDER BY ?w LIMIT 1""", "POINT(-1.08 13.09)")
    lon, lat = point[len("POINT("):-1].split()
    loser = first(store, """SELECT ?label WHERE { ?e a ce:CanonicalEvent ;
        ce:capturedFrom/rdfs:label ?label ; ce:materiel ?m } GROUP BY ?label
        ORDER BY DESC(COUNT(*)) ?label LIMIT 1""", "JNIM")
    store.close()
    chosen: dict[str, list[dict[str, str]]] = {
        "events-near": [{"place": town, "km": "100"}, {"lat": lat, "lon": lon, "km": "100"}],
        "weapons-captured-from": [{"actor": loser}]}
    return [(q.name, params) for q in list_queries() if not only or q.name in only
            for params in chosen.get(q.name, [{}])]


def label(name: str, params: dict[str, str]) -> str:
    """A case as the table names it: the question and its parameters."""
    return name + "".join(f" {k}={v}" for k, v in params.items())


# -- running and timing -------------------------------------------------------------------------
def rows_of(rows: list[tuple]) -> list[tuple]:
    """Rows in a form every engine agrees on, made after the clock stops."""

    def cell(term: Any) -> object:
        if term is None:
            return None
        value = str(term.value) if hasattr(term, "value") else str(term)
        try:
            return round(float(value), 6)
        except ValueError:  # GROUP_CONCAT lists in either order (SPARQL leaves it open)
            return ", ".join(sorted(value.split(", ")))

    return [tuple(cell(term) for term in row) for row in rows]


def digest(rows: list[tuple]) -> str:
    return hashlib.sha1(repr(sorted(map(repr, rows))).encode()).hexdigest()[:12]


def _oxigraph_runner(store_path: Path) -> Callable[[str], list[tuple]]:
    store = GraphStore(store_path, read_only=True)

    def run(text: str) -> list[tuple]:  # every term of every row, in the variables' order
        return [tuple(row) for row in store.query(text)]

    return run


_DATASET: Any = None  # the rdflib dataset, loaded in the parent and shared with its children


def _rdflib_runner(_: Path) -> Callable[[str], list[tuple]]:
    def run(text: str) -> list[tuple]:
        return [tuple(row) for row in _DATASET.query(text)]

    return run


def _child(make: Callable[[Path], Callable[[str], list[tuple]]], target: Path, text: str,
           repeat: int, pipe: Connection) -> None:
    try:
        run = make(target)
        runs = repeat + 1
        done = 0
        while done < runs:
            started = time.perf_counter()
            rows = run(text)
            seconds = time.perf_counter() - started
            pipe.send(("run", seconds, len(rows), digest(rows_of(rows))))
            done += 1
            if done == 1 and seconds > SLOW:  # a slow question: two timed runs are enough
                runs = min(runs, 3)
    except Exception as error:  # reported, not raised: the table goes on
        pipe.send(("error", f"{type(error).__name__}: {error}"[:200]))
    pipe.close()


def in_child(make: Callable[[Path], Callable[[str], list[tuple]]], target: Path, text: str,
             repeat: int, bound: float) -> dict[str, Any]:
    """Warm-up and ``repeat`` runs of ``text`` in a forked child (two runs when the warm-up
    took over ``SLOW``); a run over ``bound`` seconds stops the child, killed by its id."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(make, target, text, repeat, send))
    child.start()
    send.close()
    times: list[float] = []
    found: dict[str, Any] = {}
    expected = repeat + 1
    try:
        while len(times) < expected:
            if not receive.poll(bound):
                return {"timeout": bound, **found}
            try:
                message = receive.recv()
            except EOFError:
                return {"error": f"the child died (exit code {child.exitcode})"}
            if message[0] == "error":
                return {"error": message[1]}
            _, seconds, count, rows = message
            times.append(seconds)
            found = {"rows": count, "digest": rows}
            if len(times) == 1 and seconds > SLOW:
                expected = min(expected, 3)
    finally:
        if child.is_alive():
            os.kill(child.pid, 9)  # the child started here, by its id
        child.join()
    return {"ms": statistics.median(times[1:] or times) * 1000, "runs": len(times) - 1, **found}


def remote(server: Any, text: str, repeat: int) -> dict[str, Any]:
    from kg.errors import KGError
    from kg.remote import run_query

    times: list[float] = []
    expected = repeat + 1
    try:
        while len(times) < expected:
            started = time.perf_counter()
            answer = [tuple(row) for row in run_query(server, text).results]
            times.append(time.perf_counter() - started)
            rows = rows_of(answer)
            if len(times) == 1 and times[0] > SLOW:
                expected = min(expected, 3)
    except KGError as error:
        message = str(error)
        if "no answer within" in message:
            return {"timeout": server.timeout}
        return {"error": message[:200]}
    return {"ms": statistics.median(times[1:]) * 1000, "rows": len(rows), "digest": digest(rows)}


@contextlib.contextmanager
def virtuoso(folder: Path, store_path: Path, bound: float) -> Iterator[Any]:
    from servers import VIRTUOSO, VIRTUOSO_PASSWORD, VIRTUOSO_USER, running_virtuoso

    from kg.remote import Server, push

    if VIRTUOSO is None:
        print("virtuoso-t is not installed (bash .ci/install-virtuoso.sh): Virtuoso left out")
        yield None
        return
    shutil.rmtree(folder, ignore_errors=True)
    with running_virtuoso(folder) as endpoint:
        server = Server(endpoint, user=VIRTUOSO_USER, password=VIRTUOSO_PASSWORD, timeout=600)
        store = GraphStore(store_path, read_only=True)
        summary = push(store, server)
        store.close()
        print(f"pushed {summary.triples:,} quads in {summary.graphs} graphs to Virtuoso in "
              f"{summary.seconds:.0f} s", flush=True)
        yield Server(endpoint, user=VIRTUOSO_USER, password=VIRTUOSO_PASSWORD, timeout=bound)
    shutil.rmtree(folder, ignore_errors=True)


def shown(result: dict[str, Any] | None) -> str:
    if result is None:
        return ""
    if "error" in result:
        return "error"
    if "timeout" in result:
        return f"> {result['timeout'] * 1000:,.0f}"
    return f"{result['ms']:,.0f}" if result["ms"] >= 10 else f"{result['ms']:.1f}"


def main() -> None:
    global _DATASET
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True,
                        help="folder that keeps the built stores between runs")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--base", type=Path, help="an existing store to repeat (not built)")
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--bound", type=float, default=60.0,
                        help="seconds after which a run is stopped")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--only", nargs="+", default=[], help="these named questions only")
    parser.add_argument("--fresh", action="store_true", help="make the stores again")
    parser.add_argument("--endpoint", help="the 'virtuoso' engine: a SPARQL server that "
                        "already holds DIR/store (kg push), instead of a new Virtuoso")
    args = parser.parse_args()
    args.cache = args.cache.resolve()  # Virtuoso runs in a folder of its own
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
          f"pyoxigraph {ox.__version__}")
    print("command: python " + " ".join(sys.argv), flush=True)
    base = base_store(args.cache, args.corpus, args.base, args.fresh)
    store_path = repeated_store(args.cache, base, args.triples, args.fresh)
    store = GraphStore(store_path, read_only=True)
    stats = store.stats()
    store.close()
    print(f"store: {stats.quads:,} quads, {stats.article_graphs:,} article graphs, "
          f"{stats.claims:,} claims, {stats.canonical_events:,} canonical events", flush=True)
    asked = cases(store_path, args.only)
    results: dict[str, dict[str, dict[str, Any]]] = {label(*case): {} for case in asked}
    if "oxigraph" in args.engines:
        for name, params in asked:
            got = results[label(name, params)]
            got["oxigraph"] = in_child(_oxigraph_runner, store_path, bind(name, params),
                                       args.repeat, args.bound)
            print(f"  oxigraph {label(name, params)}: {shown(got['oxigraph'])} ms", flush=True)
    if "virtuoso" in args.engines:
        from kg.remote import Server

        started_here = (virtuoso(args.cache / "virtuoso", store_path, args.bound)
                        if args.endpoint is None
                        else contextlib.nullcontext(Server(args.endpoint, timeout=args.bound)))
        with started_here as server:
            if server is not None:
                for name, params in asked:
                    got = results[label(name, params)]
                    got["virtuoso"] = remote(server, bind(name, params), args.repeat)
                    print(f"  virtuoso {label(name, params)}: {shown(got['virtuoso'])} ms",
                          flush=True)
    if "rdflib" in args.engines:
        from rdflib import Dataset

        started = time.perf_counter()
        _DATASET = Dataset(default_union=True)
        _DATASET.parse(nquads(args.cache, store_path), format="nquads")
        print(f"rdflib: loaded {len(_DATASET):,} quads in {time.perf_counter() - started:.0f} s",
              flush=True)
        for name, params in asked:
            got = results[label(name, params)]
            got["rdflib"] = in_child(_rdflib_runner, store_path, bind(name, params),
                                     args.repeat, args.bound)
            print(f"  rdflib {label(name, params)}: {shown(got['rdflib'])} ms", flush=True)
        _DATASET = None
    table(args.cache, store_path, asked, results, args.repeat)


def table(cache: Path, store_path: Path, asked: list[tuple[str, dict[str, str]]],
          results: dict[str, dict[str, dict[str, Any]]], repeat: int) -> None:
    """Print the table, with the figures of engines timed by earlier runs on the same store
    (kept in ``DIR/results.json``), so that engines can be timed one run at a time."""
    saved_file = cache / "results.json"
    stamp = _stamp(cache / "store.json")
    saved = _stamp(saved_file) or {}
    if saved.get("store") != stamp:
        saved = {"store": stamp, "results": {}}
    for name, got in results.items():
        saved["results"].setdefault(name, {}).update(got)
    saved_file.write_text(json.dumps(saved, indent=1), encoding="utf-8")
    merged = saved["results"]
    engines = [e for e in ENGINES if any(e in merged.get(label(*case), {}) for case in asked)]
    print(f"\nmedian ms of {repeat} runs after one to warm up (2 when the first took over "
          f"{SLOW:g} s); every term of every row read; rows compared with Oxigraph's\n")
    print("| question | rows | " + " | ".join(f"{e} ms" for e in engines) + " | same rows |")
    print("|---|---:|" + "---:|" * len(engines) + "---|")
    for name, params in asked:
        got = merged.get(label(name, params), {})
        reference = got.get("oxigraph", {})
        rows = reference.get("rows", next((r["rows"] for r in got.values() if "rows" in r), ""))
        compared = [e for e in engines if e != "oxigraph" and "digest" in got.get(e, {})
                    and "digest" in reference]
        differ = [e for e in compared if got[e]["digest"] != reference["digest"]]
        same = ("NO: " + ", ".join(differ)) if differ else ("yes" if compared else "")
        print(f"| `{label(name, params)}` | {rows} | "
              + " | ".join(shown(got.get(e)) for e in engines) + f" | {same} |")


if __name__ == "__main__":
    main()
