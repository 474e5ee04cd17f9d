"""Shared fixtures: the seed store is built once per session (it needs the spaCy model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden graphs from the current output",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the two sample articles (read-only for the tests that use it)."""
    from kg import GraphStore, build

    path = tmp_path_factory.mktemp("seed") / "store"
    store = GraphStore(path)
    summary = build([SAMPLES], store)
    assert summary.articles_read == 2 and not summary.skipped
    del store
    return path


@pytest.fixture()
def seed_store(seed_store_path: Path, tmp_path: Path):
    """A private copy of the seed store, so that a test may change it."""
    from kg import GraphStore

    copy = tmp_path / "store"
    shutil.copytree(seed_store_path, copy)
    return GraphStore(copy)
