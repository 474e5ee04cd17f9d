"""The embedded store: an on-disk Oxigraph database (SPARQL 1.1, named graphs).

rdflib builds graphs and feeds pySHACL; Oxigraph stores and answers queries, tens of times
faster than rdflib's in-memory SPARQL on the same data.

A store folder holds *generations*, each a complete Oxigraph database, and a pointer file that
names the current one::

    kg-store/
      generation           "000007": the current generation
      generations/000007/  the graph readers see
      generations/000006/  the one before, kept for readers that still have it open
      write.lock           held by the one process that may write

A build writes a new generation (a hard-linked copy of the current one, or an empty one for
``--clear``) and only then replaces the pointer file, with a rename, which is atomic: a build
that dies half-way, even by ``kill -9``, leaves the pointer, and so the graph, as it was.
Oxigraph's own transactions cover one load or one update, not the many of a build, so they
cannot give this. Readers notice a new graph by :meth:`GraphStore.generation`, a read of
a few bytes, and reopen. A folder written by an earlier version (the database files directly
in it) is still read, and becomes generation 1 on its next build.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.errors import QueryError, StoreError

try:  # POSIX; elsewhere Oxigraph's own lock on the database is the only guard
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

DEFAULT_STORE = Path("kg-store")
POINTER = "generation"
GENERATIONS = "generations"
WRITE_LOCK = "write.lock"
LEGACY_MARKER = "CURRENT"  # a RocksDB file: the database files sit directly in the folder
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True, slots=True)
class StoreStats:
    path: str
    quads: int
    named_graphs: int
    article_graphs: int
    claims: int
    canonical_events: int


def current_generation(path: str | Path) -> str | None:
    """The name of the graph readers of ``path`` should see, or None when none was built.

    It changes on every completed build and on nothing else, so a long-running reader (the
    ``kg serve`` process) compares it with the one it opened to know when to reopen.
    ``"legacy"`` names a store written before generations existed.
    """
    folder = Path(path)
    try:
        name = (folder / POINTER).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return "legacy" if (folder / LEGACY_MARKER).is_file() else None
    except NotADirectoryError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"{folder}: unreadable generation pointer ({error})") from None
    if not name.isdigit():
        raise StoreError(f"{folder / POINTER}: not a generation name: {name[:40]!r}")
    return name


def generation_folder(path: str | Path, name: str) -> Path:
    """The database folder of generation ``name`` of the store at ``path``."""
    return Path(path) if name == "legacy" else Path(path) / GENERATIONS / name


def current_folder(path: str | Path) -> Path | None:
    """The database folder readers should open (``pyoxigraph.Store.read_only``), or None."""
    name = current_generation(path)
    return None if name is None else generation_folder(path, name)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _point_to(path: Path, name: str) -> None:
    """Make ``name`` the current generation: write a new pointer file and rename it over the
    old one, so that a reader sees either the old or the new name, never half of one."""
    temporary = path / f".{POINTER}.{os.getpid()}"
    with temporary.open("w", encoding="ascii") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path / POINTER)
    _fsync_folder(path)


class GraphStore:
    """A thin wrapper that speaks rdflib graphs in and SPARQL results out.

    Opened for writing, it holds the store's write lock until it is closed or collected.
    :meth:`new_generation` is the atomic way to change the graph (``kg build`` uses it);
    the other writing methods change the current generation in place, for tests and tools
    that run while nothing reads the store.

    The database is opened when first used, read-only unless something writes: Oxigraph
    leaves a read-only open undefined while another process writes the same database, so a
    generation that readers may have open is never opened for writing by a build.
    """

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.generation_name: str | None = None
        self._lock: IO[bytes] | None = None
        self._store: ox.Store | None = None
        self._writable = False
        if self.path is None:
            self._store, self._writable = ox.Store(), True
            return
        if read_only:
            self.generation_name = current_generation(self.path)
            if self.generation_name is None:
                raise StoreError(f"{self.path}: no store here (run 'kg build' first)")
            self._db(write=False)  # a folder that holds no database is named now
            return
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: not a folder, cannot hold a store")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot create the store ({error.strerror})") from None
        self._lock = self._take_write_lock(self.path)
        self.generation_name = current_generation(self.path)
        if self.generation_name is None:  # a new store: an empty first generation
            with self.new_generation(empty=True):
                pass

    @property
    def oxigraph(self) -> ox.Store:
        """The Oxigraph database itself (writable unless the store was opened read-only)."""
        return self._db(write=not self.read_only)

    def _db(self, *, write: bool) -> ox.Store:
        if self._store is not None and (self._writable or not write):
            return self._store
        if write and self.read_only:
            raise StoreError(f"{self.path}: opened read-only, cannot write to it")
        assert self.path is not None and self.generation_name is not None
        self._store = None
        gc.collect()  # a read-only handle on the same folder closes first
        folder = generation_folder(self.path, self.generation_name)
        self._store, self._writable = self._open(folder, read_only=not write), write
        return self._store

    def _open(self, folder: Path, *, read_only: bool) -> ox.Store:
        try:
            if read_only:
                return ox.Store.read_only(str(folder))
            return ox.Store(str(folder))
        except (OSError, RuntimeError) as error:
            if "lock" in str(error).lower():
                raise self._locked() from error
            raise StoreError(f"{self.path}: cannot open the store ({error})") from error

    def _locked(self) -> StoreError:
        return StoreError(
            f"{self.path}: the store is open for writing by another process "
            "(a 'kg build' still running?); wait for it, or query read-only"
        )

    def _take_write_lock(self, folder: Path) -> IO[bytes] | None:
        if fcntl is None:  # pragma: no cover
            return None
        handle = (folder / WRITE_LOCK).open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise self._locked() from None
        return handle

    @staticmethod
    def generation(path: str | Path) -> str | None:
        """A token that changes when a build completes (see :func:`current_generation`)."""
        return current_generation(path)

    @contextlib.contextmanager
    def new_generation(self, *, empty: bool = False) -> Iterator[GraphStore]:
        """A store to change as one unit: readers see all of it once the block ends without
        an exception, and none of it otherwise.

        The new generation starts as a copy of the current one (hard links where the file
        system allows, so it costs little) or, with ``empty``, with nothing in it. On success
        it is closed, made current, and this object reads it from then on; the generation
        before is kept for readers that still have it open, older ones are removed. An
        in-memory store is changed in place (cleared first when ``empty``): it does not
        outlive the process anyway.
        """
        if self.path is None:
            if empty:
                self._db(write=True).clear()
            yield self
            return
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only, cannot build into it")
        generations = self.path / GENERATIONS
        generations.mkdir(exist_ok=True)
        taken = [int(p.name) for p in generations.iterdir() if p.name.isdigit()]
        name = f"{max(taken, default=0) + 1:06d}"
        folder = generations / name
        try:
            if not empty and self.generation_name is not None:
                if self._store is not None and self._writable:
                    self._store.flush()
                self._db(write=self._writable).backup(str(folder))
            target = GraphStore.__new__(GraphStore)
            target.path, target.read_only, target.generation_name = self.path, False, name
            target._lock, target._writable = None, True
            target._store = ox.Store(str(folder))
        except (OSError, RuntimeError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise StoreError(f"{self.path}: cannot start a new generation ({error})") from None
        try:
            yield target
            target.flush()
        except BaseException:
            target._store = None  # the caller may still hold ``target``
            gc.collect()  # close the database before its folder goes
            shutil.rmtree(folder, ignore_errors=True)
            raise
        target._store = None  # closed before readers can see it: no writer shares it
        self._store, self._writable = None, False
        gc.collect()
        _point_to(self.path, name)
        previous, self.generation_name = self.generation_name, name
        self._remove_generations(keep={name, previous or ""})

    def _remove_generations(self, keep: set[str]) -> None:
        """Old generations (and generations of builds that died) go; ``keep`` stays."""
        assert self.path is not None
        for folder in (self.path / GENERATIONS).iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
        if "legacy" in keep or not (self.path / LEGACY_MARKER).exists():
            return
        for item in self.path.iterdir():  # the database files of a pre-generation store
            if item.name not in {POINTER, GENERATIONS, WRITE_LOCK}:
                if item.is_dir():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the database and release the write lock (collection does it too)."""
        self._store = None if self.path is not None else self._store
        gc.collect()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def replace_graph(self, graph: Graph) -> None:
        """Put ``graph`` in the store as the named graph of the same identifier."""
        name = ox.NamedNode(str(graph.identifier))
        data = graph.serialize(format="nt", encoding="utf-8")
        store = self._db(write=True)
        if store.contains_named_graph(name):
            store.clear_graph(name)
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=name)

    def add_to_graph(self, graph: Graph) -> None:
        name = ox.NamedNode(str(graph.identifier))
        self._db(write=True).load(
            graph.serialize(format="nt", encoding="utf-8"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=name,
        )

    def remove_graphs(self, names: Iterable[str]) -> None:
        store = self._db(write=True)
        for name in names:
            node = ox.NamedNode(name)
            if store.contains_named_graph(node):
                store.remove_graph(node)

    def has_graph(self, name: str) -> bool:
        return self._db(write=False).contains_named_graph(ox.NamedNode(name))

    def graph_names(self) -> list[str]:
        graphs = self._db(write=False).named_graphs()
        return sorted(g.value for g in graphs if isinstance(g, ox.NamedNode))

    def query(self, sparql: str, *, substitutions: dict[str, Term] | None = None):
        """Run SPARQL over the union of all graphs (GRAPH clauses still see each graph)."""
        subs: dict[ox.Variable, Term] | None = {
            ox.Variable(k): v for k, v in (substitutions or {}).items()
        } or None
        try:
            return self._db(write=False).query(
                sparql, use_default_graph_as_union=True, substitutions=subs
            )
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from error
        except OSError as error:
            raise QueryError(f"the query failed: {error}") from error

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
        output = io.BytesIO()
        if graph is None:
            self._db(write=False).dump(output, format=fmt)
        else:
            self._db(write=False).dump(output, format=fmt, from_graph=ox.NamedNode(graph))
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
        for quad in self._db(write=False).quads_for_pattern(None, None, None, None):
            out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
        return out.getvalue()

    def __len__(self) -> int:
        return len(self._db(write=False))

    def stats(self) -> StoreStats:
        def count(sparql: str) -> int:
            rows = list(self.query(sparql))
            return int(rows[0][0].value) if rows else 0

        prefix = "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
        names = self.graph_names()
        return StoreStats(
            path=str(self.path) if self.path else ":memory:",
            quads=len(self._db(write=False)),
            named_graphs=len(names),
            article_graphs=sum(1 for n in names if "/graph/article/" in n),
            claims=count(prefix + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a ce:EventClaim }"),
            canonical_events=count(
                prefix + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a ce:CanonicalEvent }"
            ),
        )

    def flush(self) -> None:
        if self.path is not None and self._store is not None and self._writable:
            self._store.flush()
