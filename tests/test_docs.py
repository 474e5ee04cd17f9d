"""The README's commands and examples are true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    install, tests = blocks[0].strip(), blocks[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install in ci and tests in ci


def test_every_command_is_documented() -> None:
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    for name in names:
        assert f"`kg {name}" in README, name


@pytest.mark.model
def test_readme_query_example_gives_the_documented_answer(seed_store_path: Path) -> None:
    documented = README.split("$ kg query examples/captures-by-origin.rq\n", 1)[1].split("```")[0]
    result = CliRunner().invoke(
        app,
        [
            "query",
            "--store",
            str(seed_store_path),
            str(ROOT / "examples" / "captures-by-origin.rq"),
        ],
    )
    assert result.exit_code == 0
    assert result.output.strip() == documented.strip()
