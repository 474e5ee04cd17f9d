"""The embedded store: an on-disk Oxigraph database (SPARQL 1.1, named graphs).

rdflib builds graphs and feeds pySHACL; Oxigraph stores and answers queries, tens of times
faster than rdflib's in-memory SPARQL on the same data.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.errors import QueryError, StoreError

DEFAULT_STORE = Path("kg-store")
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True, slots=True)
class StoreStats:
    path: str
    quads: int
    named_graphs: int
    article_graphs: int
    claims: int
    canonical_events: int


class GraphStore:
    """A thin wrapper that speaks rdflib graphs in and SPARQL results out."""

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreError(f"{self.path}: no store here (run 'kg build' first)")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except (OSError, RuntimeError) as error:
            if "lock" in str(error).lower():
                raise StoreError(
                    f"{self.path}: the store is open for writing by another process "
                    "(a 'kg build' still running?); wait for it, or query read-only"
                ) from error
            raise StoreError(f"{self.path}: cannot open the store ({error})") from error

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def replace_graph(self, graph: Graph) -> None:
        """Put ``graph`` in the store as the named graph of the same identifier."""
        name = ox.NamedNode(str(graph.identifier))
        data = graph.serialize(format="nt", encoding="utf-8")
        if self._store.contains_named_graph(name):
            self._store.clear_graph(name)
        self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=name)

    def add_to_graph(self, graph: Graph) -> None:
        name = ox.NamedNode(str(graph.identifier))
        self._store.load(
            graph.serialize(format="nt", encoding="utf-8"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=name,
        )

    def remove_graphs(self, names: Iterable[str]) -> None:
        for name in names:
            node = ox.NamedNode(name)
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, sparql: str, *, substitutions: dict[str, Term] | None = None):
        """Run SPARQL over the union of all graphs (GRAPH clauses still see each graph)."""
        subs: dict[ox.Variable, Term] | None = {
            ox.Variable(k): v for k, v in (substitutions or {}).items()
        } or None
        try:
            return self._store.query(sparql, use_default_graph_as_union=True, substitutions=subs)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from error
        except OSError as error:
            raise QueryError(f"the query failed: {error}") from error

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        output = io.BytesIO()
        if graph is None:
            self._store.dump(output, format=fmt)
        else:
            self._store.dump(output, format=fmt, from_graph=ox.NamedNode(graph))
        return output.getvalue()

    def to_dataset(self) -> Dataset:
        dataset = Dataset()
        dataset.parse(data=self.dump(ox.RdfFormat.N_QUADS), format="nquads")
        return dataset

    def union_graph(self) -> Graph:
        """Every triple of every named graph as one rdflib graph (for pySHACL)."""
        graph = Graph()
        graph.parse(data=self._dump_triples(), format="nt")
        return graph

    def _dump_triples(self) -> bytes:
        out = io.BytesIO()
        for quad in self._store.quads_for_pattern(None, None, None, None):
            out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
        return out.getvalue()

    def __len__(self) -> int:
        return len(self._store)

    def stats(self) -> StoreStats:
        def count(sparql: str) -> int:
            rows = list(self.query(sparql))
            return int(rows[0][0].value) if rows else 0

        prefix = "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
        names = self.graph_names()
        return StoreStats(
            path=str(self.path) if self.path else ":memory:",
            quads=len(self._store),
            named_graphs=len(names),
            article_graphs=sum(1 for n in names if "/graph/article/" in n),
            claims=count(prefix + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a ce:EventClaim }"),
            canonical_events=count(
                prefix + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a ce:CanonicalEvent }"
            ),
        )

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()
