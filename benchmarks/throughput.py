"""Throughput of the full build against bare ``nlp.pipe`` with the same model on the same texts.

    python benchmarks/throughput.py [CORPUS.jsonl|folder ...] [--limit N] [--validate]

The default corpus is MUC-4 train (``../shared/eval/muc4/train.jsonl``). Each measurement runs
in its own process so that its peak memory is its own:

- ``bare``: ``spacy.load(model)`` and ``nlp.pipe`` over the article bodies, nothing else;
- ``build``: ``kg.build.build`` into a fresh temporary store (reading, our pipeline
  components, extraction, resolution, RDF mapping and loading; SHACL validation only with
  ``--validate``).

It prints articles/s, words/s and peak memory of each, and the ratio build/bare: the share of
the bare model's speed that the whole build keeps. This is a benchmark, not a test: numbers
depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "muc4" / "train.jsonl"


def _articles(paths: list[str], limit: int | None):
    from kg.ingest import iter_articles
    from kg.records import Article

    articles = [a for a in iter_articles(paths) if isinstance(a, Article)]
    return articles[:limit] if limit else articles


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_bare(paths: list[str], limit: int | None, model: str | None) -> dict[str, float]:
    import spacy

    from kg.nlp.pipeline import model_name

    articles = _articles(paths, limit)
    texts = [a.text[a.body_start :] for a in articles]
    nlp = spacy.load(model_name(model))
    list(nlp.pipe(texts[:8]))  # warm up: lazy tables
    words = sum(len(text.split()) for text in texts)
    started = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=16):
        pass
    seconds = time.perf_counter() - started
    return {"articles": len(texts), "words": words, "seconds": seconds, "peak_mb": _peak_mb()}


def measure_build(
    paths: list[str], limit: int | None, model: str | None, validate: bool
) -> dict[str, float]:
    from kg.build import build
    from kg.nlp.pipeline import load_pipeline
    from kg.store import GraphStore

    articles = _articles(paths, limit)
    words = sum(len(a.text[a.body_start :].split()) for a in articles)
    load_pipeline(model)
    folder = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        corpus = folder / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            for a in articles:
                handle.write(
                    json.dumps(
                        {
                            "doc_id": a.doc_id,
                            "text": a.text,
                            "published": a.published.isoformat() if a.published else None,
                        }
                    )
                    + "\n"
                )
        store = GraphStore(folder / "store")
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if done == total:
                last[0] = time.perf_counter()

        started = time.perf_counter()
        summary = build(
            [corpus], store, model=model, rebuild=True, validate=validate, progress=progress
        )
        seconds = time.perf_counter() - started
        per_article = last[0] - started
        del store
    finally:
        gc.collect()
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "articles": summary.articles_read,
        "words": words,
        "seconds": seconds,
        "per_article_seconds": per_article,
        "peak_mb": _peak_mb(),
        "claims": summary.claims,
    }


def _run_stage(stage: str, args: argparse.Namespace) -> dict[str, float]:
    command = [sys.executable, __file__, *args.paths, "--stage", stage]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.model:
        command += ["--model", args.model]
    if args.validate:
        command.append("--validate")
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="articles (default: MUC-4 train)")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--model", default=None, help="spaCy model package")
    parser.add_argument("--validate", action="store_true", help="include SHACL validation")
    parser.add_argument("--stage", choices=["bare", "build"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.paths:
        if not DEFAULT_CORPUS.is_file():
            parser.error(f"no corpus given and {DEFAULT_CORPUS} is not there")
        args.paths = [str(DEFAULT_CORPUS)]
    if args.stage == "bare":
        print(json.dumps(measure_bare(args.paths, args.limit, args.model)))
        return
    if args.stage == "build":
        print(json.dumps(measure_build(args.paths, args.limit, args.model, args.validate)))
        return
    bare = _run_stage("bare", args)
    full = _run_stage("build", args)
    print(f"corpus: {', '.join(args.paths)} ({bare['articles']} articles)")
    print(f"{'':24}{'articles/s':>12}{'words/s':>12}{'seconds':>10}{'peak MB':>10}")
    for name, row in (("bare nlp.pipe", bare), ("full build", full)):
        label = name + (" (+SHACL)" if name == "full build" and args.validate else "")
        print(
            f"{label:24}{row['articles'] / row['seconds']:12.1f}"
            f"{row['words'] / row['seconds']:12.0f}{row['seconds']:10.1f}{row['peak_mb']:10.0f}"
        )
    bare_speed = bare["articles"] / bare["seconds"]
    ratio = (full["articles"] / full["seconds"]) / bare_speed
    print(f"build speed / bare nlp.pipe speed: {ratio:.2f}x")
    # the per-article stages (parse, our components, extraction, resolution, RDF, loading)
    # against what runs once after them (the cross-article merge, then validation)
    staged = full["articles"] / full["per_article_seconds"] / bare_speed
    rest = full["seconds"] - full["per_article_seconds"]
    after = "cross-article merge" + (" and SHACL validation" if args.validate else "")
    print(f"  per-article stages alone: {staged:.2f}x of bare nlp.pipe; {after}: {rest:.1f} s")


if __name__ == "__main__":
    main()
