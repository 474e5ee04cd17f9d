"""Read articles from ``.txt``, ``.jsonl`` and ``.html`` files into :class:`Article` records.

A broken article never stops a build: readers yield an :class:`InputError` in its place,
naming the file, the line and the field, and go on with the next one. Readers stream: a
JSONL file is read a line at a time and no file is read whole when it is over the limits
below, so memory does not grow with the corpus.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from kg.dates import parse_date, parse_dateline
from kg.errors import InputError
from kg.lang import language
from kg.records import Article

LANG = language()

TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES

ReadResult = Article | InputError

MAX_ARTICLE_CHARS = 5_000_000
"""Longer articles are skipped with a reason. Up to this size an article is read whole, its
body parsed in pieces (see :mod:`kg.build`); past it, the text is most likely a dump of many
articles, which should come as a JSONL file with one article a line."""
MAX_FILE_BYTES = 4 * MAX_ARTICLE_CHARS + 1_000_000
"""A file (or a JSONL line) bigger than this cannot hold an article under the limit (UTF-8
takes at most four bytes a character; HTML pages get some room for their markup): it is
skipped unread."""


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            str(path),
            f"not UTF-8 text (byte {error.start}: {error.reason})",
            line=line,
            field="text",
        ) from None


def make_article(
    doc_id: str,
    text: str,
    *,
    path: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
    source: str | None = None,
    url: str | None = None,
) -> Article:
    """Build an :class:`Article`, reading its date line when it has one. A web page's
    furniture in the text ("Share this article", "Skip Ad") is blanked, every offset kept."""
    text = LANG.page_chrome.sub(lambda m: "\n" + " " * (len(m.group(0)) - 1), text)
    dateline = parse_dateline(text, published)
    if dateline is None:
        return Article(doc_id, text, path, title, published, source, url)
    return Article(
        doc_id,
        text,
        path,
        title,
        published=published or dateline.date,
        source=source or dateline.source,
        url=url,
        dateline_date=dateline.date,
        dateline_place=dateline.place,
        body_start=dateline.end,
    )


def _check_length(text: str, path: str, *, line: int | None = None) -> None:
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(
            path,
            f"the article is too long ({len(text):,} characters; the limit is "
            f"{MAX_ARTICLE_CHARS:,})",
            line=line,
            field="text",
        )


def _read_bounded(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            str(path),
            f"the file is too big to hold one article ({size:,} bytes; an article may have "
            f"{MAX_ARTICLE_CHARS:,} characters)",
            field="text",
        )
    return path.read_bytes()


def read_text_file(path: Path) -> Article:
    text = _decode(path, _read_bounded(path))
    if not text.strip():
        raise InputError(str(path), "the article is empty", field="text")
    _check_length(text, str(path))
    return make_article(path.stem, text, path=str(path))


def read_html_file(path: Path) -> Article:
    """Main text and metadata of a web page, extracted with trafilatura."""
    import trafilatura  # imported here: it is slow to import and only HTML input needs it

    html = _decode(path, _read_bounded(path))
    try:
        document = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False
        )
    except (RecursionError, ValueError, TypeError, LookupError, AttributeError) as error:
        # trafilatura and lxml raise these on pages they cannot make sense of
        raise InputError(
            str(path), f"cannot read the page ({type(error).__name__})", field="text"
        ) from None
    if document is None:
        raise InputError(str(path), "no article text found in the page", field="text")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = data.get("text") or ""
    if not text.strip():
        raise InputError(str(path), "no article text found in the page", field="text")
    _check_length(text, str(path))
    published = None
    if data.get("date"):
        resolved = parse_date(str(data["date"])[:10])
        published = resolved.value if resolved else None
    return make_article(
        path.stem,
        text,
        path=str(path),
        title=data.get("title"),
        published=published,
        source=data.get("sitename") or data.get("hostname"),
        url=data.get("url"),
    )


def _optional_str(record: dict[str, object], key: str, path: Path, line: int) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(
            str(path), f"expected a string, got {type(value).__name__}", line=line, field=key
        )
    return value


def parse_jsonl_record(raw: str, path: Path, line: int) -> Article:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InputError(
            str(path), f"malformed JSON ({error.msg} at column {error.colno})", line=line
        ) from None
    except RecursionError:
        raise InputError(str(path), "malformed JSON (nested too deeply)", line=line) from None
    except ValueError as error:  # a number of more digits than Python converts
        raise InputError(str(path), f"malformed JSON ({error})", line=line) from None
    if not isinstance(record, dict):
        raise InputError(str(path), "expected a JSON object", line=line)
    doc_id = record.get("doc_id", record.get("id"))
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
        raise InputError(str(path), "missing document id", line=line, field="doc_id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
        raise InputError(
            str(path), "the id must be a string or a number", line=line, field="doc_id"
        )
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(str(path), "missing or empty article text", line=line, field="text")
    _check_length(text, str(path), line=line)
    published_raw = _optional_str(record, "published", path, line)
    published = None
    if published_raw:
        resolved = parse_date(published_raw[:10])
        if resolved is None:
            raise InputError(
                str(path), f"not a date: {published_raw!r}", line=line, field="published"
            )
        published = resolved.value
    return make_article(
        str(doc_id),
        text,
        path=f"{path}:{line}",
        title=_optional_str(record, "title", path, line),
        published=published,
        source=_optional_str(record, "source", path, line),
        url=_optional_str(record, "url", path, line),
    )


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines of a binary file; None for a line over :data:`MAX_FILE_BYTES`, which is
    skipped without being held in memory."""
    number = 0
    while True:
        chunk = handle.readline(MAX_FILE_BYTES + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) <= MAX_FILE_BYTES or chunk.endswith(b"\n"):
            yield number, chunk
            continue
        while chunk and not chunk.endswith(b"\n"):  # the rest of the long line
            chunk = handle.readline(1 << 20)
        yield number, None


