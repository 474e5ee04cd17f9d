"""Graph projections with networkx: an actor-to-actor view for Gephi and Cytoscape."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import networkx as nx

from kg.export.events import collect_events
from kg.store import GraphStore


def actor_graph(store: GraphStore) -> nx.MultiDiGraph:
    """Directed attacker -> target edges, one per event, with the event's type and date."""
    graph = nx.MultiDiGraph()
    for event in collect_events(store):
        sides = []
        for field in ("attackers", "targets"):
            sides.append([(a.get("id") or f"{event['id']}#{a['name']}", a) for a in event[field]
                          if a["kind"] in {"organization", "group"}])
        for (source, left), (target, right) in product(*sides):
            for node, data in ((source, left), (target, right)):
                graph.add_node(node, label=data["name"] or data["mentions"][0], kind=data["kind"])
            graph.add_edge(source, target, key=event["id"], event=event["id"],
                           type=event["type"], date=event["date"] or "",
                           place=(event["location"] or {}).get("name") or "")
    return graph


def write_graphml(store: GraphStore, output: Path) -> int:
    graph = actor_graph(store)
    nx.write_graphml(graph, output)
    return graph.number_of_edges()
