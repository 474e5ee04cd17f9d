"""``kg evaluate``: the pipeline over gold articles, scored exactly as ``score.py`` scores.

The gold file ``tests/data/gold_sample.jsonl`` was written for these tests (capitals-only wire
copy and mixed-case news; a bombing, an attack, an abduction, an arson, a statement and a
denial). The reference scorer is ``../shared/eval/score.py``, next to the project.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.evaluate import ScorerNotFound, evaluate, find_scorer

DATA = Path(__file__).parent / "data"
GOLD = DATA / "gold_sample.jsonl"
SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"
needs_scorer = pytest.mark.skipif(
    not SCORER.is_file(),
    reason=f"the reference scorer {SCORER} (from ../shared) is not next to the project",
)


def _score_py(pred: Path, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(pred), "--mode", mode, "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


@needs_scorer
@pytest.mark.model
@pytest.mark.parametrize("mode", ["muc", "fields"])
def test_numbers_agree_with_score_py(tmp_path: Path, mode: str) -> None:
    pred = tmp_path / "pred.jsonl"
    result = evaluate(GOLD, mode, scorer=SCORER, predictions=pred)
    assert pred.is_file() and result.events > 0
    reference = _score_py(pred, mode)
    assert result.main_f1 == reference["main_f1"]
    assert result.scores["micro_avg"] == reference["micro_avg"]
    assert result.report.rstrip().splitlines()[-1] == f"F1 {reference['main_f1']:.2f}"


@needs_scorer
@pytest.mark.model
def test_sample_is_extracted_well(tmp_path: Path) -> None:
    result = evaluate(GOLD, "muc", scorer=SCORER)
    relevance = result.scores["relevance"]
    assert relevance["fp"] == 0  # the statement and the denial report no event
    assert result.main_f1 >= 50


@needs_scorer
@pytest.mark.model
def test_the_command_prints_the_report() -> None:
    result = CliRunner().invoke(app, ["evaluate", str(GOLD), "--mode", "muc",
                                      "--scorer", str(SCORER)])
    assert result.exit_code == 0, result.output
    assert "incident_type" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("F1 ")


def test_missing_scorer_and_gold(tmp_path: Path) -> None:
    with pytest.raises(ScorerNotFound):
        find_scorer(tmp_path / "nope.py")
    with pytest.raises(InputError, match="no such gold file"):
        evaluate(tmp_path / "missing.jsonl", scorer=tmp_path / "nope.py")


@needs_scorer
@pytest.mark.model
def test_seeds_score_with_claims_and_merge_as_canonical_events() -> None:
    seeds = SCORER.parent / "seeds.jsonl"
    claims = evaluate(seeds, "fields", scorer=SCORER)
    assert claims.main_f1 >= 95
    canonical = evaluate(seeds, "fields", scorer=SCORER, claims=False)
    assert canonical.main_f1 >= 95
    assert "all merged: True" in canonical.report
