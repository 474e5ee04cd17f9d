"""The flat events table (``events-jsonl``): one JSON object per event in the prediction
format of ``shared/eval/FORMAT.md``, canonical events when the store has them, per-article
claims otherwise or with ``claims=True``.

The events are read by :mod:`kg.claims` as typed records (:class:`kg.records.StoredEvent`,
which the merge reads too) and written as the prediction format's dicts
(``StoredEvent.as_prediction``); :func:`collect_events`, :func:`read_events` and
:func:`collect_claims` are named here as well for the other exports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.claims import collect_claims, collect_events, read_events
from kg.store import GraphStore

__all__ = ["collect_claims", "collect_events", "public", "read_events", "write_events_jsonl"]


def public(event: dict[str, Any]) -> dict[str, Any]:
    """The event without the internal keys (those starting with an underscore)."""
    out = {k: v for k, v in event.items() if not k.startswith("_")}
    out["weapons"] = [
        {k: v for k, v in w.items() if not k.startswith("_")} for w in event["weapons"]
    ]
    return out


def write_events_jsonl(
    store: GraphStore, output: Path, *, claims: bool = False, view: str = "native"
) -> int:
    """Write the events as JSON Lines under a codebook view (``kg.export.muc4``)."""
    from kg.export.muc4 import apply_view

    events = [public(e) for e in apply_view(collect_events(store, claims=claims), view)]
    events.sort(key=lambda e: (e["sources"][0]["doc_id"] if e["sources"] else "", e["id"]))
    with output.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    return len(events)
