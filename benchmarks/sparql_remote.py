"""An external SPARQL server against the embedded store: ``kg push``, then every named question.

    python benchmarks/sparql_remote.py [--corpus FILE.jsonl | --store DIR] [--repeat N]
                                       [--endpoint URL --user U --password P]

Without ``--store`` the corpus (default MUC-4 dev, ``../shared/eval/muc4/dev.jsonl``) is
built into a temporary store first (validation off; not timed). Without ``--endpoint`` the
script starts Debian's Virtuoso 7 (``virtuoso-t``; ``bash .ci/install-virtuoso.sh``) on free
ports of 127.0.0.1 with a new database, as ``tests/test_virtuoso.py`` does, and stops it at the
end. It then times:

- the push: ``kg.remote.push`` of the whole store into the empty server (one Graph Store
  ``PUT`` of Turtle per named graph, Digest authentication), then ``--repeat`` pushes again
  over it (each replaces every graph), median;
- every named question with its default parameters (``events-near`` around the town with the
  most events, ``weapons-captured-from`` for the group that lost materiel most often): one run
  to warm up, then ``--repeat`` runs each in the embedded store (``GraphStore.query``, every
  term of every row read) and on the server (``kg.remote.run_query``: the HTTP request, the
  server's work and the reading of its SPARQL XML answer), median milliseconds, and whether
  the rows agree (compared in a common form made after the clock stops).

The figures depend on the machine (printed) and on what else runs on it.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "muc4" / "dev.jsonl"
sys.path.insert(0, str(ROOT / "tests"))  # tests/servers.py starts Virtuoso

from kg.queries import bind, list_queries  # noqa: E402
from kg.remote import Server, push, run_query  # noqa: E402
from kg.store import GraphStore  # noqa: E402

PREFIXES = """PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@contextlib.contextmanager
def server(args: argparse.Namespace, folder: Path) -> Iterator[Server]:
    if args.endpoint:
        yield Server(args.endpoint, user=args.user, password=args.password)
        return
    from servers import VIRTUOSO, VIRTUOSO_PASSWORD, VIRTUOSO_USER, running_virtuoso

    if VIRTUOSO is None:
        sys.exit("virtuoso-t is not installed: bash .ci/install-virtuoso.sh, or give --endpoint")
    started = time.perf_counter()
    with running_virtuoso(folder / "virtuoso") as endpoint:
        print(f"Virtuoso answered {time.perf_counter() - started:.1f} s after it was started")
        yield Server(endpoint, user=VIRTUOSO_USER, password=VIRTUOSO_PASSWORD)


def first(store: GraphStore, sparql: str, default: str) -> str:
    rows = list(store.query(PREFIXES + sparql))
    return rows[0][0].value if rows and rows[0][0] is not None else default


def cases(store: GraphStore) -> list[tuple[str, dict[str, str]]]:
    town = first(store, """SELECT ?label WHERE { ?e sem:hasPlace ?p .
        ?p ce:placeLevel "locality" ; rdfs:label ?label } GROUP BY ?label
        ORDER BY DESC(COUNT(*)) ?label LIMIT 1""", "Kaya")
    loser = first(store, """SELECT ?label WHERE { ?e ce:capturedFrom/rdfs:label ?label ;
        ce:materiel ?m } GROUP BY ?label ORDER BY DESC(COUNT(*)) ?label LIMIT 1""", "JNIM")
    chosen = {"events-near": {"place": town, "km": "100"},
              "weapons-captured-from": {"actor": loser}}
    return [(q.name, chosen.get(q.name, {})) for q in list_queries()]


def read(results) -> list[tuple]:
    """Every term of every row, in the variables' order: what is timed."""
    return [tuple(row) for row in results]


def rows_of(rows: list[tuple]) -> list[tuple]:
    """Rows in a form both engines agree on, made after the clock stops."""

    def cell(term) -> object:
        if term is None:
            return None
        try:
            return round(float(term.value), 6)
        except ValueError:  # GROUP_CONCAT lists in either order (SPARQL leaves it open)
            return ", ".join(sorted(term.value.split(", ")))

    return [tuple(cell(term) for term in row) for row in rows]


def timed(run, repeat: int) -> tuple[float, object]:
    result = run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--store", type=Path, help="an existing store (nothing is built)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--endpoint", help="an existing server's SPARQL endpoint")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="kg-sparql-remote-") as tmp:
        folder = Path(tmp)
        path = args.store
        if path is None:
            from kg import build

            path = folder / "store"
            print(f"building {args.corpus} ...", flush=True)
            build([args.corpus], GraphStore(path), validate=False)
        store = GraphStore(path, read_only=True)
        graphs, quads = len(store.graph_names()), len(store)
        with server(args, folder) as remote:
            summary = push(store, remote)
            again = [push(store, remote).seconds for _ in range(args.repeat)]
            print(f"\npush: {quads} quads in {graphs} named graphs to {summary.graph_store}")
            print(f"  into the empty server: {summary.seconds:.2f} s "
                  f"({quads / summary.seconds:,.0f} quads/s)")
            print(f"  again over it (replacing every graph), median of {args.repeat}: "
                  f"{statistics.median(again):.2f} s")
            print("\n| question | rows | embedded ms | server ms | same rows |")
            print("|---|---:|---:|---:|---|")
            for name, params in cases(store):
                text = bind(name, params)
                local_ms, local = timed(lambda t=text: read(store.query(t)), args.repeat)
                remote_ms, answer = timed(lambda t=text: read(run_query(remote, t).results),
                                          args.repeat)
                local, answer = rows_of(local), rows_of(answer)
                shown = name + "".join(f" {k}={v}" for k, v in params.items())
                same = "yes" if sorted(map(repr, answer)) == sorted(map(repr, local)) else "NO"
                print(f"| `{shown}` | {len(local)} | {local_ms:.0f} | {remote_ms:.0f} | {same} |",
                      flush=True)


if __name__ == "__main__":
    main()
