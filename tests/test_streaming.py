"""Articles flow from reading to loading in bounded batches; long bodies are parsed in pieces.

The NLP is replaced by a blank spaCy pipeline and a stub extractor, so these tests need no
statistical model: they check the plumbing of ``kg/build.py``, not what is extracted.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import json
from pathlib import Path

import pytest
import spacy

import kg.nlp.events
import kg.nlp.pipeline
from kg.records import Article, Extraction
from kg.store import GraphStore

build_module = importlib.import_module("kg.build")  # kg.build is also the function


@pytest.fixture()
def stub_nlp(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Article, str]]:
    """A blank English pipeline; the stub extractor records (article, parsed text)."""
    seen: list[tuple[Article, str]] = []
    nlp = spacy.blank("en")

    def extract_article(doc, article, reference) -> Extraction:
        seen.append((article, doc.text))
        return Extraction(article, ())

    monkeypatch.setattr(kg.nlp.pipeline, "load_pipeline", lambda name=None, **_: nlp)
    monkeypatch.setattr(kg.nlp.events, "extract_article", extract_article)
    monkeypatch.setattr(build_module, "resolve_extraction", lambda e, r, g: e)
    monkeypatch.setattr(build_module, "versions", lambda model=None: {
        "software": "test", "spacy": spacy.__version__, "model": "blank", "model_version": "0"
    })
    return seen


def test_body_pieces_cut_at_paragraphs_then_sentences_and_cover_the_text() -> None:
    paragraph = "Soldiers patrolled the road. Traders went to the market.\n\n"
    text = "date 2024-01-02 " + paragraph * 40
    pieces = build_module.body_pieces(text, 16, limit=500)
    assert pieces[0][0] == 16 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert all(end - start <= 500 for start, end in pieces)
    assert all(text[start:end].endswith("\n\n") for start, end in pieces[:-1])
    one_paragraph = "He spoke. " * 100
    cuts = build_module.body_pieces(one_paragraph, 0, limit=300)
    assert all(one_paragraph[s:e].endswith(". ") for s, e in cuts[:-1])
    no_spaces = "x" * 1000
    assert build_module.body_pieces(no_spaces, 0, limit=300) == [
        (0, 300), (300, 600), (600, 900), (900, 1000)
    ]


def test_long_bodies_are_parsed_in_pieces_with_their_own_offsets(stub_nlp) -> None:
    body = "Gunmen raided a village near Djibo.\n\n" * 100
    article = Article("long", "date 2024-03-21 " + body, body_start=16)
    short = Article("short", "Rebels shelled a town.")
    results = list(build_module.extract([article, short], piece_chars=1000))
    assert [r.article.doc_id for r in results] == ["long", "short"]
    assert results[0].article == article  # the record, not the piece's copy
    pieces = [(a, text) for a, text in stub_nlp if a.doc_id == "long"]
    assert len(pieces) == 4
    for piece, text in pieces:  # each piece's offset points at its text in Article.text
        assert article.text[piece.body_start : piece.body_start + len(text)] == text
    assert "".join(text for _, text in pieces) == body


def test_articles_are_pulled_as_they_are_needed(stub_nlp) -> None:
    pulled = []

    def articles():
        for number in range(200):
            pulled.append(number)
            yield Article(f"a{number}", "Militants attacked a convoy.")

    stream = build_module.extract(articles(), batch_size=8)
    next(stream)
    assert len(pulled) <= 16  # a batch or two, not the whole corpus
    assert sum(1 for _ in stream) == 199


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def phase(self, name: str, total: int | None = None) -> None:
        self.events.append(("phase", (name, total)))

    def advance(self, amount: int = 1) -> None:
        self.events.append(("advance", amount))

    def finish(self) -> None:
        self.events.append(("finish", None))


def test_a_build_reports_each_phase_and_loads_in_batches(
    stub_nlp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [{"doc_id": f"d{n}", "text": f"Report number {n}."} for n in range(10)]
    corpus.write_text(
        "\n".join(json.dumps(r) for r in rows) + '\n{"doc_id": "bad"}\n', encoding="utf-8"
    )
    monkeypatch.setattr(build_module, "PROVENANCE_BATCH", 4)
    writes = []
    original = GraphStore.add_to_graph

    def add_to_graph(self, graph) -> None:
        writes.append(len(graph))
        original(self, graph)

    monkeypatch.setattr(GraphStore, "add_to_graph", add_to_graph)
    recorder = Recorder()
    store = GraphStore(tmp_path / "store")
    summary = build_module.build([corpus], store, validate=False, progress=recorder)
    assert summary.articles_read == 10 and len(summary.skipped) == 1
    phases = [value for kind, value in recorder.events if kind == "phase"]
    assert phases == [
        ("loading the model", None), ("reading and parsing", 11), ("loading", 3),
        ("merging", None),
    ]
    reading = recorder.events.index(("phase", ("reading and parsing", 11)))
    loading = recorder.events.index(("phase", ("loading", 3)))
    assert recorder.events[reading + 1 : loading] == [("advance", 1)] * 11
    assert recorder.events[-1] == ("finish", None)
    assert len(writes) >= 3  # provenance went to the store in batches of four articles
    assert articles(store) == 10


def articles(store: GraphStore) -> int:
    query = "SELECT (COUNT(?a) AS ?n) { ?a a <https://w3id.org/conflict-kg/ontology#Article> }"
    return int(next(iter(store.query(query)))["n"].value)


def test_a_build_of_nothing_new_keeps_the_articles(stub_nlp, tmp_path: Path) -> None:
    file = tmp_path / "a.txt"
    file.write_text("Gunmen raided a village.", encoding="utf-8")
    store = GraphStore(tmp_path / "store")
    first = build_module.build([file], store, validate=False)
    again = build_module.build([file], store, validate=False)
    assert (first.replaced, again.replaced) == (0, 1)
    assert articles(store) == 1
    assert first.generation != again.generation == GraphStore.generation(tmp_path / "store")


def test_an_article_whose_graph_breaks_is_skipped_and_the_rest_built(
    stub_nlp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Report {name}.", encoding="utf-8")
    original = build_module.article_ntriples

    def article_ntriples(extraction, *args):
        if extraction.article.doc_id == "b":
            raise ValueError("no IRI for this")
        return original(extraction, *args)

    monkeypatch.setattr(build_module, "article_ntriples", article_ntriples)
    store = GraphStore(tmp_path / "store")
    summary = build_module.build([tmp_path], store, validate=False)
    assert summary.articles_read == 2 and articles(store) == 2
    [error] = summary.skipped
    expected = "cannot load its graph (ValueError: no IRI for this)"
    assert str(error) == f"{tmp_path / 'b.txt'}: {expected}"


def test_the_pieces_of_an_article_join_into_one_extraction() -> None:
    article = Article("long", "x" * 50)
    parts = [
        Extraction(dataclasses.replace(article, body_start=start), (), (f"uncoded {start}",))
        for start in (0, 20, 40)
    ]
    joined = build_module.join_pieces(article, parts)
    assert joined.article == article
    assert joined.uncoded == ("uncoded 0", "uncoded 20", "uncoded 40")
    assert build_module.join_pieces(article, parts[:1]).article == article
