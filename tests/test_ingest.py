"""Reading articles: formats, date lines, and errors that name the file, line and field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import iter_articles, make_article
from kg.records import Article


def _read(*paths: Path) -> list[Article | InputError]:
    return list(iter_articles(paths))


def test_text_file_with_iso_date_line(tmp_path: Path) -> None:
    file = tmp_path / "a1.txt"
    file.write_text(" date 2024-03-21 Gunmen attacked a market in Djibo.", encoding="utf-8")
    [article] = _read(file)
    assert isinstance(article, Article)
    assert article.doc_id == "a1"
    assert article.dateline_date == dt.date(2024, 3, 21)
    assert article.published == dt.date(2024, 3, 21)
    assert article.text[article.body_start :].startswith("Gunmen attacked")


def test_agency_date_line_gives_date_place_and_source() -> None:
    article = make_article("m1", "LIMA, 20 DEC 89 (TELEVISION PERUANA) -- [TEXT] A BOMB EXPLODED.")
    assert article.dateline_date == dt.date(1989, 12, 20)
    assert article.dateline_place == "LIMA"
    assert article.source == "TELEVISION PERUANA"
    assert article.text[article.body_start :] == "A BOMB EXPLODED."


def test_article_without_date_line_keeps_whole_text() -> None:
    article = make_article("x", "In a significant turn of events, militants attacked.")
    assert article.body_start == 0 and article.dateline_date is None


def test_jsonl_fields_and_extra_fields_ignored(tmp_path: Path) -> None:
    file = tmp_path / "batch.jsonl"
    rows = [
        {
            "doc_id": "d1",
            "text": "Rebels attacked a village.",
            "title": "T",
            "published": "2024-02-02",
            "source": "Agency",
            "url": "https://example.org/a",
            "events": [{"ignored": True}],
        },
        {"id": 7, "text": "Soldiers clashed with militants."},
    ]
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    first, second = _read(file)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.doc_id, first.title, first.published, first.source) == (
        "d1",
        "T",
        dt.date(2024, 2, 2),
        "Agency",
    )
    assert second.doc_id == "7"


@pytest.mark.parametrize(
    ("line", "field", "fragment"),
    [
        ('{"doc_id": "a", "text": "x", "published": "someday"}', "published", "not a date"),
        ('{"text": "no id"}', "doc_id", "missing document id"),
        ('{"doc_id": "b"}', "text", "missing or empty"),
        ('{"doc_id": "c", "text": "x", "title": 5}', "title", "expected a string"),
    ],
)
def test_bad_jsonl_line_names_file_line_and_field(
    tmp_path: Path, line: str, field: str, fragment: str
) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text('{"doc_id": "ok", "text": "fine"}\n' + line + "\n", encoding="utf-8")
    good, bad = _read(file)
    assert isinstance(good, Article)
    assert isinstance(bad, InputError)
    assert (bad.path, bad.line, bad.field) == (str(file), 2, field)
    assert str(bad).startswith(f"{file}:2: field '{field}': ") and fragment in str(bad)


def test_malformed_json_line_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    file = tmp_path / "mixed.jsonl"
    file.write_text('{"doc_id": "a", "text": "x"}\n{"doc_id": \n{"doc_id": "c", "text": "y"}\n')
    results = _read(file)
    assert [type(r).__name__ for r in results] == ["Article", "InputError", "Article"]
    assert results[1].line == 2 and "malformed JSON" in str(results[1])


def test_undecodable_text_file_names_line(tmp_path: Path) -> None:
    file = tmp_path / "latin.txt"
    file.write_bytes("first line\nsecond \xe9t\xe9\n".encode("latin-1"))
    [error] = _read(file)
    assert isinstance(error, InputError)
    assert error.line == 2 and error.field == "text" and "not UTF-8" in str(error)


def test_folder_reads_supported_files_in_order_and_reports_broken_ones(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Militants attacked a convoy.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Gunmen raided a village.", encoding="utf-8")
    (tmp_path / "c.txt").write_text("   ", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    results = _read(tmp_path)
    assert [getattr(r, "doc_id", None) for r in results] == ["a", "b", None]
    assert isinstance(results[2], InputError) and "empty" in str(results[2])


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("one", encoding="utf-8")
    file = tmp_path / "y.jsonl"
    file.write_text('{"doc_id": "x", "text": "two"}\n', encoding="utf-8")
    results = _read(tmp_path)
    assert isinstance(results[0], Article)
    assert isinstance(results[1], InputError) and "duplicate document id" in str(results[1])


def test_missing_path_and_unsupported_file_raise(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        _read(tmp_path / "absent")
    odd = tmp_path / "article.docx"
    odd.write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported file type"):
        _read(odd)


def test_html_page_main_text_and_metadata(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    body = " ".join(
        ["Gunmen attacked a checkpoint near Djibo on Monday, killing four soldiers."] * 4
    )
    page.write_text(
        "<html><head><title>Attack near Djibo</title>"
        '<meta property="og:site_name" content="Sahel Monitor">'
        '<meta name="date" content="2024-05-06"></head>'
        f"<body><nav>Home | About</nav><article><h1>Attack near Djibo</h1><p>{body}</p>"
        f"<p>{body}</p></article><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    [article] = _read(page)
    assert isinstance(article, Article)
    assert article.doc_id == "report"
    assert "killing four soldiers" in article.text
    assert "Copyright" not in article.text
    assert article.title == "Attack near Djibo"
    assert article.published == dt.date(2024, 5, 6)


def test_same_file_name_in_two_folders_keeps_the_first_and_names_both(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    for file, words in ((first, "Gunmen raided a village."), (second, "Rebels shelled a town.")):
        file.parent.mkdir()
        file.write_text(words, encoding="utf-8")
    kept, skipped = _read(tmp_path / "a", tmp_path / "b")
    assert isinstance(kept, Article) and kept.path == str(first)
    assert isinstance(skipped, InputError) and skipped.path == str(second)
    assert skipped.field == "doc_id"
    assert f"already read from {first}; the first one is kept" in str(skipped)


def test_jsonl_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    """The first article of a 20 MB file comes without the file being held in memory."""
    import tracemalloc

    file = tmp_path / "big.jsonl"
    line = json.dumps({"doc_id": "{}", "text": "Militants attacked a convoy. " * 330})
    with file.open("w", encoding="utf-8") as handle:
        for number in range(2000):
            handle.write(line.replace("{}", f"d{number}", 1) + "\n")
    assert file.stat().st_size > 19_000_000
    tracemalloc.start()
    try:
        first = next(iter_articles([file]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(first, Article) and first.doc_id == "d0"
    assert peak < 2_000_000, f"peak {peak:,} bytes"


def test_article_over_the_limit_is_skipped_with_the_reason(tmp_path: Path) -> None:
    from kg.ingest import MAX_ARTICLE_CHARS

    long_text = "Soldiers patrolled the road.\n\n" * (MAX_ARTICLE_CHARS // 30 + 1)
    (tmp_path / "huge.txt").write_text(long_text, encoding="utf-8")
    line = json.dumps({"doc_id": "j", "text": long_text})
    (tmp_path / "huge.jsonl").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "small.txt").write_text("Gunmen raided a village.", encoding="utf-8")
    by_file = {Path(r.path).name.split(":")[0]: r for r in _read(tmp_path)}
    assert isinstance(by_file["small.txt"], Article)
    for name, line_number in (("huge.txt", None), ("huge.jsonl", 1)):
        error = by_file[name]
        assert isinstance(error, InputError)
        assert (error.line, error.field) == (line_number, "text")
        assert "too long" in str(error) and f"{MAX_ARTICLE_CHARS:,}" in str(error)


def test_a_file_too_big_for_any_article_is_not_read(tmp_path: Path) -> None:
    from kg.ingest import MAX_FILE_BYTES

    file = tmp_path / "dump.txt"
    with file.open("wb") as handle:  # a sparse file: big, but nothing to write
        handle.truncate(MAX_FILE_BYTES + 1)
    [error] = _read(file)
    assert isinstance(error, InputError) and "too big" in str(error)


def test_check_paths_names_the_first_bad_one(tmp_path: Path) -> None:
    from kg.ingest import check_paths

    good = tmp_path / "a.txt"
    good.write_text("x", encoding="utf-8")
    assert check_paths([good, tmp_path]) == [good, tmp_path]
    with pytest.raises(InputError, match=r"absent\.txt: no such file or folder"):
        check_paths([good, tmp_path / "absent.txt"])


def test_a_pages_furniture_is_blanked_and_every_offset_kept() -> None:
    text = ("Share this articleClose Button\nGunmen attacked a market. 1 of 12 Full Screen "
            "Autoplay Close Skip Ad Traders fled. Advertisement\nThe army arrived.")
    article = make_article("d", text)
    assert len(article.text) == len(text)
    for chrome in ("Share this", "Close Button", "Full Screen", "Skip Ad", "Advertisement"):
        assert chrome not in article.text
    for kept in ("Gunmen attacked a market.", "Traders fled.", "The army arrived."):
        assert article.text.index(kept) == text.index(kept)
