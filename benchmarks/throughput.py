"""What a user waits for: the whole ``kg build`` process against bare ``nlp.pipe``.

    python benchmarks/throughput.py [CORPUS.jsonl|folder ...] [--limit N] [--repeat N]
                                    [--jobs N [N ...]] [--no-validate] [--model NAME]

The default corpus is MUC-4 dev (``../shared/eval/muc4/dev.jsonl``, 200 articles). Both
sides run as whole processes, timed from the moment they are started until they have
exited, so the interpreter, the imports and the loading of the model count:

- ``bare nlp.pipe``: a Python process that loads the spaCy model with ``spacy.load`` and
  runs ``nlp.pipe`` (batches of 16, as the build uses) over the same article bodies the
  build parses, and does nothing else;
- ``kg build``: the ``kg build`` command itself (``kg build CORPUS --store TMP --clear
  --jobs N``, SHACL validation on unless ``--no-validate``), into a fresh store, once for
  each value of ``--jobs`` (``--jobs 1 2`` times one process and two). It runs in a process
  that records when the build enters each of its phases (the ``Progress`` protocol of
  ``kg.build``) and otherwise changes nothing, so the script prints where the time went:
  start-up (imports, model, reference data), reading and parsing (the per-article stages:
  reading, spaCy and our components, extraction, resolution, RDF, loading), the graphs
  loaded once, the cross-article merge, validation, and exit.

With ``--repeat N`` the runs alternate N times and the medians are printed, with the
speed-up of each ``--jobs`` value over the first as the median of the per-round ratios
(robust to a machine whose speed drifts). Peak memory is the largest resident set of the
process or, with worker processes, of any one of them (``ru_maxrss`` of the children).
This is a benchmark, not a test: the figures depend on the machine (it prints what it ran
on) and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, phases, recorded_build, run_process

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "muc4" / "dev.jsonl"
BATCH_SIZE = 16  # that of kg.build.extract


# ----------------------------------------------------------------------- the child processes


def bare_child(texts_file: str, model: str, n_process: int, out: str) -> None:
    """Load the model, parse every text, exit: nothing of kg is imported."""
    import spacy

    loaded = time.time()
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    nlp = spacy.load(model)
    parsing = time.time()
    for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=n_process):
        pass
    done = time.time()
    Path(out).write_text(
        json.dumps({"import spaCy": loaded, "load model": parsing, "nlp.pipe": done}),
        encoding="utf-8",
    )


# ----------------------------------------------------------------------- the parent


def _articles(paths: list[str], limit: int | None):
    from kg.ingest import iter_articles
    from kg.records import Article

    articles = [a for a in iter_articles(paths) if isinstance(a, Article)]
    return articles[:limit] if limit else articles


def _corpus(paths: list[str], limit: int | None, folder: Path) -> list[str]:
    """What ``kg build`` reads: the paths, or the first ``limit`` lines of one JSONL file."""
    if not limit:
        return paths
    if len(paths) != 1 or not paths[0].endswith(".jsonl"):
        raise SystemExit("--limit needs one .jsonl file")
    lines = Path(paths[0]).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = folder / "corpus.jsonl"
    kept.write_text("".join([line for line in lines if line.strip()][:limit]), encoding="utf-8")
    return [str(kept)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="articles (default: MUC-4 dev)")
    parser.add_argument("--limit", type=int, default=None, help="first N articles of one JSONL")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians printed")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1], help="kg build --jobs values to time (1 2)"
    )
    parser.add_argument("--model", default=None, help="spaCy model package")
    parser.add_argument("--no-validate", action="store_true", help="kg build --no-validate")
    parser.add_argument("--stage", choices=["bare", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "bare":
        bare_child(args.paths[0], args.model, 1, args.out)
        return
    if args.stage == "build":  # the arguments of kg build, after "--"
        recorded_build(args.paths, args.out)
        return
    if not args.paths:
        if not DEFAULT_CORPUS.is_file():
            parser.error(f"no corpus given and {DEFAULT_CORPUS} is not there")
        args.paths = [str(DEFAULT_CORPUS)]

    import spacy

    from kg.nlp.pipeline import model_name

    model = model_name(args.model)
    where = machine() + ", load average {:.1f} {:.1f} {:.1f} at start".format(*os.getloadavg())
    articles = _articles(args.paths, args.limit)
    texts = [a.text[a.body_start :] for a in articles]
    words = sum(len(text.split()) for text in texts)
    bare_runs: list[tuple[float, float, dict[str, float]]] = []
    build_runs: dict[int, list[tuple[float, float, list[tuple[str, float]], str]]] = {
        jobs: [] for jobs in args.jobs
    }
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        folder = Path(tmp)
        (folder / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        corpus = _corpus(args.paths, args.limit, folder)
        here = str(Path(__file__).resolve())
        bare_marks, build_marks = folder / "bare.json", folder / "build.json"
        bare_command = [
            sys.executable,
            here,
            str(folder / "texts.json"),
            "--stage",
            "bare",
            "--model",
            model,
            "--out",
            str(bare_marks),
        ]

        def build_command(jobs: int) -> list[str]:
            command = [
                sys.executable,
                here,
                "--stage",
                "build",
                "--out",
                str(build_marks),
                "--",
                *corpus,
                "--store",
                str(folder / f"store-{jobs}"),
                "--clear",
                "--model",
                model,
                "--jobs",
                str(jobs),
            ]
            return command + (["--no-validate"] if args.no_validate else [])

        for _ in range(args.repeat):
            started = time.time()
            seconds, peak, code, output = run_process(bare_command)
            if code != 0 or not bare_marks.is_file():
                raise SystemExit(f"bare nlp.pipe failed ({code}):\n{output}")
            marks = json.loads(bare_marks.read_text(encoding="utf-8"))
            bare_marks.unlink()
            parts, last = {}, started
            for name in ("import spaCy", "load model", "nlp.pipe"):
                parts[name], last = marks[name] - last, marks[name]
            parts["exit"] = started + seconds - last
            bare_runs.append((seconds, peak, parts))
            for jobs in args.jobs:
                shutil.rmtree(folder / f"store-{jobs}", ignore_errors=True)  # a fresh store
                started = time.time()
                seconds, peak, code, output = run_process(build_command(jobs))
                if code not in (0, 1) or not build_marks.is_file():  # 1: built, not conforming
                    raise SystemExit(f"kg build failed ({code}):\n{output}")
                marks = json.loads(build_marks.read_text(encoding="utf-8"))
                build_marks.unlink()
                stages = phases(marks, started, started + seconds)
                build_runs[jobs].append((seconds, peak, stages, output))

    def median(values: list[float]) -> float:
        return statistics.median(values)

    bare_s, bare_mb = median([r[0] for r in bare_runs]), median([r[1] for r in bare_runs])
    runs = f", median of {args.repeat} runs each" if args.repeat > 1 else ""
    where += ", {:.1f} {:.1f} {:.1f} at the end".format(*os.getloadavg())
    print(f"machine: {where}")
    print(f"model: {model} (spaCy {spacy.__version__}){runs}")
    print(f"corpus: {', '.join(args.paths)} ({len(texts)} articles, {words:,} words)")
    print()
    print(f"{'whole process':34}{'seconds':>9}{'articles/s':>12}{'words/s':>9}{'peak MB':>9}")
    rows = [("bare nlp.pipe (one process)", bare_s, bare_mb)]
    validation = " --no-validate" if args.no_validate else " (validation on)"
    for jobs, result in build_runs.items():
        seconds = median([r[0] for r in result])
        peak = median([r[1] for r in result])
        rows.append((f"kg build --jobs {jobs}{validation}", seconds, peak))
    for name, seconds, peak in rows:
        print(
            f"{name:34}{seconds:9.1f}{len(texts) / seconds:12.2f}{words / seconds:9.0f}{peak:9.0f}"
        )
    first = args.jobs[0]
    first_s = median([r[0] for r in build_runs[first]])
    for jobs, result in build_runs.items():
        seconds = median([r[0] for r in result])
        print(f"kg build --jobs {jobs} speed / bare nlp.pipe speed: {bare_s / seconds:.2f}x")
        if jobs != first:
            # per round, so that a drift of the machine's speed cancels out
            pairs = [a[0] / b[0] for a, b in zip(build_runs[first], result, strict=True)]
            print(
                f"kg build --jobs {jobs} speed-up over --jobs {first}: {first_s / seconds:.2f}x "
                f"(median of the per-round ratios {median(pairs):.2f}x)"
            )
    for jobs, result in build_runs.items():
        seconds = median([r[0] for r in result])
        print()
        print(f"{f'kg build --jobs {jobs} stages':34}{'seconds':>9}{'share':>8}")
        for name in [name for name, _ in result[0][2]]:
            part = median([dict(r[2]).get(name, 0.0) for r in result])
            print(f"  {name:32}{part:9.1f}{100 * part / seconds:7.0f}%")
    print(f"{'bare nlp.pipe stages':34}")
    for name in bare_runs[0][2]:
        seconds = median([r[2][name] for r in bare_runs])
        print(f"  {name:32}{seconds:9.1f}{100 * seconds / bare_s:7.0f}%")
    print()
    last = args.jobs[-1]
    print(f"kg build --jobs {last} said:")
    print("\n".join("  " + line for line in build_runs[last][-1][3].strip().splitlines()[:8]))


if __name__ == "__main__":
    main()
