"""The codebook views of the event exports: ACLED's (native) and MUC-4's."""

from __future__ import annotations

from typing import Any

from kg.evaluate import view_for
from kg.export.muc4 import apply_view

STATE = "https://w3id.org/conflict-kg/id/actor/military-forces-of-mali"


def event(type_: str = "attack", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": type_, "attackers": [], "targets": [], "victims": [], "unnamed_victims": [],
        "_muc_excluded": False,
    }
    return {**base, **fields}


def person(name: str) -> dict[str, Any]:
    return {"name": name, "kind": "person", "mentions": [name], "id": None}


def people(words: str) -> dict[str, Any]:
    return {"name": words, "kind": "group", "mentions": [words], "id": None}


def test_native_view_counts_everyone_harmed_as_a_victim() -> None:
    [out] = apply_view([event(victims=[person("Amadou Sow")],
                              unnamed_victims=[people("nine herders")])], "native")
    assert [v["name"] for v in out["victims"]] == ["Amadou Sow", "nine herders"]
    assert "unnamed_victims" not in out


def test_muc4_view_keeps_named_victims_and_physical_targets_only() -> None:
    bus = {"name": "bus", "kind": "object", "mentions": ["bus"], "id": None}
    [out] = apply_view(
        [event(victims=[person("Amadou Sow"), people("nine herders")],
               targets=[bus, people("militia")])],
        "muc4",
    )
    assert [v["name"] for v in out["victims"]] == ["Amadou Sow"]
    assert [v["name"] for v in out["unnamed_victims"]] == ["nine herders"]
    assert [t["name"] for t in out["targets"]] == ["bus"]


def test_muc4_view_leaves_out_army_against_guerrilla_fighting_and_vetoed_claims() -> None:
    army = {"name": "Military Forces of Mali", "kind": "organization", "mentions": ["army"],
            "id": STATE}
    battle = event("armed-clash", attackers=[people("rebels")], targets=[army])
    vetoed = event(_muc_excluded=True)
    kept = event(attackers=[people("gunmen")], victims=[person("Awa Traore")])
    assert list(apply_view([battle, vetoed, kept], "muc4")) == [
        {**kept, "unnamed_victims": []}
    ]
    # the same battle stays in the graph's own codebook
    assert len(list(apply_view([battle], "native"))) == 1


def test_template_view_fills_the_victim_slot_with_whoever_was_hit() -> None:
    post = {"name": "police post", "kind": "object", "mentions": ["police post"], "id": None}
    police = {"name": "Police Forces of Mali", "kind": "organization",
              "mentions": ["police"], "id": "https://w3id.org/conflict-kg/id/actor/pfm"}
    [out] = apply_view(
        [event(targets=[post, police], victims=[person("Amadou Sow")],
               unnamed_victims=[people("two officers")])],
        "template",
    )
    assert [t["name"] for t in out["targets"]] == ["police post"]
    assert [v["name"] for v in out["victims"]] == [
        "Amadou Sow", "two officers", "Police Forces of Mali"]


def test_template_view_lists_each_description_of_the_people_harmed_apart() -> None:
    civilians = {"name": "12 people", "kind": "group", "id": None,
                 "mentions": ["12 people", "women", "people", "children"]}
    [out] = apply_view([event(unnamed_victims=[civilians, people("two officers")])],
                       "template")
    assert [v["mentions"] for v in out["victims"]] == [
        ["12 people", "people"], ["women"], ["children"], ["two officers"]]
    # the graph's own codebook keeps them one participant
    [native] = apply_view([event(unnamed_victims=[civilians])], "native")
    assert [v["name"] for v in native["victims"]] == ["12 people"]


def test_each_gold_set_is_scored_under_its_own_codebook(tmp_path) -> None:
    def gold(*datasets: str):
        path = tmp_path / f"{'-'.join(datasets)}.jsonl"
        path.write_text("".join(f'{{"doc_id": "d{i}", "dataset": "{d}"}}\n'
                                for i, d in enumerate(datasets)))
        return path

    assert view_for(gold("muc4", "muc4")) == "muc4"
    assert view_for(gold("wikievents")) == "template"
    assert view_for(gold("news")) == "native"
    assert view_for(gold("muc4", "news")) == "native"
