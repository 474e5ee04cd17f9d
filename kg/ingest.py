"""Read articles from ``.txt``, ``.jsonl`` and ``.html`` files into :class:`Article` records.

A broken article never stops a build: readers yield an :class:`InputError` in its place,
naming the file, the line and the field, and go on with the next one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.dates import parse_date, parse_dateline
from kg.errors import InputError
from kg.records import Article

TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES

ReadResult = Article | InputError


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
    """Build an :class:`Article`, reading its date line when it has one."""
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


def read_text_file(path: Path) -> Article:
    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise InputError(str(path), "the article is empty", field="text")
    return make_article(path.stem, text, path=str(path))


def read_html_file(path: Path) -> Article:
    """Main text and metadata of a web page, extracted with trafilatura."""
    import trafilatura  # imported here: it is slow to import and only HTML input needs it

    html = _decode(path, path.read_bytes())
    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if document is None:
        raise InputError(str(path), "no article text found in the page", field="text")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = data.get("text") or ""
    if not text.strip():
        raise InputError(str(path), "no article text found in the page", field="text")
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
    if not isinstance(record, dict):
        raise InputError(str(path), "expected a JSON object", line=line)
    doc_id = record.get("doc_id", record.get("id"))
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
        raise InputError(str(path), "missing document id", line=line, field="doc_id")
    if not isinstance(doc_id, str | int):
        raise InputError(
            str(path), "the id must be a string or a number", line=line, field="doc_id"
        )
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(str(path), "missing or empty article text", line=line, field="text")
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


def read_jsonl_file(path: Path) -> Iterator[ReadResult]:
    raw = path.read_bytes()
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        if not line_bytes.strip():
            continue
        try:
            line = line_bytes.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            yield InputError(
                str(path), f"not UTF-8 text (column {error.start + 1})", line=number, field="text"
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


def iter_articles(paths: Iterable[str | Path]) -> Iterator[ReadResult]:
    """Every article under ``paths`` (files or folders), in a stable order.

    A path that does not exist raises at once: that is a mistake in the command, not in the
    data. Problems inside the data are yielded as :class:`InputError` and reading goes on.
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
    seen: set[str] = set()
    for path in resolved:
        for file in _files_below(path) if path.is_dir() else [path]:
            for result in _read_file(file):
                if isinstance(result, Article):
                    if result.doc_id in seen:
                        yield InputError(
                            result.path or str(file),
                            f"duplicate document id {result.doc_id!r}",
                            field="doc_id",
                        )
                        continue
                    seen.add(result.doc_id)
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
