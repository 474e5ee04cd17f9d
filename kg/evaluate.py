"""``kg evaluate GOLD.jsonl``: run the pipeline over gold articles and score the events.

The gold file is in the document format of ``shared/eval/FORMAT.md`` (each record holds the
article ``text`` and its gold ``events``), so it is also valid input for ``kg build``. The
articles are built into a temporary store exactly as ``kg build`` would, the claims are
exported as ``events-jsonl`` exactly as ``kg export --claims`` would, and the export is scored
by the project's reference scorer ``score.py`` (given with ``--scorer``; by default the one in
``../shared/eval/`` when it is there). Scoring with the reference scorer itself, rather than a
re-implementation, is what makes the numbers the same as ``score.py``'s on the same output.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import io
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from kg.errors import InputError, KGError

MODES = ("muc", "fields", "acled")
_DEFAULT_SCORERS = (
    Path.cwd().parent / "shared" / "eval" / "score.py",
    Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py",
)


class ScorerNotFound(KGError):
    """No ``score.py`` was given and none was found next to the project."""


@dataclass(frozen=True)
class Evaluation:
    """The scorer's JSON result plus its human-readable report."""

    mode: str
    scores: dict[str, Any]
    report: str
    predictions: Path | None
    events: int

    @property
    def main_f1(self) -> float:
        return float(self.scores["main_f1"])


def find_scorer(explicit: str | Path | None = None) -> Path:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ScorerNotFound(f"no scorer at {path}")
        return path
    for candidate in _DEFAULT_SCORERS:
        if candidate.is_file():
            return candidate
    raise ScorerNotFound(
        "no score.py found: pass --scorer PATH (the reference scorer is shared/eval/score.py)"
    )


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("kg_reference_scorer", path)
    if spec is None or spec.loader is None:
        raise ScorerNotFound(f"cannot import the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_scorer(
    scorer: Path, gold: Path, predictions: Path, mode: str | None, extra: Sequence[str] = ()
) -> tuple[dict[str, Any], str]:
    """The scorer's JSON result and its printed report, run in-process."""
    module = load_scorer(scorer)
    argv = [str(gold), str(predictions), *(["--mode", mode] if mode else []), *extra]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = module.main(argv)
    if not isinstance(result, dict) or "main_f1" not in result:
        raise KGError(f"the scorer {scorer} returned no scores")
    return json.loads(json.dumps(result, default=str)), buffer.getvalue()


def predict(
    gold: Path,
    output: Path,
    *,
    model: str | None = None,
    claims: bool = True,
    view: str = "native",
) -> int:
    """Build the gold articles into a temporary store and export their events as events-jsonl.

    ``claims=True`` exports what each article says (``kg export --claims``); ``False`` exports
    the canonical events merged across articles.
    """
    from kg.build import build
    from kg.export.events import write_events_jsonl
    from kg.store import GraphStore

    folder = Path(tempfile.mkdtemp(prefix="kg-evaluate-"))
    try:
        store = GraphStore(folder / "store")
        build([gold], store, model=model, rebuild=True, validate=False)
        count = write_events_jsonl(store, output, claims=claims, view=view)
        del store  # the on-disk store closes when it is collected
    finally:
        gc.collect()
        shutil.rmtree(folder, ignore_errors=True)
    return count


def view_for(gold: Path) -> str:
    """The codebook view a gold file is coded under: MUC-4's for the MUC-4 sets (named
    victims only, no army-versus-guerrilla clashes), the native codebook in MUC-4's template
    slots for WikiEvents, the graph's native one for the rest."""
    datasets = set()
    with gold.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                datasets.add(json.loads(line).get("dataset"))
    if datasets == {"muc4"}:
        return "muc4"
    return "template" if datasets == {"wikievents"} else "native"


def evaluate(
    gold_path: str | Path,
    mode: str | None = None,
    *,
    scorer: str | Path | None = None,
    predictions: str | Path | None = None,
    model: str | None = None,
    extra: Sequence[str] = (),
    claims: bool = True,
    view: str | None = None,
) -> Evaluation:
    """Run the pipeline over the articles of ``gold_path`` and score what it extracted."""
    gold = Path(gold_path)
    if not gold.is_file():
        raise InputError(str(gold), "no such gold file")
    if mode is not None and mode not in MODES:
        raise InputError(str(gold), f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
    scorer_path = find_scorer(scorer)
    view = view or view_for(gold)
    keep = predictions is not None
    with tempfile.TemporaryDirectory(prefix="kg-evaluate-pred-") as folder:
        output = Path(predictions) if predictions is not None else Path(folder) / "events.jsonl"
        count = predict(gold, output, model=model, claims=claims, view=view)
        scores, report = run_scorer(scorer_path, gold, output, mode, extra)
    return Evaluation(
        scores.get("mode", mode or "?"), scores, report, output if keep else None, count
    )