def read_jsonl_file(path: Path) -> Iterator[ReadResult]:
    with path.open("rb") as handle:
        for number, line_bytes in _lines(handle):
            if line_bytes is None:
                yield InputError(
                    str(path),
                    f"the line is too long (over {MAX_FILE_BYTES:,} bytes)",
                    line=number,
                    field="text",
                )
                continue
            if not line_bytes.strip():
                continue
            try:
                line = line_bytes.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                yield InputError(
                    str(path),
                    f"not UTF-8 text (column {error.start + 1})",
                    line=number,
                    field="text",
                )
                continue
            try:
                yield parse_jsonl_record(line, path, number)
            except InputError as error:
                yield error


def _files_below(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )


def check_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The paths as :class:`Path`, once each is known to be a folder or a supported file.

    A path that does not exist is a mistake in the command, not in the data: it raises
    :class:`InputError` at once, before anything is read or any store is touched.
    """
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
        if path.is_file() and path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise InputError(
                str(path),
                f"unsupported file type '{path.suffix}' (use .txt, .jsonl or .html)",
            )
        if not path.is_file() and not path.is_dir():
            raise InputError(str(path), "not a file or a folder")
    return resolved


def estimate_articles(paths: Iterable[str | Path]) -> int:
    """About how many articles :func:`iter_articles` will yield, for a progress bar: one per
    text or HTML file, one per non-empty JSONL line, counted without parsing anything."""
    count = 0
    for path in check_paths(paths):
        for file in _files_below(path) if path.is_dir() else [path]:
            if file.suffix.lower() not in JSONL_SUFFIXES:
                count += 1
                continue
            try:
                with file.open("rb") as handle:
                    count += sum(1 for _, line in _lines(handle) if line is None or line.strip())
            except OSError:
                count += 1
    return count


def iter_articles(paths: Iterable[str | Path]) -> Iterator[ReadResult]:
    """Every article under ``paths`` (files or folders), in a stable order, one at a time.

    Problems inside the data are yielded as :class:`InputError` and reading goes on. Two
    articles with the same id (``a/x.txt`` and ``b/x.txt``, or a JSONL line that repeats a
    file's name) would be one article in the graph: the first read is kept, and each later
    one is skipped with an error that names both sources.
    """
    first_source: dict[str, str] = {}
    for path in check_paths(paths):
        for file in _files_below(path) if path.is_dir() else [path]:
            for result in _read_file(file):
                if isinstance(result, Article):
                    earlier = first_source.get(result.doc_id)
                    if earlier is not None:
                        yield InputError(
                            result.path or str(file),
                            f"duplicate document id {result.doc_id!r}: already read from "
                            f"{earlier}; the first one is kept",
                            field="doc_id",
                        )
                        continue
                    first_source[result.doc_id] = result.path or str(file)
                yield result


def _read_file(file: Path) -> Iterator[ReadResult]:
    suffix = file.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            yield from read_jsonl_file(file)
        elif suffix in HTML_SUFFIXES:
            yield read_html_file(file)
        else:
            yield read_text_file(file)
    except InputError as error:
        yield error
    except OSError as error:
        yield InputError(str(file), f"cannot read: {error.strerror or error}")
