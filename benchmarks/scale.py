"""Adding articles to a store of growing size: does the cost follow the new articles?

    python benchmarks/scale.py [--sizes 0 1300 5000] [--add 200] [--repeats 3]
                               [--cache local/scale] [--source DIR] [--label NAME]

For each store size the script builds a base store once, into the cache folder, from MUC-4
train (``../shared/eval/muc4/train.jsonl``; a size above its 1,300 articles repeats it under
new doc ids, ``<doc_id>~2``, ``<doc_id>~3``...; size 0 is an empty store). It then adds the
first ``--add`` articles of MUC-4 dev, under new doc ids (``add-<doc_id>``), to a copy of
each base store: ``kg build ADD.jsonl --store COPY`` as a user runs it (validation on), timed
as a whole process from start to exit, ``--repeats`` times, the sizes taken in turn within
each round. It prints the median seconds, the median of the phases the build reports
(start-up, reading and parsing, loading, merging, validating, exit) and the peak resident
memory, and appends the runs to ``CACHE/results.jsonl``.

Building a base store is itself the measure of a fresh build (``kg build CORPUS
--no-validate`` into an empty store, a whole process): its seconds per article, its phases
and its peak memory are printed and recorded too, so ``--sizes 1000 5000 20000 --repeats 0``
measures how time and memory grow with the corpus (issue 13: peak memory within 20 % from
1,000 to 20,000 articles).

``--source DIR`` runs another checkout of the package (its folder goes first on
``PYTHONPATH``), so the same script times the code before and after a change; ``--label``
names the runs and the base stores (a base store is built by the code it is measured with).
Base stores are kept and reused: delete ``CACHE/stores`` to build them again. This is a
benchmark, not a test: the figures depend on the machine and on what else runs on it.
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

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "muc4"


# ----------------------------------------------------------------------- the parent


def _run(arguments: list[str], source: Path | None) -> dict:
    """One ``kg build`` process: wall seconds from start to exit, peak memory, phases."""
    env = {}
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(source), os.environ.get("PYTHONPATH")])
        )
    with tempfile.TemporaryDirectory() as folder:
        marks_file = str(Path(folder) / "marks.json")
        command = [sys.executable, __file__, "--child", marks_file, "--", *arguments]
        started = time.time()
        seconds, peak, code, output = run_process(command, env)
        if code not in (0, 1):  # 1: the graph does not conform, still a complete build
            raise SystemExit(f"kg build {' '.join(arguments)} failed ({code}):\n{output}")
        marks = json.loads(Path(marks_file).read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "phases": dict(phases(marks, started, started + seconds)),
        "output": output,
    }


def _corpus(size: int, train: Path, folder: Path) -> Path:
    """The first ``size`` articles of train, repeated under new doc ids past its end."""
    path = folder / f"train-{size}.jsonl"
    if path.exists():
        return path
    rows = [json.loads(line) for line in train.read_text(encoding="utf-8").splitlines() if line]
    lines = []
    for index in range(size):
        row = dict(rows[index % len(rows)])
        copy = index // len(rows)
        if copy:
            row["doc_id"] = f"{row['doc_id']}~{copy + 1}"
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _additions(count: int, dev: Path, folder: Path) -> Path:
    path = folder / f"add-{count}.jsonl"
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    lines = [
        json.dumps({**row, "doc_id": f"add-{row['doc_id']}"}, ensure_ascii=False)
        for row in rows[:count]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _copy_store(base: Path, target: Path) -> None:
    """The current generation of ``base`` (and its pointer) copied to ``target``."""
    name = (base / "generation").read_text(encoding="ascii").strip()
    (target / "generations").mkdir(parents=True)
    shutil.copytree(base / "generations" / name, target / "generations" / name)
    shutil.copy2(base / "generation", target / "generation")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        recorded_build(sys.argv[4:], sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[0, 1300],
        help="articles in the base stores (0: an empty store)",
    )
    parser.add_argument("--add", type=int, default=200, help="articles added (from MUC-4 dev)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("local/scale"))
    parser.add_argument("--source", type=Path, help="a checkout to run instead of this one")
    parser.add_argument("--label", default="current", help="names these runs and base stores")
    parser.add_argument("--train", type=Path, default=SHARED / "train.jsonl")
    parser.add_argument("--dev", type=Path, default=SHARED / "dev.jsonl")
    options = parser.parse_args()
    source = options.source.resolve() if options.source else None
    corpora = options.cache / "corpora"
    corpora.mkdir(parents=True, exist_ok=True)
    additions = _additions(options.add, options.dev, corpora)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start", flush=True)

    bases: dict[int, Path | None] = {}
    for size in options.sizes:
        if size == 0:
            bases[size] = None
            continue
        store = options.cache / "stores" / f"{options.label}-{size}"
        if not (store / "generation").exists():
            shutil.rmtree(store, ignore_errors=True)
            corpus = _corpus(size, options.train, corpora)
            print(f"building the base store of {size} articles into {store} ...", flush=True)
            load = os.getloadavg()[0]
            run = _run([str(corpus), "--store", str(store), "--no-validate"], source)
            per_phase = ", ".join(
                f"{name} {seconds:.0f} s" for name, seconds in run["phases"].items() if seconds >= 1
            )
            print(
                f"  {run['seconds']:.0f} s ({run['seconds'] / size:.3f} s per article), "
                f"peak {run['peak_mb']:.0f} MB, load {load:.1f} at start; {per_phase}",
                flush=True,
            )
            _record(
                options.cache,
                {
                    "label": options.label,
                    "kind": "base",
                    "size": size,
                    "load": load,
                    **{k: v for k, v in run.items() if k != "output"},
                },
            )
        bases[size] = store

    runs: dict[int, list[dict]] = {size: [] for size in options.sizes}
    for round_ in range(options.repeats):
        for size in options.sizes:
            with tempfile.TemporaryDirectory(dir=options.cache) as folder:
                target = Path(folder) / "store"
                if bases[size] is not None:
                    _copy_store(bases[size], target)
                load = os.getloadavg()[0]
                run = _run([str(additions), "--store", str(target)], source)
            run["load"] = load
            runs[size].append(run)
            summary = " ".join(
                line
                for line in run["output"].splitlines()
                if line.startswith(("canonical", "event claims", "conforms"))
            )
            print(
                f"round {round_ + 1}, +{options.add} into {size}: {run['seconds']:.1f} s, "
                f"peak {run['peak_mb']:.0f} MB, load {load:.1f}; {summary}",
                flush=True,
            )
            _record(
                options.cache,
                {
                    "label": options.label,
                    "kind": "add",
                    "size": size,
                    "add": options.add,
                    "load": load,
                    **{k: v for k, v in run.items() if k != "output"},
                },
            )

    if not options.repeats:
        return
    print(f"\n{options.label}: +{options.add} articles, median of {options.repeats}")
    phases = [
        "start-up",
        "loading the model",
        "reading and parsing",
        "loading",
        "merging",
        "validating",
        "exit",
    ]
    print("| store | seconds | " + " | ".join(phases) + " | peak MB |")
    print("|---:|---:|" + "---:|" * len(phases) + "---:|")
    for size, done in runs.items():
        median = statistics.median(r["seconds"] for r in done)
        parts = [statistics.median(r["phases"].get(p, 0.0) for r in done) for p in phases]
        peak = statistics.median(r["peak_mb"] for r in done)
        print(
            f"| {size:,} | {median:.1f} | "
            + " | ".join(f"{p:.1f}" for p in parts)
            + f" | {peak:.0f} |"
        )


def _record(cache: Path, row: dict) -> None:
    row = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **row}
    with (cache / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
