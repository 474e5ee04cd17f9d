"""The command line in-process: exit codes and messages (0 ok, 1 not conforming, 2 bad input)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.store import GraphStore

runner = CliRunner()

CAPTURES = """PREFIX ce: <https://w3id.org/conflict-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?capturer ?origin (COUNT(DISTINCT ?model) AS ?models) WHERE {
  ?event a ce:CanonicalEvent ; ce:capturedBy/rdfs:label ?capturer ; ce:materiel ?lot .
  ?lot ce:weaponModel ?model ; ce:originCountry/rdfs:label ?origin .
} GROUP BY ?capturer ?origin ORDER BY ?origin
"""


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_missing_input_is_exit_2_with_a_one_line_error(tmp_path: Path) -> None:
    result = invoke("build", str(tmp_path / "nope"), "--store", str(tmp_path / "s"))
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'nope'}: no such file or folder"


def test_query_on_missing_store_is_exit_2(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT * { ?s ?p ?o }")
    result = invoke("query", str(query), "--store", str(tmp_path / "none"))
    assert result.exit_code == 2 and "no store here" in result.output


def test_unknown_export_format_is_exit_2(seed_store_path: Path, tmp_path: Path) -> None:
    result = invoke(
        "export", "--store", str(seed_store_path), "--format", "pdf", "-o", str(tmp_path / "x")
    )
    assert result.exit_code == 2 and "unknown export format 'pdf'" in result.output


@pytest.mark.model
def test_build_prints_a_summary_and_exits_0(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    result = invoke("build", str(samples), "--store", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    assert "articles read: 2, skipped: 0" in result.output
    assert "canonical events: 2" in result.output
    assert "conforms: yes" in result.output


@pytest.mark.model
def test_malformed_jsonl_line_is_named_and_the_rest_built(tmp_path: Path) -> None:
    file = tmp_path / "in.jsonl"
    file.write_text(
        '{"doc_id": "a", "text": "Gunmen attacked a bus near Djibo, Burkina Faso."}\n'
        '{"doc_id": "b", "text": 12}\n',
        encoding="utf-8",
    )
    result = invoke("build", str(file), "--store", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    assert f"skipped: {file}:2: field 'text': missing or empty article text" in result.output
    strict = invoke("build", str(file), "--store", str(tmp_path / "s2"), "--strict")
    assert strict.exit_code == 2


@pytest.mark.model
def test_validate_exits_0_then_1_after_the_graph_is_broken(
    seed_store_path: Path, tmp_path: Path
) -> None:
    path = str(tmp_path / "store")
    shutil.copytree(seed_store_path, path)
    ok = invoke("validate", "--store", path)
    assert ok.exit_code == 0 and "conforms: yes" in ok.output
    seed_store = GraphStore(path)
    seed_store.oxigraph.update(
        "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
        "INSERT { GRAPH <urn:x:broken> { ?e ce:geoPrecision 9 } } "
        "WHERE { GRAPH ?g { ?e a ce:CanonicalEvent } }"
    )
    seed_store.flush()
    del seed_store
    broken = invoke("validate", "--store", path)
    assert broken.exit_code == 1, broken.output
    assert "Violation" in broken.output and "geoPrecision" in broken.output
    as_json = invoke("validate", "--store", path, "--format", "json")
    assert as_json.exit_code == 1 and json.loads(as_json.output)["conforms"] is False


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_formats(seed_store_path: Path, tmp_path: Path, fmt: str) -> None:
    query = tmp_path / "captures.rq"
    query.write_text(CAPTURES, encoding="utf-8")
    result = invoke("query", "--store", str(seed_store_path), "--format", fmt, str(query))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = json.loads(result.output)
        assert [(r["origin"], r["models"]) for r in rows] == [
            ("Bulgaria", "1"),
            ("China", "1"),
            ("Serbia", "2"),
        ]
        assert {r["capturer"] for r in rows} == {"Islamic State Sahel Province"}
    elif fmt == "csv":
        assert result.output.splitlines()[0] == "capturer,origin,models"
        assert "Islamic State Sahel Province,Serbia,2" in result.output
    else:
        assert "(3 rows)" in result.output


@pytest.mark.model
def test_query_syntax_error_is_exit_2(seed_store_path: Path, tmp_path: Path) -> None:
    query = tmp_path / "bad.rq"
    query.write_text("SELEC ?x WHERE { }")
    result = invoke("query", "--store", str(seed_store_path), str(query))
    assert result.exit_code == 2 and "SPARQL syntax error" in result.output


@pytest.mark.model
def test_export_events_jsonl_and_claims(seed_store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    result = invoke(
        "export", "--store", str(seed_store_path), "--format", "events-jsonl", "-o", str(out)
    )
    assert result.exit_code == 0 and "2 records" in result.output
    claims = tmp_path / "c.jsonl"
    result = invoke(
        "export",
        "--store",
        str(seed_store_path),
        "-f",
        "events-jsonl",
        "--claims",
        "-o",
        str(claims),
    )
    assert result.exit_code == 0 and "4 records" in result.output
    assert all(json.loads(line)["sources"] for line in claims.read_text().splitlines())


@pytest.mark.model
def test_info_reports_versions_and_store(seed_store_path: Path) -> None:
    result = invoke("info", "--store", str(seed_store_path))
    assert result.exit_code == 0
    assert "conflict-kg 0.1.0" in result.output and "ontology 0.1.0" in result.output
    assert "articles: 2 read (2 with event claims, 0 without)" in result.output
    assert "event claims: 4, canonical events: 2" in result.output
    assert "dates (canonical events): 2024-03-21 to 2024-03-21" in result.output
    assert "countries (canonical events): Burkina Faso 2" in result.output


def test_store_copy_is_independent(seed_store_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "c"
    shutil.copytree(seed_store_path, copy)
    assert GraphStore(copy, read_only=True).stats().claims == 4


def test_build_without_paths_needs_rebuild(tmp_path: Path) -> None:
    result = invoke("build", "--store", str(tmp_path / "s"))
    assert result.exit_code == 2 and "give article files or folders" in result.output


@pytest.mark.model
def test_rebuild_alone_re_merges_the_stored_claims(seed_store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(seed_store_path, path)
    result = invoke("build", "--rebuild", "--store", str(path))
    assert result.exit_code == 0, result.output
    assert "articles read: 0" in result.output and "canonical events: 2" in result.output


def test_a_bad_path_makes_no_store_folder(tmp_path: Path) -> None:
    store = tmp_path / "s"
    result = invoke("build", str(tmp_path / "nope"), "--store", str(store))
    assert result.exit_code == 2 and not store.exists()
    result = invoke("build", "--store", str(store))
    assert result.exit_code == 2 and not store.exists()


def _tiny_store(path: Path) -> Path:
    store = GraphStore(path)
    store.oxigraph.update("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 } }")
    store.close()
    return path


def test_export_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    store = _tiny_store(tmp_path / "store")
    target = tmp_path / "no" / "such" / "out.nq"
    result = invoke("export", "--store", str(store), "-f", "nquads", "-o", str(target))
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"Error: {target}: no such folder to write into: {target.parent}"
    )
    ok = invoke("export", "--store", str(store), "-f", "nquads", "-o", str(tmp_path / "o.nq"))
    assert ok.exit_code == 0 and (tmp_path / "o.nq").read_text().count("\n") == 1


def test_export_onto_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    store = _tiny_store(tmp_path / "store")
    result = invoke("export", "--store", str(store), "-f", "nquads", "-o", str(tmp_path))
    assert result.exit_code == 2 and "cannot write the file" in result.output


def test_build_while_another_build_writes_is_exit_2(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")  # holds the write lock, as a running build does
    file = tmp_path / "a.txt"
    file.write_text("Gunmen raided a village.", encoding="utf-8")
    result = invoke("build", str(file), "--store", str(tmp_path / "store"))
    assert result.exit_code == 2 and "open for writing by another process" in result.output
    store.close()


def test_build_progress_draws_each_phase_with_counts() -> None:
    import io

    from rich.console import Console

    from kg.cli import BuildProgress

    out = io.StringIO()
    progress = BuildProgress(Console(file=out, force_terminal=True, width=120))
    progress.phase("reading and parsing")
    for _ in range(3):
        progress.advance()
    progress.phase("loading", total=3)
    progress.advance(3)
    progress.phase("merging")
    progress.finish()
    text = out.getvalue()
    assert "reading and parsing" in text and "3 articles" in text and "/s" in text
    assert "3/3 graphs" in text and "merging" in text
