"""The pipeline's own output conforms to its shapes, on varied and on generated reports.

The articles are our own, in the manner of modern wire copy and of 1980s agency copy in
capitals; the generated ones combine actors, acts, places and dates at random.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.validate import Severity

pytestmark = pytest.mark.model

ARTICLES = [
    ("wire-1", "2023-05-09",
     "NIAMEY (Reuters) - Suspected jihadists killed 17 soldiers and wounded 20 in an ambush "
     "near the village of Kourtey in western Niger on Sunday, the defence ministry said on "
     "Monday. The attackers seized weapons and ammunition and set fire to two vehicles. The "
     "toll later rose to 19. In a similar attack last year, 30 soldiers died."),
    ("wire-2", None,
     "Gunmen on motorcycles stormed a market in Tillaberi region, killing at least 12 "
     "traders and kidnapping five women, local officials said. The army said troops killed "
     "eight of the assailants during a pursuit."),
    ("wire-3", "2023-05-10",
     "Protesters burned tyres and blocked roads in Ouagadougou on Tuesday to denounce the "
     "rising insecurity. Police fired tear gas to disperse the crowd."),
    ("wire-4", "2023-05-09",
     "A suicide bomber blew himself up at a mosque in Konduga, Borno State, on Monday "
     "evening, killing 11 worshippers, a militia leader said. No group claimed the blast."),
    ("wire-5", "2023-05-08",
     "The Nigerian Air Force said its jets struck a camp of ISWAP fighters near Marte, "
     "killing dozens of them. A military spokesman said the strike destroyed gun trucks."),
    ("caps-1", "1990-02-04",
     "SAN SALVADOR, 3 FEB 90 (RADIO CADENA) -- [TEXT] URBAN GUERRILLAS TODAY BLEW UP A "
     "POWER PYLON IN SANTA ANA DEPARTMENT AND SHOT DEAD MAYOR JOSE ANTONIO LOPEZ IN "
     "SAN MIGUEL. THE ARMED FORCES SAID A PATROL CLASHED WITH THE REBELS."),
]


def _write(path: Path, rows: list[tuple[str, str | None, str]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for doc_id, published, text in rows:
            handle.write(json.dumps({"doc_id": doc_id, "published": published, "text": text}))
            handle.write("\n")
    return path


def _violations(tmp_path: Path, rows: list[tuple[str, str | None, str]]) -> list[str]:
    from kg import GraphStore, build

    source = _write(tmp_path / "articles.jsonl", rows)
    summary = build([source], GraphStore(tmp_path / "store"))
    assert summary.report is not None
    return [
        f"{r.focus} {r.path} {r.message}"
        for r in summary.report.results
        if r.severity == Severity.VIOLATION
    ]


def test_a_mixed_corpus_builds_with_no_violation(tmp_path: Path) -> None:
    assert _violations(tmp_path, ARTICLES) == []


def test_one_village_spelt_two_ways_by_two_outlets_is_one_node_with_one_name(
    tmp_path: Path,
) -> None:
    from kg import GraphStore

    rows = [
        ("outlet-a", "2023-05-09", "Gunmen killed nine herders in the village of Xqzbougé in "
         "Niger on Sunday, officials said."),
        ("outlet-b", "2023-05-09", "Nine herders were killed by gunmen in the village of "
         "Xqzbouge in Niger on Sunday, a mayor said."),
    ]
    assert _violations(tmp_path, rows) == []
    labels = GraphStore(tmp_path / "store").query(
        "SELECT DISTINCT ?label WHERE { GRAPH ?g { ?p <http://www.w3.org/2000/01/rdf-schema#label> "
        "?label ; <https://w3id.org/conflict-kg/ontology#placeLevel> \"unresolved\" } }"
    )
    assert len(list(labels)) == 1


ACTORS = ["Suspected jihadists", "Gunmen", "Bandits", "JNIM fighters", "Troops",
          "Boko Haram insurgents", "Unidentified assailants", "Protesters"]
ACTS = ["killed {n} villagers in", "attacked a military post in", "kidnapped {n} pupils from",
        "ambushed a convoy near", "set fire to a market in", "clashed with soldiers in",
        "seized rifles and ammunition in", "shelled a camp near"]
PLACES = ["Djibo", "Kaya", "the town of Seytenga", "northern Mali", "Maiduguri, Borno State",
          "Diffa", "a village near Fada N'Gourma", "the Sahel region"]
WHEN = ["on Sunday", "overnight", "on 3 May", "last week", "between 1 and 3 May", ""]


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ACTORS), st.sampled_from(ACTS), st.sampled_from(PLACES),
            st.sampled_from(WHEN), st.integers(min_value=1, max_value=90),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_generated_reports_build_with_no_violation(tmp_path_factory, sentences) -> None:
    text = " ".join(
        f"{actor} {act.format(n=n)} {place} {when}".strip() + ", officials said."
        for actor, act, place, when, n in sentences
    )
    folder = tmp_path_factory.mktemp("generated")
    assert _violations(folder, [("gen", "2023-05-09", text)]) == []
