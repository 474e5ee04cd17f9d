"""Random input into the readers: never an exception, only articles or errors that name the
file (and, for JSONL, the line). Bounded so that the whole module runs in seconds."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import iter_articles
from kg.records import Article

FUZZ = settings(
    max_examples=50, deadline=2000, suppress_health_check=[HealthCheck.too_slow]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=3),
    max_leaves=8,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "doc_id": json_values | st.text(max_size=20),
        "id": json_values,
        "text": st.text(max_size=200) | json_values,
        "published": st.text(max_size=20) | json_values,
        "title": json_values,
        "source": json_values,
        "url": json_values,
    },
)


def read(name: str, data: bytes) -> tuple[Path, list[Article | InputError]]:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / name
        file.write_bytes(data)
        return file, list(iter_articles([file]))


def check(file: Path, results: list[Article | InputError], *, lines: bool = False) -> None:
    for result in results:
        if isinstance(result, Article):
            assert result.text.strip() and result.doc_id
            assert 0 <= result.body_start <= len(result.text)
            continue
        assert isinstance(result, InputError), result
        assert result.path == str(file) or result.path.startswith(f"{file}:")
        assert str(result).startswith(str(file))
        if lines and "duplicate" not in result.reason:
            assert result.line is not None and result.line >= 1


@FUZZ
@given(st.binary(max_size=400))
def test_text_files_of_random_bytes(data: bytes) -> None:
    file, results = read("a.txt", data)
    assert len(results) == 1
    check(file, results)


@FUZZ
@given(st.text(max_size=400))
def test_text_files_of_random_text(text: str) -> None:
    file, results = read("a.txt", text.encode("utf-8", "surrogatepass"))
    assert len(results) == 1
    check(file, results)


@FUZZ
@given(st.binary(max_size=400))
def test_jsonl_files_of_random_bytes(data: bytes) -> None:
    file, results = read("a.jsonl", data)
    check(file, results, lines=True)


@FUZZ
@given(st.lists(records, max_size=5), st.lists(st.text(max_size=30), max_size=3))
def test_jsonl_files_of_random_records(rows: list[dict], junk: list[str]) -> None:
    lines = [json.dumps(r) for r in rows] + junk
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    file, results = read("a.jsonl", data)
    check(file, results, lines=True)
    assert len(results) <= data.count(b"\n") + 1


@FUZZ
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "replace")))
def test_html_files_of_random_content(data: bytes) -> None:
    file, results = read("a.html", data)
    assert len(results) == 1
    check(file, results)


@FUZZ
@given(
    st.lists(st.sampled_from(["<p>", "</p>", "<div>", "<article>", "<script>", "<!--", "&amp;",
                              "<meta name='date' content='", "'>", "x" * 30, "Gunmen attacked",
                              "<title>", "</title>", "\x00", "<![CDATA["]), max_size=40)
)
def test_html_files_of_random_markup(parts: list[str]) -> None:
    file, results = read("a.html", "".join(parts).encode("utf-8"))
    assert len(results) == 1
    check(file, results)


def test_deeply_nested_json_is_a_line_error() -> None:
    _, [error] = read("deep.jsonl", b"[" * 100_000 + b"\n")
    assert isinstance(error, InputError) and error.line == 1 and "malformed JSON" in str(error)


def test_a_boolean_is_not_an_id() -> None:
    _, [error] = read("b.jsonl", b'{"doc_id": true, "text": "Gunmen attacked."}\n')
    assert isinstance(error, InputError) and error.field == "doc_id"


def test_a_number_of_too_many_digits_is_a_line_error() -> None:
    _, [error] = read("n.jsonl", b'{"doc_id": ' + b"7" * 5000 + b', "text": "Gunmen attacked."}\n')
    assert isinstance(error, InputError) and error.line == 1 and "malformed JSON" in str(error)
