"""Locate the ontology and reference data, installed or in a checkout.

The Turtle files live in ``ontology/`` and the reference tables in ``data/`` at the top of
the repository, because that is where people look for them. A wheel copies both into
``kg/_resources/`` (see ``pyproject.toml``), so an installed package never reaches outside
itself. In an editable install or a plain checkout the copies do not exist and the files are
read where they stand.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


@cache
def _root(kind: str) -> Traversable:
    installed = resources.files("kg") / "_resources" / kind
    if installed.is_dir():
        return installed
    return _CHECKOUT_ROOT / kind


def ontology_file(name: str) -> Traversable:
    """A file of the ontology folder, e.g. ``ontology_file("shapes.ttl")``."""
    return _root("ontology") / name


def data_file(relative: str) -> Traversable:
    """A reference-data file, e.g. ``data_file("places/gazetteer.tsv.gz")``."""
    node = _root("data")
    for part in relative.split("/"):
        node = node / part
    return node


def resource_origin() -> str:
    """Where resources are read from: ``installed`` (the wheel's copy) or ``checkout``."""
    return "installed" if (resources.files("kg") / "_resources").is_dir() else "checkout"
