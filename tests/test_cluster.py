"""Extraction in several processes and on a Dask cluster gives the graph of one process.

The per-article work (parsing, extraction, resolution, the article's graph) runs wherever
``kg.build`` sends it: this process, ``--jobs N`` worker processes, or the workers of a Dask
cluster (``--scheduler``). The driver loads, merges and validates, so the stored graph must
not depend on where the articles were read; each test compares it graph by graph, up to
blank-node names, with a build in one process.
"""

from __future__ import annotations

import importlib
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import spacy
from conftest import ROOT, SAMPLES
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic
from typer.testing import CliRunner

from kg.cli import app
from kg.records import Article, Extraction
from kg.store import GraphStore

build_module = importlib.import_module("kg.build")  # kg.build is also the function
WIRE = ROOT / "tests" / "data" / "wire"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two sample reports and a few short wire reports, one of them in capitals and one
    line without a text (skipped, in its place, however the work is shared out)."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SAMPLES, folder / "samples")
    shutil.copytree(WIRE, folder / "wire")
    return folder


@pytest.fixture(scope="module")
def one_process(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """The store of a build in this process, and what that build skipped."""
    store = GraphStore(tmp_path_factory.mktemp("one") / "store")
    summary = build_module.build([corpus], store)
    assert summary.articles_read == 7 and len(summary.skipped) == 1
    return GraphStore(store.path, read_only=True), [str(e) for e in summary.skipped]


def named_graphs(store: GraphStore) -> dict[str, Graph]:
    return {
        name: Graph().parse(data=store.dump(ox.RdfFormat.N_TRIPLES, name), format="nt")
        for name in store.graph_names()
    }


def assert_same_graphs(expected: GraphStore, actual: GraphStore) -> None:
    left, right = named_graphs(expected), named_graphs(actual)
    assert sorted(left) == sorted(right)
    for name in left:
        a, b = to_isomorphic(left[name]), to_isomorphic(right[name])
        if a == b:
            continue
        _, only_expected, only_actual = graph_diff(a, b)
        lines = [f"- {t}" for t in sorted(only_expected.serialize(format="nt").splitlines())[:20]]
        lines += [f"+ {t}" for t in sorted(only_actual.serialize(format="nt").splitlines())[:20]]
        pytest.fail(f"graph {name} differs:\n" + "\n".join(lines))


# -- without the statistical model: the plumbing ------------------------------------------
@pytest.fixture()
def stub_nlp(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blank pipeline and an extractor that records what it read in the extraction; worker
    processes are forked, so they see the same stubs."""
    nlp = spacy.blank("en")

    def extract_article(doc, article, reference) -> Extraction:
        return Extraction(article, (), (f"{article.body_start}:{doc.text[:12]}",), (), (pid(),))

    monkeypatch.setattr(
        importlib.import_module("kg.nlp.pipeline"), "load_pipeline", lambda name=None, **_: nlp
    )
    monkeypatch.setattr(
        importlib.import_module("kg.nlp.events"), "extract_article", extract_article
    )
    monkeypatch.setattr(build_module, "resolve_extraction", lambda e, r, g: e)


def test_worker_processes_return_every_article_in_order(stub_nlp) -> None:
    body = "Gunmen raided a village near Djibo.\n\n" * 60
    articles = [Article(f"a{n}", f"Report {n}: rebels shelled a town.") for n in range(37)]
    articles[5] = Article("long", "date 2024-03-21 " + body, body_start=16)
    alone = list(build_module.extract(articles, batch_size=4, piece_chars=500))
    shared = list(build_module.extract(articles, batch_size=4, piece_chars=500, n_process=2))
    assert [r.article.doc_id for r in shared] == [a.doc_id for a in articles]
    assert [r.uncoded for r in shared] == [r.uncoded for r in alone]
    assert len(shared[5].uncoded) > 1  # the long body went to one worker, in pieces
    workers = {name for r in shared for name in r.place_names}
    assert len(workers) == 2 and str(os.getpid()) not in workers


def pid() -> str:
    return str(os.getpid())


def test_the_pipeline_pickles_without_its_truecaser() -> None:
    """The truecasing tokenizer keeps no closure: a pipeline can be sent to another process
    (spaCy's ``n_process``, a spawned worker) and truecases there as here."""
    from kg.nlp.pipeline import EnglishWords, LazyTruecaser, NormalisingTokenizer
    from kg.nlp.textnorm import Truecaser
    from kg.reference import load_reference

    words = EnglishWords(["shot", "in", "the", "were", "fired", "night"])
    truecaser = LazyTruecaser(words, load_reference())
    truecaser._built = Truecaser(words, ["Santa Tecla"], ["fmln"])
    tokenizer = NormalisingTokenizer(spacy.blank("en").tokenizer, truecaser)
    copy = pickle.loads(pickle.dumps(tokenizer))
    assert copy._truecaser._built is None  # made again where it is used
    copy._truecaser._built = Truecaser(words, ["Santa Tecla"], ["fmln"])
    text = "SHOTS WERE FIRED IN SANTA TECLA IN THE NIGHT"
    assert copy(text).text == tokenizer(text).text and "Santa Tecla" in copy(text).text
    assert copy.rules == tokenizer.rules  # the wrapped tokenizer's own, forwarded


# -- with the model ----------------------------------------------------------------------
@pytest.mark.model
def test_the_loaded_pipeline_pickles_and_parses_the_same() -> None:
    from kg.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    copy = pickle.loads(pickle.dumps(nlp))
    text = "GUERRILLAS OF THE FMLN DYNAMITED A POWER PYLON IN SANTA TECLA TODAY."
    one, other = nlp(text), copy(text)
    assert [(e.text, e.label_) for e in one.ents] == [(e.text, e.label_) for e in other.ents]
    assert [t.dep_ for t in one] == [t.dep_ for t in other]


@pytest.mark.model
def test_two_jobs_build_the_graph_of_one(
    corpus: Path, one_process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected, skipped = one_process
    monkeypatch.setattr(build_module, "CHUNK_ARTICLES", 2)  # four chunks: both workers read
    store = GraphStore(tmp_path / "store")
    summary = build_module.build([corpus], store, n_process=2)
    assert summary.articles_read == 7 and [str(e) for e in summary.skipped] == skipped
    assert summary.report is not None and summary.report.conforms
    assert_same_graphs(expected, GraphStore(store.path, read_only=True))


@pytest.mark.model
@pytest.mark.slow
def test_a_dask_cluster_builds_the_graph_of_one_process(
    corpus: Path, one_process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(build_module, "CHUNK_ARTICLES", 2)  # four chunks: both workers read
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as cluster:
        store = tmp_path / "store"
        result = CliRunner().invoke(
            app,
            ["build", str(corpus), "--store", str(store), "--scheduler", cluster.scheduler_address],
        )
        with distributed.Client(cluster) as client:
            parsed = client.run(lambda: "kg.nlp.events" in sys.modules)
    assert list(parsed.values()) == [True, True]
    assert result.exit_code == 0, result.output
    assert "articles read: 7, skipped: 1" in result.output
    assert_same_graphs(one_process[0], GraphStore(store, read_only=True))


def test_an_unreachable_scheduler_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(build_module, "DASK_TIMEOUT", "1s")
    monkeypatch.setattr(
        build_module,
        "versions",
        lambda model=None: {
            "software": "test",
            "spacy": spacy.__version__,
            "model": "blank",
            "model_version": "0",
        },
    )
    result = CliRunner().invoke(
        app,
        ["build", str(SAMPLES), "--store", str(tmp_path / "s"), "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler" in result.output


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_build_and_free_the_store(corpus: Path, tmp_path: Path) -> None:
    """The workers inherit the store's lock file: a ``kg build --jobs 2`` killed with -9
    must not leave them behind holding it, or no build could write the store again."""
    store = tmp_path / "store"
    command = [sys.executable, "-m", "kg.cli", "build", str(corpus), "--store", str(store)]
    build = subprocess.Popen([*command, "--jobs", "2"], stdout=subprocess.DEVNULL)
    children = Path(f"/proc/{build.pid}/task/{build.pid}/children")
    deadline = time.monotonic() + 120
    workers: list[str] = []
    while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.2)
        workers = children.read_text().split() if children.exists() else []
    assert len(workers) >= 2, "the build never started its workers"
    build.kill()
    build.wait()
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    again = subprocess.run([*command, "--no-validate"], capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()
