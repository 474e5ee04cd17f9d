"""Extraction quality on every evaluation set at hand, in one table.

    python benchmarks/quality.py [--eval ../shared/eval] [--news local/news-dev.jsonl]

Each set is built into a temporary store and scored by the reference scorer ``score.py``
(through :func:`kg.evaluate.evaluate`, so the figures are the scorer's own):

- the seeds (``--mode fields``, canonical events, with the scorer's merge check);
- MUC-4 dev (``--mode muc``, per-article claims under the MUC-4 view);
- WikiEvents dev (the scorer's default mode for it, per-article claims);
- the real-news dev set (``--mode fields``, canonical events, with cross-article links),
  when its texts have been fetched into an untracked file (see ``shared/eval/news``).

A set whose file is missing is reported as such and skipped. Nothing here is tuned per set.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.evaluate import evaluate


@dataclass(frozen=True)
class Suite:
    name: str
    path: str  # relative to the eval folder, or absolute
    mode: str
    canonical: bool


SUITES = (
    Suite("seeds", "seeds.jsonl", "fields", True),
    Suite("MUC-4 dev (MUC view)", "muc4/dev.jsonl", "muc", False),
    Suite("WikiEvents dev", "wikievents/dev.jsonl", "muc", False),
)


def _links(scores: dict[str, Any]) -> str:
    links = scores.get("cluster_links")
    if isinstance(links, dict) and "f1" in links:
        return f"{links['f1']:.2f} (P {links.get('p', 0):.2f} R {links.get('r', 0):.2f})"
    return "-"


def _merge_check(scores: dict[str, Any]) -> str:
    merge = scores.get("merge")
    if isinstance(merge, dict) and "all_merged" in merge:
        return "OK" if merge["all_merged"] else "FAILED"
    return "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", default="../shared/eval", help="the shared eval folder")
    parser.add_argument("--news", default="local/news-dev.jsonl",
                        help="the real-news dev set with its fetched texts")
    args = parser.parse_args(argv)
    folder = Path(args.eval)
    suites = [*SUITES, Suite("real news dev (canonical)", args.news, "fields", True)]
    print(f"{'set':<28} {'main F1':>8} {'links F1':>24} {'merge':>7} {'events':>7} {'s':>6}")
    for suite in suites:
        path = Path(suite.path) if Path(suite.path).is_absolute() else folder / suite.path
        if suite.path == args.news:
            path = Path(args.news)
        if not path.is_file():
            print(f"{suite.name:<28} {'missing: ' + str(path)}")
            continue
        started = time.perf_counter()
        result = evaluate(
            path,
            suite.mode,
            scorer=folder / "score.py",
            claims=not suite.canonical,
        )
        seconds = time.perf_counter() - started
        print(
            f"{suite.name:<28} {result.main_f1:>8.2f} {_links(result.scores):>24} "
            f"{_merge_check(result.scores):>7} {result.events:>7} {seconds:>6.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
