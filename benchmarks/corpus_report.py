"""Linking and merging figures of a built corpus, against its gold file.

    python benchmarks/corpus_report.py ../shared/eval/muc4/dev.jsonl --store /tmp/dev-store
    python benchmarks/corpus_report.py GOLD.jsonl --store DIR --build   # build first

Prints: how many gold perpetrator organisations the actor table resolves; how many predicted
organisation attackers are linked to a table entry; how many events are located (country and
coordinates); canonical events against gold events; and a seeded random sample of cross-article
merges, with their evidence sentences, to be checked by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from kg import GraphStore, build
from kg.export.events import collect_events
from kg.merge import recompute_canonical
from kg.reference import load_reference


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "0/0"


def gold_coverage(gold: list[dict]) -> tuple[int, int]:
    """Gold organisation attackers whose mentions some alias of the table names."""
    reference = load_reference()
    found = total = 0
    for doc in gold:
        for event in doc.get("events", []):
            for attacker in event.get("attackers", []):
                if attacker.get("kind") != "organization":
                    continue
                total += 1
                mentions = [
                    m.removeprefix("THE ").removeprefix("the ") for m in attacker["mentions"]
                ]
                if any(reference.actor_by_alias(m) for m in mentions):
                    found += 1
    return found, total


def evidence_of(store: GraphStore, claim: str) -> str:
    rows = list(
        store.query(
            "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
            f"SELECT ?s WHERE {{ <{claim}> ce:evidence/ce:sentence ?s }} LIMIT 1"
        )
    )
    return " ".join(rows[0]["s"].value.split())[:220] if rows else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="build the gold articles first")
    parser.add_argument("--remerge", action="store_true",
                        help="recompute the canonical graph with the current merge rules")
    parser.add_argument("--sample", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line]
    store = GraphStore(args.store)
    if args.build:
        summary = build([args.gold], store, clear=True, validate=False)
        print(f"built {summary.articles_read} articles in {summary.seconds:.1f} s")

    if args.remerge:
        print(f"canonical events after re-merging: {recompute_canonical(store)}")

    found, total = gold_coverage(gold)
    print(
        f"gold perpetrator organisations named by an alias of the actor table: {_pct(found, total)}"
    )

    claims = collect_events(store, claims=True)
    orgs = [a for c in claims for a in c["attackers"] if a["kind"] == "organization"]
    linked = [a for a in orgs if a.get("id") and "/actor/unlinked/" not in a["id"]]
    print(
        f"predicted organisation attackers linked to a table entry: {_pct(len(linked), len(orgs))}"
    )
    located = [
        c
        for c in claims
        if c["location"] and c["location"].get("country") and c["location"].get("lat") is not None
    ]
    print(f"claims located with a country and coordinates: {_pct(len(located), len(claims))}")
    precision = Counter((c["location"] or {}).get("precision") for c in claims)
    print(
        "geo precision of claims: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(precision.items(), key=str))
    )

    events = collect_events(store)
    gold_events = sum(len(d.get("events", [])) for d in gold)
    multi = [e for e in events if len({s["doc_id"] for s in e["sources"]}) > 1]
    print(
        f"gold events: {gold_events}; claims: {len(claims)}; canonical events: {len(events)}; "
        f"merged from 2+ articles: {len(multi)}"
    )

    by_event: dict[str, list[dict]] = {}
    claim_rows = store.query(
        "PREFIX ce: <https://w3id.org/conflict-kg/ontology#> "
        "SELECT ?e ?c WHERE { ?e a ce:CanonicalEvent ; ce:claim ?c }"
    )
    claim_index = {c["id"]: c for c in claims}
    for row in claim_rows:
        by_event.setdefault(row["e"].value, []).append(claim_index[row["c"].value])
    pairs = []
    for event_id, members in sorted(by_event.items()):
        docs = sorted({m["sources"][0]["doc_id"] for m in members})
        if len(docs) > 1:
            first = members[0]
            for other in members[1:]:
                if other["sources"][0]["doc_id"] != first["sources"][0]["doc_id"]:
                    pairs.append((event_id, first, other))
    print(f"cross-article merge pairs: {len(pairs)}")
    random.Random(args.seed).shuffle(pairs)
    for number, (event_id, a, b) in enumerate(pairs[: args.sample], start=1):
        print(f"\n[{number}] {event_id.rsplit('/', 1)[-1]}  {a['type']} / {b['type']}")
        for claim in (a, b):
            print(
                f"   {claim['sources'][0]['doc_id']} {claim['date']} "
                f"{(claim['location'] or {}).get('name')}: {evidence_of(store, claim['id'])}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
