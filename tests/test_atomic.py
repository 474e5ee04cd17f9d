"""Builds are all or nothing: a failed or killed build leaves the graph as it was.

The store keeps generations and a pointer file (see ``kg/store.py``); the tests here change
stores directly (no model needed), make builds fail at chosen points, and kill ``kg build``
subprocesses with SIGKILL at random moments.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SAMPLES

import kg.store
from kg.errors import StoreError
from kg.store import GraphStore, current_folder, current_generation

build_module = importlib.import_module("kg.build")  # kg.build is also the function
FACT = "INSERT DATA {{ GRAPH <urn:test:g> {{ <urn:test:s> <urn:test:p> {value} }} }}"


def quads(path: Path) -> set[str]:
    """The graph of a store as a set of N-Quads lines (the builds make no blank nodes)."""
    store = GraphStore(path, read_only=True)
    return set(store.dump(ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


def values(store: GraphStore) -> list[str]:
    return sorted(r["o"].value for r in store.query("SELECT ?o { ?s <urn:test:p> ?o }"))


def test_a_new_store_starts_with_an_empty_generation(tmp_path: Path) -> None:
    path = tmp_path / "store"
    assert current_generation(path) is None
    store = GraphStore(path)
    assert current_generation(path) == store.generation_name == "000001"
    assert len(store) == 0 and current_folder(path) == path / "generations" / "000001"


def test_a_completed_generation_replaces_the_graph_and_changes_the_token(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = GraphStore(path)
    store.oxigraph.update(FACT.format(value=1))
    before = GraphStore.generation(path)
    with store.new_generation() as target:
        target.oxigraph.update(FACT.format(value=2))
        assert GraphStore.generation(path) == before  # readers still see the old graph
        assert values(GraphStore(path, read_only=True)) == ["1"]
    after = GraphStore.generation(path)
    assert after != before
    assert values(store) == ["1", "2"] and values(GraphStore(path, read_only=True)) == ["1", "2"]


def test_a_failed_generation_leaves_the_graph_and_no_folder(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = GraphStore(path)
    store.oxigraph.update(FACT.format(value=1))
    before = GraphStore.generation(path)
    with pytest.raises(RuntimeError), store.new_generation(empty=True) as target:
        target.oxigraph.update(FACT.format(value=2))
        raise RuntimeError("the build broke")
    assert GraphStore.generation(path) == before
    assert values(store) == ["1"] and values(GraphStore(path, read_only=True)) == ["1"]
    assert sorted(p.name for p in (path / "generations").iterdir()) == [before]


def test_a_crash_before_the_pointer_moves_keeps_the_old_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store"
    store = GraphStore(path)
    store.oxigraph.update(FACT.format(value=1))
    before = GraphStore.generation(path)

    def die(folder: Path, name: str) -> None:
        raise OSError("the disk went away")

    monkeypatch.setattr(kg.store, "_point_to", die)
    with pytest.raises(OSError), store.new_generation(empty=True):
        pass
    monkeypatch.undo()
    store.close()
    assert GraphStore.generation(path) == before and values(GraphStore(path)) == ["1"]


def test_old_generations_go_but_the_previous_one_stays(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = GraphStore(path)
    names = [store.generation_name]
    for value in range(3):
        with store.new_generation() as target:
            target.oxigraph.update(FACT.format(value=value))
        names.append(store.generation_name)
    assert len(set(names)) == 4
    assert sorted(p.name for p in (path / "generations").iterdir()) == sorted(names[-2:])


def test_one_writer_at_a_time_and_readers_alongside(tmp_path: Path) -> None:
    path = tmp_path / "store"
    writer = GraphStore(path)
    with pytest.raises(StoreError, match="open for writing by another process"):
        GraphStore(path)
    reader = GraphStore(path, read_only=True)
    assert len(reader) == 0
    with pytest.raises(StoreError, match="read-only"), reader.new_generation():
        pass
    writer.close()
    GraphStore(path).close()  # the lock went with the writer


def test_a_store_written_before_generations_is_read_then_converted(tmp_path: Path) -> None:
    path = tmp_path / "old"
    legacy = ox.Store(str(path))  # what earlier versions wrote: the database in the folder
    legacy.update(FACT.format(value=1))
    legacy.flush()
    del legacy
    assert current_generation(path) == "legacy"
    assert values(GraphStore(path, read_only=True)) == ["1"]
    store = GraphStore(path)
    with store.new_generation() as target:
        target.oxigraph.update(FACT.format(value=2))
    assert values(GraphStore(path, read_only=True)) == ["1", "2"]
    with store.new_generation():
        pass
    assert sorted(p.name for p in path.iterdir()) == ["generation", "generations", "write.lock"]
    assert values(GraphStore(path, read_only=True)) == ["1", "2"]


def test_a_file_in_place_of_the_store_is_a_store_error(tmp_path: Path) -> None:
    file = tmp_path / "store"
    file.write_text("not a store")
    with pytest.raises(StoreError, match="not a folder"):
        GraphStore(file)


def test_reading_a_folder_without_a_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here"):
        GraphStore(tmp_path, read_only=True)


# -- whole builds (they need the spaCy model) -----------------------------------------------
@pytest.mark.model
def test_a_failing_clear_build_leaves_the_previous_graph(
    seed_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--clear`` used to empty the store first: a build that failed left nothing."""
    path = seed_store.path
    assert path is not None
    before = quads(path)

    def broken_merge(store: GraphStore, *, fresh: bool = False) -> int:
        raise RuntimeError("merge failed")

    monkeypatch.setattr(build_module, "recompute_canonical", broken_merge)
    with pytest.raises(RuntimeError, match="merge failed"):
        build_module.build([SAMPLES / "000_69087c4d98a395b5.txt"], seed_store, clear=True)
    assert quads(path) == before
    assert build_module.validate_store(GraphStore(path, read_only=True)).conforms


def _kg_build(store: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "kg.cli", "build", "--store", str(store), *args]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.model
@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_the_old_or_the_new_graph(tmp_path: Path) -> None:
    """SIGKILL a ``kg build --clear`` of both samples into a store that holds one of them;
    each time the store must open, validate, and hold exactly the old or the new graph."""
    old_store = tmp_path / "old"
    one = str(SAMPLES / "000_69087c4d98a395b5.txt")
    assert _kg_build(old_store, one, "--no-validate").wait(timeout=300) == 0
    old = quads(old_store)
    new_store = tmp_path / "new"
    shutil.copytree(old_store, new_store)
    started = time.monotonic()
    assert _kg_build(new_store, str(SAMPLES), "--clear", "--no-validate").wait(300) == 0
    duration = time.monotonic() - started
    new = quads(new_store)
    assert old != new
    chance = random.Random(14)
    outcomes = []
    for attempt in range(3):
        store = tmp_path / f"killed-{attempt}"
        shutil.copytree(old_store, store)
        process = _kg_build(store, str(SAMPLES), "--clear", "--no-validate")
        # the first seconds load the model; the graph is written in the last part
        delay = duration * chance.uniform(0.5, 1.05)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        found = quads(store)
        assert found in (old, new), f"kill after {delay:.1f} s left a third graph"
        assert build_module.validate_store(GraphStore(store, read_only=True)).conforms
        outcomes.append("new" if found == new else "old")
    # a killed build leaves no lock and nothing in the way of the next one
    again = _kg_build(store, str(SAMPLES), "--clear", "--no-validate")
    assert again.wait(timeout=300) == 0 and quads(store) == new
    print("outcomes:", outcomes)
