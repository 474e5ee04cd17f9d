"""The ontology, shapes and reference data load from an installed wheel, not only a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("conflict_kg-*.whl")
    return built


def test_wheel_contains_ontology_shapes_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "kg/_resources/ontology/conflict.ttl",
        "kg/_resources/ontology/shapes.ttl",
        "kg/_resources/ontology/event-types.ttl",
        "kg/_resources/data/actors/actors.csv",
        "kg/_resources/data/weapons/weapons.csv",
        "kg/_resources/data/places/gazetteer.tsv.gz",
        # the page of `kg serve` and the libraries it vendors, which it loads from the package
        "kg/static/index.html",
        "kg/static/views.js",
        "kg/static/vendor/leaflet/leaflet.js",
        "kg/static/vendor/leaflet/LICENSE",
        "kg/static/vendor/world-atlas/countries-50m.json",
        "kg/static/vendor/cytoscape/cytoscape.min.js",
        "kg/static/vendor/chart.js/chart.umd.min.js",
        "kg/static/vendor/topojson-client/topojson-client.min.js",
    ):
        assert required in names, required


def test_installed_wheel_reads_its_own_resources(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    probe = (
        "import kg.resources as r, kg.validate as v, kg.reference as ref;"
        "print(r.resource_origin());"
        "print(len(v.shapes_graph()) > 100);"
        "print(len(ref.load_reference().actors) > 100);"
        "print(r.__file__)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    origin, shapes_ok, actors_ok, location = result.stdout.split()
    assert (origin, shapes_ok, actors_ok) == ("installed", "True", "True")
    assert location.startswith(str(target))
